/**
 * The conformance harness for interactive apps (issue 13 items 1–4, 7; docs/app-platform.md §7.2–§7.5,
 * §9.3–§9.5, §11.2): a test app answering exactly as a Pumble SDK app does (sdkAnswer), a person on
 * `/v1/realtime`, driven through a spawned server over real HTTP — modals opened, pushed, updated,
 * submitted and closed, refusals logged as failures, shortcuts, a dynamic menu, home views, loading
 * states, and a modal that survives `kill -9`.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Listener, createUser, http, login, tempDir, type Client } from '../support/helpers.js';
import { spawnServer, type ServerProcess } from '../support/process.js';
import { ReceivingApp, sdkAnswer, type Answer, type Received } from '../support/app-receiver.js';

const EXAMPLE = JSON.parse(readFileSync(new URL('../support/fixtures/example-manifest.json', import.meta.url), 'utf8'));
const text = (t: string) => ({ type: 'plain_text', text: t });

const dir = tempDir();
const env = {
  DATABASE_URL: `sqlite:${join(dir.path, 'v.db')}`,
  SWITCHBOARD_ADMIN_EMAIL: 'owner@views.example',
  SWITCHBOARD_ADMIN_PASSWORD: 'owner-password',
  SWITCHBOARD_OUTBOUND_ALLOW_LOOPBACK: 'true',
};
const appServer = new ReceivingApp();
let server: ServerProcess;
let owner: Client;
let alice: Client;
let general: string;
let appId: string;
let devToken: string;
let tokens: { botToken: string; accessToken: string; botId: string };
let appKey: string;
let clientSecret: string;
let ws: Listener;
/** What the app answers each trigger with; default: ack. */
let handler: (r: Received) => Answer | undefined = () => undefined;

const sdk = (token: string) => ({ token, 'x-app-token': appKey, 'User-Agent': 'pumble-sdk/1.0' });
const triggers = (type: string) => appServer.received.filter((r) => r.envelope.messageType === type);
const nextTrigger = (type: string, match: (e: any) => boolean = () => true, ms?: number) =>
  appServer.next((r) => r.envelope.messageType === type && match(r.envelope), ms);
const views = async () => (await owner.get('/v1/views')).body as { views: any[]; loading: any[] };

async function deliveryOf(triggerId: string) {
  for (let i = 0; i < 50; i++) {
    const log = await http(server.url, 'GET', `/workspaces/${owner.workspaceId}/workspaceUsers/${owner.userId}/apps/${appId}/deliveries?limit=200`, { headers: { authtoken: devToken } });
    const d = (log.body as any[]).find((x) => x.eventId === triggerId);
    if (d) return d;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no delivery for trigger ${triggerId}`);
}

async function command(text: string) {
  const r = await owner.post(`/v1/channels/${general}/messages`, { text });
  assert.equal(r.status, 200, r.text);
}

const modalA = {
  type: 'MODAL',
  callbackId: 'cb1',
  title: text('First'),
  submit: text('Go'),
  notifyOnClose: true,
  privateMetadata: 'pm-1',
  blocks: [
    { type: 'input', blockId: 'name', label: text('Name'), element: { type: 'plain_text_input', onAction: 'name', initial_value: 'Ann' } },
    { type: 'actions', blockId: 'acts', elements: [{ type: 'button', onAction: 'more', value: 'v-more', text: text('More') }] },
  ],
};
const pushed = (parentViewId: string, title: string) => ({
  type: 'MODAL',
  callbackId: '',
  parentViewId,
  title: { type: 'text', text: title },
  submit: { type: 'text', text: 'Save' },
  blocks: [
    { type: 'input', blockId: 'note', label: text('Note'), element: { type: 'plain_text_input', onAction: 'note' } },
    { type: 'actions', elements: [{ type: 'button', onAction: 'deeper', text: text('Deeper') }] },
  ],
});

before(async () => {
  await appServer.start();
  appServer.answer = (r) => handler(r) ?? sdkAnswer.ack();
  server = await spawnServer(env);
  owner = await login(server.url, 'owner@views.example', 'owner-password');
  alice = await createUser(owner, 'MEMBER', 'Alice');
  general = ((await owner.get('/v1/channels')).body as any[]).find((c) => c.channel.isMain).channel.id;
  devToken = (await owner.post('/auth/developer-token')).body.token;
  const u = appServer.url;
  const manifest = {
    ...EXAMPLE,
    offlineMessage: 'The views app is offline.',
    shortcuts: [
      { ...EXAMPLE.shortcuts[0], url: `${u}/shortcut` },
      { ...EXAMPLE.shortcuts[1], url: `${u}/shortcut` },
    ],
    slashCommands: [{ command: '/modal', url: `${u}/slash`, description: 'Opens a modal', usageHint: null }],
    eventSubscriptions: { url: `${u}/events`, events: ['APP_UNINSTALLED'] },
    blockInteraction: { url: `${u}/block` },
    viewAction: { url: `${u}/view` },
    dynamicMenus: [{ url: `${u}/menu`, onAction: 'pick_user' }],
    redirectUrls: [`${u}/redirect`],
  };
  const created = await http(server.url, 'POST', `/workspaces/${owner.workspaceId}/workspaceUsers/${owner.userId}/apps`, { body: manifest, headers: { authtoken: devToken } });
  assert.equal(created.status, 200, created.text);
  appId = created.body.id;
  appKey = created.body.appKey;
  clientSecret = created.body.clientSecret;
  appServer.signingSecret = created.body.signingSecret;
  const grant = await http(server.url, 'GET', `/workspaces/${owner.workspaceId}/workspaceUsers/${owner.userId}/oauth2/grant?${new URLSearchParams({ clientId: appId, scopes: 'messages:read,messages:write,bot:messages:read,bot:messages:write' })}`, { headers: { authtoken: devToken } });
  assert.equal(grant.status, 200, grant.text);
  const form = new FormData();
  form.set('client-id', appId);
  form.set('client-secret', created.body.clientSecret);
  form.set('code', grant.body.code);
  tokens = (await (await fetch(`${server.url}/oauth2/access`, { method: 'POST', body: form })).json()) as any;
  assert.ok(tokens.botToken && tokens.accessToken);
  ws = await Listener.connect(server.url.replace('http', 'ws') + '/v1/realtime', owner.token);
});

after(async () => {
  ws?.close();
  await server?.stop();
  await appServer.stop();
  dir.remove();
});

let viewA: any;
let view2: any;
let view3: any;

test('1–4: a command answered with OPEN opens a modal; a wrong triggerId, an invalid view and an INTEGRATION view are refused and logged as failures', async () => {
  handler = (r) => (r.envelope.messageType === 'SLASH_COMMAND' && r.envelope.text === 'open' ? sdkAnswer.view(r, modalA, 'OPEN') : undefined);
  await command('/modal open');
  const opened = await ws.next((f) => f.type === 'view.opened');
  viewA = opened.view;
  assert.equal(viewA.type, 'MODAL');
  assert.deepEqual(viewA.title, text('First'));
  assert.equal(viewA.depth, 1);
  assert.equal(viewA.channelId, general);
  assert.deepEqual(viewA.state, { values: { name: { name: { type: 'plain_text_input', value: 'Ann' } } } }, 'initial state from initial_value');
  assert.equal(viewA.privateMetadata, undefined, "the app's own keys are not sent to clients");
  const listed = await views();
  assert.deepEqual(listed.views.map((v) => v.id), [viewA.id]);
  const slash = await nextTrigger('SLASH_COMMAND', (e) => e.text === 'open');
  assert.equal((await deliveryOf(slash.envelope.triggerId)).status, 'succeeded');

  handler = (r) => (r.envelope.messageType === 'SLASH_COMMAND' && r.envelope.text === 'wrong' ? { status: 200, body: { triggerId: 'not-it', view: modalA, viewType: 'NATIVE', action: 'OPEN' } } : undefined);
  await command('/modal wrong');
  const wrong = await ws.next((f) => f.type === 'message.ephemeral' && /another trigger/.test(f.message.text));
  assert.equal(wrong.message.author, tokens.botId);
  const wrongTrigger = await nextTrigger('SLASH_COMMAND', (e) => e.text === 'wrong');
  const wrongLog = await deliveryOf(wrongTrigger.envelope.triggerId);
  assert.deepEqual([wrongLog.status, wrongLog.reason], ['failed', 'invalid-answer']);

  const tooMany = Array.from({ length: 101 }, (_, i) => ({ text: text(`o${i}`), value: `o${i}` }));
  const invalidView = { ...modalA, blocks: [{ type: 'input', blockId: 'pick', label: text('Pick'), element: { type: 'static_select_menu', onAction: 'pick', placeholder: text('…'), options: tooMany } }] };
  handler = (r) => (r.envelope.text === 'invalid' ? sdkAnswer.view(r, invalidView, 'OPEN') : undefined);
  await command('/modal invalid');
  await ws.next((f) => f.type === 'message.ephemeral' && f.message.text.includes('view.blocks[0].element.options'));
  const invalidTrigger = await nextTrigger('SLASH_COMMAND', (e) => e.text === 'invalid');
  const invalidLog = await deliveryOf(invalidTrigger.envelope.triggerId);
  assert.deepEqual([invalidLog.status, invalidLog.reason], ['failed', 'invalid-answer']);

  handler = (r) => (r.envelope.text === 'integration' ? { status: 200, body: { triggerId: r.envelope.triggerId, view: modalA, viewType: 'INTEGRATION', action: 'OPEN' } } : undefined);
  await command('/modal integration');
  await ws.next((f) => f.type === 'message.ephemeral' && f.message.text === 'This app requested a view Switchboard does not support.');
  assert.equal(ws.frames.filter((f) => f.type === 'view.opened').length, 1, 'no refused view reached the person');
  assert.deepEqual((await views()).views.map((v) => v.id), [viewA.id]);
});

test('5–6: a button in the modal reaches the app with the view and its state; UPDATE keeps the id; PUSH twice gives depth 3; a 4th is refused', async () => {
  handler = (r) => {
    const e = r.envelope;
    if (e.messageType !== 'BLOCK_INTERACTION' || e.sourceType !== 'VIEW') return undefined;
    if (e.onAction === 'more' && e.view.blocks.length === 2) return sdkAnswer.view(r, { ...e.view, blocks: [...e.view.blocks, { type: 'divider' }] }, 'UPDATE');
    return sdkAnswer.view(r, pushed(e.sourceId, `Level ${e.view.onAction ?? ''}`), 'PUSH');
  };
  const typed = { values: { name: { name: { type: 'plain_text_input', value: 'Bob' } } } };
  const click = await owner.post('/v1/blockInteractions', { sourceType: 'VIEW', sourceId: viewA.id, onAction: 'more', state: typed });
  assert.equal(click.status, 200, click.text);
  assert.equal(click.body.loadingTimeout, 0);
  const got = await nextTrigger('BLOCK_INTERACTION', (e) => e.triggerId === click.body.triggerId);
  const e = got.envelope;
  assert.deepEqual([e.sourceType, e.sourceId, e.actionType, e.payload, e.channelId, e.loadingTimeout], ['VIEW', viewA.id, 'BUTTON', '{"value":"v-more"}', general, 0]);
  assert.equal(e.view.id, viewA.id);
  assert.equal(e.view.callbackId, 'cb1');
  assert.equal(e.view.privateMetadata, 'pm-1', "the app's own keys come back to it");
  assert.deepEqual(e.view.state, typed);
  const updated = await ws.next((f) => f.type === 'view.updated' && f.view.id === viewA.id);
  assert.equal(updated.view.version, 2);
  assert.equal(updated.view.blocks.length, 3);
  assert.deepEqual(updated.view.state, typed, 'what the person typed survives the update');

  const push1 = await owner.post('/v1/blockInteractions', { sourceType: 'VIEW', sourceId: viewA.id, onAction: 'more' });
  assert.equal(push1.status, 200, push1.text);
  view2 = (await ws.next((f) => f.type === 'view.pushed' && f.view.depth === 2)).view;
  assert.equal(view2.parentViewId, viewA.id);
  assert.deepEqual(view2.submit, text('Save'), '"text" labels are stored as plain_text');
  await owner.post('/v1/blockInteractions', { sourceType: 'VIEW', sourceId: view2.id, onAction: 'deeper' });
  view3 = (await ws.next((f) => f.type === 'view.pushed' && f.view.depth === 3)).view;
  assert.equal(view3.parentViewId, view2.id);

  // An input without dispatchAction is read with the submit, not sent on its own (§7.3).
  const before = triggers('BLOCK_INTERACTION').length;
  const typing = await owner.post('/v1/blockInteractions', { sourceType: 'VIEW', sourceId: viewA.id, onAction: 'name', payload: { value: 'Bo' } });
  assert.equal(typing.status, 400, typing.text);
  assert.equal(typing.body.field, 'onAction');
  assert.equal(triggers('BLOCK_INTERACTION').length, before, 'no trigger for an input');

  const fourth = await owner.post('/v1/blockInteractions', { sourceType: 'VIEW', sourceId: view3.id, onAction: 'deeper' });
  await ws.next((f) => f.type === 'message.ephemeral' && /at most 3 modals/.test(f.message.text));
  const log = await deliveryOf(fourth.body.triggerId);
  assert.deepEqual([log.status, log.reason], ['failed', 'invalid-answer']);
  assert.deepEqual((await views()).views.map((v) => v.depth), [1, 2, 3]);
});

test("another person cannot reach the owner's modals: 404 on submit, close, interactions and menus; their list omits them", async () => {
  const sent = appServer.received.length;
  const foreign = [
    await alice.post(`/v1/views/${view3.id}/submit`, { state: { values: { note: { note: { type: 'plain_text_input', value: 'mine' } } } } }),
    await alice.post(`/v1/views/${viewA.id}/close`),
    await alice.post('/v1/blockInteractions', { sourceType: 'VIEW', sourceId: viewA.id, onAction: 'more' }),
    await alice.post('/v1/dynamicMenus/options', { sourceType: 'VIEW', sourceId: viewA.id, onAction: 'pick_user', query: 'al' }),
  ];
  assert.deepEqual(foreign.map((r) => r.status), [404, 404, 404, 404], foreign.map((r) => r.text).join('\n'));
  const listed = (await alice.get('/v1/views')).body;
  assert.deepEqual([listed.views, listed.loading], [[], []]);
  assert.equal(appServer.received.length, sent, 'nothing reached the app');
  assert.deepEqual((await views()).views.map((v) => v.id), [viewA.id, view2.id, view3.id], "the owner's stack is untouched");
});

test('7, 8, 10: submit with a validation error, then ack closes; a nack shows a banner; an empty required input is a 400 and nothing is sent', async () => {
  const before = triggers('VIEW_ACTION').length;
  const empty = await owner.post(`/v1/views/${view2.id}/submit`, { state: { values: {} } });
  assert.equal(empty.status, 409, 'only the top modal can be submitted');
  const missing = await owner.post(`/v1/views/${view3.id}/submit`, { state: { values: {} } });
  assert.equal(missing.status, 400, missing.text);
  assert.equal(missing.body.field, 'state.values.note.note');
  assert.equal(triggers('VIEW_ACTION').length, before, 'no VIEW_ACTION for an invalid submit');

  handler = (r) => {
    const e = r.envelope;
    if (e.messageType !== 'VIEW_ACTION' || e.viewActionType !== 'SUBMIT') return undefined;
    const note = e.view.state.values.note?.note?.value;
    if (note === 'x') {
      const blocks = e.view.blocks.map((b: any) => (b.blockId === 'note' ? { ...b, validationError: 'Too short' } : b));
      return sdkAnswer.view(r, { ...e.view, blocks }, 'UPDATE');
    }
    if (e.view.id === view2.id) return sdkAnswer.nack('Nope');
    return sdkAnswer.ack();
  };
  const first = await owner.post(`/v1/views/${view3.id}/submit`, { state: { values: { note: { note: { type: 'plain_text_input', value: 'x' } } } } });
  assert.equal(first.status, 200, first.text);
  const submit = await nextTrigger('VIEW_ACTION', (e) => e.view.id === view3.id);
  assert.deepEqual([submit.envelope.viewActionType, submit.envelope.view.callbackId, submit.envelope.view.parentViewId, submit.envelope.channelId], ['SUBMIT', '', view2.id, general]);
  const invalid = await ws.next((f) => f.type === 'view.updated' && f.view.id === view3.id);
  assert.equal(invalid.view.blocks[0].validationError, 'Too short');
  assert.equal(invalid.view.state.values.note.note.value, 'x', 'the typed value is kept');

  await owner.post(`/v1/views/${view3.id}/submit`, { state: { values: { note: { note: { type: 'plain_text_input', value: 'longer' } } } } });
  const closed = await ws.next((f) => f.type === 'view.closed' && f.viewId === view3.id);
  assert.equal(closed.reason, 'submitted');
  assert.deepEqual((await views()).views.map((v) => v.id), [viewA.id, view2.id], 'the parent is still open');

  await owner.post(`/v1/views/${view2.id}/submit`, { state: { values: { note: { note: { type: 'plain_text_input', value: 'hello' } } } } });
  const banner = await ws.next((f) => f.type === 'view.error' && f.viewId === view2.id);
  assert.equal(banner.message, 'Nope');
  assert.equal((await views()).views.length, 2, 'a nack leaves the modal open');
  // the banner is the only place it shows: no ephemeral copy behind the modal (it would follow the banner at once)
  const after = await owner.post(`/v1/channels/${general}/messages`, { text: 'after the nack' });
  await ws.next((f) => f.type === 'message.created' && f.message?.id === after.body.id);
  assert.equal(ws.frames.filter((f) => f.type === 'message.ephemeral' && f.message?.text === 'Nope').length, 0, 'no ephemeral copy of the banner');
});

test('9: closing a modal closes it and those above; CLOSE reaches the app only for notifyOnClose views', async () => {
  const r = await owner.post(`/v1/views/${viewA.id}/close`);
  assert.equal(r.status, 200, r.text);
  await ws.next((f) => f.type === 'view.closed' && f.viewId === view2.id && f.reason === 'closed');
  await ws.next((f) => f.type === 'view.closed' && f.viewId === viewA.id && f.reason === 'closed');
  const close = await nextTrigger('VIEW_ACTION', (e) => e.viewActionType === 'CLOSE');
  assert.equal(close.envelope.view.id, viewA.id);
  assert.equal(close.envelope.view.callbackId, 'cb1');
  // The stack closes top first, so view2's CLOSE would have come before viewA's.
  assert.equal(triggers('VIEW_ACTION').filter((x) => x.envelope.viewActionType === 'CLOSE' && x.envelope.view.id === view2.id).length, 0);
  assert.deepEqual((await views()).views, []);
  assert.equal((await owner.post(`/v1/views/${viewA.id}/close`)).status, 404);
});

let botMessage: any;

test('11: interactions must name an element of the source, with its type; an ephemeral message is clickable by its recipients only', async () => {
  const posted = await http(server.url, 'POST', `/v1/channels/${general}/messages`, {
    headers: sdk(tokens.botToken),
    body: {
      text: 'Approve?',
      blocks: [
        {
          type: 'actions',
          blockId: 'req',
          elements: [
            { type: 'button', onAction: 'approve', value: 'req-42', text: text('Approve') },
            { type: 'static_select_menu', onAction: 'sel', placeholder: text('Pick'), options: [{ text: text('A'), value: 'a' }] },
            { type: 'dynamic_select_menu', onAction: 'pick_user', placeholder: text('Who'), min_query_length: 2 },
            { type: 'button', onAction: 'slow', text: text('Slow'), loadingTimeout: 5000 },
            { type: 'button', onAction: 'quick', text: text('Quick'), loadingTimeout: 1000 },
          ],
        },
      ],
    },
  });
  assert.equal(posted.status, 200, posted.text);
  botMessage = posted.body;
  handler = () => undefined;
  const before = triggers('BLOCK_INTERACTION').length;
  const unknown = await owner.post('/v1/blockInteractions', { sourceType: 'MESSAGE', sourceId: botMessage.id, channelId: general, onAction: 'nope' });
  assert.equal(unknown.status, 400, unknown.text);
  assert.equal(unknown.body.field, 'onAction');
  const mismatch = await owner.post('/v1/blockInteractions', { sourceType: 'MESSAGE', sourceId: botMessage.id, channelId: general, onAction: 'approve', actionType: 'STATIC_SELECT_MENU' });
  assert.equal(mismatch.status, 400, mismatch.text);
  assert.equal(mismatch.body.field, 'actionType');
  const badOption = await owner.post('/v1/blockInteractions', { sourceType: 'MESSAGE', sourceId: botMessage.id, channelId: general, onAction: 'sel', payload: { value: 'zzz' } });
  assert.equal(badOption.status, 400, badOption.text);
  assert.equal(triggers('BLOCK_INTERACTION').length, before, 'no trigger for a refused interaction');

  const ok = await owner.post('/v1/blockInteractions', { sourceType: 'MESSAGE', sourceId: botMessage.id, channelId: general, onAction: 'approve', payload: { value: 'forged' } });
  assert.equal(ok.status, 200, ok.text);
  const got = await nextTrigger('BLOCK_INTERACTION', (e) => e.triggerId === ok.body.triggerId);
  assert.deepEqual([got.envelope.actionType, got.envelope.payload, got.envelope.sourceType], ['BUTTON', '{"value":"req-42"}', 'MESSAGE'], "a button's value is the element's own");
  const chose = await owner.post('/v1/blockInteractions', { sourceType: 'MESSAGE', sourceId: botMessage.id, channelId: general, onAction: 'sel', payload: { value: 'a' } });
  const sel = await nextTrigger('BLOCK_INTERACTION', (e) => e.triggerId === chose.body.triggerId);
  assert.deepEqual([sel.envelope.actionType, sel.envelope.payload], ['STATIC_SELECT_MENU', '{"value":"a"}']);

  const eph = await http(server.url, 'POST', `/v1/channels/${general}/messages`, {
    headers: sdk(tokens.botToken),
    body: { text: 'Just you', ephemeral: { sendToUsers: [owner.userId] }, blocks: [{ type: 'actions', elements: [{ type: 'button', onAction: 'mine', value: 'v', text: text('Mine') }] }] },
  });
  assert.equal(eph.status, 200, eph.text);
  const other = await alice.post('/v1/blockInteractions', { sourceType: 'EPHEMERAL_MESSAGE', sourceId: eph.body.id, channelId: general, onAction: 'mine' });
  assert.equal(other.status, 404, other.text);
  const mine = await owner.post('/v1/blockInteractions', { sourceType: 'EPHEMERAL_MESSAGE', sourceId: eph.body.id, channelId: general, onAction: 'mine' });
  assert.equal(mine.status, 200, mine.text);
  assert.equal((await nextTrigger('BLOCK_INTERACTION', (e) => e.triggerId === mine.body.triggerId)).envelope.sourceType, 'EPHEMERAL_MESSAGE');
});

test('12: global and message shortcuts; a message the person cannot see is 404; appActions lists them', async () => {
  const actions = (await owner.get('/v1/appActions')).body;
  const ours = actions.shortcuts.filter((s: any) => s.appId === appId).map((s: any) => `${s.shortcutType}:${s.name}`).sort();
  assert.deepEqual(ours, ['GLOBAL:global_shortcut', 'ON_MESSAGE:message_shortcut']);
  assert.ok(actions.slashCommands.some((c: any) => c.appId === appId && c.command === '/modal'));

  handler = (r) => (r.envelope.messageType === 'SHORTCUT' && r.envelope.type === 'GLOBAL' ? sdkAnswer.view(r, { ...modalA, callbackId: 'from-shortcut' }, 'OPEN') : undefined);
  const g = await owner.post('/v1/shortcuts', { appId, name: 'global_shortcut', channelId: general });
  assert.equal(g.status, 200, g.text);
  const gs = await nextTrigger('SHORTCUT', (e) => e.triggerId === g.body.triggerId);
  assert.deepEqual({ ...gs.envelope, triggerId: undefined }, { messageType: 'SHORTCUT', type: 'GLOBAL', shortcut: 'global_shortcut', userId: owner.userId, channelId: general, workspaceId: owner.workspaceId, triggerId: undefined });
  const opened = await ws.next((f) => f.type === 'view.opened' && f.view.callbackId === 'from-shortcut');
  await owner.post(`/v1/views/${opened.view.id}/close`);

  const m = await owner.post('/v1/shortcuts', { appId, name: 'message_shortcut', channelId: general, messageId: botMessage.id });
  assert.equal(m.status, 200, m.text);
  const ms = await nextTrigger('SHORTCUT', (e) => e.triggerId === m.body.triggerId);
  assert.deepEqual([ms.envelope.type, ms.envelope.messageId, ms.envelope.channelId], ['ON_MESSAGE', botMessage.id, general]);
  assert.equal((await owner.post('/v1/shortcuts', { appId, name: 'message_shortcut', channelId: general })).status, 400, 'a message shortcut needs its message');

  const secret = (await alice.post('/v1/channels', { name: 'alice-secret', type: 'PRIVATE' })).body;
  const hidden = (await alice.post(`/v1/channels/${secret.channel?.id ?? secret.id}/messages`, { text: 'private' })).body;
  const refused = await owner.post('/v1/shortcuts', { appId, name: 'message_shortcut', channelId: secret.channel?.id ?? secret.id, messageId: hidden.id });
  assert.equal(refused.status, 404, refused.text);
});

test('13: a dynamic menu: options, a nack, silence (3 s) and a query shorter than min_query_length', async () => {
  const ask = (query: string) => owner.post('/v1/dynamicMenus/options', { sourceType: 'MESSAGE', sourceId: botMessage.id, channelId: general, onAction: 'pick_user', query });
  const options = [{ text: text('Alice'), value: 'u-a' }];
  handler = (r) => {
    if (r.envelope.messageType !== 'DYNAMIC_MENU') return undefined;
    if (r.envelope.query === 'al') return sdkAnswer.options(r, options);
    if (r.envelope.query === 'no') return sdkAnswer.nack('No luck');
    return { status: 200, body: { onAction: r.envelope.onAction, options, triggerId: r.envelope.triggerId }, delayMs: 4000 };
  };
  const got = await ask('al');
  assert.equal(got.status, 200, got.text);
  assert.deepEqual(got.body, { options });
  const menu = await nextTrigger('DYNAMIC_MENU', (e) => e.query === 'al');
  assert.deepEqual([menu.path, menu.envelope.onAction, menu.envelope.sourceType, menu.envelope.sourceId], ['/menu', 'pick_user', 'MESSAGE', botMessage.id]);
  assert.deepEqual((await ask('no')).body, { options: [], message: 'No luck' });
  assert.deepEqual((await ask('slow')).body, { options: [] }, 'silence: no options');
  const count = triggers('DYNAMIC_MENU').length;
  assert.deepEqual((await ask('a')).body, { options: [] });
  assert.equal(triggers('DYNAMIC_MENU').length, count, 'a short query never reaches the app');
});

test('14–15: home views: the default, a bot publish pushed live, the token rules, 400 and the per-person limit; a home button pushes a modal', async () => {
  const def = await owner.get(`/v1/apps/${appId}/homeView`);
  assert.equal(def.status, 200, def.text);
  assert.equal(def.body.type, 'HOME');
  assert.equal(def.body.blocks[0].elements[0].elements[0].text, 'Welcome to My App!');
  const home = {
    title: text('Home'),
    blocks: [{ type: 'actions', elements: [{ type: 'button', onAction: 'home_btn', value: 'h', text: text('Info') }] }],
  };
  const notHers = [
    await alice.post('/v1/blockInteractions', { sourceType: 'VIEW', sourceId: def.body.id, onAction: 'home_btn' }),
    await alice.post('/v1/dynamicMenus/options', { sourceType: 'VIEW', sourceId: def.body.id, onAction: 'pick_user' }),
    await alice.post(`/v1/views/${def.body.id}/close`),
  ];
  assert.deepEqual(notHers.map((r) => r.status), [404, 404, 404], "the owner's home view does not exist for Alice");
  const pub = await http(server.url, 'POST', `/v1/app/homeView/workspaceUsers/${owner.userId}`, { headers: sdk(tokens.botToken), body: home });
  assert.equal(pub.status, 200, pub.text);
  const live = await ws.next((f) => f.type === 'view.updated' && f.view.type === 'HOME' && f.view.blocks[0]?.type === 'actions');
  assert.equal(live.view.id, def.body.id, 'the home view keeps its id');
  assert.equal((await owner.get(`/v1/apps/${appId}/homeView`)).body.blocks[0].type, 'actions');

  const foreign = await http(server.url, 'POST', `/v1/app/homeView/workspaceUsers/${alice.userId}`, { headers: sdk(tokens.accessToken), body: home });
  assert.equal(foreign.status, 403, foreign.text);
  const invalid = await http(server.url, 'POST', `/v1/app/homeView/workspaceUsers/${owner.userId}`, { headers: sdk(tokens.botToken), body: { blocks: [{ type: 'nope' }] } });
  assert.equal(invalid.status, 400, invalid.text);
  assert.equal(invalid.body.field, 'blocks[0]');

  const carol = await createUser(owner, 'MEMBER', 'Carol');
  for (let i = 0; i < 20; i++) {
    const r = await http(server.url, 'POST', `/v1/app/homeView/workspaceUsers/${carol.userId}`, { headers: sdk(tokens.botToken), body: home });
    assert.equal(r.status, 200, `publish ${i + 1}: ${r.text}`);
  }
  const limited = await http(server.url, 'POST', `/v1/app/homeView/workspaceUsers/${carol.userId}`, { headers: sdk(tokens.botToken), body: home });
  assert.equal(limited.status, 429, limited.text);
  assert.ok(Number(limited.headers.get('retry-after')) >= 1);
  assert.equal((await http(server.url, 'POST', `/v1/app/homeView/workspaceUsers/${alice.userId}`, { headers: sdk(tokens.botToken), body: home })).status, 200, 'another person has a limit of their own');

  handler = (r) => (r.envelope.messageType === 'BLOCK_INTERACTION' && r.envelope.onAction === 'home_btn' ? sdkAnswer.view(r, { ...pushed(r.envelope.sourceId, 'Info'), callbackId: 'info' }, 'PUSH') : undefined);
  const click = await owner.post('/v1/blockInteractions', { sourceType: 'VIEW', sourceId: def.body.id, onAction: 'home_btn' });
  assert.equal(click.status, 200, click.text);
  const trig = await nextTrigger('BLOCK_INTERACTION', (e) => e.triggerId === click.body.triggerId);
  assert.equal('channelId' in trig.envelope, false, 'no channel for a home view');
  assert.equal(trig.envelope.view.type, 'HOME');
  const info = await ws.next((f) => f.type === 'view.opened' && f.view.callbackId === 'info');
  assert.equal(info.view.depth, 1, 'a push from a home view starts a stack');
  await owner.post(`/v1/views/${info.view.id}/close`);
});

test("16: loading states: the app completes with the person's token (a bot token or another person's is 403); an uncompleted one times out", async () => {
  handler = () => undefined;
  // Alice's own user token of the app, to try on the owner's loading state.
  const aliceDev = (await alice.post('/auth/developer-token')).body.token;
  const aliceGrant = await http(server.url, 'GET', `/workspaces/${alice.workspaceId}/workspaceUsers/${alice.userId}/oauth2/grant?${new URLSearchParams({ clientId: appId, scopes: 'messages:read' })}`, { headers: { authtoken: aliceDev } });
  assert.equal(aliceGrant.status, 200, aliceGrant.text);
  const form = new FormData();
  form.set('client-id', appId);
  form.set('client-secret', clientSecret);
  form.set('code', aliceGrant.body.code);
  const aliceToken = ((await (await fetch(`${server.url}/oauth2/access`, { method: 'POST', body: form })).json()) as any).accessToken;
  assert.ok(aliceToken);

  const clickedFrom = Date.now();
  const click = await owner.post('/v1/blockInteractions', { sourceType: 'MESSAGE', sourceId: botMessage.id, channelId: general, onAction: 'slow' });
  const clickedBy = Date.now();
  assert.equal(click.status, 200, click.text);
  assert.equal(click.body.loadingTimeout, 5000);
  const loading = await ws.next((f) => f.type === 'interaction.loading' && f.triggerId === click.body.triggerId);
  assert.equal(loading.onAction, 'slow');
  // The server started it while the request was open: endsAt is that moment + the element's 5000 ms.
  assert.ok(loading.endsAt >= clickedFrom + 5000 && loading.endsAt <= clickedBy + 5000, `endsAt ${loading.endsAt} not within [${clickedFrom + 5000}, ${clickedBy + 5000}]`);
  const trig = await nextTrigger('BLOCK_INTERACTION', (e) => e.triggerId === click.body.triggerId);
  assert.equal(trig.envelope.loadingTimeout, 5000);
  assert.equal((await views()).loading.some((l) => l.triggerId === click.body.triggerId), true, 'listed while it runs');
  const body = { channelId: general, sourceType: 'MESSAGE', sourceId: botMessage.id, triggerId: trig.envelope.triggerId };
  const asBot = await http(server.url, 'POST', '/v1/interactions/complete', { headers: sdk(tokens.botToken), body });
  assert.equal(asBot.status, 403, asBot.text);
  const asAlice = await http(server.url, 'POST', '/v1/interactions/complete', { headers: sdk(aliceToken), body });
  assert.equal(asAlice.status, 403, asAlice.text);
  const done = await http(server.url, 'POST', '/v1/interactions/complete', { headers: sdk(tokens.accessToken), body });
  assert.equal(done.status, 200, done.text);
  assert.deepEqual(done.body, {});
  const completed = await ws.next((f) => f.type === 'interaction.completed' && f.triggerId === click.body.triggerId);
  assert.equal(completed.by, 'app');
  assert.equal((await http(server.url, 'POST', '/v1/interactions/complete', { headers: sdk(tokens.accessToken), body })).status, 200, 'completing twice is fine');
  assert.equal((await http(server.url, 'POST', '/v1/interactions/complete', { headers: sdk(tokens.accessToken), body: { ...body, triggerId: 'nope' } })).status, 404);
  assert.equal(ws.frames.filter((f) => f.type === 'interaction.completed' && f.triggerId === click.body.triggerId).length, 1, 'one end, once');

  const quick = await owner.post('/v1/blockInteractions', { sourceType: 'MESSAGE', sourceId: botMessage.id, channelId: general, onAction: 'quick' });
  const timedOut = await ws.next((f) => f.type === 'interaction.completed' && f.triggerId === quick.body.triggerId, 5000);
  assert.equal(timedOut.by, 'timeout');
});

test('17: an open modal survives kill -9 and can be submitted after the restart', async () => {
  handler = (r) => (r.envelope.text === 'durable' ? sdkAnswer.view(r, { ...modalA, callbackId: 'durable' }, 'OPEN') : undefined);
  await command('/modal durable');
  const opened = (await ws.next((f) => f.type === 'view.opened' && f.view.callbackId === 'durable')).view;
  ws.close();
  await server.stop('SIGKILL');
  server = await spawnServer(env);
  owner = await login(server.url, 'owner@views.example', 'owner-password');
  ws = await Listener.connect(server.url.replace('http', 'ws') + '/v1/realtime', owner.token);
  assert.deepEqual((await views()).views.map((v) => v.id), [opened.id]);
  handler = () => undefined;
  const r = await owner.post(`/v1/views/${opened.id}/submit`, { state: { values: { name: { name: { type: 'plain_text_input', value: 'After' } } } } });
  assert.equal(r.status, 200, r.text);
  const submit = await nextTrigger('VIEW_ACTION', (e) => e.view.id === opened.id && e.viewActionType === 'SUBMIT');
  assert.equal(submit.envelope.view.state.values.name.name.value, 'After');
  assert.equal((await ws.next((f) => f.type === 'view.closed' && f.viewId === opened.id)).reason, 'submitted');
});

test('18: a second submit of a view while the first is in flight is a 409 and sends nothing; once it settles, the view can be submitted again', async () => {
  handler = (r) => (r.envelope.text === 'twice' ? sdkAnswer.view(r, { ...modalA, callbackId: 'twice' }, 'OPEN') : undefined);
  await command('/modal twice');
  const opened = (await ws.next((f) => f.type === 'view.opened' && f.view.callbackId === 'twice')).view;
  // The app sits on the first SUBMIT until the 3-second rule cuts it (a failure: the banner).
  handler = (r) => (r.envelope.messageType === 'VIEW_ACTION' && r.envelope.view.id === opened.id ? 'hang' : undefined);
  const state = { values: { name: { name: { type: 'plain_text_input', value: 'Once' } } } };
  const first = await owner.post(`/v1/views/${opened.id}/submit`, { state });
  assert.equal(first.status, 200, first.text);
  await nextTrigger('VIEW_ACTION', (e) => e.view.id === opened.id);
  const second = await owner.post(`/v1/views/${opened.id}/submit`, { state });
  assert.equal(second.status, 409, second.text);
  const banner = await ws.next((f) => f.type === 'view.error' && f.viewId === opened.id, 6000);
  assert.match(banner.message, /offline/);
  assert.equal(triggers('VIEW_ACTION').filter((x) => x.envelope.view.id === opened.id).length, 1, 'one SUBMIT for two clicks');

  handler = () => undefined;
  const third = await owner.post(`/v1/views/${opened.id}/submit`, { state });
  assert.equal(third.status, 200, third.text);
  assert.equal((await ws.next((f) => f.type === 'view.closed' && f.viewId === opened.id)).reason, 'submitted');
});

test('19: a dynamic menu in a view gets the inputs as the person sees them (state sent with the request), as Slack block_suggestion does; an input that is not there is a 400', async () => {
  const home = {
    title: text('Home'),
    blocks: [
      { type: 'input', blockId: 'topic', label: text('Topic'), element: { type: 'plain_text_input', onAction: 'topic' } },
      { type: 'input', blockId: 'who', label: text('Who'), element: { type: 'dynamic_select_menu', onAction: 'pick_user', placeholder: text('Who') } },
    ],
  };
  const pub = await http(server.url, 'POST', `/v1/app/homeView/workspaceUsers/${owner.userId}`, { headers: sdk(tokens.botToken), body: home });
  assert.equal(pub.status, 200, pub.text);
  const view = (await owner.get(`/v1/apps/${appId}/homeView`)).body;
  handler = () => undefined;
  const typed = { values: { topic: { topic: { type: 'plain_text_input', value: 'billing' } } } };
  const asked = await owner.post('/v1/dynamicMenus/options', { sourceType: 'VIEW', sourceId: view.id, blockId: 'who', onAction: 'pick_user', query: 'st', state: typed });
  assert.equal(asked.status, 200, asked.text);
  const menu = await nextTrigger('DYNAMIC_MENU', (e) => e.query === 'st' && e.sourceId === view.id);
  assert.deepEqual(menu.envelope.view.state.values.topic, typed.values.topic, 'what the person typed, not the stored (empty) state');
  const wrong = await owner.post('/v1/dynamicMenus/options', { sourceType: 'VIEW', sourceId: view.id, blockId: 'who', onAction: 'pick_user', query: 'st', state: { values: { nope: { nope: { type: 'plain_text_input', value: 'x' } } } } });
  assert.equal(wrong.status, 400, wrong.text);
});
