import type { FastifyBaseLogger } from 'fastify';
import { INDEX_BATCH } from '../domain/search.js';
import { WakeLoop } from './wake-loop.js';

export interface SearchIndexerOptions {
  log: Pick<FastifyBaseLogger, 'error'>;
  /** how often it looks for waiting messages; a search indexes what still waits itself */
  pollMs?: number;
}

/**
 * Indexes the messages that wait for the full-text index (SQLite, migration 0029) a few times a
 * second, a batch per transaction until none waits. Posting no longer pays FTS5 in its own
 * transaction; this pays it once per batch of hundreds. Freshness does not depend on it: a search
 * indexes whatever still waits before it looks (domain/search.ts). Several workers or nodes may each
 * run one: each batch is one transaction, and what one indexed no longer waits for the others.
 * SQLite only: on PostgreSQL nothing ever waits (server.ts starts none).
 */
export class SearchIndexer {
  private readonly loop: WakeLoop;

  constructor(
    indexWaiting: (limit: number) => Promise<number>,
    private readonly opts: SearchIndexerOptions,
  ) {
    this.loop = new WakeLoop({
      round: async () => (await indexWaiting(INDEX_BATCH)) === INDEX_BATCH,
      // Nothing is lost: what failed to be indexed still waits, for the next poll or search.
      onError: (err) => this.opts.log.error({ err }, 'search index: indexing waiting messages failed'),
    });
  }

  start(): void {
    this.loop.poll(this.opts.pollMs ?? 250);
  }

  /** Resolves when the run in flight (if any) has ended: for tests and shutdown. */
  idle(): Promise<void> {
    return this.loop.idle();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }
}
