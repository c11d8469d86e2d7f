import { AsyncLocalStorage } from 'node:async_hooks';
import { CompiledQuery, type QueryResult, type DatabaseConnection, type Dialect, type Driver, type Transaction } from 'kysely';
import type { Engine } from './engine.js';
import type { WalDurability } from './wal-durability.js';
import type { TransactionOptions } from '../domain/ports/transaction-options.js';

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

const transactionScope = new AsyncLocalStorage<Scope>();

/** Throws when called from inside an open transaction's work. */
export function assertOutsideTransaction(): void {
  if (transactionScope.getStore()?.open) throw new OutsideTransactionError();
}

/** Runs a transaction's work inside the guarded scope. */
export async function inTransaction<T>(work: () => Promise<T>): Promise<T> {
  const scope: Scope = { open: true };
  try {
    return await transactionScope.run(scope, work);
  } finally {
    scope.open = false;
  }
}

/**
 * A dialect whose driver refuses connections to work inside an open transaction. On SQLite its
 * transactions also begin IMMEDIATE: a deferred one that has read cannot upgrade to a write while
 * another process (the admin command, a second worker) writes, and fails with SQLITE_BUSY at once,
 * whatever busy_timeout says; an immediate one takes the write lock first, waiting its turn.
 */
export function guardedDialect(dialect: Dialect, engine: Engine, durability?: WalDurability): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createDriver: () => guardedDriver(dialect.createDriver(), engine, durability),
  };
}

/**
 * With a WalDurability (SQLite files), a write that commits on its own (outside a transaction)
 * answers its caller only once it is on the disk. A COMMIT is given its generation, which
 * GroupCommit awaits before it answers the batch's callers (without holding up the next batch).
 */
function durableConnection(connection: DatabaseConnection, durability: WalDurability): DatabaseConnection {
  return {
    executeQuery: async <R>(query: CompiledQuery) => {
      let result: QueryResult<R>;
      try {
        result = await connection.executeQuery<R>(query);
      } catch (err) {
        durability.takeAutocommitWrite(); // a write that failed wrote nothing
        throw err;
      }
      // Held on the connection while it syncs: such writes are rare (lease renewals, cancels), and
      // the hot paths write in transactions, whose callers GroupCommit answers after the sync.
      if (durability.takeAutocommitWrite()) await durability.durable(durability.markWritten());
      return result;
    },
    streamQuery: (query, chunkSize) => connection.streamQuery(query, chunkSize),
  };
}

const BEGIN_IMMEDIATE = CompiledQuery.raw('begin immediate');

function guardedDriver(driver: Driver, engine: Engine, durability?: WalDurability): Driver {
  const wrapped = new WeakMap<DatabaseConnection, DatabaseConnection>();
  // Delegation, not a prototype trick: Kysely's drivers keep their state in private (#) fields.
  return {
    init: () => driver.init(),
    acquireConnection: async (): Promise<DatabaseConnection> => {
      assertOutsideTransaction();
      const connection = await driver.acquireConnection();
      if (!durability) return connection;
      let durable = wrapped.get(connection);
      if (!durable) wrapped.set(connection, (durable = durableConnection(connection, durability)));
      return durable;
    },
    beginTransaction: async (c, settings) => {
      if (engine === 'sqlite') await c.executeQuery(BEGIN_IMMEDIATE);
      else await driver.beginTransaction(c, settings);
    },
    commitTransaction: async (c) => {
      await driver.commitTransaction(c);
      durability?.markWritten();
    },
    rollbackTransaction: (c) => driver.rollbackTransaction(c),
    ...(driver.savepoint && { savepoint: (c, name, compile) => driver.savepoint!(c, name, compile) }),
    ...(driver.rollbackToSavepoint && { rollbackToSavepoint: (c, name, compile) => driver.rollbackToSavepoint!(c, name, compile) }),
    ...(driver.releaseSavepoint && { releaseSavepoint: (c, name, compile) => driver.releaseSavepoint!(c, name, compile) }),
    releaseConnection: (c) => driver.releaseConnection(c),
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
