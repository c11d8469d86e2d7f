import type { FastifyBaseLogger } from 'fastify';
import type { ChatStore, StoredDomainEvent } from '../domain/ports/chat-store.js';
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
  /** the fallback when no wake-up comes (another node committed, or a wake-up was missed) */
  pollMs?: number;
  batchSize?: number;
  /** how long expanded events are kept before pruning */
  retainMs?: number;
  now?: () => number;
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
    this.loop.poll(this.pollMs);
  }

  /** Ask for a run soon; runs never overlap, a wake-up during one makes it go round again. */
  wake(): void {
    this.loop.wake();
  }

  /** One batch; returns how many events it expanded. The workers with new work are woken after the commit. */
  async expandBatch(): Promise<number> {
    const queued = new Set<ExpanderEntry>();
    // Answered at the commit: an expansion a power loss forgets is made again (expanders are
    // idempotent), and the queue sends nothing before it is on the disk (DeliveryStorage.durable).
    const expanded = await unitOfWork(this.store, async (tx) => {
      queued.clear();
      const events = await tx.claimUnexpandedEvents(this.batchSize);
      for (const event of events) {
        for (const entry of this.expanders) if (await entry.expand(tx, event)) queued.add(entry);
      }
      await tx.markExpanded(
        events.map((e) => e.id),
        this.now(),
      );
      return events.length;
    }, { awaitDurable: false });
    for (const entry of queued) entry.wake();
    return expanded;
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }
}
