/**
 * Two connections to one SQLite file that write in turns, as the workers of one machine do
 * (WORKERS > 1; domain/ports/write-turn.ts), in one process — for the tests of the write turn and
 * of what one connection remembers while the other commits.
 */
import type { TestContext } from 'node:test';
import { join } from 'node:path';
import type { Kysely, Transaction } from 'kysely';
import { openDatabase, type DatabaseHandle } from '../../src/store/database.js';
import { LocalWriteTurn } from '../../src/domain/turn-queue.js';
import { tempDir } from './helpers.js';

/** Both closed, and the file removed, after the test. */
export async function twoWorkersOnOneFile(t: TestContext, file = 'shared.db'): Promise<[DatabaseHandle, DatabaseHandle]> {
  const dir = tempDir();
  t.after(() => dir.remove());
  const url = `sqlite:${join(dir.path, file)}`;
  const turn = new LocalWriteTurn();
  const first = await openDatabase(url, undefined, turn);
  const second = await openDatabase(url, undefined, turn);
  t.after(async () => {
    await first.close();
    await second.close();
  });
  return [first, second];
}

/**
 * A transaction that runs `before`, then holds SQLite's write lock (and the turn) across turns of
 * the event loop — as a batch with awaits does — until `release`, then runs `after` and commits.
 * Settles once `before` has run.
 */
export async function holdWriteLock(
  db: Kysely<any>,
  before: (trx: Transaction<any>) => Promise<unknown>,
  after?: (trx: Transaction<any>) => Promise<unknown>,
): Promise<{ release: () => void; committed: Promise<void> }> {
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let began!: () => void;
  const begun = new Promise<void>((r) => (began = r));
  const committed = db.transaction().execute(async (trx) => {
    await before(trx);
    began();
    await held;
    await after?.(trx);
  });
  await begun;
  return { release, committed };
}
