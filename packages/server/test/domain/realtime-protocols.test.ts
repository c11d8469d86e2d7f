/**
 * The realtime seam (issue #12 item 5): the hub keeps connections, audiences, heartbeats and
 * backpressure; each protocol brings its path, authentication, greeting, frames and client
 * messages. Here a toy Mattermost-style protocol sits beside the Pumble `/v1/realtime` in one
 * real hub, on a real HTTP server and notice bus.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import WebSocket from 'ws';
import type { Notice } from '../../src/domain/events.js';
import type { User } from '../../src/domain/model.js';
import { hashToken } from '../../src/domain/secrets.js';
import { LocalBus } from '../../src/realtime/bus.js';
import { RealtimeHub, type RealtimeIdentity, type RealtimeProtocol } from '../../src/realtime/hub.js';
import { pumbleRealtimeProtocol, REALTIME_PATH } from '../../src/surfaces/pumble/v1/realtime-protocol.js';

const WORKSPACE = 'w1';
const user = (id: string): User => ({
  id,
  workspaceId: WORKSPACE,
  email: `${id}@example.com`,
  name: id,
  role: 'MEMBER',
  status: 'ACTIVATED',
  isBot: false,
  title: '',
  timeZone: 'UTC',
  locale: null,
  customStatus: null,
  username: id,
  extraRoles: [],
  createdAt: 0,
  updatedAt: 0,
});
const users = { alice: user('alice'), bob: user('bob'), carol: user('carol') };
/** Pumble session tokens: two for alice, one each for bob and carol. */
const pumbleTokens = new Map<string, User>([
  ['tok-alice-1', users.alice],
  ['tok-alice-2', users.alice],
  ['tok-bob', users.bob],
  ['tok-carol', users.carol],
]);

// The toy protocol: another path, a session cookie instead of a token, its own envelope.
const TOY_PATH = '/api/v4/websocket';
interface ToyIdentity extends RealtimeIdentity {
  session: string;
}
const toySessions = new Map<string, string>([
  ['mm-alice', 'alice'],
  ['mm-bob', 'bob'],
  ['mm-carol', 'carol'],
]);
const toyProtocol: RealtimeProtocol<ToyIdentity> = {
  path: TOY_PATH,
  async authenticate(req) {
    const session = /(?:^|;\s*)MMAUTHTOKEN=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    const userId = session && toySessions.get(session);
    return userId ? { userId, session } : undefined;
  },
  greeting: (identity) => JSON.stringify({ event: 'hello', data: { user_id: identity.userId } }),
  render(notice) {
    const e = notice.event;
    switch (e.type) {
      case 'reaction.added':
        return JSON.stringify({ event: 'reaction_added', data: { post_id: e.messageId, emoji_name: e.code.replace(/:/g, ''), user_id: e.userId }, broadcast: { team_id: notice.workspaceId, channel_id: e.channelId } });
      case 'user.updated':
        return JSON.stringify({ event: 'user_updated', data: { user_id: e.userId }, broadcast: { team_id: notice.workspaceId } });
      default:
        return undefined; // the toy protocol has no frame for the rest
    }
  },
  onClientMessage(_identity, data, reply) {
    const msg = JSON.parse(data) as { action?: string; seq?: number };
    if (msg.action === 'user_typing') reply(JSON.stringify({ status: 'OK', seq_reply: msg.seq }));
  },
  // Only "sign out everywhere" ends toy connections; one Pumble session's logout does not.
  closesOn: (notice, identity) =>
    notice.event.type === 'user.sessions_revoked' && notice.event.userId === identity.userId && notice.event.tokenHash === undefined
      ? { code: 4999, reason: 'toy: signed out' }
      : undefined,
};

/** Each protocol's render calls, by path: what it was asked to render, notice by notice. */
const renders = new Map<string, string[]>();
function counted<I extends RealtimeIdentity>(p: RealtimeProtocol<I>): RealtimeProtocol<I> {
  renders.set(p.path, []);
  return { ...p, render: (n) => (renders.get(p.path)!.push(n.event.type), p.render(n)) };
}

const errors: unknown[] = [];
const log = { error: (obj: unknown) => errors.push(obj) } as unknown as FastifyBaseLogger;

let server: Server;
let bus: LocalBus;
let hub: RealtimeHub;
let base: string;

before(async () => {
  server = createServer((_req, res) => res.writeHead(404).end());
  bus = new LocalBus();
  const pumble = pumbleRealtimeProtocol({ authenticate: async (token) => pumbleTokens.get(token) });
  hub = new RealtimeHub({ protocols: [counted(pumble), counted(toyProtocol)], bus, log });
  hub.attach(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  await hub.close();
  await new Promise((resolve) => server.close(resolve));
});

/** A WebSocket client of either protocol, keeping every text frame it receives (JSON). */
class Client {
  readonly frames: any[] = [];
  private waiters: Array<{ match: (f: any) => boolean; resolve: (f: any) => void }> = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString());
      this.frames.push(frame);
      this.waiters = this.waiters.filter((w) => (w.match(frame) ? (w.resolve(frame), false) : true));
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  static async open(path: string, headers: Record<string, string> = {}): Promise<Client> {
    const client = new Client(new WebSocket(base + path, { headers }));
    await new Promise<void>((resolve, reject) => {
      client.ws.once('open', () => resolve());
      client.ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
      client.ws.once('error', reject);
    });
    await client.next(() => true); // the greeting
    return client;
  }
  static pumble(token: string): Promise<Client> {
    return Client.open(REALTIME_PATH, { authorization: `Bearer ${token}` });
  }
  static toy(session: string): Promise<Client> {
    return Client.open(TOY_PATH, { cookie: `lang=en; MMAUTHTOKEN=${session}` });
  }

  next(match: (f: any) => boolean, ms = 5000): Promise<any> {
    const seen = this.frames.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching frame within ${ms} ms; got ${JSON.stringify(this.frames)}`)), ms);
      this.waiters.push({ match, resolve: (f) => (clearTimeout(timer), resolve(f)) });
    });
  }

  async close(): Promise<void> {
    this.ws.close();
    await this.closed;
  }
}

/** Server-side closes land a moment after the client sees its own: wait for the hub's count. */
async function connectionsSettleAt(n: number): Promise<void> {
  for (let i = 0; i < 200 && hub.openConnections !== n; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(hub.openConnections, n);
}

/** The status an upgrade is answered with (101 when it is accepted). */
function upgradeStatus(path: string, headers: Record<string, string> = {}): Promise<number> {
  const ws = new WebSocket(base + path, { headers });
  return new Promise((resolve) => {
    ws.on('unexpected-response', (_req, res) => (res.resume(), resolve(res.statusCode ?? 0)));
    ws.on('open', () => (ws.close(), resolve(101)));
    ws.on('error', () => undefined);
  });
}

const reaction = (audience: string[], messageId: string): Notice => ({
  workspaceId: WORKSPACE,
  audience,
  event: { type: 'reaction.added', channelId: 'c1', messageId, messageAuthorId: 'bob', userId: 'alice', code: ':eyes:' },
});
const userUpdated = (audience: string[], userId: string): Notice => ({
  workspaceId: WORKSPACE,
  audience,
  event: { type: 'user.updated', userId, user: user(userId) },
});

test('unknown paths get 404; each protocol authenticates its own way (401 otherwise)', async () => {
  for (const path of ['/', '/v1/realtime/', '/v1/realtimes', '/api/v4/websocket/x', '/v2/realtime']) {
    assert.equal(await upgradeStatus(path, { authorization: 'Bearer tok-alice-1', cookie: 'MMAUTHTOKEN=mm-alice' }), 404, path);
  }
  assert.equal(await upgradeStatus(REALTIME_PATH), 401);
  assert.equal(await upgradeStatus(REALTIME_PATH, { cookie: 'MMAUTHTOKEN=mm-alice' }), 401, "the toy protocol's session means nothing to /v1/realtime");
  assert.equal(await upgradeStatus(TOY_PATH), 401);
  assert.equal(await upgradeStatus(TOY_PATH, { authorization: 'Bearer tok-alice-1' }), 401, "a Pumble token means nothing to the toy protocol");
  assert.equal(await upgradeStatus(REALTIME_PATH, { authorization: 'Bearer tok-alice-1' }), 101);
  assert.equal(await upgradeStatus(`${REALTIME_PATH}?token=tok-bob`), 101);
  assert.equal(await upgradeStatus(TOY_PATH, { cookie: 'MMAUTHTOKEN=mm-bob' }), 101);
});

test('each protocol greets in its own words', async () => {
  const [p, t] = await Promise.all([Client.pumble('tok-alice-1'), Client.toy('mm-alice')]);
  assert.deepEqual(p.frames, [{ type: 'hello', workspaceId: WORKSPACE, workspaceUserId: 'alice' }]);
  assert.deepEqual(t.frames, [{ event: 'hello', data: { user_id: 'alice' } }]);
  await Promise.all([p.close(), t.close()]);
});

test("one notice reaches both protocols' clients, each in its own rendering, rendered once per protocol", async () => {
  // Alice holds three connections over two protocols; bob one toy connection.
  const [a1, a2, aToy, bToy] = await Promise.all([Client.pumble('tok-alice-1'), Client.pumble('tok-alice-2'), Client.toy('mm-alice'), Client.toy('mm-bob')]);
  for (const r of renders.values()) r.length = 0;

  bus.publish([reaction(['alice', 'bob'], 'm1')]);
  const pumbleFrame = { type: 'reaction.added', channelId: 'c1', messageId: 'm1', reaction: { user: 'alice', code: ':eyes:' }, workspaceId: WORKSPACE };
  const toyFrame = { event: 'reaction_added', data: { post_id: 'm1', emoji_name: 'eyes', user_id: 'alice' }, broadcast: { team_id: WORKSPACE, channel_id: 'c1' } };
  assert.deepEqual(await a1.next((f) => f.type === 'reaction.added'), pumbleFrame);
  assert.deepEqual(await a2.next((f) => f.type === 'reaction.added'), pumbleFrame);
  assert.deepEqual(await aToy.next((f) => f.event === 'reaction_added'), toyFrame);
  assert.deepEqual(await bToy.next((f) => f.event === 'reaction_added'), toyFrame);
  assert.deepEqual(renders.get(REALTIME_PATH), ['reaction.added'], 'rendered once for two Pumble connections');
  assert.deepEqual(renders.get(TOY_PATH), ['reaction.added'], 'rendered once for two toy connections of two users');

  // Bob has no Pumble connection: a notice for him alone is never rendered for Pumble.
  bus.publish([userUpdated(['bob'], 'bob')]);
  assert.deepEqual(await bToy.next((f) => f.event === 'user_updated'), { event: 'user_updated', data: { user_id: 'bob' }, broadcast: { team_id: WORKSPACE } });
  assert.deepEqual(renders.get(REALTIME_PATH), ['reaction.added']);
  assert.deepEqual(renders.get(TOY_PATH), ['reaction.added', 'user.updated']);
  await connectionsSettleAt(4);
  await Promise.all([a1, a2, aToy, bToy].map((c) => c.close()));
});

test('the audience rule holds on every protocol: nobody hears a notice not meant for them', async () => {
  const [a, aToy, c, cToy] = await Promise.all([Client.pumble('tok-alice-1'), Client.toy('mm-alice'), Client.pumble('tok-carol'), Client.toy('mm-carol')]);
  bus.publish([reaction(['alice'], 'secret'), reaction(['alice', 'carol'], 'shared')]);
  // Frames of one socket arrive in order: once carol has the second notice, the first would have come before it.
  await c.next((f) => f.messageId === 'shared');
  await cToy.next((f) => f.data?.post_id === 'shared');
  assert.deepEqual(c.frames.map((f) => f.messageId ?? f.type), ['hello', 'shared']);
  assert.deepEqual(cToy.frames.map((f) => f.data?.post_id ?? f.event), ['hello', 'shared']);
  await a.next((f) => f.messageId === 'shared');
  await aToy.next((f) => f.data?.post_id === 'shared');
  assert.deepEqual(a.frames.map((f) => f.messageId ?? f.type), ['hello', 'secret', 'shared']);
  assert.deepEqual(aToy.frames.map((f) => f.data?.post_id ?? f.event), ['hello', 'secret', 'shared']);

  // A notice one protocol renders to nothing: its clients get nothing, the other's get their frame.
  bus.publish([{ workspaceId: WORKSPACE, audience: ['alice', 'carol'], event: { type: 'member.left', channelId: 'c1', userId: 'carol', removedBy: null } }, userUpdated(['carol'], 'carol')]);
  await a.next((f) => f.type === 'member.left');
  await c.next((f) => f.type === 'user.updated');
  await cToy.next((f) => f.event === 'user_updated');
  assert.deepEqual(cToy.frames.map((f) => f.data?.post_id ?? f.event), ['hello', 'shared', 'user_updated'], 'no toy frame for member.left');
  await Promise.all([a, aToy, c, cToy].map((x) => x.close()));
});

test('client messages go to the protocol of their connection, and its reply to that connection only', async () => {
  const [p, t] = await Promise.all([Client.pumble('tok-bob'), Client.toy('mm-bob')]);
  p.ws.send(JSON.stringify({ type: 'ping' }));
  t.ws.send(JSON.stringify({ action: 'user_typing', seq: 7 }));
  assert.deepEqual(await p.next((f) => f.type === 'pong'), { type: 'pong' });
  assert.deepEqual(await t.next((f) => f.seq_reply === 7), { status: 'OK', seq_reply: 7 });
  // Each ignores the other's messages; a protocol that throws on a frame costs only that frame.
  p.ws.send(JSON.stringify({ action: 'user_typing', seq: 8 }));
  t.ws.send(JSON.stringify({ type: 'ping' }));
  t.ws.send('not json');
  p.ws.send(JSON.stringify({ type: 'ping' }));
  t.ws.send(JSON.stringify({ action: 'user_typing', seq: 9 }));
  await p.next((f) => f.type === 'pong' && p.frames.filter((g) => g.type === 'pong').length === 2);
  await t.next((f) => f.seq_reply === 9);
  assert.deepEqual(p.frames.map((f) => f.type), ['hello', 'pong', 'pong']);
  assert.deepEqual(t.frames.map((f) => f.event ?? f.seq_reply), ['hello', 7, 9]);
  assert.equal(errors.length, 1, "the toy protocol's throw on 'not json' was logged");
  errors.length = 0;
  await Promise.all([p.close(), t.close()]);
});

test('a revoked session closes what each protocol says it closes', async () => {
  const [a1, a2, aToy, bToy] = await Promise.all([Client.pumble('tok-alice-1'), Client.pumble('tok-alice-2'), Client.toy('mm-alice'), Client.toy('mm-bob')]);
  // One Pumble session logs out: only its connection ends.
  bus.publish([{ workspaceId: WORKSPACE, audience: ['alice'], event: { type: 'user.sessions_revoked', userId: 'alice', tokenHash: hashToken('tok-alice-1') } }]);
  assert.deepEqual(await a1.closed, { code: 4001, reason: 'session revoked' });
  bus.publish([reaction(['alice', 'bob'], 'after-logout')]);
  await a2.next((f) => f.messageId === 'after-logout');
  await aToy.next((f) => f.data?.post_id === 'after-logout');

  // Every session of alice: her connections on both protocols end, each with its protocol's code.
  bus.publish([{ workspaceId: WORKSPACE, audience: ['alice'], event: { type: 'user.sessions_revoked', userId: 'alice' } }]);
  assert.deepEqual(await a2.closed, { code: 4001, reason: 'session revoked' });
  assert.deepEqual(await aToy.closed, { code: 4999, reason: 'toy: signed out' });
  bus.publish([reaction(['alice', 'bob'], 'after-revoke')]);
  await bToy.next((f) => f.data?.post_id === 'after-revoke');
  assert.equal(bToy.ws.readyState, WebSocket.OPEN, "bob's connection is untouched");
  await connectionsSettleAt(1);
  await bToy.close();
  await connectionsSettleAt(0);
});

test('a protocol whose rendering throws costs only its own frames, never the publisher', async () => {
  const bus2 = new LocalBus();
  const server2 = createServer();
  const broken: RealtimeProtocol = { path: '/broken', authenticate: async () => ({ userId: 'alice' }), render: () => { throw new Error('boom'); } };
  const hub2 = new RealtimeHub({ protocols: [broken, pumbleRealtimeProtocol({ authenticate: async (token) => pumbleTokens.get(token) })], bus: bus2, log });
  hub2.attach(server2);
  await new Promise<void>((resolve) => server2.listen(0, '127.0.0.1', resolve));
  const url = `ws://127.0.0.1:${(server2.address() as AddressInfo).port}`;
  const b = new WebSocket(`${url}/broken`);
  await new Promise((resolve) => b.once('open', resolve));
  const p = new WebSocket(`${url}${REALTIME_PATH}?token=tok-alice-1`);
  const got = new Promise<any>((resolve) => p.on('message', (d) => { const f = JSON.parse(d.toString()); if (f.type === 'reaction.added') resolve(f); }));
  await new Promise((resolve) => p.once('open', resolve));
  assert.doesNotThrow(() => bus2.publish([reaction(['alice'], 'm2')]));
  assert.equal((await got).messageId, 'm2');
  assert.equal(errors.length, 1);
  errors.length = 0;
  await hub2.close();
  await new Promise((resolve) => server2.close(resolve));
});

test('two protocols cannot share a path', () => {
  assert.throws(() => new RealtimeHub({ protocols: [toyProtocol, { ...toyProtocol }], bus: new LocalBus(), log }), /two realtime protocols at \/api\/v4\/websocket/);
});
