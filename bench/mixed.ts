/**
 * Bench phase "mixed" (issue #16 item 4): a thousand people, mixed. 1,000 people connected to
 * `/v1/realtime`; 100 of them, in a closed loop, post in 50 channels and their DMs, reply in
 * threads, react, edit, read history and type; 3 apps get NEW_MESSAGE and REACTION_ADDED at a local
 * endpoint. Goals: ≥ 1,500 posts/s (posts + thread replies) with p99 POST latency < 100 ms, every
 * `message.created` frame and every app event delivered. Run twice: one node on a fresh SQLite
 * file, then two nodes on one fresh PostgreSQL database with Redis between them (skipped, not
 * failed, when either is unreachable).
 *
 * `npm run bench` runs it after the other phases; `BENCH_ONLY=mixed` runs it alone. See bench/README.md.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import WebSocket from 'ws';
import { createCore } from '../packages/server/src/domain/index.js';
import { newId } from '../packages/server/src/domain/ids.js';
import { hashToken, newToken } from '../packages/server/src/domain/secrets.js';
import { LocalBus } from '../packages/server/src/realtime/bus.js';
import { migrate, openDatabase } from '../packages/server/src/store/database.js';
import { Store } from '../packages/server/src/store/store.js';
import { MemoryRateLimiter } from '../packages/server/src/limits/rate-limiter.js';

function num(name: string, fallback: number): number {
  const v = process.env[name];
  const n = v === undefined || v === '' ? fallback : Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive whole number (got "${v}")`);
  return n;
}

export const MIXED_SETTINGS = {
  /** people connected to /v1/realtime, one socket each */
  clients: num('BENCH_MIXED_CLIENTS', 1000),
  /** of them, those who post (closed loop: each sends its next request once the previous answered) */
  posters: num('BENCH_MIXED_POSTERS', 100),
  /** public channels: `postersPerChannel` posters and `othersPerChannel` other people each, and the owner */
  channels: num('BENCH_MIXED_CHANNELS', 50),
  postersPerChannel: 6,
  othersPerChannel: 14,
  /** apps installed by the owner, each subscribed to NEW_MESSAGE and REACTION_ADDED */
  apps: 3,
  warmupSeconds: num('BENCH_MIXED_WARMUP_SECONDS', 2),
  seconds: num('BENCH_MIXED_SECONDS', 10),
  /** after the load, how long frames and events may take to arrive before the rest counts as lost */
  settleMs: 20_000,
  /** the share of each operation in a poster's loop, in % */
  mix: { post: 70, reply: 10, reaction: 8, edit: 5, history: 5, typing: 2 },
  /** of the top-level posts, the share that goes to the poster's DM rather than one of its channels */
  dmShare: 0.15,
  textLength: 120,
};
export const MIXED_GOALS = { postsPerSec: 1500, p99Ms: 100 };
/** Two variants of: seeding, servers, 1,000 sockets, warm-up + measurement, settling, stopping. */
export const MIXED_PHASE_BUDGET_MS = 180_000;

const PG_ADMIN_URL = process.env.BENCH_PG_URL ?? process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
// Database 7: the servers' Redis keys (presence, rate limits) stay apart from tests' on db 0.
// Pub/sub channels ignore the database index (see README).
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/7';
const OWNER = { email: 'owner@mixed-bench.invalid', password: 'mixed-bench-owner-password' };
const REACTION_CODES = [':thumbsup:', ':heart:', ':tada:', ':eyes:', ':rocket:', ':smile:', ':fire:', ':clap:'];

type Latency = { p50: number; p90: number; p99: number; max: number; count: number };
type Op = keyof typeof MIXED_SETTINGS.mix;

export interface MixedVariant {
  name: string;
  /** undefined when it ran; else why it did not */
  skipped?: string;
  nodes?: number;
  clients?: number;
  posters?: number;
  measuredS?: number;
  /** posts + thread replies answered 200 in the measured seconds ÷ those seconds */
  postsPerSec?: number;
  /** POST latency of posts and thread replies started in the measured seconds */
  postLatencyMs?: Latency;
  /** every other operation's latency (ms), measured seconds only */
  opLatencyMs?: Partial<Record<Op, Latency>>;
  /** non-2xx answers and transport errors, by operation, whole run */
  errors?: Partial<Record<Op, number>>;
  /** message.created frames: each connected member of a message's channel should get one per message */
  frames?: { expected: number; received: number; missing: number; extra: number; messagesShort: number; /** read by someone not in the channel */ strays: number; settleMs: number };
  /** other frames read (updates, reactions, typing, read markers, presence) */
  otherFrames?: number;
  /** app events: every app gets each NEW_MESSAGE / REACTION_ADDED of a channel its installer (the owner) is in */
  events?: { expected: number; received: number; missing: number; extra: number; /** at the end of settling: still arriving if small */ lastEventAgoMs: number; newMessage: { expected: number; received: number }; reactionAdded: { expected: number; received: number } };
  /** messages (posts + replies) and reactions made over the whole run, warm-up included */
  totals?: { messages: number; reactions: number; edits: number };
  /** CPU used in the measured seconds, % of one core: each server process, and this one (load and sockets) */
  cpuPct?: { servers: number[]; bench: number };
}

export interface MixedBench {
  settings: typeof MIXED_SETTINGS;
  goals: typeof MIXED_GOALS;
  variants: MixedVariant[];
}

interface StartedServer {
  url: string;
  stop(): Promise<void>;
  process: { pid?: number | undefined };
}

const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** CPU seconds a process has used so far (Linux /proc), or NaN. */
function cpuSeconds(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

function latency(samples: number[]): Latency {
  const s = Float64Array.from(samples).sort();
  const at = (q: number) => (s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!);
  return { p50: round(at(0.5)), p90: round(at(0.9)), p99: round(at(0.99)), max: round(at(1)), count: s.length };
}

// ---- the workspace ------------------------------------------------------------------------------

interface Layout {
  workspaceId: string;
  ownerId: string;
  userIds: string[];
  tokens: string[];
  /** channels 0…channels-1 are public (the owner in each), then one DM per pair of posters */
  channelIds: string[];
  /** member indexes (into userIds) of each channel, the owner not counted */
  members: number[][];
  /** whether the apps' installer (the owner) is a member: their events are expected */
  ownerIn: boolean[];
  /** the channels each poster is in */
  posterChannels: number[][];
}

/** Who is where: pure arithmetic on the settings, so that the expectations are exact. */
function plan(s: typeof MIXED_SETTINGS): { members: number[][]; publicCount: number } {
  const P = s.posters;
  const others = s.clients - P;
  if (P < s.postersPerChannel * 2 || P % 2 !== 0 || others < s.othersPerChannel) throw new Error('mixed: need an even number of posters ≥ 12, and enough other people');
  const members: number[][] = [];
  for (let c = 0; c < s.channels; c++) {
    const set = new Set<number>();
    for (let k = 0; k < s.postersPerChannel; k++) set.add((2 * c + k) % P);
    for (let j = 0; j < s.othersPerChannel; j++) set.add(P + ((c * s.othersPerChannel + j) % others));
    members.push([...set]);
  }
  for (let p = 0; p < P / 2; p++) members.push([p, p + P / 2]);
  return { members, publicCount: s.channels };
}

async function seedMixed(databaseUrl: string, s: typeof MIXED_SETTINGS): Promise<Layout> {
  const database = await openDatabase(databaseUrl);
  try {
    await migrate(database.db);
    const store = new Store(database.db, database.engine);
    const core = createCore(store, new LocalBus(), { limiter: new MemoryRateLimiter() });
    const boot = await core.accounts.bootstrap({ ...OWNER, workspaceName: 'Mixed bench' });
    if (!boot) throw new Error('mixed seed: expected an empty database');
    const workspaceId = boot.workspace.id;
    const ownerId = boot.owner.id;
    const { members, publicCount } = plan(s);
    return await store.transaction(async (tx) => {
      const now = Date.now();
      const general = await tx.mainChannel(workspaceId);
      if (!general) throw new Error('mixed seed: bootstrap made no main channel');
      const userIds: string[] = [];
      for (let i = 0; i < s.clients; i++) {
        const id = newId(now);
        userIds.push(id);
        await tx.insertUser({ id, workspaceId, email: `mixed${i}@bench.invalid`, name: `Mixed ${i}`, role: 'MEMBER', passwordHash: null, now });
      }
      const users = new Map((await tx.users(workspaceId, userIds)).map((u) => [u.id, u]));
      const tokens: string[] = [];
      for (const id of userIds) {
        const token = newToken('sbs_');
        await tx.insertSession(hashToken(token), users.get(id)!, now);
        tokens.push(token);
      }
      await tx.addMembers(general, userIds, null, now);
      const channelIds: string[] = [];
      const ownerIn: boolean[] = [];
      for (let c = 0; c < members.length; c++) {
        const id = newId(now);
        const ids = members[c]!.map((i) => userIds[i]!);
        const isPublic = c < publicCount;
        await tx.insertChannel({
          id,
          workspaceId,
          type: isPublic ? 'PUBLIC' : 'DIRECT',
          name: isPublic ? `mixed-${c}` : null,
          directKey: isPublic ? null : [...ids].sort().join(','),
          description: isPublic ? 'mixed benchmark' : '',
          createdBy: isPublic ? ownerId : ids[0]!,
          now,
        });
        const channel = (await tx.channel(workspaceId, id))!;
        await tx.addMembers(channel, isPublic ? [ownerId, ...ids] : ids, isPublic ? ownerId : ids[0]!, now);
        channelIds.push(id);
        ownerIn.push(isPublic);
      }
      const posterChannels = Array.from({ length: s.posters }, () => [] as number[]);
      members.forEach((m, c) => m.forEach((i) => i < s.posters && posterChannels[i]!.push(c)));
      return { workspaceId, ownerId, userIds, tokens, channelIds, members, ownerIn, posterChannels };
    });
  } finally {
    await database.close();
  }
}

// ---- what arrived -------------------------------------------------------------------------------

/** Counters indexed by message sequence number (the bench's own, carried in each message's text). */
class Counts {
  data = new Int32Array(1 << 16);
  add(seq: number, n = 1): void {
    while (seq >= this.data.length) {
      const bigger = new Int32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[seq]! += n;
  }
  get(seq: number): number {
    return seq < this.data.length ? this.data[seq]! : 0;
  }
}

const MX = Buffer.from('mx:');
const CREATED = Buffer.from('"type":"message.created"');

/** The sequence number after `mx:` in a buffer or string, or -1. */
function seqIn(data: Buffer, from = 0): number {
  const at = data.indexOf(MX, from);
  if (at < 0) return -1;
  let n = 0;
  let i = at + 3;
  for (; i < data.length; i++) {
    const c = data[i]!;
    if (c < 48 || c > 57) break;
    n = n * 10 + (c - 48);
  }
  return i === at + 3 ? -1 : n;
}

function markedText(seq: number, length: number): string {
  const head = `mx:${seq}: `;
  return head + 'x'.repeat(Math.max(0, length - head.length));
}

/** The apps' endpoint, in this process: one path per app, an empty 200 for every POST. */
class AppEndpoint {
  readonly messages: Counts[];
  readonly reactions: Array<Map<string, number>>;
  server!: Server;
  url = '';
  unreadable = 0;
  /** performance.now() of the last request */
  lastArrival = 0;
  constructor(apps: number) {
    this.messages = Array.from({ length: apps }, () => new Counts());
    this.reactions = Array.from({ length: apps }, () => new Map());
  }
  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const app = Number(/^\/app(\d+)$/.exec(req.url ?? '')?.[1] ?? -1);
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        res.writeHead(200, { 'content-length': '0' }).end();
        this.lastArrival = performance.now();
        if (!(app >= 0 && app < this.messages.length)) return void this.unreadable++;
        this.receive(app, Buffer.concat(chunks));
      });
    });
    this.server.keepAliveTimeout = 30_000;
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  private receive(app: number, raw: Buffer): void {
    try {
      const envelope = JSON.parse(raw.toString('utf8')) as { body?: unknown };
      const body = (typeof envelope.body === 'string' ? JSON.parse(envelope.body) : envelope.body) as { ty?: string; tx?: string; mId?: string; uId?: string; rc?: string };
      if (body.ty === 'NEW_MESSAGE') {
        // From `tx` only: a reply's body also carries its root's text (`trMt`), marker and all.
        const seq = seqIn(Buffer.from(body.tx ?? ''));
        if (seq < 0) this.unreadable++;
        else this.messages[app]!.add(seq);
      } else if (body.ty === 'REACTION_ADDED') {
        const key = `${body.mId}|${body.uId}|${body.rc}`;
        this.reactions[app]!.set(key, (this.reactions[app]!.get(key) ?? 0) + 1);
      } else this.unreadable++;
    } catch {
      this.unreadable++;
    }
  }
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

// ---- the API, as a client would use it -----------------------------------------------------------

async function call(pool: Pool, method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, headers: Record<string, string>, body?: unknown): Promise<{ status: number; text: string }> {
  const res = await pool.request({
    method,
    path,
    headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return { status: res.statusCode, text: await res.body.text() };
}

/** As bench/run.ts's installApp: a developer token, an app (events to `eventUrl`), installed by the owner. */
async function installApp(pool: Pool, auth: Record<string, string>, layout: Layout, name: string, eventUrl: string): Promise<void> {
  const dev = await call(pool, 'POST', '/auth/developer-token', auth, {});
  if (dev.status !== 200) throw new Error(`POST /auth/developer-token: ${dev.status} ${dev.text}`);
  const authtoken = (JSON.parse(dev.text) as { token: string }).token;
  const manifest = {
    name,
    displayName: name,
    bot: false,
    socketMode: false,
    scopes: { botScopes: [], userScopes: ['messages:read', 'reaction:read'] },
    shortcuts: [],
    slashCommands: [],
    eventSubscriptions: { url: eventUrl, events: ['NEW_MESSAGE', 'REACTION_ADDED'] },
    redirectUrls: [`${new URL(eventUrl).origin}/redirect`],
  };
  const userPath = `/workspaces/${layout.workspaceId}/workspaceUsers/${layout.ownerId}`;
  const created = await call(pool, 'POST', `${userPath}/apps`, { authtoken }, manifest);
  if (created.status !== 200) throw new Error(`creating app ${name}: ${created.status} ${created.text}`);
  const appId = (JSON.parse(created.text) as { id: string }).id;
  const grant = await call(pool, 'GET', `${userPath}/oauth2/grant?${new URLSearchParams({ clientId: appId, scopes: 'messages:read,reaction:read' })}`, { authtoken });
  if (grant.status !== 200) throw new Error(`installing app ${name}: ${grant.status} ${grant.text}`);
}

/** One socket per token, 50 handshakes at a time, each resolved on its hello; later frames go to onFrame. */
async function connectAll(wsUrls: string[], tokens: string[], onFrame: (person: number, data: Buffer) => void): Promise<WebSocket[]> {
  const sockets: WebSocket[] = new Array(tokens.length);
  let next = 0;
  const one = (i: number) =>
    new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(wsUrls[i % wsUrls.length]!, { headers: { authorization: `Bearer ${tokens[i]}` }, perMessageDeflate: false, skipUTF8Validation: true });
      let greeted = false;
      ws.on('message', (data) => {
        if (greeted) return onFrame(i, data as Buffer);
        greeted = true;
        resolve(ws);
      });
      ws.on('error', (err) => {
        if (!greeted) reject(err);
      });
      ws.once('unexpected-response', (_req, res) => reject(new Error(`WebSocket upgrade refused: ${res.statusCode}`)));
      ws.once('close', () => {
        if (!greeted) reject(new Error('WebSocket closed before hello'));
      });
    });
  const worker = async () => {
    while (next < tokens.length) {
      const i = next++;
      sockets[i] = await one(i);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(50, tokens.length) }, worker));
  } catch (err) {
    for (const ws of sockets) ws?.terminate();
    throw err;
  }
  return sockets;
}

/** Closes every socket with a close frame, and cuts those that have not closed within 2 s. */
async function closeAll(sockets: WebSocket[]): Promise<void> {
  await Promise.all(
    sockets.map(
      (ws) =>
        new Promise<void>((resolve) => {
          if (!ws || ws.readyState === WebSocket.CLOSED) return resolve();
          const cut = setTimeout(() => {
            ws.terminate();
            resolve();
          }, 2_000);
          ws.once('close', () => {
            clearTimeout(cut);
            resolve();
          });
          ws.close(1000);
        }),
    ),
  );
}

// ---- one variant --------------------------------------------------------------------------------

async function runVariant(o: {
  name: string;
  databaseUrl: string;
  nodes: Array<(env: Record<string, string>) => Promise<StartedServer>>;
  extraEnv: Record<string, string>;
  log: (...a: unknown[]) => void;
}): Promise<MixedVariant> {
  const s = MIXED_SETTINGS;
  const t0 = performance.now();
  const layout = await seedMixed(o.databaseUrl, s);
  o.log(`  seeded ${s.clients} people, ${s.channels} channels, ${layout.channelIds.length - s.channels} DMs in ${round((performance.now() - t0) / 1000, 1)} s`);
  const secretKey = randomBytes(32).toString('base64');
  const servers: StartedServer[] = [];
  const pools: Pool[] = [];
  const endpoint = new AppEndpoint(s.apps);
  let sockets: WebSocket[] = [];
  try {
    for (let n = 0; n < o.nodes.length; n++) {
      servers.push(
        await o.nodes[n]!({
          ...o.extraEnv,
          DATABASE_URL: o.databaseUrl,
          LOG_LEVEL: 'warn',
          SWITCHBOARD_SECRET_KEY: secretKey,
          SWITCHBOARD_NODE_ID: `bench-mixed-${n}`,
          SWITCHBOARD_ADMIN_EMAIL: OWNER.email,
          SWITCHBOARD_ADMIN_PASSWORD: OWNER.password,
          SWITCHBOARD_OUTBOUND_ALLOW_LOOPBACK: 'true',
        }),
      );
      pools.push(new Pool(servers[n]!.url, { connections: Math.ceil(s.posters / o.nodes.length) + 4, pipelining: 1, keepAliveTimeout: 30_000 }));
    }
    const login = await call(pools[0]!, 'POST', '/auth/login', {}, OWNER);
    if (login.status !== 200) throw new Error(`owner login: ${login.status} ${login.text}`);
    const ownerAuth = { authorization: `Bearer ${(JSON.parse(login.text) as { token: string }).token}` };
    await endpoint.start();
    for (let a = 0; a < s.apps; a++) await installApp(pools[a % pools.length]!, ownerAuth, layout, `bench_mixed_${a}`, `${endpoint.url}/app${a}`);

    // Frames: message.created counted per sequence number; everything else only counted.
    const seqChannel: number[] = [];
    const frames = new Counts();
    let otherFrames = 0;
    /** message.created frames read by someone who is not a member of the message's channel */
    let strays = 0;
    const memberSets = layout.members.map((m) => new Set(m));
    const onFrame = (person: number, data: Buffer) => {
      const at = data.indexOf(CREATED);
      if (at >= 0 && at < 16) {
        const seq = seqIn(data, at);
        if (seq >= 0) {
          const c = seqChannel[seq];
          if (c === undefined || !memberSets[c]!.has(person)) strays++;
          return frames.add(seq);
        }
      }
      otherFrames++;
    };
    const wsUrls = servers.map((sv) => sv.url.replace(/^http/, 'ws') + '/v1/realtime');
    const tc = performance.now();
    sockets = await connectAll(wsUrls, layout.tokens, onFrame);
    o.log(`  ${sockets.length} people connected${servers.length > 1 ? ` (split over ${servers.length} nodes)` : ''} in ${round((performance.now() - tc) / 1000, 1)} s; ${s.apps} apps installed`);

    // What must arrive, filled in as requests succeed.
    let expectedFrames = 0;
    let seqNext = 0;
    const succeeded: boolean[] = [];
    const reactionsMade: Array<{ key: string; channel: number }> = [];
    let edits = 0;
    /** recent top-level messages of each channel: [id, …] */
    const roots: string[][] = layout.channelIds.map(() => []);
    const errors: Partial<Record<Op, number>> = {};
    const samples: Record<Op, number[]> = { post: [], reply: [], reaction: [], edit: [], history: [], typing: [] };
    const postSamples: number[] = [];
    let measuring = false;
    let stopping = false;
    let measuredMessages = 0;
    const mixTable: Op[] = [];
    for (const [op, share] of Object.entries(s.mix) as Array<[Op, number]>) for (let k = 0; k < share; k++) mixTable.push(op);
    const fail = (op: Op, what: string) => {
      errors[op] = (errors[op] ?? 0) + 1;
      if ((errors[op] ?? 0) <= 3) o.log(`  ${op} failed: ${what.slice(0, 200)}`);
    };

    const poster = async (p: number) => {
      const pool = pools[p % pools.length]!;
      const auth = { authorization: `Bearer ${layout.tokens[p]}` };
      const mine = layout.posterChannels[p]!;
      const publicOnes = mine.filter((c) => c < s.channels);
      const dm = mine.find((c) => c >= s.channels)!;
      const own: Array<{ channel: number; id: string }> = [];
      const reacted = new Set<string>();
      const pick = <T>(xs: readonly T[]) => xs[Math.floor(Math.random() * xs.length)]!;
      while (!stopping) {
        let op = pick(mixTable);
        const channel = op === 'post' && Math.random() < s.dmShare ? dm : pick(publicOnes);
        const rootsHere = roots[channel]!;
        if ((op === 'reply' || op === 'reaction') && rootsHere.length === 0) op = 'post';
        if (op === 'edit' && own.length === 0) op = 'post';
        const measured = measuring;
        const started = performance.now();
        try {
          if (op === 'post' || op === 'reply') {
            const seq = seqNext++;
            seqChannel[seq] = channel;
            const path = `/v1/channels/${layout.channelIds[channel]}/messages${op === 'reply' ? `/${pick(rootsHere)}` : ''}`;
            const r = await call(pool, 'POST', path, auth, { text: markedText(seq, s.textLength) });
            const ms = performance.now() - started;
            if (r.status !== 200) {
              fail(op, `${r.status} ${r.text}`);
              continue;
            }
            succeeded[seq] = true;
            expectedFrames += layout.members[channel]!.length;
            const id = (JSON.parse(r.text) as { id: string }).id;
            own.push({ channel, id });
            if (own.length > 10) own.shift();
            if (op === 'post') {
              rootsHere.push(id);
              if (rootsHere.length > 20) rootsHere.shift();
            }
            if (measured) {
              postSamples.push(ms);
              samples[op].push(ms);
              if (measuring) measuredMessages++;
            }
            continue;
          }
          if (op === 'reaction') {
            const messageId = pick(rootsHere);
            const code = REACTION_CODES.find((c) => !reacted.has(`${messageId}|${c}`));
            if (!code) continue;
            reacted.add(`${messageId}|${code}`);
            const r = await call(pool, 'POST', `/v1/messages/${messageId}/reactions`, auth, { code });
            if (r.status !== 200) fail(op, `${r.status} ${r.text}`);
            else reactionsMade.push({ key: `${messageId}|${layout.userIds[p]}|${code}`, channel });
          } else if (op === 'edit') {
            const m = pick(own);
            const r = await call(pool, 'PUT', `/v1/channels/${layout.channelIds[m.channel]}/messages/${m.id}`, auth, { text: `edited ${++edits} by ${p}` });
            if (r.status !== 200) fail(op, `${r.status} ${r.text}`);
          } else if (op === 'history') {
            const r = await call(pool, 'GET', `/v1/channels/${layout.channelIds[channel]}/messages?limit=30`, auth);
            if (r.status !== 200) fail(op, `${r.status} ${r.text}`);
          } else {
            sockets[p]!.send(JSON.stringify({ type: 'typing', channelId: layout.channelIds[channel] }));
            // A person types for a moment before the next thing: nothing to wait for otherwise.
            await sleep(50);
          }
          if (measured) samples[op].push(performance.now() - started);
        } catch (err) {
          fail(op, err instanceof Error ? err.message : String(err));
        }
      }
    };

    o.log(`  ${s.posters} posters: ${s.warmupSeconds} s warm-up + ${s.seconds} s measured`);
    const loops = Array.from({ length: s.posters }, (_, p) => poster(p));
    await sleep(s.warmupSeconds * 1000);
    measuring = true;
    const m0 = performance.now();
    const serverCpu0 = servers.map((sv) => cpuSeconds(sv.process.pid));
    const benchCpu0 = process.cpuUsage();
    await sleep(s.seconds * 1000);
    measuring = false;
    const measuredS = (performance.now() - m0) / 1000;
    const benchCpu = process.cpuUsage(benchCpu0);
    const cpuPct = {
      servers: servers.map((sv, k) => round((100 * (cpuSeconds(sv.process.pid) - serverCpu0[k]!)) / measuredS, 0)),
      bench: round((benchCpu.user + benchCpu.system) / 1e4 / measuredS, 0),
    };
    stopping = true;
    await Promise.all(loops);

    // Settle: every expected frame and event, or the bounded wait ends.
    const expectedEvents = () => {
      let messages = 0;
      for (let q = 0; q < seqNext; q++) if (succeeded[q] && layout.ownerIn[seqChannel[q]!]) messages++;
      const reactions = reactionsMade.filter((r) => layout.ownerIn[r.channel]).length;
      return { messages, reactions };
    };
    const exp = expectedEvents();
    const tally = () => {
      let received = 0;
      let missing = 0;
      let extra = 0;
      let messagesShort = 0;
      for (let q = 0; q < seqNext; q++) {
        const want = succeeded[q] ? layout.members[seqChannel[q]!]!.length : 0;
        const got = frames.get(q);
        received += got;
        if (got < want) {
          missing += want - got;
          messagesShort++;
        } else extra += got - want;
      }
      let evMsg = 0;
      let evMissing = 0;
      let evExtra = 0;
      for (let a = 0; a < s.apps; a++) {
        for (let q = 0; q < seqNext; q++) {
          const want = succeeded[q] && layout.ownerIn[seqChannel[q]!] ? 1 : 0;
          const got = endpoint.messages[a]!.get(q);
          evMsg += got;
          if (got < want) evMissing += want - got;
          else evExtra += got - want;
        }
      }
      let evReact = 0;
      for (let a = 0; a < s.apps; a++) {
        const seen = endpoint.reactions[a]!;
        const wanted = new Set(reactionsMade.filter((r) => layout.ownerIn[r.channel]).map((r) => r.key));
        for (const [key, n] of seen) {
          evReact += n;
          if (wanted.has(key)) evExtra += n - 1;
          else evExtra += n;
        }
        for (const key of wanted) if (!seen.has(key)) evMissing++;
      }
      return { received, missing, extra, messagesShort, evMsg, evReact, evMissing, evExtra };
    };
    const ts = performance.now();
    let t = tally();
    while ((t.missing > 0 || t.evMissing > 0) && performance.now() - ts < s.settleMs) {
      await sleep(250);
      t = tally();
    }
    await sleep(250); // late duplicates or strays
    t = tally();
    const settleMs = round(performance.now() - ts, 0);
    const lastEventAgoMs = round(performance.now() - endpoint.lastArrival, 0);
    const evExpected = s.apps * (exp.messages + exp.reactions);
    const totals = { messages: succeeded.filter(Boolean).length, reactions: reactionsMade.length, edits };
    const postsPerSec = round(measuredMessages / measuredS, 0);
    const postLatencyMs = latency(postSamples);
    o.log(`  ${postsPerSec} posts/s, POST p50 ${postLatencyMs.p50} ms p99 ${postLatencyMs.p99} ms; frames ${t.received}/${expectedFrames} (missing ${t.missing}, extra ${t.extra}, to non-members ${strays}); events ${t.evMsg + t.evReact}/${evExpected} (missing ${t.evMissing}, extra ${t.evExtra}); settled in ${settleMs} ms; last event ${lastEventAgoMs} ms ago; CPU servers ${cpuPct.servers.join(' + ')}%, bench ${cpuPct.bench}%`);
    if (endpoint.unreadable > 0) o.log(`  the app endpoint got ${endpoint.unreadable} requests it could not read`);
    const opLatencyMs: Partial<Record<Op, Latency>> = {};
    for (const op of Object.keys(samples) as Op[]) opLatencyMs[op] = latency(samples[op]);
    return {
      name: o.name,
      nodes: servers.length,
      clients: sockets.length,
      posters: s.posters,
      measuredS: round(measuredS),
      postsPerSec,
      postLatencyMs,
      opLatencyMs,
      errors,
      frames: { expected: expectedFrames, received: t.received, missing: t.missing, extra: t.extra, messagesShort: t.messagesShort, strays, settleMs },
      otherFrames,
      events: {
        expected: evExpected,
        received: t.evMsg + t.evReact,
        missing: t.evMissing,
        extra: t.evExtra,
        lastEventAgoMs,
        newMessage: { expected: s.apps * exp.messages, received: t.evMsg },
        reactionAdded: { expected: s.apps * exp.reactions, received: t.evReact },
      },
      totals,
      cpuPct,
    };
  } finally {
    await closeAll(sockets);
    await Promise.all(pools.map((p) => p.destroy().catch(() => {})));
    for (const server of servers) await server.stop().catch(() => {});
    if (endpoint.url) await endpoint.close().catch(() => {});
  }
}

// ---- the phase ----------------------------------------------------------------------------------

async function reachable(what: () => Promise<void>): Promise<string | undefined> {
  try {
    await Promise.race([what(), sleep(3_000).then(() => Promise.reject(new Error('no answer within 3 s')))]);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

export async function mixedBench(o: {
  dir: string;
  /** starts one Switchboard child named `name` (run.ts kills it if this phase does not) */
  startServer(name: string, env: Record<string, string>): Promise<StartedServer>;
  log: (...a: unknown[]) => void;
}): Promise<MixedBench> {
  const s = MIXED_SETTINGS;
  const variants: MixedVariant[] = [];
  o.log(`  (mixed) SQLite, one node`);
  variants.push(
    await runVariant({
      name: 'SQLite, 1 node',
      databaseUrl: `sqlite:${join(o.dir, 'mixed.db')}`,
      nodes: [(env) => o.startServer('switchboard-mixed', { ...env, SWITCHBOARD_DATA_DIR: o.dir })],
      extraEnv: {},
      log: o.log,
    }),
  );

  const pgName = 'PostgreSQL + Redis, 2 nodes';
  const pg = await import('pg');
  const pgDown = await reachable(async () => {
    const c = new pg.default.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 2000 });
    await c.connect();
    await c.end();
  });
  const redisDown = await reachable(async () => {
    const { Redis } = await import('ioredis');
    const r = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0, retryStrategy: () => null });
    try {
      await r.connect();
      await r.ping();
    } finally {
      r.disconnect();
    }
  });
  if (pgDown || redisDown) {
    const why = [pgDown && `PostgreSQL at ${PG_ADMIN_URL}: ${pgDown}`, redisDown && `Redis at ${REDIS_URL}: ${redisDown}`].filter(Boolean).join('; ');
    o.log(`  (mixed) ${pgName}: skipped (${why})`);
    variants.push({ name: pgName, skipped: why });
    return { settings: s, goals: MIXED_GOALS, variants };
  }
  const dbName = `sb_bench_mixed_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.default.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${dbName}`;
  try {
    o.log(`  (mixed) ${pgName}: database ${dbName}, Redis ${REDIS_URL}`);
    variants.push(
      await runVariant({
        name: pgName,
        databaseUrl: url.toString(),
        nodes: [0, 1].map((n) => (env: Record<string, string>) => o.startServer(`switchboard-mixed-pg${n}`, { ...env, SWITCHBOARD_DATA_DIR: o.dir })),
        extraEnv: { REDIS_URL },
        log: o.log,
      }),
    );
  } finally {
    // The servers have stopped; their pool sockets may take a moment to close: retry while in use.
    const c = new pg.default.Client({ connectionString: PG_ADMIN_URL });
    await c.connect();
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          await c.query(`DROP DATABASE IF EXISTS ${dbName}`);
          break;
        } catch (err) {
          if ((err as { code?: string }).code !== '55006' || attempt >= 50) {
            o.log(`  could not drop ${dbName}: ${(err as Error).message}`);
            break;
          }
          await sleep(100);
        }
      }
    } finally {
      await c.end();
    }
  }
  return { settings: s, goals: MIXED_GOALS, variants };
}

/** The phase's rows of the results table. */
export function mixedRows(r: MixedBench): string[] {
  const n = (x: number) => x.toLocaleString('en-US');
  const rows: string[] = [];
  for (const v of r.variants) {
    const tag = `(mixed) ${v.name}`;
    if (v.skipped) {
      rows.push(`| **${tag}** | skipped: ${v.skipped} | | |`);
      continue;
    }
    const lat = v.postLatencyMs!;
    const f = v.frames!;
    const e = v.events!;
    const ops = v.opLatencyMs!;
    const errs = Object.values(v.errors!).reduce((a, b) => a + (b ?? 0), 0);
    const p99 = (op: Op) => (ops[op]?.count ? `${ops[op]!.p99}` : '–');
    rows.push(
      `| **${tag}: posts/s** (posts + thread replies), ${n(v.clients!)} people connected, ${v.posters} posting | ${n(v.postsPerSec!)} | | goal ≥ ${n(r.goals.postsPerSec)}: ${v.postsPerSec! >= r.goals.postsPerSec ? 'met' : 'not met'} |`,
      `| ${tag}: POST latency p50 / p99 (ms) | ${lat.p50} / ${lat.p99} | | goal p99 < ${r.goals.p99Ms}: ${lat.p99 < r.goals.p99Ms ? 'met' : 'not met'} |`,
      `| ${tag}: \`message.created\` frames received / expected (missing, extra, to non-members) | ${n(f.received)} / ${n(f.expected)} (${n(f.missing)}, ${n(f.extra)}, ${n(f.strays)}) | | ${f.missing === 0 && f.extra === 0 && f.strays === 0 ? 'every frame delivered' : `**${n(f.missing)} frames of ${n(f.messagesShort)} messages missing, ${n(f.extra)} extra**`} |`,
      `| ${tag}: app events received / expected, ${r.settings.apps} apps (missing, extra) | ${n(e.received)} / ${n(e.expected)} (${n(e.missing)}, ${n(e.extra)}) | | ${e.missing === 0 && e.extra === 0 ? 'every event delivered' : `**${n(e.missing)} events missing${e.missing > 0 && e.lastEventAgoMs < 1_000 ? ' (still arriving when the wait ended)' : ''}, ${n(e.extra)} extra**`} |`,
      `| ${tag}: p99 (ms) of reactions / edits / history reads; errors | ${p99('reaction')} / ${p99('edit')} / ${p99('history')}; ${errs} | | |`,
      `| ${tag}: CPU server${v.cpuPct!.servers.length > 1 ? 's' : ''} / bench process (% of a core) | ${v.cpuPct!.servers.map((x) => `${x}%`).join(' + ')} / ${v.cpuPct!.bench}% | | |`,
    );
  }
  return rows;
}
