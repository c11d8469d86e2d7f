import type { Store } from '../store/store.js';
import type { Notice, NoticeSink } from './events.js';

export interface CoreContext {
  store: Store;
  sink: NoticeSink;
  now: () => number;
}

/**
 * Runs a change in one transaction and publishes its notices only after the commit, so nobody
 * hears of a change that was rolled back.
 */
export async function commit<T>(ctx: CoreContext, work: (tx: Store, notices: Notice[]) => Promise<T>): Promise<T> {
  const notices: Notice[] = [];
  const result = await ctx.store.transaction((tx) => work(tx, notices));
  if (notices.length > 0) ctx.sink.publish(notices);
  return result;
}
