import { sql, type Kysely, type Transaction } from 'kysely';
import type { WalDurability } from './wal-durability.js';
import type { TransactionOptions } from '../domain/ports/transaction-options.js';
import { assertOutsideTransaction, inTransaction, type TransactionRunner } from './transaction-guard.js';

type Work = (trx: Transaction<any>) => Promise<unknown>;

interface Pending {
  work: Work;
  /** answered only once the commit is on the disk (TransactionOptions.awaitDurable) */
  awaitDurable: boolean;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** How many units of work share one commit at most. */
const MAX_BATCH = 64;

/**
 * Group commit for SQLite. SQLite has one writer, and every transaction costs a COMMIT; so units of
 * work that arrive while a batch is running wait, and then run together in one transaction, each
 * inside its own SAVEPOINT: a unit that fails rolls back to its savepoint alone, the rest commit
 * together. No caller hears "done" before its work is on the disk: with a WalDurability (a file
 * database) the batch's callers are answered when the WAL sync that covers its COMMIT ends, while
 * the next batch already runs — the sync happens on the thread pool, not on the event loop.
 */
export class GroupCommit implements TransactionRunner {
  private queue: Pending[] = [];
  private running = false;

  constructor(
    private readonly db: Kysely<any>,
    private readonly durability?: WalDurability,
  ) {}

  run<T>(work: (trx: Transaction<any>) => Promise<T>, opts?: TransactionOptions): Promise<T> {
    // A unit queued from inside a running unit would wait for the batch that waits for it.
    assertOutsideTransaction();
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, awaitDurable: opts?.awaitDurable ?? true, resolve: resolve as (v: unknown) => void, reject });
      if (!this.running) {
        this.running = true;
        // better-sqlite3 answers synchronously, so without this pause a transaction would run to
        // COMMIT before the server even reads the next request, and no batch would ever hold two.
        // One turn of the event loop lets the requests already on the wire join this batch.
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, MAX_BATCH);
        await this.commitBatch(batch);
        // Let the requests that arrived during this batch queue up for the next one.
        if (this.queue.length > 0) await new Promise((r) => setImmediate(r));
      }
    } finally {
      this.running = false;
    }
  }

  private async commitBatch(batch: Pending[]): Promise<void> {
    const outcomes: Outcome[] = [];
    try {
      await this.db.transaction().execute((trx) => inTransaction(async () => {
        if (batch.length === 1) {
          // Alone: no savepoint needed; a failure rolls the whole transaction back.
          try {
            outcomes.push({ ok: true, value: await batch[0]!.work(trx) });
          } catch (error) {
            outcomes.push({ ok: false, error });
            throw error;
          }
          return;
        }
        for (const [i, item] of batch.entries()) {
          const name = sql.raw(`sb_unit_${i}`);
          await sql`savepoint ${name}`.execute(trx);
          try {
            const value = await item.work(trx);
            await sql`release savepoint ${name}`.execute(trx);
            outcomes.push({ ok: true, value });
          } catch (error) {
            await sql`rollback to savepoint ${name}`.execute(trx);
            await sql`release savepoint ${name}`.execute(trx);
            outcomes.push({ ok: false, error });
          }
        }
      }));
    } catch (error) {
      // The commit itself failed (or a lone unit threw): nothing of this batch is durable.
      batch.forEach((item, i) => {
        const own = outcomes[i];
        item.reject(own && !own.ok ? own.error : error);
      });
      return;
    }
    const answer = (item: Pending, outcome: Outcome): void => (outcome.ok ? item.resolve(outcome.value) : item.reject(outcome.error));
    const waiting: Array<{ item: Pending; outcome: Outcome }> = [];
    batch.forEach((item, i) => {
      const outcome = outcomes[i]!;
      // A unit that failed is answered after the sync too: it may have read what the others wrote
      // (a unique key taken by another unit of the batch) and act on it once it hears back.
      if (this.durability && item.awaitDurable) waiting.push({ item, outcome });
      else answer(item, outcome);
    });
    if (waiting.length === 0) return;
    // Not awaited: the next batch may commit while this one's sync runs (its own sync comes after).
    this.durability!.durable(this.durability!.lastWritten).then(
      () => waiting.forEach(({ item, outcome }) => answer(item, outcome)),
      (error: unknown) => waiting.forEach(({ item }) => item.reject(error)),
    );
  }
}
