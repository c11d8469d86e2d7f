/**
 * `npm run bench`: Switchboard against bare baselines, in one bounded run on loopback.
 *
 *  (a) posts/s through POST /v1/channels/{id}/messages (fresh SQLite, 10 members of the channel
 *      connected by WebSocket and reading), beside a bare Fastify route parsing the same body;
 *  (b) fan-out to 1,000 WebSocket members of one channel: deliveries/s and post→delivery
 *      latency, beside a bare `ws` server broadcasting frames of the same size;
 *  (c) app event deliveries/s: messages posted to a channel reach an installed app's
 *      eventSubscriptions.url as signed NEW_MESSAGE envelopes (outbox → dispatcher → delivery
 *      queue), beside a bare undici POST loop to the same local endpoint;
 *  (d) incoming-webhook requests/s through POST /hooks/{id}/{token} into a channel, for a hook
 *      without a script and the same payload through a hook whose script reshapes it (QuickJS
 *      sandbox in a worker thread): the ratio is what a script costs.
 *  (search) POST /v1/messages/search over 200,000 messages, a word and a phrase, p50/p99 beside the
 *      same query on the bare FTS5 index (bench/search.ts; BENCH_ONLY=search runs only it).
 *
 * Every server under test runs in its own child process; this process is the load generator and
 * the WebSocket clients. Writes bench/results/latest.json and prints a markdown table. Progress
 * goes to stderr, the table to stdout. See bench/README.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { Pool } from 'undici';
import WebSocket from 'ws';
import { MARKER_BYTES, MARK_HEAD_CHARS, mark, markHead, markedText, readMark } from './mark.js';
import { seed } from './seed.js';
import { SEARCH_PHASE_BUDGET_MS, searchBench, searchRows, type SearchBench } from './search.js';
import { UPLOAD_GOAL, UPLOAD_PHASE_BUDGET_MS, uploadBench, uploadRows, type UploadBench } from './upload.js';
import { WEB_PHASE_BUDGET_MS, webBench, webRows, type WebBench } from './web.js';
import { IDLE_PHASE_BUDGET_MS, idleBench, idleRows, type IdleBench } from './idle.js';
import { SCALE_GOAL, SCALE_PHASE_BUDGET_MS, scaleBench, scaleRows, type ScaleBench } from './scale.js';
import { MIXED_PHASE_BUDGET_MS, mixedBench, mixedRows, type MixedBench } from './mixed.js';
import { TRIGGER_LIMITS } from '../packages/server/src/domain/apps/trigger-runner.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS = join(ROOT, 'bench', 'results');

function setting(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number (got "${v}")`);
  return n;
}

const SETTINGS = {
  /** measured seconds of each load phase */
  seconds: setting('BENCH_SECONDS', 10),
  /** unmeasured seconds before each load phase (JIT, caches) */
  warmupSeconds: setting('BENCH_WARMUP_SECONDS', 2),
  /** (a) autocannon connections, no pipelining */
  connections: 20,
  /** (a) WebSocket members of the posting channel, connected and reading */
  postListeners: 10,
  /** (b) WebSocket members of the fan-out channel */
  fanoutClients: setting('BENCH_FANOUT_CLIENTS', 1000),
  /** (b) concurrent posters; each sends its next POST once the previous one answered */
  posters: 4,
  /** (b) and at most this many posted messages not yet received by every client */
  window: 8,
  /** characters of message text, the same in every phase */
  textLength: 120,
  /** (c) concurrent posters of the messages that become app events */
  eventPosters: 4,
  /** (c) and at most this many posted messages not yet delivered to the app endpoint */
  eventWindow: setting('BENCH_EVENT_WINDOW', 16),
  /**
   * (c) the bare POST loop's connections, each with one request in flight: the DeliveryQueue's
   * default per-endpoint limit (maxInFlightPerEndpoint, docs/delivery.md §3/§10), so the most attempts
   * Switchboard itself ever has in flight to the one app endpoint of this benchmark.
   */
  eventConnections: 4,
  /** (c) drain: messages posted while the endpoint holds its requests, and by this many posters */
  drainBacklog: setting('BENCH_DRAIN_BACKLOG', 10_000),
  drainPosters: 8,
  /** (c) drain: and for at most this long (the held attempts time out after 15 s) */
  drainPostSeconds: 8,
  /** (e) the bare send loop's frames, at least */
  bareSendLoopFrames: 50_000,
  /** (f) slash commands answered with a modal, one after another */
  modalOpens: setting('BENCH_MODAL_OPENS', 150),
  /** (f) and at most this long for all of them (the run stays bounded whatever the server does) */
  modalBudgetMs: 20_000,
};
const OWNER = { email: 'owner@bench.invalid', password: 'bench-owner-password' };
// (e) adds two phases of warm-up + measurement and their set-up to the 170 s the rest needs; (f) at
// most its budget (20 s) and a few seconds of set-up.
/** (workers): a fresh seed, a start, and (a) and (b) again with WORKERS=2. */
const WORKERS_PHASE_BUDGET_MS = 60_000;
const DEADLINE_MS = 270_000 + SEARCH_PHASE_BUDGET_MS + UPLOAD_PHASE_BUDGET_MS + WEB_PHASE_BUDGET_MS + IDLE_PHASE_BUDGET_MS + SCALE_PHASE_BUDGET_MS + MIXED_PHASE_BUDGET_MS + WORKERS_PHASE_BUDGET_MS; // (search), (upload), (web), (idle), (scale), (mixed): bench/<phase>.ts

const log = (...parts: unknown[]) => process.stderr.write(`[bench] ${parts.join(' ')}\n`);
/** (search): bare FTS5 p50 ÷ Switchboard p50 (issue #14 item 7). */
const SEARCH_GOAL = 0.5;
/** (c) and (e) drain: their backlogs' marks start here, above the closed loops' (eventRun's SEQ_BASE). */
const DRAIN_SEQ_BASE = 60_000_000;

// ---- message text: carries a sequence number and the send time (bench/mark.ts) ------------------

/** `bench:<seq>:<performance.now() at send>:xxxx…`, always `textLength` characters. */
function benchText(seq: number, sentAt: number): string {
  return markedText(seq, sentAt, SETTINGS.textLength);
}

// ---- numbers ------------------------------------------------------------------------------------

class Samples {
  private data = new Float64Array(1 << 16);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = v;
  }
  percentiles(): { p50: number; p90: number; p99: number; max: number } {
    const sorted = this.data.slice(0, this.length).sort();
    const at = (q: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN);
    return { p50: round(at(0.5), 2), p90: round(at(0.9), 2), p99: round(at(0.99), 2), max: round(at(1), 2) };
  }
}

const round = (n: number, digits = 0) => {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
};
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function until(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > end) return false;
    await sleep(10);
  }
  return true;
}

/**
 * CPU seconds a process and its children (WORKERS: the primary's workers) have used so far (Linux
 * /proc; undefined elsewhere). A child's time counts while it runs (its own stat), not once it has
 * been waited for: the workers run through the measured interval.
 */
function cpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const own = (p: number | string) => {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in USER_HZ (100/s)
    };
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    return children.reduce((sum, child) => {
      try {
        return sum + own(child);
      } catch {
        return sum; // gone meanwhile
      }
    }, own(pid));
  } catch {
    return undefined;
  }
}

interface CpuUse {
  /** the server process's CPU time over the measured interval, in % of one core */
  serverPct: number | null;
  /** this process (load generator and WebSocket clients), in % of one core */
  benchPct: number;
}

/** Starts a CPU measurement of the server process and of this one; call the result to stop it. */
function cpuMeter(serverPid: number | undefined): () => CpuUse {
  const t0 = performance.now();
  const s0 = cpuSeconds(serverPid);
  const b0 = process.cpuUsage();
  return () => {
    const seconds = (performance.now() - t0) / 1000;
    const s1 = cpuSeconds(serverPid);
    const b = process.cpuUsage(b0);
    return {
      serverPct: s0 === undefined || s1 === undefined ? null : round((100 * (s1 - s0)) / seconds),
      benchPct: round((b.user + b.system) / 1e4 / seconds),
    };
  };
}

// ---- child processes ----------------------------------------------------------------------------

const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();

function killAll(): void {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
}
process.on('exit', () => {
  killAll();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    log(`${signal}: stopping`);
    killAll();
    process.exit(130);
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.listen(0, '127.0.0.1', resolve).once('error', reject));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface Child {
  name: string;
  url: string;
  process: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/**
 * `node --import tsx <script>` on a free loopback port; resolves once GET /readyz answers 200.
 * With `ipc`, the child gets an IPC channel (its process.send reaches `child.process.on('message')`).
 */
async function startChild(name: string, script: string, env: Record<string, string> = {}, nodeArgs: string[] = [], ipc = false, readyMs = 30_000): Promise<Child> {
  const port = await freePort();
  const proc = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script], {
    cwd: ROOT,
    env: { ...process.env, WORKERS: '1', ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  children.add(proc);
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', (chunk: Buffer) => {
    keep(chunk);
    process.stderr.write(`[${name}] ${chunk.toString()}`);
  });
  let exited: string | undefined;
  const exit = new Promise<void>((resolve) =>
    proc.once('exit', (code, signal) => {
      exited = `exited with ${signal ?? code}`;
      children.delete(proc);
      resolve();
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const child: Child = {
    name,
    url,
    process: proc,
    output: () => output,
    async stop() {
      if (exited) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await exit;
      clearTimeout(timer);
    },
  };
  const readyBy = performance.now() + readyMs;
  for (;;) {
    if (exited) throw new Error(`${name} ${exited} before it was ready:\n${output}`);
    if (performance.now() > readyBy) {
      await child.stop();
      throw new Error(`${name} was not ready within ${readyMs / 1000} s:\n${output}`);
    }
    try {
      if ((await request(`${url}/readyz`, 'GET')).status === 200) return child;
    } catch {
      /* not listening yet */
    }
    await sleep(100);
  }
}

// ---- HTTP and WebSocket clients -----------------------------------------------------------------

interface Answer {
  status: number;
  text: string;
}

function request(url: string, method: string, opts: { body?: string; headers?: Record<string, string>; agent?: http.Agent } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method,
        agent: opts.agent ?? false,
        headers: { ...opts.headers, ...(opts.body !== undefined && { 'content-type': 'application/json', 'content-length': Buffer.byteLength(opts.body) }) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

/**
 * Opens one client per token (a missing token: no Authorization header), 50 handshakes at a
 * time, each resolved on its first frame (the hello). Later frames go to `onFrame`.
 */
async function connectClients(wsUrl: string, tokens: Array<string | undefined>, onFrame: (data: Buffer) => void): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  let next = 0;
  const one = (token: string | undefined) =>
    new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(wsUrl, {
        headers: token ? { authorization: `Bearer ${token}` } : {},
        perMessageDeflate: false,
        skipUTF8Validation: true,
      });
      let greeted = false;
      ws.on('message', (data) => {
        if (greeted) return onFrame(data as Buffer);
        greeted = true;
        resolve(ws);
      });
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`WebSocket upgrade refused: ${res.statusCode}`)));
      ws.once('close', () => {
        if (!greeted) reject(new Error('WebSocket closed before hello'));
      });
    });
  const worker = async () => {
    while (next < tokens.length) {
      const ws = await one(tokens[next++]);
      ws.on('error', () => {});
      sockets.push(ws);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(50, tokens.length) }, worker));
  } catch (err) {
    for (const ws of sockets) ws.terminate();
    throw err;
  }
  return sockets;
}

function closeClients(sockets: WebSocket[]): void {
  for (const ws of sockets) ws.terminate();
}

// ---- (a) posting load ---------------------------------------------------------------------------

interface PostLoad {
  /** 2xx answers per second over the measured seconds */
  requestsPerSec: number;
  requests2xx: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  durationS: number;
  /** autocannon's latency, whole milliseconds */
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  /** 2xx answers of the unmeasured warm-up */
  warmup2xx: number;
  cpu: CpuUse;
}

async function postLoad(url: string, headers: Record<string, string>, body: string, serverPid: number | undefined): Promise<PostLoad> {
  const opts = { url, method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body, connections: SETTINGS.connections, pipelining: 1 };
  const warm = await autocannon({ ...opts, duration: SETTINGS.warmupSeconds });
  const meter = cpuMeter(serverPid);
  const r = await autocannon({ ...opts, duration: SETTINGS.seconds });
  const cpu = meter();
  return {
    requestsPerSec: round(r['2xx'] / r.duration),
    requests2xx: r['2xx'],
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    durationS: r.duration,
    latencyMs: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max, mean: round(r.latency.mean, 2) },
    warmup2xx: warm['2xx'],
    cpu,
  };
}

// ---- (b) fan-out --------------------------------------------------------------------------------

interface Fanout {
  clients: number;
  /** measured messages posted (2xx) */
  posts: number;
  failedPosts: number;
  postsPerSec: number;
  /** frames of measured messages received, across all clients */
  deliveries: number;
  expectedDeliveries: number;
  /** from the first measured POST to the last delivery of a measured message */
  elapsedS: number;
  deliveriesPerSec: number;
  /** POST sent → frame received, over every (message, client) pair */
  deliveryLatencyMs: { p50: number; p90: number; p99: number; max: number };
  postLatencyMs: { p50: number; p90: number; p99: number; max: number };
  /** bytes of one message frame as received */
  frameBytes: number;
  /** from the first measured POST until every measured message was delivered */
  cpu: CpuUse;
  /** one received message frame, verbatim */
  sampleFrame: string;
}

async function fanout(target: {
  postUrl: string;
  headers: Record<string, string>;
  wsUrl: string;
  tokens: Array<string | undefined>;
  serverPid: number | undefined;
}): Promise<Fanout> {
  const clients = target.tokens.length;
  const CAP = 1 << 18;
  const received = new Uint16Array(CAP);
  const latencies = new Samples();
  const postLatencies = new Samples();
  let seq = 0;
  let firstMeasured = Number.POSITIVE_INFINITY;
  let inflight = 0;
  let deliveries = 0;
  let lastDeliveryAt = 0;
  let frameBytes = 0;
  let sampleFrame = '';
  let waiters: Array<() => void> = [];
  const wake = () => {
    const w = waiters;
    waiters = [];
    for (const resolve of w) resolve();
  };

  const onFrame = (data: Buffer) => {
    const now = performance.now();
    const s = readMark(data);
    if (s < 0 || s >= CAP) return;
    if (frameBytes === 0) {
      frameBytes = data.length;
      sampleFrame = data.toString('utf8');
    }
    if (s >= firstMeasured) {
      latencies.push(now - mark.sentAt);
      deliveries++;
      lastDeliveryAt = now;
    }
    const n = (received[s] ?? 0) + 1;
    received[s] = n;
    if (n === clients) {
      inflight--;
      wake();
    }
  };

  log(`  connecting ${clients} WebSocket clients`);
  const t0 = performance.now();
  const sockets = await connectClients(target.wsUrl, target.tokens, onFrame);
  log(`  connected in ${round((performance.now() - t0) / 1000, 1)} s`);
  const agent = new http.Agent({ keepAlive: true, maxSockets: SETTINGS.posters });
  let failed = 0;
  let failure = '';

  const poster = async (deadline: number, measured: boolean) => {
    while (performance.now() < deadline && seq < CAP) {
      while (inflight >= SETTINGS.window && performance.now() < deadline) {
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 50);
        });
      }
      if (performance.now() >= deadline) break;
      const s = seq++;
      inflight++;
      const sentAt = performance.now();
      const r = await request(target.postUrl, 'POST', { agent, headers: target.headers, body: JSON.stringify({ text: benchText(s, sentAt) }) });
      if (measured) postLatencies.push(performance.now() - sentAt);
      if (r.status !== 200) {
        failed++;
        failure ||= `${r.status} ${r.text.slice(0, 200)}`;
        inflight--;
      }
    }
  };
  const posters = (deadline: number, measured: boolean) => Promise.all(Array.from({ length: SETTINGS.posters }, () => poster(deadline, measured)));

  try {
    await posters(performance.now() + SETTINGS.warmupSeconds * 1000, false);
    if (!(await until(() => inflight === 0, 10_000))) throw new Error(`fan-out warm-up: ${inflight} messages never reached every client`);
    const warmFailed = failed;
    firstMeasured = seq;
    const meter = cpuMeter(target.serverPid);
    const start = performance.now();
    await posters(start + SETTINGS.seconds * 1000, true);
    const posts = seq - firstMeasured - (failed - warmFailed);
    const drained = await until(() => inflight === 0, 15_000);
    const cpu = meter();
    if (!drained) log(`  ${inflight} messages had not reached every client after 15 s`);
    if (failed > 0) log(`  ${failed} posts failed, first: ${failure}`);
    const elapsedS = (lastDeliveryAt - start) / 1000;
    return {
      clients,
      posts,
      failedPosts: failed,
      postsPerSec: round(posts / SETTINGS.seconds, 1),
      deliveries,
      expectedDeliveries: posts * clients,
      elapsedS: round(elapsedS, 3),
      deliveriesPerSec: round(deliveries / elapsedS),
      deliveryLatencyMs: latencies.percentiles(),
      postLatencyMs: postLatencies.percentiles(),
      frameBytes,
      cpu,
      sampleFrame,
    };
  } finally {
    agent.destroy();
    closeClients(sockets);
  }
}

// ---- (c) app event deliveries -------------------------------------------------------------------

type RawHeaders = Record<string, string | string[] | undefined>;
type EndpointMessage =
  | { kind: 'arrivals'; data: number[]; requests: number }
  | { kind: 'sample'; headers: RawHeaders; body: string };

/** bench/app-endpoint.ts seen from here: what arrived (over IPC), in this process's clock. */
/** Where marked deliveries arrive: the app endpoint of (c), or the socket app of (e). */
interface Arrivals {
  onArrival: (seq: number, arrivedAt: number, sentAt: number) => void;
  readonly sample: { headers: RawHeaders; body: string } | undefined;
  /** the receiving process, when it is not this one */
  readonly child?: Child;
}

/**
 * (e): the socket-mode app, in this process, as the Pumble SDK's socket listener connects (handshake
 * with the appKey, then a WebSocket to the URL it answers); each frame's mark is read from its raw
 * bytes on arrival. Also connects to the bare baseline, which needs no handshake.
 */
class SocketArrivals implements Arrivals {
  sample: { headers: RawHeaders; body: string } | undefined;
  onArrival: (seq: number, arrivedAt: number, sentAt: number) => void = () => {};
  /** (f): the body the app answers a trigger with, as the SDK's response frame (binary); none: no reply */
  onTrigger: ((payload: { messageType: string; triggerId: string; text?: string }) => unknown) | undefined;
  /** (f): when the app last handed a reply to its socket (performance.now()) */
  lastReplyAt = 0;
  frames = 0;
  private ws: WebSocket | undefined;

  async connect(url: string): Promise<void> {
    const ws = new WebSocket(url);
    ws.on('message', (data: Buffer) => {
      const arrivedAt = performance.now();
      this.frames++;
      const seq = readMark(data);
      if (seq < 0) return this.answer(ws, data);
      this.sample ??= { headers: {}, body: data.toString('utf8') };
      this.onArrival(seq, arrivedAt, mark.sentAt);
    });
    this.ws = ws;
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_req, res) => reject(new Error(`socket upgrade refused: ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  private answer(ws: WebSocket, data: Buffer): void {
    if (!this.onTrigger) return;
    const frame = JSON.parse(data.toString('utf8')) as { payload: { messageType: string; triggerId: string }; correlation_id: string };
    if (frame.payload.messageType === 'PUMBLE_EVENT') return;
    const reply = Buffer.from(JSON.stringify({ correlation_id: frame.correlation_id, status: 200, message: 'ok', body: this.onTrigger(frame.payload) }));
    this.lastReplyAt = performance.now();
    ws.send(reply);
  }

  /** Closes the socket; resolves once it is closed (a frame written meanwhile is lost, as for any app). */
  close(): Promise<void> {
    const ws = this.ws;
    if (!ws || ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      ws.once('close', () => resolve());
      ws.close();
    });
  }
}

interface ModalRun {
  opens: number;
  /** slash commands whose modal did not reach the person within 5 s */
  missed: number;
  /** the app writes its OPEN reply → `view.opened` read at the person's /v1/realtime socket */
  latencyMs: { p50: number; p90: number; p99: number; max: number };
}

/**
 * (f) modal open latency (issue 13 item 8): the person types a slash command of the socket-mode app,
 * the app (this process) answers OPEN over its socket, and the clock runs from that reply's write to
 * the `view.opened` frame at the person's socket — both ends in this process, on one clock. One at a
 * time, so each figure is one modal's path (socket → trigger runner → views → commit → bus → hub).
 * One person types them, so they are paced at the server's per-person trigger rate
 * (TRIGGER_LIMITS, docs/app-platform.md §14); the pause lies outside the measured span.
 */
async function modalLatency(o: { sbUrl: string; channelId: string; headers: Record<string, string>; wsUrl: string; token: string; app: SocketArrivals }): Promise<ModalRun> {
  const modal = {
    type: 'MODAL',
    callbackId: 'bench-modal',
    title: { type: 'plain_text', text: 'Bench' },
    submit: { type: 'plain_text', text: 'Send' },
    notifyOnClose: false,
    blocks: [{ type: 'input', blockId: 'name', label: { type: 'plain_text', text: 'Name' }, element: { type: 'plain_text_input', onAction: 'name' } }],
  };
  o.app.onTrigger = (p) => (p.messageType === 'SLASH_COMMAND' ? { triggerId: p.triggerId, view: modal, viewType: 'NATIVE', action: 'OPEN' } : {});
  let opened: (() => void) | undefined;
  let openedAt = 0;
  const [person] = await connectClients(o.wsUrl, [o.token], (data) => {
    if (!opened || data.indexOf('"view.opened"') < 0) return;
    openedAt = performance.now();
    opened();
  });
  const samples = new Samples();
  let missed = 0;
  const until = performance.now() + SETTINGS.modalBudgetMs;
  const spacingMs = 1000 / TRIGGER_LIMITS.perPerson.refillPerSecond;
  try {
    for (let i = 0; i < SETTINGS.modalOpens && performance.now() < until; i++) {
      const started = performance.now();
      const seen = new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), 5_000);
        opened = () => (clearTimeout(timer), resolve(true));
      });
      const r = await request(`${o.sbUrl}/v1/channels/${o.channelId}/messages`, 'POST', { headers: o.headers, body: JSON.stringify({ text: `/benchmodal ${i}` }) });
      if (r.status !== 200) throw new Error(`slash command: ${r.status} ${r.text.slice(0, 200)}`);
      const ok = await seen;
      opened = undefined;
      if (ok) samples.push(openedAt - o.app.lastReplyAt);
      else missed++;
      await sleep(Math.max(0, started + spacingMs - performance.now()));
    }
  } finally {
    o.app.onTrigger = undefined;
    person?.close();
  }
  return { opens: samples.length, missed, latencyMs: samples.percentiles() };
}

class AppEndpoint {
  /** POSTs the endpoint has answered so far, marked or not */
  requests = 0;
  /** the first marked request as received: headers and raw body */
  sample: { headers: RawHeaders; body: string } | undefined;
  onArrival: (seq: number, arrivedAt: number, sentAt: number) => void = () => {};

  constructor(readonly child: Child) {
    child.process.on('message', (m: EndpointMessage) => {
      if (m.kind === 'sample') {
        this.sample ??= { headers: m.headers, body: m.body };
        return;
      }
      this.requests = m.requests;
      const d = m.data;
      for (let i = 0; i + 2 < d.length; i += 3) this.onArrival(d[i]!, d[i + 1]!, d[i + 2]!);
    });
  }

  get url(): string {
    return `${this.child.url}/events`;
  }
}

/**
 * As a developer would, through the API: a developer token, an app whose eventSubscriptions.url is
 * the endpoint (NEW_MESSAGE only, user scope messages:read, no bot), installed and authorised by
 * the owner through oauth2/grant. The owner then entitles the app to NEW_MESSAGE in every channel
 * the owner belongs to: one delivery per message, with workspaceUserIds = [owner].
 */
/**
 * (e): as installApp, but a socket-mode app (no URLs; docs/app-platform.md §10) whose events go
 * over its socket; answers what its SDK needs to connect, and how to delete it afterwards.
 */
async function installSocketApp(base: string, auth: Record<string, string>, workspaceId: string, ownerId: string): Promise<{ appId: string; appKey: string; remove(): Promise<void> }> {
  const dev = await request(`${base}/auth/developer-token`, 'POST', { headers: auth, body: '{}' });
  if (dev.status !== 200) throw new Error(`POST /auth/developer-token: ${dev.status} ${dev.text}`);
  const authtoken = (JSON.parse(dev.text) as { token: string }).token;
  const manifest = {
    name: 'bench_socket_events',
    displayName: 'Bench socket events',
    bot: false,
    socketMode: true,
    scopes: { botScopes: [], userScopes: ['messages:read'] },
    shortcuts: [],
    // (f): answered over the socket with a modal
    slashCommands: [{ command: '/benchmodal', description: 'Opens a modal', usageHint: null }],
    eventSubscriptions: { events: ['NEW_MESSAGE'] },
    redirectUrls: ['https://bench.invalid/redirect'],
  };
  const userPath = `${base}/workspaces/${workspaceId}/workspaceUsers/${ownerId}`;
  const created = await request(`${userPath}/apps`, 'POST', { headers: { authtoken }, body: JSON.stringify(manifest) });
  if (created.status !== 200) throw new Error(`creating the socket app: ${created.status} ${created.text}`);
  const { id: appId, appKey } = JSON.parse(created.text) as { id: string; appKey: string };
  const grant = await request(`${userPath}/oauth2/grant?${new URLSearchParams({ clientId: appId, scopes: 'messages:read' })}`, 'GET', { headers: { authtoken } });
  if (grant.status !== 200) throw new Error(`installing the socket app (oauth2/grant): ${grant.status} ${grant.text}`);
  return {
    appId,
    appKey,
    async remove() {
      const r = await request(`${userPath}/apps/${appId}`, 'DELETE', { headers: { authtoken } });
      if (r.status >= 300) throw new Error(`deleting the socket app: ${r.status} ${r.text}`);
    },
  };
}

async function installApp(base: string, auth: Record<string, string>, workspaceId: string, ownerId: string, eventUrl: string): Promise<string> {
  const dev = await request(`${base}/auth/developer-token`, 'POST', { headers: auth, body: '{}' });
  if (dev.status !== 200) throw new Error(`POST /auth/developer-token: ${dev.status} ${dev.text}`);
  const authtoken = (JSON.parse(dev.text) as { token: string }).token;
  const manifest = {
    name: 'bench_events',
    displayName: 'Bench events',
    bot: false,
    socketMode: false,
    scopes: { botScopes: [], userScopes: ['messages:read'] },
    shortcuts: [],
    slashCommands: [],
    eventSubscriptions: { url: eventUrl, events: ['NEW_MESSAGE'] },
    // oauth2/grant needs one; it answers with the code instead of calling it.
    redirectUrls: [`${new URL(eventUrl).origin}/redirect`],
  };
  const userPath = `${base}/workspaces/${workspaceId}/workspaceUsers/${ownerId}`;
  const created = await request(`${userPath}/apps`, 'POST', { headers: { authtoken }, body: JSON.stringify(manifest) });
  if (created.status !== 200) throw new Error(`creating the app: ${created.status} ${created.text}`);
  const appId = (JSON.parse(created.text) as { id: string }).id;
  const grant = await request(`${userPath}/oauth2/grant?${new URLSearchParams({ clientId: appId, scopes: 'messages:read' })}`, 'GET', { headers: { authtoken } });
  if (grant.status !== 200) throw new Error(`installing the app (oauth2/grant): ${grant.status} ${grant.text}`);
  return appId;
}

interface EventRun {
  /** measured messages posted (Switchboard) or requests sent (bare), answered 2xx */
  sent: number;
  failed: number;
  sentPerSec: number;
  /** measured marks received at the endpoint, each counted once */
  deliveries: number;
  expectedDeliveries: number;
  /** marks received more than once (at-least-once delivery), not counted above */
  duplicates: number;
  /** marks received that this run did not send (none expected) */
  strays: number;
  /** from the first measured send to the last measured arrival at the endpoint */
  elapsedS: number;
  deliveriesPerSec: number;
  /** send (the mark's time) → arrival at the endpoint */
  deliveryLatencyMs: { p50: number; p90: number; p99: number; max: number };
  /**
   * Switchboard only: POST answered → arrival. The commit happens between the send and the
   * answer, so commit→delivery lies between this and deliveryLatencyMs.
   */
  answerToDeliveryLatencyMs: { p50: number; p90: number; p99: number; max: number } | null;
  /** round trip of each send: the message POST (Switchboard) or the delivery POST itself (bare) */
  sendLatencyMs: { p50: number; p90: number; p99: number; max: number };
  /** bytes of the first marked body the endpoint received */
  bodyBytes: number;
  /** the sender (Switchboard, or null for the bare loop, which is this process) and this process */
  cpu: CpuUse;
  /** the endpoint process, % of one core */
  endpointCpuPct: number | null;
}

/**
 * Senders send marked messages (each its next once its previous send was answered, and while
 * fewer than `window` sent marks have not reached the endpoint yet), for the warm-up and then the
 * measured seconds; then waits until every measured mark arrived.
 */
/**
 * The load of (c) and (e): `SETTINGS.eventPosters` closed-loop posters POST a marked message to
 * `postUrl` while fewer than `SETTINGS.eventWindow` have not reached `endpoint` (eventRun).
 */
async function postingRun(postUrl: string, headers: Record<string, string>, endpoint: Arrivals, serverPid: number | undefined): Promise<EventRun> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: SETTINGS.eventPosters });
  try {
    return await eventRun({
      senders: SETTINGS.eventPosters,
      window: SETTINGS.eventWindow,
      endpoint,
      serverPid,
      answerLatency: true,
      send: async (seq, sentAt) => {
        const r = await request(postUrl, 'POST', { agent, headers, body: JSON.stringify({ text: benchText(seq, sentAt) }) });
        return r.status === 200 ? undefined : `${r.status} ${r.text.slice(0, 200)}`;
      },
    });
  } finally {
    agent.destroy();
  }
}

async function eventRun(o: {
  senders: number;
  window: number;
  endpoint: Arrivals;
  /** sends mark `seq`; resolves to undefined on a 2xx answer, else a description of the failure */
  send: (seq: number, sentAt: number) => Promise<string | undefined>;
  serverPid: number | undefined;
  answerLatency: boolean;
}): Promise<EventRun> {
  const CAP = 1 << 20;
  // Marks of (c) start here, so that no message of (a) or (b) (whose outbox rows the dispatcher may
  // still expand after the app is installed) can pass for one of them.
  const SEQ_BASE = 50_000_000;
  const received = new Uint8Array(CAP);
  const arrivedAt = new Float64Array(CAP);
  const answeredAt = new Float64Array(CAP);
  const latencies = new Samples();
  const sendLatencies = new Samples();
  let seq = 0;
  let firstMeasured = Number.POSITIVE_INFINITY;
  let inflight = 0;
  let deliveries = 0;
  let duplicates = 0;
  let strays = 0;
  let lastArrivalAt = 0;
  let failed = 0;
  let failure = '';
  let waiters: Array<() => void> = [];
  const wake = () => {
    const w = waiters;
    waiters = [];
    for (const resolve of w) resolve();
  };

  o.endpoint.onArrival = (m, at, sentAt) => {
    const s = m - SEQ_BASE;
    if (s < 0 || s >= seq) {
      strays++;
      return;
    }
    if (received[s]) {
      duplicates++;
      return;
    }
    received[s] = 1;
    inflight--;
    wake();
    if (s >= firstMeasured) {
      deliveries++;
      arrivedAt[s] = at;
      latencies.push(at - sentAt);
      if (at > lastArrivalAt) lastArrivalAt = at;
    }
  };

  const sender = async (deadline: number, measured: boolean) => {
    while (performance.now() < deadline && seq < CAP) {
      while (inflight >= o.window && performance.now() < deadline) {
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 50);
        });
      }
      if (performance.now() >= deadline) break;
      const s = seq++;
      inflight++;
      const sentAt = performance.now();
      const error = await o.send(SEQ_BASE + s, sentAt);
      const now = performance.now();
      if (measured) sendLatencies.push(now - sentAt);
      if (error !== undefined) {
        failed++;
        failure ||= error;
        inflight--;
      } else answeredAt[s] = now;
    }
  };
  const senders = (deadline: number, measured: boolean) => Promise.all(Array.from({ length: o.senders }, () => sender(deadline, measured)));

  try {
    await senders(performance.now() + SETTINGS.warmupSeconds * 1000, false);
    if (!(await until(() => inflight <= 0, 15_000))) throw new Error(`app events warm-up: ${inflight} marks never reached the endpoint`);
    const warmFailed = failed;
    firstMeasured = seq;
    const meter = cpuMeter(o.serverPid);
    const endpointMeter = cpuMeter(o.endpoint.child?.process.pid);
    const start = performance.now();
    await senders(start + SETTINGS.seconds * 1000, true);
    const sent = seq - firstMeasured - (failed - warmFailed);
    const drained = await until(() => inflight <= 0, 20_000);
    const cpu = meter();
    const endpointCpuPct = endpointMeter().serverPct;
    if (!drained) log(`  ${inflight} marks had not reached the endpoint after 20 s`);
    if (failed > 0) log(`  ${failed} sends failed, first: ${failure}`);
    if (strays > 0) log(`  the endpoint received ${strays} marks this run did not send`);
    let answerLatency: Samples | undefined;
    if (o.answerLatency) {
      answerLatency = new Samples();
      for (let s = firstMeasured; s < seq; s++) {
        const a = answeredAt[s] ?? 0;
        const d = arrivedAt[s] ?? 0;
        if (a > 0 && d > 0) answerLatency.push(d - a);
      }
    }
    const elapsedS = (lastArrivalAt - start) / 1000;
    return {
      sent,
      failed,
      sentPerSec: round(sent / SETTINGS.seconds, 1),
      deliveries,
      expectedDeliveries: sent,
      duplicates,
      strays,
      elapsedS: round(elapsedS, 3),
      deliveriesPerSec: round(deliveries / elapsedS),
      deliveryLatencyMs: latencies.percentiles(),
      answerToDeliveryLatencyMs: answerLatency ? answerLatency.percentiles() : null,
      sendLatencyMs: sendLatencies.percentiles(),
      bodyBytes: o.endpoint.sample ? Buffer.byteLength(o.endpoint.sample.body) : 0,
      cpu,
      endpointCpuPct,
    };
  } finally {
    o.endpoint.onArrival = () => {};
  }
}

/** (c) and (e) drain: a backlog of app events, delivered once the app takes them again (drainRun). */
interface DrainRun {
  /** marked messages in the backlog: posted while the app could not take them (Switchboard) */
  backlog: number;
  /** how long making the backlog took (Switchboard: posting it) */
  postedInS: number;
  /** backlog marks received, each counted once */
  deliveries: number;
  duplicates: number;
  /** from the release to the last arrival */
  elapsedS: number;
  deliveriesPerSec: number;
  /** the sender (Switchboard or the bare server) and this process, from the release to the last arrival */
  cpu: CpuUse;
}

/**
 * Posts up to `SETTINGS.drainBacklog` marked messages with `SETTINGS.drainPosters` posters (for at
 * most `SETTINGS.drainPostSeconds`); answers how many were posted and how long it took.
 */
async function postBacklog(postUrl: string, headers: Record<string, string>, seqBase: number): Promise<{ posted: number; seconds: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: SETTINGS.drainPosters });
  const start = performance.now();
  const deadline = start + SETTINGS.drainPostSeconds * 1000;
  let next = 0;
  let posted = 0;
  let failure = '';
  try {
    await Promise.all(
      Array.from({ length: SETTINGS.drainPosters }, async () => {
        while (next < SETTINGS.drainBacklog && performance.now() < deadline && !failure) {
          const s = next++;
          const r = await request(postUrl, 'POST', { agent, headers, body: JSON.stringify({ text: benchText(seqBase + s, performance.now()) }) });
          if (r.status === 200) posted = Math.max(posted, s + 1);
          else failure ||= `${r.status} ${r.text.slice(0, 200)}`;
        }
      }),
    );
  } finally {
    agent.destroy();
  }
  if (failure) throw new Error(`posting the backlog: ${failure}`);
  if (posted === 0) throw new Error('posting the backlog: nothing was posted');
  const seconds = (performance.now() - start) / 1000;
  // The dispatcher expands the last outbox rows within milliseconds; a second leaves no doubt.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  return { posted, seconds };
}

/**
 * (c) and (e) drain, the throughput of the delivery pipeline itself (issue #16 item 2: "enough in
 * flight that the figure is throughput, not latency"): `backlog` makes marks seqBase… that the app
 * cannot take yet (Switchboard: posted while the app endpoint holds its requests, or while the
 * socket-mode app has no socket); `release` lets it take them (the endpoint answers again, the
 * socket connects); deliveries/s = backlog ÷ (last arrival − release). Nothing is posted meanwhile,
 * so the figure is the queue's (lease, write, record the attempt, move the delivery and the
 * endpoint on), not posting's; the bare baselines are measured the same way.
 */
async function drainRun(o: {
  arrivals: Arrivals;
  backlog: () => Promise<{ posted: number; seconds: number }>;
  release: () => void | Promise<void>;
  serverPid: number | undefined;
  seqBase: number;
  /** the most marks the backlog may hold (default SETTINGS.drainBacklog) */
  capacity?: number;
}): Promise<DrainRun> {
  const capacity = o.capacity ?? SETTINGS.drainBacklog;
  const received = new Uint8Array(capacity);
  let backlog = Number.POSITIVE_INFINITY;
  let deliveries = 0;
  let duplicates = 0;
  let lastArrivalAt = 0;
  o.arrivals.onArrival = (m, at) => {
    const s = m - o.seqBase;
    if (s < 0 || s >= capacity) return;
    if (received[s]) return void duplicates++;
    received[s] = 1;
    deliveries++;
    if (at > lastArrivalAt) lastArrivalAt = at;
  };
  try {
    const made = await o.backlog();
    backlog = made.posted;
    const meter = cpuMeter(o.serverPid);
    const releasedAt = performance.now();
    await o.release();
    if (!(await until(() => deliveries >= backlog, 60_000))) log(`  drain: ${backlog - deliveries} of ${backlog} never arrived within 60 s`);
    const cpu = meter();
    const elapsedS = (lastArrivalAt - releasedAt) / 1000;
    if (deliveries === 0 || elapsedS <= 0) throw new Error(`drain: ${deliveries} of ${backlog} arrived; no rate to report`);
    return { backlog, postedInS: round(made.seconds, 2), deliveries, duplicates, elapsedS: round(elapsedS, 3), deliveriesPerSec: round(deliveries / elapsedS), cpu };
  } finally {
    o.arrivals.onArrival = () => {};
  }
}

// Transport headers the bare loop must not copy from the sample: undici sets its own.
const TRANSPORT_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive']);

/**
 * The bare baseline: an undici Pool of `eventConnections` connections to the endpoint, one sender
 * per connection, each POSTing the envelope Switchboard sent (same headers, same bytes; only the
 * mark differs) and reading the (empty) answer. No database, no signing, no bookkeeping.
 */
async function bareEventRun(endpoint: AppEndpoint): Promise<EventRun> {
  const sample = endpoint.sample;
  if (!sample) throw new Error('the app endpoint received no marked event from Switchboard to copy');
  const markAt = sample.body.indexOf(MARKER_BYTES.toString());
  const before = sample.body.slice(0, markAt);
  const after = sample.body.slice(markAt + MARK_HEAD_CHARS);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(sample.headers)) if (v !== undefined && !TRANSPORT_HEADERS.has(k)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  const target = new URL(endpoint.url);
  const pool = new Pool(target.origin, { connections: SETTINGS.eventConnections, pipelining: 1 });
  try {
    return await eventRun({
      senders: SETTINGS.eventConnections,
      // Each sender waits for its answer, which the endpoint writes once the request has arrived:
      // the loop is closed by its connections, no window needed.
      window: Number.POSITIVE_INFINITY,
      endpoint,
      serverPid: undefined,
      answerLatency: false,
      send: async (seq, sentAt) => {
        const res = await pool.request({ path: target.pathname, method: 'POST', headers, body: before + markHead(seq, sentAt) + after });
        await res.body.dump();
        return res.statusCode >= 200 && res.statusCode < 300 ? undefined : String(res.statusCode);
      },
    });
  } finally {
    await pool.close();
  }
}

// ---- the run ------------------------------------------------------------------------------------

/** (workers): (a) and (b) with this many server processes on one machine (WORKERS; docs/operations.md). */
interface WorkersRun {
  workers: number;
  posts: PostLoad;
  fanout: Omit<Fanout, 'sampleFrame'>;
}

function workersRows(runs: WorkersRun[]): string[] {
  const n = (x: number) => x.toLocaleString('en-US');
  const one = runs.find((r) => r.workers === 1);
  const vsOne = (x: number, base: number | undefined) => (base ? `${(x / base).toFixed(2)} × WORKERS=1` : '');
  return runs.flatMap((r) => [
    `| **(workers) WORKERS=${r.workers}: (a) posts/s** (SQLite, no Redis) | ${n(r.posts.requestsPerSec)} | | ${vsOne(r.posts.requestsPerSec, one?.posts.requestsPerSec)} |`,
    `| (workers) WORKERS=${r.workers}: (a) latency p50 / p99 (ms); errors | ${r.posts.latencyMs.p50} / ${r.posts.latencyMs.p99}; ${r.posts.errors + r.posts.non2xx + r.posts.timeouts} | | |`,
    // What the server's processes spend per post, whatever the load generator beside them gets: how the work would scale on cores of its own.
    `| (workers) WORKERS=${r.workers}: (a) CPU server (all processes) / bench process (% of a core); server CPU per post (µs) | ${r.posts.cpu.serverPct ?? '?'}% / ${r.posts.cpu.benchPct}%; ${r.posts.cpu.serverPct === null ? '?' : Math.round((r.posts.cpu.serverPct * 1e4) / r.posts.requestsPerSec)} | | ${one?.posts.cpu.serverPct && r.posts.cpu.serverPct !== null ? `${((r.posts.cpu.serverPct / r.posts.requestsPerSec) / (one.posts.cpu.serverPct / one.posts.requestsPerSec)).toFixed(2)} × WORKERS=1 per post` : ''} |`,
    `| **(workers) WORKERS=${r.workers}: (b) deliveries/s** to ${n(r.fanout.clients)} members | ${n(r.fanout.deliveriesPerSec)} | | ${vsOne(r.fanout.deliveriesPerSec, one?.fanout.deliveriesPerSec)} |`,
    `| (workers) WORKERS=${r.workers}: (b) post→delivery p50 / p99 (ms); frames received / expected | ${r.fanout.deliveryLatencyMs.p50} / ${r.fanout.deliveryLatencyMs.p99}; ${n(r.fanout.deliveries)} / ${n(r.fanout.expectedDeliveries)} | | |`,
    `| (workers) WORKERS=${r.workers}: (b) CPU server (all processes) / bench process (% of a core) | ${r.fanout.cpu.serverPct ?? '?'}% / ${r.fanout.cpu.benchPct}% | | |`,
  ]);
}

interface Results {
  date: string;
  machine: { node: string; platform: string; cpus: number; cpuModel: string; memoryGiB: number; loadAverageAtStart: number[] };
  settings: typeof SETTINGS & { database: string; postBodyBytes: number };
  posts: { switchboard: PostLoad; switchboardFramesRead: number; bareRoute: PostLoad };
  fanout: { switchboard: Omit<Fanout, 'sampleFrame'>; bareBroadcast: Omit<Fanout, 'sampleFrame'> };
  /** switchboard: the closed loop with posting (latency); switchboardDrain: the backlog's drain (eventsVsBarePost) */
  events: { switchboard: EventRun; switchboardDrain: DrainRun; barePost: EventRun; endpointRequests: number };
  /** as `events`; bareWs is the send loop's drain (socketEventsVsBareWs) */
  socketEvents: { switchboard: EventRun; switchboardDrain: DrainRun; bareWs: DrainRun };
  modals: ModalRun;
  hooks: { plain: PostLoad; script: PostLoad };
  search: SearchBench;
  upload: UploadBench;
  web: WebBench;
  idle: IdleBench;
  scale: ScaleBench;
  mixed: MixedBench;
  workers: WorkersRun[];
  goals: { postsVsBareRoute: number; deliveriesVsBareBroadcast: number; eventsVsBarePost: number; hookScriptVsPlain: number; socketEventsVsBareWs: number; searchVsBareFts: number; uploadVsBareDisk: number; historyFlatness: number; membersFlatness: number };
  ratios: { postsVsBareRoute: number; deliveriesVsBareBroadcast: number; eventsVsBarePost: number; hookScriptVsPlain: number; socketEventsVsBareWs: number; searchVsBareFts: number; uploadVsBareDisk: number; webFirstPaintVsStatic: number; historyFlatness: number; membersFlatness: number };
}

function table(r: Results): string {
  const a = r.posts;
  const b = r.fanout;
  const c = r.events;
  const d = r.hooks;
  const e = r.socketEvents;
  const n = (x: number) => x.toLocaleString('en-US');
  const ms = (x: { p50: number; p99: number } | null) => (x ? `${x.p50} / ${x.p99}` : '–');
  const cpu = (x: CpuUse) => `${x.serverPct ?? '?'}% / ${x.benchPct}%`;
  const ratio = (value: number, goal: number) => `**${value.toFixed(2)}** (goal ≥ ${goal.toFixed(2)}: ${value >= goal ? 'met' : 'not met'})`;
  const errs = (x: PostLoad) => x.errors + x.non2xx + x.timeouts;
  return [
    `| | Switchboard | Bare baseline | Switchboard ÷ bare |`,
    `|---|---:|---:|---|`,
    `| **(a) posts/s** (bare: Fastify route req/s) | ${n(a.switchboard.requestsPerSec)} | ${n(a.bareRoute.requestsPerSec)} | ${ratio(r.ratios.postsVsBareRoute, r.goals.postsVsBareRoute)} |`,
    `| (a) latency p50 / p99 (ms) | ${ms(a.switchboard.latencyMs)} | ${ms(a.bareRoute.latencyMs)} | |`,
    `| (a) errors, non-2xx, timeouts | ${errs(a.switchboard)} | ${errs(a.bareRoute)} | |`,
    `| (a) frames read by the ${SETTINGS.postListeners} members (≥ 10 × posts) | ${n(a.switchboardFramesRead)} | | |`,
    `| (a) CPU server / bench process (% of a core) | ${cpu(a.switchboard.cpu)} | ${cpu(a.bareRoute.cpu)} | |`,
    `| **(b) deliveries/s** to ${n(b.switchboard.clients)} members (bare: \`ws\` broadcast) | ${n(b.switchboard.deliveriesPerSec)} | ${n(b.bareBroadcast.deliveriesPerSec)} | ${ratio(r.ratios.deliveriesVsBareBroadcast, r.goals.deliveriesVsBareBroadcast)} |`,
    `| (b) post→delivery latency p50 / p99 (ms) | ${ms(b.switchboard.deliveryLatencyMs)} | ${ms(b.bareBroadcast.deliveryLatencyMs)} | |`,
    `| (b) messages posted (per s) | ${n(b.switchboard.posts)} (${b.switchboard.postsPerSec}) | ${n(b.bareBroadcast.posts)} (${b.bareBroadcast.postsPerSec}) | |`,
    `| (b) POST latency p50 / p99 (ms) | ${ms(b.switchboard.postLatencyMs)} | ${ms(b.bareBroadcast.postLatencyMs)} | |`,
    `| (b) frames received / expected | ${n(b.switchboard.deliveries)} / ${n(b.switchboard.expectedDeliveries)} | ${n(b.bareBroadcast.deliveries)} / ${n(b.bareBroadcast.expectedDeliveries)} | |`,
    `| (b) frame bytes | ${b.switchboard.frameBytes} | ${b.bareBroadcast.frameBytes} | |`,
    `| (b) CPU server / bench process (% of a core) | ${cpu(b.switchboard.cpu)} | ${cpu(b.bareBroadcast.cpu)} | |`,
    `| **(c) app event deliveries/s** to 1 app endpoint, draining a backlog of ${n(c.switchboardDrain.backlog)} (bare: undici POST loop, ${SETTINGS.eventConnections} connections) | ${n(c.switchboardDrain.deliveriesPerSec)} | ${n(c.barePost.deliveriesPerSec)} | ${ratio(r.ratios.eventsVsBarePost, r.goals.eventsVsBarePost)} |`,
    `| (c) drain: received / backlog (duplicates); seconds | ${n(c.switchboardDrain.deliveries)} / ${n(c.switchboardDrain.backlog)} (${c.switchboardDrain.duplicates}); ${c.switchboardDrain.elapsedS} s | ${n(c.barePost.deliveries)} / ${n(c.barePost.expectedDeliveries)} (${c.barePost.duplicates}); ${c.barePost.elapsedS} s | |`,
    `| (c) drain: CPU server / bench process (% of a core) | ${cpu(c.switchboardDrain.cpu)} | – / ${c.barePost.cpu.benchPct}% | |`,
    `| (c) with posting (${SETTINGS.eventPosters} posters, window ${SETTINGS.eventWindow}): deliveries/s | ${n(c.switchboard.deliveriesPerSec)} | | |`,
    `| (c) with posting: send→delivery latency p50 / p99 (ms) (Switchboard: message POST sent; bare: event POST sent) | ${ms(c.switchboard.deliveryLatencyMs)} | ${ms(c.barePost.deliveryLatencyMs)} | |`,
    `| (c) with posting: commit→delivery, lower bound: message POST answered → delivery p50 / p99 (ms) | ${ms(c.switchboard.answerToDeliveryLatencyMs)} | | |`,
    `| (c) with posting: messages posted / events POSTed (per s) | ${n(c.switchboard.sent)} (${c.switchboard.sentPerSec}) | ${n(c.barePost.sent)} (${c.barePost.sentPerSec}) | |`,
    `| (c) with posting: POST latency p50 / p99 (ms) (Switchboard: message POST; bare: event POST) | ${ms(c.switchboard.sendLatencyMs)} | ${ms(c.barePost.sendLatencyMs)} | |`,
    `| (c) with posting: deliveries received / expected (duplicates) | ${n(c.switchboard.deliveries)} / ${n(c.switchboard.expectedDeliveries)} (${c.switchboard.duplicates}) | | |`,
    `| (c) event body bytes | ${c.switchboard.bodyBytes} | ${c.barePost.bodyBytes} | |`,
    `| (c) with posting: CPU Switchboard / endpoint / bench process (% of a core) | ${c.switchboard.cpu.serverPct ?? '?'}% / ${c.switchboard.endpointCpuPct ?? '?'}% / ${c.switchboard.cpu.benchPct}% | – / ${c.barePost.endpointCpuPct ?? '?'}% / ${c.barePost.cpu.benchPct}% | |`,
    `| **(d) incoming webhook req/s with a script** (baseline: the same hook without one) | ${n(d.script.requestsPerSec)} | ${n(d.plain.requestsPerSec)} | ${ratio(r.ratios.hookScriptVsPlain, r.goals.hookScriptVsPlain)} |`,
    `| (d) latency p50 / p99 (ms) | ${ms(d.script.latencyMs)} | ${ms(d.plain.latencyMs)} | |`,
    `| (d) errors, non-2xx, timeouts | ${errs(d.script)} | ${errs(d.plain)} | |`,
    `| (d) CPU server / bench process (% of a core) | ${cpu(d.script.cpu)} | ${cpu(d.plain.cpu)} | |`,
    `| **(e) socket-mode event deliveries/s** to 1 app socket, draining a backlog of ${n(e.switchboardDrain.backlog)} once it connects (bare: \`ws\` send loop of as many frames, at least ${n(SETTINGS.bareSendLoopFrames)}, to one socket) | ${n(e.switchboardDrain.deliveriesPerSec)} | ${n(e.bareWs.deliveriesPerSec)} | ${ratio(r.ratios.socketEventsVsBareWs, r.goals.socketEventsVsBareWs)} |`,
    `| (e) drain: frames received / backlog (duplicates); seconds | ${n(e.switchboardDrain.deliveries)} / ${n(e.switchboardDrain.backlog)} (${e.switchboardDrain.duplicates}); ${e.switchboardDrain.elapsedS} s | ${n(e.bareWs.deliveries)} / ${n(e.bareWs.backlog)} (${e.bareWs.duplicates}); ${e.bareWs.elapsedS} s | |`,
    `| (e) drain: CPU server / bench process (% of a core) | ${cpu(e.switchboardDrain.cpu)} | ${cpu(e.bareWs.cpu)} | |`,
    `| (e) with posting (${SETTINGS.eventPosters} posters, window ${SETTINGS.eventWindow}): frames/s | ${n(e.switchboard.deliveriesPerSec)} | | |`,
    `| (e) with posting: send→frame latency p50 / p99 (ms) | ${ms(e.switchboard.deliveryLatencyMs)} | | |`,
    `| (e) with posting: commit→delivery, lower bound: message POST answered → frame p50 / p99 (ms) | ${ms(e.switchboard.answerToDeliveryLatencyMs)} | | |`,
    `| (e) with posting: frames received / expected (duplicates) | ${n(e.switchboard.deliveries)} / ${n(e.switchboard.expectedDeliveries)} (${e.switchboard.duplicates}) | | |`,
    `| (e) frame bytes | ${e.switchboard.bodyBytes} | | |`,
    `| **(f) modal open latency** p50 / p99 (ms): the app's OPEN reply written → \`view.opened\` at the person's socket (${r.modals.opens} modals${r.modals.missed ? `, ${r.modals.missed} missed` : ''}) | ${ms(r.modals.latencyMs)} | | |`,
    ...searchRows(r.search, r.goals.searchVsBareFts),
    ...uploadRows(r.upload, r.goals.uploadVsBareDisk),
    ...webRows(r.web),
    ...idleRows(r.idle),
    ...scaleRows(r.scale, SCALE_GOAL),
    ...mixedRows(r.mixed),
    ...workersRows(r.workers),
  ].join('\n');
}

async function main(): Promise<void> {
  const started = performance.now();
  const load = loadavg();
  const cores = cpus().length;
  if ((load[0] ?? 0) > cores * 0.5) log(`warning: load average ${load.map((x) => x.toFixed(2)).join(' ')} on ${cores} cores — other work on this machine will skew the figures`);
  const tmp = mkdtempSync(join(tmpdir(), 'sb-bench-'));
  tempDirs.add(tmp);
  const running: Child[] = [];
  const start = async (...args: Parameters<typeof startChild>) => {
    const child = await startChild(...args);
    running.push(child);
    return child;
  };
  // (search) on its own database and server (bench/search.ts); BENCH_ONLY=search runs only it.
  const searchPhase = async () => {
    log(`(search) message search: seeding a fresh database, then a one-word and a phrase query through HTTP and on the bare FTS5 index`);
    const dir = join(tmp, 'search');
    mkdirSync(dir);
    // BENCH_CPU_PROF=1 profiles this phase's server too (its own folder, printed).
    const prof = process.env.BENCH_CPU_PROF ? mkdtempSync(join(tmpdir(), 'sb-bench-prof-search-')) : undefined;
    if (prof) log(`  CPU profile of the search server: ${prof}`);
    return searchBench({ dir, startServer: (env) => start('switchboard-search', 'packages/server/src/main.ts', env, prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : []), log });
  };
  // (upload) on its own database and server (bench/upload.ts); BENCH_ONLY=upload runs only it.
  const uploadPhase = async () => {
    log(`(upload) a 50 MB upload through POST /v1/files, and the same body piped to disk by a bare node:http server`);
    const dir = join(tmp, 'upload');
    mkdirSync(dir);
    return uploadBench({ dir, startServer: (env) => start('switchboard-upload', 'packages/server/src/main.ts', env), log });
  };
  // (web) on its own database and server, in Chromium (bench/web.ts); BENCH_ONLY=web runs only it.
  const webPhase = async () => {
    log(`(web) the web client in Chromium: first-load JavaScript, navigation → first messages against static HTML, scrolling 10,000 messages`);
    const dir = join(tmp, 'web');
    mkdirSync(dir);
    return webBench({ root: ROOT, dir, startServer: (env) => start('switchboard-web', 'packages/server/src/main.ts', env), log });
  };
  // (idle) 10,000 idle WebSockets on their own server (bench/idle.ts); BENCH_ONLY=idle runs only it.
  const idlePhase = async () => {
    log(`(idle) ${'10,000'} idle realtime connections: server memory per connection, then one broadcast to all`);
    const dir = join(tmp, 'idle');
    mkdirSync(dir);
    return idleBench({ dir, startServer: (env) => start('switchboard-idle', 'packages/server/src/main.ts', env), log });
  };
  // (scale) posting against history and workspace size on its own server (bench/scale.ts); BENCH_ONLY=scale runs only it.
  const scalePhase = async () => {
    log(`(scale) posts/s and p99 with 10 to 10,000 messages of channel history, and with 1,000 vs 10,000 workspace members`);
    const dir = join(tmp, 'scale');
    mkdirSync(dir);
    // BENCH_CPU_PROF=1 profiles this phase's server too (its own folder, printed).
    const prof = process.env.BENCH_CPU_PROF ? mkdtempSync(join(tmpdir(), 'sb-bench-prof-scale-')) : undefined;
    if (prof) log(`  CPU profile of the scale server: ${prof}`);
    return scaleBench({ dir, startServer: (env) => start('switchboard-scale', 'packages/server/src/main.ts', env, prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : []), log });
  };
  // (mixed) 1,000 people, 100 posting a mix, 3 apps: SQLite one node, then PostgreSQL + Redis two nodes (bench/mixed.ts); BENCH_ONLY=mixed runs only it.
  const mixedPhase = async () => {
    log(`(mixed) 1,000 people connected, 100 posting, reacting, editing, reading and typing in 50 channels and DMs, 3 apps: SQLite 1 node, then PostgreSQL + Redis 2 nodes`);
    const dir = join(tmp, 'mixed');
    mkdirSync(dir);
    // BENCH_CPU_PROF=1 profiles this phase's servers too (one folder, printed; a file per process).
    const prof = process.env.BENCH_CPU_PROF ? mkdtempSync(join(tmpdir(), 'sb-bench-prof-mixed-')) : undefined;
    if (prof) log(`    CPU profiles of the (mixed) servers: ${prof}`);
    return mixedBench({ dir, startServer: (name, env) => start(name, 'packages/server/src/main.ts', env, prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : []), log });
  };
  // (workers) (a) and (b) on their own database and server with WORKERS processes (SQLite, no Redis: the primary relays);
  // the full run compares WORKERS=2 with its own (a) and (b); BENCH_ONLY=workers runs both counts.
  const workersPhase = async (workers: number): Promise<WorkersRun> => {
    const dir = join(tmp, `workers-${workers}`);
    mkdirSync(dir);
    const databaseUrl = `sqlite:${join(dir, 'bench.db')}`;
    log(`(workers) WORKERS=${workers}: seeding ${databaseUrl}`);
    const seeded = await seed({ databaseUrl, owner: OWNER, members: SETTINGS.fanoutClients, postChannelMembers: SETTINGS.postListeners });
    // BENCH_CPU_PROF=1 profiles this phase's processes too (one folder, printed; the workers inherit the flags).
    const prof = process.env.BENCH_CPU_PROF ? mkdtempSync(join(tmpdir(), `sb-bench-prof-workers-${workers}-`)) : undefined;
    if (prof) log(`    CPU profiles in ${prof}`);
    const server = await start(`switchboard-workers-${workers}`, 'packages/server/src/main.ts', {
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: 'warn',
      WORKERS: String(workers),
      SWITCHBOARD_ADMIN_EMAIL: OWNER.email,
      SWITCHBOARD_ADMIN_PASSWORD: OWNER.password,
    }, prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : [], false, 90_000); // several processes start at once
    try {
      // /readyz answers once one worker listens; the banner is printed once all of them do.
      if (!(await until(() => server.output().includes('Switchboard is running'), 60_000))) throw new Error(`WORKERS=${workers}: not every worker listened within 60 s`);
      const login = await request(`${server.url}/auth/login`, 'POST', { body: JSON.stringify(OWNER) });
      if (login.status !== 200) throw new Error(`owner login failed: ${login.status} ${login.text}`);
      const auth = { authorization: `Bearer ${(JSON.parse(login.text) as { token: string }).token}` };
      const wsUrl = server.url.replace(/^http/, 'ws') + '/v1/realtime';
      // The server's CPU: the primary's and its workers' (cpuSeconds counts the children).
      const listeners = await connectClients(wsUrl, seeded.memberTokens.slice(0, SETTINGS.postListeners), () => {});
      let posts: PostLoad;
      try {
        posts = await postLoad(`${server.url}/v1/channels/${seeded.postChannelId}/messages`, auth, JSON.stringify({ text: benchText(0, 0) }), server.process.pid);
      } finally {
        closeClients(listeners);
      }
      log(`    (a) WORKERS=${workers}: ${posts.requestsPerSec} posts/s, p50 ${posts.latencyMs.p50} ms, p99 ${posts.latencyMs.p99} ms`);
      const { sampleFrame: _s, ...fan } = await fanout({ postUrl: `${server.url}/v1/channels/${seeded.generalId}/messages`, headers: auth, wsUrl, tokens: seeded.memberTokens, serverPid: server.process.pid });
      log(`    (b) WORKERS=${workers}: ${fan.deliveriesPerSec} deliveries/s, p50 ${fan.deliveryLatencyMs.p50} ms, p99 ${fan.deliveryLatencyMs.p99} ms`);
      return { workers, posts, fanout: fan };
    } finally {
      await server.stop();
    }
  };
  try {
    if (process.env.BENCH_ONLY === 'workers') {
      process.stdout.write(`\n${workersRows([await workersPhase(1), await workersPhase(2)]).join('\n')}\n\n`);
      return;
    }
    if (process.env.BENCH_ONLY === 'mixed') {
      process.stdout.write(`\n${mixedRows(await mixedPhase()).join('\n')}\n\n`);
      return;
    }
    if (process.env.BENCH_ONLY === 'scale') {
      process.stdout.write(`\n${scaleRows(await scalePhase(), SCALE_GOAL).join('\n')}\n\n`);
      return;
    }
    if (process.env.BENCH_ONLY === 'idle') {
      process.stdout.write(`\n${idleRows(await idlePhase()).join('\n')}\n\n`);
      return;
    }
    if (process.env.BENCH_ONLY === 'web') {
      process.stdout.write(`\n${webRows(await webPhase()).join('\n')}\n\n`);
      return;
    }
    if (process.env.BENCH_ONLY === 'upload') {
      process.stdout.write(`\n${uploadRows(await uploadPhase(), UPLOAD_GOAL).join('\n')}\n\n`);
      return;
    }
    if (process.env.BENCH_ONLY === 'search') {
      process.stdout.write(`\n${searchRows(await searchPhase(), SEARCH_GOAL).join('\n')}\n\n`);
      return;
    }
    const databaseUrl = `sqlite:${join(tmp, 'bench.db')}`;
    log(`seeding ${databaseUrl}: owner, ${SETTINGS.fanoutClients} members with sessions, #general, #bench-posts`);
    const seeded = await seed({ databaseUrl, owner: OWNER, members: SETTINGS.fanoutClients, postChannelMembers: SETTINGS.postListeners });

    const profileDir = process.env.BENCH_CPU_PROF ? mkdtempSync(join(tmpdir(), 'sb-bench-prof-')) : undefined;
    log('starting Switchboard');
    const sb = await start(
      'switchboard',
      'packages/server/src/main.ts',
      {
        DATABASE_URL: databaseUrl,
        LOG_LEVEL: 'warn',
        SWITCHBOARD_ADMIN_EMAIL: OWNER.email,
        SWITCHBOARD_ADMIN_PASSWORD: OWNER.password,
        // (c): the app endpoint listens on 127.0.0.1, which the SSRF guard refuses by default.
        SWITCHBOARD_OUTBOUND_ALLOW_LOOPBACK: 'true',
        // (d) measures the hook pipeline, not its per-hook rate limit (1/s by default).
        HOOK_RATE_LIMITS: 'off',
      },
      profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
    );
    const login = await request(`${sb.url}/auth/login`, 'POST', { body: JSON.stringify(OWNER) });
    if (login.status !== 200) throw new Error(`owner login failed: ${login.status} ${login.text}`);
    const { token } = JSON.parse(login.text) as { token: string };
    const auth = { authorization: `Bearer ${token}` };
    const channels = JSON.parse((await request(`${sb.url}/v1/channels`, 'GET', { headers: auth })).text) as Array<{ channel: { id: string; isMain: boolean } }>;
    const generalId = channels.find((c) => c.channel.isMain)?.channel.id;
    if (generalId !== seeded.generalId) throw new Error(`GET /v1/channels: main channel ${generalId}, seeded ${seeded.generalId}`);
    const sbWs = sb.url.replace(/^http/, 'ws') + '/v1/realtime';
    const postPath = `/v1/channels/${seeded.postChannelId}/messages`;
    const postBody = JSON.stringify({ text: benchText(0, 0) });

    const each = `${SETTINGS.warmupSeconds} s warm-up + ${SETTINGS.seconds} s`;
    // (c) as a function: the full run calls it after (f); BENCH_ONLY=events runs only it (and its baseline).
    const eventsPhase = async () => {
      // (c) Switchboard app events: installed only now, so that (a) and (b) delivered no events…
      const endpoint = new AppEndpoint(await start('app-endpoint', 'bench/app-endpoint.ts', { BENCH_TIME_ORIGIN: String(performance.timeOrigin) }, [], true));
      await installApp(sb.url, auth, seeded.workspaceId, seeded.ownerId, endpoint.url);
      log(`(c) Switchboard app events to ${endpoint.url}: ${SETTINGS.eventPosters} posters to #bench-posts, window ${SETTINGS.eventWindow} messages, ${each}`);
      const sbEvents = await postingRun(sb.url + postPath, auth, endpoint, sb.process.pid);
      log(`    ${sbEvents.deliveriesPerSec} deliveries/s, p50 ${sbEvents.deliveryLatencyMs.p50} ms, p99 ${sbEvents.deliveryLatencyMs.p99} ms`);
      log(`(c) drain: up to ${SETTINGS.drainBacklog} messages posted by ${SETTINGS.drainPosters} posters while the endpoint holds its requests, then it answers again`);
      const sbDrain = await drainRun({
        arrivals: endpoint,
        backlog: async () => {
          endpoint.child.process.send({ kind: 'hold' });
          return postBacklog(sb.url + postPath, auth, DRAIN_SEQ_BASE);
        },
        release: () => void endpoint.child.process.send({ kind: 'release' }),
        serverPid: sb.process.pid,
        seqBase: DRAIN_SEQ_BASE,
      });
      log(`    ${sbDrain.backlog} posted in ${sbDrain.postedInS} s; ${sbDrain.deliveriesPerSec} deliveries/s draining them, server CPU ${sbDrain.cpu.serverPct}%`);
      await sb.stop();
      if (profileDir) log(`CPU profile of the Switchboard process: ${profileDir}`);

      // …and right after it, the bare undici POST loop to the same endpoint.
      log(`(c) bare undici POST loop to the same endpoint: ${SETTINGS.eventConnections} connections, ${each}`);
      const bareEvents = await bareEventRun(endpoint);
      const endpointRequests = endpoint.requests;
      await endpoint.child.stop();
      log(`    ${bareEvents.deliveriesPerSec} deliveries/s, p50 ${bareEvents.deliveryLatencyMs.p50} ms, p99 ${bareEvents.deliveryLatencyMs.p99} ms`);
      return { sbEvents, sbDrain, bareEvents, endpointRequests };
    };
    // (e) Switchboard socket-mode app events as a function: the full run calls it after (d);
    // BENCH_ONLY=socket runs only it and its baseline. Answers the app and its socket (for (f)).
    const socketEventsPhase = async () => {
      const socketApp = await installSocketApp(sb.url, auth, seeded.workspaceId, seeded.ownerId);
      const handshake = await request(`${sb.url}/apps/${socketApp.appId}/websocket-connection?${new URLSearchParams({ appKey: socketApp.appKey })}`, 'GET');
      if (handshake.status !== 200) throw new Error(`socket handshake: ${handshake.status} ${handshake.text}`);
      const sockets = new SocketArrivals();
      await sockets.connect((JSON.parse(handshake.text) as { url: string }).url);
      log(`(e) Switchboard socket-mode app events: ${SETTINGS.eventPosters} posters to #bench-posts, window ${SETTINGS.eventWindow} messages, ${each}`);
      const sbSocketEvents = await postingRun(sb.url + postPath, auth, sockets, sb.process.pid);
      log(`    ${sbSocketEvents.deliveriesPerSec} deliveries/s, p50 ${sbSocketEvents.deliveryLatencyMs.p50} ms, p99 ${sbSocketEvents.deliveryLatencyMs.p99} ms`);
      // The drain: the app's socket closes; messages posted meanwhile wait in the queue (their
      // attempts are recorded as `no-socket`) until it connects again, as its SDK would.
      await sockets.close();
      log(`(e) drain: up to ${SETTINGS.drainBacklog} messages posted by ${SETTINGS.drainPosters} posters while the app has no socket, then it connects`);
      const drainSockets = new SocketArrivals();
      const sbSocketDrain = await drainRun({
        arrivals: drainSockets,
        backlog: () => postBacklog(sb.url + postPath, auth, DRAIN_SEQ_BASE + SETTINGS.drainBacklog),
        release: async () => {
          const again = await request(`${sb.url}/apps/${socketApp.appId}/websocket-connection?${new URLSearchParams({ appKey: socketApp.appKey })}`, 'GET');
          if (again.status !== 200) throw new Error(`socket handshake: ${again.status} ${again.text}`);
          await drainSockets.connect((JSON.parse(again.text) as { url: string }).url);
        },
        serverPid: sb.process.pid,
        seqBase: DRAIN_SEQ_BASE + SETTINGS.drainBacklog,
      });
      log(`    ${sbSocketDrain.backlog} posted in ${sbSocketDrain.postedInS} s; ${sbSocketDrain.deliveriesPerSec} deliveries/s draining them, server CPU ${sbSocketDrain.cpu.serverPct}%`);
      // (f) goes on with the socket connected now.
      return { socketApp, sockets: drainSockets, sbSocketEvents, sbSocketDrain };
    };
    // (e) bare: a ws server sending copies of `socketFrame` (the frame Switchboard wrote) in a loop to one socket:
    // as many as Switchboard's backlog held, and at least SETTINGS.bareSendLoopFrames, which `ws` writes in well under a
    // second; fewer would measure the connection's first moments more than the loop.
    const bareSocketPhase = async (socketFrame: string, sbBacklog: number) => {
      const backlog = Math.max(sbBacklog, SETTINGS.bareSendLoopFrames);
      log(`(e) bare ws send loop: ${backlog} frames to one socket as it connects`);
      const bareSocket = await start('bare-socket', 'bench/bare-socket.ts', { BENCH_SOCKET_FRAME: socketFrame });
      const bareSockets = new SocketArrivals();
      let bareSocketDrain: DrainRun;
      try {
        bareSocketDrain = await drainRun({
          arrivals: bareSockets,
          backlog: async () => ({ posted: backlog, seconds: 0 }),
          release: () => bareSockets.connect(`${bareSocket.url.replace(/^http/, 'ws')}/apps/socket?frames=${backlog}&base=${DRAIN_SEQ_BASE}`),
          serverPid: bareSocket.process.pid,
          seqBase: DRAIN_SEQ_BASE,
          capacity: backlog,
        });
      } finally {
        bareSockets.close();
      }
      await bareSocket.stop();
      log(`    ${bareSocketDrain.deliveriesPerSec} deliveries/s`);
      return bareSocketDrain;
    };
    if (process.env.BENCH_ONLY === 'socket') {
      const { socketApp, sockets, sbSocketEvents, sbSocketDrain } = await socketEventsPhase();
      sockets.close();
      await socketApp.remove();
      await sb.stop();
      if (profileDir) log(`CPU profile of the Switchboard process: ${profileDir}`);
      const frame = sockets.sample?.body;
      if (!frame) throw new Error('the socket app received no marked frame to copy');
      const bare = await bareSocketPhase(frame, sbSocketDrain.backlog);
      process.stdout.write(`\nsocketEventsVsBareWs ${round(sbSocketDrain.deliveriesPerSec / bare.deliveriesPerSec, 3)} (${sbSocketDrain.deliveriesPerSec} / ${bare.deliveriesPerSec}), server CPU ${JSON.stringify(sbSocketDrain.cpu)}; with posting: ${sbSocketEvents.deliveriesPerSec}/s, send→frame p50 ${sbSocketEvents.deliveryLatencyMs.p50} ms, answer→frame p50 ${sbSocketEvents.answerToDeliveryLatencyMs?.p50} ms\n\n`);
      return;
    }
    if (process.env.BENCH_ONLY === 'events') {
      const { sbEvents, sbDrain, bareEvents } = await eventsPhase();
      process.stdout.write(`\neventsVsBarePost ${round(sbDrain.deliveriesPerSec / bareEvents.deliveriesPerSec, 3)} (${sbDrain.deliveriesPerSec} / ${bareEvents.deliveriesPerSec}), server CPU ${JSON.stringify(sbDrain.cpu)}; with posting: ${sbEvents.deliveriesPerSec}/s, send→delivery p50 ${sbEvents.deliveryLatencyMs.p50} ms, answer→delivery p50 ${sbEvents.answerToDeliveryLatencyMs?.p50} ms\n\n`);
      return;
    }
    // (a) Switchboard posting, with the channel's members listening…
    log(`(a) Switchboard posts: ${SETTINGS.postListeners} members on WebSocket, autocannon ${SETTINGS.connections} connections, ${each}`);
    let framesRead = 0;
    const listeners = await connectClients(sbWs, seeded.memberTokens.slice(0, SETTINGS.postListeners), (data) => {
      if (data.indexOf(MARKER_BYTES) >= 0) framesRead++;
    });
    let sbPosts: PostLoad;
    try {
      sbPosts = await postLoad(sb.url + postPath, auth, postBody, sb.process.pid);
      const atLeast = (sbPosts.warmup2xx + sbPosts.requests2xx) * SETTINGS.postListeners;
      if (!(await until(() => framesRead >= atLeast, 5_000))) log(`  the members read ${framesRead} frames, expected at least ${atLeast}`);
    } finally {
      closeClients(listeners);
    }
    log(`    ${sbPosts.requestsPerSec} posts/s, p50 ${sbPosts.latencyMs.p50} ms, p99 ${sbPosts.latencyMs.p99} ms`);

    // …and right after it, the bare route (adjacent in time, so that drifting background load skews the ratio less).
    log(`(a) bare Fastify route, same settings`);
    const bareRoute = await start('bare-route', 'bench/bare-route.ts');
    const barePosts = await postLoad(bareRoute.url + postPath, auth, postBody, bareRoute.process.pid);
    await bareRoute.stop();
    log(`    ${barePosts.requestsPerSec} req/s, p50 ${barePosts.latencyMs.p50} ms, p99 ${barePosts.latencyMs.p99} ms`);
    if (process.env.BENCH_ONLY === 'posts') {
      // (a) alone, for profiling the post path (with BENCH_CPU_PROF=1).
      await sb.stop();
      if (profileDir) log(`CPU profile of the Switchboard process: ${profileDir}`);
      process.stdout.write(`\npostsVsBareRoute ${round(sbPosts.requestsPerSec / barePosts.requestsPerSec, 3)} (${sbPosts.requestsPerSec} / ${barePosts.requestsPerSec}), server CPU ${JSON.stringify(sbPosts.cpu)}\n\n`);
      return;
    }

    // (b) Switchboard fan-out to every member of #general…
    log(`(b) Switchboard fan-out: ${SETTINGS.posters} posters, window ${SETTINGS.window} messages, ${each}`);
    const sbFan = await fanout({
      postUrl: `${sb.url}/v1/channels/${seeded.generalId}/messages`,
      headers: auth,
      wsUrl: sbWs,
      tokens: seeded.memberTokens,
      serverPid: sb.process.pid,
    });
    log(`    ${sbFan.deliveriesPerSec} deliveries/s, p50 ${sbFan.deliveryLatencyMs.p50} ms, p99 ${sbFan.deliveryLatencyMs.p99} ms`);

    // (d) incoming webhooks, before the app of (c) exists (its events would add work to every post).
    const hookBody = JSON.stringify({ text: benchText(0, 0), status: 'passed' });
    log(`(d) incoming webhook without a script: autocannon ${SETTINGS.connections} connections, ${each}`);
    const hookPlain = await postLoad(sb.url + seeded.hooks.plainPath, {}, hookBody, sb.process.pid);
    log(`    ${hookPlain.requestsPerSec} req/s, p50 ${hookPlain.latencyMs.p50} ms, p99 ${hookPlain.latencyMs.p99} ms`);
    log(`(d) incoming webhook with a script, same settings`);
    const hookScript = await postLoad(sb.url + seeded.hooks.scriptPath, {}, hookBody, sb.process.pid);
    log(`    ${hookScript.requestsPerSec} req/s, p50 ${hookScript.latencyMs.p50} ms, p99 ${hookScript.latencyMs.p99} ms`);

    // (e) socket-mode app events: the app is installed only now and deleted before (c), so that no
    // other phase makes deliveries for it; the same posters and window as (c).
    const { socketApp, sockets, sbSocketEvents, sbSocketDrain } = await socketEventsPhase();

    // (f) modal open latency, with the same socket app, now that no event load runs.
    log(`(f) modal open latency: up to ${SETTINGS.modalOpens} slash commands answered OPEN over the app socket, one at a time (≤ ${SETTINGS.modalBudgetMs / 1000} s)`);
    let modals: ModalRun;
    try {
      modals = await modalLatency({ sbUrl: sb.url, channelId: seeded.postChannelId, headers: auth, wsUrl: sbWs, token, app: sockets });
    } finally {
      sockets.close();
    }
    log(`    ${modals.opens} modals, p50 ${modals.latencyMs.p50} ms, p99 ${modals.latencyMs.p99} ms${modals.missed ? `, ${modals.missed} missed` : ''}`);
    await socketApp.remove();
    const socketFrame = sockets.sample?.body;
    if (!socketFrame) throw new Error('the socket app received no marked frame to copy');

    const { sbEvents, sbDrain, bareEvents, endpointRequests } = await eventsPhase();

    // …the bare ws send loop of the frame Switchboard wrote to the app socket, as many as its drain…
    const bareSocketDrain = await bareSocketPhase(socketFrame, sbSocketDrain.backlog);

    // …and the bare ws broadcast of frames shaped (and sized) like the ones Switchboard just sent.
    log('(b) bare ws broadcast, same settings');
    const bareWs = await start('bare-broadcast', 'bench/bare-broadcast.ts', { BENCH_FRAME_TEMPLATE: sbFan.sampleFrame });
    const bareFan = await fanout({
      postUrl: `${bareWs.url}/v1/channels/${seeded.generalId}/messages`,
      headers: auth,
      wsUrl: bareWs.url.replace(/^http/, 'ws') + '/v1/realtime',
      tokens: Array.from({ length: SETTINGS.fanoutClients }, () => undefined),
      serverPid: bareWs.process.pid,
    });
    await bareWs.stop();
    log(`    ${bareFan.deliveriesPerSec} deliveries/s, p50 ${bareFan.deliveryLatencyMs.p50} ms, p99 ${bareFan.deliveryLatencyMs.p99} ms`);
    const searchFigures = await searchPhase();
    const uploadFigures = await uploadPhase();
    const webFigures = await webPhase();
    const idleFigures = await idlePhase();
    const scaleFigures = await scalePhase();
    const mixedFigures = await mixedPhase();
    const workersFigures = await workersPhase(2);

    const { sampleFrame: _s1, ...sbFanFigures } = sbFan;
    const { sampleFrame: _s2, ...bareFanFigures } = bareFan;
    const results: Results = {
      date: new Date().toISOString(),
      machine: {
        node: process.version,
        platform: `${process.platform} ${process.arch}`,
        cpus: cores,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        memoryGiB: round(totalmem() / 2 ** 30, 1),
        loadAverageAtStart: load.map((x) => round(x, 2)),
      },
      settings: { ...SETTINGS, database: 'sqlite (fresh temp file)', postBodyBytes: Buffer.byteLength(postBody) },
      posts: { switchboard: sbPosts, switchboardFramesRead: framesRead, bareRoute: barePosts },
      fanout: { switchboard: sbFanFigures, bareBroadcast: bareFanFigures },
      events: { switchboard: sbEvents, switchboardDrain: sbDrain, barePost: bareEvents, endpointRequests },
      socketEvents: { switchboard: sbSocketEvents, switchboardDrain: sbSocketDrain, bareWs: bareSocketDrain },
      modals,
      hooks: { plain: hookPlain, script: hookScript },
      search: searchFigures,
      upload: uploadFigures,
      web: webFigures,
      idle: idleFigures,
      scale: scaleFigures,
      mixed: mixedFigures,
      workers: [{ workers: 1, posts: sbPosts, fanout: sbFanFigures }, workersFigures],
      goals: { postsVsBareRoute: 0.3, deliveriesVsBareBroadcast: 0.7, eventsVsBarePost: 0.5, hookScriptVsPlain: 0.5, socketEventsVsBareWs: 0.5, searchVsBareFts: SEARCH_GOAL, uploadVsBareDisk: UPLOAD_GOAL, historyFlatness: SCALE_GOAL, membersFlatness: SCALE_GOAL },
      ratios: {
        postsVsBareRoute: round(sbPosts.requestsPerSec / barePosts.requestsPerSec, 3),
        deliveriesVsBareBroadcast: round(sbFan.deliveriesPerSec / bareFan.deliveriesPerSec, 3),
        eventsVsBarePost: round(sbDrain.deliveriesPerSec / bareEvents.deliveriesPerSec, 3),
        hookScriptVsPlain: round(hookScript.requestsPerSec / hookPlain.requestsPerSec, 3),
        socketEventsVsBareWs: round(sbSocketDrain.deliveriesPerSec / bareSocketDrain.deliveriesPerSec, 3),
        searchVsBareFts: searchFigures.searchVsBareFts,
        uploadVsBareDisk: uploadFigures.uploadVsBareDisk,
        webFirstPaintVsStatic: webFigures.webFirstPaintVsStatic,
        historyFlatness: scaleFigures.historyFlatness,
        membersFlatness: scaleFigures.membersFlatness,
      },
    };
    mkdirSync(RESULTS, { recursive: true });
    writeFileSync(join(RESULTS, 'latest.json'), JSON.stringify(results, null, 2) + '\n');
    process.stdout.write(`\n${table(results)}\n\n`);
    log(`wrote bench/results/latest.json; whole run ${round((performance.now() - started) / 1000, 1)} s`);
  } finally {
    for (const child of running) await child.stop().catch(() => {});
    rmSync(tmp, { recursive: true, force: true });
  }
}

const watchdog = setTimeout(() => {
  log(`gave up after ${DEADLINE_MS / 1000} s`);
  killAll();
  process.exit(2);
}, DEADLINE_MS);
watchdog.unref();

main().then(
  () => {
    clearTimeout(watchdog);
    process.exit(0);
  },
  (err: unknown) => {
    log('failed:', err instanceof Error ? (err.stack ?? err.message) : String(err));
    killAll();
    process.exit(1);
  },
);
