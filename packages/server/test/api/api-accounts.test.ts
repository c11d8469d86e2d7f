/**
 * Accounts through real HTTP: login / logout, sessions (Bearer and `token` header), creating and
 * deactivating users, the workspace and its users as `/v1` shows them (spec §11, §12.4, §12.5).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Client, OWNER, createUser, http, login, startTestServer, type TestServer } from '../support/helpers.js';
import { assertError } from '../support/assertions.js';

const ID = /^[0-9a-f]{24}$/;

let s: TestServer;

before(async () => {
  s = await startTestServer();
});
after(() => s.close());

// ---- helpers ----------------------------------------------------------------------------------

const WORKSPACE_USER_KEYS = [
  'id',
  'email',
  'name',
  'workspaceId',
  'role',
  'status',
  'avatar',
  'timeZoneId',
  'automaticallyTimeZone',
  'title',
  'phone',
  'timeFormat',
];

function assertWorkspaceUser(u: any, expected: { id?: string; email?: string; name?: string; role?: string; status?: string } = {}): void {
  for (const key of WORKSPACE_USER_KEYS) assert.ok(key in u, `WorkspaceUser lacks ${key}`);
  assert.match(u.id, ID);
  assert.match(u.workspaceId, ID);
  assert.equal(u.workspaceId, s.workspaceId);
  assert.equal(typeof u.email, 'string');
  assert.equal(typeof u.name, 'string');
  assert.ok(['ADMINISTRATOR', 'USER', 'GUEST_MULTI_CHANNEL', 'GUEST_SINGLE_CHANNEL'].includes(u.role), `role ${u.role}`);
  assert.ok(['ACTIVATED', 'DEACTIVATED', 'INVITED'].includes(u.status), `status ${u.status}`);
  assert.equal(typeof u.avatar, 'object');
  assert.equal(typeof u.avatar.fullPath, 'string');
  assert.equal(typeof u.avatar.scaledPath, 'string');
  assert.equal(typeof u.timeZoneId, 'string');
  assert.equal(typeof u.automaticallyTimeZone, 'boolean');
  assert.equal(typeof u.title, 'string');
  assert.equal(typeof u.phone, 'string');
  assert.equal(typeof u.timeFormat, 'string');
  if ('isAddonBot' in u) assert.equal(u.isAddonBot, false);
  if ('isPumbleBot' in u) assert.equal(u.isPumbleBot, false);
  for (const key of Object.keys(u)) assert.doesNotMatch(key, /password|hash|token|secret/i, `WorkspaceUser leaks ${key}`);
  for (const [k, v] of Object.entries(expected)) assert.equal(u[k], v, `WorkspaceUser.${k}`);
}

function uniqueEmail(tag: string): string {
  return `${tag}-${randomBytes(4).toString('hex')}@example.com`;
}

/** Creates a user through the API and returns the created WorkspaceUser and the credentials. */
async function newUser(admin: Client, role: string, name = 'Someone') {
  const email = uniqueEmail(role.toLowerCase());
  const password = `pw-${randomBytes(6).toString('hex')}`;
  const r = await admin.post('/v1/workspaceUsers', { email, name, password, role });
  assert.equal(r.status, 200, r.text);
  return { user: r.body, email, password };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

// ---- login / logout ---------------------------------------------------------------------------

test('POST /auth/login answers {token, workspaceId, workspaceUserId} and the token works as Bearer and as `token` header', async () => {
  const r = await http(s.url, 'POST', '/auth/login', { body: { email: OWNER.email, password: OWNER.password } });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(Object.keys(r.body).sort(), ['token', 'workspaceId', 'workspaceUserId']);
  assert.equal(typeof r.body.token, 'string');
  assert.ok(r.body.token.length >= 20, 'a token with real entropy');
  assert.equal(r.body.workspaceId, s.workspaceId);
  assert.equal(r.body.workspaceUserId, s.ownerId);
  assert.match(r.body.workspaceUserId, ID);

  const viaBearer = await http(s.url, 'GET', `/v1/workspaceUsers/${s.ownerId}`, { headers: bearer(r.body.token) });
  assert.equal(viaBearer.status, 200, viaBearer.text);
  assert.equal(viaBearer.body.email, OWNER.email);

  const viaHeader = await http(s.url, 'GET', `/v1/workspaceUsers/${s.ownerId}`, { headers: { token: r.body.token } });
  assert.equal(viaHeader.status, 200, viaHeader.text);
  assert.deepEqual(viaHeader.body, viaBearer.body);

  const channels = await http(s.url, 'GET', '/v1/channels', { headers: { token: r.body.token } });
  assert.equal(channels.status, 200);
  assert.ok(Array.isArray(channels.body));
});

test('every login is a new session with its own token', async () => {
  const a = await login(s.url, OWNER.email, OWNER.password);
  const b = await login(s.url, OWNER.email, OWNER.password);
  assert.notEqual(a.token, b.token);
  assert.notEqual(a.token, s.owner.token);
});

test('login with a wrong password or an unknown e-mail: 401, code 401000, the same body for both', async () => {
  const wrong = await http(s.url, 'POST', '/auth/login', { body: { email: OWNER.email, password: 'not-the-password' } });
  assertError(wrong, 401);
  const unknown = await http(s.url, 'POST', '/auth/login', { body: { email: 'nobody@example.com', password: OWNER.password } });
  assertError(unknown, 401);
  assert.deepEqual(unknown.body, wrong.body, 'the answer must not reveal which e-mails exist');
});

test('the e-mail of a login is not case-sensitive; the password is', async () => {
  const r = await http(s.url, 'POST', '/auth/login', { body: { email: OWNER.email.toUpperCase(), password: OWNER.password } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.workspaceUserId, s.ownerId);
  const upperPw = await http(s.url, 'POST', '/auth/login', { body: { email: OWNER.email, password: OWNER.password.toUpperCase() } });
  assertError(upperPw, 401);
});

test('login with missing or mistyped fields: 400 naming the field', async () => {
  assertError(await http(s.url, 'POST', '/auth/login', { body: { email: OWNER.email } }), 400, 'password');
  assertError(await http(s.url, 'POST', '/auth/login', { body: { password: OWNER.password } }), 400, 'email');
  assertError(await http(s.url, 'POST', '/auth/login', { body: { email: 42, password: OWNER.password } }), 400, 'email');
  assertError(await http(s.url, 'POST', '/auth/login', { body: { email: OWNER.email, password: ['x'] } }), 400, 'password');
});

test('logout ends that session at once (and only that one)', async () => {
  const a = await login(s.url, OWNER.email, OWNER.password);
  const b = await login(s.url, OWNER.email, OWNER.password);
  assert.equal((await a.get('/v1/workspace')).status, 200);

  const out = await a.post('/auth/logout');
  assert.equal(out.status, 200, out.text);
  assert.deepEqual(out.body, {});

  assertError(await a.get('/v1/workspace'), 401);
  assertError(await http(s.url, 'GET', '/v1/workspace', { headers: { token: a.token } }), 401);
  assertError(await a.post('/auth/logout'), 401);
  assert.equal((await b.get('/v1/workspace')).status, 200, 'the other session lives on');
});

test('logout works with the `token` header too', async () => {
  const a = await login(s.url, OWNER.email, OWNER.password);
  const out = await http(s.url, 'POST', '/auth/logout', { headers: { token: a.token } });
  assert.equal(out.status, 200, out.text);
  assertError(await a.get('/v1/channels'), 401);
});

test('logout without a token: 401', async () => {
  assertError(await http(s.url, 'POST', '/auth/logout'), 401);
  assertError(await http(s.url, 'POST', '/auth/logout', { headers: bearer('sbs_not-a-real-token') }), 401);
});

test('/v1 without a token, with an unknown token or a malformed Authorization: 401, code 401000', async () => {
  const variants: Array<Record<string, string>> = [{}, bearer('nope'), { token: 'nope' }, { authorization: 'Bearer' }, { authorization: `Basic ${s.owner.token}` }];
  for (const headers of variants) {
    for (const path of ['/v1/workspace', '/v1/channels', '/v1/workspaceUsers', `/v1/channels/${s.generalId}/messages`]) {
      assertError(await http(s.url, 'GET', path, { headers }), 401);
    }
  }
  assertError(await http(s.url, 'POST', `/v1/channels/${s.generalId}/messages`, { body: { text: 'hi' } }), 401);
});

// ---- creating users ----------------------------------------------------------------------------

test('owners create users of every role; /v1 maps the roles of §12.5; the new user can log in', async () => {
  const expected: Record<string, string> = { OWNER: 'ADMINISTRATOR', ADMIN: 'ADMINISTRATOR', MEMBER: 'USER', GUEST: 'GUEST_MULTI_CHANNEL' };
  for (const role of ['OWNER', 'ADMIN', 'MEMBER', 'GUEST']) {
    const { user, email, password } = await newUser(s.owner, role, `  Person ${role} `);
    assertWorkspaceUser(user, { email, role: expected[role], status: 'ACTIVATED', name: `Person ${role}` });
    assert.notEqual(user.id, s.ownerId);

    const r = await http(s.url, 'POST', '/auth/login', { body: { email, password } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.workspaceUserId, user.id);
    assert.equal(r.body.workspaceId, s.workspaceId);

    const me = await http(s.url, 'GET', `/v1/workspaceUsers/${user.id}`, { headers: bearer(r.body.token) });
    assert.equal(me.status, 200);
    assert.deepEqual(me.body, user);
  }
});

test('e-mails are stored lower-cased and unique per workspace: a second user with the same e-mail is 409', async () => {
  const email = uniqueEmail('dup');
  const first = await s.owner.post('/v1/workspaceUsers', { email: email.toUpperCase(), name: 'First', password: 'long-enough-1', role: 'MEMBER' });
  assert.equal(first.status, 200, first.text);
  assert.equal(first.body.email, email);
  assertError(await s.owner.post('/v1/workspaceUsers', { email, name: 'Second', password: 'long-enough-2', role: 'MEMBER' }), 409);
  assertError(await s.owner.post('/v1/workspaceUsers', { email: OWNER.email, name: 'Third', password: 'long-enough-3', role: 'MEMBER' }), 409);
});

test('concurrent creation of users with one e-mail: exactly one succeeds, the others are 409', async () => {
  const email = uniqueEmail('race');
  const rs = await Promise.all(
    [1, 2, 3].map((i) => s.owner.post('/v1/workspaceUsers', { email, name: `Racer ${i}`, password: 'long-enough-pw', role: 'MEMBER' })),
  );
  assert.deepEqual(rs.map((r) => r.status).sort(), [200, 409, 409]);
  for (const r of rs) if (r.status === 409) assertError(r, 409);
  const users = (await s.owner.get('/v1/workspaceUsers')).body as any[];
  assert.equal(users.filter((u) => u.email === email).length, 1);
});

test('creating a user with bad input: 400 naming the field', async () => {
  const ok = { email: uniqueEmail('bad'), name: 'Bad Input', password: 'long-enough-pw', role: 'MEMBER' };
  assertError(await s.owner.post('/v1/workspaceUsers', { ...ok, password: 'short' }), 400, 'password');
  assertError(await s.owner.post('/v1/workspaceUsers', { ...ok, email: 'not-an-email' }), 400, 'email');
  assertError(await s.owner.post('/v1/workspaceUsers', { ...ok, email: 'two words@example.com' }), 400, 'email');
  assertError(await s.owner.post('/v1/workspaceUsers', { ...ok, role: 'KING' }), 400, 'role');
  assertError(await s.owner.post('/v1/workspaceUsers', { ...ok, role: 'member' }), 400, 'role');
  assertError(await s.owner.post('/v1/workspaceUsers', { ...ok, name: '' }), 400, 'name');
  assertError(await s.owner.post('/v1/workspaceUsers', { ...ok, name: '   ' }), 400, 'name');
  assertError(await s.owner.post('/v1/workspaceUsers', { ...ok, name: 7 }), 400, 'name');
  const { email: _e, ...noEmail } = ok;
  assertError(await s.owner.post('/v1/workspaceUsers', noEmail), 400, 'email');
  // nothing was created by any of these
  const users = (await s.owner.get('/v1/workspaceUsers')).body as any[];
  assert.ok(!users.some((u) => u.email === ok.email));
});

test('only owners and admins create users; only owners create owners', async () => {
  const member = await createUser(s.owner, 'MEMBER');
  const guest = await createUser(s.owner, 'GUEST');
  const admin = await createUser(s.owner, 'ADMIN');
  const body = (role: string) => ({ email: uniqueEmail('perm'), name: 'Perm', password: 'long-enough-pw', role });

  assertError(await member.post('/v1/workspaceUsers', body('MEMBER')), 403);
  assertError(await guest.post('/v1/workspaceUsers', body('GUEST')), 403);
  assertError(await admin.post('/v1/workspaceUsers', body('OWNER')), 403);

  const byAdmin = await admin.post('/v1/workspaceUsers', body('MEMBER'));
  assert.equal(byAdmin.status, 200, byAdmin.text);
  assertWorkspaceUser(byAdmin.body, { role: 'USER' });
});

test('workspace users: list and get by id; unknown ids are 404', async () => {
  const member = await createUser(s.owner, 'MEMBER', 'Listed Member');
  const list = await member.get('/v1/workspaceUsers');
  assert.equal(list.status, 200);
  assert.ok(Array.isArray(list.body));
  for (const u of list.body) assertWorkspaceUser(u);
  const ids = list.body.map((u: any) => u.id);
  assert.equal(new Set(ids).size, ids.length, 'no duplicates');
  const owner = list.body.find((u: any) => u.id === s.ownerId);
  assertWorkspaceUser(owner, { email: OWNER.email, role: 'ADMINISTRATOR', status: 'ACTIVATED' });
  const me = list.body.find((u: any) => u.id === member.userId);
  assertWorkspaceUser(me, { name: 'Listed Member', role: 'USER' });

  const one = await member.get(`/v1/workspaceUsers/${s.ownerId}`);
  assert.equal(one.status, 200);
  assert.deepEqual(one.body, owner);

  assertError(await member.get('/v1/workspaceUsers/ffffffffffffffffffffffff'), 404);
  assertError(await member.get('/v1/workspaceUsers/not-an-id'), 404);
});

test('GET /v1/workspace: {id, name, customStatusDefinitions, uniqueIdentifier}', async () => {
  const member = await createUser(s.owner, 'MEMBER');
  for (const c of [s.owner, member]) {
    const r = await c.get('/v1/workspace');
    assert.equal(r.status, 200);
    assert.equal(r.body.id, s.workspaceId);
    assert.match(r.body.id, ID);
    assert.equal(r.body.name, 'Test Workspace');
    assert.deepEqual(r.body.customStatusDefinitions, []);
    assert.equal(typeof r.body.uniqueIdentifier, 'string');
    assert.ok(r.body.uniqueIdentifier.length > 0);
  }
});

// ---- deactivation --------------------------------------------------------------------------------

test('a deactivated user is locked out at once: every session 401 on the next request, login 401', async () => {
  const { user, email, password } = await newUser(s.owner, 'MEMBER', 'Soon Gone');
  const one = await login(s.url, email, password);
  const two = await login(s.url, email, password);
  assert.equal((await one.get('/v1/channels')).status, 200);
  assert.equal((await http(s.url, 'GET', '/v1/channels', { headers: { token: two.token } })).status, 200);

  const r = await s.owner.post(`/v1/workspaceUsers/${user.id}/deactivate`);
  assert.equal(r.status, 200, r.text);
  assertWorkspaceUser(r.body, { id: user.id, status: 'DEACTIVATED' });

  assertError(await one.get('/v1/channels'), 401);
  assertError(await one.post(`/v1/channels/${s.generalId}/messages`, { text: 'still here?' }), 401);
  assertError(await http(s.url, 'GET', '/v1/channels', { headers: { token: two.token } }), 401);
  assertError(await http(s.url, 'GET', '/v1/workspace', { headers: bearer(two.token) }), 401);
  // The right password is told why; a wrong one learns nothing more than for any address.
  const refused = await http(s.url, 'POST', '/auth/login', { body: { email, password } });
  assertError(refused, 401);
  assert.match(refused.body.message, /This account is deactivated; a workspace admin can reactivate it/);
  const wrong = await http(s.url, 'POST', '/auth/login', { body: { email, password: 'not-the-password' } });
  assertError(wrong, 401);
  assert.doesNotMatch(wrong.body.message, /deactivated/);

  // still a workspace user, shown as deactivated
  const seen = await s.owner.get(`/v1/workspaceUsers/${user.id}`);
  assert.equal(seen.status, 200);
  assert.equal(seen.body.status, 'DEACTIVATED');
  const listed = ((await s.owner.get('/v1/workspaceUsers')).body as any[]).find((u) => u.id === user.id);
  assert.equal(listed.status, 'DEACTIVATED');
});

test('reactivating a user does not revive their old sessions; a new login works', async () => {
  const { user, email, password } = await newUser(s.owner, 'MEMBER', 'Comes Back');
  const old = await login(s.url, email, password);
  assert.equal((await s.owner.post(`/v1/workspaceUsers/${user.id}/deactivate`)).status, 200);
  const back = await s.owner.post(`/v1/workspaceUsers/${user.id}/activate`);
  assert.equal(back.status, 200, back.text);
  assert.equal(back.body.status, 'ACTIVATED');
  assertError(await old.get('/v1/workspace'), 401);
  const fresh = await login(s.url, email, password);
  assert.equal((await fresh.get('/v1/workspace')).status, 200);
});

test('who may deactivate whom', async () => {
  const member = await createUser(s.owner, 'MEMBER');
  const admin = await createUser(s.owner, 'ADMIN');
  const target = await createUser(s.owner, 'MEMBER');

  assertError(await member.post(`/v1/workspaceUsers/${target.userId}/deactivate`), 403);
  assertError(await admin.post(`/v1/workspaceUsers/${s.ownerId}/deactivate`), 403);
  assertError(await s.owner.post(`/v1/workspaceUsers/${s.ownerId}/deactivate`), 403);
  assertError(await s.owner.post('/v1/workspaceUsers/ffffffffffffffffffffffff/deactivate'), 404);
  // nobody above was deactivated
  assert.equal((await target.get('/v1/workspace')).status, 200);
  assert.equal((await s.owner.get('/v1/workspace')).status, 200);

  const r = await admin.post(`/v1/workspaceUsers/${target.userId}/deactivate`);
  assert.equal(r.status, 200, r.text);
  assertError(await target.get('/v1/workspace'), 401);
});

// ---- secrets at rest -------------------------------------------------------------------------------

test('passwords are stored as scrypt hashes and session tokens only as hashes', async () => {
  const { email, password } = await newUser(s.owner, 'MEMBER', 'Secret Keeper');
  const c = await login(s.url, email, password);
  const db = s.sb.database.db as any;
  const users: Array<{ email: string; password_hash: string | null }> = await db.selectFrom('workspace_users').select(['email', 'password_hash']).execute();
  const row = users.find((u) => u.email === email);
  assert.ok(row?.password_hash, 'the user has a password hash');
  assert.match(row.password_hash, /^scrypt\$/);
  assert.ok(!row.password_hash.includes(password));
  for (const u of users) assert.ok(!u.password_hash?.includes(OWNER.password));

  const sessions: Array<Record<string, unknown>> = await db.selectFrom('sessions').selectAll().execute();
  assert.ok(sessions.length >= 2);
  const dump = JSON.stringify(sessions);
  for (const token of [c.token, s.owner.token]) {
    assert.ok(!dump.includes(token), 'a raw token is stored');
    assert.ok(!dump.includes(token.slice(-24)), 'a part of a raw token is stored');
  }
});
