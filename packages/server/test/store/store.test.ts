/**
 * The store's contract, run against SQLite and PostgreSQL alike: same inputs, same answers.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { migrate, type DatabaseHandle } from '../../src/store/database.js';
import { Store } from '../../src/store/store.js';
import { UniqueViolation } from '../../src/domain/errors.js';
import { newId } from '../../src/domain/ids.js';
import type { Channel } from '../../src/domain/model.js';
import { engines } from '../support/engines.js';


for (const engine of engines) {
  describe(`store on ${engine.name}`, () => {
    let handle: DatabaseHandle | undefined;
    let cleanup: (() => Promise<void>) | undefined;
    let store: Store;
    const ws = newId();
    const alice = newId();
    const bob = newId();
    let general: Channel;

    test('migrations run, and run again idempotently', async (t) => {
      const opened = await engine.open(t);
      if (!opened) return;
      ({ handle, cleanup } = opened);
      await migrate(handle.db);
      await migrate(handle.db);
      store = new Store(handle.db, handle.engine);
      assert.equal(await store.countWorkspaces(), 0);
    });

    test('workspaces and users', async (t) => {
      if (!handle) return t.skip('no database');
      const now = Date.now();
      await store.insertWorkspace({ id: ws, name: 'W', locale: 'en', createdAt: now });
      assert.equal(await store.countWorkspaces(), 1);
      assert.deepEqual(await store.workspace(ws), { id: ws, name: 'W', locale: 'en', createdAt: now, messageRetentionDays: null });
      await store.insertUser({ id: alice, workspaceId: ws, email: 'alice@x.io', name: 'Alice', role: 'OWNER', passwordHash: 'h1', now });
      await store.insertUser({ id: bob, workspaceId: ws, email: 'bob@x.io', name: 'Bob', role: 'GUEST', passwordHash: null, isBot: true, now });
      const a = await store.user(ws, alice);
      assert.equal(a?.email, 'alice@x.io');
      assert.equal(a?.isBot, false);
      assert.equal(a?.createdAt, now, 'millisecond times come back as numbers');
      assert.equal((await store.user(ws, bob))?.isBot, true);
      assert.equal(await store.user(newId(), alice), undefined, 'users are scoped to their workspace');
      await assert.rejects(
        store.insertUser({ id: newId(), workspaceId: ws, email: 'alice@x.io', name: 'A2', role: 'MEMBER', passwordHash: null, now }),
        UniqueViolation,
      );
      const creds = await store.credentialsByEmail('alice@x.io');
      assert.equal(creds.length, 1);
      assert.equal(creds[0]!.passwordHash, 'h1');
      assert.deepEqual((await store.users(ws)).map((u) => u.id), [alice, bob]);
      assert.deepEqual(await store.nonGuestUserIds(ws), [alice]);
    });

    test('sessions end with deactivation and deletion', async (t) => {
      if (!handle) return t.skip('no database');
      const a = (await store.user(ws, alice))!;
      await store.insertSession('hash-1', a, Date.now());
      await store.insertSession('hash-2', a, Date.now());
      assert.equal((await store.sessionUser('hash-1'))?.id, alice);
      await store.deleteSession('hash-1');
      assert.equal(await store.sessionUser('hash-1'), undefined);
      await store.updateUser(ws, alice, { status: 'DEACTIVATED' }, Date.now());
      assert.equal(await store.sessionUser('hash-2'), undefined, 'a deactivated user has no session');
      await store.updateUser(ws, alice, { status: 'ACTIVATED' }, Date.now());
      assert.equal((await store.sessionUser('hash-2'))?.id, alice);
      assert.equal(await store.sessionUser('hash-2', Date.now() + 1), undefined, 'a session older than the lifetime has expired');
      await store.deleteSessionsOf(alice);
      assert.equal(await store.sessionUser('hash-2'), undefined);
    });

    test('channels, unique names, direct keys and membership', async (t) => {
      if (!handle) return t.skip('no database');
      const now = Date.now();
      const gid = newId();
      await store.insertChannel({ id: gid, workspaceId: ws, type: 'PUBLIC', name: 'general', directKey: null, description: '', isMain: true, createdBy: alice, now });
      general = (await store.channel(ws, gid))!;
      assert.equal(general.isMain, true);
      assert.equal((await store.mainChannel(ws))?.id, gid);
      await assert.rejects(
        store.insertChannel({ id: newId(), workspaceId: ws, type: 'PRIVATE', name: 'GENERAL', directKey: null, description: '', createdBy: alice, now }),
        UniqueViolation,
        'names are unique without regard to case',
      );
      const privId = newId();
      await store.insertChannel({ id: privId, workspaceId: ws, type: 'PRIVATE', name: 'secret', directKey: null, description: 'd', createdBy: alice, now });
      const dmId = newId();
      const key = [alice, bob].sort().join(',');
      await store.insertChannel({ id: dmId, workspaceId: ws, type: 'DIRECT', name: null, directKey: key, description: '', createdBy: alice, now });
      await assert.rejects(
        store.insertChannel({ id: newId(), workspaceId: ws, type: 'DIRECT', name: null, directKey: key, description: '', createdBy: bob, now }),
        UniqueViolation,
      );
      assert.equal((await store.directChannel(ws, key))?.id, dmId);

      const priv = (await store.channel(ws, privId))!;
      const dm = (await store.channel(ws, dmId))!;
      assert.deepEqual(await store.addMembers(general, [alice, bob, alice], alice, now), [alice, bob]);
      assert.deepEqual(await store.addMembers(general, [alice], alice, now), [], 'adding a member twice adds nothing');
      await store.addMembers(priv, [alice], alice, now);
      await store.addMembers(dm, [alice, bob], alice, now);
      assert.equal(await store.isMember(privId, bob), false);
      assert.deepEqual(await store.memberIds(dmId), [alice, bob].sort());
      assert.deepEqual([...(await store.membershipsOf(bob))].sort(), [gid, dmId].sort());

      const forBob = await store.channelsVisibleTo(ws, bob, true);
      assert.deepEqual(forBob.map((c) => c.id).sort(), [gid, dmId].sort());
      const forAlice = await store.channelsVisibleTo(ws, alice, true);
      assert.deepEqual(forAlice.map((c) => c.id).sort(), [gid, privId, dmId].sort());

      await store.updateChannel(privId, { isArchived: true, description: 'gone' }, now + 1);
      const archived = (await store.channel(ws, privId))!;
      assert.equal(archived.isArchived, true);
      assert.equal(archived.description, 'gone');
      assert.equal(await store.removeMember(gid, bob), true);
      assert.equal(await store.removeMember(gid, bob), false);
      await store.addMembers(general, [bob], alice, now);
    });

    test('messages: history pages, threads, edits, soft deletes', async (t) => {
      if (!handle) return t.skip('no database');
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) {
        const id = newId();
        ids.push(id);
        await store.insertMessage({ id, workspaceId: ws, channelId: general.id, authorId: alice, text: `m${i}`, blocks: null, attachments: i === 0 ? [{ title: 't' }] : null, threadRootId: null, now: Date.now() });
      }
      const root = ids[2]!;
      const reply = newId();
      await store.insertMessage({ id: reply, workspaceId: ws, channelId: general.id, authorId: bob, text: 'r', blocks: [{ type: 'divider' }], attachments: null, threadRootId: root, now: Date.now() });
      await store.recordReply(root, bob, 1234);
      await store.recordReply(root, alice, 5678);
      await store.recordReply(root, bob, 9999);

      const latest = await store.messagePage({ channelId: general.id, threadRootId: null, cursor: null, direction: 'older', limit: 3 });
      assert.deepEqual(latest.map((m) => m.text), ['m6', 'm5', 'm4'], 'newest first, replies left out');
      const older = await store.messagePage({ channelId: general.id, threadRootId: null, cursor: ids[4]!, direction: 'older', limit: 10 });
      assert.deepEqual(older.map((m) => m.text), ['m3', 'm2', 'm1', 'm0']);
      const newer = await store.messagePage({ channelId: general.id, threadRootId: null, cursor: ids[4]!, direction: 'newer', limit: 10, inclusive: true });
      assert.deepEqual(newer.map((m) => m.text), ['m4', 'm5', 'm6']);
      const thread = await store.messagePage({ channelId: general.id, threadRootId: root, cursor: null, direction: 'newer', limit: 10 });
      assert.deepEqual(thread.map((m) => m.id), [reply]);
      assert.deepEqual(thread[0]!.blocks, [{ type: 'divider' }]);
      assert.deepEqual(older.at(-1)!.attachments, [{ title: 't' }]);

      const r = (await store.message(general.id, root))!;
      assert.equal(r.replyCount, 3);
      assert.equal(r.lastReplyAt, 9999);
      assert.deepEqual(r.repliers, [alice, bob], 'distinct repliers, most recent last');
      await store.recordReplyDeleted(root);
      assert.equal((await store.message(general.id, root))!.replyCount, 2);

      await store.updateMessage(ids[6]!, { text: 'edited' }, Date.now());
      const e = (await store.message(general.id, ids[6]!))!;
      assert.equal(e.text, 'edited');
      assert.equal(e.edited, true);
      assert.equal(await store.message(newId(), ids[6]!), undefined, 'a message is found only in its channel');

      await store.deleteMessage(ids[6]!, Date.now());
      await store.deleteMessage(root, Date.now());
      const afterDelete = await store.messagePage({ channelId: general.id, threadRootId: null, cursor: null, direction: 'older', limit: 10 });
      assert.deepEqual(afterDelete.map((m) => m.text), ['m5', 'm4', 'm3', '', 'm1', 'm0'], 'a deleted root with replies stays as an empty tombstone');
      assert.equal(afterDelete[3]!.deleted, true);
    });

    test('reactions: one per user and code', async (t) => {
      if (!handle) return t.skip('no database');
      const [m] = await store.messagePage({ channelId: general.id, threadRootId: null, cursor: null, direction: 'older', limit: 1 });
      const id = m!.id;
      assert.equal(await store.addReaction(id, alice, ':tada:', 1), true);
      assert.equal(await store.addReaction(id, alice, ':tada:', 2), false, 'the same reaction twice is one reaction');
      assert.equal(await store.addReaction(id, bob, ':tada:', 3), true);
      // inside a transaction too: a duplicate must not abort it (PostgreSQL would)
      await store.transaction(async (tx) => {
        assert.equal(await tx.addReaction(id, bob, ':tada:', 4), false);
        assert.equal(await tx.addReaction(id, bob, ':+1:', 5), true);
      });
      assert.deepEqual((await store.messageById(id))!.reactions, [
        { userId: alice, code: ':tada:' },
        { userId: bob, code: ':tada:' },
        { userId: bob, code: ':+1:' },
      ]);
      assert.equal(await store.removeReaction(id, bob, ':tada:'), true);
      assert.equal(await store.removeReaction(id, bob, ':tada:'), false);
      assert.equal((await store.reactionsOf([id])).get(id)?.length, 2);
    });

    test('a failed transaction leaves nothing behind', async (t) => {
      if (!handle) return t.skip('no database');
      const id = newId();
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.insertMessage({ id, workspaceId: ws, channelId: general.id, authorId: alice, text: 'x', blocks: null, attachments: null, threadRootId: null, now: Date.now() });
          throw new Error('boom');
        }),
        /boom/,
      );
      assert.equal(await store.messageById(id), undefined);
    });

    after(async () => {
      await cleanup?.();
    });
  });
}
