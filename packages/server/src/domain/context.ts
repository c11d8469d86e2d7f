import type { ChatStore } from './ports/chat-store.js';
import type { RateLimiter } from './ports/rate-limiter.js';
import { isDurable, type Notice, type NoticeSink } from './events.js';
import { newId } from './ids.js';
import type { TransactionOptions } from './ports/transaction-options.js';

export type { TransactionOptions };

export interface CoreContext {
  store: ChatStore;
  sink: NoticeSink;
  now: () => number;
  /** counters for limits that must hold across requests (and nodes) */
  limiter: RateLimiter;
  /** told after each commit that wrote outbox events, so the dispatcher need not wait for its poll */
  onOutboxWrite?: () => void;
}

/** Anything that runs work atomically: the chat store, the delivery store (one runner per database). */
export interface Transactional<S> {
  transaction<T>(work: (tx: S) => Promise<T>, opts?: TransactionOptions): Promise<T>;
}

/**
 * The one door (docs/architecture.md §4): every transaction opened outside `store/` begins here.
 * `commit` below is the door for changes that have events; the delivery machinery's own bookkeeping
 * (the dispatcher marking events expanded, the delivery queue recording an attempt or disabling an
 * endpoint) writes no domain events and tells nobody through the bus, so it comes in here directly.
 * Inside, only `tx` reaches the database (store/transaction-guard.ts).
 */
export function unitOfWork<S extends Transactional<S>, T>(storage: S, work: (tx: S) => Promise<T>, opts?: TransactionOptions): Promise<T> {
  return storage.transaction(work, opts);
}

/**
 * Runs a change in one transaction. Its durable events go into the outbox inside that same
 * transaction (so no committed change loses its deliveries, and no rolled-back one makes any);
 * its notices are published only after the commit, so nobody hears of a change that was undone.
 * `beforePublish` runs between the two (a submit's in-flight marker goes before its banner shows).
 */
export async function commit<T>(ctx: CoreContext, work: (tx: ChatStore, notices: Notice[]) => Promise<T>, opts?: { beforePublish?: () => Promise<void> }): Promise<T> {
  const notices: Notice[] = [];
  let wroteOutbox = false;
  const result = await unitOfWork(ctx.store, async (tx) => {
    notices.length = 0;
    const value = await work(tx, notices);
    const requestId = newId();
    for (const n of notices) {
      if (!isDurable(n.event)) continue;
      await tx.insertDomainEvent({ id: newId(), workspaceId: n.workspaceId, type: n.event.type, event: n.event, requestId, createdAt: ctx.now() });
      wroteOutbox = true;
    }
    return value;
  });
  // After the commit, before anyone hears of it: what a listener may act on at once must be true.
  if (opts?.beforePublish) await opts.beforePublish();
  if (notices.length > 0) ctx.sink.publish(notices);
  if (wroteOutbox) ctx.onOutboxWrite?.();
  return result;
}
