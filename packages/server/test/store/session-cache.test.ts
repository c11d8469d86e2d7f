/**
 * The session cache (store/session-cache.ts) answers a session from memory only while nothing could
 * have changed it: a session ended here (logout), or by another connection (the admin command,
 * another worker), or a person deactivated by another connection, is refused on the next request.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { createUser, http, startTestServer, type Client } from '../support/helpers.js';
import { sessionCacheOf, SessionCache } from '../../src/store/session-cache.js';
import { WatchedCache, writeWatchOf } from '../../src/store/write-watch.js';
import { hashToken } from '../../src/domain/secrets.js';
import type { User } from '../../src/domain/model.js';

test('a remembered session is refused as soon as it ends, here or through another connection', async () => {
  const s = await startTestServer();
  const other = new Database(s.sb.database.location);
  try {
    const cache = sessionCacheOf(s.sb.database.db);
    assert.ok(cache, 'SQLite has a session cache');
    const warm = async (c: Client) => {
      assert.equal((await c.get('/v1/workspace')).status, 200);
      assert.equal((await c.get('/v1/workspace')).status, 200);
      assert.equal(cache.recall(hashToken(c.token), 0)?.id, c.userId, 'the session is remembered');
    };

    const loggedOut = await createUser(s.owner, 'MEMBER', 'Logged Out');
    await warm(loggedOut);
    assert.equal((await loggedOut.post('/auth/logout')).status < 300, true);
    assert.equal((await loggedOut.get('/v1/workspace')).status, 401, 'a logout here ends the session at once');

    const ended = await createUser(s.owner, 'MEMBER', 'Ended Elsewhere');
    await warm(ended);
    other.prepare('delete from sessions where user_id = ?').run(ended.userId);
    assert.equal((await ended.get('/v1/workspace')).status, 401, 'a session deleted by another connection is refused at once');

    const deactivated = await createUser(s.owner, 'MEMBER', 'Deactivated Elsewhere');
    await warm(deactivated);
    other.prepare("update workspace_users set status = 'DEACTIVATED' where id = ?").run(deactivated.userId);
    assert.equal((await deactivated.get('/v1/workspace')).status, 401, 'a person deactivated by another connection is refused at once');

    const kept = await createUser(s.owner, 'MEMBER', 'Kept');
    await warm(kept);
    assert.equal((await kept.get('/v1/workspace')).status, 200, 'an untouched session still answers');
  } finally {
    other.close();
    await s.close();
  }
});

test('a remembered session expires by the clock, and a write during the read voids what it read', () => {
  let authWrites = 0;
  let dataVersion = 1;
  const cache = new SessionCache(new WatchedCache({ writes: (group) => (group === 'auth' ? authWrites : 0), dataVersion: () => dataVersion }, 'auth'));
  const user = { id: 'u1', name: 'A' } as User;
  cache.remember('h', user, 1_000, cache.version());
  assert.equal(cache.recall('h', 999)?.id, 'u1');
  assert.equal(cache.recall('h', 1_000), undefined, 'created at or before the cut-off: expired');

  const before = cache.version();
  authWrites++; // a write to sessions or people between the read and its answer
  cache.remember('h', user, 5_000, before);
  assert.equal(cache.recall('h', 0), undefined);

  cache.remember('h', user, 5_000, cache.version());
  dataVersion++;
  assert.equal(cache.recall('h', 0), undefined, 'another connection committed');
});

test('a remembered app is read again after any write to apps, here or through another connection', async () => {
  const s = await startTestServer();
  const other = new Database(s.sb.database.location);
  try {
    const store = s.sb.store;
    const dev = (await s.owner.post('/auth/developer-token')).body.token as string;
    const base = `/workspaces/${s.workspaceId}/workspaceUsers/${s.owner.userId}/apps`;
    const manifest = JSON.parse(readFileSync(new URL('../support/fixtures/example-manifest.json', import.meta.url), 'utf8'));
    const created = await http(s.url, 'POST', base, { body: manifest, headers: { authtoken: dev } });
    assert.equal(created.status, 200, created.text);
    const id = created.body.id as string;
    const first = await store.appReadOnly(id);
    assert.equal(first?.name, manifest.name);
    assert.equal(await store.appReadOnly(id), first, 'the second read is answered from memory');

    assert.equal((await http(s.url, 'PUT', `${base}/${id}/secrets/rotate`, { headers: { authtoken: dev } })).status, 200);
    const rotated = await store.appReadOnly(id);
    assert.notEqual(rotated, first, 'a write here to apps voids it');
    assert.notEqual(rotated?.signingSecretSealed, first?.signingSecretSealed, 'and the rotated secret is what is read');

    other.prepare('update apps set name = ? where id = ?').run('Renamed Elsewhere', id);
    // Another connection's commit is seen from the next turn of the event loop (database.ts reads data_version once per turn).
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal((await store.appReadOnly(id))?.name, 'Renamed Elsewhere', 'a write by another connection voids it too');
  } finally {
    other.close();
    await s.close();
  }
});

test('a remembered channel and its members are read again after a membership changes or a transaction is rolled back, not after a read marker moves', async () => {
  const s = await startTestServer();
  try {
    const store = s.sb.store;
    const watch = writeWatchOf(s.sb.database.db)!;
    const created = await s.owner.post('/v1/channels', { name: 'cached-members', type: 'PUBLIC' });
    assert.equal(created.status < 300, true, created.text);
    const channelId = created.body.channel.id as string;
    const member = await createUser(s.owner, 'MEMBER', 'Joiner');
    assert.deepEqual(await store.memberIds(channelId), [s.owner.userId]);
    assert.equal((await store.channelFor(s.workspaceId, channelId, member.userId))?.isMember, false);

    assert.ok((await member.post(`/v1/channels/${channelId}/join`, {})).status < 300);
    assert.deepEqual((await store.memberIds(channelId)).sort(), [s.owner.userId, member.userId].sort(), 'a join is seen at once');
    assert.equal((await store.channelFor(s.workspaceId, channelId, member.userId))?.isMember, true);

    // Removed inside a transaction that is then rolled back: what the transaction read is not kept.
    await assert.rejects(
      store.transaction(async (tx) => {
        await tx.removeMember(channelId, member.userId);
        assert.deepEqual(await tx.memberIds(channelId), [s.owner.userId], 'the transaction sees its own removal');
        assert.equal((await tx.channelFor(s.workspaceId, channelId, member.userId))?.isMember, false);
        throw new Error('taken back');
      }),
      /taken back/,
    );
    assert.deepEqual((await store.memberIds(channelId)).sort(), [s.owner.userId, member.userId].sort(), 'after the rollback the member is back');
    assert.equal((await store.channelFor(s.workspaceId, channelId, member.userId))?.isMember, true);

    const before = watch.writes('channels');
    assert.ok((await member.post(`/v1/channels/${channelId}/read`, {})).status < 300);
    assert.equal(watch.writes('channels'), before, 'moving a read marker keeps what is remembered');
  } finally {
    await s.close();
  }
});
