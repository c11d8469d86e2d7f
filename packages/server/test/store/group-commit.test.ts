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
