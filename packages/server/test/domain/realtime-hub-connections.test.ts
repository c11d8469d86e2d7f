/**
 * What the hub gives a protocol beyond notices (docs/architecture.md §6), as socket mode uses it
 * (docs/app-platform.md §10): its own client frame limit, binary frames decoded as UTF-8, an idle
 * rule that counts pongs to the hub's pings, a handle to write to one connection, open/close hooks,
 * and refusing an upgrade with a status of its own. A real hub on a real HTTP server and bus.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import WebSocket from 'ws';
import { LocalBus } from '../../src/realtime/bus.js';
import { RealtimeHub, type RealtimeConnection, type RealtimeIdentity, type RealtimeProtocol } from '../../src/realtime/hub.js';
import { UpgradeRefused } from '../../src/realtime/protocol.js';

interface Id extends RealtimeIdentity {
  name: string;
}

const received: Array<{ path: string; name: string; data: string }> = [];
const conns = new Map<string, RealtimeConnection>();
const closed: string[] = [];

/** A protocol named by its path; `?name=` names the connection, `?name=full` is refused with 429. */
function protocol(path: string, extra: Partial<RealtimeProtocol<Id>>): RealtimeProtocol<Id> {
  return {
    path,
    async authenticate(_req, url) {
      const name = url.searchParams.get('name');
      if (name === 'full') throw new UpgradeRefused(429, 'Too Many Requests');
      return name ? { userId: `${path}:${name}`, name } : undefined;
    },
    render: () => undefined,
    onClientMessage: (identity, data, reply) => {
      received.push({ path, name: identity.name, data });
      if (data === 'ping') reply('pong');
    },
    opened: (identity, conn) => conns.set(identity.name, conn),
    closed: (identity) => closed.push(identity.name),
    ...extra,
  };
}

const IDLE_MS = 400;
let server: Server;
let hub: RealtimeHub;
let base: string;
const errors: unknown[] = [];
const log = { error: (obj: unknown) => errors.push(obj) } as unknown as FastifyBaseLogger;

before(async () => {
  server = createServer((_req, res) => res.writeHead(404).end());
  hub = new RealtimeHub({
    protocols: [protocol('/plain', {}), protocol('/apps', { acceptsBinary: true, maxFrameBytes: 256 * 1024, idleTimeoutMs: IDLE_MS })],
    bus: new LocalBus(),
    log,
    heartbeatMs: 100,
  });
  hub.attach(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  await hub.close();
  await new Promise((resolve) => server.close(resolve));
});

function open(path: string, name: string, opts: WebSocket.ClientOptions = {}): Promise<{ ws: WebSocket; frames: string[]; closed: Promise<{ code: number; reason: string }> }> {
  const ws = new WebSocket(`${base}${path}?name=${name}`, opts);
  const frames: string[] = [];
  ws.on('message', (d) => frames.push(d.toString()));
  const closedP = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, frames, closed: closedP }));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

const until = async (check: () => boolean, what: string) => {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(check(), what);
};

test('binary frames: decoded for a protocol that accepts them, dropped for one that does not; invalid UTF-8 dropped', async () => {
  const app = await open('/apps', 'bin');
  const plain = await open('/plain', 'bin');
  app.ws.send(Buffer.from(JSON.stringify({ correlation_id: 'c1', status: 200 })));
  app.ws.send(Buffer.from([0xc3, 0x28]));
  app.ws.send('text too');
  plain.ws.send(Buffer.from('binary to plain'));
  plain.ws.send('text to plain');
  await until(() => received.some((r) => r.data === 'text too') && received.some((r) => r.data === 'text to plain'), 'the text frames arrive');
  assert.deepEqual(received.filter((r) => r.name === 'bin').map((r) => [r.path, r.data]), [
    ['/apps', '{"correlation_id":"c1","status":200}'],
    ['/apps', 'text too'],
    ['/plain', 'text to plain'],
  ]);
  app.ws.close();
  plain.ws.close();
});

test("each protocol's own frame limit: 100 KiB passes where 256 KiB is allowed, closes with 1009 under the 64 KiB default", async () => {
  const big = 'x'.repeat(100 * 1024);
  const app = await open('/apps', 'big');
  app.ws.send(Buffer.from(big));
  await until(() => received.some((r) => r.name === 'big' && r.data.length === big.length), 'the big frame arrives');
  const plain = await open('/plain', 'big');
  plain.ws.send(big);
  assert.equal((await plain.closed).code, 1009);
  assert.ok(!received.some((r) => r.path === '/plain' && r.name === 'big'));
  app.ws.close();
});

test('the connection handle writes to that connection alone and resolves once written; open and close are told once each', async () => {
  const a = await open('/apps', 'handle-a');
  const b = await open('/apps', 'handle-b');
  await until(() => conns.has('handle-a') && conns.has('handle-b'), 'opened was called');
  await conns.get('handle-a')!.send('{"payload":{},"correlation_id":"x"}');
  await until(() => a.frames.length === 1, 'a got its frame');
  assert.deepEqual(a.frames, ['{"payload":{},"correlation_id":"x"}']);
  assert.deepEqual(b.frames, []);
  a.ws.close();
  await a.closed;
  await until(() => closed.includes('handle-a'), 'closed was called');
  await assert.rejects(conns.get('handle-a')!.send('late'), 'a closed connection refuses frames');
  conns.get('handle-b')!.close(4001, 'by the protocol');
  assert.deepEqual(await b.closed, { code: 4001, reason: 'by the protocol' });
  await until(() => closed.includes('handle-b'), 'closed was called');
  assert.equal(closed.filter((n) => n === 'handle-a' || n === 'handle-b').length, 2);
});

test('a protocol refuses an upgrade with its own status', async () => {
  await assert.rejects(open('/apps', 'full'), /upgrade refused: 429/);
  await assert.rejects(open('/apps', ''), /upgrade refused: 401/);
});

test('idle rule: a client that answers pings stays although it sends nothing; one that does not is closed 4000 idle', async () => {
  const quiet = await open('/apps', 'quiet');
  const deaf = await open('/apps', 'deaf', { autoPong: false });
  const chatty = await open('/apps', 'chatty', { autoPong: false });
  // The chatty one never pongs but keeps sending: frames count as activity too.
  const timer = setInterval(() => chatty.ws.send('ping'), IDLE_MS / 4);
  try {
    assert.deepEqual(await deaf.closed, { code: 4000, reason: 'idle' });
    // Three more idle periods: the others would have been cut by now if pongs or frames did not count.
    await new Promise((r) => setTimeout(r, IDLE_MS * 3));
    assert.equal(quiet.ws.readyState, WebSocket.OPEN);
    assert.equal(chatty.ws.readyState, WebSocket.OPEN);
    assert.ok(chatty.frames.every((f) => f === 'pong') && chatty.frames.length > 0);
  } finally {
    clearInterval(timer);
    quiet.ws.close();
    chatty.ws.close();
  }
  // A connection of a protocol without an idle rule is judged by one missed pong instead.
  const plainDeaf = await open('/plain', 'deaf', { autoPong: false });
  const code = (await plainDeaf.closed).code;
  assert.equal(code, 1006, 'terminated');
  assert.deepEqual(errors, []);
});
