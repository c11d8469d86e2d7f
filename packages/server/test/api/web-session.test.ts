/**
 * The web client's session (docs/web-client.md §3) and its serving (§2): the session in an HttpOnly
 * SameSite=Lax cookie, accepted on /v1 and /v1/realtime; a cookie-authenticated change only from the
 * server's own origin (403 otherwise, nothing changed); sign-out ends the session on the server;
 * Bearer and `token` headers unchanged; `/` and client routes answer the client's page with a strict
 * CSP, API misses keep their JSON 404s.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { OWNER, http, login, startTestServer } from '../support/helpers.js';

test('cookie sessions: sign in, use /v1 from the own origin only, realtime, sign out', async () => {
  const s = await startTestServer();
  try {
    const origin = s.url;
    // Signing in needs the server's own Origin (no login CSRF).
    const foreign = await http(s.url, 'POST', '/auth/session', { body: OWNER, headers: { origin: 'https://evil.example' } });
    assert.equal(foreign.status, 403, foreign.text);
    assert.equal(foreign.headers.get('set-cookie'), null);
    const bad = await http(s.url, 'POST', '/auth/session', { body: { ...OWNER, password: 'wrong-password' }, headers: { origin } });
    assert.equal(bad.status, 401);

    const signIn = await http(s.url, 'POST', '/auth/session', { body: OWNER, headers: { origin } });
    assert.equal(signIn.status, 200, signIn.text);
    assert.deepEqual(signIn.body, { workspaceId: s.workspaceId, workspaceUserId: s.ownerId });
    assert.ok(!('token' in signIn.body), 'the token never reaches scripts');
    const setCookie = signIn.headers.get('set-cookie')!;
    assert.match(setCookie, /^sb_session=sbs_[^;]+; Path=\/; HttpOnly; SameSite=Lax$/);
    const cookie = setCookie.split(';')[0]!;

    const me = await http(s.url, 'GET', '/auth/session', { headers: { cookie } });
    assert.deepEqual([me.status, me.body], [200, { workspaceId: s.workspaceId, workspaceUserId: s.ownerId }]);
    assert.equal((await http(s.url, 'GET', '/auth/session')).status, 401);

    // Reads with the cookie work from anywhere; changes only with the own Origin (or Referer).
    assert.equal((await http(s.url, 'GET', '/v1/channels', { headers: { cookie } })).status, 200);
    const count = async () => JSON.stringify((await s.owner.get(`/v1/channels/${s.generalId}/messages`)).body);
    const before = await count();
    const forged: Record<string, string>[] = [{ cookie }, { cookie, origin: 'https://evil.example' }, { cookie, referer: 'https://evil.example/page' }, { cookie, origin: 'null' }];
    for (const headers of forged) {
      const r = await http(s.url, 'POST', `/v1/channels/${s.generalId}/messages`, { body: { text: 'forged' }, headers });
      assert.equal(r.status, 403, JSON.stringify(headers));
      assert.match(r.body.message, /Cross-site request refused/);
    }
    assert.equal(await count(), before, 'nothing was posted by the refused requests');
    const posted = await http(s.url, 'POST', `/v1/channels/${s.generalId}/messages`, { body: { text: 'from the page' }, headers: { cookie, origin } });
    assert.equal(posted.status, 200, posted.text);
    assert.equal(posted.body.author, s.ownerId);
    const viaReferer = await http(s.url, 'POST', `/v1/channels/${s.generalId}/messages`, { body: { text: 'referer only' }, headers: { cookie, referer: `${origin}/c/general` } });
    assert.equal(viaReferer.status, 200, viaReferer.text);
    // A password change through the cookie keeps this session, as with a token.
    const pw = await http(s.url, 'PUT', '/v1/workspaceUsers/me/password', { body: { currentPassword: OWNER.password, newPassword: 'a-new-owner-password' }, headers: { cookie, origin } });
    assert.equal(pw.status, 204, pw.text);
    assert.equal((await http(s.url, 'GET', '/v1/channels', { headers: { cookie } })).status, 200);

    // Realtime with the cookie: only from the own origin (no cross-site WebSocket hijacking).
    const open = (headers: Record<string, string>) =>
      new Promise<{ ok: boolean; hello?: any; ws: WebSocket }>((resolve) => {
        const ws = new WebSocket(s.wsUrl, { headers });
        ws.once('message', (d) => resolve({ ok: true, hello: JSON.parse(String(d)), ws }));
        ws.once('unexpected-response', () => resolve({ ok: false, ws }));
        ws.once('error', () => resolve({ ok: false, ws }));
      });
    const hijack = await open({ cookie, origin: 'https://evil.example' });
    assert.equal(hijack.ok, false);
    const live = await open({ cookie, origin });
    assert.equal(live.ok, true);
    assert.equal(live.hello.workspaceUserId, s.ownerId);

    // The developer-token route and Rocket.Chat's /api/v1 take the cookie too (the web client's
    // administration pages), under the same Origin rule.
    assert.equal((await http(s.url, 'POST', '/auth/developer-token', { headers: { cookie, origin: 'https://evil.example' } })).status, 403);
    const dev = await http(s.url, 'POST', '/auth/developer-token', { headers: { cookie, origin } });
    assert.equal(dev.status, 200, dev.text);
    assert.ok(dev.body.token);
    const rcMe = await http(s.url, 'GET', '/api/v1/me', { headers: { cookie } });
    assert.deepEqual([rcMe.status, rcMe.body._id], [200, s.ownerId]);
    const rcForged = await http(s.url, 'POST', '/api/v1/integrations.create', { body: { type: 'webhook-incoming', name: 'x', enabled: true, channel: '#general', username: 'owner' }, headers: { cookie, origin: 'https://evil.example' } });
    assert.equal(rcForged.status, 403);
    assert.equal((await http(s.url, 'GET', '/api/v1/integrations.list', { headers: { cookie } })).body.integrations.length, 0, 'the forged create made nothing');

    // Sign-out ends the session on the server: the socket closes, the cookie stops working.
    const closed = new Promise<number>((resolve) => live.ws.once('close', (code) => resolve(code)));
    assert.equal((await http(s.url, 'DELETE', '/auth/session', { headers: { cookie } })).status, 403, 'sign-out needs the own origin too');
    const out = await http(s.url, 'DELETE', '/auth/session', { headers: { cookie, origin } });
    assert.equal(out.status, 204);
    assert.match(out.headers.get('set-cookie')!, /^sb_session=; Path=\/; HttpOnly; SameSite=Lax; Max-Age=0$/);
    assert.equal(await closed, 4001);
    assert.equal((await http(s.url, 'GET', '/v1/channels', { headers: { cookie } })).status, 401);

    // API clients are unchanged: Bearer and token headers, no Origin needed (a new session: the
    // password change above ended the other ones).
    const api = await login(s.url, OWNER.email, 'a-new-owner-password');
    assert.equal((await api.post(`/v1/channels/${s.generalId}/messages`, { text: 'api client' })).status, 200);
    assert.equal((await http(s.url, 'GET', '/v1/channels', { headers: { token: api.token } })).status, 200);
  } finally {
    await s.close();
  }
});

test('the client is served at / and for client routes, with a strict CSP; API misses stay JSON 404s', async () => {
  const s = await startTestServer();
  try {
    const page = await fetch(s.url + '/');
    // Built or not (a fresh checkout before `npm start`), `/` is the client's page, never a 404.
    assert.ok([200, 503].includes(page.status), String(page.status));
    assert.match(page.headers.get('content-type')!, /^text\/html/);
    const csp = page.headers.get('content-security-policy')!;
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-eval|script-src[^;]*unsafe-inline/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
    assert.equal(page.headers.get('cache-control'), 'no-cache');
    const html = await page.text();
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script');

    const route = await fetch(s.url + '/c/general', { headers: { accept: 'text/html' } });
    assert.equal(route.status, page.status);
    assert.equal(await route.text(), html);
    // A tool's miss, or any miss under an API path, keeps the JSON 404.
    const miss = await http(s.url, 'GET', '/c/general');
    assert.equal(miss.status, 404);
    const apiMiss = await fetch(s.url + '/v1/nothing-here', { headers: { accept: 'text/html' } });
    assert.equal(apiMiss.status, 404);
    assert.match(apiMiss.headers.get('content-type')!, /json/);
    const rcMiss = await http(s.url, 'GET', '/api/v1/nothing-here');
    assert.deepEqual(rcMiss.body, { success: false, error: 'Resource not found' });
  } finally {
    await s.close();
  }
});
