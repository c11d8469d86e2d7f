/**
 * The integration store (docs/integrations.md §4–§6, §8.9) and what migration 0011 added to users and
 * messages, on SQLite and PostgreSQL alike: same inputs, same answers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { migrate, openDatabase, type DatabaseHandle } from '../../src/store/database.js';
import { Store } from '../../src/store/store.js';
import { UniqueViolation } from '../../src/domain/errors.js';
import { newId } from '../../src/domain/ids.js';
import type { IntegrationDoc } from '../../src/domain/integrations/document.js';
import { freshPostgresDatabase, needs, tempDir } from '../support/helpers.js';

const engines = [
  {
    name: 'sqlite',
    async open(): Promise<{ handle: DatabaseHandle; cleanup(): Promise<void> } | undefined> {
      const dir = tempDir();
      const handle = await openDatabase(`sqlite:${join(dir.path, 's.db')}`);
      return { handle, cleanup: async () => (await handle.close(), dir.remove()) };
    },
  },
  {
    name: 'postgres',
    async open(t: import('node:test').TestContext): Promise<{ handle: DatabaseHandle; cleanup(): Promise<void> } | undefined> {
      if (!(await needs(t, 'postgres'))) return undefined;
      const pg = await freshPostgresDatabase();
      const handle = await openDatabase(pg.url);
      return { handle, cleanup: async () => (await handle.close(), await pg.drop()) };
    },
  },
];

function doc(over: Partial<IntegrationDoc> & Pick<IntegrationDoc, '_id' | 'type' | 'name'>, createdBy: string, at: number): IntegrationDoc {
  const iso = new Date(at).toISOString();
  return {
    enabled: true,
    username: 'rocket.cat',
    userId: createdBy,
    channel: ['#general'],
    token: `token-${over._id}`,
    alias: '',
    avatar: '',
    emoji: '',
    scriptEnabled: false,
    script: '',
    scriptEngine: 'isolated-vm',
    skipTranspile: false,
    _createdAt: iso,
    _updatedAt: iso,
    _createdBy: { _id: createdBy, username: 'x' },
    ...over,
  };
}

for (const engine of engines) {
  test(`integration store on ${engine.name}`, async (t) => {
    const opened = await engine.open(t);
    if (!opened) return;
    const { handle, cleanup } = opened;
    try {
      await migrate(handle.db);
      const store = new Store(handle.db, handle.engine);
      const ws = newId();
      const now = Date.now();
      await store.insertWorkspace({ id: ws, name: 'W', locale: 'en', createdAt: now });

      // Usernames: derived from the e-mail address, made unique; bots from their name; unique per workspace.
      const alice = newId();
      const alice2 = newId();
      const bot = newId();
      await store.insertUser({ id: alice, workspaceId: ws, email: 'alice@example.com', name: 'Alice', role: 'OWNER', passwordHash: null, now });
      await store.insertUser({ id: alice2, workspaceId: ws, email: 'alice@other.example', name: 'Alice Two', role: 'MEMBER', passwordHash: null, now });
      await store.insertUser({ id: bot, workspaceId: ws, email: 'bot@bots.invalid', name: 'Build Bot', role: 'MEMBER', passwordHash: null, isBot: true, now });
      assert.equal((await store.user(ws, alice))!.username, 'alice');
      assert.equal((await store.user(ws, alice2))!.username, 'alice2');
      assert.equal((await store.user(ws, bot))!.username, 'build.bot');
      assert.equal((await store.userByUsername(ws, 'alice2'))!.id, alice2);
      await assert.rejects(store.setUsername(ws, alice2, 'alice', now), UniqueViolation);
      assert.equal((await store.credentialsByUsername('alice'))[0]!.user.id, alice);
      await store.setExtraRoles(ws, alice2, ['bot', 'bot'], now);
      assert.deepEqual((await store.user(ws, alice2))!.extraRoles, ['bot']);

      // Messages keep an integration's alias, avatar, emoji and bot tag.
      const channel = newId();
      await store.insertChannel({ id: channel, workspaceId: ws, type: 'PUBLIC', name: 'General', directKey: null, description: '', createdBy: alice, now });
      assert.equal((await store.channelByName(ws, 'general'))!.id, channel, 'names are found in any letter case');
      const m = newId();
      await store.insertMessage({ id: m, workspaceId: ws, channelId: channel, authorId: bot, text: 'hi', blocks: null, attachments: null, threadRootId: null, now, alias: 'CI', avatar: 'https://x/a.png', emoji: null, bot: { i: 'int-1', hops: 2 } });
      const read = (await store.message(channel, m))!;
      assert.deepEqual([read.alias, read.avatar, read.emoji, read.bot], ['CI', 'https://x/a.png', null, { i: 'int-1', hops: 2 }]);

      // Integrations: documents round-trip; list scoping, name filter, sort and paging.
      const inA = doc({ _id: newId(), type: 'webhook-incoming', name: 'Alpha hook' }, alice, now);
      const inB = doc({ _id: newId(), type: 'webhook-incoming', name: 'beta' }, alice2, now + 1);
      const outA = doc({ _id: newId(), type: 'webhook-outgoing', name: 'Gamma', event: 'sendMessage', urls: ['http://r.example/x'] }, alice, now + 2);
      await store.transaction(async (tx) => {
        for (const d of [inA, inB, outA]) await tx.integrations.insert(ws, d);
      });
      assert.deepEqual(await store.integrations.get(ws, inA._id), inA);
      assert.deepEqual(await store.integrations.find(inB._id), { workspaceId: ws, doc: inB });
      assert.equal(await store.integrations.get(newId(), inA._id), undefined, 'another workspace sees nothing');
      const all = await store.integrations.list(ws, { scope: 'all', sort: { field: '_createdAt', direction: 'desc' }, offset: 0, count: 50 });
      assert.deepEqual(all.items.map((d) => d._id), [outA._id, inB._id, inA._id]);
      assert.equal(all.total, 3);
      const scoped = await store.integrations.list(ws, { scope: [{ type: 'webhook-incoming', createdBy: alice2 }, { type: 'webhook-outgoing' }], sort: { field: 'name', direction: 'asc' }, offset: 0, count: 50 });
      assert.deepEqual(scoped.items.map((d) => d.name), ['beta', 'Gamma']);
      const named = await store.integrations.list(ws, { scope: 'all', name: 'ALPHA', sort: { field: '_createdAt', direction: 'asc' }, offset: 0, count: 50 });
      assert.deepEqual(named.items.map((d) => d._id), [inA._id]);
      const paged = await store.integrations.list(ws, { scope: 'all', sort: { field: '_createdAt', direction: 'asc' }, offset: 1, count: 1 });
      assert.deepEqual([paged.items.map((d) => d._id), paged.total], [[inB._id], 3]);
      assert.deepEqual((await store.integrations.list(ws, { scope: [], sort: { field: 'name', direction: 'asc' }, offset: 0, count: 5 })).total, 0);
      assert.deepEqual((await store.integrations.ofType(ws, 'webhook-outgoing', 'sendMessage')).map((d) => d._id), [outA._id]);
      assert.deepEqual((await store.integrations.byToken(ws, 'webhook-incoming', inB.token)).map((d) => d._id), [inB._id]);
      assert.deepEqual(await store.integrations.byToken(ws, 'webhook-outgoing', inB.token), [], 'a token finds only its type');
      assert.deepEqual((await store.integrations.postingAs(ws, alice2)).map((d) => d._id), [inB._id]);
      await store.integrations.save(ws, { ...inA, name: 'Renamed', enabled: false, token: 'rotated-token' });
      assert.equal((await store.integrations.get(ws, inA._id))!.name, 'Renamed');
      assert.deepEqual((await store.integrations.byToken(ws, 'webhook-incoming', 'rotated-token')).map((d) => d._id), [inA._id]);

      // History: newest first, own-permission scoping, in-place updates, clear, retention; deleted with its integration.
      const h = (id: string, integrationId: string, createdBy: string, at: number) => ({
        id,
        workspaceId: ws,
        integrationId,
        type: 'outgoing-webhook' as const,
        integrationCreatedBy: createdBy,
        deliveryId: null,
        createdAt: at,
        updatedAt: at,
        record: { step: 'start-execute-trigger-url' },
      });
      await store.integrations.insertHistory(h('h1', outA._id, alice, now - 40 * 86_400_000));
      await store.integrations.insertHistory(h('h2', outA._id, alice, now));
      await store.integrations.updateHistory('h1', { step: 'after-http-call' }, now + 5);
      const history = await store.integrations.listHistory(ws, { integrationId: outA._id, type: 'outgoing-webhook', sort: { field: '_updatedAt', direction: 'desc' }, offset: 0, count: 10 });
      assert.deepEqual(history.items.map((r) => [r.id, r.record.step]), [['h1', 'after-http-call'], ['h2', 'start-execute-trigger-url']]);
      assert.equal((await store.integrations.listHistory(ws, { integrationId: outA._id, type: 'outgoing-webhook', createdBy: alice2, sort: { field: '_updatedAt', direction: 'desc' }, offset: 0, count: 10 })).total, 0);
      assert.equal((await store.integrations.historyRecord(outA._id, 'h2'))!.id, 'h2');
      assert.equal(await store.integrations.pruneHistory(now - 30 * 86_400_000), 1);
      assert.equal(await store.integrations.clearHistory(ws, outA._id), 1);
      await store.integrations.insertHistory(h('h3', outA._id, alice, now));
      assert.equal(await store.integrations.delete(ws, outA._id), true);
      assert.equal(await store.integrations.historyRecord(outA._id, 'h3'), undefined, 'deleting an integration deletes its history');
      assert.equal(await store.integrations.delete(ws, outA._id), false);

      // Role → permission mapping: only changed rows are stored; upserts.
      await store.integrations.setRolePermission(ws, 'manage-incoming-integrations', ['admin', 'user'], now);
      await store.integrations.setRolePermission(ws, 'manage-incoming-integrations', ['user'], now + 1);
      assert.deepEqual([...(await store.integrations.rolePermissions(ws))], [['manage-incoming-integrations', ['user']]]);
    } finally {
      await cleanup();
    }
  });
}
