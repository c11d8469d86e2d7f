import { useState } from 'react';
import { useBlockInteraction, useLoading } from '../interact';
import type { Element, StateEntry } from '../types';
import { entryOf, useBlockEnv, withEntry } from './context';

export interface Placement {
  blockId: string | undefined;
  /** the element of an `input` block: its value travels with the submit unless the block dispatches */
  inInput: boolean;
  dispatchAction?: boolean;
  /** a section's accessory (its value is part of a view's state) */
  accessory?: boolean;
}

/** Does changing this element send a block interaction of its own? (server: view-state.ts triggersInteraction) */
function triggers(el: Element, at: Placement): boolean {
  if (at.inInput && !at.dispatchAction) return false;
  if (el.type === 'plain_text_input') {
    const tr = el.interaction_triggers;
    return Array.isArray(tr) ? tr.length > 0 : typeof tr === 'string' && tr !== '';
  }
  return true;
}

/**
 * An element's value and what changing it does: in a view, the value is part of the view's state
 * (input blocks, section accessories); in a message it is the element's own; an element that
 * triggers sends `POST /v1/blockInteractions` (with the view's state, in a view).
 */
export function useElement(el: Element, at: Placement) {
  const env = useBlockEnv();
  const interact = useBlockInteraction();
  const loading = useLoading(env.source, el.onAction, at.blockId);
  const stateful = !!env.state && !!at.blockId && !!el.onAction && el.type !== 'button' && (at.inInput || !!at.accessory);
  const [local, setLocal] = useState<StateEntry | undefined>(undefined);
  const entry = stateful ? entryOf(env, at.blockId, el.onAction) : local;

  /** A new value: kept, and sent to the app when the element triggers. */
  const change = (next: StateEntry | undefined, send = true) => {
    if (stateful) env.setEntry?.(at.blockId!, el.onAction!, next);
    else setLocal(next);
    if (send && triggers(el, at)) fire(next);
  };

  const fire = (next: StateEntry | undefined) => {
    if (!el.onAction) return;
    const payload = next === undefined ? undefined : next.values !== undefined ? { values: next.values } : { value: next.value };
    const state = env.state && stateful && next !== undefined ? withEntry(env.state, at.blockId!, el.onAction, next) : env.state;
    interact.mutate({ source: env.source, blockId: at.blockId, onAction: el.onAction, ...(payload && { payload }), state });
  };

  const errorKey = at.blockId && el.onAction ? `${at.blockId}.${el.onAction}` : undefined;
  return { entry, change, fire, loading, busy: interact.isPending, failed: interact.error, errorKey };
}
