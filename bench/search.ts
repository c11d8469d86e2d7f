/**
 * Bench phase "search" (issue #14 item 7 (e)): `POST /v1/messages/search` over 200,000 messages on
 * SQLite, a one-word and a phrase query, p50/p99 through HTTP with a person's session token, beside
 * the same full-text query run directly on the FTS5 index with better-sqlite3 in this process.
 *
 * Set-up, fast and outside the measurement: a fresh database migrated by the server's migrations up
 * to the one before the index (0017), the messages inserted straight through SQL in one transaction,
 * then the server's remaining migrations — 0018 indexes every message there, as it does when an
 * existing server upgrades (its backfill, timed) — then the workspace, 10 people, 40 channels (30
 * public, 10 private, everyone a member of all) and the owner's session through the Store, with the
 * ids the messages carry. Message text is drawn from a 5,000-word vocabulary with Zipf frequencies
 * (as natural text has); a fixed two-word phrase is planted in 1% of the messages. (Posting 200,000
 * messages one by one would index each through the triggers, as posts are, but take minutes.)
 *
 * Bare baseline (`bareFts`): what a minimal hand-written search does with the same index — the page
 * of the 20 newest matching ids with the number of all matches (one statement), then those 20
 * message rows — without HTTP, authentication, visibility (which channels the person may read),
 * reactions or JSON. `ratios.searchVsBareFts` = bare p50 ÷ Switchboard p50, the lower of the two
 * queries (goal ≥ 0.5: the whole request costs at most twice the bare index work).
 *
 * `npm run bench` runs it after the other phases; `BENCH_ONLY=search npm run bench` runs it alone.
 */
import { join } from 'node:path';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { Migrator } from 'kysely';
import { newId } from '../packages/server/src/domain/ids.js';
import { hashToken, newToken } from '../packages/server/src/domain/secrets.js';
import { migrate, openDatabase } from '../packages/server/src/store/database.js';
import { Store } from '../packages/server/src/store/store.js';
import { migrationProvider } from '../packages/server/src/store/migrations/index.js';

/** The phase's settings; `BENCH_SEARCH_MESSAGES` and `BENCH_SEARCH_ITERATIONS` override two of them. */
export const SEARCH_SETTINGS = {
  messages: Number(process.env.BENCH_SEARCH_MESSAGES ?? 200_000),
  channels: 40,
  privateChannels: 10,
  authors: 10,
  vocabulary: 5_000,
  /** words per message: 6 to 20 */
  minWords: 6,
  maxWords: 20,
  /** share of the messages that carry the planted phrase */
  phraseShare: 0.01,
  /** measured queries per query kind and side, after `warmup` unmeasured ones */
  iterations: Number(process.env.BENCH_SEARCH_ITERATIONS ?? 200),
  warmup: 30,
  /** the page size (§11.2: at most 20) */
  limit: 20,
};
/** The most this phase takes with its set-up (the bench's overall deadline grows by it). */
export const SEARCH_PHASE_BUDGET_MS = 45_000;

/** The messages are written with the schema of this migration, the last before the index (0018). */
const INDEX_MIGRATION_BEFORE = '0017_app_sockets';

export interface Latency {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface SearchQueryFigures {
  /** what was searched for (the /v1 `text`) */
  text: string;
  /** how many messages match it (the answer's totalElements; the bare count is the same) */
  matches: number;
  switchboard: Latency;
  bareFts: Latency;
  /** bareFts p50 ÷ switchboard p50 */
  ratio: number;
}

export interface SearchBench {
  messages: number;
  channels: number;
  /** seconds to insert the messages (one transaction, before the index existed) */
  insertSeconds: number;
  /** seconds the migrations took from there: 0018 indexing every message (its backfill) */
  backfillSeconds: number;
  databaseMiB: number;
  oneWord: SearchQueryFigures;
  phrase: SearchQueryFigures;
  /** the lower of the two ratios */
  searchVsBareFts: number;
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

function percentiles(samples: number[]): Latency {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
  return { p50: round(at(0.5)), p90: round(at(0.9)), p99: round(at(0.99)), max: round(at(1)) };
}

/** mulberry32: the same messages on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` distinct pronounceable words, and a sampler drawing them with Zipf (s = 1) frequencies. */
function vocabulary(count: number, rand: () => number) {
  const syllables = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti', 'vo', 'ze', 'pa', 'do', 'fi', 'gu', 'he', 'jo', 'bri', 'sta', 'tre', 'plo', 'dar', 'ven', 'mor', 'lin', 'qua'];
  const words = new Set<string>();
  while (words.size < count) {
    const n = 2 + Math.floor(rand() * 3);
    let w = '';
    for (let i = 0; i < n; i++) w += syllables[Math.floor(rand() * syllables.length)];
    words.add(w);
  }
  const list = [...words];
  const cumulative = new Float64Array(count);
  let sum = 0;
  for (let r = 0; r < count; r++) cumulative[r] = sum += 1 / (r + 1);
  const draw = () => {
    const x = rand() * sum;
    let lo = 0;
    let hi = count - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return list[lo]!;
  };
  return { list, draw };
}

/** A message id of that millisecond (time-ordered, as domain/ids.ts makes them). */
const idAt = (ms: number, seq: number) => ms.toString(16).padStart(12, '0') + seq.toString(16).padStart(12, '0');

export async function searchBench(o: {
  /** a fresh directory for the database */
  dir: string;
  /** starts Switchboard as a child process with this environment; resolves once it is ready */
  startServer(env: Record<string, string>): Promise<{ url: string; stop(): Promise<void> }>;
  log(...parts: unknown[]): void;
}): Promise<SearchBench> {
  const S = SEARCH_SETTINGS;
  const file = join(o.dir, 'search.db');
  const databaseUrl = `sqlite:${file}`;
  let seeding = { insertSeconds: 0, backfillSeconds: 0 };

  // ---- the messages, straight through SQL, into a database migrated up to just before the index ----
  const workspaceId = newId();
  const authorIds = Array.from({ length: S.authors }, () => newId());
  const ownerId = authorIds[0]!;
  const channelIds = Array.from({ length: S.channels }, () => newId());
  const rand = random(14);
  const vocab = vocabulary(S.vocabulary, rand);
  // A word of rank 100 (about 1.5% of the messages) and a planted phrase of two rarer ones.
  const word = vocab.list[99]!;
  const phrase = [vocab.list[400]!, vocab.list[401]!];
  let database = await openDatabase(databaseUrl);
  try {
    const before = await new Migrator({ db: database.db, provider: migrationProvider }).migrateTo(INDEX_MIGRATION_BEFORE);
    if (before.error) throw before.error;
  } finally {
    await database.close();
  }
  const insertStart = performance.now();
  {
    // Foreign keys off for this connection only: the channels and users come next, with these ids.
    const sqlite = new Database(file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = OFF');
    const insert = sqlite.prepare(
      `insert into messages (id, workspace_id, channel_id, author_id, text, reply_count, edited, deleted, created_at, updated_at, sent_to_channel)
       values (?, ?, ?, ?, ?, 0, 0, 0, ?, ?, 0)`,
    );
    const start = Date.now() - S.messages * 1000;
    sqlite.transaction(() => {
      for (let i = 0; i < S.messages; i++) {
        const n = S.minWords + Math.floor(rand() * (S.maxWords - S.minWords + 1));
        const words: string[] = [];
        for (let k = 0; k < n; k++) words.push(vocab.draw());
        if (rand() < S.phraseShare) words.splice(Math.floor(rand() * words.length), 0, ...phrase);
        if (rand() < 0.3) words[0] = words[0]![0]!.toUpperCase() + words[0]!.slice(1);
        const text = words.join(' ') + (rand() < 0.5 ? '.' : '');
        const at = start + i * 1000;
        insert.run(idAt(at, i), workspaceId, channelIds[i % channelIds.length], authorIds[Math.floor(rand() * authorIds.length)], text, at, at);
      }
    })();
    sqlite.close();
  }
  const insertSeconds = round((performance.now() - insertStart) / 1000, 1);

  // ---- the server's migrations from there: 0018 indexes the existing messages (the backfill) ----
  const backfillStart = performance.now();
  database = await openDatabase(databaseUrl);
  let token: string;
  try {
    await migrate(database.db);
    const backfillSeconds = round((performance.now() - backfillStart) / 1000, 1);
    o.log(`    ${S.messages.toLocaleString('en-US')} messages inserted in ${insertSeconds} s, indexed by the migration (backfill) in ${backfillSeconds} s`);
    seeding = { insertSeconds, backfillSeconds };
    // The workspace, its people and channels with the ids the messages carry, and the owner's session.
    const store = new Store(database.db, database.engine);
    token = await store.transaction(async (tx) => {
      const now = Date.now();
      await tx.insertWorkspace({ id: workspaceId, name: 'Search bench', locale: 'en', createdAt: now });
      for (const [i, id] of authorIds.entries()) {
        await tx.insertUser({ id, workspaceId, email: `author${i}@search.bench.invalid`, name: `Author ${i}`, role: i === 0 ? 'OWNER' : 'MEMBER', passwordHash: null, now });
      }
      for (const [i, id] of channelIds.entries()) {
        const priv = i < S.privateChannels;
        await tx.insertChannel({ id, workspaceId, type: priv ? 'PRIVATE' : 'PUBLIC', name: `${priv ? 'private' : 'public'}-${i}`, directKey: null, description: '', isMain: i === S.privateChannels, createdBy: ownerId, now });
        await tx.addMembers((await tx.channel(workspaceId, id))!, authorIds, ownerId, now);
      }
      const session = newToken('sbs_');
      await tx.insertSession(hashToken(session), (await tx.user(workspaceId, ownerId))!, now);
      return session;
    });
  } finally {
    await database.close();
  }

  // ---- measure: Switchboard through HTTP, then the bare index in this process ----
  const server = await o.startServer({
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'warn',
  });
  const bare = new Database(file, { readonly: true });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const page = bare.prepare(
      `select d.message_id as id, count(*) over () as total
       from message_search join message_search_docs d on d.doc = message_search.rowid
       where message_search match ? order by d.message_id desc limit ${S.limit}`,
    );
    const rows = bare.prepare(`select * from messages where id in (${Array.from({ length: S.limit }, () => '?').join(', ')})`);
    const bareSearch = (fts: string) => {
      const hits = page.all(fts) as Array<{ id: string; total: number }>;
      const ids = hits.map((h) => h.id);
      while (ids.length < S.limit) ids.push('');
      rows.all(...ids);
      return { total: hits[0]?.total ?? 0, first: hits[0]?.id };
    };
    const search = (text: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const body = JSON.stringify({ text, limit: S.limit });
        const req = http.request(`${server.url}/v1/messages/search`, {
          method: 'POST',
          agent,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        });
        req.on('response', (res) => {
          let data = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (data += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
        });
        req.on('error', reject);
        req.end(body);
      });

    const measure = async (text: string, fts: string): Promise<SearchQueryFigures> => {
      const answer = await search(text);
      if (answer.status !== 200) throw new Error(`search "${text}": ${answer.status} ${answer.body.slice(0, 300)}`);
      const parsed = JSON.parse(answer.body) as { content: Array<{ id: string }>; totalElements: number };
      const reference = bareSearch(fts);
      // The owner reads every channel: both sides must find exactly the same messages.
      if (parsed.totalElements !== reference.total || parsed.content[0]?.id !== reference.first) {
        throw new Error(`search "${text}": Switchboard found ${parsed.totalElements} (first ${parsed.content[0]?.id}), the bare index ${reference.total} (first ${reference.first})`);
      }
      // Interleaved, one of each in turn: whatever else the machine does weighs on both sides alike.
      const sb: number[] = [];
      const bareTimes: number[] = [];
      for (let i = 0; i < S.warmup + S.iterations; i++) {
        let t = performance.now();
        const r = await search(text);
        if (r.status !== 200) throw new Error(`search "${text}": ${r.status}`);
        if (i >= S.warmup) sb.push(performance.now() - t);
        t = performance.now();
        bareSearch(fts);
        if (i >= S.warmup) bareTimes.push(performance.now() - t);
      }
      const switchboard = percentiles(sb);
      const bareFts = percentiles(bareTimes);
      return { text, matches: reference.total, switchboard, bareFts, ratio: round(bareFts.p50 / switchboard.p50, 3) };
    };

    o.log(`    one word "${word}", ${S.warmup} + ${S.iterations} queries each side`);
    const oneWord = await measure(word, `"${word}"`);
    o.log(`    ${oneWord.matches} matches: Switchboard p50 ${oneWord.switchboard.p50} ms, p99 ${oneWord.switchboard.p99} ms; bare FTS5 p50 ${oneWord.bareFts.p50} ms, p99 ${oneWord.bareFts.p99} ms`);
    o.log(`    phrase "${phrase.join(' ')}"`);
    const phraseFigures = await measure(`"${phrase.join(' ')}"`, `"${phrase.join(' ')}"`);
    o.log(`    ${phraseFigures.matches} matches: Switchboard p50 ${phraseFigures.switchboard.p50} ms, p99 ${phraseFigures.switchboard.p99} ms; bare FTS5 p50 ${phraseFigures.bareFts.p50} ms, p99 ${phraseFigures.bareFts.p99} ms`);
    const { size } = await import('node:fs').then((fs) => fs.statSync(file));
    return {
      messages: S.messages,
      channels: S.channels,
      ...seeding,
      databaseMiB: round(size / 2 ** 20, 1),
      oneWord,
      phrase: phraseFigures,
      searchVsBareFts: Math.min(oneWord.ratio, phraseFigures.ratio),
    };
  } finally {
    agent.destroy();
    bare.close();
    await server.stop();
  }
}

/** The phase's rows of the bench's markdown table (its columns: Switchboard, bare baseline, ratio). */
export function searchRows(r: SearchBench, goal: number): string[] {
  const ms = (x: Latency) => `${x.p50} / ${x.p99}`;
  const ratio = `**${r.searchVsBareFts.toFixed(2)}** (goal ≥ ${goal.toFixed(2)}: ${r.searchVsBareFts >= goal ? 'met' : 'not met'}; bare p50 ÷ Switchboard p50, the lower of the two queries)`;
  return [
    `| **(search) p50 / p99 (ms)**, one word "${r.oneWord.text}" (${r.oneWord.matches.toLocaleString('en-US')} of ${r.messages.toLocaleString('en-US')} messages; bare: the same query on the FTS5 index with better-sqlite3) | ${ms(r.oneWord.switchboard)} | ${ms(r.oneWord.bareFts)} | ${ratio} |`,
    `| (search) phrase ${r.phrase.text} (${r.phrase.matches.toLocaleString('en-US')} matches) p50 / p99 (ms) | ${ms(r.phrase.switchboard)} | ${ms(r.phrase.bareFts)} | ${r.phrase.ratio.toFixed(2)} |`,
    `| (search) ${r.messages.toLocaleString('en-US')} messages: inserted (s); indexed by migration 0018's backfill (s); database (MiB) | ${r.insertSeconds}; ${r.backfillSeconds}; ${r.databaseMiB} | | |`,
  ];
}
