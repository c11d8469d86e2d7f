/**
 * SQLite commits are synced off the event loop (store/wal-durability.ts, docs/decisions.md 1.9): a
 * caller is answered only once a WAL sync that started after its write has ended; syncs never
 * overlap and one serves every write made before it started; a failed sync fails its callers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { sql } from 'kysely';
import { migrate, openDatabase } from '../../src/store/database.js';
import { Store } from '../../src/store/store.js';
import { WalDurability, durabilityOf } from '../../src/store/wal-durability.js';
import { newId } from '../../src/domain/ids.js';
import { tempDir } from '../support/helpers.js';

/** A sync the test finishes by hand, to see who is answered when. */
function manualSync() {
  const started: Array<{ finish(): void; fail(err: Error): void }> = [];
  const durability = new WalDurability(
    () =>
      new Promise<void>((resolve, reject) => {
        started.push({ finish: resolve, fail: reject });
      }),
  );
  return { durability, started };
}

const tick = () => new Promise((r) => setImmediate(r));

test('a write is answered only after a sync that started after it; writes during a sync wait for the next one', async () => {
  const { durability, started } = manualSync();
  const answered: string[] = [];
  const first = durability.durable(durability.markWritten()).then(() => answered.push('first'));
  await tick();
  assert.equal(started.length, 1, 'the first write starts a sync');
  // Written while that sync runs: it may not have reached the disk with it.
  const second = durability.durable(durability.markWritten()).then(() => answered.push('second'));
  const third = durability.durable(durability.markWritten()).then(() => answered.push('third'));
  await tick();
  assert.equal(started.length, 1, 'syncs never overlap');
  started[0]!.finish();
  await first;
  await tick();
  assert.deepEqual(answered, ['first'], 'the later writes wait for a sync of their own');
  assert.equal(started.length, 2, 'one more sync serves both later writes');
  started[1]!.finish();
  await Promise.all([second, third]);
  assert.deepEqual(answered, ['first', 'second', 'third']);
  // Nothing new written: answered at once, no sync.
  await durability.durable(durability.lastWritten);
  assert.equal(started.length, 2);
});

test('a failed sync is fatal: every write waiting or to come is refused, no sync is tried again, the server is told once', async () => {
  const { durability, started } = manualSync();
  const fatal: unknown[] = [];
  durability.onFatal((err) => fatal.push(err));
  const lost = durability.durable(durability.markWritten());
  await tick();
  const later = durability.durable(durability.markWritten()); // waits for the next sync
  started[0]!.fail(new Error('EIO'));
  await assert.rejects(lost, /EIO/);
  await assert.rejects(later, /EIO/, 'a later write is not answered as saved either');
  // After an fsync error the kernel may have dropped the pages: a later "successful" sync would
  // not bring them back, so nothing is answered as saved again.
  await assert.rejects(durability.durable(durability.markWritten()), /EIO/);
  await tick();
  assert.equal(started.length, 1, 'no sync is tried again');
  assert.equal(fatal.length, 1);
});

test('on a SQLite file, transactions and writes outside one are answered after their WAL sync', async () => {
  const dir = tempDir();
  const handle = await openDatabase(`sqlite:${join(dir.path, 'd.db')}`);
  try {
    await migrate(handle.db);
    const durability = durabilityOf(handle.db);
    assert.ok(durability, 'a file database has a durability');
    const mode = await sql<{ synchronous: number }>`pragma synchronous`.execute(handle.db);
    assert.equal(mode.rows[0]?.synchronous, 1, 'NORMAL: the event loop does not wait for the disk');

    const store = new Store(handle.db, handle.engine);
    const one = durability.lastWritten;
    await store.transaction((tx) => tx.insertWorkspace({ id: newId(), name: 'one', locale: 'en', createdAt: 1 }));
    // BEGIN counts as a write to SQLite, but only the COMMIT is one here: a BEGIN counted as a write
    // outside a transaction would wait for a sync while holding the write lock.
    assert.equal(durability.lastWritten, one + 1, 'one transaction, one generation');
    const before = durability.lastWritten;
    const ids = Array.from({ length: 20 }, () => newId());
    await Promise.all(ids.map((id, i) => store.transaction((tx) => tx.insertWorkspace({ id, name: `W${i}`, locale: 'en', createdAt: 1 }))));
    assert.ok(durability.lastWritten > before, 'the commits were counted');
    assert.equal(durability.lastSynced, durability.lastWritten, 'every commit was synced before its caller heard back');

    // A write that commits on its own (no transaction) waits for its sync too; a read does not write.
    const written = durability.lastWritten;
    await store.countWorkspaces();
    assert.equal(durability.lastWritten, written, 'a read is not a write');
    await handle.db.updateTable('workspaces').set({ name: 'renamed' }).where('id', '=', ids[0]!).execute();
    assert.equal(durability.lastWritten, written + 1, 'the write outside a transaction was counted');
    assert.equal(durability.lastSynced, durability.lastWritten, '…and synced before it was answered');

    const memory = await openDatabase('sqlite::memory:');
    assert.equal(durabilityOf(memory.db), undefined, 'in memory there is nothing to sync');
    await memory.close();
  } finally {
    await handle.close();
    dir.remove();
  }
});
