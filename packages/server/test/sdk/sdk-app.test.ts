/**
 * @switchboard/sdk (issue 17) against a real server: every listener type over the socket receiver
 * and over the HTTP receiver, the OAuth redirect, signature refusals (bad signature, old
 * timestamp), a socket reconnect, 429 retries honouring Retry-After, the client's routes checked
 * against /openapi.json, and the block builders accepted by the server's validator.
 *
 * The SDK is loaded from its sources by path (packages/sdk is outside this package's tsconfig
 * rootDir, so it is imported dynamically and typed loosely here; its own tsconfig checks it).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Listener, http, startTestServer, tempDir, type TestServer } from '../support/helpers.js';
import { freePort } from '../support/process.js';

const sdk: any = await import(new URL('../../../sdk/src/index.ts', import.meta.url).href);
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

let server: TestServer;
let person: Listener;
let devToken: string;
const dir = tempDir('sb-sdk-');
const dev = (method: string, path: string, body?: unknown) =>
  http(server.url, method, `/workspaces/${server.workspaceId}/workspaceUsers/${server.ownerId}${path}`, { headers: { authtoken: devToken }, ...(body !== undefined && { body }) });

function manifest(mode: 'socket' | 'http', base: string) {
  const url = mode === 'http' ? `${base}/hook` : '';
  return {
    name: `sdk_${mode}`,
    displayName: `SDK ${mode}`,
    bot: true,
    socketMode: mode === 'socket',
    scopes: { botScopes: ['messages:read', 'messages:write', 'user:read', 'channels:write'], userScopes: ['messages:read'] },
    slashCommands: [{ command: `/sdk${mode}`, url, description: 'test' }],
    shortcuts: [
      { shortcutType: 'GLOBAL', url, name: `g_${mode}`, displayName: 'Global' },
      { shortcutType: 'ON_MESSAGE', url, name: `m_${mode}`, displayName: 'On message' },
    ],
    eventSubscriptions: { url, events: ['NEW_MESSAGE'] },
    blockInteraction: { url },
    viewAction: { url },
    dynamicMenus: [{ url, onAction: `pick_${mode}` }],
    redirectUrls: [`${mode === 'http' ? base : 'http://localhost:3001'}/redirect`],
  };
}

/** Every listener type wired to the same behaviour for either receiver. */
function wire(app: any, mode: string, seen: { events: any[]; closed: any[] }) {
  const { richText, actions, button, modal, input, plainTextInput, dynamicSelect, option } = sdk;
  app.command(`/sdk${mode}`, async (ctx: any) => {
    const what = ctx.text;
    if (what === 'nack') return ctx.nack(`nacked over ${mode}`);
    if (what === 'modal' || what === 'closeme') {
      return ctx.openModal(
        modal({
          callbackId: what === 'modal' ? `cb_${mode}` : `close_${mode}`,
          title: 'Tell me',
          submit: 'Send',
          notifyOnClose: true,
          blocks: [input('name', 'Name', plainTextInput('name')), input('who', 'Who', dynamicSelect(`pick_${mode}`, 'Pick'), { optional: true })],
        }),
      );
    }
    await ctx.ack(`acked over ${mode}`);
    const me = await ctx.client.users.get(ctx.userId);
    await ctx.say({ text: `Hello, ${me.name}! (${mode})`, blocks: [richText(`Hello, ${me.name}!`), actions(button('Click', `click_${mode}`, { value: `v_${mode}`, loadingTimeout: 10_000 }))] });
  });
  app.action(`click_${mode}`, async (ctx: any) => {
    await ctx.ack(`clicked ${ctx.value}`);
    await ctx.complete();
  });
  app.globalShortcut(`g_${mode}`, async (ctx: any) => {
    await ctx.ack();
    await ctx.sayEphemeral(`global shortcut over ${mode}`);
  });
  app.messageShortcut(`m_${mode}`, async (ctx: any) => {
    await ctx.ack();
    const m = await ctx.fetchMessage();
    await ctx.sayInThread(`thread reply to "${m?.text}" over ${mode}`);
  });
  app.dynamicMenu(`pick_${mode}`, async (ctx: any) => ctx.options([option(`Alpha ${ctx.query}`, 'a'), option('Beta', 'b')]));
  // A home-view button: no channel, so say() posts in the bot's DM with the person.
  app.action('go', async (ctx: any) => {
    await ctx.ack();
    await ctx.say(`from home over ${mode}`);
  });
  app.viewSubmission(`cb_${mode}`, async (ctx: any) => {
    const name = sdk.valueOf(ctx.view.state, 'name', 'name');
    if (name === 'bad') {
      const blocks = ctx.view.blocks.map((b: any) => (b.blockId === 'name' ? { ...b, validationError: 'not that name' } : b));
      return ctx.updateView({ ...ctx.view, blocks });
    }
    await ctx.ack();
    await ctx.say(`submitted ${name} over ${mode}`);
  });
  app.viewClosed(`close_${mode}`, async (ctx: any) => {
    seen.closed.push(ctx.payload);
    await ctx.ack();
  });
  app.event('NEW_MESSAGE', async (ctx: any) => {
    seen.events.push(ctx.body);
    if (ctx.body.tx === `thread me ${mode}`) await ctx.sayInThread(`event reply over ${mode}`);
  });
}

const message = (text: string, ms = 8000) => person.next((f) => f.type === 'message.created' && f.message.text === text, ms);
const ephemeral = (text: string, ms = 8000) => person.next((f) => f.type === 'message.ephemeral' && f.message.text === text, ms);
async function until(check: () => boolean, ms = 8000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) if (check()) return;
  assert.fail('timed out');
}

before(async () => {
  server = await startTestServer();
  devToken = (await server.owner.post('/auth/developer-token')).body.token;
  person = await Listener.connect(server.wsUrl, server.owner.token);
});

after(async () => {
  person?.close();
  await server?.close();
  dir.remove();
});

for (const mode of ['socket', 'http'] as const) {
  describe(`every listener over the ${mode} receiver`, () => {
    let app: any;
    let receiver: any;
    let created: any;
    const seen = { events: [] as any[], closed: [] as any[] };

    before(async () => {
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      const r = await dev('POST', '/apps', manifest(mode, base));
      assert.equal(r.status, 200, r.text);
      created = r.body;
      receiver = mode === 'socket' ? new sdk.SocketReceiver({ initialBackoffMs: 100 }) : new sdk.HttpReceiver({ port, host: '127.0.0.1' });
      app = new sdk.App({
        url: server.url,
        appId: created.id,
        appKey: created.appKey,
        clientSecret: created.clientSecret,
        signingSecret: created.signingSecret,
        tokenStore: new sdk.FileTokenStore(join(dir.path, `${mode}-tokens.json`)),
        receiver,
        logger: quiet,
      });
      wire(app, mode, seen);
      await app.start();
      const scopes = 'messages:read,bot:messages:read,bot:messages:write,bot:user:read,bot:channels:write';
      const grant = await dev('GET', `/oauth2/grant?${new URLSearchParams({ clientId: created.id, scopes, redirectUrl: manifest(mode, base).redirectUrls[0]!, state: 's1' })}`);
      assert.equal(grant.status, 200, grant.text);
      if (mode === 'http') {
        // The OAuth redirect: the browser lands on the app's /redirect, which exchanges the code.
        const landed = await fetch(grant.body.redirectUrl);
        assert.equal(landed.status, 200, await landed.text());
      } else {
        await app.completeOAuth(grant.body.code, 's1');
      }
      assert.ok(await app.tokenStore.getBotToken(server.workspaceId), 'the bot token is stored');
      assert.ok(await app.tokenStore.getUserToken(server.workspaceId, server.ownerId), 'the user token is stored');
    });

    after(async () => {
      await app?.stop();
    });

    test('slash command: ack with a message, then say() with blocks; nack', async () => {
      const sent = await server.owner.post(`/v1/channels/${server.generalId}/messages`, { text: `/sdk${mode} hi` });
      assert.equal(sent.status, 200, sent.text);
      await ephemeral(`acked over ${mode}`);
      const hello = await message(`Hello, Owner! (${mode})`.replace('Owner', (await server.owner.get(`/v1/workspaceUsers/${server.ownerId}`)).body.name));
      assert.equal(hello.message.blocks[1].type, 'actions');
      await server.owner.post(`/v1/channels/${server.generalId}/messages`, { text: `/sdk${mode} nack` });
      await ephemeral(`nacked over ${mode}`);
    });

    test('block action: ack with the value, complete() ends the loading state', async () => {
      const bot = await app.tokenStore.getBotUserId(server.workspaceId);
      const msg = person.frames.find((f) => f.type === 'message.created' && f.message.author === bot && f.message.text.endsWith(`(${mode})`)).message;
      const click = await server.owner.post('/v1/blockInteractions', { sourceType: 'MESSAGE', sourceId: msg.id, channelId: server.generalId, onAction: `click_${mode}` });
      assert.equal(click.status, 200, click.text);
      await ephemeral(`clicked v_${mode}`);
      const done = await person.next((f) => f.type === 'interaction.completed' && f.triggerId === click.body.triggerId, 8000);
      assert.equal(done.by, 'app');
    });

    test('global and message shortcuts: sayEphemeral, fetchMessage + sayInThread', async () => {
      const g = await server.owner.post('/v1/shortcuts', { appId: created.id, name: `g_${mode}`, channelId: server.generalId });
      assert.equal(g.status, 200, g.text);
      await ephemeral(`global shortcut over ${mode}`);
      const root = (await server.owner.post(`/v1/channels/${server.generalId}/messages`, { text: `root for ${mode}` })).body;
      const m = await server.owner.post('/v1/shortcuts', { appId: created.id, name: `m_${mode}`, channelId: server.generalId, messageId: root.id });
      assert.equal(m.status, 200, m.text);
      const reply = await message(`thread reply to "root for ${mode}" over ${mode}`);
      assert.equal(reply.message.threadReplyInfo?.rootId ?? reply.message.threadRootId, root.id);
    });

    test('modal: openModal, a dynamic menu, a submit refused with updateView, then accepted; viewClosed', async () => {
      await server.owner.post(`/v1/channels/${server.generalId}/messages`, { text: `/sdk${mode} modal` });
      const opened = (await person.next((f) => f.type === 'view.opened' && f.view.callbackId === `cb_${mode}`)).view;
      const menu = await server.owner.post('/v1/dynamicMenus/options', { sourceType: 'VIEW', sourceId: opened.id, onAction: `pick_${mode}`, query: 'x' });
      assert.equal(menu.status, 200, menu.text);
      assert.deepEqual(menu.body.options.map((o: any) => o.text.text), ['Alpha x', 'Beta']);
      const state = (name: string) => ({ values: { name: { name: { type: 'plain_text_input', value: name } } } });
      const bad = await server.owner.post(`/v1/views/${opened.id}/submit`, { state: state('bad') });
      assert.equal(bad.status, 200, bad.text);
      const updated = await person.next((f) => f.type === 'view.updated' && f.view.id === opened.id);
      assert.equal(updated.view.blocks[0].validationError, 'not that name');
      const good = await server.owner.post(`/v1/views/${opened.id}/submit`, { state: state('Zoe') });
      assert.equal(good.status, 200, good.text);
      await person.next((f) => f.type === 'view.closed' && f.viewId === opened.id || (f.type === 'view.closed' && f.view?.id === opened.id));
      await message(`submitted Zoe over ${mode}`);

      await server.owner.post(`/v1/channels/${server.generalId}/messages`, { text: `/sdk${mode} closeme` });
      const second = (await person.next((f) => f.type === 'view.opened' && f.view.callbackId === `close_${mode}`)).view;
      assert.equal((await server.owner.post(`/v1/views/${second.id}/close`)).status, 200);
      await until(() => seen.closed.length === 1);
      assert.equal(seen.closed[0].viewActionType, 'CLOSE');
    });

    test('event: NEW_MESSAGE arrives parsed; sayInThread from an event', async () => {
      const root = (await server.owner.post(`/v1/channels/${server.generalId}/messages`, { text: `thread me ${mode}` })).body;
      await until(() => seen.events.some((b) => b.mId === root.id));
      const reply = await message(`event reply over ${mode}`);
      assert.equal(reply.message.threadReplyInfo?.rootId ?? reply.message.threadRootId, root.id);
      const bot = await app.tokenStore.getBotUserId(server.workspaceId);
      assert.ok(!seen.events.some((b) => b.aId === bot), "the bot's own messages are filtered out by default");
    });

    test('publishHome with every builder; the server validates and stores it', async () => {
      const { section, actions, button, divider, header, context, input, plainTextInput, staticSelect, homeView } = sdk;
      const view = homeView({
        title: 'Home',
        blocks: [
          header('Welcome'),
          context('a smaller note'),
          section('Pick one', { accessory: staticSelect('pick_static', 'Choose', [['One', '1'], ['Two', '2']]) }),
          divider(),
          input('q', 'Question', plainTextInput('q', { placeholder: 'Ask', multiline: true })),
          actions(button('Go', 'go', { style: 'primary', value: 'x' })),
        ],
      });
      const client = new sdk.SwitchboardClient({ baseUrl: server.url, token: await app.tokenStore.getBotToken(server.workspaceId), appKey: created.appKey });
      await client.views.publishHome(server.ownerId, view);
      const home = await server.owner.get(`/v1/apps/${created.id}/homeView`);
      assert.equal(home.status, 200, home.text);
      assert.deepEqual(home.body.blocks.map((b: any) => b.type), ['rich_text', 'rich_text', 'section', 'divider', 'input', 'actions']);
    });

    test("a home-view button: say() posts in the bot's DM (channels:write is all it takes); without it, the error names the scope", async () => {
      const home = await server.owner.get(`/v1/apps/${created.id}/homeView`);
      assert.equal(home.status, 200, home.text);
      const click = await server.owner.post('/v1/blockInteractions', { sourceType: 'VIEW', sourceId: home.body.id, onAction: 'go' });
      assert.equal(click.status, 200, click.text);
      const said = await message(`from home over ${mode}`);
      const bot = await app.tokenStore.getBotUserId(server.workspaceId);
      const dm = (await server.owner.get('/v1/channels?types=DIRECT')).body.find((c: any) => c.channel.id === said.message.channelId);
      assert.ok(dm, 'posted in a DM of the owner');
      assert.deepEqual([...dm.users].sort(), [bot, server.ownerId].sort());

      // The app's user token holds only messages:read: in the bot's place, it may not open the DM.
      const userToken = await app.tokenStore.getUserToken(server.workspaceId, server.ownerId);
      const ctx = new sdk.TriggerContext({ workspaceId: server.workspaceId, userId: server.ownerId, triggerId: 't' }, { baseUrl: server.url, appKey: created.appKey, botToken: userToken, botUserId: bot }, quiet, () => {});
      await assert.rejects(ctx.say('never posted'), (err: any) => err instanceof sdk.SwitchboardApiError && err.status === 403 && /needs the bot scope channels:write/.test(err.message));
    });

    if (mode === 'socket') {
      test('socket: a dropped connection comes back (backoff), and triggers flow again', async () => {
        assert.equal(receiver.openSockets, 1);
        receiver.dropAll();
        await until(() => receiver.reconnects === 1 && receiver.openSockets === 1);
        await server.owner.post(`/v1/channels/${server.generalId}/messages`, { text: `/sdk${mode} nack` });
        await until(() => person.frames.filter((f) => f.type === 'message.ephemeral' && f.message.text === `nacked over ${mode}`).length === 2);
      });
    }

    if (mode === 'http') {
      test('http: a bad signature and an old timestamp are refused (403); a good one is accepted', async () => {
        const body = JSON.stringify({ messageType: 'PUMBLE_EVENT', eventType: 'NEW_MESSAGE', workspaceId: server.workspaceId, workspaceUserIds: [], body: JSON.stringify({ mId: 'x', tx: 'forged', aId: 'u' }) });
        const sign = (ts: number, secret = created.signingSecret, id = `msg_${ts}`) => {
          const sec = Math.floor(ts / 1000);
          return {
            'content-type': 'application/json',
            'x-pumble-request-timestamp': String(ts),
            'x-pumble-request-signature': createHmac('sha256', secret).update(`${ts}:${body}`).digest('hex'),
            'webhook-id': id,
            'webhook-timestamp': String(sec),
            'webhook-signature': `v1,${createHmac('sha256', secret).update(`${id}.${sec}.${body}`).digest('base64')}`,
          };
        };
        const post = (headers: Record<string, string>) => fetch(`${receiver.url}/hook`, { method: 'POST', headers, body });
        const wrong = await post(sign(Date.now(), 'not-the-secret'));
        assert.equal(wrong.status, 403);
        assert.equal(await wrong.text(), 'Invalid signature!');
        assert.equal((await post(sign(Date.now() - 6 * 60_000))).status, 403, 'six minutes old');
        const good = sign(Date.now());
        assert.equal((await post({ ...good, 'webhook-signature': 'v1,AAAA' })).status, 403, 'Pumble header right, Standard Webhooks wrong');
        assert.equal((await post({ 'content-type': 'application/json' })).status, 403, 'unsigned');
        const before = seen.events.length;
        assert.equal((await post(good)).status, 200);
        assert.equal((await post(good)).status, 200, 'a repeat is answered');
        await until(() => seen.events.length === before + 1);
        await new Promise((r) => setTimeout(r, 200));
        assert.equal(seen.events.length, before + 1, 'the same webhook-id is handled once');
      });
    }
  });
}

describe('the client', () => {
  test('every route it calls exists in the live /openapi.json', async () => {
    const doc = (await http(server.url, 'GET', '/openapi.json')).body;
    const missing = Object.entries(sdk.ROUTES as Record<string, [string, string]>).filter(([, [method, path]]) => !doc.paths[path]?.[method.toLowerCase()]);
    assert.deepEqual(missing, [], 'client routes missing from /openapi.json');
    // And the other way: every /v1 route an app may call (x-switchboard-scope other than 'people')
    // has its client method.
    const known = new Set(Object.values(sdk.ROUTES as Record<string, [string, string]>).map(([method, path]) => `${method} ${path}`));
    const uncovered = Object.entries(doc.paths as Record<string, Record<string, { 'x-switchboard-scope'?: string }>>).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([, op]) => op['x-switchboard-scope'] !== undefined && op['x-switchboard-scope'] !== 'people')
        .map(([method]) => `${method.toUpperCase()} ${path}`)
        .filter((k) => !known.has(k)),
    );
    assert.deepEqual(uncovered, [], 'app-callable /v1 routes the client does not cover');
  });

  test('a 429 is retried after Retry-After, then succeeds; a refusal throws SwitchboardApiError', async () => {
    let calls = 0;
    const stub = createServer((req, res) => {
      calls++;
      if (calls === 1) res.writeHead(429, { 'retry-after': '1', 'content-type': 'application/json' }).end('{"code":429000,"message":"slow down"}');
      else if (req.url === '/v1/workspace') res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"w","name":"W"}');
      else res.writeHead(403, { 'content-type': 'application/json' }).end('{"code":403000,"message":"Missing scope: users:list"}');
    });
    await new Promise<void>((r) => stub.listen(0, '127.0.0.1', () => r()));
    try {
      const client = new sdk.SwitchboardClient({ baseUrl: `http://127.0.0.1:${(stub.address() as AddressInfo).port}`, token: 't', appKey: 'k' });
      const started = Date.now();
      assert.deepEqual(await client.workspace.get(), { id: 'w', name: 'W' });
      assert.ok(Date.now() - started >= 950, 'waited for Retry-After');
      assert.equal(calls, 2);
      await assert.rejects(client.users.list(), (err: any) => err instanceof sdk.SwitchboardApiError && err.status === 403 && /Missing scope/.test(err.message));
    } finally {
      stub.close();
    }
  });

  test('verifiers: seconds or milliseconds, ±5 minutes, constant-time compare', () => {
    const body = '{"a":1}';
    const now = Date.now();
    for (const ts of [String(now), String(Math.floor(now / 1000))]) {
      const sig = sdk.pumbleSignature(ts, body, 'sec');
      assert.deepEqual(sdk.verifyPumble({ 'x-pumble-request-timestamp': ts, 'x-pumble-request-signature': sig }, body, 'sec', now), { ok: true });
    }
    const old = String(now - 301_000);
    assert.deepEqual(sdk.verifyPumble({ 'x-pumble-request-timestamp': old, 'x-pumble-request-signature': sdk.pumbleSignature(old, body, 'sec') }, body, 'sec', now), { ok: false, reason: 'stale-timestamp' });
    assert.deepEqual(sdk.verifyRequest({}, body, 'sec'), { ok: false, reason: 'missing-headers' });
  });
});
