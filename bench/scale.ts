/**
 * Bench phase "scale" (issue #16 item 6): cost grows as the work grows, no faster. Posting to a
 * channel must cost the same whether the channel already holds 10 or 10,000 messages, and whether
 * the workspace has 1,000 or 10,000 members: the post path touches the channel, its members and the
 * new row, never the history or the whole workspace.
 *
 * One Switchboard child on its own fresh SQLite file, seeded through the Store (no HTTP, no scrypt):
 * two workspaces shaped as the server's bootstrap makes them (an owner, #general), one of 1,000
 * members and one of 10,000 (owners included; no passwords; everyone in #general). In each, the
 * channels posted to have 10 members (the owner and the same 9 people, who are connected to
 * /v1/realtime and read every frame). The smaller workspace also holds the history channels,
 * pre-filled with 10, 100, 1,000 and 10,000 messages — one channel per size and round, so every
 * measurement starts from exactly that history; every members case posts to a fresh channel with 10.
 *
 * Each case: a closed loop of `connections` posters (each sends its next `POST
 * /v1/channels/{id}/messages` once the previous one answered) for `seconds`, the owner posting,
 * after the outbox dispatcher has caught up with the case before. All cases run on one warmed-up
 * server, interleaved in two rounds, the second in reverse order (history 10 → 10,000, members
 * 1,000 → 10,000, then back), so a drift of the shared machine or a server still warming up weighs
 * on small and large alike; a case's figures merge its rounds. (Measuring the two workspace sizes in
 * two server lifetimes — stop, grow the workspace, start — gave ratios of 0.39 and 1.0 in two runs
 * on a loaded 2-core machine: the noise between lifetimes hid any effect. Two workspaces side by side
 * cannot show a scan of the whole users table, which weighs on both alike; the statements of the
 * post path were checked with EXPLAIN QUERY PLAN for that, see bench/README.md.)
 *
 * `ratios.historyFlatness` = posts/s at 10,000 messages ÷ at 10; `ratios.membersFlatness` = at 10,000
 * members ÷ at 1,000. Goal ≥ 0.8 (flat within the noise of a shared machine).
 *
 * `npm run bench` runs it after the other phases; `BENCH_ONLY=scale npm run bench` runs it alone.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { Pool } from 'undici';
import WebSocket from 'ws';
import { newId } from '../packages/server/src/domain/ids.js';
import { hashToken, newToken } from '../packages/server/src/domain/secrets.js';
import { migrate, openDatabase } from '../packages/server/src/store/database.js';
import { Store } from '../packages/server/src/store/store.js';

const positive = (name: string, fallback: number) => {
  const n = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number`);
  return n;
};

export const SCALE_SETTINGS = {
  /** messages already in the channel posted to */
  histories: [10, 100, 1_000, 10_000],
  /** members of the two workspaces (owners included) */
  members: [1_000, 10_000],
  /** members of every channel posted to, all connected and reading */
  channelMembers: 10,
  /** closed-loop posters (one request in flight each) */
  connections: 10,
  /** measured seconds per case and round; `BENCH_SCALE_SECONDS` */
  seconds: positive('BENCH_SCALE_SECONDS', 3),
  /** unmeasured posting in each workspace after the server's start (JIT, SQLite's page cache) */
  warmupSeconds: 2,
  /** rounds of all cases, every other one in reverse order */
  rounds: 2,
  textLength: 120,
};
export const SCALE_GOAL = 0.8;
/** Seeding 22,220 messages and 11,000 people, one server start, 2 × 6 measured cases of 3 s (about 55 s on a loaded 2-core machine). */
export const SCALE_PHASE_BUDGET_MS = 90_000;

export interface Latency {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface ScaleCase {
  /** messages in the channel before it was posted to, or members of the workspace */
  size: number;
  /** successful posts over all rounds */
  posts: number;
  failed: number;
  /** posts ÷ measured seconds, all rounds together */
  postsPerSec: number;
  /** POST sent → answer read, every post of every round */
  latencyMs: Latency;
  /** this case's posts/s ÷ the smallest case's */
  ratio: number;
}

export interface ScaleBench {
  settings: typeof SCALE_SETTINGS;
  history: ScaleCase[];
  members: ScaleCase[];
  /** message frames the channel members read (each post reaches its channel's 10 members, all connected) */
  framesRead: number;
  framesExpected: number;
  historyFlatness: number;
  membersFlatness: number;
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function percentiles(samples: number[]): Latency {
  const sorted = Float64Array.from(samples).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
  return { p50: round(at(0.5)), p90: round(at(0.9)), p99: round(at(0.99)), max: round(at(1)) };
}

/** A message id at that millisecond (time-ordered, as domain/ids.ts makes them): history in the past. */
let historySeq = 0;
const historyId = (ms: number) => ms.toString(16).padStart(12, '0') + (historySeq++).toString(16).padStart(12, '0');

/** A workspace the cases post in: its owner posts, its 9 channel peers listen. */
interface Space {
  workspaceId: string;
  ownerId: string;
  peers: string[];
  /** sessions of the owner (the poster) and of the peers */
  ownerToken: string;
  peerTokens: string[];
  warmupChannel: string;
}

interface Fixture {
  small: Space;
  large: Space;
  /** [round][history size index], in the small workspace */
  historyChannels: string[][];
  /** [round][members size index]: a fresh channel with 10 messages, in the workspace of that size */
  membersChannels: string[][];
}

type Tx = Parameters<Parameters<Store['transaction']>[0]>[0];

/** A channel of the owner and the peers, with `history` messages written by them, oldest first. */
async function channelWithHistory(tx: Tx, w: Pick<Space, 'workspaceId' | 'ownerId' | 'peers'>, name: string, history: number, now: number): Promise<string> {
  const id = newId(now);
  await tx.insertChannel({ id, workspaceId: w.workspaceId, type: 'PUBLIC', name, directKey: null, description: 'scale benchmark', createdBy: w.ownerId, now });
  await tx.addMembers((await tx.channel(w.workspaceId, id))!, [w.ownerId, ...w.peers], w.ownerId, now);
  const authors = [w.ownerId, ...w.peers];
  // One a minute up to an hour ago: older than anything posted in the run.
  const start = now - 3_600_000 - history * 60_000;
  for (let i = 0; i < history; i++) {
    const at = start + i * 60_000;
    await tx.insertMessage({
      id: historyId(at),
      workspaceId: w.workspaceId,
      channelId: id,
      authorId: authors[i % authors.length]!,
      text: `history ${i} of ${name}: the quick brown fox jumps over the lazy dog`,
      blocks: null,
      attachments: null,
      threadRootId: null,
      now: at,
    });
  }
  return id;
}

/**
 * A workspace as `accounts.bootstrap` makes one (an owner, #general with the owner), then
 * `members - 1` people without passwords, all in #general (in batches: SQLite's variable limit),
 * and sessions for the owner and the channel peers.
 */
async function workspace(tx: Tx, tag: string, members: number, now: number): Promise<Space> {
  const workspaceId = newId(now);
  await tx.insertWorkspace({ id: workspaceId, name: `Scale ${tag}`, locale: 'en', createdAt: now });
  const ownerId = newId(now);
  await tx.insertUser({ id: ownerId, workspaceId, email: `owner@${tag}.scale-bench.invalid`, username: 'owner', name: 'Owner', role: 'OWNER', passwordHash: null, now });
  const generalId = newId(now);
  await tx.insertChannel({ id: generalId, workspaceId, type: 'PUBLIC', name: 'general', directKey: null, description: 'Everyone in the workspace', isMain: true, createdBy: ownerId, now });
  const ids: string[] = [];
  for (let i = 1; i < members; i++) {
    const id = newId(now);
    ids.push(id);
    // The username given: deriving a free one is a query per person, and this is set-up.
    await tx.insertUser({ id, workspaceId, email: `member${i}@${tag}.scale-bench.invalid`, username: `member${i}`, name: `Member ${i}`, role: 'MEMBER', passwordHash: null, now });
  }
  const general = (await tx.channel(workspaceId, generalId))!;
  const everyone = [ownerId, ...ids];
  for (let i = 0; i < everyone.length; i += 1_000) await tx.addMembers(general, everyone.slice(i, i + 1_000), null, now);
  const peers = ids.slice(0, SCALE_SETTINGS.channelMembers - 1);
  const users = new Map((await tx.users(workspaceId, [ownerId, ...peers])).map((u) => [u.id, u]));
  const session = async (id: string) => {
    const token = newToken('sbs_');
    await tx.insertSession(hashToken(token), users.get(id)!, now);
    return token;
  };
  const ownerToken = await session(ownerId);
  const peerTokens: string[] = [];
  for (const id of peers) peerTokens.push(await session(id));
  const space = { workspaceId, ownerId, peers, ownerToken, peerTokens };
  return { ...space, warmupChannel: await channelWithHistory(tx, space, 'warm-up', SCALE_SETTINGS.histories[0]!, now) };
}

async function seedScale(databaseUrl: string): Promise<Fixture> {
  const S = SCALE_SETTINGS;
  const database = await openDatabase(databaseUrl);
  try {
    await migrate(database.db);
    const store = new Store(database.db, database.engine);
    return await store.transaction(async (tx) => {
      const now = Date.now();
      const small = await workspace(tx, 'small', S.members[0]!, now);
      const large = await workspace(tx, 'large', S.members[1]!, now);
      const historyChannels: string[][] = [];
      const membersChannels: string[][] = [];
      for (let r = 0; r < S.rounds; r++) {
        const sizes: string[] = [];
        for (const size of S.histories) sizes.push(await channelWithHistory(tx, small, `history-${size}-r${r}`, size, now));
        historyChannels.push(sizes);
        const spaces: string[] = [];
        for (const [i, space] of [small, large].entries()) spaces.push(await channelWithHistory(tx, space, `members-${S.members[i]}-r${r}`, S.histories[0]!, now));
        membersChannels.push(spaces);
      }
      return { small, large, historyChannels, membersChannels };
    });
  } finally {
    await database.close();
  }
}

interface Run {
  latencies: number[];
  posts: number;
  failed: number;
  seconds: number;
}

/** `connections` closed-loop posters to one channel for `seconds`; each answer's latency is kept. */
async function closedLoop(pool: Pool, token: string, channelId: string, seconds: number): Promise<Run> {
  const path = `/v1/channels/${channelId}/messages`;
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const latencies: number[] = [];
  let failed = 0;
  let firstFailure = '';
  const start = performance.now();
  const end = start + seconds * 1000;
  let last = start;
  let seq = 0;
  const poster = async () => {
    while (performance.now() < end) {
      const body = JSON.stringify({ text: `scale ${seq++} `.padEnd(SCALE_SETTINGS.textLength, 'x') });
      const t = performance.now();
      const r = await pool.request({ path, method: 'POST', headers, body });
      const text = await r.body.text();
      last = performance.now();
      if (r.statusCode === 200) latencies.push(last - t);
      else {
        failed++;
        firstFailure ||= `${r.statusCode} ${text.slice(0, 300)}`;
      }
    }
  };
  await Promise.all(Array.from({ length: SCALE_SETTINGS.connections }, poster));
  if (latencies.length === 0) throw new Error(`scale: every post to ${channelId} failed: ${firstFailure}`);
  return { latencies, posts: latencies.length, failed, seconds: (last - start) / 1000 };
}

function merge(size: number, runs: Run[]): Omit<ScaleCase, 'ratio'> {
  const posts = runs.reduce((s, r) => s + r.posts, 0);
  const seconds = runs.reduce((s, r) => s + r.seconds, 0);
  return {
    size,
    posts,
    failed: runs.reduce((s, r) => s + r.failed, 0),
    postsPerSec: round(posts / seconds, 1),
    latencyMs: percentiles(runs.flatMap((r) => r.latencies)),
  };
}

const withRatios = (cases: Array<Omit<ScaleCase, 'ratio'>>): ScaleCase[] => cases.map((c) => ({ ...c, ratio: round(c.postsPerSec / cases[0]!.postsPerSec, 3) }));

export async function scaleBench(o: {
  dir: string;
  startServer(env: Record<string, string>): Promise<{ url: string; stop(): Promise<void> }>;
  log: (...a: unknown[]) => void;
}): Promise<ScaleBench> {
  const S = SCALE_SETTINGS;
  const file = join(o.dir, 'scale.db');
  const databaseUrl = `sqlite:${file}`;
  const seedStart = performance.now();
  const f = await seedScale(databaseUrl);
  const historyMessages = S.rounds * S.histories.reduce((a, b) => a + b, 0);
  o.log(`    seeded workspaces of ${S.members.map((m) => m.toLocaleString('en-US')).join(' and ')} members, ${historyMessages.toLocaleString('en-US')} messages of history, in ${round((performance.now() - seedStart) / 1000, 1)} s`);

  /**
   * Waits (up to 10 s) until the outbox dispatcher has expanded every event: each case begins with
   * no backlog left by the one before, whose catching up would otherwise be charged to it.
   */
  const quiet = async () => {
    const reader = new Database(file, { readonly: true, fileMustExist: true });
    try {
      const backlog = reader.prepare('select count(*) as n from domain_events where expanded_at is null').pluck();
      const first = backlog.get() as number;
      const by = performance.now() + 10_000;
      while ((backlog.get() as number) > 0 && performance.now() < by) await sleep(50);
      const left = backlog.get() as number;
      if (left > 0) o.log(`      (the outbox still had ${left} of ${first} events unexpanded after 10 s)`);
    } finally {
      reader.close();
    }
  };

  const server = await o.startServer({ DATABASE_URL: databaseUrl, SWITCHBOARD_DATA_DIR: o.dir, LOG_LEVEL: 'warn' });
  const pool = new Pool(server.url, { connections: S.connections, pipelining: 1 });
  const wsUrl = server.url.replace(/^http/, 'ws') + '/v1/realtime';
  const sockets: WebSocket[] = [];
  let framesRead = 0;
  let framesExpected = 0;
  const historyRuns: Run[][] = S.histories.map(() => []);
  const membersRuns: Run[][] = S.members.map(() => []);
  const fmt = (r: Run) => `${round(r.posts / r.seconds, 1)} posts/s, p50 ${percentiles(r.latencies).p50} ms, p99 ${percentiles(r.latencies).p99} ms`;
  try {
    for (const space of [f.small, f.large]) {
      for (const token of [space.ownerToken, ...space.peerTokens]) {
        sockets.push(await open(wsUrl, token, (data) => {
          if (data.toString().includes('"scale ')) framesRead++;
        }));
      }
    }
    const spaces = [f.small, f.large];
    const post = async (space: Space, channelId: string, seconds: number) => {
      await quiet();
      const run = await closedLoop(pool, space.ownerToken, channelId, seconds);
      framesExpected += run.posts * S.channelMembers;
      return run;
    };
    for (const space of spaces) await post(space, space.warmupChannel, S.warmupSeconds);
    for (let r = 0; r < S.rounds; r++) {
      const cases = [
        ...S.histories.map((size, i) => async () => {
          const run = await post(f.small, f.historyChannels[r]![i]!, S.seconds);
          historyRuns[i]!.push(run);
          o.log(`    round ${r + 1}, ${size.toLocaleString('en-US')} messages of history: ${fmt(run)}`);
        }),
        ...S.members.map((size, i) => async () => {
          const run = await post(spaces[i]!, f.membersChannels[r]![i]!, S.seconds);
          membersRuns[i]!.push(run);
          o.log(`    round ${r + 1}, ${size.toLocaleString('en-US')} workspace members: ${fmt(run)}`);
        }),
      ];
      if (r % 2 === 1) cases.reverse();
      for (const measure of cases) await measure();
    }
    await quiet();
    // Let the last frames arrive before the sockets close.
    const by = performance.now() + 3_000;
    while (framesRead < framesExpected && performance.now() < by) await sleep(20);
  } finally {
    for (const ws of sockets) ws.terminate();
    await pool.close();
    await server.stop();
  }

  const history = withRatios(S.histories.map((size, i) => merge(size, historyRuns[i]!)));
  const members = withRatios(S.members.map((size, i) => merge(size, membersRuns[i]!)));
  if (framesRead < framesExpected) o.log(`    the channel members read ${framesRead} of ${framesExpected} message frames`);
  return {
    settings: S,
    history,
    members,
    framesRead,
    framesExpected,
    historyFlatness: history[history.length - 1]!.ratio,
    membersFlatness: members[members.length - 1]!.ratio,
  };
}

/** One person's connection, open and past its `hello`. */
function open(url: string, token: string, onFrame: (data: WebSocket.RawData) => void): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: { authorization: `Bearer ${token}` }, perMessageDeflate: false });
    ws.once('message', () => {
      ws.on('message', onFrame);
      resolve(ws);
    });
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
  });
}

/** The phase's rows of the bench's markdown table (its columns: Switchboard, baseline, ratio). */
export function scaleRows(r: ScaleBench, goal: number): string[] {
  const n = (x: number) => x.toLocaleString('en-US');
  const S = r.settings;
  const verdict = (x: number) => `**${x.toFixed(2)}** (goal ≥ ${goal.toFixed(2)}: ${x >= goal ? 'met' : 'not met'})`;
  const figures = (c: ScaleCase) => `${n(c.postsPerSec)}; ${c.latencyMs.p50} / ${c.latencyMs.p99}`;
  const rows = (kind: string, cases: ScaleCase[], flatness: number, unit: string, extra: string) =>
    cases.map((c, i) => {
      const last = i === cases.length - 1;
      const label = `${last ? '**' : ''}(scale) ${kind} ${n(c.size)} ${unit}: posts/s; p50 / p99 (ms)${last ? '**' : ''}${i === 0 ? extra : ''}${c.failed ? ` (${c.failed} failed)` : ''}`;
      const smallest = i === 0 ? '' : `${n(cases[0]!.size)} ${unit}: ${figures(cases[0]!)}`;
      return `| ${label} | ${figures(c)} | ${smallest} | ${last ? verdict(flatness) : c.ratio.toFixed(2)} |`;
    });
  return [
    ...rows('history', r.history, r.historyFlatness, 'messages', ` (a 10-member channel, ${S.connections} closed-loop posters, ${S.rounds} × ${S.seconds} s; ${n(S.members[0]!)} workspace members)`),
    ...rows('workspace of', r.members, r.membersFlatness, 'members', ` (two workspaces; posting to a fresh 10-member channel with 10 messages, ${S.rounds} × ${S.seconds} s)`),
    `| (scale) message frames read by the connected channel members / expected | ${n(r.framesRead)} / ${n(r.framesExpected)} | | |`,
  ];
}
