/**
 * `PUT /v1/workspaceUsers/me/password`: a person changes their own password. The current session
 * stays, every other ends (live connections included); a wrong current password counts toward the
 * same lockout as a failed login.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Listener, createUser, http, login, startTestServer, type Client, type TestServer } from '../support/helpers.js';
import { assertError } from '../support/assertions.js';
import { LOGIN_FAILURES } from '../../src/domain/accounts.js';

const ROUTE = '/v1/workspaceUsers/me/password';

let s: TestServer;

before(async () => {
  s = await startTestServer();
});
after(() => s.close());

async function stillWorks(c: Client): Promise<boolean> {
  const r = await c.get('/v1/workspace');
  if (r.status !== 200 && r.status !== 401) throw new Error(`unexpected ${r.status}: ${r.text}`);
  return r.status === 200;
}

test('success: 204, the current session and its live connection stay, the other sessions and theirs end', async () => {
  const here = await createUser(s.owner);
  const elsewhere = await login(s.url, here.email!, here.password!);
  const third = await login(s.url, here.email!, here.password!);
  const hereSocket = await Listener.connect(s.wsUrl, here.token);
  const elsewhereSocket = await Listener.connect(s.wsUrl, elsewhere.token);
  try {
    const r = await here.put(ROUTE, { currentPassword: here.password, newPassword: 'a-brand-new-secret' });
    assert.equal(r.status, 204, r.text);
    assert.equal(r.text, '');

    assert.ok(await stillWorks(here), 'the session the change was made from stays');
    assert.equal(await stillWorks(elsewhere), false, 'another session ended');
    assert.equal(await stillWorks(third), false, 'every other session ended');
    assert.equal((await elsewhereSocket.closedWith()).code, 4001, "the other session's live connection closed");
    assert.equal(hereSocket.closed, undefined, "this session's live connection stays open");
    await s.owner.post(`/v1/channels/${s.generalId}/messages`, { text: 'still listening' });
    await hereSocket.next((f) => f.type === 'message.created');

    assert.equal((await http(s.url, 'POST', '/auth/login', { body: { email: here.email, password: here.password } })).status, 401, 'the old password is refused');
    await login(s.url, here.email!, 'a-brand-new-secret');
    assert.ok(await stillWorks(s.owner), "other people's sessions are untouched");
  } finally {
    hereSocket.close();
    elsewhereSocket.close();
  }
});

test('a wrong current password: 403 with field currentPassword, and nothing changes', async () => {
  const user = await createUser(s.owner);
  const other = await login(s.url, user.email!, user.password!);
  const r = await user.put(ROUTE, { currentPassword: 'not-the-password', newPassword: 'a-brand-new-secret' });
  assertError(r, 403, 'currentPassword');
  assert.ok(await stillWorks(user));
  assert.ok(await stillWorks(other), 'no session ended');
  await login(s.url, user.email!, user.password!);
  assert.equal((await http(s.url, 'POST', '/auth/login', { body: { email: user.email, password: 'a-brand-new-secret' } })).status, 401);
});

test('a weak or unchanged new password: 400 with field newPassword; missing fields: 400', async () => {
  const user = await createUser(s.owner);
  assertError(await user.put(ROUTE, { currentPassword: user.password, newPassword: 'short' }), 400, 'newPassword');
  assertError(await user.put(ROUTE, { currentPassword: user.password, newPassword: user.password }), 400, 'newPassword');
  assertError(await user.put(ROUTE, { currentPassword: user.password }), 400, 'newPassword');
  assertError(await user.put(ROUTE, { newPassword: 'a-brand-new-secret' }), 400, 'currentPassword');
  await login(s.url, user.email!, user.password!);
});

test('without a session: 401', async () => {
  const r = await http(s.url, 'PUT', ROUTE, { body: { currentPassword: 'x', newPassword: 'a-brand-new-secret' } });
  assertError(r, 401);
});

test('wrong current passwords count toward the login lockout, and failed logins toward this route', async () => {
  const user = await createUser(s.owner);
  for (let i = 0; i < LOGIN_FAILURES; i++) {
    assertError(await user.put(ROUTE, { currentPassword: `guess-${i}`, newPassword: 'a-brand-new-secret' }), 403, 'currentPassword');
  }
  const refused = await user.put(ROUTE, { currentPassword: user.password, newPassword: 'a-brand-new-secret' });
  assertError(refused, 429);
  assert.ok(Number(refused.headers.get('retry-after')) >= 1);
  const loginRefused = await http(s.url, 'POST', '/auth/login', { body: { email: user.email, password: user.password } });
  assertError(loginRefused, 429);
  assert.ok(await stillWorks(user), 'being locked out of password attempts does not end the session');

  const other = await createUser(s.owner);
  for (let i = 0; i < LOGIN_FAILURES; i++) {
    assert.equal((await http(s.url, 'POST', '/auth/login', { body: { email: other.email, password: `guess-${i}` } })).status, 401);
  }
  assertError(await other.put(ROUTE, { currentPassword: other.password, newPassword: 'a-brand-new-secret' }), 429);
});

test('/openapi.json documents the route, its body and its answers', async () => {
  const doc = (await http(s.url, 'GET', '/openapi.json')).body;
  const op = doc.paths[ROUTE]?.put;
  assert.ok(op, 'PUT /v1/workspaceUsers/me/password is documented');
  const body = op.requestBody.content['application/json'].schema;
  assert.deepEqual(Object.keys(body.properties).sort(), ['currentPassword', 'newPassword']);
  assert.deepEqual([...body.required].sort(), ['currentPassword', 'newPassword']);
  assert.equal(body.properties.newPassword.minLength, 8);
  for (const status of ['204', '400', '401', '403', '429']) assert.ok(op.responses[status], `answer ${status} documented`);
});
