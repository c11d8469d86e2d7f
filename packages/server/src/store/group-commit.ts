import { sql, type Kysely, type Transaction } from 'kysely';
import type { WalDurability } from './wal-durability.js';
import type { ReservableTurn } from './reservable-turn.js';
import type { TransactionOptions } from '../domain/ports/transaction-options.js';
import { assertOutsideTransaction, inTransaction, type StallWatch, type TransactionRunner } from './transaction-guard.js';

type Work = (trx: Transaction<any>) => Promise<unknown>;

interface Pending {
  work: Work;
  /** answered only once the commit is on the disk (TransactionOptions.awaitDurable) */
  awaitDurable: boolean;
  resolve(value: unknown): void;
  reject(error: unknown): void;
  /** told when a batch takes it (the stall watch stops watching) */
  taken?: () => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** How many units of work share one commit at most. */
const MAX_BATCH = 64;

/** SQLite's total_changes(): rows written on the connection so far (triggers included). */
export type ChangeCounter = () => number;
const counters = new WeakMap<object, ChangeCounter>();

/** database.ts registers its connection's counter; GroupCommit reads it by the Kysely instance. */
export function registerChangeCounter(db: object, counter: ChangeCounter): void {
  counters.set(db, counter);
}

export function changeCounterOf(db: object): ChangeCounter | undefined {
  return counters.get(db);
}

/**
 * Work that closes a batch inside its transaction, after its units: the outbox dispatcher, so that
 * the events a batch wrote are expanded in the same commit (docs/delivery.md §2.2: still the
 * dispatcher, still one transaction) instead of a batch later. It runs only after a batch whose
 * units wrote outbox events, and is handed those events as they were written (`outboxOfBatch`):
 * the store writes them as expanded already, so that nothing reads them back or marks them. It may
 * fail alone: what it wrote is taken back, `reopen` writes the events as not expanded again, and the
 * batch commits without its work (the dispatcher's poll expands those events later).
 */
export interface BatchFinisher {
  work(trx: Transaction<any>, written: readonly unknown[]): Promise<void>;
  /** its work failed: the batch's events, written as expanded, must wait for the poll after all */
  reopen(trx: Transaction<any>, written: readonly unknown[]): Promise<void>;
  /** after the commit that included its work */
  committed(): void;
  /** its work threw; the batch committed without it */
  failed(error: unknown): void;
}

/** The outbox events the units of a running batch wrote, by its transaction, where a finisher will expand them. */
const batchOutbox = new WeakMap<object, unknown[]>();

/**
 * Where `trx` is a batch whose finisher expands what its units write: the list to add each outbox
 * event to once written (Store.insertDomainEvent), which then writes it as expanded. Undefined
 * elsewhere (no batches, no finisher, or the finisher itself writing): the event waits for the poll.
 */
export function outboxOfBatch(trx: object): unknown[] | undefined {
  return batchOutbox.get(trx);
}

/**
 * For a savepoint that store code takes inside a unit and may roll back while the unit goes on
 * (ScheduledStore.savepoint): call before the savepoint; the answer, called after a rollback to it,
 * takes the outbox events written since off the batch's list, as their rows were taken back.
 */
export function outboxMark(trx: object): () => void {
  const list = batchOutbox.get(trx);
  const length = list?.length ?? 0;
  return () => {
    if (list) list.length = Math.min(list.length, length);
  };
}

/** A unit failed after it wrote: only a savepoint per unit can take back its writes alone. */
class RedoWithSavepoints extends Error {}

/**
 * Group commit for SQLite. SQLite has one writer, and every transaction costs a COMMIT; so units of
 * work that arrive while a batch is running wait, and then run together in one transaction, each
 * inside its own SAVEPOINT: a unit that fails rolls back to its savepoint alone, the rest commit
 * together. Savepoints are dear, though: each costs a RELEASE, and each makes FTS5 write its pending
 * index data out as a new segment (fts5SavepointMethod flushes), so a batch of posts wrote one
 * search segment per post — a third of a post's SQL time. So a batch first runs with no savepoint
 * at all: a unit that fails having written nothing (total_changes() unmoved: nearly every failure
 * is a check before the writes) needs nothing taken back, and the batch goes on. Only a unit that
 * fails after writing rolls the whole batch back, to be run again with a savepoint per unit; units
 * are written to be run again (each resets what it gathers, as commit() does its notices).
 * No caller hears "done" before its work is on the disk: with a WalDurability (a file
 * database) the batch's callers are answered when the WAL sync that covers its COMMIT ends, while
 * the next batch already runs — the sync happens on the thread pool, not on the event loop.
 */
export class GroupCommit implements TransactionRunner {
  private queue: Pending[] = [];
  private running = false;
  private finisher: BatchFinisher | undefined;

  constructor(
    private readonly db: Kysely<any>,
    private readonly durability?: WalDurability,
    /** where the scope guard is off: refuses a unit queued by the batch it would wait for */
    private readonly stalls?: StallWatch,
    /** without one, every batch of several units runs with a savepoint per unit */
    private readonly changes?: ChangeCounter,
    /** where processes share the file (WORKERS > 1): the turn is reserved before a batch is taken */
    private readonly turn?: Pick<ReservableTurn, 'reserve' | 'unreserve'>,
  ) {}

  /** Registers the one finisher (a later one replaces it); the answer takes it away again. */
  finishEachBatch(finisher: BatchFinisher): () => void {
    this.finisher = finisher;
    return () => {
      if (this.finisher === finisher) this.finisher = undefined;
    };
  }

  run<T>(work: (trx: Transaction<any>) => Promise<T>, opts?: TransactionOptions): Promise<T> {
    // A unit queued from inside a running unit would wait for the batch that waits for it.
    assertOutsideTransaction();
    return new Promise<T>((resolve, reject) => {
      const item: Pending = { work, awaitDurable: opts?.awaitDurable ?? true, resolve: resolve as (v: unknown) => void, reject };
      this.queue.push(item);
      if (this.running && this.stalls) {
        // Queued behind a running batch: if that batch stalls, this unit may be what it waits for.
        this.stalls
          .watch(new Promise<void>((taken) => (item.taken = taken)), () => {})
          .catch((error: unknown) => {
            const at = this.queue.indexOf(item);
            if (at < 0) return;
            this.queue.splice(at, 1);
            reject(error);
          });
      }
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
        // Units that arrive while this worker waits for its turn join the batch.
        if (this.turn && !(await this.reserveTurn())) return;
        const batch = this.queue.splice(0, MAX_BATCH);
        for (const item of batch) item.taken?.();
        if (batch.length === 0) {
          this.turn?.unreserve(); // what waited was refused meanwhile (the stall watch)
          continue;
        }
        try {
          await this.commitBatch(batch);
        } finally {
          this.turn?.unreserve();
        }
        // Let the requests that arrived during this batch queue up for the next one.
        if (this.queue.length > 0) await new Promise((r) => setImmediate(r));
      }
    } finally {
      this.running = false;
    }
  }

  /** false when no turn will come (the primary is gone): everything queued is refused. */
  private async reserveTurn(): Promise<boolean> {
    try {
      await this.turn!.reserve();
      return true;
    } catch (error) {
      for (const item of this.queue.splice(0)) item.reject(error);
      return false;
    }
  }

  private async commitBatch(batch: Pending[]): Promise<void> {
    if (batch.length > 1 && this.changes) {
      try {
        return await this.commitOnce(batch, 'plain');
      } catch (error) {
        if (!(error instanceof RedoWithSavepoints)) throw error;
      }
    }
    return this.commitOnce(batch, 'savepoints');
  }

  private async commitOnce(batch: Pending[], mode: 'plain' | 'savepoints'): Promise<void> {
    const outcomes: Outcome[] = [];
    const finisher = this.finisher;
    let finished: Outcome | undefined;
    try {
      await this.db.transaction().execute((trx) => inTransaction(async () => {
        const written: unknown[] = [];
        if (finisher) batchOutbox.set(trx, written);
        try {
          await this.runUnits(trx, batch, mode, outcomes, written);
        } finally {
          batchOutbox.delete(trx); // what the finisher itself writes waits for the poll
        }
        if (!finisher || written.length === 0) return;
        // Beside other units with no savepoints, as they ran; else in a savepoint of its own.
        finished = await this.runOne(trx, (t) => finisher.work(t, written), mode === 'plain' && batch.length > 1 ? 'plain' : 'sb_finish');
        // Should this fail too, the batch fails: no unit's change commits with its events lost.
        if (!finished.ok) await finisher.reopen(trx, written);
      }));
    } catch (error) {
      if (error instanceof RedoWithSavepoints) throw error; // rolled back; commitBatch runs it again
      // The commit itself failed (or a lone unit threw): nothing of this batch is durable.
      batch.forEach((item, i) => {
        const own = outcomes[i];
        item.reject(own && !own.ok ? own.error : error);
      });
      return;
    }
    if (finished?.ok) finisher!.committed();
    else if (finished) finisher!.failed(finished.error);
    this.answer(batch, outcomes);
  }

  /** The batch's units, in order: with no savepoint (mode 'plain'), or each in its own. */
  private async runUnits(trx: Transaction<any>, batch: Pending[], mode: 'plain' | 'savepoints', outcomes: Outcome[], written: unknown[]): Promise<void> {
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
    for (const [i, item] of batch.entries()) outcomes.push(await this.runOne(trx, item.work, mode === 'plain' ? 'plain' : `sb_unit_${i}`, written));
  }

  /**
   * One unit (or the finisher) in the batch's transaction. 'plain': with no savepoint; a failure
   * that wrote nothing is its own, one that wrote redoes the batch with savepoints. Otherwise in the
   * savepoint named so, which takes its writes back when it fails.
   */
  private async runOne(trx: Transaction<any>, work: (trx: Transaction<any>) => Promise<unknown>, savepoint: 'plain' | string, written?: unknown[]): Promise<Outcome> {
    const writtenBefore = written?.length ?? 0;
    if (savepoint === 'plain') {
      const before = this.changes!();
      try {
        return { ok: true, value: await work(trx) };
      } catch (error) {
        if (this.changes!() !== before) throw new RedoWithSavepoints();
        if (written) written.length = writtenBefore;
        return { ok: false, error };
      }
    }
    const name = sql.raw(savepoint);
    await sql`savepoint ${name}`.execute(trx);
    try {
      const value = await work(trx);
      await sql`release savepoint ${name}`.execute(trx);
      return { ok: true, value };
    } catch (error) {
      await sql`rollback to savepoint ${name}`.execute(trx);
      await sql`release savepoint ${name}`.execute(trx);
      if (written) written.length = writtenBefore; // its events were taken back with it
      return { ok: false, error };
    }
  }

  private answer(batch: Pending[], outcomes: Outcome[]): void {
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
