import type { FastifyBaseLogger } from 'fastify';
import type { ChatStore, StoredDomainEvent } from '../domain/ports/chat-store.js';
import type { Delivery } from '../domain/ports/deliveries.js';
import { unitOfWork } from '../domain/context.js';
import { WakeLoop } from './wake-loop.js';

/**
 * Turns one committed event into the deliveries it causes (app event subscriptions, outgoing
 * integrations), writing them through `tx` so they commit together with the event's expansion.
 * Answers true when it queued something, so that only the worker with new work is woken.
 */
export type Expander = (tx: ChatStore, event: StoredDomainEvent) => Promise<boolean>;

/** An expander and the worker that runs what it queues. */
export interface ExpanderEntry {
  expand: Expander;
  /** after the batch that queued work through `expand` has committed */
  wake(): void;
}

export interface DispatcherOptions {
  log: FastifyBaseLogger;
  /**
   * Deliveries an expansion leased as it inserted them (DeliveryStorage.startLeasing), once its
   * transaction has committed: the local queue's, to attempt without claiming them.
   */
  adoptLeased?: (leased: Delivery[]) => void;
  /** the fallback when no wake-up comes (another node committed, or a wake-up was missed) */
  pollMs?: number;
  batchSize?: number;
  /** how long expanded events are kept before pruning */
  retainMs?: number;
  now?: () => number;
}

/** What one expansion did: events expanded, the workers it queued work for, the deliveries it leased as it inserted them. */
interface Expansion {
  expanded: number;
  /** of them, claimed (stored as not expanded) */
  claimed: number;
  queued: Set<ExpanderEntry>;
  leased: Delivery[];
}

/**
 * The outbox dispatcher (docs/delivery.md §2.2): takes unexpanded events in order, runs every expander
 * on each, and marks them expanded, all in one transaction: a crash before the commit leaves them
 * to be expanded again (expanders must therefore be idempotent), a commit means done. Woken after
 * each local commit that wrote events, and by a poll for the rest.
 */
export class OutboxDispatcher {
  private readonly loop: WakeLoop;
  private lastPrune = 0;
  /** set while each batch of transactions ends with an expansion (SQLite), see start(): takes it away */
  private finishing: (() => void) | undefined;
  private readonly pollMs: number;
  private readonly batchSize: number;
  private readonly retainMs: number;
  private readonly now: () => number;

  constructor(
    private readonly store: ChatStore,
    private readonly expanders: readonly ExpanderEntry[],
    private readonly opts: DispatcherOptions,
  ) {
    this.pollMs = opts.pollMs ?? 1000;
    this.batchSize = opts.batchSize ?? 200;
    this.retainMs = opts.retainMs ?? 24 * 3600_000;
    this.now = opts.now ?? Date.now;
    this.loop = new WakeLoop({
      round: async () => (await this.expandBatch()) === this.batchSize,
      after: async () => {
        if (this.now() - this.lastPrune <= 60_000) return;
        this.lastPrune = this.now();
        await this.store.pruneExpandedEvents(this.now() - this.retainMs);
      },
      // Left unexpanded: the next poll tries again.
      onError: (err) => this.opts.log.error({ err }, 'outbox expansion failed'),
    });
  }

  start(): void {
    // On SQLite the events a batch of transactions wrote are expanded at the end of that same batch
    // (store/group-commit.ts BatchFinisher), handed over as written — no batch of its own, no wait
    // for one, no claim and no mark while none wait. The poll stays, for events the finisher did
    // not take (written by its own expanders, or by another process).
    // Events stored as not expanded may be waiting — from before the start, or put back after an
    // expansion failed: until a claim finds no more, each batch's expansion claims them first, in
    // order, so that a newer event is never expanded before an older one.
    let behind = true;
    let done: Expansion | undefined;
    this.finishing =
      this.store.finishEachBatch?.({
        work: async (tx, written) => {
          // Run again from the start if the batch is redone: what an earlier run did was taken back.
          done = await this.expandIn(tx, written, behind);
        },
        committed: () => {
          if (done) {
            this.afterCommit(done);
            if (done.claimed < this.batchSize) behind = false;
            else this.loop.wake();
          }
          done = undefined;
        },
        failed: (err) => {
          done = undefined;
          behind = true;
          this.opts.log.error({ err }, 'outbox expansion at the end of a batch failed; the poll expands those events');
        },
      });
    this.loop.poll(this.pollMs);
  }

  /** Ask for a run soon; runs never overlap, a wake-up during one makes it go round again. */
  wake(): void {
    // Where each batch ends with an expansion, a commit that wrote events has already had them expanded.
    if (!this.finishing) this.loop.wake();
  }

  /** One batch; returns how many events it expanded. The workers with new work are woken after the commit. */
  async expandBatch(): Promise<number> {
    // Answered at the commit: an expansion a power loss forgets is made again (expanders are
    // idempotent), and the queue sends nothing before it is on the disk (DeliveryStorage.durable).
    const done = await unitOfWork(this.store, (tx) => this.expandIn(tx), { awaitDurable: false });
    this.afterCommit(done);
    return done.expanded;
  }

  /**
   * Claims, expands and marks up to a batch of events in `tx`; or expands `written`, the events a
   * group-commit batch wrote as expanded already (start()), after claiming the older ones still
   * waiting when `claimFirst`. Answers how many, and what to do once committed.
   */
  private async expandIn(tx: ChatStore, written?: readonly StoredDomainEvent[], claimFirst = false): Promise<Expansion> {
    const queued = new Set<ExpanderEntry>();
    const claimed = !written || claimFirst ? await tx.claimUnexpandedEvents(this.batchSize) : [];
    const events = written ? [...claimed, ...written] : claimed;
    if (this.opts.adoptLeased) tx.deliveries.startLeasing?.();
    const reads = readOncePerBatch(tx);
    for (const event of events) {
      for (const entry of this.expanders) if (await entry.expand(reads, event)) queued.add(entry);
    }
    await tx.markExpanded(
      claimed.map((e) => e.id),
      this.now(),
    );
    return { expanded: events.length, claimed: claimed.length, queued, leased: tx.deliveries.takeLeased?.() ?? [] };
  }

  /** After the commit: the deliveries leased as they were inserted go to the queue, and the workers with new work are woken. */
  private afterCommit(done: Expansion): void {
    if (done.leased.length > 0) this.opts.adoptLeased?.(done.leased);
    for (const entry of done.queued) entry.wake();
  }

  async stop(): Promise<void> {
    this.finishing?.();
    this.finishing = undefined;
    await this.loop.stop();
  }
}

/**
 * The transaction as the expanders see it during one batch: the reads every expander makes for
 * every event (a workspace's installations, an app, an installation's authorizations, the outgoing
 * integrations of a type) answer from the first call (also for an event's second read of an app).
 * Nothing in a batch writes those tables (expanders write deliveries), so every event of the batch
 * sees what it would have read itself; per event they were a tenth of a post's CPU (a profile of
 * BENCH_ONLY=posts, ~7 events a batch).
 */
function readOncePerBatch(tx: ChatStore): ChatStore {
  const answers = new Map<string, Promise<unknown>>();
  const once =
    <A extends readonly (string | undefined)[], R>(name: string, read: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> => {
      const key = `${name}\u0000${args.join('\u0000')}`;
      let answer = answers.get(key) as Promise<R> | undefined;
      if (!answer) answers.set(key, (answer = read(...args)));
      return answer;
    };
  const integrations = forwarding(tx.integrations, { ofType: once('ofType', tx.integrations.ofType.bind(tx.integrations)) });
  // Where the store remembers them across batches (SQLite, while nothing changed them), from there.
  const installations = (tx.installationsInWorkspaceReadOnly ?? tx.installationsInWorkspace).bind(tx) as ChatStore['installationsInWorkspace'];
  const app = (tx.appReadOnly ?? tx.app).bind(tx) as ChatStore['app'];
  const authorizations = (tx.authorizationsOfInstallationReadOnly ?? tx.authorizationsOfInstallation).bind(tx) as ChatStore['authorizationsOfInstallation'];
  return forwarding(tx, {
    installationsInWorkspace: once('installations', installations),
    app: once('app', app),
    authorizationsOfInstallation: once('authorizations', authorizations),
    integrations,
  });
}

/** `target` with some members replaced; the rest are the target's own (methods bound to it). */
function forwarding<T extends object>(target: T, replaced: Partial<T>): T {
  return new Proxy(target, {
    get(t, key) {
      if (Object.prototype.hasOwnProperty.call(replaced, key)) return (replaced as Record<PropertyKey, unknown>)[key];
      const value: unknown = Reflect.get(t, key, t);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(t) : value;
    },
  });
}
