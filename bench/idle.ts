/**
 * Bench phase "idle" (issue #16 item 5): what an idle realtime connection costs the server. A fresh
 * Switchboard on its own SQLite file; `connections` WebSockets to `/v1/realtime` are opened in
 * batches (one person's session: the hub keeps a socket per connection whoever it belongs to) and
 * left idle. The server's resident memory (VmRSS of its process) is read before and after, once the
 * heap has settled; the difference per connection is the figure (goal ≤ 20 KB). Then one message
 * is posted to #general and every socket must receive its frame: idle does not mean forgotten.
 *
 * `npm run bench` runs it after the other phases; `BENCH_ONLY=idle` runs it alone.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';

export const IDLE_SETTINGS = {
  connections: Number(process.env.BENCH_IDLE_CONNECTIONS ?? 10_000),
  batch: 500,
  settleMs: 3_000,
};
export const IDLE_GOAL_KB = 20;
/** Opening 10,000 sockets, settling twice, one broadcast. */
export const IDLE_PHASE_BUDGET_MS = 60_000;

const OWNER = { email: 'owner@idle-bench.invalid', password: 'idle-bench-owner-password' };

export interface IdleBench {
  settings: typeof IDLE_SETTINGS;
  rssBeforeMb: number;
  rssAfterMb: number;
  kbPerConnection: number;
  broadcast: { delivered: number; ms: number };
}

const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resident memory of a process, in KB (Linux). */
function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]);
}

export async function idleBench(o: {
  dir: string;
  startServer(env: Record<string, string>): Promise<{ url: string; stop(): Promise<void>; process: { pid?: number | undefined } }>;
  log: (...a: unknown[]) => void;
}): Promise<IdleBench> {
  const server = await o.startServer({
    DATABASE_URL: `sqlite:${join(o.dir, 'idle.db')}`,
    SWITCHBOARD_DATA_DIR: o.dir,
    LOG_LEVEL: 'warn',
    SWITCHBOARD_ADMIN_EMAIL: OWNER.email,
    SWITCHBOARD_ADMIN_PASSWORD: OWNER.password,
  });
  const pid = server.process.pid!;
  const sockets: WebSocket[] = [];
  try {
    const login = await fetch(`${server.url}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(OWNER) });
    const { token } = (await login.json()) as { token: string };
    const auth = { authorization: `Bearer ${token}` };
    const channels = (await (await fetch(`${server.url}/v1/channels`, { headers: auth })).json()) as Array<{ channel: { id: string; isMain: boolean } }>;
    const general = channels.find((c) => c.channel.isMain)!.channel.id;
    const wsUrl = server.url.replace(/^http/, 'ws') + '/v1/realtime';

    // Warm the paths a connection takes (upgrade, session lookup, hello), then measure from there.
    const warm = await Promise.all(Array.from({ length: 50 }, () => open(wsUrl, auth)));
    for (const ws of warm) ws.terminate();
    await sleep(IDLE_SETTINGS.settleMs);
    const before = rssKb(pid);

    let received = 0;
    let marker = '';
    let allIn: () => void = () => {};
    const done = new Promise<void>((r) => (allIn = r));
    const onFrame = (data: WebSocket.RawData) => {
      if (marker && data.toString().includes(marker) && ++received === IDLE_SETTINGS.connections) allIn();
    };
    for (let i = 0; i < IDLE_SETTINGS.connections; i += IDLE_SETTINGS.batch) {
      const n = Math.min(IDLE_SETTINGS.batch, IDLE_SETTINGS.connections - i);
      sockets.push(...(await Promise.all(Array.from({ length: n }, () => open(wsUrl, auth, onFrame)))));
    }
    await sleep(IDLE_SETTINGS.settleMs);
    const after = rssKb(pid);
    o.log(`  ${sockets.length} idle connections: RSS ${round(before / 1024, 1)} → ${round(after / 1024, 1)} MB`);

    marker = `idle-broadcast-${Date.now()}`;
    const started = performance.now();
    const posted = await fetch(`${server.url}/v1/channels/${general}/messages`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ text: marker }) });
    if (posted.status !== 200) throw new Error(`posting the broadcast: ${posted.status} ${await posted.text()}`);
    await Promise.race([done, sleep(20_000)]);
    const ms = performance.now() - started;
    o.log(`  broadcast reached ${received} of ${sockets.length} in ${round(ms, 1)} ms`);
    return {
      settings: IDLE_SETTINGS,
      rssBeforeMb: round(before / 1024, 1),
      rssAfterMb: round(after / 1024, 1),
      kbPerConnection: round((after - before) / sockets.length, 2),
      broadcast: { delivered: received, ms: round(ms, 1) },
    };
  } finally {
    for (const ws of sockets) ws.terminate();
    await server.stop();
  }
}

/** One connection, open and past its `hello`. */
function open(url: string, headers: Record<string, string>, onFrame?: (data: WebSocket.RawData) => void): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers, perMessageDeflate: false });
    ws.once('message', () => {
      if (onFrame) ws.on('message', onFrame);
      resolve(ws);
    });
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
  });
}

/** The phase's rows of the results table. */
export function idleRows(r: IdleBench): string[] {
  const met = r.kbPerConnection <= IDLE_GOAL_KB ? 'met' : 'not met';
  return [
    `| **(idle) server memory per idle WebSocket (KB)**, ${r.settings.connections.toLocaleString('en')} connections (RSS ${r.rssBeforeMb} → ${r.rssAfterMb} MB) | ${r.kbPerConnection} | | goal ≤ ${IDLE_GOAL_KB}: ${met} |`,
    `| (idle) one broadcast to all of them: frames delivered, ms | ${r.broadcast.delivered} / ${r.settings.connections}, ${r.broadcast.ms} | | |`,
  ];
}
