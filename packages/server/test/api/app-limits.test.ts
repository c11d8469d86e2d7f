/** The published `/v1` limits for apps (docs/pumble-api.md §14): 429 with Retry-After, never a silent drop. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { http, startTestServer, type TestServer } from '../support/helpers.js';
import { assertError } from '../support/assertions.js';
import { PUBLISHED_APP_LIMITS } from '../../src/surfaces/pumble/v1/app-limits.js';

const EXAMPLE = JSON.parse(readFileSync(new URL('../support/fixtures/example-manifest.json', import.meta.url), 'utf8'));

async function installedApp(s: TestServer) {
  const devToken = (await s.owner.post('/auth/developer-token')).body.token;
  const manifest = { ...EXAMPLE, scopes: { botScopes: ['messages:write', 'reaction:write', 'channels:write', 'messages:read'], userScopes: ['messages:write'] } };
  const app = (await http(s.url, 'POST', `/workspaces/${s.workspaceId}/workspaceUsers/${s.ownerId}/apps`, { body: manifest, headers: { authtoken: devToken } })).body;
  const q = new URLSearchParams({ clientId: app.id, scopes: 'messages:write,bot:messages:write,bot:reaction:write,bot:channels:write,bot:messages:read' });
  const code = (await http(s.url, 'GET', `/workspaces/${s.workspaceId}/workspaceUsers/${s.ownerId}/oauth2/grant?${q}`, { headers: { authtoken: devToken } })).body.code;
  const tokens = (await http(s.url, 'POST', '/oauth2/access', { body: { 'client-id': app.id, 'client-secret': app.clientSecret, code } })).body;
  const as = (token: string) => ({ token, 'x-app-token': app.appKey });
  return { bot: as(tokens.botToken), user: as(tokens.accessToken) };
}

test('posting: 80 per minute per app and workspace, then 429 with Retry-After and rate-limit headers', async () => {
  const s = await startTestServer();
  try {
    const { bot, user } = await installedApp(s);
    const post = (headers: Record<string, string>, i: number) => http(s.url, 'POST', `/v1/channels/${s.generalId}/messages`, { headers, body: { text: `m${i}` } });
    const first = await post(bot, 0);
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('x-ratelimit-limit'), String(PUBLISHED_APP_LIMITS.postMessage));
    assert.equal(first.headers.get('x-ratelimit-remaining'), String(PUBLISHED_APP_LIMITS.postMessage - 1));
    for (let i = 1; i < PUBLISHED_APP_LIMITS.postMessage; i++) assert.equal((await post(i % 2 ? bot : user, i)).status, 200, `post ${i}`);
    const over = await post(bot, 99);
    assertError(over, 429);
    const retry = Number(over.headers.get('retry-after'));
    assert.ok(retry >= 1 && retry <= 60, `Retry-After ${retry}`);
    assert.equal(over.headers.get('x-ratelimit-remaining'), '0');
    // the limit is on posting: reading goes on, and so do people
    assert.equal((await http(s.url, 'GET', `/v1/channels/${s.generalId}/messages/${first.body.id}`, { headers: bot })).status, 200);
    assert.equal((await s.owner.post(`/v1/channels/${s.generalId}/messages`, { text: 'a person' })).status, 200);
    // nothing was dropped silently: exactly the accepted posts are in history
    const history = await s.owner.get(`/v1/channels/${s.generalId}/messages?limit=100`);
    assert.equal(history.body.messages.filter((m: any) => /^m\d+$/.test(m.text)).length, PUBLISHED_APP_LIMITS.postMessage);
  } finally {
    await s.close();
  }
});

test('per app and per user token: the whole app and each user token have their own minute', async () => {
  const s = await startTestServer({ appRateLimits: { ...PUBLISHED_APP_LIMITS, perApp: 12, perUserToken: 5 } });
  try {
    const { bot, user } = await installedApp(s);
    const read = (headers: Record<string, string>) => http(s.url, 'GET', `/v1/channels/${s.generalId}/messages/ffffffffffffffffffffffff`, { headers });
    for (let i = 0; i < 5; i++) assert.equal((await read(user)).status, 403, 'counted (and refused for its scope)');
    assertError(await read(user), 429);
    let status = 0;
    let n = 0;
    while (status !== 429 && n < 20) {
      status = (await read(bot)).status;
      n++;
    }
    assert.equal(status, 429, 'the app as a whole hits its limit');
    assert.equal(n, 12 - 6 + 1, 'the user token\'s calls counted against the app too');
  } finally {
    await s.close();
  }
});
