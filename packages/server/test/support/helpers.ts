/**
 * Shared test helpers: real servers on loopback, real HTTP, real WebSocket clients, real
 * PostgreSQL and Redis when they run (and, with REQUIRE_SERVICES=1, a failure when they do not).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import WebSocket from 'ws';
import { loadConfig, type Config } from '../../src/config.js';
import { startSwitchboard, type Switchboard } from '../../src/server.js';

export const PG_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const REQUIRE_SERVICES = process.env.REQUIRE_SERVICES === '1';

export const OWNER = { email: 'owner@example.com', password: 'owner-password-1' };

// ---- services ----------------------------------------------------------------------------

async function reachable(check: () => Promise<void>): Promise<boolean> {
  try {
    await check();
    return true;
  } catch {
    return false;
  }
}

let pgUp: Promise<boolean> | undefined;
let redisUp: Promise<boolean> | undefined;

export function postgresAvailable(): Promise<boolean> {
  return (pgUp ??= reachable(async () => {
    const pg = await import('pg');
    const client = new pg.default.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
    await client.connect();
    await client.end();
  }));
}

export function redisAvailable(): Promise<boolean> {
  return (redisUp ??= reachable(async () => {
    const { Redis } = await import('ioredis');
    const r = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0, retryStrategy: () => null });
    await r.connect();
    await r.ping();
    r.disconnect();
  }));
}

/**
 * Skips the test when a service is down, or fails it under REQUIRE_SERVICES=1.
 * Returns false when the test must not go on.
 */
export async function needs(t: TestContext, ...services: Array<'postgres' | 'redis'>): Promise<boolean> {
  for (const s of services) {
    const up = s === 'postgres' ? await postgresAvailable() : await redisAvailable();
    if (up) continue;
    if (REQUIRE_SERVICES) throw new Error(`${s} is required (REQUIRE_SERVICES=1) but is not reachable`);
    t.skip(`${s} is not reachable`);
    return false;
  }
  return true;
}

/** A fresh PostgreSQL database for one test; dropped by the returned function. */
export async function freshPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const pg = await import('pg');
  const name = `sb_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.default.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      // Not WITH (FORCE): pg's Pool.end() resolves before its sockets have closed, and killing
      // those sessions would raise errors in the process that just closed them. Wait instead.
      const c = new pg.default.Client({ connectionString: PG_URL });
      await c.connect();
      try {
        for (let attempt = 0; ; attempt++) {
          try {
            await c.query(`DROP DATABASE IF EXISTS ${name}`);
            return;
          } catch (err) {
            if ((err as { code?: string }).code !== '55006' || attempt >= 50) throw err; // 55006: still in use
            await new Promise((r) => setTimeout(r, 100));
          }
        }
      } finally {
        await c.end();
      }
    },
  };
}

export function tempDir(prefix = 'sb-test-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

// ---- wrong values ----------------------------------------------------------------------------

// The alphabets our tokens, keys, secrets, codes and ids are drawn from.
const ALPHABETS = [
  '0123456789',
  '0123456789abcdef', // ids, hex digests
  '0123456789ABCDEF',
  '23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz', // Rocket.Chat Random.id (integration tokens)
  '0123456789ABCDEFGHJKMNPQRSTVWXYZ', // Crockford base32 (ULIDs)
  'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_', // base64url (session tokens, keys, JWTs)
  'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/',
];

/**
 * `s` with its last character changed, always, to another character that is valid in every alphabet
 * the original belongs to: the result is as well-formed as `s` (same length, same alphabet) and
 * certainly different, so a test reaches the "wrong token" path, never "malformed token". Replacing
 * the last character with a fixed one instead fails whenever the real value already ends with it.
 */
export function tamper(s: string): string {
  const last = s.at(-1);
  if (last === undefined) throw new Error('tamper: an empty string');
  const fits = ALPHABETS.filter((a) => a.includes(last));
  const other = fits[0] && [...fits[0]].find((c) => c !== last && fits.every((a) => a.includes(c)));
  if (!other) throw new Error(`tamper: no known alphabet holds ${JSON.stringify(last)}`);
  return s.slice(0, -1) + other;
}

// ---- servers ---------------------------------------------------------------------------------

export interface TestServer {
  sb: Switchboard;
  url: string;
  wsUrl: string;
  /** the bootstrap owner, logged in */
  owner: Client;
  ownerId: string;
  workspaceId: string;
  generalId: string;
  close(): Promise<void>;
}

/** An in-process server on 127.0.0.1 with a fresh SQLite file (or the given database). */
export async function startTestServer(overrides: Partial<Config> & { env?: NodeJS.ProcessEnv } = {}): Promise<TestServer> {
  const dir = tempDir();
  const { env, ...rest } = overrides;
  const config: Config = {
    // Receivers in tests listen on loopback (docs/delivery.md §9: test configurations allow it).
    ...loadConfig({ SWITCHBOARD_OUTBOUND_ALLOW_LOOPBACK: 'true', ...env }),
    port: 0,
    host: '127.0.0.1',
    databaseUrl: `sqlite:${join(dir.path, 'test.db')}`,
    dataDir: dir.path,
    logLevel: 'silent',
    admin: { email: OWNER.email, password: OWNER.password, workspaceName: 'Test Workspace' },
    ...rest,
  };
  const sb = await startSwitchboard(config);
  const owner = await login(sb.url, OWNER.email, OWNER.password);
  const channels = (await owner.get('/v1/channels')).body as Array<{ channel: { id: string; isMain: boolean } }>;
  const general = channels.find((c) => c.channel.isMain)!;
  return {
    sb,
    url: sb.url,
    wsUrl: sb.url.replace(/^http/, 'ws') + '/v1/realtime',
    owner,
    ownerId: owner.userId,
    workspaceId: owner.workspaceId,
    generalId: general.channel.id,
    async close() {
      await sb.close();
      dir.remove();
    },
  };
}

// ---- HTTP ---------------------------------------------------------------------------------------

export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export async function http(baseUrl: string, method: string, path: string, opts: { body?: unknown; headers?: Record<string, string>; raw?: string } = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...opts.headers };
  let body: string | undefined;
  if (opts.raw !== undefined) body = opts.raw;
  else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(baseUrl + path, { method, headers, ...(body !== undefined && { body }) });
  const text = await res.text();
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

/** A logged-in person calling the API with `Authorization: Bearer`. */
export class Client {
  /** set when the client logged in with a password */
  email?: string;
  password?: string;
  constructor(
    readonly baseUrl: string,
    readonly token: string,
    readonly userId: string,
    readonly workspaceId: string,
  ) {}
  private call(method: string, path: string, body?: unknown) {
    return http(this.baseUrl, method, path, { ...(body !== undefined && { body }), headers: { authorization: `Bearer ${this.token}` } });
  }
  get(path: string) {
    return this.call('GET', path);
  }
  post(path: string, body?: unknown) {
    return this.call('POST', path, body ?? {});
  }
  put(path: string, body?: unknown) {
    return this.call('PUT', path, body ?? {});
  }
  patch(path: string, body?: unknown) {
    return this.call('PATCH', path, body ?? {});
  }
  delete(path: string, body?: unknown) {
    return this.call('DELETE', path, body);
  }
}

export async function login(baseUrl: string, email: string, password: string): Promise<Client> {
  const r = await http(baseUrl, 'POST', '/auth/login', { body: { email, password } });
  if (r.status !== 200) throw new Error(`login of ${email} failed: ${r.status} ${r.text}`);
  const client = new Client(baseUrl, r.body.token, r.body.workspaceUserId, r.body.workspaceId);
  client.email = email;
  client.password = password;
  return client;
}

let userSeq = 0;
/** A public channel `admin` makes, with these people added: its id. */
export async function publicChannel(admin: Client, name: string, memberIds: readonly string[] = []): Promise<string> {
  const made = await admin.post('/v1/channels', { name, type: 'PUBLIC' });
  assert.equal(made.status, 200, made.text);
  const id = made.body.channel.id as string;
  if (memberIds.length > 0) {
    const added = await admin.post(`/v1/channels/${id}/users`, { userIds: memberIds });
    assert.equal(added.status, 200, added.text);
  }
  return id;
}

/** Creates a user through the API (as `admin`) and logs them in. */
export async function createUser(admin: Client, role: 'OWNER' | 'ADMIN' | 'MEMBER' | 'GUEST' = 'MEMBER', name?: string): Promise<Client> {
  const n = ++userSeq;
  const email = `user${n}-${randomBytes(3).toString('hex')}@example.com`;
  const password = `password-${n}-long`;
  const r = await admin.post('/v1/workspaceUsers', { email, name: name ?? `User ${n}`, password, role });
  if (r.status !== 200) throw new Error(`create user failed: ${r.status} ${r.text}`);
  return login(admin.baseUrl, email, password);
}

// ---- WebSocket ----------------------------------------------------------------------------------

/** A real WebSocket client that records every frame and can wait for one. */
export class Listener {
  readonly frames: any[] = [];
  private waiters: Array<{ match: (f: any) => boolean; resolve: (f: any) => void }> = [];
  closed: { code: number; reason: string } | undefined;
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString());
      this.frames.push(frame);
      this.waiters = this.waiters.filter((w) => (w.match(frame) ? (w.resolve(frame), false) : true));
    });
    ws.on('close', (code, reason) => (this.closed = { code, reason: reason.toString() }));
  }

  static async connect(wsUrl: string, token: string, how: 'header' | 'query' = 'header'): Promise<Listener> {
    const ws =
      how === 'header'
        ? new WebSocket(wsUrl, { headers: { authorization: `Bearer ${token}` } })
        : new WebSocket(`${wsUrl}?token=${encodeURIComponent(token)}`);
    const listener = new Listener(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    });
    await listener.next((f) => f.type === 'hello');
    return listener;
  }

  /** The first frame (already received or still to come) that matches, within `ms`. */
  next(match: (frame: any) => boolean, ms = 5000): Promise<any> {
    const seen = this.frames.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching frame within ${ms} ms; got ${JSON.stringify(this.frames.map((f) => f.type))}`)), ms);
      this.waiters.push({ match, resolve: (f) => (clearTimeout(timer), resolve(f)) });
    });
  }

  /** Waits a little and returns the frames that matched: for asserting that nothing arrived. */
  async quiet(match: (frame: any) => boolean, ms = 300): Promise<any[]> {
    await new Promise((r) => setTimeout(r, ms));
    return this.frames.filter(match);
  }

  closedWith(ms = 5000): Promise<{ code: number; reason: string }> {
    if (this.closed) return Promise.resolve(this.closed);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('socket did not close')), ms);
      this.ws.once('close', (code, reason) => (clearTimeout(timer), resolve({ code, reason: reason.toString() })));
    });
  }

  close(): void {
    this.ws.close();
  }
}
