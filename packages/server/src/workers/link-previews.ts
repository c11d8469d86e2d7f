import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { LinkPreviews, PreviewRunReport } from '../domain/link-previews.js';
import type { Expander } from './dispatcher.js';
import { WakeLoop } from './wake-loop.js';

/**
 * Outbox → link preview jobs (docs/web-client.md §6.1): a new or edited message with links gets its
 * job in the dispatcher's transaction, so a committed post never loses its previews and the post's
 * own request never waits for a page. `previews` is late-bound: the core is made after the dispatcher.
 */
export function linkPreviewExpander(previews: () => Pick<LinkPreviews, 'enqueueFor'>): Expander {
  return (tx, event) => previews().enqueueFor(tx, event.event);
}

export interface LinkPreviewWorkerOptions {
  log: Pick<FastifyBaseLogger, 'warn' | 'error'>;
  /** the fallback when no wake-up comes (another node's job, a retry falling due) */
  pollMs?: number;
  /** jobs leased per round, run side by side */
  batchSize?: number;
  /** names this node in its leases (SWITCHBOARD_NODE_ID) */
  nodeId?: string;
}

const PRUNE_EVERY_MS = 10 * 60_000;

/**
 * Fetches previews for due jobs (LinkPreviews.runDue) about once a second, and at once when woken
 * (the dispatcher wrote jobs). Runs never overlap; stop() waits for the one in flight. Several nodes
 * may each run one: a job is leased to one of them at a time. Expired cache rows are pruned now and then.
 */
export class LinkPreviewWorker {
  private readonly loop: WakeLoop;
  private readonly lockedBy: string;
  private lastPrune = 0;

  constructor(
    private readonly previews: Pick<LinkPreviews, 'runDue' | 'pruneCache'>,
    private readonly opts: LinkPreviewWorkerOptions,
  ) {
    const batchSize = opts.batchSize ?? 8;
    this.lockedBy = `${opts.nodeId ?? hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
    this.loop = new WakeLoop({
      round: async () => {
        const report = await this.previews.runDue(this.lockedBy, batchSize);
        this.logReport(report);
        return report.handled >= batchSize;
      },
      after: async () => {
        if (Date.now() - this.lastPrune < PRUNE_EVERY_MS) return;
        this.lastPrune = Date.now();
        await this.previews.pruneCache();
      },
      // Nothing is lost: leased jobs go back when their lease runs out, the rest stay due.
      onError: (err) => this.opts.log.error({ err }, 'link previews: run failed'),
    });
  }

  start(): void {
    this.loop.poll(this.opts.pollMs ?? 1000);
  }

  /** Ask for a run soon; a wake-up during a run makes it go round again. */
  wake(): void {
    this.loop.wake();
  }

  /** Resolves when the run in flight (if any) has ended: for tests and shutdown. */
  idle(): Promise<void> {
    return this.loop.idle();
  }

  private logReport(report: PreviewRunReport): void {
    for (const f of report.failed) {
      this.opts.log.error({ messageId: f.messageId, attempt: f.attempt, err: f.error }, f.gaveUp ? 'link previews: job given up after repeated failures' : 'link previews: job failed, will retry');
    }
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }
}
