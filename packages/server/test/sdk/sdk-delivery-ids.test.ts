/**
 * @switchboard/sdk: delivery ids and the receiver the manifest expects.
 *
 * * Socket mode is at least once (docs/delivery.md §2.7): an event frame that comes again under the
 *   same `correlation_id` — on the same socket, or on the next one after a drop — reaches the
 *   listeners once; a trigger that comes again is answered again. Played by a fake Switchboard (a
 *   handshake route and a WebSocket server), which can send the same frame twice at will.
 * * `ctx.deliveryId`: the frame's `correlation_id` in socket mode, the `webhook-id` header over
 *   HTTP, `meta.deliveryId` through `app.dispatch` (whose two-argument form still works).
 * * `RecentIds`, which both receivers deduplicate with: repeats within the time to live, the oldest
 *   forgotten first when full.
 * * Start-up: an HTTP receiver while the manifest says `socketMode: true` is warned about (nothing
 *   would arrive); a refused handshake of an app not in socket mode names both ways out.
 * * What the README says of posting, against a real server: a bot posts in public channels and in
 *   those it is a member of; a private channel it is not in answers 404 "Channel not found", like
 *   a channel that does not exist.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { http, startTestServer, tempDir, type TestServer } from '../support/helpers.js';

const sdk: any = await import(new URL('../../../sdk/src/index.ts', import.meta.url).href);
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const dir = tempDir('sb-sdk-ids-');
after(() => dir.remove());

async function until(check: () => boolean, ms = 5000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 20))) if (check()) return;
  assert.fail('timed out');
}
const settle = () => new Promise((r) => setTimeout(r, 150));

const event = (tx: string) => ({
  messageType: 'PUMBLE_EVENT',
  eventType: 'NEW_MESSAGE',
  workspaceId: 'w1',
  workspaceUserIds: ['u1'],
  body: JSON.stringify({ mId: `m_${tx}`, cId: 'c1', aId: 'u1', tx }),
});
const command = { messageType: 'SLASH_COMMAND', slashCommand: '/again', text: '', userId: 'u1', workspaceId: 'w1', channelId: 'c1', triggerId: 'tr1' };

/** A fake Switchboard for socket mode: the handshake, then sockets it can write frames to. */
class FakeSwitchboard {
  server: Server;
  wss: WebSocketServer;
  sockets: WebSocket[] = [];
  replies: any[] = [];
  refuse: number | undefined;
  url = '';

  constructor() {
    this.server = createServer((req, res) => {
      if (req.url?.startsWith('/apps/app1/websocket-connection')) {
        if (this.refuse) return void res.writeHead(this.refuse).end('{"message":"App is not in socket mode"}');
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ url: `${this.url.replace(/^http/, 'ws')}/ticket` }));
      } else res.writeHead(404).end();
    });
    this.wss = new WebSocketServer({ server: this.server });
    this.wss.on('connection', (ws) => {
      this.sockets.push(ws);
      ws.on('message', (data) => {
        const text = data.toString();
        if (text === 'ping') return void ws.send('pong');
        this.replies.push(JSON.parse(text));
      });
    });
  }
  async start(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  get live(): WebSocket {
    return this.sockets.filter((s) => s.readyState === 1).at(-1)!;
  }
  send(payload: unknown, correlationId: string, ws = this.live): void {
    ws.send(JSON.stringify({ payload, correlation_id: correlationId }));
  }
  async close(): Promise<void> {
    for (const s of this.sockets) s.terminate();
    this.wss.close();
    await new Promise((r) => this.server.close(r));
  }
}

describe('socket mode: an event delivered twice reaches the listeners once', () => {
  const fake = new FakeSwitchboard();
  let app: any;
  let receiver: any;
  const got: Array<{ tx: string; id: string | undefined }> = [];

  before(async () => {
    await fake.start();
    receiver = new sdk.SocketReceiver({ initialBackoffMs: 20, maxBackoffMs: 50 });
    app = new sdk.App({ url: fake.url, appId: 'app1', appKey: 'k', tokenStore: new sdk.MemoryTokenStore(), receiver, manifestPath: false, logger: quiet });
    app.event('NEW_MESSAGE', (ctx: any) => void got.push({ tx: ctx.body.tx, id: ctx.deliveryId }));
    app.command('/again', (ctx: any) => ctx.ack('again'));
    await app.start();
  });
  after(async () => {
    await app?.stop();
    await fake.close();
  });

  test('the same correlation_id twice on one socket, then again on the next socket after a drop: handled once, ctx.deliveryId = correlation_id', async () => {
    fake.send(event('one'), 'd1');
    fake.send(event('one'), 'd1');
    await until(() => got.length >= 1);
    // The socket dies (the server then sends what it wrote there again, to the next socket).
    const first = fake.live;
    first.terminate();
    await until(() => receiver.reconnects === 1 && fake.live !== undefined && fake.live !== first);
    fake.send(event('one'), 'd1');
    fake.send(event('two'), 'd2');
    await until(() => got.length >= 2);
    await settle();
    assert.deepEqual(got, [
      { tx: 'one', id: 'd1' },
      { tx: 'two', id: 'd2' },
    ]);
  });

  test('a trigger that comes twice is answered twice (triggers are not deduplicated)', async () => {
    fake.send(command, 't1');
    fake.send(command, 't1');
    await until(() => fake.replies.filter((r) => r.correlation_id === 't1').length === 2);
    assert.deepEqual(
      fake.replies.filter((r) => r.correlation_id === 't1').map((r) => [r.status, r.message]),
      [
        [200, 'again'],
        [200, 'again'],
      ],
    );
  });
});

test('a refused handshake of an app not in socket mode names both ways out: socketMode: true, or HTTP with NODE_ENV=production', async () => {
  const fake = new FakeSwitchboard();
  fake.refuse = 400;
  await fake.start();
  try {
    const app = new sdk.App({ url: fake.url, appId: 'app1', appKey: 'k', tokenStore: new sdk.MemoryTokenStore(), receiver: new sdk.SocketReceiver(), manifestPath: false, logger: quiet });
    await assert.rejects(app.start(), (err: any) => err instanceof sdk.HandshakeError && /set "socketMode": true/.test(err.message) && /NODE_ENV=production/.test(err.message));
  } finally {
    await fake.close();
  }
});

describe('HTTP: ctx.deliveryId is the webhook-id', () => {
  const secret = 'shh';
  let app: any;
  let receiver: any;
  const got: Array<{ tx: string; id: string | undefined }> = [];

  before(async () => {
    receiver = new sdk.HttpReceiver({ port: 0, host: '127.0.0.1' });
    app = new sdk.App({ url: 'http://127.0.0.1:1', appId: 'app1', appKey: 'k', signingSecret: secret, tokenStore: new sdk.MemoryTokenStore(), receiver, manifestPath: false, logger: quiet });
    app.event('NEW_MESSAGE', (ctx: any) => void got.push({ tx: ctx.body.tx, id: ctx.deliveryId }));
    await app.start();
  });
  after(() => app?.stop());

  const post = (body: string, id?: string) => {
    const ts = Date.now();
    const sec = Math.floor(ts / 1000);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'x-pumble-request-timestamp': String(ts),
      'x-pumble-request-signature': createHmac('sha256', secret).update(`${ts}:${body}`).digest('hex'),
    };
    if (id) {
      Object.assign(headers, {
        'webhook-id': id,
        'webhook-timestamp': String(sec),
        'webhook-signature': `v1,${createHmac('sha256', secret).update(`${id}.${sec}.${body}`).digest('base64')}`,
      });
    }
    return fetch(`${receiver.url}/hook`, { method: 'POST', headers, body });
  };

  test('signed with a webhook-id: handled once, with that id; without one (Pumble\'s signature only): undefined', async () => {
    const body = JSON.stringify(event('http'));
    assert.equal((await post(body, 'msg_abc')).status, 200);
    assert.equal((await post(body, 'msg_abc')).status, 200, 'a repeat is answered');
    assert.equal((await post(JSON.stringify(event('pumble')))).status, 200);
    await until(() => got.length >= 2);
    await settle();
    assert.deepEqual(got, [
      { tx: 'http', id: 'msg_abc' },
      { tx: 'pumble', id: undefined },
    ]);
  });
});

test('app.dispatch(envelope, reply) still works; its third argument gives ctx.deliveryId', async () => {
  const app = new sdk.App({ url: 'http://127.0.0.1:1', appId: 'a', appKey: 'k', tokenStore: new sdk.MemoryTokenStore(), manifestPath: false, logger: quiet });
  const ids: unknown[] = [];
  app.event('*', (ctx: any) => void ids.push(ctx.deliveryId));
  await app.dispatch(event('x'), () => {});
  await app.dispatch(event('y'), () => {}, { deliveryId: 'del_1' });
  assert.deepEqual(ids, [undefined, 'del_1']);
});

test('RecentIds: a repeat within the time to live; forgotten after it; the oldest go first when full', () => {
  const ids = new sdk.RecentIds({ ttlMs: 1000, max: 3 });
  assert.equal(ids.repeat('a', 0), false);
  assert.equal(ids.repeat('a', 500), true);
  assert.equal(ids.repeat('a', 1000), false, 'expired: new again');
  assert.equal(ids.repeat('b', 1001), false);
  assert.equal(ids.repeat('c', 1002), false);
  assert.equal(ids.repeat('d', 1003), false);
  assert.equal(ids.size, 3);
  assert.equal(ids.repeat('b', 1004), true, 'b is kept');
  assert.equal(ids.repeat('a', 1005), false, 'a, the oldest, was forgotten');
});

describe('start: the receiver against the manifest\'s socketMode', () => {
  const manifest = (socketMode: boolean) => ({
    name: 'm',
    displayName: 'M',
    bot: true,
    socketMode,
    scopes: { botScopes: [], userScopes: [] },
    slashCommands: [],
    shortcuts: [],
    eventSubscriptions: { url: socketMode ? '' : 'https://app.example/hook', events: [] },
    redirectUrls: [],
  });
  const start = async (socketMode: boolean, options: Record<string, unknown>) => {
    const path = join(dir.path, `manifest-${socketMode}.json`);
    writeFileSync(path, JSON.stringify(manifest(socketMode)));
    const warnings: string[] = [];
    const app = new sdk.App({ url: 'http://127.0.0.1:1', appId: 'app_9', appKey: 'k', signingSecret: 's', tokenStore: new sdk.MemoryTokenStore(), manifestPath: path, logger: { ...quiet, warn: (m: string) => warnings.push(m) }, ...options });
    await app.start();
    await app.stop();
    return warnings;
  };

  test('an HTTP receiver while the manifest says socketMode: true is warned about, chosen or by default (NODE_ENV=production)', async () => {
    const chosen = await start(true, { receiver: new sdk.HttpReceiver({ port: 0, host: '127.0.0.1' }) });
    assert.equal(chosen.length, 1, chosen.join('\n'));
    assert.match(
      chosen[0]!,
      /manifest-true\.json has socketMode: true, but this app listens over HTTP: Switchboard sends its events and triggers to a socket, not to PORT — nothing will arrive here\. Run it in socket mode \(SWITCHBOARD_SOCKET_MODE=1, .*\), or set "socketMode": false .*`switchboard apps update app_9 --manifest \S*manifest-true\.json`/,
    );
    const port = process.env.PORT;
    process.env.PORT = '0';
    try {
      const implicit = await start(true, { socketMode: false });
      assert.equal(implicit.length, 1, implicit.join('\n'));
      assert.match(implicit[0]!, /has socketMode: true, but this app listens over HTTP/);
    } finally {
      if (port === undefined) delete process.env.PORT;
      else process.env.PORT = port;
    }
  });

  test('HTTP with socketMode false, socket mode with socketMode true, a receiver of your own: nothing said', async () => {
    assert.deepEqual(await start(false, { receiver: new sdk.HttpReceiver({ port: 0, host: '127.0.0.1' }) }), []);
    const socket = new sdk.App({ url: 'http://127.0.0.1:1', appId: 'a', appKey: 'k', receiver: new sdk.SocketReceiver(), manifestPath: false, logger: quiet });
    assert.deepEqual(socket.checkManifest(manifest(true)), []);
    const own = new sdk.App({ url: 'http://127.0.0.1:1', appId: 'a', appKey: 'k', receiver: { start: async () => {}, stop: async () => {} }, manifestPath: false, logger: quiet });
    assert.deepEqual(own.checkManifest(manifest(true)), []);
  });
});

describe('posting as a bot (README, say)', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server?.close());

  test('a public channel: posted, member or not; a private channel the bot is not in: 404 "Channel not found", as for one that does not exist', async () => {
    const devToken = (await server.owner.post('/auth/developer-token')).body.token;
    const dev = (method: string, path: string, body?: unknown) =>
      http(server.url, method, `/workspaces/${server.workspaceId}/workspaceUsers/${server.ownerId}${path}`, { headers: { authtoken: devToken }, ...(body !== undefined && { body }) });
    const created = await dev('POST', '/apps', {
      name: 'poster',
      displayName: 'Poster',
      bot: true,
      socketMode: true,
      scopes: { botScopes: ['messages:write'], userScopes: [] },
      slashCommands: [],
      shortcuts: [],
      eventSubscriptions: { events: [] },
      redirectUrls: ['http://localhost:1/redirect'],
    });
    assert.equal(created.status, 200, created.text);
    const grant = await dev('GET', `/oauth2/grant?${new URLSearchParams({ clientId: created.body.id, scopes: 'bot:messages:write' })}`);
    assert.equal(grant.status, 200, grant.text);
    const form = new FormData();
    form.set('client-id', created.body.id);
    form.set('client-secret', created.body.clientSecret);
    form.set('code', grant.body.code);
    const tokens = (await (await fetch(`${server.url}/oauth2/access`, { method: 'POST', body: form })).json()) as { botToken: string };
    const bot = new sdk.SwitchboardClient({ baseUrl: server.url, token: tokens.botToken, appKey: created.body.appKey });

    const privateChannel = await server.owner.post('/v1/channels', { name: 'secret-room', type: 'PRIVATE' });
    assert.equal(privateChannel.status, 200, privateChannel.text);
    const notIn = await bot.messages.post(privateChannel.body.channel.id, 'hello?').catch((e: unknown) => e);
    const missing = await bot.messages.post(privateChannel.body.channel.id.replace(/.$/, (c: string) => (c === '0' ? '1' : '0')), 'hello?').catch((e: unknown) => e);
    for (const err of [notIn, missing]) {
      assert.ok(err instanceof sdk.SwitchboardApiError, String(err));
      assert.equal(err.status, 404);
      assert.equal(err.body?.message, 'Channel not found');
    }
    const publicChannel = await server.owner.post('/v1/channels', { name: 'open-room', type: 'PUBLIC' });
    assert.equal(publicChannel.status, 200, publicChannel.text);
    const posted = await bot.messages.post(publicChannel.body.channel.id, 'hello, open room');
    assert.equal(posted.text, 'hello, open room', 'a public channel the bot is not a member of');
  });
});
