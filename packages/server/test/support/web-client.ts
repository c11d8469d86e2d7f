/**
 * What every browser test of the web client (test/browser/web-*.test.ts) needs, in one place:
 *
 * - {@link prepareWebClient}: build packages/web/dist when it is missing or older than its sources
 *   (the server serves dist/index.html, read again when a build replaces it), and make
 *   artifacts/ at the root (git-ignored) for the screenshots;
 * - {@link axeViolations}: axe-core's serious and critical violations on the page, as readable lines;
 * - {@link watchErrors}: page errors, console errors (CSP violations included) and failed responses
 *   collected into an array the test asserts empty, less the failures a flow expects;
 * - {@link screenshot}: a page or an element saved as artifacts/<name>.png;
 * - {@link signedInContext} (the cookie session set through `POST /auth/session`, as the sign-in page
 *   would: quick) and {@link signInThroughPage} (the sign-in page itself);
 * - {@link waitFor}: polls a check until it holds;
 * - {@link webClientHarness}: the set-up a browser test file shares with the others — one server and
 *   one chromium for the file, started in its `before` and closed in its `after`; tests skip without
 *   chromium (or fail under REQUIRE_SERVICES=1); contexts signed in with their errors collected.
 *
 * Launching Debian's chromium is support/browser.ts.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { after, before, type TestContext } from 'node:test';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { OWNER, createUser, startTestServer, type Client, type TestServer } from './helpers.js';
import { CHROMIUM, launchBrowser } from './browser.js';

export const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const WEB = join(ROOT, 'packages/web');
export const ARTIFACTS = join(ROOT, 'artifacts');

/** Builds packages/web/dist with Vite when it is missing or older than any source (scripts/web-build.mjs). */
export async function buildClientIfStale(): Promise<void> {
  // @ts-expect-error a plain .mjs module of the repo's scripts, without types
  const { buildWebClientIfStale } = (await import('../../../../scripts/web-build.mjs')) as { buildWebClientIfStale(): Promise<boolean> };
  await buildWebClientIfStale();
}

/** The client built and artifacts/ made: call once before the first server starts. */
export async function prepareWebClient(): Promise<void> {
  await buildClientIfStale();
  mkdirSync(ARTIFACTS, { recursive: true });
}

let axeSource: string | undefined;

/** Every serious or critical axe-core violation on the page, as readable lines (expect `[]`). */
export async function axeViolations(page: Page): Promise<string[]> {
  axeSource ??= readFileSync(join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');
  // Evaluated over the DevTools protocol, which the page's CSP does not govern (an injected <script> would be refused).
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: Array<{ id: string; impact: string; help: string; nodes: Array<{ target: string[] }> }> }> } }).axe;
    return axe.run(document, { resultTypes: ['violations'] });
  });
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** A page or one element of it saved as artifacts/<name>.png. */
export async function screenshot(target: Page | Locator, name: string, opts: { fullPage?: boolean } = {}): Promise<void> {
  const path = join(ARTIFACTS, `${name}.png`);
  if ('goto' in target) await target.screenshot({ path, ...opts });
  else await target.screenshot({ path });
}

/** A failed response a flow expects (left out of the errors): any method or status when not given. */
export interface ExpectedFailure {
  method?: string;
  path: RegExp;
  status?: number;
}

/**
 * Collects into `into`, each line prefixed with `who`: page errors, console errors, and responses of
 * 400 and up as "METHOD /path → status" — except the 401 of `/auth/session` (nobody signed in yet, or
 * a wrong password) and the `expected` ones.
 */
export function watchErrors(page: Page, into: string[], who: string, expected: ExpectedFailure[] = []): void {
  page.on('pageerror', (err) => into.push(`${who} pageerror: ${err.message}`));
  // failed loads are reported with their URL below; the console line says only "Failed to load resource"
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) into.push(`${who} console: ${msg.text()}`);
  });
  page.on('response', (res) => {
    const path = new URL(res.url()).pathname;
    const method = res.request().method();
    const status = res.status();
    if (status < 400 || (status === 401 && path === '/auth/session')) return;
    if (expected.some((e) => (e.method ?? method) === method && e.path.test(path) && (e.status ?? status) === status)) return;
    into.push(`${who} ${method} ${path} → ${status}`);
  });
}

export interface SignedInOptions {
  viewport?: { width: number; height: number };
  locale?: string;
  /** the browser's time zone (the host's when not given) */
  timezoneId?: string;
  /** errors of the first page go here (watchErrors) */
  errors?: string[];
  /** the name prefixing its errors (default: the e-mail) */
  who?: string;
  expected?: ExpectedFailure[];
  /** closes the context when the test ends (node:test's t.after) */
  t?: { after(fn: () => Promise<void>): void };
}

/**
 * A new browser context signed in through the cookie session (`POST /auth/session` from the server's
 * own origin, as the sign-in page does), and its first page, not navigated yet.
 */
export async function signedInContext(browser: Browser, url: string, person: { email: string; password: string }, opts: SignedInOptions = {}): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await browser.newContext({ viewport: opts.viewport ?? { width: 1280, height: 800 }, locale: opts.locale ?? 'en-US', ...(opts.timezoneId && { timezoneId: opts.timezoneId }) });
  opts.t?.after(() => ctx.close().catch(() => {}));
  const r = await ctx.request.post(`${url}/auth/session`, { data: { email: person.email, password: person.password }, headers: { origin: url } });
  assert.equal(r.status(), 200, await r.text());
  const page = await ctx.newPage();
  if (opts.errors) watchErrors(page, opts.errors, opts.who ?? person.email, opts.expected);
  return { ctx, page };
}

/**
 * Signs in through the sign-in page (`path` first, which sends a signed-out tab there; the fields are
 * found by type, so any language works), and waits for #general.
 */
export async function signInThroughPage(page: Page, url: string, email: string, password: string, path = '/'): Promise<void> {
  await page.goto(`${url}${path}`);
  await page.waitForURL(/\/login/);
  await page.locator('input[type="email"]').fill(email);
  await page.locator('input[type="password"]').fill(password);
  await page.locator('button[type="submit"]').click();
  await page.getByRole('heading', { level: 1, name: 'general' }).waitFor();
}

/** Polls `check` every 50 ms until it holds; fails the test with `what` after `ms`. */
export async function waitFor(what: string, check: () => Promise<boolean>, ms = 5_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// ---- one server and one browser for a test file -------------------------------------------------------

/** What a sign-in takes (a Client from login or createUser has both), and the name its errors go under. */
export interface Credentials {
  email?: string;
  password?: string;
  name?: string;
}

/** Someone {@link WebClientHarness.member} made: their API client, name and sign-in. */
export interface Member {
  api: Client;
  name: string;
  email: string;
  password: string;
}

/** Someone at a browser context of their own ({@link WebClientHarness.person}), and its first page's errors. */
export interface BrowserPerson {
  api: Client;
  page: Page;
  context: BrowserContext;
  errors: string[];
}

/** How a context is made: signedInContext's options but the browser's, the errors' array and the test's. */
export type ContextOptions = Omit<SignedInOptions, 'errors' | 't'>;

export interface WebClientHarnessOptions {
  /** startTestServer's overrides; false starts none (the file starts its own servers) */
  server?: Parameters<typeof startTestServer>[0] | false;
  /** the viewport of every context the harness makes unless a call gives one (default 1280×800) */
  viewport?: { width: number; height: number };
  /** more set-up, once the server runs (skipped, as the server is, without chromium) */
  setUp?(s: TestServer): Promise<void>;
  /** more tear-down, once the browser and the server are closed */
  tearDown?(): Promise<void>;
}

export interface WebClientHarness {
  /** The file's server, as started in `before` (reading it before then, or with `server: false`, throws). */
  readonly server: TestServer;
  /** The file's chromium, once {@link needBrowser} has launched it. */
  readonly browser: Browser;
  /**
   * Launches chromium on the first call; false when it is missing, the test skipped (under
   * REQUIRE_SERVICES=1 it throws instead). Each test starts with `if (!(await needBrowser(t))) return;`.
   */
  needBrowser(t: TestContext): Promise<boolean>;
  /**
   * A context signed in as `who` (signedInContext), its first page's errors collected into `errors`
   * under `opts.who`, else `who.name`, else `who.email`; closed when `t` ends (when `t` is given).
   */
  signedIn(t: SignedInOptions['t'], who: Credentials, errors: string[], opts?: ContextOptions): Promise<{ ctx: BrowserContext; page: Page }>;
  /** {@link signedIn} as the workspace's owner, the errors under "owner". */
  signedInOwner(t: SignedInOptions['t'], errors: string[], opts?: ContextOptions): Promise<{ ctx: BrowserContext; page: Page }>;
  /** A new person of the workspace (a MEMBER unless `role` says), made by the owner. */
  member(name: string, role?: 'ADMIN' | 'MEMBER' | 'GUEST'): Promise<Member>;
  /** The workspace's owner as a {@link Member}, under their display name (read from the server once). */
  owner(): Promise<Member>;
  /** `api`'s person signed in at a context of their own, with its own errors (under the e-mail unless `opts.who`). */
  person(api: Client, opts?: ContextOptions & { t?: SignedInOptions['t'] }): Promise<BrowserPerson>;
  /** Opens the channel and waits for its heading. */
  openChannel(page: Page, channelId: string, name: string): Promise<void>;
}

/**
 * Registers the file's `before` (when chromium is there: the client built, the server started, then
 * `setUp`) and `after` (the browser, the server, then `tearDown`), and gives what the tests use:
 *
 *     const { server: s, needBrowser, signedIn } = webClientHarness();
 *     test('…', async (t) => {
 *       if (!(await needBrowser(t))) return;
 *       const errors: string[] = [];
 *       const { page } = await signedIn(t, await member('Ada'), errors);
 *       …
 *       assert.deepEqual(errors, []);
 *     });
 *
 * Call it once, at the top level of the test file.
 */
export function webClientHarness(options: WebClientHarnessOptions = {}): WebClientHarness {
  let started: TestServer | undefined;
  let browser: Browser | undefined;
  let owner: Promise<Member> | undefined;
  const current = (): TestServer => {
    if (!started) throw new Error(options.server === false ? 'this harness starts no server (server: false)' : 'the server is not started yet (it starts in before, when chromium is there)');
    return started;
  };

  before(async () => {
    if (!existsSync(CHROMIUM)) return;
    await prepareWebClient();
    if (options.server === false) return;
    started = await startTestServer(options.server);
    await options.setUp?.(started);
  });

  after(async () => {
    await browser?.close();
    await started?.close();
    await options.tearDown?.();
  });

  // The server the hooks start, read through: test files take it once, at the top level, before it runs.
  const server: TestServer = {
    get sb() { return current().sb; },
    get url() { return current().url; },
    get wsUrl() { return current().wsUrl; },
    get owner() { return current().owner; },
    get ownerId() { return current().ownerId; },
    get workspaceId() { return current().workspaceId; },
    get generalId() { return current().generalId; },
    close: () => current().close(),
  };

  const signedIn: WebClientHarness['signedIn'] = (t, who, errors, opts = {}) => {
    assert.ok(who.email && who.password, 'signedIn: who has no e-mail or no password');
    if (!browser) throw new Error('no browser: call needBrowser(t) first');
    return signedInContext(browser, current().url, { email: who.email, password: who.password }, { viewport: options.viewport, ...opts, t, errors, who: opts.who ?? who.name ?? who.email });
  };

  return {
    server,
    get browser() {
      if (!browser) throw new Error('no browser: call needBrowser(t) first');
      return browser;
    },
    async needBrowser(t) {
      browser ??= await launchBrowser(t);
      return browser !== undefined;
    },
    signedIn,
    signedInOwner: (t, errors, opts = {}) => signedIn(t, OWNER, errors, { who: 'owner', ...opts }),
    async member(name, role = 'MEMBER') {
      const api = await createUser(current().owner, role, name);
      return { api, name, email: api.email!, password: api.password! };
    },
    owner() {
      owner ??= (async () => {
        const api = current().owner;
        const name = (await api.get(`/v1/workspaceUsers/${api.userId}`)).body.name as string;
        return { api, name, email: OWNER.email, password: OWNER.password };
      })();
      return owner;
    },
    async person(api, opts = {}) {
      const errors: string[] = [];
      const { ctx: context, page } = await signedIn(opts.t, api, errors, opts);
      return { api, page, context, errors };
    },
    async openChannel(page, channelId, name) {
      await page.goto(`${current().url}/c/${channelId}`);
      await page.getByRole('heading', { level: 1, name }).waitFor();
    },
  };
}
