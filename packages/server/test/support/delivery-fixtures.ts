/**
 * Shared by the delivery queue tests: receivers on 127.0.0.1 that record what they get and answer
 * as told, a database with the delivery tables on either engine, and a queue under a hand-moved clock.
 */
import { test, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { freshPostgresDatabase, needs, tempDir } from './helpers.js';
import { openDatabase, type DatabaseHandle } from '../../src/store/database.js';
// The delivery tables alone, as migration 0006 made them (the queue's tests need nothing else).
import { up as createDeliveryTables } from '../../src/store/migrations/0006-deliveries.js';
import { up as orderDueDeliveries } from '../../src/store/migrations/0030-deliveries-due-order.js';
import { DeliveryStore } from '../../src/store/delivery-store.js';
import { DeliveryQueue, type DeliveryQueueOptions } from '../../src/workers/delivery-queue.js';
import { outboundPolicy } from '../../src/domain/outbound-policy.js';
import { GuardedAgent } from '../../src/outbound/ssrf.js';
import { appRequestHeaders } from '../../src/outbound/signing.js';
import { newDeliveryId } from '../../src/domain/ids.js';
import type { NewDelivery } from '../../src/domain/ports/deliveries.js';

export const log = pino({ level: 'silent' });
export const SECRET = 'queue-test-signing-secret-ü';
export const T0 = Date.UTC(2030, 0, 1);
export const S = 1000;
export const MIN = 60 * S;
export const H = 60 * MIN;
export const DAY = 24 * H;

// ---- receivers ---------------------------------------------------------------------------------

export interface Hit {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}
export interface Answer {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  delayMs?: number;
  /** never answer (the client must time out) */
  hang?: boolean;
}
export interface Receiver {
  url: string;
  hits: Hit[];
  respond: (hit: Hit) => Answer;
  /** the most requests one path had open at once */
  maxOpen: Map<string, number>;
  close(): Promise<void>;
}

export const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

export async function receiver(respond: (hit: Hit) => Answer = () => ({ status: 200 })): Promise<Receiver> {
  const open = new Map<string, number>();
  const r: Receiver = { url: '', hits: [], respond, maxOpen: new Map(), close: async () => undefined };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const hit = { path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      r.hits.push(hit);
      const now = (open.get(hit.path) ?? 0) + 1;
      open.set(hit.path, now);
      r.maxOpen.set(hit.path, Math.max(now, r.maxOpen.get(hit.path) ?? 0));
      const answer = r.respond(hit);
      const finish = (out: ServerResponse) => {
        open.set(hit.path, open.get(hit.path)! - 1);
        out.writeHead(answer.status ?? 200, answer.headers).end(answer.body ?? '');
      };
      if (answer.hang) return void res.on('close', () => open.set(hit.path, open.get(hit.path)! - 1));
      if (answer.delayMs) setTimeout(() => finish(res), answer.delayMs);
      else finish(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  r.close = () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve())));
  cleanups.push(r.close);
  return r;
}

// ---- databases and queues ----------------------------------------------------------------------

export type EngineName = 'sqlite' | 'postgres';

export interface Setup {
  store: DeliveryStore;
  handle: DatabaseHandle;
  /** a second connection (pool) to the same database, as a second node would have */
  secondStore(): Promise<DeliveryStore>;
}

export async function setup(t: TestContext, engine: EngineName = 'sqlite'): Promise<Setup> {
  let url: string;
  if (engine === 'sqlite') {
    const dir = tempDir();
    cleanups.push(async () => dir.remove());
    url = `sqlite:${join(dir.path, 'deliveries.db')}`;
  } else {
    const pg = await freshPostgresDatabase();
    cleanups.push(() => pg.drop());
    url = pg.url;
  }
  const handle = await openDatabase(url);
  await createDeliveryTables(handle.db);
  await orderDueDeliveries(handle.db);
  const handles = [handle];
  t.after(() => Promise.all(handles.map((h) => h.close())));
  return {
    store: new DeliveryStore(handle.db, handle.engine),
    handle,
    async secondStore() {
      if (engine === 'sqlite') return new DeliveryStore(handle.db, handle.engine); // one writer: the same handle
      const h = await openDatabase(url);
      handles.unshift(h);
      return new DeliveryStore(h.db, h.engine);
    },
  };
}

/** Runs `body` once on SQLite and once on PostgreSQL (skipped when it is not running). */
export function onBothEngines(name: string, body: (t: TestContext, engine: EngineName) => Promise<void>): void {
  test(`${name} (SQLite)`, (t) => body(t, 'sqlite'));
  test(`${name} (PostgreSQL)`, async (t) => {
    if (!(await needs(t, 'postgres'))) return;
    await body(t, 'postgres');
  });
}

export const loopbackAgent = () => {
  const agent = new GuardedAgent({ policy: outboundPolicy({ allowLoopback: true }) });
  cleanups.push(() => agent.destroy());
  return agent;
};

/** A clock the test moves by hand. */
export function clock(start = T0) {
  const c = { now: start, fn: () => c.now };
  return c;
}

export function queue(store: DeliveryStore, c: { fn: () => number }, opts: Partial<DeliveryQueueOptions> = {}): DeliveryQueue {
  return new DeliveryQueue({
    store,
    agent: opts.agent ?? loopbackAgent(),
    sign: (d, now) => appRequestHeaders({ deliveryId: d.id, body: d.payload!, signingSecret: SECRET, now }),
    log,
    now: c.fn,
    random: () => 0.5, // jitter factor exactly 1 unless a test says otherwise
    ...opts,
  });
}

let eventSeq = 0;
export function delivery(endpointId: string, url: string, now: number, over: Partial<NewDelivery> = {}): NewDelivery {
  const eventId = `evt_${++eventSeq}`;
  return {
    id: newDeliveryId(now),
    class: 'event',
    endpointType: 'app',
    endpointId,
    url,
    eventType: 'NEW_MESSAGE',
    eventId,
    workspaceId: 'ws_1',
    payload: JSON.stringify({ messageType: 'PUMBLE_EVENT', body: { eventId, text: 'héllo ✓' } }),
    signingKeyRef: endpointId,
    now,
    ...over,
  };
}

export async function enqueue(store: DeliveryStore, d: NewDelivery): Promise<string> {
  const r = await store.enqueue(d);
  assert.equal(r.outcome, 'queued');
  return r.id;
}

export const ids = (hits: Hit[]) => hits.map((h) => h.headers['webhook-id']);
