/**
 * User groups (docs/pumble-api.md §12.6, `GET /v1/workspaceUsers/groups` and the extensions
 * that create and change groups): the core on SQLite and PostgreSQL alike, and the routes through
 * a real server, with the app events the changes cause.
 */
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { migrate, openDatabase, type DatabaseHandle } from '../../src/store/database.js';
import { Store } from '../../src/store/store.js';
import { createCore, type Core } from '../../src/domain/index.js';
import { appEventCopies } from '../../src/domain/apps/app-event-routing.js';
import { renderAppEvent } from '../../src/surfaces/pumble/app-events.js';
import { DomainError, type ErrorKind } from '../../src/domain/errors.js';
import type { Notice } from '../../src/domain/events.js';
import { newId } from '../../src/domain/ids.js';
import type { User, UserGroup } from '../../src/domain/model.js';
import type { UserGroups } from '../../src/domain/user-groups.js';
import { assertError } from '../support/assertions.js';
import { createUser, freshPostgresDatabase, http, needs, startTestServer, tempDir, type Client, type TestServer } from '../support/helpers.js';
import { MemoryRateLimiter } from '../../src/limits/rate-limiter.js';

// ---- set-up -------------------------------------------------------------------------------------

/** The tables come from migration 0010_user_groups once it is registered; until then, made here. */

interface World {
  handle: DatabaseHandle;
  store: Store;
  core: Core;
  groups: UserGroups;
  notices: Notice[];
  owner: User;
  admin: User;
  member: User;
  guest: User;
  /** a user of another workspace */
  stranger: User;
  cleanup(): Promise<void>;
}

async function makeWorld(handle: DatabaseHandle, cleanup: () => Promise<void>): Promise<World> {
  await migrate(handle.db);
  const store = new Store(handle.db, handle.engine);
  const notices: Notice[] = [];
  const sink = { publish: (n: readonly Notice[]) => void notices.push(...n) };
  const core = createCore(store, sink, { limiter: new MemoryRateLimiter() });
  const groups = core.userGroups;

  const boot = await core.accounts.bootstrap({ workspaceName: 'W', email: 'owner@example.com', password: 'owner-password-1' });
  assert.ok(boot, 'the database was empty');
  const owner = boot.owner;
  const make = (role: User['role'], name: string) =>
    core.accounts.createUser(owner, { email: `${name}@example.com`, name, password: 'a-password-1', role });
  const admin = await make('ADMIN', 'admin');
  const member = await make('MEMBER', 'member');
  const guest = await make('GUEST', 'guest');

  const otherWs = newId();
  await store.insertWorkspace({ id: otherWs, name: 'Other', locale: 'en', createdAt: Date.now() });
  const strangerId = newId();
  await store.insertUser({ id: strangerId, workspaceId: otherWs, email: 'x@example.com', name: 'X', role: 'OWNER', passwordHash: null, now: Date.now() });
  const stranger = (await store.user(otherWs, strangerId))!;
  notices.length = 0;
  return { handle, store, core, groups, notices, owner, admin, member, guest, stranger, cleanup };
}

async function rejectsWith(work: Promise<unknown>, kind: ErrorKind, field?: string): Promise<void> {
  await assert.rejects(work, (e: unknown) => {
    assert.ok(e instanceof DomainError, `a DomainError, got ${String(e)}`);
    assert.equal(e.kind, kind, e.message);
    if (field !== undefined) assert.equal(e.errors[0]?.field, field, e.message);
    return true;
  });
}

const sorted = (ids: string[]) => [...ids].sort();

interface EngineSpec {
  name: string;
  open(t: TestContext): Promise<World | undefined>;
}

const engines: EngineSpec[] = [
  {
    name: 'sqlite',
    async open() {
      const dir = tempDir();
      const handle = await openDatabase(`sqlite:${join(dir.path, 'g.db')}`);
      return makeWorld(handle, async () => (await handle.close(), dir.remove()));
    },
  },
  {
    name: 'postgres',
    async open(t) {
      if (!(await needs(t, 'postgres'))) return undefined;
      const pg = await freshPostgresDatabase();
      const handle = await openDatabase(pg.url);
      return makeWorld(handle, async () => (await handle.close(), await pg.drop()));
    },
  },
];

// ---- the core, on each engine ---------------------------------------------------------------------

for (const engine of engines) {
  describe(`user groups core on ${engine.name}`, () => {
    let w: World | undefined;
    let design: UserGroup;

    after(async () => w?.cleanup());

    test('set-up: migrations, the tables, four users and a stranger', async (t) => {
      w = await engine.open(t);
    });

    test('an owner creates a group: handle lower-cased, members distinct and in id order, everyone told', async (t) => {
      if (!w) return t.skip('no database');
      const before = Date.now();
      design = await w.groups.create(w.owner, { name: '  Design  ', handle: 'Design-Team_1', workspaceUserIds: [w.member.id, w.admin.id, w.member.id] });
      assert.equal(design.name, 'Design');
      assert.equal(design.handle, 'design-team_1');
      assert.equal(design.description, '');
      assert.equal(design.disabled, false);
      assert.equal(design.createdBy, w.owner.id);
      assert.equal(design.workspaceId, w.owner.workspaceId);
      assert.deepEqual(design.memberIds, sorted([w.member.id, w.admin.id]));
      assert.ok(design.createdAt >= before && design.updatedAt === design.createdAt, 'times are numbers in ms');
      assert.equal(w.notices.length, 1);
      const n = w.notices[0]!;
      assert.equal(n.event.type as string, 'user_group.created');
      assert.deepEqual((n.event as unknown as { group: UserGroup }).group, design);
      assert.deepEqual(sorted(n.audience), sorted([w.owner.id, w.admin.id, w.member.id, w.guest.id]));
    });

    test('admins may create groups; members and guests may not', async (t) => {
      if (!w) return t.skip('no database');
      const ops = await w.groups.create(w.admin, { name: 'Ops', handle: 'ops', description: 'On call' });
      assert.deepEqual(ops.memberIds, []);
      assert.equal(ops.description, 'On call');
      await rejectsWith(w.groups.create(w.member, { name: 'M', handle: 'm' }), 'forbidden');
      await rejectsWith(w.groups.create(w.guest, { name: 'G', handle: 'g' }), 'forbidden');
    });

    test('bad input is refused with the offending field', async (t) => {
      if (!w) return t.skip('no database');
      const { groups, owner } = w;
      await rejectsWith(groups.create(owner, { name: '   ', handle: 'a' }), 'invalid', 'name');
      await rejectsWith(groups.create(owner, { name: 'x'.repeat(101), handle: 'a' }), 'invalid', 'name');
      await rejectsWith(groups.create(owner, { name: 'A', handle: 'has space' }), 'invalid', 'handle');
      await rejectsWith(groups.create(owner, { name: 'A', handle: '@a' }), 'invalid', 'handle');
      await rejectsWith(groups.create(owner, { name: 'A', handle: 'é' }), 'invalid', 'handle');
      await rejectsWith(groups.create(owner, { name: 'A', handle: 'a'.repeat(65) }), 'invalid', 'handle');
      await rejectsWith(groups.create(owner, { name: 'A', handle: 'a', description: 'd'.repeat(251) }), 'invalid', 'description');
      await rejectsWith(groups.create(owner, { name: 'A', handle: 'a', workspaceUserIds: [owner.id, w.stranger.id] }), 'invalid', 'workspaceUserIds[1]');
      await rejectsWith(groups.create(owner, { name: 'A', handle: 'a', workspaceUserIds: ['not-an-id'] }), 'invalid', 'workspaceUserIds[0]');
      await rejectsWith(groups.create(owner, { name: 'A', handle: 'a', workspaceUserIds: [newId()] }), 'invalid', 'workspaceUserIds[0]');
      // 64 is allowed; nothing of the refused attempts was written.
      await groups.create(owner, { name: 'Long', handle: 'l'.repeat(64) });
      assert.equal((await groups.list(owner)).some((g) => g.handle === 'a'), false);
    });

    test('a handle is unique in its workspace, whatever its case', async (t) => {
      if (!w) return t.skip('no database');
      await rejectsWith(w.groups.create(w.owner, { name: 'Again', handle: 'DESIGN-team_1' }), 'conflict');
      w.notices.length = 0;
      // Racing creations of one handle: exactly one wins.
      const results = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => w!.groups.create(w!.owner, { name: `Race ${i}`, handle: 'race' })));
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      for (const r of results) if (r.status === 'rejected') assert.equal((r.reason as DomainError).kind, 'conflict');
      assert.equal(w.notices.length, 1, 'only the committed creation is told');
    });

    test('everyone in the workspace lists and reads groups, with their members; other workspaces see none', async (t) => {
      if (!w) return t.skip('no database');
      for (const actor of [w.owner, w.member, w.guest]) {
        const list = await w.groups.list(actor);
        assert.deepEqual(
          list.map((g) => g.handle),
          ['design-team_1', 'ops', 'l'.repeat(64), 'race'],
          'oldest first',
        );
        assert.deepEqual(list[0], design);
      }
      assert.deepEqual(await w.groups.get(w.guest, design.id), design);
      assert.deepEqual(await w.groups.list(w.stranger), []);
      await rejectsWith(w.groups.get(w.stranger, design.id), 'not_found');
      await rejectsWith(w.groups.get(w.owner, newId()), 'not_found');
      await rejectsWith(w.groups.get(w.owner, 'nope'), 'not_found');
    });

    test('an update changes what it names, replaces the members, and is told', async (t) => {
      if (!w) return t.skip('no database');
      w.notices.length = 0;
      await new Promise((r) => setTimeout(r, 2));
      const updated = await w.groups.update(w.admin, design.id, {
        name: 'Design crew',
        handle: 'Crew',
        description: 'Pixels',
        disabled: true,
        workspaceUserIds: [w.guest.id, w.owner.id],
      });
      assert.equal(updated.name, 'Design crew');
      assert.equal(updated.handle, 'crew');
      assert.equal(updated.description, 'Pixels');
      assert.equal(updated.disabled, true);
      assert.deepEqual(updated.memberIds, sorted([w.guest.id, w.owner.id]));
      assert.equal(updated.createdBy, w.owner.id, 'the creator stays');
      assert.equal(updated.createdAt, design.createdAt);
      assert.ok(updated.updatedAt > design.updatedAt);
      assert.deepEqual(await w.groups.get(w.member, design.id), updated);
      assert.equal(w.notices.length, 1);
      assert.equal(w.notices[0]!.event.type as string, 'user_group.updated');
      assert.equal((w.notices[0]!.event as unknown as { actorId: string }).actorId, w.admin.id);
      design = updated;
    });

    test('an update that changes nothing writes nothing; members alone are a change', async (t) => {
      if (!w) return t.skip('no database');
      w.notices.length = 0;
      const same = await w.groups.update(w.owner, design.id, { name: design.name, handle: 'CREW', disabled: true, workspaceUserIds: [w.owner.id, w.guest.id] });
      assert.deepEqual(same, design);
      assert.equal(w.notices.length, 0);
      await new Promise((r) => setTimeout(r, 2));
      const fewer = await w.groups.update(w.owner, design.id, { workspaceUserIds: [w.owner.id] });
      assert.deepEqual(fewer.memberIds, [w.owner.id]);
      assert.equal(fewer.name, design.name);
      assert.ok(fewer.updatedAt > design.updatedAt);
      assert.equal(w.notices.length, 1);
      const emptied = await w.groups.update(w.owner, design.id, { workspaceUserIds: [], disabled: false });
      assert.deepEqual(emptied.memberIds, []);
      assert.equal(emptied.disabled, false);
      design = emptied;
    });

    test('updates are refused to non-admins, for unknown groups, taken handles and bad input', async (t) => {
      if (!w) return t.skip('no database');
      const { groups, owner } = w;
      await rejectsWith(groups.update(w.member, design.id, { name: 'Mine' }), 'forbidden');
      await rejectsWith(groups.update(w.guest, design.id, { name: 'Mine' }), 'forbidden');
      await rejectsWith(groups.update(owner, newId(), { name: 'X' }), 'not_found');
      await rejectsWith(groups.update(w.stranger, design.id, { name: 'X' }), 'not_found');
      await rejectsWith(groups.update(owner, design.id, { handle: 'ops' }), 'conflict');
      await rejectsWith(groups.update(owner, design.id, { name: '' }), 'invalid', 'name');
      await rejectsWith(groups.update(owner, design.id, { handle: 'no way' }), 'invalid', 'handle');
      await rejectsWith(groups.update(owner, design.id, { workspaceUserIds: [w.stranger.id] }), 'invalid', 'workspaceUserIds[0]');
      // A refused update leaves the group as it was.
      assert.deepEqual(await groups.get(owner, design.id), design);
    });

    test('concurrent member updates of one group each apply whole', async (t) => {
      if (!w) return t.skip('no database');
      const sets = [[w.owner.id], [w.admin.id, w.member.id], [w.guest.id, w.owner.id, w.member.id]];
      await Promise.all(sets.map((ids) => w!.groups.update(w!.owner, design.id, { workspaceUserIds: ids })));
      const final = (await w.groups.get(w.owner, design.id)).memberIds;
      assert.ok(sets.some((ids) => JSON.stringify(sorted(ids)) === JSON.stringify(final)), `one whole set won: ${final}`);
    });

    test('a deactivated user stays a member and may still be listed', async (t) => {
      if (!w) return t.skip('no database');
      await w.core.accounts.setStatus(w.owner, w.member.id, 'DEACTIVATED');
      const g = await w.groups.update(w.owner, design.id, { workspaceUserIds: [w.member.id] });
      assert.deepEqual(g.memberIds, [w.member.id]);
      assert.deepEqual((await w.groups.list(w.owner)).find((x) => x.id === design.id)?.memberIds, [w.member.id]);
    });
  });
}

/** A person of the server tests: an id and a session token. */
interface Person {
  id: string;
  workspaceId: string;
  token: string;
}

// ---- the routes, through a real server, as people call them ----------------------------------------

describe('user group routes (SQLite server)', () => {
  let server: TestServer;
  let base: string;
  let w: { owner: Person; admin: Person; member: Person; guest: Person; stranger: Person };
  const person = (c: Client): Person => ({ id: c.userId, workspaceId: c.workspaceId, token: c.token });
  const as = (u: Person) => ({ authorization: `Bearer ${u.token}` });

  before(async () => {
    server = await startTestServer();
    base = server.url;
    w = {
      owner: person(server.owner),
      admin: person(await createUser(server.owner, 'ADMIN')),
      member: person(await createUser(server.owner, 'MEMBER')),
      guest: person(await createUser(server.owner, 'GUEST')),
      // nobody of this workspace: an id no user has
      stranger: { id: newId(), workspaceId: newId(), token: '' },
    };
  });

  after(async () => {
    await server?.close();
  });

  test('create, read, list and change a group in the contract shape', async () => {
    const created = await http(base, 'POST', '/v1/workspaceUsers/groups', {
      headers: as(w.owner),
      body: { name: 'Support', handle: 'support', description: 'Helpers', workspaceUserIds: [w.member.id] },
    });
    assert.equal(created.status, 200, created.text);
    const g = created.body;
    assert.deepEqual(Object.keys(g).sort(), ['createdBy', 'description', 'disabled', 'handle', 'id', 'name', 'workspaceId', 'workspaceUserIds']);
    assert.deepEqual(g, {
      id: g.id,
      name: 'Support',
      handle: 'support',
      description: 'Helpers',
      disabled: false,
      createdBy: w.owner.id,
      workspaceId: w.owner.workspaceId,
      workspaceUserIds: [w.member.id],
    });

    const list = await http(base, 'GET', '/v1/workspaceUsers/groups', { headers: as(w.guest) });
    assert.equal(list.status, 200, list.text);
    assert.deepEqual(list.body, [g]);

    const one = await http(base, 'GET', `/v1/workspaceUsers/groups/${g.id}`, { headers: as(w.member) });
    assert.deepEqual(one.body, g);

    const put = await http(base, 'PUT', `/v1/workspaceUsers/groups/${g.id}`, {
      headers: as(w.admin),
      body: { disabled: true, workspaceUserIds: [w.admin.id, w.member.id] },
    });
    assert.equal(put.status, 200, put.text);
    assert.equal(put.body.disabled, true);
    assert.deepEqual(put.body.workspaceUserIds, sorted([w.admin.id, w.member.id]));
    assert.equal(put.body.name, 'Support');
  });

  test('errors: 400 with the field, 403, 404, 409', async () => {
    const post = (u: Person, body: unknown) => http(base, 'POST', '/v1/workspaceUsers/groups', { headers: as(u), body });
    assertError(await post(w.owner, { name: 'x'.repeat(101), handle: 'x' }), 400, 'name');
    assertError(await post(w.owner, { name: 'X' }), 400, 'handle');
    assertError(await post(w.owner, { name: 'X', handle: 'x y' }), 400, 'handle');
    assertError(await post(w.owner, { name: 'X', handle: 'x', workspaceUserIds: [w.stranger.id] }), 400, 'workspaceUserIds[0]');
    assertError(await post(w.owner, { name: 'X', handle: 'x', disabled: 'yes', workspaceUserIds: 'all' }), 400, 'workspaceUserIds');
    assertError(await post(w.member, { name: 'X', handle: 'x' }), 403);
    assertError(await post(w.owner, { name: 'Again', handle: 'SUPPORT' }), 409);
    assertError(await http(base, 'GET', `/v1/workspaceUsers/groups/${newId()}`, { headers: as(w.owner) }), 404);
    assertError(await http(base, 'PUT', `/v1/workspaceUsers/groups/${newId()}`, { headers: as(w.owner), body: { name: 'Y' } }), 404);
    assertError(await http(base, 'PUT', `/v1/workspaceUsers/groups/${newId()}`, { headers: as(w.owner), body: { disabled: 1 } }), 400, 'disabled');
  });
});

// ---- through a real server: groups with the app events they cause ----------------------------------

describe('user group routes through the server', () => {
  let s: TestServer | undefined;
  after(async () => s?.close());

  test('people create and read groups; members may not create them', async (t) => {
    s = await startTestServer();
    const probe = await s.owner.get('/v1/workspaceUsers/groups');
    assert.equal(probe.status, 200, probe.text);
    assert.deepEqual(probe.body, []);
    const member = await createUser(s.owner, 'MEMBER');
    const created = await s.owner.post('/v1/workspaceUsers/groups', { name: 'Everyone', handle: 'everyone', workspaceUserIds: [s.ownerId, member.userId] });
    assert.equal(created.status, 200, created.text);
    const list = await member.get('/v1/workspaceUsers/groups');
    assert.equal(list.status, 200, list.text);
    assert.deepEqual(list.body, [created.body]);
    assert.deepEqual((await member.get(`/v1/workspaceUsers/groups/${created.body.id}`)).body, created.body);
    assertError(await member.post('/v1/workspaceUsers/groups', { name: 'Mine', handle: 'mine' }), 403);
    assertError(await member.put(`/v1/workspaceUsers/groups/${created.body.id}`, { name: 'Mine' }), 403);
  });

  test('WORKSPACE_USER_GROUP_CREATED / _UPDATED reach a subscribed app with the docs/app-platform.md §8.2 keys', async (t) => {
    if (!s) return t.skip('no server');
    const { owner, url, workspaceId, ownerId } = s;
    await s.sb.dispatcher.stop(); // keep the outbox as written; expanded by hand below
    const devToken = (await owner.post('/auth/developer-token')).body.token;
    const example = JSON.parse(readFileSync(new URL('../support/fixtures/example-manifest.json', import.meta.url), 'utf8'));
    const manifest = {
      ...example,
      name: 'group-watcher',
      bot: false,
      scopes: { botScopes: [], userScopes: ['group:read'] },
      eventSubscriptions: { url: 'https://watcher.example/events', events: ['WORKSPACE_USER_GROUP_CREATED', 'WORKSPACE_USER_GROUP_UPDATED'] },
    };
    const headers = { authtoken: devToken };
    const app = await http(url, 'POST', `/workspaces/${workspaceId}/workspaceUsers/${ownerId}/apps`, { body: manifest, headers });
    assert.equal(app.status, 200, app.text);
    const grant = await http(url, 'GET', `/workspaces/${workspaceId}/workspaceUsers/${ownerId}/oauth2/grant?${new URLSearchParams({ clientId: app.body.id, scopes: 'group:read' })}`, { headers });
    assert.equal(grant.status, 200, grant.text);

    const db = s.sb.database.db;
    const last = await db.selectFrom('domain_events').select('id').orderBy('id', 'desc').limit(1).executeTakeFirst();
    const created = (await owner.post('/v1/workspaceUsers/groups', { name: 'Watched', handle: 'watched', description: 'd', workspaceUserIds: [ownerId] })).body;
    const admin = await createUser(owner, 'ADMIN');
    await admin.put(`/v1/workspaceUsers/groups/${created.id}`, { disabled: true });
    const rows = await db.selectFrom('domain_events').selectAll().where('id', '>', last?.id ?? '').where('type', 'like', 'user_group.%').orderBy('id').execute();
    assert.deepEqual(rows.map((r) => r.type), ['user_group.created', 'user_group.updated'], 'both changes reach the outbox');
    const bodies = [];
    for (const r of rows) {
      const stored = { id: r.id, workspaceId: r.workspace_id, type: r.type as any, event: JSON.parse(r.payload), requestId: r.request_id, createdAt: Number(r.created_at) };
      for (const c of await appEventCopies(s.sb.store, stored, renderAppEvent)) {
        if (c.appId !== app.body.id) continue;
        const env = JSON.parse(c.envelope);
        assert.deepEqual(env.workspaceUserIds, [ownerId]);
        bodies.push({ eventType: env.eventType, body: JSON.parse(env.body) });
      }
    }
    assert.deepEqual(bodies.map((b) => b.eventType), ['WORKSPACE_USER_GROUP_CREATED', 'WORKSPACE_USER_GROUP_UPDATED']);
    const [c, u] = bodies.map((b) => ({ ...b.body, rid: typeof b.body.rid }));
    const common = { wId: workspaceId, cbId: ownerId, id: created.id, n: 'Watched', h: 'watched', d: 'd', uIds: [ownerId], cIds: [], rid: 'string' };
    assert.deepEqual(c, { ...common, di: false, ty: 'WORKSPACE_USER_GROUP_CREATED' });
    assert.deepEqual(u, { ...common, di: true, ty: 'WORKSPACE_USER_GROUP_UPDATED', uId: admin.userId });
  });
});
