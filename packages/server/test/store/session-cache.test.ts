/**
 * The session cache (store/session-cache.ts) answers a session from memory only while nothing could
 * have changed it: a session ended here (logout), or by another connection (the admin command,
 * another worker), or a person deactivated by another connection, is refused on the next request.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { createUser, http, startTestServer, tempDir, type Client } from '../support/helpers.js';
import { sessionCacheOf, SessionCache } from '../../src/store/session-cache.js';
import { WatchedCache, watchedCacheOf, writeWatchOf } from '../../src/store/write-watch.js';
import { join } from 'node:path';
import { sql } from 'kysely';
import { migrate, openDatabase } from '../../src/store/database.js';
import { LocalWriteTurn } from '../../src/domain/turn-queue.js';
import { twoWorkersOnOneFile } from '../support/shared-sqlite.js';
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
  let committed: number | undefined = 1;
  const cache = new SessionCache(new WatchedCache({ writes: (group) => (group === 'auth' ? authWrites : 0), committed: () => committed }, 'auth'));
  const user = { id: 'u1', name: 'A' } as User;
  cache.remember('h', user, 1_000, cache.version());
  assert.equal(cache.recall('h', 999)?.id, 'u1');
  assert.equal(cache.recall('h', 1_000), undefined, 'created at or before the cut-off: expired');

  const before = cache.version();
  authWrites++; // a write to sessions or people between the read and its answer
  cache.remember('h', user, 5_000, before);
  assert.equal(cache.recall('h', 0), undefined);

  cache.remember('h', user, 5_000, cache.version());
  committed++;
  assert.equal(cache.recall('h', 0), undefined, 'another connection committed');

  committed = undefined; // nothing counts the commits (not migrated yet)
  cache.remember('h', user, 5_000, cache.version());
  assert.equal(cache.recall('h', 0), undefined, 'nothing is remembered while commits go uncounted');
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
    // Another connection's commit is seen from the next turn of the event loop (database.ts reads write_generations once per turn).
    await new Promise((resolve) => setImmediate(resolve));
    const renamed = await store.appReadOnly(id);
    assert.equal(renamed?.name, 'Renamed Elsewhere', 'a write by another connection voids it too');

    // What another connection commits elsewhere (a message, a read marker) keeps it: only writes to its own tables count.
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(await store.appReadOnly(id), renamed, 'remembered again');
    other.prepare('update workspaces set name = name').run();
    other.prepare("update channel_members set last_read_id = last_read_id where channel_id = (select id from channels limit 1)").run();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(await store.appReadOnly(id), renamed, 'another connection’s commit to other tables keeps it');
    other.prepare('update apps set name = name where id = ?').run(id);
    await new Promise((resolve) => setImmediate(resolve));
    assert.notEqual(await store.appReadOnly(id), renamed, 'one to apps voids it, even one that changes nothing');
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

test('beside other workers (a write turn), only their commits to a group void what was read of it', async (t) => {
  const [here, there] = await twoWorkersOnOneFile(t, 'workers.db');
  await migrate(here.db);
  await sql`create table scratch (x integer)`.execute(there.db);
  const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
  const cache = watchedCacheOf<string>(here.db, 'test', 'auth')!;
  await nextTurn();
  cache.remember('k', 'v', cache.version());
  assert.equal(cache.recall('k'), 'v');

  await sql`insert into scratch values (1)`.execute(there.db);
  await nextTurn();
  assert.equal(cache.recall('k'), 'v', 'a commit elsewhere to other tables keeps it');

  await sql`update write_generations set n = n + 1 where grp = 'apps'`.execute(there.db);
  await nextTurn();
  assert.equal(cache.recall('k'), 'v', 'and one to another group');

  await sql`update write_generations set n = n + 1 where grp = 'auth'`.execute(there.db);
  await nextTurn();
  assert.equal(cache.recall('k'), undefined, 'one to its group voids it');
});

test('inside a transaction the counts are those from its BEGIN: its own uncommitted writes are never taken for commits', async (t) => {
  const dir = tempDir();
  t.after(() => dir.remove());
  const url = `sqlite:${join(dir.path, 'own.db')}`;
  const turn = new LocalWriteTurn();
  for (const [name, writeTurn] of [['beside other workers', turn], ['alone on the file', undefined]] as const) {
    const db = await openDatabase(url, undefined, writeTurn);
    try {
      await migrate(db.db);
      const watch = writeWatchOf(db.db)!;
      const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
      await nextTurn();
      const before = watch.committed('auth');
      assert.equal(typeof before, 'number', name);
      await assert.rejects(
        db.db.transaction().execute(async (trx) => {
          await sql`update write_generations set n = n + 1 where grp = 'auth'`.execute(trx); // as a trigger does
          await nextTurn(); // a new turn of the event loop, the transaction still open
          assert.equal(watch.committed('auth'), before, `${name}: its own uncommitted write is not a commit`);
          throw new Error('taken back');
        }),
        /taken back/,
      );
      await nextTurn();
      assert.equal(watch.committed('auth'), before, `${name}: rolled back, nothing was committed`);
    } finally {
      await db.close();
    }
  }
});

test('after every migration, each watched table still has the triggers that count its commits', async (t) => {
  // A later migration that rebuilds a table (SQLite's way to change a column) drops its triggers with it.
  const dir = tempDir();
  t.after(() => dir.remove());
  const db = await openDatabase(`sqlite:${join(dir.path, 'triggers.db')}`);
  t.after(() => db.close());
  await migrate(db.db);
  const rows = await sql<{ name: string }>`select name from sqlite_master where type = 'trigger' and name like 'write_generation_%' order by name`.execute(db.db);
  const expected = [
    ...['sessions', 'workspace_users', 'apps', 'app_installations', 'app_authorizations', 'channels'].flatMap((table) => ['insert', 'update', 'delete'].map((e) => `write_generation_${table}_${e}`)),
    'write_generation_channel_members_insert',
    'write_generation_channel_members_delete',
  ].sort();
  assert.deepEqual(rows.rows.map((r) => r.name), expected);
});
