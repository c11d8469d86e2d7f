import { createContext, useContext } from 'react';
import type { Source, StateEntry, ViewState } from '../types';

/** Where blocks are drawn: what an interaction names, and (in a view) the inputs' state. */
export interface BlockEnv {
  source: Source;
  /** a view's inputs: present in modals and home views */
  state?: ViewState;
  setEntry?(blockId: string, onAction: string, entry: StateEntry | undefined): void;
  /** problems found by the server with a submit, by `blockId.onAction` */
  fieldErrors?: Record<string, string>;
  /**
   * The person submitted this version of the view since the app put `validationError`s on its
   * inputs: those errors were about the values before, and are not shown until the app answers
   * again (a new version with errors shows them; a refusal is the banner's).
   */
  appErrorsAnswered?: boolean;
  /** ids for labels: unique per rendered view or message */
  idPrefix: string;
}

export const BlockEnvContext = createContext<BlockEnv | null>(null);

export function useBlockEnv(): BlockEnv {
  const env = useContext(BlockEnvContext);
  if (!env) throw new Error('blocks rendered outside a BlockEnv');
  return env;
}

export const entryOf = (env: BlockEnv, blockId: string | undefined, onAction: string | undefined): StateEntry | undefined =>
  blockId && onAction ? env.state?.values[blockId]?.[onAction] : undefined;

/** The state with one entry changed (or removed). */
export function withEntry(state: ViewState, blockId: string, onAction: string, entry: StateEntry | undefined): ViewState {
  const block = { ...state.values[blockId] };
  if (entry) block[onAction] = entry;
  else delete block[onAction];
  return { values: { ...state.values, [blockId]: block } };
}
