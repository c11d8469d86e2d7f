/**
 * Bench phase "web" (issue #15 item 6, (g) in the issue): the web client in Debian's Chromium.
 *
 * 1. **First-load JavaScript, gzipped**: the module script and every `modulepreload` of the built
 *    `packages/web/dist/index.html`, each gzipped (level 9, as a server would serve it). Goal ≤ 250 KB.
 * 2. **Navigation → first messages visible**: a signed-in person opens a channel's URL; the clock is
 *    the page's own (`performance.now()` counts from the navigation's start), read at the first
 *    animation frame in which a message row is in the DOM. p50 of `loads` navigations, beside a static
 *    page from a bare `node:http` server showing the same newest messages as plain HTML: the least any
 *    client could do. `ratios.webFirstPaintVsStatic` = static p50 ÷ Switchboard p50.
 * 3. **Scrolling 10,000 messages**: in a channel holding `messages` messages, the message list is
 *    scrolled upwards by `scrollStepPx` every frame for `scrollMs`, older pages loading as it goes; the
 *    frame times (deltas between animation frames) are recorded. Goal: p95 ≤ 16.7 ms (60 fps).
 *
 * The messages are posted through the API before the measurements (10 posters), so they are what a
 * real channel holds. `npm run bench` runs it after the other phases; `BENCH_ONLY=web` runs it alone.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Page } from 'playwright-core';

export const WEB_SETTINGS = {
  messages: Number(process.env.BENCH_WEB_MESSAGES ?? 10_000),
  loads: 10,
  scrollMs: 4_000,
  scrollStepPx: 120,
  posters: 10,
};
/**
 * Goals of issue #15 item 6. A frame at 60 Hz lasts 16.67 ms, and animation-frame timestamps jitter
 * around the vsync by a fraction of a millisecond: a p95 within `vsyncJitterMs` of it is 60 fps.
 */
export const WEB_GOALS = { firstLoadGzipKb: 250, scrollP95Ms: 16.7, vsyncJitterMs: 1 };
/** Seeding 10,000 posts, building the client if needed, 20 navigations and the scroll. */
export const WEB_PHASE_BUDGET_MS = 60_000;

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OWNER = { email: 'owner@web-bench.invalid', password: 'web-bench-owner-password' };
/** What the client renders for each message row (packages/web/src/messages/MessageRow.tsx). */
const ROW = '[data-message-id]';

export interface WebBench {
  settings: typeof WEB_SETTINGS;
  firstLoad: { files: number; gzipKb: number };
  firstMessagesMs: { switchboard: { p50: number; p90: number }; static: { p50: number; p90: number } };
  scroll: { frames: number; p50: number; p95: number; p99: number; rowsSeen: number };
  webFirstPaintVsStatic: number;
}

const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;
function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! : NaN;
}

/** Builds packages/web when its dist is missing or older than its sources (scripts/web-build.mjs, as `npm start` does). */
async function buildClient(log: (...a: unknown[]) => void): Promise<void> {
  // @ts-expect-error a plain .mjs module of the repo's scripts, without types
  const { buildWebClientIfStale } = (await import('../scripts/web-build.mjs')) as { buildWebClientIfStale(log: (m: string) => void): Promise<boolean> };
  await buildWebClientIfStale((m) => log(`  ${m}`));
}

/** The module script and its modulepreloads: what the browser fetches before the app runs. */
function firstLoad(dist: string): { files: number; gzipKb: number } {
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const srcs = [...html.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"/g), ...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g)].map((m) => m[1]!);
  const bytes = srcs.reduce((sum, src) => sum + gzipSync(readFileSync(join(dist, src.replace(/^\//, ''))), { level: 9 }).length, 0);
  return { files: srcs.length, gzipKb: round(bytes / 1024, 1) };
}

/** The bare baseline: the same newest messages as static HTML, no script. */
async function staticServer(rows: Array<{ author: string; text: string }>): Promise<{ url: string; close(): Promise<void> }> {
  const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
  const body = `<!doctype html><html><head><meta charset="utf-8"><title>static</title></head><body><main>${rows
    .map((r, i) => `<div data-message-id="${i}"><b>${esc(r.author)}</b><p>${esc(r.text)}</p></div>`)
    .join('')}</main></body></html>`;
  const server = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => new Promise((r) => server.close(() => r())) };
}

/** Milliseconds from the navigation's start to the first frame with a message row in the DOM. */
async function firstRowMs(page: Page, url: string): Promise<number> {
  await page.goto(url, { waitUntil: 'commit' });
  const handle = await page.waitForFunction(
    (sel) => {
      const w = window as unknown as { __firstRow?: number };
      if (document.querySelector(sel)) w.__firstRow ??= performance.now();
      return w.__firstRow;
    },
    ROW,
    { polling: 'raf', timeout: 30_000 },
  );
  return (await handle.jsonValue()) as number;
}

export async function webBench(o: {
  root: string;
  dir: string;
  startServer(env: Record<string, string>): Promise<{ url: string; stop(): Promise<void> }>;
  log: (...a: unknown[]) => void;
}): Promise<WebBench> {
  const web = join(o.root, 'packages/web');
  await buildClient(o.log);
  const load = firstLoad(join(web, 'dist'));
  o.log(`  first load: ${load.files} scripts, ${load.gzipKb} KB gzipped`);

  const server = await o.startServer({
    DATABASE_URL: `sqlite:${join(o.dir, 'web.db')}`,
    SWITCHBOARD_DATA_DIR: o.dir,
    LOG_LEVEL: 'warn',
    SWITCHBOARD_ADMIN_EMAIL: OWNER.email,
    SWITCHBOARD_ADMIN_PASSWORD: OWNER.password,
  });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  let bare: { url: string; close(): Promise<void> } | undefined;
  try {
    const json = async (path: string, init: RequestInit & { token?: string } = {}) => {
      const r = await fetch(server.url + path, { ...init, headers: { 'content-type': 'application/json', ...(init.token && { authorization: `Bearer ${init.token}` }) } });
      const text = await r.text();
      if (!r.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${r.status} ${text}`);
      return text ? JSON.parse(text) : undefined;
    };
    const { token } = await json('/auth/login', { method: 'POST', body: JSON.stringify(OWNER) });
    const channel = (await json('/v1/channels', { method: 'POST', token, body: JSON.stringify({ name: 'bench-history', type: 'PUBLIC' }) })).channel.id as string;

    // The history: messages of ~80–200 characters with some markdown, posted by 10 posters at once.
    const started = performance.now();
    let next = 0;
    const words = 'deploy build release review ship merge test fix issue plan sync call notes update check'.split(' ');
    const text = (i: number) => `${i}: ${Array.from({ length: 12 + (i % 20) }, (_, k) => words[(i * 7 + k) % words.length]).join(' ')}${i % 5 === 0 ? ' **done**' : ''}${i % 11 === 0 ? ' `code`' : ''}`;
    await Promise.all(
      Array.from({ length: WEB_SETTINGS.posters }, async () => {
        for (let i = next++; i < WEB_SETTINGS.messages; i = next++) await json(`/v1/channels/${channel}/messages`, { method: 'POST', token, body: JSON.stringify({ text: text(i) }) });
      }),
    );
    o.log(`  ${WEB_SETTINGS.messages} messages posted in ${round((performance.now() - started) / 1000, 1)} s`);

    // The static baseline shows the same newest page the client's first page holds (50).
    bare = await staticServer(Array.from({ length: 50 }, (_, k) => ({ author: 'owner', text: text(WEB_SETTINGS.messages - 50 + k) })));

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    // Sign in through the page's own session route (the cookie), as a person does.
    await page.goto(server.url + '/login');
    const signIn = await page.evaluate(async (body) => (await fetch('/auth/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body })).status, JSON.stringify(OWNER));
    if (signIn !== 200) throw new Error(`sign-in through /auth/session: ${signIn}`);

    const url = `${server.url}/c/${channel}`;
    await firstRowMs(page, url); // warm: the browser's cache holds the assets, as on a second visit
    const sb: number[] = [];
    for (let i = 0; i < WEB_SETTINGS.loads; i++) sb.push(await firstRowMs(page, url));
    await firstRowMs(page, bare.url);
    const st: number[] = [];
    for (let i = 0; i < WEB_SETTINGS.loads; i++) st.push(await firstRowMs(page, bare.url));
    o.log(`  first messages: Switchboard p50 ${round(pct(sb, 50))} ms, static p50 ${round(pct(st, 50))} ms`);

    // Scrolling up through the history: the list's scroller moves every frame; frame deltas recorded.
    await firstRowMs(page, url);
    await page.waitForTimeout(500);
    // A string, not a function: tsx's transform would wrap inner functions in a helper the page lacks.
    const scroll = (await page.evaluate(`(async ({ ms, step, row }) => {
        const first = document.querySelector(row);
        let scroller = first ? first.parentElement : null;
        while (scroller && !(scroller.scrollHeight > scroller.clientHeight && getComputedStyle(scroller).overflowY !== 'visible')) scroller = scroller.parentElement;
        if (!scroller) throw new Error('no scrolling element around the message list');
        const seen = new Set();
        const deltas = [];
        await new Promise((resolve) => {
          const end = performance.now() + ms;
          let last = performance.now();
          const frame = (t) => {
            deltas.push(t - last);
            last = t;
            scroller.scrollTop -= step;
            for (const el of document.querySelectorAll(row)) seen.add(el.getAttribute('data-message-id'));
            if (t < end) requestAnimationFrame(frame);
            else resolve();
          };
          requestAnimationFrame(frame);
        });
        return { deltas: deltas.slice(1), rowsSeen: seen.size };
      })(${JSON.stringify({ ms: WEB_SETTINGS.scrollMs, step: WEB_SETTINGS.scrollStepPx, row: ROW })})`)) as { deltas: number[]; rowsSeen: number };
    await context.close();
    const frames = scroll.deltas;
    o.log(`  scrolling: ${frames.length} frames, p95 ${round(pct(frames, 95))} ms, ${scroll.rowsSeen} messages seen`);
    const sbP50 = pct(sb, 50);
    const stP50 = pct(st, 50);
    return {
      settings: WEB_SETTINGS,
      firstLoad: load,
      firstMessagesMs: { switchboard: { p50: round(sbP50), p90: round(pct(sb, 90)) }, static: { p50: round(stP50), p90: round(pct(st, 90)) } },
      scroll: { frames: frames.length, p50: round(pct(frames, 50)), p95: round(pct(frames, 95)), p99: round(pct(frames, 99)), rowsSeen: scroll.rowsSeen },
      webFirstPaintVsStatic: round(stP50 / sbP50, 3),
    };
  } finally {
    await browser.close();
    await bare?.close();
    await server.stop();
  }
}

/** The phase's rows of the results table. */
export function webRows(w: WebBench): string[] {
  const met = (ok: boolean) => (ok ? 'met' : 'not met');
  return [
    `| **(web) first-load JavaScript, gzipped (KB)** (${w.firstLoad.files} scripts) | ${w.firstLoad.gzipKb} | | goal ≤ ${WEB_GOALS.firstLoadGzipKb}: ${met(w.firstLoad.gzipKb <= WEB_GOALS.firstLoadGzipKb)} |`,
    `| **(web) navigation → first messages visible** p50 / p90 (ms), ${w.settings.loads} loads (bare: static HTML of the same messages) | ${w.firstMessagesMs.switchboard.p50} / ${w.firstMessagesMs.switchboard.p90} | ${w.firstMessagesMs.static.p50} / ${w.firstMessagesMs.static.p90} | **${w.webFirstPaintVsStatic.toFixed(2)}** (static ÷ Switchboard) |`,
    `| **(web) frame time scrolling ${w.settings.messages.toLocaleString('en')} messages** p50 / p95 / p99 (ms), ${w.scroll.frames} frames, ${w.scroll.rowsSeen} messages passed | ${w.scroll.p50} / ${w.scroll.p95} / ${w.scroll.p99} | | goal p95 ≤ ${WEB_GOALS.scrollP95Ms} (+${WEB_GOALS.vsyncJitterMs} ms vsync jitter): ${met(w.scroll.p95 <= WEB_GOALS.scrollP95Ms + WEB_GOALS.vsyncJitterMs)} |`,
  ];
}
