/**
 * The one door to a transaction: one runner per database, so every store on it (chat, deliveries,
 * …) shares it. The guard that keeps a transaction's work inside it is transaction-guard.ts.
 */
import type { Kysely } from 'kysely';
import type { Engine } from './engine.js';
import { GroupCommit, changeCounterOf } from './group-commit.js';
import { durabilityOf } from './wal-durability.js';
import { writeTurnOf } from './reservable-turn.js';
import { assertOutsideTransaction, inTransaction, stallWatchOf, type TransactionRunner } from './transaction-guard.js';

export type { TransactionRunner };


const runners = new WeakMap<Kysely<any>, TransactionRunner>();

export function transactionRunner(db: Kysely<any>, engine: Engine): TransactionRunner {
  let runner = runners.get(db);
  if (!runner) {
    runner =
      engine === 'sqlite'
        ? new GroupCommit(db, durabilityOf(db), stallWatchOf(db), changeCounterOf(db), writeTurnOf(db))
        : // PostgreSQL: a commit is durable when it returns (TransactionOptions changes nothing).
          { run: (work) => (assertOutsideTransaction(), db.transaction().execute((trx) => inTransaction(() => work(trx)))) };
    runners.set(db, runner);
  }
  return runner;
}

