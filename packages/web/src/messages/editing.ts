/**
 * Which message is being edited in this tab (one at a time): the row's edit box and the composer's
 * ↑ ("edit your last message") share it.
 */
import { useSyncExternalStore } from 'react';

let editing: string | null = null;
/** where focus goes back when the edit ends (the composer, after ↑) */
let returnTo: HTMLElement | null = null;
const listeners = new Set<() => void>();

function set(id: string | null): void {
  editing = id;
  for (const l of listeners) l();
}

export function startEditing(messageId: string, from?: HTMLElement | null): void {
  returnTo = from ?? null;
  set(messageId);
}

export function stopEditing(messageId: string): void {
  if (editing !== messageId) return;
  set(null);
  const el = returnTo;
  returnTo = null;
  if (el?.isConnected) requestAnimationFrame(() => el.focus());
}

const subscribe = (l: () => void) => {
  listeners.add(l);
  return () => listeners.delete(l);
};

export function useIsEditing(messageId: string): boolean {
  return useSyncExternalStore(subscribe, () => editing === messageId);
}
