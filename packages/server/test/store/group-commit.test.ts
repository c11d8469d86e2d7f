/**
 * Group commit on SQLite: concurrent transactions share commits, yet each stays atomic and a
 * failing one takes nothing of the others with it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { migrate, openDatabase } from '../../src/store/database.js';
import { Store } from '../../src/store/store.js';
import { newId } from '../../src/domain/ids.js';
import { tempDir } from '../support/helpers.js';

async function setup() {
  const dir = tempDir();
  const handle = await openDatabase(`sqlite:${join(dir.path, 'g.db')}`);
  await migrate(handle.db);
  const store = new Store(handle.db, handle.engine);
  const ws = newId();
  await store.insertWorkspace({ id: ws, name: 'W', locale: 'en', createdAt: 1 });
  const channelId = newId();
  await store.insertChannel({ id: channelId, workspaceId: ws, type: 'PUBLIC', name: 'c', directKey: null, description: '', createdBy: null, now: 1 });
  return { dir, handle, store, ws, channelId };
}

test('concurrent transactions all commit; a failing one rolls back alone', async () => {
  const { dir, handle, store, ws, channelId } = await setup();
  const insert = (tx: Store, id: string, text: string) =>
    tx.insertMessage({ id, workspaceId: ws, channelId, authorId: 'a', text, blocks: null, attachments: null, threadRootId: null, now: Date.now() });
  const ids = Array.from({ length: 40 }, () => newId());
  const results = await Promise.allSettled(
    ids.map((id, i) =>
      store.transaction(async (tx) => {
        await insert(tx, id, `first ${i}`);
        if (i % 10 === 7) throw new Error(`unit ${i} fails after writing`);
        // a second statement in the same unit: both or neither
        await tx.updateMessage(id, { text: `second ${i}` }, Date.now());
        return i;
      }),
    ),
  );
  results.forEach((r, i) => {
    if (i % 10 === 7) assert.equal(r.status === 'rejected' && (r.reason as Error).message, `unit ${i} fails after writing`);
    else assert.deepEqual(r, { status: 'fulfilled', value: i });
  });
  for (const [i, id] of ids.entries()) {
    const m = await store.messageById(id);
    if (i % 10 === 7) assert.equal(m, undefined, `unit ${i} left nothing behind`);
    else assert.equal(m?.text, `second ${i}`, `unit ${i} committed whole`);
  }
  await handle.close();
  dir.remove();
});

test('a unit alone that fails rolls back, and the store goes on working', async () => {
  const { dir, handle, store } = await setup();
  await assert.rejects(store.transaction(async () => Promise.reject(new Error('alone'))), /alone/);
  assert.equal(await store.transaction(async (tx) => tx.countWorkspaces()), 1);
  await handle.close();
  dir.remove();
});

test('a caller hears "done" only after the commit: the data is readable from another connection', async () => {
  const { dir, handle, store, ws, channelId } = await setup();
  const other = await openDatabase(`sqlite:${join(dir.path, 'g.db')}`);
  const otherStore = new Store(other.db, other.engine);
  const ids = Array.from({ length: 10 }, () => newId());
  await Promise.all(
    ids.map(async (id) => {
      await store.transaction((tx) =>
        tx.insertMessage({ id, workspaceId: ws, channelId, authorId: 'a', text: 't', blocks: null, attachments: null, threadRootId: null, now: 1 }),
      );
      // the moment this resolves, a separate connection must see the row
      assert.ok(await otherStore.messageById(id), 'committed before resolving');
    }),
  );
  await other.close();
  await handle.close();
  dir.remove();
});

test('a batch runs without savepoints: a unit that fails before writing costs nobody a second run; one that fails after writing has the batch run again, each unit in its savepoint', async () => {
  const { dir, handle, store, ws, channelId } = await setup();
  const insert = (tx: Store, id: string, text: string) =>
    tx.insertMessage({ id, workspaceId: ws, channelId, authorId: 'a', text, blocks: null, attachments: null, threadRootId: null, now: Date.now() });
  const round = async (failAfterWriting: number | undefined) => {
    const ids = Array.from({ length: 30 }, () => newId());
    const runs = ids.map(() => 0);
    // Called in one turn: the 30 units share one batch (GroupCommit waits a turn before it starts).
    const results = await Promise.allSettled(
      ids.map((id, i) =>
        store.transaction(async (tx) => {
          runs[i]!++;
          if (i % 10 === 3) throw new Error(`unit ${i} refuses before writing`);
          await insert(tx, id, `searchable word${i}`);
          if (i === failAfterWriting) throw new Error(`unit ${i} fails after writing`);
          return i;
        }),
      ),
    );
    results.forEach((r, i) => {
      if (i % 10 === 3 || i === failAfterWriting) assert.equal(r.status, 'rejected', `unit ${i}`);
      else assert.deepEqual(r, { status: 'fulfilled', value: i });
    });
    for (const [i, id] of ids.entries()) {
      const m = await store.messageById(id);
      if (i % 10 === 3 || i === failAfterWriting) assert.equal(m, undefined, `unit ${i} left nothing behind`);
      else assert.equal(m?.text, `searchable word${i}`, `unit ${i} committed once`);
    }
    return runs;
  };
  assert.deepEqual(await round(undefined), Array(30).fill(1), 'failures before any write: every unit ran once');
  const expected = Array.from({ length: 30 }, (_, i) => (i <= 5 ? 2 : 1));
  assert.deepEqual(await round(5), expected, 'a failure after a write: the units up to it ran again, with savepoints, and the rest once');
  // The search index took every committed message, once: each left its doc waiting for FTS5 (migration 0029), once.
  assert.equal(await store.transaction((tx) => tx.search.indexWaiting(1000)), 30 - 3 + 30 - 3 - 1);
  const hits = await store.search.searchMessages({ terms: [{ tokens: ['searchable'], prefix: false }], channelIds: [channelId], order: 'newest', offset: 0, limit: 100 });
  assert.equal(hits.total, 30 - 3 + 30 - 3 - 1);
  const one = await store.search.searchMessages({ terms: [{ tokens: ['word7'], prefix: false }], channelIds: [channelId], order: 'newest', offset: 0, limit: 100 });
  assert.equal(one.total, 2, 'word7 of each round');
  await handle.close();
  dir.remove();
});
