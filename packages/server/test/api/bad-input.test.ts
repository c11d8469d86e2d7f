/**
 * Bad input is the client's error, never a 500 (issue 10): the cases known before the fuzzer
 * (fuzz.test.ts) and the ones it found, each pinned to the clear 4xx it answers now — and the
 * consent page's login lockout, which answers 429 with Retry-After as `/auth/login` does.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { LOGIN_FAILURES } from '../../src/domain/accounts.js';
import { createUser, freshPostgresDatabase, http, needs, startTestServer, type TestServer } from '../support/helpers.js';
import { assertError } from '../support/assertions.js';

const EXAMPLE = JSON.parse(readFileSync(new URL('../support/fixtures/example-manifest.json', import.meta.url), 'utf8'));

let s: TestServer;
before(async () => {
  s = await startTestServer({ env: { HOOK_RATE_LIMITS: 'off' } });
});
after(() => s.close());

const session = () => ({ cookie: `sb_session=${s.owner.token}` });
const form = (fields: Record<string, string | string[]>) =>
  [...Object.entries(fields)].flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => `${encodeURIComponent(k)}=${encodeURIComponent(x)}`)).join('&');
const urlencoded = { 'content-type': 'application/x-www-form-urlencoded' };

test('consent page: a repeated query parameter is a 400 naming it, with or without a session', async () => {
  assertError(await http(s.url, 'GET', '/access-request?clientId=a&clientId=b'), 400, 'clientId');
  assertError(await http(s.url, 'GET', '/access-request?clientId=a&scopes=x&scopes=y', { headers: session() }), 400, 'scopes');
  // one of each still shows the page
  assert.equal((await http(s.url, 'GET', '/access-request?clientId=a&scopes=x')).status, 200);
});

test('consent page: JSON values that are not strings, and repeated form fields, are a 400 naming the field', async () => {
  assertError(await http(s.url, 'POST', '/access-request', { body: { clientId: -1 } }), 400, 'clientId');
  assertError(await http(s.url, 'POST', '/access-request', { body: { clientId: 'x', decision: ['allow'] }, headers: session() }), 400, 'decision');
  assertError(await http(s.url, 'POST', '/access-request/login', { body: { email: 'a@example.com', password: false } }), 400, 'password');
  assertError(await http(s.url, 'POST', '/access-request/login', { body: { email: { a: 1 }, password: 'x' } }), 400, 'email');
  const repeated = await http(s.url, 'POST', '/access-request/login', { raw: form({ email: ['a@example.com', 'b@example.com'], password: 'x' }), headers: urlencoded });
  assertError(repeated, 400, 'email');
});

test('an undecodable session cookie is a 400 naming the cookie', async () => {
  assertError(await http(s.url, 'GET', '/access-request?clientId=a', { headers: { cookie: 'sb_session=%ff' } }), 400, 'sb_session');
  assertError(await http(s.url, 'POST', '/access-request', { raw: form({ clientId: 'a' }), headers: { ...urlencoded, cookie: 'other=1; sb_session=%E0%A4%A' } }), 400, 'sb_session');
  // other cookies are not ours to judge
  assert.equal((await http(s.url, 'GET', '/access-request?clientId=a', { headers: { cookie: 'other=%ff' } })).status, 200);
});

test('multipart/form-data without a boundary, truncated or with a file: a 4xx on every route that reads forms', async () => {
  for (const path of ['/oauth2/access', '/access-request', '/access-request/login']) {
    assertError(await http(s.url, 'POST', path, { raw: 'client-id=x', headers: { 'content-type': 'multipart/form-data' } }), 400, 'body');
    const truncated = '--B\r\nContent-Disposition: form-data; name="code"\r\n\r\nunterminated';
    assertError(await http(s.url, 'POST', path, { raw: truncated, headers: { 'content-type': 'multipart/form-data; boundary=B' } }), 400, 'body');
    const file = '--B\r\nContent-Disposition: form-data; name="code"; filename="a.txt"\r\n\r\nx\r\n--B--\r\n';
    assertError(await http(s.url, 'POST', path, { raw: file, headers: { 'content-type': 'multipart/form-data; boundary=B' } }), 413);
  }
  // A readable form still works: the code exchange says which field is missing.
  const fd = new FormData();
  fd.set('client-id', 'x');
  const res = await fetch(`${s.url}/oauth2/access`, { method: 'POST', body: fd });
  assert.equal(res.status, 400);
  assert.equal(((await res.json()) as { field: string }).field, 'client-secret');
});

test("the consent page's login locks out like /auth/login: 429 with Retry-After, the form saying why", async () => {
  const person = await createUser(s.owner);
  const attempt = () =>
    http(s.url, 'POST', '/access-request/login', { raw: form({ email: person.email!, password: 'wrong-password', clientId: 'c1' }), headers: urlencoded });
  for (let i = 0; i < LOGIN_FAILURES; i++) {
    const r = await attempt();
    assert.equal(r.status, 401, `failure ${i + 1} is a 401`);
    assert.match(r.text, /Invalid e-mail or password/);
  }
  const locked = await attempt();
  assert.equal(locked.status, 429);
  const retryAfter = Number(locked.headers.get('retry-after'));
  assert.ok(retryAfter >= 1 && retryAfter <= 300, `Retry-After ${locked.headers.get('retry-after')}`);
  assert.match(locked.headers.get('content-type') ?? '', /^text\/html/);
  assert.match(locked.text, /Too many failed logins; try again in \d+ s/);
  assert.match(locked.text, /name="clientId" value="c1"/, 'the form keeps the consent request');
  // One lockout for both doors: /auth/login is refused the same way, even with the right password.
  const api = await http(s.url, 'POST', '/auth/login', { body: { email: person.email, password: person.password } });
  assertError(api, 429);
  assert.ok(Number(api.headers.get('retry-after')) >= 1);
});

test('Rocket.Chat lists: an offset past 2^53 is invalid-params, no longer a database error (a 500)', async () => {
  const rc = (await http(s.url, 'POST', '/api/v1/login', { body: { user: s.owner.email, password: s.owner.password } })).body.data;
  const headers = { 'x-user-id': rc.userId, 'x-auth-token': rc.authToken };
  for (const path of ['/api/v1/integrations.list?offset=1e21', `/api/v1/channels.messages?roomId=${s.generalId}&offset=1e308`]) {
    const r = await http(s.url, 'GET', path, { headers });
    assert.equal(r.status, 400, `${path}: ${r.text}`);
    assert.equal(r.body.errorType, 'invalid-params');
  }
  assert.equal((await http(s.url, 'GET', `/api/v1/integrations.list?offset=${Number.MAX_SAFE_INTEGER}`, { headers })).status, 200);
});

/**
 * What PostgreSQL cannot take, refused before it gets there: NUL in a query string (as in a body),
 * NUL in a hook URL's id (no such hook), integers past 2^53 and JSON's `1e999` (Infinity).
 */
async function unstorable(server: TestServer): Promise<void> {
  assertError(await server.owner.get('/v1/apiKeys/audit?before=a%00b'), 400, 'before');
  const rc = (await http(server.url, 'POST', '/api/v1/login', { body: { user: server.owner.email, password: server.owner.password } })).body.data;
  const history = await http(server.url, 'GET', '/api/v1/integrations.history?id=a%00b', { headers: { 'x-user-id': rc.userId, 'x-auth-token': rc.authToken } });
  assert.deepEqual([history.status, history.body.success], [400, false], history.text);
  assert.match(history.body.error, /NUL/);
  const hook = await http(server.url, 'POST', '/hooks/a%00b/token', { body: { text: 'x' } });
  assert.deepEqual([hook.status, hook.body], [400, { success: false, error: 'Invalid integration id or token provided.' }]);
  const slack = await http(server.url, 'POST', '/services/a%00b/%00', { body: { text: 'x' } });
  assert.deepEqual([slack.status, slack.text], [404, 'no_service']);
  assertError(await http(server.url, 'POST', `/workspaces/${server.workspaceId}/incomingWebhooks/postMessage/a%00b/secret`, { body: { text: 'x' } }), 404);
  assertError(await http(server.url, 'POST', '/workspaces/a%00b/incomingWebhooks/postMessage/code', { body: { text: 'x' } }), 404);

  const devToken = (await server.owner.post('/auth/developer-token')).body.token;
  const app = await http(server.url, 'POST', `/workspaces/${server.workspaceId}/workspaceUsers/${server.ownerId}/apps`, { body: EXAMPLE, headers: { authtoken: devToken } });
  assert.equal(app.status, 200, app.text);
  const recover = (raw: string) =>
    http(server.url, 'POST', `/workspaces/${server.workspaceId}/workspaceUsers/${server.ownerId}/apps/${app.body.id}/deliveries/recover`, {
      raw,
      headers: { authtoken: devToken, 'content-type': 'application/json' },
    });
  await interactiveAppIds(server, app.body);
  assertError(await recover('{"since":0,"until":1e21}'), 400, 'until');
  assertError(await recover('{"since":0,"until":1e999}'), 400, 'until');
  assert.equal((await recover(`{"since":0,"until":${Number.MAX_SAFE_INTEGER}}`)).status, 200);
  // coerced from a query string too
  assertError(await server.owner.get(`/v1/channels/${server.generalId}/messages?limit=1e999`), 400, 'limit');
}

/**
 * Ids in the paths of the interactive-app routes (docs/pumble-api.md §5, app-platform.md §10.1,
 * §11.2): a NUL or more than 64 characters is a 400 before any lookup; a well-formed unknown id
 * stays a 404. `app` is the example app, just created (its ids for the app-token routes).
 */
async function interactiveAppIds(server: TestServer, app: { id: string; clientSecret: string; appKey: string }): Promise<void> {
  const devToken = (await server.owner.post('/auth/developer-token')).body.token;
  const grant = await http(server.url, 'GET', `/workspaces/${server.workspaceId}/workspaceUsers/${server.ownerId}/oauth2/grant?${new URLSearchParams({ clientId: app.id, scopes: 'messages:read' })}`, { headers: { authtoken: devToken } });
  assert.equal(grant.status, 200, grant.text);
  const form = new FormData();
  form.set('client-id', app.id);
  form.set('client-secret', app.clientSecret);
  form.set('code', grant.body.code);
  const { botToken } = (await (await fetch(`${server.url}/oauth2/access`, { method: 'POST', body: form })).json()) as { botToken: string };
  const asApp = { token: botToken, 'x-app-token': app.appKey };
  const unknown = 'ffffffffffffffffffffffff';
  for (const id of ['a%00b', '%00', 'a'.repeat(65)]) {
    for (const [method, path] of [
      ['POST', `/v1/views/${id}/submit`],
      ['POST', `/v1/views/${id}/close`],
      ['GET', `/v1/apps/${id}/homeView`],
    ] as const) {
      const r = method === 'GET' ? await server.owner.get(path) : await server.owner.post(path, {});
      assert.equal(r.status, 400, `${method} ${path}: ${r.text}`);
    }
    const publish = await http(server.url, 'POST', `/v1/app/homeView/workspaceUsers/${id}`, { headers: asApp, body: { blocks: [] } });
    assert.equal(publish.status, 400, `publish for ${id}: ${publish.text}`);
    const handshake = await http(server.url, 'GET', `/apps/${id}/websocket-connection?appKey=x`);
    assert.equal(handshake.status, 400, `handshake for ${id}: ${handshake.text}`);
  }
  assert.equal((await server.owner.post(`/v1/views/${unknown}/submit`, {})).status, 404);
  assert.equal((await server.owner.post(`/v1/views/${unknown}/close`, {})).status, 404);
  assert.equal((await server.owner.get(`/v1/apps/${unknown}/homeView`)).status, 404);
  assert.equal((await http(server.url, 'POST', `/v1/app/homeView/workspaceUsers/${unknown}`, { headers: asApp, body: { blocks: [] } })).status, 404);
}

test('what PostgreSQL cannot take is a 4xx on SQLite too', async () => {
  await unstorable(s);
});

test('what PostgreSQL cannot take is a 4xx there, not a 500', async (t) => {
  if (!(await needs(t, 'postgres'))) return;
  const pg = await freshPostgresDatabase();
  const server = await startTestServer({ databaseUrl: pg.url, env: { HOOK_RATE_LIMITS: 'off' } });
  try {
    await unstorable(server);
  } finally {
    await server.close();
    await pg.drop();
  }
});
