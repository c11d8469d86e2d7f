import { AsyncLocalStorage } from 'node:async_hooks';
import { CompiledQuery, type QueryResult, type DatabaseConnection, type Dialect, type Driver, type Transaction } from 'kysely';
import type { Engine } from './engine.js';
import type { WalDurability } from './wal-durability.js';
import type { TransactionOptions } from '../domain/ports/transaction-options.js';
import type { WriteTurn } from '../domain/ports/write-turn.js';

/**
 * The guard that keeps a transaction's work inside it (the door itself, one runner per database, is
 * transaction-scope.ts).
 *
 * While a transaction runs, its work may reach the database only through the transaction's own
 * handle. On SQLite there is one connection: a query through the outer handle waits for the
 * connection the transaction holds, and the transaction waits for that query, so the whole server
 * wedges (this once happened with a single `DELETE /v1/apiKeys/<id>`). On PostgreSQL the same
 * mistake reads outside the transaction's snapshot and can deadlock on its own row locks. So every
 * transaction's work runs in an async scope, and the driver refuses to hand out a connection to
 * anything inside an open scope: the mistake fails at once, on both engines, with this error,
 * in the first test that runs it.
 *
 * The scope is an AsyncLocalStorage, and on Node 20 that turns on promise hooks for the whole
 * process: about 7% of a post's CPU (a profile of `BENCH_ONLY=posts`). So the scope is kept where
 * it finds the mistake — under `node --test` (and whatever its tests spawn), or with
 * SWITCHBOARD_TRANSACTION_GUARD=on — and a running server uses the stall watch below instead: a
 * connection or a group-commit turn that waits while one transaction has made no progress for
 * STALL_MS is refused with this same error, so the mistake costs one failed request, not a
 * wedged server.
 */
export class OutsideTransactionError extends Error {
  constructor() {
    super(
      'database call outside the open transaction: inside Store.transaction()/commit() use only the transaction handle (tx) ' +
        'it gives you; a call through the outer store would wait forever on SQLite',
    );
    this.name = 'OutsideTransactionError';
  }
}

interface Scope {
  /** false once the transaction has ended: work it spawned (a timer, a wake-up) may then use the database */
  open: boolean;
}

/** Whether transactions run in the async scope that catches the mistake at once (see above). */
export const scopeGuard = guardSetting(process.env.SWITCHBOARD_TRANSACTION_GUARD, process.env.NODE_TEST_CONTEXT);

export function guardSetting(setting: string | undefined, testContext: string | undefined): boolean {
  if (setting === 'on') return true;
  if (setting === 'off') return false;
  return testContext !== undefined;
}

const transactionScope = new AsyncLocalStorage<Scope>();

/** Throws when called from inside an open transaction's work (only where the scope guard is on). */
export function assertOutsideTransaction(): void {
  if (scopeGuard && transactionScope.getStore()?.open) throw new OutsideTransactionError();
}

/** Runs a transaction's work inside the guarded scope (or as it is, where the guard is off). */
export async function inTransaction<T>(work: () => Promise<T>): Promise<T> {
  if (!scopeGuard) return work();
  const scope: Scope = { open: true };
  try {
    return await transactionScope.run(scope, work);
  } finally {
    scope.open = false;
  }
}

/** How long a wait may last while no query runs anywhere on the database, where the scope guard is off. */
export const STALL_MS = Number(process.env.SWITCHBOARD_STALL_MS) || 10_000; // SWITCHBOARD_STALL_MS: for the test that waits for it

/**
 * Where the scope guard is off (a running server): a call that waits for the database while no
 * query has run on it for `stallMs` can only be waiting on the transaction that waits on it, so
 * the wait is refused with OutsideTransactionError and the transaction goes on (its unit fails).
 * A busy database runs queries all the time, and a stalled one is what this exists to end, so
 * nothing legitimate is refused. Queries are counted by the guarded driver (`tick`).
 */
export class StallWatch {
  private ticks = 0;
  /** waits under watch; `seen` is the tick count at the last check (unset before the first) */
  private readonly waiting = new Set<{ seen?: number; refuse(): void }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly stallMs = STALL_MS) {}

  /** a query ran: whatever holds the database is moving */
  tick(): void {
    this.ticks++;
  }

  /**
   * `waiting` settles when the database is free for the caller. Refused once a whole period of
   * `stallMs` has passed without a query (between one and two periods after the stall began);
   * `giveBack` then gets what `waiting` brings when it comes (a connection to release). One
   * timer serves every wait, as most queries wait a moment while a transaction is open.
   */
  watch<T>(waiting: Promise<T>, giveBack: (value: T) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const waiter: { seen?: number; refuse(): void } = { refuse: () => reject(new OutsideTransactionError()) };
      this.waiting.add(waiter);
      this.timer ??= setTimeout(() => this.check(), this.stallMs);
      waiting.then(
        (value) => (this.waiting.delete(waiter) ? resolve(value) : giveBack(value)),
        (err: unknown) => void (this.waiting.delete(waiter) && reject(err)),
      );
    });
  }

  private check(): void {
    this.timer = undefined;
    for (const waiter of this.waiting) {
      if (waiter.seen === this.ticks) {
        this.waiting.delete(waiter);
        waiter.refuse();
      } else waiter.seen = this.ticks;
    }
    if (this.waiting.size > 0) this.timer = setTimeout(() => this.check(), this.stallMs);
  }
}

const watches = new WeakMap<object, StallWatch>();

/** The stall watch of a database (by its Kysely instance), for the group commit on it. */
export function registerStallWatch(db: object, watch: StallWatch): void {
  watches.set(db, watch);
}

export function stallWatchOf(db: object): StallWatch | undefined {
  return watches.get(db);
}

/**
 * A dialect whose driver refuses connections to work inside an open transaction. On SQLite its
 * transactions also begin IMMEDIATE: a deferred one that has read cannot upgrade to a write while
 * another process (the admin command, a second worker) writes, and fails with SQLITE_BUSY at once,
 * whatever busy_timeout says; an immediate one takes the write lock first, waiting its turn.
 */
export function guardedDialect(dialect: Dialect, engine: Engine, guards: DriverGuards = {}): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createDriver: () => guardedDriver(dialect.createDriver(), engine, guards),
  };
}

/** What the driver watches besides the scope: each optional, the last three SQLite's only. */
export interface DriverGuards {
  stalls?: StallWatch;
  /** a SQLite file's WAL sync (wal-durability.ts) */
  durability?: WalDurability;
  turns?: WriteTurns;
  hooks?: TransactionHooks;
}

/** Told when a transaction has begun (before its first write) and when it has ended (database.ts: the counts of committed writes). */
export interface TransactionHooks {
  begun(): void;
  ended(): void;
}

/**
 * SQLite shared by several processes (domain/ports/write-turn.ts): every transaction, and every
 * write that commits on its own, takes the turn before it takes SQLite's lock.
 */
export interface WriteTurns {
  turn: WriteTurn;
  /** whether this statement writes (asked only outside a transaction, before it runs) */
  isWrite(sql: string): boolean;
}

/**
 * Counts every query for the stall watch. With a WalDurability (SQLite files), a write that
 * commits on its own (outside a transaction) answers its caller only once it is on the disk. A COMMIT is given its generation, which
 * GroupCommit awaits before it answers the batch's callers (without holding up the next batch).
 */
function watchedConnection(connection: DatabaseConnection, durability: WalDurability | undefined, stalls: StallWatch | undefined, turnToWrite?: (query: CompiledQuery) => WriteTurn | undefined): DatabaseConnection {
  /** Runs the query; true when it was a write that committed on its own and must be synced before its caller hears back. */
  const run = async <R>(query: CompiledQuery): Promise<{ result: QueryResult<R>; sync: boolean }> => {
    stalls?.tick();
    if (!durability) return { result: await connection.executeQuery<R>(query), sync: false };
    try {
      const result = await connection.executeQuery<R>(query);
      return { result, sync: durability.takeAutocommitWrite() };
    } catch (err) {
      durability.takeAutocommitWrite(); // a write that failed wrote nothing
      throw err;
    }
  };
  return {
    executeQuery: async <R>(query: CompiledQuery) => {
      const turn = turnToWrite?.(query);
      let ran: { result: QueryResult<R>; sync: boolean };
      if (!turn) ran = await run<R>(query);
      else {
        await turn.acquire();
        try {
          ran = await run<R>(query);
        } finally {
          turn.release(); // committed: the next may write while this one syncs
        }
      }
      // Held on the connection while it syncs: such writes are rare (lease renewals, cancels), and
      // the hot paths write in transactions, whose callers GroupCommit answers after the sync.
      if (ran.sync) await durability!.durable(durability!.markWritten());
      return ran.result;
    },
    streamQuery: (query, chunkSize) => connection.streamQuery(query, chunkSize),
  };
}

const BEGIN_IMMEDIATE = CompiledQuery.raw('begin immediate');

function guardedDriver(driver: Driver, engine: Engine, { durability, stalls, turns, hooks }: DriverGuards): Driver {
  const wrapped = new WeakMap<DatabaseConnection, DatabaseConnection>();
  // The driver gets its own connection object back: PostgresDriver releases it through a private
  // method that a wrapper does not have.
  const originals = new WeakMap<DatabaseConnection, DatabaseConnection>();
  const own = (c: DatabaseConnection): DatabaseConnection => originals.get(c) ?? c;
  // Transactions open now: only while one is, can a wait for a connection be a wait on itself.
  const open = new Set<DatabaseConnection>();
  // Connections whose transaction holds the write turn: released once, though a failed COMMIT is followed by a ROLLBACK.
  const holding = new Set<DatabaseConnection>();
  const releaseTurn = (c: DatabaseConnection) => {
    if (holding.delete(c)) turns!.turn.release();
  };
  const wrap = (connection: DatabaseConnection): DatabaseConnection => {
    if (!durability && !stalls && !turns) return connection;
    let guarded = wrapped.get(connection);
    if (!guarded) {
      // Inside a transaction the turn is held already (beginTransaction took it).
      const turnToWrite = turns && ((query: CompiledQuery) => (!open.has(guarded!) && turns.isWrite(query.sql) ? turns.turn : undefined));
      wrapped.set(connection, (guarded = watchedConnection(connection, durability, stalls, turnToWrite)));
      originals.set(guarded, connection);
    }
    return guarded;
  };
  // Delegation, not a prototype trick: Kysely's drivers keep their state in private (#) fields.
  return {
    init: () => driver.init(),
    acquireConnection: async (): Promise<DatabaseConnection> => {
      assertOutsideTransaction();
      const acquiring = driver.acquireConnection();
      const connection = stalls && open.size > 0 ? await stalls.watch(acquiring, (late) => void driver.releaseConnection(late)) : await acquiring;
      return wrap(connection);
    },
    beginTransaction: async (c, settings) => {
      if (engine !== 'sqlite') await driver.beginTransaction(own(c), settings);
      else if (!turns) await c.executeQuery(BEGIN_IMMEDIATE);
      else {
        // Taken before SQLite's lock (and marked open first, so BEGIN itself does not ask again).
        await turns.turn.acquire();
        holding.add(c);
        open.add(c);
        try {
          await c.executeQuery(BEGIN_IMMEDIATE);
        } catch (err) {
          open.delete(c);
          releaseTurn(c);
          throw err;
        }
      }
      open.add(c);
      hooks?.begun();
    },
    commitTransaction: async (c) => {
      try {
        await driver.commitTransaction(own(c));
      } finally {
        open.delete(c);
        releaseTurn(c);
        hooks?.ended();
      }
      durability?.markWritten();
    },
    rollbackTransaction: async (c) => {
      try {
        await driver.rollbackTransaction(own(c));
      } finally {
        open.delete(c);
        releaseTurn(c);
        hooks?.ended();
      }
    },
    ...(driver.savepoint && { savepoint: (c, name, compile) => driver.savepoint!(own(c), name, compile) }),
    ...(driver.rollbackToSavepoint && { rollbackToSavepoint: (c, name, compile) => driver.rollbackToSavepoint!(own(c), name, compile) }),
    ...(driver.releaseSavepoint && { releaseSavepoint: (c, name, compile) => driver.releaseSavepoint!(own(c), name, compile) }),
    releaseConnection: (c) => driver.releaseConnection(own(c)),
    destroy: () => driver.destroy(),
  };
}

/**
 * What transaction-scope.ts hands out per database (declared here, beside the guard both runners
 * use, so group-commit.ts needs nothing from the scope). Runs units of work atomically on one database. One runner per database, so every store on it
 * (chat, deliveries, …) shares it: on SQLite, one group commit (see GroupCommit) serialises all
 * writers on the one connection; on PostgreSQL each unit is its own transaction on the pool.
 */
export interface TransactionRunner {
  run<T>(work: (trx: Transaction<any>) => Promise<T>, opts?: TransactionOptions): Promise<T>;
}
