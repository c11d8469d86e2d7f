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
 *   would: quick) and {@link signInThroughPage} (the sign-in page itself).
 *
 * Launching Debian's chromium is support/browser.ts.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';

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
  const ctx = await browser.newContext({ viewport: opts.viewport ?? { width: 1280, height: 800 }, locale: opts.locale ?? 'en-US' });
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
