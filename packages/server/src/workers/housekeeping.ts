import type { FastifyBaseLogger } from 'fastify';
import type { Views } from '../domain/apps/views.js';
import type { SocketMode } from '../domain/apps/socket-mode.js';
import type { Files } from '../domain/files.js';
import type { MessageRetention } from '../domain/retention.js';
import { WakeLoop } from './wake-loop.js';

export interface HousekeepingOptions {
  log: Pick<FastifyBaseLogger, 'error' | 'debug'>;
  /** how often a round runs (a minute: the shortest rule it keeps is the 60-s ticket) */
  intervalMs?: number;
  /** the clock the rules are measured against (tests drive it) */
  now?: () => number;
}

/** What one round cleared. */
export interface HousekeepingReport {
  tickets: number;
  sockets: number;
  /** files no message held for a day, removed with their objects (and expired upload tokens) */
  files?: { files: number; tokens: number };
  /** messages deleted by their workspace's retention this round (docs/web-client.md §7) */
  retention?: { messages: number };
}

/**
 * The periodic clean-up of the interactive-app state that ages out rather than being ended by
 * anyone: modals idle for 24 h close (`view.closed reason: expired`, no CLOSE to the app) and old
 * loading states are pruned (docs/app-platform.md §9.3, §9.4); expired socket-mode tickets and the
 * registry rows of nodes that stopped vouching for their sockets go (§10.1, docs/delivery.md §2.7).
 * Every node runs one: each step is idempotent, and a node that died leaves work only the others
 * can do (its stale rows). Runs never overlap; stop() waits for the one in flight.
 */
export class Housekeeping {
  private readonly loop: WakeLoop;
  private readonly now: () => number;
  private last: HousekeepingReport = { tickets: 0, sockets: 0 };

  constructor(
    private readonly domain: {
      views: Pick<Views, 'housekeeping'>;
      socketMode: Pick<SocketMode, 'prune'>;
      files?: Pick<Files, 'sweepOrphans'>;
      retention?: Pick<MessageRetention, 'sweep'>;
    },
    private readonly opts: HousekeepingOptions,
  ) {
    this.now = opts.now ?? Date.now;
    this.loop = new WakeLoop({
      round: async () => {
        const now = this.now();
        await this.domain.views.housekeeping(now);
        this.last = await this.domain.socketMode.prune(now);
        if (this.last.tickets + this.last.sockets > 0) this.opts.log.debug({ ...this.last }, 'housekeeping: socket-mode rows pruned');
        // Files no message holds for a day (docs/pumble-app-platform.md §11.2; issue #14): objects and rows.
        if (this.domain.files) {
          this.last.files = await this.domain.files.sweepOrphans(now);
          if (this.last.files.files + this.last.files.tokens > 0) this.opts.log.debug({ ...this.last.files }, 'housekeeping: orphan files swept');
        }
        // Messages past their workspace's retention (docs/web-client.md §7), a bounded batch per
        // workspace per round: a long backlog drains over rounds. Before the orphan sweep of a later
        // round removes the files they held, a day on, as after any delete.
        if (this.domain.retention) {
          this.last.retention = await this.domain.retention.sweep(now);
          if (this.last.retention.messages > 0) this.opts.log.debug({ ...this.last.retention }, 'housekeeping: expired messages deleted');
        }
      },
      // Nothing is lost: what was due is still due at the next round.
      onError: (err) => this.opts.log.error({ err }, 'housekeeping: round failed'),
    });
  }

  get isStopped(): boolean {
    return this.loop.isStopped;
  }

  start(): void {
    this.loop.poll(this.opts.intervalMs ?? 60_000);
  }

  /** One round now (or the one in flight), and what it pruned: for tests and tools. */
  async runNow(): Promise<HousekeepingReport> {
    await this.loop.idle();
    this.loop.wake();
    await this.loop.idle();
    return this.last;
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }
}
