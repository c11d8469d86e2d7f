/**
 * The app-management API (docs/app-platform.md §4) driven as developer tooling does: the
 * `Authtoken` header, the spec's example manifest, secrets shown only where the spec says.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createUser, http, startTestServer, tamper, type Client, type TestServer } from '../support/helpers.js';
import { assertError } from '../support/assertions.js';

const EXAMPLE = JSON.parse(readFileSync(new URL('../support/fixtures/example-manifest.json', import.meta.url), 'utf8'));
const SECRET_KEYS = ['appKey', 'clientSecret', 'signingSecret'];

let s: TestServer;
let dev: Client;
let other: Client;
let devToken: string;
let devRefresh: string;
/** Unix seconds just before and just after the developer token was issued */
let issuedFrom: number;
let issuedTo: number;

before(async () => {
  s = await startTestServer();
  [dev, other] = await Promise.all([createUser(s.owner, 'MEMBER', 'Dev'), createUser(s.owner, 'MEMBER', 'Other')]);
  issuedFrom = Math.floor(Date.now() / 1000);
  const pair = await dev.post('/auth/developer-token');
  issuedTo = Math.floor(Date.now() / 1000);
  assert.equal(pair.status, 200);
  devToken = pair.body.token;
  devRefresh = pair.body.refreshToken;
});
after(() => s.close());

const base = () => `/workspaces/${s.workspaceId}/workspaceUsers/${dev.userId}/apps`;
const as = (token: string) => ({ headers: { authtoken: token } });
const call = (method: string, path: string, body?: unknown, token = devToken) =>
  http(s.url, method, path, { ...(body !== undefined && { body }), ...as(token) });

test('developer tokens are JWT-shaped with exp in seconds (1 h), and refresh', async () => {
  const [, payload] = devToken.split('.');
  const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
  assert.ok(claims.exp >= issuedFrom + 3600 && claims.exp <= issuedTo + 3600, `an hour after issue: ${claims.exp} in [${issuedFrom + 3600}, ${issuedTo + 3600}]`);
  const refreshed = await http(s.url, 'POST', `/workspaces/${s.workspaceId}/refresh`, { body: { refreshToken: devRefresh } });
  assert.equal(refreshed.status, 200);
  assert.equal((await call('GET', `/workspaces/${s.workspaceId}/info`, undefined, refreshed.body.token)).body.name, 'Test Workspace');
  assertError(await http(s.url, 'POST', `/workspaces/${s.workspaceId}/refresh`, { body: { refreshToken: devToken } }), 401);
  assertError(await call('GET', `/workspaces/${s.workspaceId}/info`, undefined, devRefresh), 401, undefined);
  assertError(await call('GET', `/workspaces/${s.workspaceId}/info`, undefined, tamper(devToken)), 401);
});

test('user info: full with Authtoken, name only without (no e-mail disclosed)', async () => {
  const path = `/workspaces/${s.workspaceId}/workspaceUsers/${dev.userId}`;
  assert.deepEqual((await call('GET', path)).body, { id: dev.userId, name: 'Dev', email: dev.email });
  assert.deepEqual((await http(s.url, 'GET', path)).body, { id: dev.userId, name: 'Dev' });
});

let appId: string;
let secrets: Record<string, string>;

test('create from the spec example manifest: the manifest back, with id, published and secrets', async () => {
  const r = await call('POST', base(), EXAMPLE);
  assert.equal(r.status, 200, r.text);
  for (const key of Object.keys(EXAMPLE)) assert.deepEqual(r.body[key], EXAMPLE[key], `${key} as registered`);
  assert.match(r.body.id, /^[0-9a-f]{24}$/);
  assert.equal(r.body.published, false);
  for (const k of SECRET_KEYS) assert.ok(typeof r.body[k] === 'string' && r.body[k].length >= 40, `${k} is high-entropy`);
  assert.equal(new Set(SECRET_KEYS.map((k) => r.body[k])).size, 3);
  appId = r.body.id;
  secrets = Object.fromEntries(SECRET_KEYS.map((k) => [k, r.body[k]]));
});

test('secrets are encrypted at rest: not one of them is in the database file', async () => {
  const row = await s.sb.database.db.selectFrom('apps').selectAll().where('id', '=', appId).executeTakeFirstOrThrow();
  const stored = JSON.stringify(row);
  for (const v of Object.values(secrets)) assert.ok(!stored.includes(v), 'no secret stored in clear');
});

test('list mine has no secrets; get mine has them', async () => {
  const list = await call('GET', `${base()}/mine`);
  assert.equal(list.status, 200);
  assert.equal(list.body.length, 1);
  assert.equal(list.body[0].id, appId);
  for (const k of SECRET_KEYS) assert.equal(list.body[0][k], undefined, `${k} never in the list`);
  const one = await call('GET', `${base()}/mine/${appId}`);
  assert.deepEqual(Object.fromEntries(SECRET_KEYS.map((k) => [k, one.body[k]])), secrets);
});

test('update replaces the manifest and keeps the secrets', async () => {
  const r = await call('PUT', `${base()}/${appId}`, { ...EXAMPLE, displayName: 'My App 2' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.displayName, 'My App 2');
  assert.deepEqual(Object.fromEntries(SECRET_KEYS.map((k) => [k, r.body[k]])), secrets);
});

test('an invalid manifest is refused with every violation and its field path', async () => {
  const bad = {
    ...EXAMPLE,
    name: '',
    slashCommands: [EXAMPLE.slashCommands[0], { command: 'nope', url: 'ftp://x', usageHint: 'x'.repeat(56) }],
    scopes: { botScopes: ['messages:read', 'no:such'], userScopes: [] },
  };
  const r = await call('POST', base(), bad);
  assertError(r, 400, 'name');
  const fields = r.body.errors.map((e: { field: string }) => e.field);
  for (const f of ['name', 'slashCommands[1].command', 'slashCommands[1].url', 'slashCommands[1].usageHint', 'scopes.botScopes[1]']) {
    assert.ok(fields.includes(f), `${f} reported (got ${fields.join(', ')})`);
  }
  assertError(await call('POST', base(), EXAMPLE), 400, 'name'); // the same name twice for one owner
});

test('URLs the server would call are refused at save time when they name never-reachable addresses', async () => {
  const bad = {
    ...EXAMPLE,
    name: 'metadata_app',
    eventSubscriptions: { url: 'http://169.254.169.254/latest/meta-data', events: [] },
    slashCommands: [{ command: '/meta', url: 'http://metadata.google.internal/x' }],
  };
  const r = await call('POST', base(), bad);
  assertError(r, 400, 'slashCommands[0].url');
  const fields = r.body.errors.map((e: { field: string }) => e.field).sort();
  assert.deepEqual(fields, ['eventSubscriptions.url', 'slashCommands[0].url']);
  // loopback is a connect-time matter (the admin may allow it), so it is accepted here
  const local = await call('POST', base(), { ...EXAMPLE, name: 'local_app', eventSubscriptions: { url: 'http://127.0.0.1:9/events', events: [] } });
  assert.equal(local.status, 200, local.text);
  await call('DELETE', `${base()}/${local.body.id}`);
});

test('only the owner sees, changes or deletes an app; the path user must be the token user', async () => {
  const otherToken = (await other.post('/auth/developer-token')).body.token;
  const otherBase = `/workspaces/${s.workspaceId}/workspaceUsers/${other.userId}/apps`;
  assertError(await call('GET', `${otherBase}/mine/${appId}`, undefined, otherToken), 404);
  assertError(await call('PUT', `${otherBase}/${appId}`, EXAMPLE, otherToken), 404);
  assertError(await call('DELETE', `${otherBase}/${appId}`, undefined, otherToken), 404);
  assertError(await call('GET', `${base()}/mine`, undefined, otherToken), 403);
  assertError(await http(s.url, 'GET', `${base()}/mine`), 401);
  assertError(await http(s.url, 'GET', `${base()}/mine`, { headers: { authorization: `Bearer ${dev.token}` } }), 401);
});

test('rotate gives three new secrets at once; delete answers 204 and the app is gone', async () => {
  // As pumble-cli sends it: axios with a null body still says it is a form.
  const r = await http(s.url, 'PUT', `${base()}/${appId}/secrets/rotate`, {
    raw: '',
    headers: { authtoken: devToken, 'content-type': 'application/x-www-form-urlencoded' },
  });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(Object.keys(r.body).sort(), SECRET_KEYS);
  for (const k of SECRET_KEYS) assert.notEqual(r.body[k], secrets[k]);
  const now = await call('GET', `${base()}/mine/${appId}`);
  for (const k of SECRET_KEYS) assert.equal(now.body[k], r.body[k]);
  const del = await call('DELETE', `${base()}/${appId}`);
  assert.equal(del.status, 204);
  assertError(await call('GET', `${base()}/mine/${appId}`), 404);
});

test('a deactivated developer\'s token stops at once', async () => {
  const tmp = await createUser(s.owner, 'MEMBER', 'Temp');
  const token = (await tmp.post('/auth/developer-token')).body.token;
  const path = `/workspaces/${s.workspaceId}/workspaceUsers/${tmp.userId}/apps/mine`;
  assert.equal((await call('GET', path, undefined, token)).status, 200);
  await s.owner.post(`/v1/workspaceUsers/${tmp.userId}/deactivate`);
  assertError(await call('GET', path, undefined, token), 401);
});
