/**
 * Rocket.Chat's REST face at /api/v1 (docs/integrations.md §2, §3, §12.5) through real HTTP: login by
 * username and by e-mail, the exact failure bodies of §2 and §3, tokens bound to X-User-Id, the
 * envelope of every status, pagination, and the supporting user, permission and room endpoints.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Validator } from '@seriousme/openapi-schema-validator';
import { http, OWNER, startTestServer, type TestServer } from '../support/helpers.js';
import { rcCreateUser, rcLogin, setPermissions, type RcClient } from '../support/rocketchat-client.js';

const NOT_LOGGED_IN = { success: false, status: 'error', error: 'You must be logged in to do this.', message: 'You must be logged in to do this.' };
const LOGIN_FAILED = { success: false, status: 'error', error: 'Unauthorized', message: 'Unauthorized' };
const FORBIDDEN = { success: false, error: 'User does not have the permissions required for this action [error-unauthorized]' };

let s: TestServer;
let owner: RcClient;

before(async () => {
  s = await startTestServer({ env: { HOOK_RATE_LIMITS: 'off' } });
  owner = await rcLogin(s.url, OWNER.email, OWNER.password);
});
after(() => s.close());

const login = (body: unknown) => http(s.url, 'POST', '/api/v1/login', { body });

describe('login, logout, me (§2)', () => {
  test('login by username, by e-mail, and with the username / email fields gives the §2.1 body', async () => {
    const u = await rcCreateUser(owner, { username: 'login.tester' });
    for (const body of [
      { user: 'login.tester', password: u.password },
      { user: 'login.tester@rocket.chat', password: u.password },
      { username: 'login.tester', password: u.password },
      { email: 'LOGIN.tester@rocket.chat', password: u.password },
    ]) {
      const r = await login(body);
      assert.equal(r.status, 200, `${JSON.stringify(body)}: ${r.text}`);
      assert.equal(r.body.status, 'success');
      assert.equal(r.body.success, true);
      assert.equal(r.body.data.userId, u._id);
      assert.match(r.body.data.authToken, /^\S{20,}$/);
      assert.deepEqual(r.body.data.me, {
        ...r.body.data.me,
        _id: u._id,
        username: 'login.tester',
        name: 'login.tester',
        emails: [{ address: 'login.tester@rocket.chat', verified: true }],
        roles: ['user'],
        active: true,
      });
      assert.equal(r.body.data.me.password, undefined);
    }
  });

  test('the bootstrap owner is admin; wrong password and unknown user give the same 401 body', async () => {
    const me = await owner.get('me');
    assert.equal(me.status, 200);
    assert.equal(me.body.success, true);
    assert.deepEqual(me.body.roles, ['admin']);
    assert.equal(me.body._id, owner.userId);
    for (const body of [
      { user: 'owner', password: 'wrong-password' },
      { user: 'nobody.here', password: 'whatever-pass' },
      { user: 'nobody@example.com', password: 'whatever-pass' },
      { password: 'no-identifier' },
    ]) {
      const r = await login(body);
      assert.equal(r.status, 401, JSON.stringify(body));
      assert.deepEqual(r.body, LOGIN_FAILED);
    }
  });

  test('after 10 failures for one user from one address, under either name, login answers 429 with the rate-limit headers', async () => {
    const u = await rcCreateUser(owner, { username: 'brute.target' });
    for (let i = 0; i < 10; i++) {
      const user = i % 2 === 0 ? 'brute.target' : 'brute.target@rocket.chat';
      assert.equal((await login({ user, password: 'nope' })).status, 401);
    }
    const asked = Date.now();
    const r = await login({ user: 'brute.target', password: u.password });
    assert.equal(r.status, 429);
    assert.equal(r.body.success, false);
    assert.equal(r.body.errorType, 'error-too-many-requests');
    assert.match(r.body.error, /^Error, too many requests\. Please slow down\. You must wait \d+ seconds before trying this endpoint again\. \[error-too-many-requests\]$/);
    assert.equal(r.headers.get('x-ratelimit-limit'), '10');
    assert.equal(r.headers.get('x-ratelimit-remaining'), '0');
    assert.ok(Number(r.headers.get('retry-after')) > 0);
    assert.ok(Number(r.headers.get('x-ratelimit-reset')) > asked, 'the window ends after the refused request');
  });

  test('missing, partial or wrong headers, and a token presented under another user id, are 401', async () => {
    const u = await rcCreateUser(owner, { username: 'token.holder' });
    const client = await rcLogin(s.url, u.username, u.password);
    const cases: Array<Record<string, string>> = [
      {},
      { 'x-user-id': client.userId },
      { 'x-auth-token': client.authToken },
      { 'x-user-id': client.userId, 'x-auth-token': 'sbs_not-a-token' },
      // a valid token, but not this user's
      { 'x-user-id': owner.userId, 'x-auth-token': client.authToken },
    ];
    for (const headers of cases) {
      const r = await http(s.url, 'GET', '/api/v1/me', { headers });
      assert.equal(r.status, 401, JSON.stringify(headers));
      assert.deepEqual(r.body, NOT_LOGGED_IN);
    }
    // 401 comes before everything else: before the route-level permission and the schema
    const list = await http(s.url, 'GET', '/api/v1/integrations.list?query=x');
    assert.deepEqual([list.status, list.body], [401, NOT_LOGGED_IN]);
    const create = await http(s.url, 'POST', '/api/v1/integrations.create', { body: { nonsense: true } });
    assert.deepEqual([create.status, create.body], [401, NOT_LOGGED_IN]);
    assert.equal((await client.get('me')).body.username, 'token.holder');
  });

  test('logout (POST and GET) ends that token only', async () => {
    const u = await rcCreateUser(owner, { username: 'logout.tester' });
    const first = await rcLogin(s.url, u.username, u.password);
    const second = await rcLogin(s.url, u.username, u.password);
    const out = await first.post('logout');
    assert.equal(out.status, 200);
    assert.deepEqual(out.body, { status: 'success', data: { message: "You've been logged out!" }, success: true });
    assert.deepEqual((await first.get('me')).body, NOT_LOGGED_IN);
    assert.equal((await second.get('me')).status, 200);
    assert.equal((await second.get('logout')).status, 200);
    assert.equal((await second.get('me')).status, 401);
  });
});

describe('the envelope (§3)', () => {
  test('unknown routes are 404 Resource not found, with or without credentials', async () => {
    for (const r of [await owner.get('no.such.route'), await http(s.url, 'POST', '/api/v1/nope', { body: {} })]) {
      assert.equal(r.status, 404);
      assert.deepEqual(r.body, { success: false, error: 'Resource not found' });
    }
    // the rest of the server keeps its own error body
    const v1 = await http(s.url, 'GET', '/v1/no-such-route');
    assert.equal(v1.body.code, 404000);
  });

  test('schema failures are 400 invalid-params with the validator messages', async () => {
    const r = await owner.get('integrations.get');
    assert.equal(r.status, 400);
    assert.deepEqual(r.body, { success: false, error: "must have required property 'integrationId' [invalid-params]", errorType: 'invalid-params' });
    const clear = await owner.post('integrations.clearHistory', { integrationId: 42 });
    assert.deepEqual(clear.body, { success: false, error: 'must be string [invalid-params]', errorType: 'invalid-params' });
    const bad = await http(s.url, 'POST', '/api/v1/integrations.clearHistory', { headers: { ...owner.headers, 'content-type': 'application/json' }, raw: '{"integrationId":' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.success, false);
    assert.match(bad.body.error, /JSON/);
  });

  test('coded and plain errors of the service: 400 with errorType, or with the text alone', async () => {
    const coded = await owner.post('integrations.clearHistory', { integrationId: 'does-not-exist' });
    assert.deepEqual([coded.status, coded.body], [400, { success: false, error: 'Invalid integration [error-invalid-integration]', errorType: 'error-invalid-integration' }]);
    const plain = await owner.get('integrations.get', { integrationId: 'does-not-exist' });
    assert.deepEqual([plain.status, plain.body], [400, { success: false, error: 'The integration does not exists.' }]);
    const type = await owner.post('integrations.create', {
      type: 'webhook-incoming-invalid',
      name: 'x',
      enabled: true,
      username: 'owner',
      scriptEnabled: false,
      channel: '#general',
    });
    assert.deepEqual([type.status, type.body], [400, { success: false, error: 'Invalid integration type.' }]);
  });

  test('route-level permission: 403 before the schema is looked at; per-type permission: 400 not_authorized', async () => {
    const u = await rcCreateUser(owner, { username: 'no.rights' });
    const client = await rcLogin(s.url, u.username, u.password);
    for (const r of [await client.get('integrations.list'), await client.get('integrations.list', { query: '{}' }), await client.post('integrations.remove', { bogus: 1 })]) {
      assert.deepEqual([r.status, r.body], [403, FORBIDDEN]);
    }
    const hist = await client.get('integrations.history');
    assert.deepEqual([hist.status, hist.body], [403, FORBIDDEN]);
    const inc = await client.get('integrations.incomingHistory', { id: 'x' });
    assert.deepEqual([inc.status, inc.body], [403, FORBIDDEN]);
    const create = await client.post('integrations.create', { type: 'webhook-incoming', name: 'x', enabled: true, username: 'no.rights', scriptEnabled: false, channel: '#general' });
    assert.deepEqual([create.status, create.body], [400, { success: false, error: 'Unauthorized [not_authorized]', errorType: 'not_authorized' }]);
  });

  test('pagination: offset, count (default 50, max 100), sort as JSON; query and fields refused', async () => {
    const made: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await owner.post('integrations.create', {
        type: 'webhook-incoming',
        name: `Paged ${i}`,
        enabled: true,
        username: 'owner',
        scriptEnabled: false,
        channel: '#general',
      });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.integration.scriptCompiled, undefined);
      made.push(r.body.integration._id);
    }
    const all = await owner.get('integrations.list', { name: 'paged' });
    assert.equal(all.status, 200);
    assert.deepEqual({ ...all.body, integrations: undefined }, { integrations: undefined, offset: 0, items: 5, count: 5, total: 5, success: true });
    // default sort: newest first
    assert.deepEqual(all.body.integrations.map((i: { _id: string }) => i._id), [...made].reverse());

    const second = await owner.get('integrations.list', { name: 'paged', offset: 1, count: 2, sort: JSON.stringify({ name: 1 }) });
    assert.deepEqual(second.body.integrations.map((i: { name: string }) => i.name), ['Paged 1', 'Paged 2']);
    assert.deepEqual([second.body.offset, second.body.items, second.body.count, second.body.total], [1, 2, 2, 5]);
    const big = await owner.get('integrations.list', { count: 1000 });
    assert.equal(big.status, 200);

    const refused: Array<Record<string, string>> = [{ query: '{"name":"x"}' }, { fields: '{"name":1}' }, { sort: 'not json' }, { sort: '{"token":1}' }, { sort: '{"name":2}' }];
    for (const query of refused) {
      const r = await owner.get('integrations.list', query);
      assert.equal(r.status, 400, JSON.stringify(query));
      assert.equal(r.body.errorType, 'invalid-params');
      assert.match(r.body.error, / \[invalid-params\]$/);
    }
    const neg = await owner.get('integrations.list', { offset: -1 });
    assert.equal(neg.body.errorType, 'invalid-params');

    const history = await owner.get('integrations.incomingHistory', { id: made[0]! });
    assert.deepEqual(history.body, { history: [], offset: 0, items: 0, count: 0, total: 0, success: true });
  });
});

describe('supporting endpoints (§12.5)', () => {
  test('users.create: roles map to admin or member plus extra roles; usernames are unique; only admins create', async () => {
    const bot = await owner.post('users.create', { email: 'robo@example.com', name: 'Robo', password: 'robo-password', username: 'robo', roles: ['bot'] });
    assert.equal(bot.status, 200, bot.text);
    assert.deepEqual(bot.body.user.roles, ['user', 'bot']);
    const admin = await rcCreateUser(owner, { username: 'second.admin', roles: ['admin'] });
    const info = await owner.get('users.info', { userId: admin._id });
    assert.deepEqual(info.body.user.roles, ['admin']);
    assert.equal((await owner.get('users.info', { username: 'robo' })).body.user._id, bot.body.user._id);
    // upstream's users.info failures are plain 400s
    const unknown = await owner.get('users.info', { username: 'nobody.at.all' });
    assert.deepEqual([unknown.status, unknown.body], [400, { success: false, error: 'User not found.' }]);

    const dup = await owner.post('users.create', { email: 'other@example.com', name: 'Other', password: 'other-password', username: 'robo' });
    assert.equal(dup.status, 400);
    assert.equal(dup.body.success, false);
    assert.match(dup.body.error, /robo is already in use/);

    const member = await rcCreateUser(owner, { username: 'plain.member' });
    const client = await rcLogin(s.url, member.username, member.password);
    const refused = await client.post('users.create', { email: 'x@example.com', name: 'X', password: 'x-password-1', username: 'xx' });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.success, false);

    // users.delete deactivates: the sessions end, login is refused, and integrations posting as them stop (§4)
    const hook = await owner.post('integrations.create', {
      type: 'webhook-incoming',
      name: 'posts as the member',
      enabled: true,
      username: member.username,
      scriptEnabled: false,
      channel: '#general',
    });
    assert.equal(hook.status, 200, hook.text);
    assert.equal((await owner.post('users.delete', { userId: member._id })).status, 200);
    assert.equal((await client.get('me')).status, 401);
    assert.equal((await login({ user: member.username, password: member.password })).status, 401);
    const disabled = (await owner.get('integrations.get', { integrationId: hook.body.integration._id })).body.integration;
    assert.deepEqual([disabled.enabled, disabled.disabledReason], [false, 'post-as-user-deleted']);
    assert.equal((await owner.post('users.delete', { userId: 'ffffffffffffffffffffffff' })).status, 404);
  });

  test('permissions.update and permissions.listAll; only admins change the mapping, unknown permissions are refused', async () => {
    const r = await owner.post('permissions.update', { permissions: [{ _id: 'manage-own-incoming-integrations', roles: ['admin', 'user'] }] });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body, { permissions: [{ _id: 'manage-own-incoming-integrations', roles: ['admin', 'user'] }], success: true });
    const all = await owner.get('permissions.listAll');
    assert.deepEqual(all.body.update.find((p: { _id: string }) => p._id === 'manage-own-incoming-integrations').roles, ['admin', 'user']);
    assert.deepEqual(all.body.update.find((p: { _id: string }) => p._id === 'message-impersonate').roles, ['bot', 'app']);
    const unknown = await owner.post('permissions.update', { permissions: [{ _id: 'launch-rockets', roles: ['user'] }] });
    assert.equal(unknown.status, 400);
    const member = await rcCreateUser(owner, { username: 'perm.member' });
    const client = await rcLogin(s.url, member.username, member.password);
    assert.equal((await client.post('permissions.update', { permissions: [{ _id: 'manage-incoming-integrations', roles: ['user'] }] })).status, 403);
    await setPermissions(owner, { ownInc: ['admin'] });
  });

  test('channels and groups: create with members, info, members, messages newest first, delete (archive)', async () => {
    await rcCreateUser(owner, { username: 'alice.rooms' });
    const bob = await rcCreateUser(owner, { username: 'bob.rooms' });
    const c = await owner.post('channels.create', { name: 'rooms-public', members: ['alice.rooms'] });
    assert.equal(c.status, 200, c.text);
    assert.equal(c.body.channel.t, 'c');
    assert.equal(c.body.channel.name, 'rooms-public');
    assert.equal(c.body.channel.fname, 'rooms-public');
    assert.equal(c.body.channel.u._id, owner.userId);
    assert.match(c.body.channel.ts, /^\d{4}-\d\d-\d\dT/);
    const roomId = c.body.channel._id;

    const members = await owner.get('channels.members', { roomId });
    assert.deepEqual(members.body.members.map((m: { username: string }) => m.username).sort(), ['alice.rooms', 'owner']);
    assert.deepEqual([members.body.total, members.body.count, members.body.offset], [2, 2, 0]);
    assert.equal((await owner.get('channels.info', { roomName: 'rooms-public' })).body.channel._id, roomId);

    // an unknown member creates nothing
    const failed = await owner.post('channels.create', { name: 'rooms-never', members: ['no.such.user'] });
    assert.deepEqual([failed.status, failed.body.errorType], [400, 'error-invalid-user']);
    assert.equal((await owner.get('channels.info', { roomName: 'rooms-never' })).body.errorType, 'error-room-not-found');

    for (const text of ['first', 'second', 'third']) assert.equal((await s.owner.post(`/v1/channels/${roomId}/messages`, { text })).status, 200);
    const msgs = await owner.get('channels.messages', { roomId });
    assert.equal(msgs.status, 200);
    assert.deepEqual(msgs.body.messages.map((m: { msg: string }) => m.msg), ['third', 'second', 'first']);
    const m0 = msgs.body.messages[0];
    assert.deepEqual(Object.keys(m0).sort(), ['_id', '_updatedAt', 'msg', 'rid', 'ts', 'u']);
    assert.deepEqual(m0.u, { _id: owner.userId, username: 'owner', name: 'owner' });
    assert.equal(m0.rid, roomId);
    const paged = await owner.get('channels.messages', { roomId, offset: 1, count: 1 });
    assert.deepEqual([paged.body.messages[0].msg, paged.body.total, paged.body.count, paged.body.offset], ['second', 3, 1, 1]);

    const g = await owner.post('groups.create', { name: 'rooms-private' });
    assert.equal(g.body.group.t, 'p');
    // a private room is not a channel, and outsiders do not see it
    assert.equal((await owner.get('channels.messages', { roomId: g.body.group._id })).body.errorType, 'error-room-not-found');
    const bobClient = await rcLogin(s.url, bob.username, bob.password);
    assert.equal((await bobClient.get('groups.messages', { roomId: g.body.group._id })).body.errorType, 'error-room-not-found');
    assert.deepEqual((await owner.get('groups.messages', { roomId: g.body.group._id })).body, { messages: [], offset: 0, items: 0, count: 0, total: 0, success: true });

    const im = await owner.post('im.create', { username: 'bob.rooms' });
    assert.equal(im.status, 200, im.text);
    assert.equal(im.body.room.t, 'd');
    assert.deepEqual([...im.body.room.usernames].sort(), ['bob.rooms', 'owner']);
    assert.equal((await owner.post('im.create', { username: 'bob.rooms' })).body.room._id, im.body.room._id);

    assert.equal((await owner.post('channels.delete', { roomId })).status, 200);
    assert.equal((await owner.get('channels.info', { roomId })).body.channel.archived, true);
    assert.equal((await s.owner.post(`/v1/channels/${roomId}/messages`, { text: 'after' })).status, 403);
    assert.equal((await owner.post('groups.delete', { roomId })).body.errorType, 'error-room-not-found');
  });

  test('the routes are in a valid OpenAPI document, with the request schemas and the headers they need', async () => {
    const doc = (await http(s.url, 'GET', '/openapi.json')).body;
    assert.deepEqual(await new Validator().validate(doc), { valid: true });
    for (const path of ['/api/v1/login', '/api/v1/integrations.create', '/api/v1/integrations.list', '/api/v1/channels.messages', '/api/v1/permissions.update']) {
      assert.ok(doc.paths[path], path);
    }
    assert.match(doc.paths['/api/v1/integrations.list'].get.description, /X-User-Id.*X-Auth-Token/);
    assert.equal(doc.paths['/api/v1/integrations.create'].post.requestBody.content['application/json'].schema.oneOf.length, 2);
    assert.ok(doc.paths['/api/v1/integrations.list'].get.parameters.some((p: { name: string }) => p.name === 'offset'));
  });
});
