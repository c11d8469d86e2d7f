/**
 * The tooling login (docs/app-platform.md §4.1) as `pumble-cli login` drives it, against a real
 * SMTP server started here; the no-SMTP fallback (the code in the log, once, at warn); the calls the
 * CLI makes without Authtoken (`info`); and relative redirect URLs (§5.1).
 *
 * pumble-cli is not in the npm registry this project installs from, so the requests are shaped as
 * its source sends them (CAKE-com/pumble-node-sdk, pumble-cli/src/services/PumbleApiClient.ts and
 * Login.ts): axios with `baseURL = PUMBLE_API_URL`, JSON bodies, no auth header on the login calls:
 *
 *   POST /lead {email}                        → reads data.id (the lead id)
 *   POST /lead/activate {email, code, leadId} → any 2xx (older releases send {email, code} only)
 *   POST /lead/login {leadId}                 → reads items[].workspace.{id,name}, items[].workspaceUser.id, items[].exchangeToken
 *   POST /workspaces/{ws}/exchange {exchangeToken} → reads token, refreshToken (stored in ~/.pumblerc)
 *   GET  /workspaces/{ws}/info, GET /workspaces/{ws}/workspaceUsers/{u} — without Authtoken (`pumble-cli info`)
 *   POST /createWorkspace {workspaceName, timeZoneId, leadId} — the "Create a new workspace" choice
 *
 * On errors it prints `response.data.message`.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { createUser, freshPostgresDatabase, http, login, needs, startTestServer, tamper, tempDir, type Client, type TestServer } from '../support/helpers.js';
import { assertError } from '../support/assertions.js';
import { spawnServer } from '../support/process.js';
import { migrate, openDatabase } from '../../src/store/database.js';
import { Store } from '../../src/store/store.js';
import { createCore } from '../../src/domain/index.js';
import { DomainError } from '../../src/domain/errors.js';
import type { Mail } from '../../src/domain/mailer.js';
import { EXCHANGE_TOKEN_LIFETIME_MS, LEAD_LOGIN_WINDOW_MS, LEAD_REQUESTS, LEAD_REQUESTS_PER_EMAIL, LEAD_WINDOW_MS, LOGIN_CODE_LIFETIME_MS } from '../../src/domain/apps/tooling-login.js';
import { resolveRedirect } from '../../src/domain/apps/redirects.js';
import { MemoryRateLimiter } from '../../src/limits/rate-limiter.js';

const EXAMPLE = JSON.parse(readFileSync(new URL('../support/fixtures/example-manifest.json', import.meta.url), 'utf8'));

// ---- a real SMTP server ---------------------------------------------------------------------------

interface ReceivedMail {
  /** the authenticated SMTP user */
  user: string | undefined;
  from: string;
  to: string[];
  raw: string;
}

interface Smtp {
  port: number;
  mails: ReceivedMail[];
  /** the next mail to `to` not yet taken, within `ms` */
  next(to: string, ms?: number): Promise<ReceivedMail>;
  close(): Promise<void>;
}

const SMTP_USER = 'switchboard';
const SMTP_PASS = 'smtp-secret';

async function startSmtp(): Promise<Smtp> {
  const mails: ReceivedMail[] = [];
  const taken = new Set<ReceivedMail>();
  const server = new SMTPServer({
    // Plain SMTP with AUTH on loopback: no certificate to trust, credentials still required.
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    disableReverseLookup: true,
    onAuth(auth, _session, cb) {
      if (auth.username === SMTP_USER && auth.password === SMTP_PASS) cb(null, { user: auth.username });
      else cb(new Error('Invalid username or password'));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          user: session.user as string | undefined,
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    mails,
    async next(to, ms = 5000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const mail = mails.find((m) => !taken.has(m) && m.to.includes(to));
        if (mail) {
          taken.add(mail);
          return mail;
        }
        if (Date.now() > deadline) throw new Error(`no mail to ${to} within ${ms} ms (got ${mails.length} in all)`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The code from a mail's body: the line that holds only six digits. */
function codeOf(text: string): string {
  const body = text.includes('\r\n\r\n') ? text.slice(text.indexOf('\r\n\r\n')) : text;
  const m = /^\s+(\d{6})\s*$/m.exec(body);
  assert.ok(m, `a six-digit code in:\n${text}`);
  return m[1]!;
}

// ---- the CLI's requests ---------------------------------------------------------------------------

/** As axios sends a JSON body: the CLI's client has no other headers on these calls. */
const AXIOS = { accept: 'application/json, text/plain, */*', 'content-type': 'application/json' };
const cli = (base: string) => ({
  lead: (email: string) => http(base, 'POST', '/lead', { body: { email }, headers: AXIOS }),
  activate: (email: string, code: string, leadId?: string) =>
    http(base, 'POST', '/lead/activate', { body: leadId === undefined ? { email, code } : { email, code, leadId }, headers: AXIOS }),
  leadLogin: (leadId: string) => http(base, 'POST', '/lead/login', { body: { leadId }, headers: AXIOS }),
  exchange: (workspaceId: string, exchangeToken: string) => http(base, 'POST', `/workspaces/${workspaceId}/exchange`, { body: { exchangeToken }, headers: AXIOS }),
  refresh: (workspaceId: string, refreshToken: string) => http(base, 'POST', `/workspaces/${workspaceId}/refresh`, { body: { refreshToken }, headers: AXIOS }),
  info: (workspaceId: string) => http(base, 'GET', `/workspaces/${workspaceId}/info`, { headers: { accept: AXIOS.accept } }),
  userInfo: (workspaceId: string, userId: string) => http(base, 'GET', `/workspaces/${workspaceId}/workspaceUsers/${userId}`, { headers: { accept: AXIOS.accept } }),
});

/** pumble-cli's own e-mail check (Login.ts): test addresses must pass it. */
const CLI_EMAIL = /^[\w-.]+@([\w-]+\.)+[\w-]{2,4}$/;

let smtp: Smtp;
let s: TestServer;
let api: ReturnType<typeof cli>;
let people: Client[];

before(async () => {
  smtp = await startSmtp();
  s = await startTestServer({ smtp: { url: `smtp://${SMTP_USER}:${SMTP_PASS}@127.0.0.1:${smtp.port}`, from: 'Switchboard <switchboard@example.com>' } });
  api = cli(s.url);
  people = await Promise.all(Array.from({ length: 6 }, (_, i) => createUser(s.owner, 'MEMBER', `Dev ${i}`)));
  for (const p of people) assert.match(p.email!, CLI_EMAIL);
});
after(async () => {
  await s?.close();
  await smtp?.close();
});

/** POST /lead and the mailed code. */
async function leadWithCode(email: string): Promise<{ leadId: string; code: string; mail: ReceivedMail }> {
  const r = await api.lead(email);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(Object.keys(r.body), ['id']);
  const mail = await smtp.next(email);
  return { leadId: r.body.id, code: codeOf(mail.raw), mail };
}

test('pumble-cli login, request for request, ends in a working Authtoken', async () => {
  const dev = people[0]!;
  const { leadId, code, mail } = await leadWithCode(dev.email!);
  assert.equal(mail.user, SMTP_USER, 'the mail went through SMTP_URL with its credentials');
  assert.equal(mail.from, 'switchboard@example.com');
  assert.match(mail.raw, /^Subject: Your Switchboard login code/m);
  assert.match(mail.raw, /^From: Switchboard <switchboard@example\.com>/m);

  const activated = await api.activate(dev.email!, code, leadId);
  assert.equal(activated.status, 200, activated.text);

  const listed = await api.leadLogin(leadId);
  assert.equal(listed.status, 200, listed.text);
  assert.equal(listed.body.items.length, 1);
  const [item] = listed.body.items;
  assert.deepEqual(item.workspace, { id: s.workspaceId, name: 'Test Workspace' });
  assert.deepEqual(item.workspaceUser, { id: dev.userId });
  assert.equal(typeof item.exchangeToken, 'string');

  const tokens = await api.exchange(item.workspace.id, item.exchangeToken);
  assert.equal(tokens.status, 200, tokens.text);
  assert.deepEqual(Object.keys(tokens.body).sort(), ['refreshToken', 'token']);
  // The CLI decodes exp (seconds) from the JWT payload to decide whether to refresh.
  const claims = JSON.parse(Buffer.from(tokens.body.token.split('.')[1], 'base64').toString());
  assert.ok(claims.exp * 1000 > Date.now() + 50 * 60_000, 'an hour of validity');

  // What the CLI does next with the four values it saved: list, create, get its apps.
  const authtoken = { authtoken: tokens.body.token, accept: AXIOS.accept };
  const base = `/workspaces/${item.workspace.id}/workspaceUsers/${item.workspaceUser.id}/apps`;
  const mine = await http(s.url, 'GET', `${base}/mine`, { headers: authtoken });
  assert.equal(mine.status, 200, mine.text);
  assert.deepEqual(mine.body, []);
  const created = await http(s.url, 'POST', base, { body: { ...EXAMPLE, name: 'cli_app' }, headers: { ...AXIOS, ...authtoken } });
  assert.equal(created.status, 200, created.text);
  assert.equal((await http(s.url, 'GET', `${base}/mine/${created.body.id}`, { headers: authtoken })).body.clientSecret, created.body.clientSecret);

  // `pumble-cli info` (no Authtoken) and a refresh.
  assert.deepEqual((await api.info(s.workspaceId)).body, { id: s.workspaceId, name: 'Test Workspace' });
  assert.deepEqual((await api.userInfo(s.workspaceId, dev.userId)).body, { id: dev.userId, name: 'Dev 0' });
  const refreshed = await api.refresh(s.workspaceId, tokens.body.refreshToken);
  assert.equal(refreshed.status, 200, refreshed.text);

  // Only hashes are stored: neither the lead id, nor the code, nor the exchange token.
  const db = s.sb.database.db as any;
  const stored = JSON.stringify([await db.selectFrom('tooling_leads').selectAll().execute(), await db.selectFrom('tooling_exchange_tokens').selectAll().execute()]);
  for (const secret of [leadId, item.exchangeToken]) assert.ok(!stored.includes(secret), 'no secret in clear');
  assert.doesNotMatch(stored, new RegExp(`\\b${code}\\b`), 'no code in clear');
});

test('the code, the lead and the exchange token each work once', async () => {
  const dev = people[1]!;
  const { leadId, code } = await leadWithCode(dev.email!);
  assert.equal((await api.activate(dev.email!, code, leadId)).status, 200);
  assertError(await api.activate(dev.email!, code, leadId), 400, 'code');
  const listed = await api.leadLogin(leadId);
  assert.equal(listed.status, 200);
  assertError(await api.leadLogin(leadId), 400, 'leadId');
  const { exchangeToken } = listed.body.items[0];
  assert.equal((await api.exchange(s.workspaceId, exchangeToken)).status, 200);
  assertError(await api.exchange(s.workspaceId, exchangeToken), 401);
  assertError(await api.exchange(s.workspaceId, tamper(exchangeToken)), 401);
});

test('an exchange token works only in its own workspace, and a wrong try uses it up', async () => {
  const dev = people[1]!;
  const { leadId, code } = await leadWithCode(dev.email!);
  await api.activate(dev.email!, code, leadId);
  const { exchangeToken } = (await api.leadLogin(leadId)).body.items[0];
  assertError(await api.exchange('0123456789abcdef01234567', exchangeToken), 401);
  assertError(await api.exchange(s.workspaceId, exchangeToken), 401);
});

test('a lead is not a login until its code came in; older pumble-cli sends no leadId', async () => {
  const dev = people[2]!;
  const { leadId, code } = await leadWithCode(dev.email!);
  assertError(await api.leadLogin(leadId), 400, 'leadId');
  // Pre-leadId releases: {email, code} only; the address's newest lead is meant.
  assert.equal((await api.activate(dev.email!, code)).status, 200);
  assert.equal((await api.leadLogin(leadId)).body.items[0].workspaceUser.id, dev.userId);
  // The code of one address does not activate another address's lead.
  const other = await leadWithCode(people[3]!.email!);
  assertError(await api.activate(dev.email!, other.code, other.leadId), 400, 'code');
});

test('five wrong codes end the lead: the right one is refused after them', async () => {
  const dev = people[3]!;
  const { leadId, code } = await leadWithCode(dev.email!);
  const wrong = code === '000000' ? '111111' : '000000';
  const messages: string[] = [];
  for (let i = 0; i < 5; i++) {
    const r = await api.activate(dev.email!, wrong, leadId);
    assertError(r, 400, 'code');
    messages.push(r.body.message);
  }
  assert.match(messages[0]!, /4 tries left/);
  assert.match(messages[3]!, /1 try left/);
  assert.match(messages[4]!, /too often/);
  const right = await api.activate(dev.email!, code, leadId);
  assertError(right, 400, 'code');
  assert.match(right.body.message, /too often/);
  assertError(await api.leadLogin(leadId), 400, 'leadId');
});

test('an unknown address is answered like a known one, and no mail goes out', async () => {
  const known = people[4]!.email!;
  const unknown = `nobody-${Date.now()}@example.com`;
  const k = await api.lead(known);
  const u = await api.lead(unknown);
  assert.equal(u.status, k.status);
  assert.deepEqual(Object.keys(u.body), Object.keys(k.body));
  assert.equal(u.body.id.length, k.body.id.length);
  assert.equal(u.headers.get('content-length'), k.headers.get('content-length'));
  await smtp.next(known);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(smtp.mails.filter((m) => m.to.includes(unknown)).length, 0, 'no mail to an unknown address');

  // Later steps answer alike too.
  const [ka, ua] = await Promise.all([api.activate(known, '000000', k.body.id), api.activate(unknown, '000000', u.body.id)]);
  assert.deepEqual([ua.status, ua.body], [ka.status, ka.body]);
  const [kl, ul] = await Promise.all([api.leadLogin(k.body.id), api.leadLogin(u.body.id)]);
  assert.deepEqual([ul.status, ul.body], [kl.status, kl.body]);
});

test('POST /lead: at most 5 per address and client, then 429 with Retry-After; bad addresses are 400', async () => {
  const email = people[5]!.email!;
  for (let i = 0; i < LEAD_REQUESTS; i++) assert.equal((await api.lead(email)).status, 200);
  const limited = await api.lead(email);
  assertError(limited, 429);
  const retry = Number(limited.headers.get('retry-after'));
  assert.ok(retry > 0 && retry <= 15 * 60, `Retry-After in seconds: ${retry}`);
  // Another address from the same client is not held back by this one.
  assert.equal((await api.lead(`someone-else-${Date.now()}@example.com`)).status, 200);
  assertError(await api.lead('not an address'), 400, 'email');
  assertError(await http(s.url, 'POST', '/lead', { body: {} }), 400, 'email');
});

test('the "Create a new workspace" choice is refused with a reason the CLI prints', async () => {
  const r = await http(s.url, 'POST', '/createWorkspace', { body: { workspaceName: 'New', timeZoneId: 'Europe/Lisbon', leadId: 'x' }, headers: AXIOS });
  assertError(r, 403);
  assert.match(r.body.message, /does not create workspaces/);
});

test('info and user info answer without Authtoken (id and name only); with one, it is checked', async () => {
  const dev = people[0]!;
  assert.deepEqual((await api.info(s.workspaceId)).body, { id: s.workspaceId, name: 'Test Workspace' });
  assertError(await api.info('0123456789abcdef01234567'), 404);
  assertError(await api.info('not-an-id'), 404);
  assertError(await http(s.url, 'GET', `/workspaces/${s.workspaceId}/info`, { headers: { authtoken: 'not-a-token' } }), 401);
  const pair = (await dev.post('/auth/developer-token')).body;
  assert.deepEqual((await http(s.url, 'GET', `/workspaces/${s.workspaceId}/info`, { headers: { authtoken: pair.token } })).body, { id: s.workspaceId, name: 'Test Workspace' });

  const userPath = `/workspaces/${s.workspaceId}/workspaceUsers/${dev.userId}`;
  assert.deepEqual((await api.userInfo(s.workspaceId, dev.userId)).body, { id: dev.userId, name: 'Dev 0' });
  assert.deepEqual((await http(s.url, 'GET', userPath, { headers: { authtoken: pair.token } })).body, { id: dev.userId, name: 'Dev 0', email: dev.email });
});

// ---- relative redirect URLs (§5.1) ----------------------------------------------------------------------

test('resolveRedirect: a relative URL takes the registered URL with that path', () => {
  const registered = ['https://a.example/', 'https://myapp.com/redirect', 'https://myapp.com/other'];
  assert.equal(resolveRedirect(undefined, registered), 'https://a.example/');
  assert.equal(resolveRedirect('', registered), 'https://a.example/');
  assert.equal(resolveRedirect('/redirect', registered), 'https://myapp.com/redirect', 'the registered URL with that path, not the first that would continue');
  assert.equal(resolveRedirect('/redirect?x=1', registered), 'https://myapp.com/redirect?x=1');
  assert.equal(resolveRedirect('/anything', registered), 'https://a.example/anything', 'else the first it continues');
  assert.equal(resolveRedirect('https://myapp.com/redirect/sub', registered), 'https://myapp.com/redirect/sub');
  const narrow = ['https://myapp.com/redirect'];
  for (const bad of ['//evil.com/redirect', '/\\evil.com/redirect', '/redirect.evil', '/other', 'https://evil.com/redirect', 'javascript:alert(1)']) {
    assert.equal(resolveRedirect(bad, narrow), undefined, bad);
  }
});

test('oauth2/grant and the consent page take the SDK\'s relative /redirect', async () => {
  const owner = s.owner;
  const pair = (await owner.post('/auth/developer-token')).body;
  const dev = { headers: { authtoken: pair.token } };
  const manifest = { ...EXAMPLE, name: 'relative_redirect', slashCommands: [], redirectUrls: ['https://alt.example/callback', 'https://myapp.com/redirect'] };
  const app = await http(s.url, 'POST', `/workspaces/${s.workspaceId}/workspaceUsers/${s.ownerId}/apps`, { body: manifest, ...dev });
  assert.equal(app.status, 200, app.text);
  const grant = (redirectUrl: string) =>
    http(s.url, 'GET', `/workspaces/${s.workspaceId}/workspaceUsers/${s.ownerId}/oauth2/grant?${new URLSearchParams({ clientId: app.body.id, scopes: 'messages:read,bot:messages:write', redirectUrl, state: 's1' })}`, dev);

  const ok = await grant('/redirect');
  assert.equal(ok.status, 200, ok.text);
  const back = new URL(ok.body.redirectUrl);
  assert.equal(`${back.origin}${back.pathname}`, 'https://myapp.com/redirect');
  assert.equal(back.searchParams.get('code'), ok.body.code);
  assert.equal(back.searchParams.get('state'), 's1');
  // The code is bound to the resolved URL: the exchange works as for an absolute one.
  const exchanged = await http(s.url, 'POST', '/oauth2/access', { body: { 'client-id': app.body.id, 'client-secret': app.body.clientSecret, code: ok.body.code } });
  assert.equal(exchanged.status, 200, exchanged.text);
  assert.equal(new URL((await grant('/callback')).body.redirectUrl).origin, 'https://alt.example');
  for (const bad of ['/elsewhere', '//evil.com/redirect', '/\\evil.com/redirect']) assertError(await grant(bad), 400, 'redirectUrl');

  // The consent page (a logged-in browser) resolves it alike and says where it will return.
  const form = new URLSearchParams({ email: owner.email!, password: owner.password!, clientId: app.body.id, scopes: 'messages:read', redirectUrl: '/redirect' });
  const loggedIn = await fetch(`${s.url}/access-request/login`, { method: 'POST', body: form, redirect: 'manual' });
  assert.equal(loggedIn.status, 303);
  const cookie = loggedIn.headers.get('set-cookie')!.split(';')[0]!;
  const page = await fetch(`${s.url}${loggedIn.headers.get('location')}`, { headers: { cookie } });
  const html = await page.text();
  assert.equal(page.status, 200, html);
  assert.match(html, /You will return to <code>https:\/\/myapp\.com<\/code>/);
});

// ---- expiry, with the core's clock ---------------------------------------------------------------------

for (const engine of ['sqlite', 'postgres'] as const) {
  test(`expiry: a code after 10 minutes, a verified lead after 10 more, an exchange token after 5 (${engine})`, async (t) => {
    if (engine === 'postgres' && !(await needs(t, 'postgres'))) return;
    const dir = tempDir();
    const pg = engine === 'postgres' ? await freshPostgresDatabase() : undefined;
    const handle = await openDatabase(pg?.url ?? `sqlite:${join(dir.path, 'clock.db')}`);
    try {
      await migrate(handle.db);
      const clock = { t: Date.now() };
      const sent: Mail[] = [];
      const core = createCore(new Store(handle.db, handle.engine), { publish() {} }, { limiter: new MemoryRateLimiter(() => clock.t), now: () => clock.t, mailer: { send: async (m) => void sent.push(m) } });
      const boot = (await core.accounts.bootstrap({ email: 'owner@example.com', password: 'owner-password-1' }))!;
      const tl = core.toolingLogin;
      const start = async () => {
        const { id } = await tl.start('Owner@Example.com ', '10.0.0.1');
        const mail = sent.at(-1)!;
        assert.equal(mail.to, 'owner@example.com');
        return { id, code: codeOf(mail.text) };
      };
      const rejects = (p: Promise<unknown>, kind: string, pattern?: RegExp) =>
        assert.rejects(p, (e: unknown) => e instanceof DomainError && e.kind === kind && (!pattern || pattern.test(e.message)));

      const a = await start();
      clock.t += LOGIN_CODE_LIFETIME_MS;
      await rejects(tl.activate({ email: 'owner@example.com', code: a.code, leadId: a.id }), 'invalid', /expired/);

      const b = await start();
      clock.t += LOGIN_CODE_LIFETIME_MS - 1;
      await tl.activate({ email: 'owner@example.com', code: ` ${b.code.slice(0, 3)} ${b.code.slice(3)} `, leadId: b.id });
      clock.t += LEAD_LOGIN_WINDOW_MS;
      await rejects(tl.login(b.id), 'invalid');

      const c = await start();
      await tl.activate({ email: 'owner@example.com', code: c.code, leadId: c.id });
      clock.t += LEAD_LOGIN_WINDOW_MS - 1;
      const { items } = await tl.login(c.id);
      assert.equal(items[0]!.workspaceUser.id, boot.owner.id);
      clock.t += EXCHANGE_TOKEN_LIFETIME_MS;
      await rejects(tl.exchange(boot.workspace.id, items[0]!.exchangeToken), 'unauthenticated');

      const d = await start();
      await tl.activate({ email: 'owner@example.com', code: d.code, leadId: d.id });
      const fresh = await tl.login(d.id);
      clock.t += EXCHANGE_TOKEN_LIFETIME_MS - 1;
      const tokens = await tl.exchange(boot.workspace.id, fresh.items[0]!.exchangeToken);
      assert.equal((await core.developerTokens.authenticate(tokens.token))?.id, boot.owner.id);
      await rejects(tl.exchange(boot.workspace.id, fresh.items[0]!.exchangeToken), 'unauthenticated');
    } finally {
      await handle.close();
      await pg?.drop();
      dir.remove();
    }
  });
}

test('an address gets at most 20 codes per window from all clients together; a refused client does not count toward it', async () => {
  const dir = tempDir();
  const handle = await openDatabase(`sqlite:${join(dir.path, 'limits.db')}`);
  try {
    await migrate(handle.db);
    const clock = { t: Date.now() };
    const core = createCore(new Store(handle.db, handle.engine), { publish() {} }, { limiter: new MemoryRateLimiter(() => clock.t), now: () => clock.t, mailer: { send: async () => {} } });
    const tl = core.toolingLogin;
    const limited = (p: Promise<unknown>) => assert.rejects(p, (e: unknown) => e instanceof DomainError && e.kind === 'rate_limited' && e.retryAfterSeconds! > 0);
    // One client past its 5: refused, and its refusals leave the address's budget alone.
    for (let i = 0; i < LEAD_REQUESTS; i++) await tl.start('target@example.com', '10.0.0.1');
    for (let i = 0; i < 10; i++) await limited(tl.start('target@example.com', '10.0.0.1'));
    // Other clients, 5 each, up to the address's 20.
    for (let n = 0; n < LEAD_REQUESTS_PER_EMAIL - LEAD_REQUESTS; n++) await tl.start('target@example.com', `10.0.0.${2 + Math.floor(n / LEAD_REQUESTS)}`);
    await limited(tl.start('target@example.com', '10.0.1.1'));
    await tl.start('other@example.com', '10.0.1.1');
    clock.t += LEAD_WINDOW_MS;
    await tl.start('target@example.com', '10.0.1.1');
  } finally {
    await handle.close();
    dir.remove();
  }
});

// ---- no SMTP ------------------------------------------------------------------------------------------

test('without SMTP_URL the code goes to the log, once, at warn, and the start-up says so', async () => {
  const dir = tempDir();
  const sp = await spawnServer({
    DATABASE_URL: `sqlite:${join(dir.path, 'nosmtp.db')}`,
    SWITCHBOARD_ADMIN_EMAIL: 'boss@example.com',
    SWITCHBOARD_ADMIN_PASSWORD: 'boss-password-1',
    LOG_LEVEL: 'warn',
  });
  try {
    const lines = () =>
      sp
        .output()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { level: number; msg: string; text?: string; to?: string });
    const startup = lines().filter((l) => /e-mail is not configured/.test(l.msg) && /login codes/.test(l.msg));
    assert.equal(startup.length, 1, sp.output());
    assert.equal(startup[0]!.level, 40, 'a warn line');

    const local = cli(sp.url);
    const { body } = await local.lead('boss@example.com');
    const unknown = await local.lead('stranger@example.com');
    assert.equal(unknown.status, 200);
    let mailed: Array<{ level: number; text?: string; to?: string }> = [];
    for (let i = 0; i < 100 && mailed.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      mailed = lines().filter((l) => l.text !== undefined);
    }
    await new Promise((r) => setTimeout(r, 200));
    mailed = lines().filter((l) => l.text !== undefined);
    assert.equal(mailed.length, 1, 'one line for the one known address, none for the unknown one');
    assert.equal(mailed[0]!.level, 40);
    assert.equal(mailed[0]!.to, 'boss@example.com');
    const code = codeOf(mailed[0]!.text!);
    assert.equal(sp.output().match(new RegExp(`\\b${code}\\b`, 'g'))?.length, 1, 'the code appears once in the whole output');

    assert.equal((await local.activate('boss@example.com', code, body.id)).status, 200);
    const items = (await local.leadLogin(body.id)).body.items;
    const tokens = await local.exchange(items[0].workspace.id, items[0].exchangeToken);
    assert.equal(tokens.status, 200);
    const boss = await login(sp.url, 'boss@example.com', 'boss-password-1');
    const mine = await http(sp.url, 'GET', `/workspaces/${boss.workspaceId}/workspaceUsers/${boss.userId}/apps/mine`, { headers: { authtoken: tokens.body.token } });
    assert.equal(mine.status, 200, mine.text);
  } finally {
    assert.equal(await sp.stop(), 0);
    dir.remove();
  }
});
