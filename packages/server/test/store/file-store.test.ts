/**
 * Files' records on both engines (migration 0019; docs/pumble-app-platform.md §11.2): a file attached
 * to a message is in the message's FileRef list on every read; a deleted message lets its files go
 * (they become orphans, their public link ends); orphans are found a day later — also those whose
 * channel was deleted outright — and deleted only while still orphans; an upload token is taken once,
 * even by two redeemers at once; expired tokens are pruned.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { DatabaseHandle } from '../../src/store/database.js';
import { Store } from '../../src/store/store.js';
import { newId } from '../../src/domain/ids.js';
import type { StoredFile } from '../../src/domain/ports/files.js';
import type { FileRef } from '../../src/domain/model.js';
import { engines, storeWithOwner } from '../support/engines.js';

for (const engine of engines) {
  describe(`files on ${engine.name}`, () => {
    let handle: DatabaseHandle | undefined;
    let cleanup: (() => Promise<void>) | undefined;
    let store: Store;
    const ws = newId();
    const owner = newId();
    const now = 1_700_000_000_000;
    const channelId = newId();
    const DAY = 24 * 60 * 60_000;

    const file = (over: Partial<StoredFile> = {}): StoredFile => {
      const id = over.id ?? newId();
      return {
        id,
        workspaceId: ws,
        uploaderId: owner,
        appId: null,
        name: 'a.png',
        size: 123,
        mimeType: 'image/png',
        width: 10,
        height: 20,
        storageKey: `${ws}/${id}`,
        thumbnail: { key: `${ws}/${id}.thumb`, size: 12, width: 5, height: 10, mimeType: 'image/webp' },
        completedAt: now,
        messageId: null,
        channelId: null,
        publicToken: null,
        createdAt: now,
        orphanedAt: now,
        ...over,
      };
    };
    const ref = (f: StoredFile): FileRef => ({ id: f.id, name: f.name, path: `http://x/v1/files/${f.id}/${f.name}`, size: f.size, mimeType: f.mimeType, width: 10, height: 20 });
    const post = async (text: string, files: StoredFile[], channel = channelId) => {
      const id = newId();
      const message = await store.transaction(async (tx) => {
        const m = await tx.insertMessage({ id, workspaceId: ws, channelId: channel, authorId: owner, text, blocks: null, attachments: null, threadRootId: null, now, files: files.map(ref) });
        await tx.files.attach(id, channel, files.map(ref));
        return m;
      });
      return message;
    };

    test('open', async (t) => {
      const opened = await storeWithOwner(engine, t, { workspaceId: ws, ownerId: owner, now });
      if (!opened) return;
      ({ handle, cleanup, store } = opened);
      await store.insertChannel({ id: channelId, workspaceId: ws, type: 'PUBLIC', name: 'general', directKey: null, description: '', createdBy: owner, now });
    });

    test('a row reads back as written; forUpdate keeps the order asked for', async (t) => {
      if (!handle) return t.skip('engine not available');
      const a = file();
      const b = file({ thumbnail: null, width: null, height: null, mimeType: 'text/plain', completedAt: null, appId: 'app-1' });
      await store.files.insert(a);
      await store.files.insert(b);
      assert.deepEqual(await store.files.get(a.id), a);
      assert.deepEqual(await store.files.get(b.id), b);
      const locked = await store.transaction((tx) => tx.files.forUpdate([b.id, 'ffffffffffffffffffffffff', a.id]));
      assert.deepEqual(locked.map((f) => f.id), [b.id, a.id]);
      assert.equal(await store.files.markCompleted(b.id, now + 5), true);
      assert.equal(await store.files.markCompleted(b.id, now + 6), false, 'once');
      assert.equal((await store.files.get(b.id))!.completedAt, now + 5);
    });

    test('attached files are in the message on every read; deleting the message lets them go', async (t) => {
      if (!handle) return t.skip('engine not available');
      const f1 = file();
      const f2 = file({ name: 'b.pdf', mimeType: 'application/pdf' });
      await store.files.insert(f1);
      await store.files.insert(f2);
      const m = await post('two files', [f1, f2]);
      assert.deepEqual(m.files, [ref(f1), ref(f2)], 'as posted');
      assert.deepEqual((await store.message(channelId, m.id))!.files, [ref(f1), ref(f2)]);
      assert.deepEqual((await store.messageById(m.id))!.files, [ref(f1), ref(f2)]);
      const page = await store.messagePage({ channelId, threadRootId: null, cursor: null, direction: 'older', limit: 10 });
      assert.deepEqual(page.find((x) => x.id === m.id)!.files, [ref(f1), ref(f2)]);
      const row = (await store.files.get(f1.id))!;
      assert.equal(row.messageId, m.id);
      assert.equal(row.channelId, channelId);
      assert.equal(row.orphanedAt, null);
      assert.deepEqual(await store.files.orphansBefore(now + 10 * DAY, 100).then((l) => l.filter((f) => f.id === f1.id)), [], 'held: not an orphan');

      await store.files.setPublicToken(f1.id, 'fpl_token_1');
      assert.equal((await store.files.byPublicToken('fpl_token_1'))!.id, f1.id);
      await store.transaction(async (tx) => {
        await tx.deleteMessage(m.id, now + 100);
        await tx.files.detachMessage(m.id, now + 100);
      });
      assert.deepEqual((await store.message(channelId, m.id))!.files, []);
      const gone = (await store.files.get(f1.id))!;
      assert.equal(gone.messageId, null);
      assert.equal(gone.orphanedAt, now + 100);
      assert.equal(await store.files.byPublicToken('fpl_token_1'), undefined, 'its public link ends with the message');
      // An orphan from the message's deletion: found after that, not before.
      const found = (before: number) => store.files.orphansBefore(before, 100).then((l) => l.map((f) => f.id).filter((id) => id === f1.id || id === f2.id).sort());
      assert.deepEqual(await found(now + 100), []);
      assert.deepEqual(await found(now + 101), [f1.id, f2.id].sort());
    });

    test('files of a deleted channel are orphans counted from their upload; deleteOrphan spares a file a post took meanwhile', async (t) => {
      if (!handle) return t.skip('engine not available');
      const room = newId();
      await store.insertChannel({ id: room, workspaceId: ws, type: 'PUBLIC', name: 'doomed', directKey: null, description: '', createdBy: owner, now });
      const f = file({ createdAt: now + 1000 });
      await store.files.insert(f);
      await post('in a doomed room', [f], room);
      await store.transaction((tx) => tx.deleteChannel(room));
      const ids = async (before: number) => (await store.files.orphansBefore(before, 100)).map((x) => x.id);
      assert.ok(!(await ids(now + 1000)).includes(f.id));
      assert.ok((await ids(now + 1001)).includes(f.id), 'its message is gone with the channel');
      assert.equal(await store.files.deleteOrphan(f.id), true);
      assert.equal(await store.files.get(f.id), undefined);

      // An orphan that a post takes before the sweep deletes it stays.
      const g = file();
      await store.files.insert(g);
      assert.ok((await ids(now + 1)).includes(g.id));
      await post('took it', [g]);
      assert.equal(await store.files.deleteOrphan(g.id), false);
      assert.ok(await store.files.get(g.id));
    });

    test('an upload token is taken once, even by two at once; expired ones are pruned', async (t) => {
      if (!handle) return t.skip('engine not available');
      const token = (hash: string, expiresAt: number) => ({ tokenHash: hash, productTokenHash: `p-${hash}`, workspaceId: ws, userId: owner, appId: null, filename: 'x.bin', length: 42, createdAt: now, expiresAt });
      await store.files.insertUploadToken(token('t1', now + 600_000));
      const both = await Promise.all([store.transaction((tx) => tx.files.redeemUploadToken('t1')), store.transaction((tx) => tx.files.redeemUploadToken('t1'))]);
      const taken = both.filter((x) => x !== undefined);
      assert.equal(taken.length, 1);
      assert.deepEqual(taken[0], token('t1', now + 600_000));
      await store.files.insertUploadToken(token('t2', now + 10));
      await store.files.insertUploadToken(token('t3', now + 1000));
      assert.equal(await store.files.pruneUploadTokens(now + 500), 1);
      assert.equal(await store.files.redeemUploadToken('t2'), undefined);
      assert.ok(await store.files.redeemUploadToken('t3'));
    });

    after(async () => {
      await cleanup?.();
    });
  });
}
