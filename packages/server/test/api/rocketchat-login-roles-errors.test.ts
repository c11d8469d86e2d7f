/**
 * Two Rocket.Chat refusals a new user met, in upstream's words:
 *
 * - `POST /api/v1/login` with a wrongly typed field answered `must be string [invalid-params]`,
 *   naming no field. Upstream checks the login with Meteor's `check`, which names it: now
 *   `Match error: Expected string, got number in field user [invalid-params]`, in the same
 *   invalid-params envelope (docs/integrations.md §3).
 * - `permissions.update` saved a role that does not exist. Upstream answers
 *   `API.v1.failure('Invalid role', 'error-invalid-role')` (and `'Invalid permission'`,
 *   `error-invalid-permission` for an unknown permission): 400 `{success: false, error, errorType}`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { http, OWNER, startTestServer, type TestServer } from '../support/helpers.js';
import { rcCreateUser, rcLogin, type RcClient, invalidParams } from '../support/rocketchat-client.js';

let s: TestServer;
let owner: RcClient;

before(async () => {
  s = await startTestServer();
  owner = await rcLogin(s.url, OWNER.email, OWNER.password);
});
after(() => s.close());

const login = (body: unknown) => http(s.url, 'POST', '/api/v1/login', { body });

describe('login: a wrong type names its field, as Meteor check does', () => {
  test('the reported body: user a number, password an object', async () => {
    const r = await login({ user: 123, password: { a: 1 } });
    assert.equal(r.status, 400, r.text);
    assert.deepEqual(r.body, invalidParams('Match error: Expected string, got number in field user'));
  });

  test('each field, each JSON type', async () => {
    const cases: Array<[unknown, string]> = [
      [{ user: 'someone', password: { a: 1 } }, 'Match error: Expected string, got object in field password'],
      [{ user: 'someone', password: 42 }, 'Match error: Expected string, got number in field password'],
      [{ user: 'someone', password: null }, 'Match error: Expected string, got null in field password'],
      [{ user: ['a'], password: 'x' }, 'Match error: Expected string, got array in field user'],
      [{ username: true, password: 'x' }, 'Match error: Expected string, got boolean in field username'],
      [{ email: 7, password: 'x' }, 'Match error: Expected string, got number in field email'],
      [{ user: 'someone', password: 'x', code: 123456 }, 'Match error: Expected string, got number in field code'],
      [{ user: '', password: 'x' }, 'Match error: must NOT have fewer than 1 characters in field user'],
    ];
    for (const [body, error] of cases) {
      const r = await login(body);
      assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
      assert.deepEqual(r.body, invalidParams(error), JSON.stringify(body));
    }
    // A missing password: the validator's words name it already.
    assert.deepEqual((await login({ user: 'someone' })).body, invalidParams("must have required property 'password'"));
  });

  test('a well-typed login is unchanged: 200, or the §2.1 401 for wrong credentials', async () => {
    assert.equal((await login({ user: OWNER.email, password: OWNER.password })).status, 200);
    const wrong = await login({ user: OWNER.email, password: 'not-the-password' });
    assert.equal(wrong.status, 401);
    assert.deepEqual(wrong.body, { success: false, status: 'error', error: 'Unauthorized', message: 'Unauthorized' });
  });

  test('other routes keep upstream ajv words (rocketchat-api.test.ts pins them)', async () => {
    const clear = await owner.post('integrations.clearHistory', { integrationId: 42 });
    assert.deepEqual(clear.body, invalidParams('must be string'));
  });
});

describe('permissions.update: roles must exist', () => {
  const PERM = 'manage-own-incoming-integrations';
  const rolesOf = async (id: string): Promise<string[]> => (await owner.get('permissions.listAll')).body.update.find((p: { _id: string }) => p._id === id).roles;

  test('an unknown role: 400 Invalid role / error-invalid-role, and nothing is saved', async () => {
    const before = await rolesOf(PERM);
    const r = await owner.post('permissions.update', { permissions: [{ _id: PERM, roles: ['nonexistent-role'] }] });
    assert.equal(r.status, 400, r.text);
    assert.deepEqual(r.body, { success: false, error: 'Invalid role', errorType: 'error-invalid-role', details: { field: 'permissions[0].roles', role: 'nonexistent-role' } });
    // One unknown role among known ones, in a later entry: the whole update is refused.
    const mixed = await owner.post('permissions.update', {
      permissions: [
        { _id: PERM, roles: ['admin', 'user'] },
        { _id: 'manage-incoming-integrations', roles: ['admin', 'nope'] },
      ],
    });
    assert.equal(mixed.status, 400, mixed.text);
    assert.equal(mixed.body.errorType, 'error-invalid-role');
    assert.deepEqual(mixed.body.details, { field: 'permissions[1].roles', role: 'nope' });
    assert.deepEqual(await rolesOf(PERM), before, 'the first entry was not saved either');
    const blank = await owner.post('permissions.update', { permissions: [{ _id: PERM, roles: [''] }] });
    assert.equal(blank.body.errorType, 'error-invalid-role');
  });

  test('an unknown permission first: 400 Invalid permission / error-invalid-permission (the reported body)', async () => {
    const r = await owner.post('permissions.update', { permissions: [{ _id: 'some-permission', roles: ['nonexistent-role'] }] });
    assert.equal(r.status, 400, r.text);
    assert.deepEqual(r.body, { success: false, error: 'Invalid permission', errorType: 'error-invalid-permission', details: { field: 'permissions[0]._id', permission: 'some-permission' } });
  });

  test('built-in roles, and a role someone was given (users.create roles), are accepted', async () => {
    const builtIn = await owner.post('permissions.update', { permissions: [{ _id: PERM, roles: ['admin', 'user', 'guest', 'bot', 'app'] }] });
    assert.equal(builtIn.status, 200, builtIn.text);
    assert.equal((await owner.post('permissions.update', { permissions: [{ _id: PERM, roles: ['support'] }] })).body.errorType, 'error-invalid-role');
    await rcCreateUser(owner, { username: 'support.agent', roles: ['user', 'support'] });
    const custom = await owner.post('permissions.update', { permissions: [{ _id: PERM, roles: ['admin', 'support'] }] });
    assert.equal(custom.status, 200, custom.text);
    assert.deepEqual(custom.body.permissions, [{ _id: PERM, roles: ['admin', 'support'] }]);
    assert.deepEqual(await rolesOf(PERM), ['admin', 'support']);
    // An empty list stays allowed: nobody holds the permission.
    assert.equal((await owner.post('permissions.update', { permissions: [{ _id: PERM, roles: [] }] })).status, 200);
    await owner.post('permissions.update', { permissions: [{ _id: PERM, roles: ['admin'] }] });
  });
});
