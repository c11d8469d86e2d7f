/**
 * OAuth2, installation and app tokens on `/v1` (docs/app-platform.md §5, §11), driven as a
 * Pumble SDK app and its developer tooling would: Authtoken grant, multipart code exchange,
 * `token` + `x-app-token` on every call.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createUser, http, startTestServer, tamper, type Client, type TestServer } from '../support/helpers.js';
import { assertError } from '../support/assertions.js';

const EXAMPLE = JSON.parse(readFileSync(new URL('../support/fixtures/example-manifest.json', import.meta.url), 'utf8'));

let s: TestServer;
let dev: Client;
let member: Client;
let devToken: string;
let app: { id: string; clientSecret: string; appKey: string; signingSecret: string };

before(async () => {
  s = await startTestServer();
  [dev, member] = await Promise.all([createUser(s.owner, 'MEMBER', 'Dev'), createUser(s.owner, 'MEMBER', 'Mia')]);
  devToken = (await dev.post('/auth/developer-token')).body.token;
  const created = await http(s.url, 'POST', `/workspaces/${s.workspaceId}/workspaceUsers/${dev.userId}/apps`, { body: EXAMPLE, headers: { authtoken: devToken } });
  assert.equal(created.status, 200, created.text);
  app = created.body;
});
after(() => s.close());

const grantPath = () => `/workspaces/${s.workspaceId}/workspaceUsers/${dev.userId}/oauth2/grant`;
async function grant(query: Record<string, string>, token = devToken) {
  return http(s.url, 'GET', `${grantPath()}?${new URLSearchParams(query)}`, { headers: { authtoken: token } });
}
async function exchange(code: string, secret = app.clientSecret) {
  const form = new FormData();
  form.set('client-id', app.id);
  form.set('client-secret', secret);
  form.set('code', code);
  const res = await fetch(`${s.url}/oauth2/access`, { method: 'POST', body: form });
  return { status: res.status, body: (await res.json()) as any };
}
/** An SDK app's call: raw `token` header plus `x-app-token`. */
function sdk(token: string, appKey: string | null = app.appKey) {
  const headers = { token, ...(appKey !== null && { 'x-app-token': appKey }) };
  return {
    get: (path: string) => http(s.url, 'GET', path, { headers }),
    post: (path: string, body: unknown = {}) => http(s.url, 'POST', path, { headers, body }),
    delete: (path: string, body?: unknown) => http(s.url, 'DELETE', path, { headers, ...(body !== undefined && { body }) }),
  };
}

const ALL = 'messages:read,messages:write,bot:messages:read,bot:messages:write';
let tokens: { accessToken: string; botToken: string; userId: string; botId: string; workspaceId: string };

test('a grant that does not fit the manifest is refused without a redirect', async () => {
  assertError(await grant({ clientId: app.id, scopes: 'users:list' }), 400, 'scopes[0]');
  assertError(await grant({ clientId: app.id, scopes: 'bot:channels:write' }), 400, 'scopes[0]');
  assertError(await grant({ clientId: app.id, scopes: ALL, redirectUrl: 'https://myapp.com/redirect.evil' }), 400, 'redirectUrl');
  assertError(await grant({ clientId: app.id, scopes: ALL, redirectUrl: 'https://evil.com/redirect' }), 400, 'redirectUrl');
  assertError(await grant({ clientId: 'ffffffffffffffffffffffff', scopes: ALL }), 400, 'clientId');
});

test('Allow installs the app: a code bound to the redirect URL with the state, a bot user, the welcome message', async () => {
  const r = await grant({ clientId: app.id, scopes: ALL, redirectUrl: 'https://myapp.com/redirect/done?x=1', state: 'st-123' });
  assert.equal(r.status, 200, r.text);
  const url = new URL(r.body.redirectUrl);
  assert.equal(url.origin + url.pathname, 'https://myapp.com/redirect/done');
  assert.equal(url.searchParams.get('x'), '1');
  assert.equal(url.searchParams.get('state'), 'st-123');
  assert.equal(url.searchParams.get('code'), r.body.code);

  const users = (await s.owner.get('/v1/workspaceUsers')).body as any[];
  const bot = users.find((u) => u.isAddonBot);
  assert.ok(bot, 'a bot user exists');
  assert.equal(bot.name, 'My App');
  assert.equal(bot.title, 'My App Bot Description');

  // Every person got the welcome message once, as a DM from the bot.
  for (const person of [s.owner, dev, member]) {
    const dm = await person.get(`/v1/channels/direct?participantIds=${person.userId},${bot.id}`);
    assert.equal(dm.status, 200, `a DM with the bot for ${person.userId}`);
    const history = await person.get(`/v1/channels/${dm.body.channel.id}/messages`);
    assert.deepEqual(history.body.messages.map((m: any) => [m.author, m.text]), [[bot.id, 'Hello :wave:']]);
  }

  const ex = await exchange(r.body.code);
  assert.equal(ex.status, 200, JSON.stringify(ex.body));
  assert.deepEqual(Object.keys(ex.body).sort(), ['accessToken', 'botId', 'botToken', 'userId', 'workspaceId']);
  assert.equal(ex.body.userId, dev.userId);
  assert.equal(ex.body.botId, bot.id);
  assert.equal(ex.body.workspaceId, s.workspaceId);
  tokens = ex.body;

  const again = await exchange(r.body.code);
  assert.equal(again.status, 400, 'a code works once');
  assert.equal(again.body.code, 400000);
});

test('the exchange also takes urlencoded and JSON, and refuses a wrong client secret with 401', async () => {
  const c1 = (await grant({ clientId: app.id, scopes: ALL })).body.code;
  const wrong = await exchange(c1, tamper(app.clientSecret));
  assert.equal(wrong.status, 401);
  const form = await http(s.url, 'POST', '/oauth2/access', {
    raw: new URLSearchParams({ 'client-id': app.id, 'client-secret': app.clientSecret, code: c1 }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  assert.equal(form.status, 200, form.text);
  const c2 = (await grant({ clientId: app.id, scopes: ALL })).body.code;
  const json = await http(s.url, 'POST', '/oauth2/access', { body: { 'client-id': app.id, 'client-secret': app.clientSecret, code: c2 } });
  assert.equal(json.status, 200, json.text);
  assertError(await http(s.url, 'POST', '/oauth2/access', { body: { 'client-id': app.id } }), 400, 'client-secret');
  // an expired code
  const c3 = (await grant({ clientId: app.id, scopes: ALL })).body.code;
  await s.sb.database.db.updateTable('oauth_codes').set({ expires_at: Date.now() - 1 }).where('used_at', 'is', null).execute();
  assert.equal((await exchange(c3)).status, 400);
  // Each exchange replaced the user's earlier user token (one live user token per authorization).
  assertError(await sdk(tokens.accessToken).get('/oauth2/me'), 401);
  tokens = { ...tokens, accessToken: json.body.accessToken };
});

test('tokens and codes are stored hashed', async () => {
  const rows = JSON.stringify(await s.sb.database.db.selectFrom('app_tokens').selectAll().execute());
  assert.ok(!rows.includes(tokens.botToken) && !rows.includes(tokens.accessToken));
  const code = (await grant({ clientId: app.id, scopes: ALL })).body.code as string;
  const codes = JSON.stringify(await s.sb.database.db.selectFrom('oauth_codes').selectAll().execute());
  assert.ok(codes.length > 2 && !codes.includes(code), 'the raw code is not stored');
  tokens = { ...tokens, accessToken: (await exchange(code)).body.accessToken };
});

test('/oauth2/me answers for the bot token and for the user token', async () => {
  assert.deepEqual((await sdk(tokens.botToken).get('/oauth2/me')).body, {
    workspaceId: s.workspaceId,
    workspaceName: 'Test Workspace',
    workspaceUserId: tokens.botId,
    workspaceUserName: 'My App',
  });
  assert.equal((await sdk(tokens.accessToken).get('/oauth2/me')).body.workspaceUserId, dev.userId);
});

test('an app token needs its own x-app-token: missing or wrong is 401', async () => {
  assertError(await sdk(tokens.botToken, null).get(`/v1/channels/${s.generalId}/messages`), 401);
  assertError(await sdk(tokens.botToken, 'wrong').get(`/v1/channels/${s.generalId}/messages`), 401);
  assertError(await sdk(tokens.botToken, app.clientSecret).get(`/v1/channels/${s.generalId}/messages`), 401);
});

test('a bot acts as the bot within its scopes; a user token acts as its user', async () => {
  const bot = sdk(tokens.botToken);
  const posted = await bot.post(`/v1/channels/${s.generalId}/messages`, { text: 'from the bot' });
  assert.equal(posted.status, 200, posted.text);
  assert.equal(posted.body.author, tokens.botId, 'a bot posts to a public channel it is not a member of');
  const read = await bot.get(`/v1/channels/${s.generalId}/messages/${posted.body.id}`);
  assert.equal(read.status, 200);

  const missing = await bot.get('/v1/workspaceUsers');
  assertError(missing, 403);
  assert.equal(missing.body.message, 'Missing scope: users:list');
  assert.equal((await bot.get(`/v1/channels/${s.generalId}/messages`)).body.message, 'Missing scope: channels:read');
  assert.equal((await bot.post('/v1/workspaceUsers', { email: 'x@y.z', name: 'X', password: 'password-123' })).status, 403, 'no app creates users');

  const priv = (await member.post('/v1/channels', { name: 'members-only', type: 'PRIVATE' })).body.channel.id;
  assertError(await bot.post(`/v1/channels/${priv}/messages`, { text: 'hi' }), 404);

  const asUser = await sdk(tokens.accessToken).post(`/v1/channels/${s.generalId}/messages`, { text: 'via my app' });
  assert.equal(asUser.body.author, dev.userId);
});

test('unauthorize ends the user token at once and records APP_UNAUTHORIZED', async () => {
  const code = (await grant({ clientId: app.id, scopes: ALL })).body.code;
  const t = (await exchange(code)).body;
  assert.equal((await sdk(t.accessToken).delete('/v1/app/authorization')).status, 200);
  assertError(await sdk(t.accessToken).get('/oauth2/me'), 401);
  const events = await s.sb.database.db.selectFrom('domain_events').select(['type', 'payload']).where('type', '=', 'app.unauthorized').execute();
  assert.equal(events.length, 1);
  assert.equal(JSON.parse(events[0]!.payload).userId, dev.userId);
  // the bot token is untouched
  assert.equal((await sdk(t.botToken).get('/oauth2/me')).status, 200);
});

test('reinstall gives a new bot token and ends the old ones; only admins or the installer may', async () => {
  const memberDevToken = (await member.post('/auth/developer-token')).body.token;
  const memberGrant = `/workspaces/${s.workspaceId}/workspaceUsers/${member.userId}/oauth2/grant`;
  const refused = await http(s.url, 'GET', `${memberGrant}?${new URLSearchParams({ clientId: app.id, scopes: ALL, isReinstall: 'true' })}`, { headers: { authtoken: memberDevToken } });
  assertError(refused, 403);
  const code = (await grant({ clientId: app.id, scopes: ALL, isReinstall: 'true' })).body.code;
  const fresh = (await exchange(code)).body;
  assertError(await sdk(tokens.botToken).get('/oauth2/me'), 401);
  assert.equal((await sdk(fresh.botToken).get('/oauth2/me')).status, 200);
  tokens = fresh;
});

test('uninstall by the bot ends every token of the installation and records APP_UNINSTALLED', async () => {
  assertError(await sdk(tokens.accessToken).delete('/v1/app/installation'), 403, undefined); // a member's user token
  assert.equal((await sdk(tokens.botToken).delete('/v1/app/installation')).status, 200);
  assertError(await sdk(tokens.botToken).get('/oauth2/me'), 401);
  assertError(await sdk(tokens.accessToken).get('/oauth2/me'), 401);
  const ev = await s.sb.database.db.selectFrom('domain_events').select('payload').where('type', '=', 'app.uninstalled').executeTakeFirstOrThrow();
  assert.equal(JSON.parse(ev.payload).botUserId, tokens.botId);
  // a person's session token on these routes
  assertError(await s.owner.delete('/v1/app/installation'), 403);
});
