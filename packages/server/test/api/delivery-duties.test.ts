/**
 * The delivery duties of docs/delivery.md §5, §7, §8 and docs/pumble-api.md §11.2 that reach people:
 * the app owner's DM from the Switchboard system bot when event deliveries are disabled or failing
 * (durable, told once, at most one "failing" notice a day per endpoint across restarts and nodes),
 * trigger attempts logged with the headers as sent (secrets redacted, one list for every class),
 * and a warning in the app's delivery log for a message whose invalid blocks were dropped.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createUser, freshPostgresDatabase, http, needs, startTestServer, type Client, type TestServer } from '../support/helpers.js';
import { ReceivingApp } from '../support/app-receiver.js';
import { subscribeApp } from '../support/event-app.js';
import { DAY, H, MIN, T0, clock, delivery, enqueue, onBothEngines, queue, receiver, setup } from '../support/delivery-fixtures.js';
import { up as createDeliveryNoticeTables } from '../../src/store/migrations/0013-delivery-notices.js';
import type {  DeliveryStore } from '../../src/store/delivery-store.js';
import type { OwnerNotices } from '../../src/workers/delivery-queue.js';
import { REDACTED_HEADERS, loggedHeaders } from '../../src/outbound/logged-headers.js';
import { SYSTEM_BOT_EMAIL } from '../../src/domain/apps/system-bot.js';
import type { DeliveryNotice } from '../../src/domain/ports/deliveries.js';

async function eventually<T>(what: string, probe: () => Promise<T | undefined | false>, ms = 8000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const got = await probe();
    if (got) return got;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The messages the Switchboard system bot sent `person` (in their DM), oldest first. */
async function systemDms(person: Client): Promise<Array<{ id: string; text: string; author: string }>> {
  const users = (await person.get('/v1/workspaceUsers')).body as Array<{ id: string; email: string }>;
  const bot = users.find((u) => u.email === SYSTEM_BOT_EMAIL);
  if (!bot) return [];
  const channels = (await person.get('/v1/channels')).body as Array<{ channel: { id: string; channelType: string }; users?: string[] }>;
  const dm = channels.find((c) => c.channel.channelType === 'DIRECT' && c.users?.includes(bot.id));
  if (!dm) return [];
  const page = (await person.get(`/v1/channels/${dm.channel.id}/messages`)).body as { messages: Array<{ id: string; text: string; author: string }> };
  return page.messages.filter((m) => m.author === bot.id).reverse();
}

async function devToken(person: Client): Promise<string> {
  return (await person.post('/auth/developer-token')).body.token as string;
}

// ---- (a) owner notices --------------------------------------------------------------------------

for (const engine of ['sqlite', 'postgres'] as const) {
  test(`410: event deliveries are disabled and the owner gets one DM from the system bot saying which app, why, and how to re-enable (${engine === 'sqlite' ? 'SQLite' : 'PostgreSQL'})`, async (t) => {
    if (engine === 'postgres' && !(await needs(t, 'postgres'))) return;
    const pg = engine === 'postgres' ? await freshPostgresDatabase() : undefined;
    const s = await startTestServer(pg ? { databaseUrl: pg.url } : {});
    const app = new ReceivingApp();
    await app.start();
    try {
      app.answer = () => ({ status: 410 });
      const { appId } = await subscribeApp(s.url, s.owner, app);
      await s.owner.post(`/v1/channels/${s.generalId}/messages`, { text: 'this event meets a 410' });
      await app.next((r) => r.envelope.messageType !== undefined);

      const dms = await eventually('the owner notice', async () => {
        const got = await systemDms(s.owner);
        return got.length > 0 && got;
      });
      assert.equal(dms.length, 1);
      const text = dms[0]!.text;
      assert.match(text, /Event deliveries to your app \*\*Event app\*\*/);
      assert.ok(text.includes(appId), 'names the app by id');
      assert.match(text, /410 Gone/, 'says why');
      assert.match(text, /Last error: HTTP 410 \(HTTP 410\)/, 'the last error and status');
      assert.ok(text.includes(`${app.url}/events`), 'names the endpoint');
      const base = `/workspaces/${s.workspaceId}/workspaceUsers/${s.ownerId}/apps/${appId}`;
      assert.ok(text.includes(`POST ${s.sb.publicUrl}${base}/events/enable`), 'how to re-enable');
      assert.ok(text.includes(`GET ${s.sb.publicUrl}${base}/deliveries`), 'where the delivery log is');

      // Told once: nothing waits, and housekeeping (on this or any node) sends nothing more.
      assert.deepEqual(await s.sb.store.deliveries.pendingNotices(Number.MAX_SAFE_INTEGER, ['app']), []);
      await s.sb.deliveryQueue.housekeeping();
      assert.equal((await systemDms(s.owner)).length, 1);

      // The bot is a bot, one per workspace, and cannot sign in.
      const bot = ((await s.owner.get('/v1/workspaceUsers')).body as any[]).filter((u) => u.email === SYSTEM_BOT_EMAIL);
      assert.equal(bot.length, 1);
      assert.equal(bot[0].name, 'Switchboard');
      assert.equal((await http(s.url, 'POST', '/auth/login', { body: { email: SYSTEM_BOT_EMAIL, password: 'anything-at-all' } })).status >= 400, true);

      // The DM's instructions work: re-enabled, the endpoint takes deliveries again.
      assert.equal((await s.sb.store.deliveries.endpoint(appId))!.disabled, true);
      const enabled = await http(s.url, 'POST', `${base}/events/enable`, { headers: { authtoken: await devToken(s.owner) } });
      assert.equal(enabled.status, 200, enabled.text);
      assert.equal((await s.sb.store.deliveries.endpoint(appId))!.disabled, false);
    } finally {
      await s.close();
      await app.stop();
      await pg?.drop();
    }
  });
}

async function eventApp(s: TestServer): Promise<{ appId: string; receiver: ReceivingApp }> {
  const receiver = new ReceivingApp();
  await receiver.start();
  const { appId } = await subscribeApp(s.url, s.owner, receiver);
  return { appId, receiver };
}

const noticeRow = (appId: string, id: string, over: Partial<Parameters<DeliveryStore['addNotice']>[0]> = {}) => ({
  id,
  endpointId: appId,
  endpointType: 'app' as const,
  kind: 'failing' as const,
  reason: 'exhausted',
  lastStatusCode: 500,
  lastError: 'HTTP 500',
  url: 'https://app.example/events',
  // written before a crash: old enough for housekeeping to hand it over again
  now: Date.now() - 2 * MIN,
  ...over,
});

test('a notice left behind by a crash is delivered by housekeeping, exactly once, even when two nodes try at once', async () => {
  const s = await startTestServer();
  const { appId, receiver } = await eventApp(s);
  try {
    const deliveries = s.sb.store.deliveries;
    // As if the process died between the commit that gave the delivery up and the DM.
    await deliveries.addNotice(noticeRow(appId, 'ntc_crash_1'));
    await s.sb.deliveryQueue.housekeeping();
    // (eventually: the queue's own housekeeping may have taken it a moment earlier)
    const dms = await eventually('the notice', async () => {
      const got = await systemDms(s.owner);
      return got.length > 0 && got;
    });
    assert.equal(dms.length, 1);
    assert.match(dms[0]!.text, /Deliveries of events to your app \*\*Event app\*\* .* are failing: a delivery was given up after its last retry/);
    assert.match(dms[0]!.text, /Last error: HTTP 500 \(HTTP 500\)/);
    assert.match(dms[0]!.text, /at most one such notice a day/);
    await s.sb.deliveryQueue.housekeeping();
    assert.equal((await systemDms(s.owner)).length, 1, 'not told twice');

    // Two nodes hand the same notice over at the same moment: one DM.
    const notice = await deliveries.addNotice(noticeRow(appId, 'ntc_race_1'));
    const outcomes = await Promise.all([s.sb.core.appNotices.deliver(notice), s.sb.core.appNotices.deliver(notice)]);
    assert.equal(outcomes.filter((o) => 'told' in o).length, 1, JSON.stringify(outcomes));
    assert.equal(outcomes.filter((o) => 'alreadyTold' in o).length, 1);
    assert.equal((await systemDms(s.owner)).length, 2);

    // A "disabled" notice for an endpoint re-enabled meanwhile is stale: dropped, not sent.
    const stale = await deliveries.addNotice(noticeRow(appId, 'ntc_stale_1', { kind: 'disabled', reason: 'http-410' }));
    assert.deepEqual(await s.sb.core.appNotices.deliver(stale), { dropped: 'the event subscription was re-enabled before the notice went out' });
    assert.equal((await systemDms(s.owner)).length, 2);
    assert.deepEqual(await deliveries.pendingNotices(Number.MAX_SAFE_INTEGER, ['app']), []);
  } finally {
    await s.close();
    await receiver.stop();
  }
});

test("when the app's owner is gone, the workspace's admins get the notice", async () => {
  const s = await startTestServer();
  const receiver = new ReceivingApp();
  await receiver.start();
  try {
    const developer = await createUser(s.owner, 'MEMBER', 'Dev');
    const admin = await createUser(s.owner, 'ADMIN', 'Admin');
    const { appId } = await subscribeApp(s.url, developer, receiver);
    await s.sb.store.updateUser(s.workspaceId, developer.userId, { status: 'DEACTIVATED' }, Date.now());
    await s.sb.store.deliveries.addNotice(noticeRow(appId, 'ntc_gone_1'));
    await s.sb.deliveryQueue.housekeeping();
    await eventually('the notice to the admins', async () => (await systemDms(s.owner)).length === 1 && (await systemDms(admin)).length === 1);
  } finally {
    await s.close();
    await receiver.stop();
  }
});

// The queue's side, under a hand-moved clock: notices are written in the deciding transaction.

function recordingNotices(store: DeliveryStore, told: DeliveryNotice[], fail?: () => boolean): OwnerNotices {
  return {
    endpointType: 'app',
    async deliver(n) {
      if (fail?.()) throw new Error('the chat database is unreachable');
      if (await store.takeNotice(n.id)) told.push(n);
    },
  };
}

// One attempt per delivery: each failure exhausts its delivery (§5's "deliveries are failing").
const giveUpAtOnce = { retrySchedule: () => ({ delaysMs: [], jitter: 0 }) };

onBothEngines('at most one "deliveries are failing" notice a day per endpoint, across restarts and nodes', async (t, engine) => {
  const { store, handle, secondStore } = await setup(t, engine);
  await createDeliveryNoticeTables(handle.db);
  const r = await receiver(() => ({ status: 500 }));
  const c = clock();
  const told: DeliveryNotice[] = [];

  const first = queue(store, c, { ...giveUpAtOnce, ownerNotices: [recordingNotices(store, told)] });
  for (let i = 0; i < 3; i++) await enqueue(store, delivery('app_failing', `${r.url}/events`, c.now));
  assert.equal(await first.runDue(), 3);
  await first.stop(); // waits for the notice being handed over
  assert.equal(told.length, 1, 'three deliveries given up, one notice');
  assert.deepEqual([told[0]!.kind, told[0]!.reason, told[0]!.lastStatusCode, told[0]!.lastError, told[0]!.url], ['failing', 'exhausted', 500, 'HTTP 500', `${r.url}/events`]);
  assert.equal((await store.endpoint('app_failing'))!.failingNoticeAt, T0, 'the day is counted in the endpoint row');

  // A restart, then another node with its own connection: still the same day, so no notice.
  c.now = T0 + 12 * H;
  const other = await secondStore();
  for (const s of [store, other]) {
    const q = queue(s, c, { ...giveUpAtOnce, ownerNotices: [recordingNotices(s, told)] });
    await enqueue(s, delivery('app_failing', `${r.url}/events`, c.now));
    assert.equal(await q.runDue(), 1);
    await q.stop();
  }
  assert.equal(told.length, 1);

  // A day later: one more.
  c.now = T0 + DAY;
  const later = queue(other, c, { ...giveUpAtOnce, ownerNotices: [recordingNotices(other, told)] });
  for (let i = 0; i < 2; i++) await enqueue(other, delivery('app_failing', `${r.url}/events`, c.now));
  await later.runDue();
  await later.stop();
  assert.equal(told.length, 2);
  assert.equal(told[1]!.createdAt, T0 + DAY);
});

onBothEngines('disable notices are written with the disable (410, auto-disable); one the owner could not be told is handed over by housekeeping', async (t, engine) => {
  const { store, handle } = await setup(t, engine);
  await createDeliveryNoticeTables(handle.db);
  const gone = await receiver(() => ({ status: 410 }));
  const sick = await receiver(() => ({ status: 503 }));
  const c = clock();
  const told: DeliveryNotice[] = [];
  let down = true;
  const q = queue(store, c, { ownerNotices: [recordingNotices(store, told, () => down)] });

  await enqueue(store, delivery('app_gone', `${gone.url}/events`, c.now));
  await q.runDue();
  await new Promise((resolve) => setImmediate(resolve));
  await q.stop().catch(() => undefined);
  assert.equal(told.length, 0, 'the DM failed (the chat side was down)');
  const waiting = await store.pendingNotices(Number.MAX_SAFE_INTEGER, ['app']);
  assert.deepEqual(waiting.map((n) => [n.endpointId, n.kind, n.reason, n.lastStatusCode]), [['app_gone', 'disabled', 'http-410', 410]]);

  // Housekeeping a minute later, the chat side back: told, once.
  down = false;
  c.now += 2 * MIN;
  const next = queue(store, c, { ownerNotices: [recordingNotices(store, told)] });
  await next.housekeeping();
  await next.housekeeping();
  assert.deepEqual(told.map((n) => [n.endpointId, n.kind, n.reason]), [['app_gone', 'disabled', 'http-410']]);

  // Auto-disable from the sweep (failures spread over 5 days) writes its notice too.
  for (const at of [0, 13 * H]) {
    c.now = T0 + 10 * DAY + at;
    await enqueue(store, delivery('app_sick', `${sick.url}/events`, c.now));
    await queue(store, c, giveUpAtOnce).runDue();
  }
  c.now = T0 + 15 * DAY;
  const sweeper = queue(store, c, { ownerNotices: [recordingNotices(store, told)] });
  await sweeper.housekeeping();
  await sweeper.stop();
  assert.deepEqual(told.slice(1).map((n) => [n.endpointId, n.kind, n.reason, n.lastStatusCode]), [['app_sick', 'disabled', 'sustained-failure', 503]]);

  // A notice that could never be told is given up after three days, not retried forever.
  await store.addNotice({ id: 'ntc_old', endpointId: 'app_x', endpointType: 'app', kind: 'failing', reason: 'exhausted', lastStatusCode: null, lastError: null, url: null, now: c.now - 4 * DAY });
  await queue(store, c, { ownerNotices: [recordingNotices(store, told, () => true)] }).housekeeping();
  assert.deepEqual(await store.pendingNotices(Number.MAX_SAFE_INTEGER, ['app']), []);
});

onBothEngines('a full backlog (§2.8) is told to the owner too, within the same once-a-day limit', async (t, engine) => {
  const { store, handle } = await setup(t, engine);
  await createDeliveryNoticeTables(handle.db);
  const c = clock();
  const opts = { backlogCap: 1, noticeOwnerEveryMs: DAY };
  assert.equal((await store.enqueue(delivery('app_full', 'https://app.example/events', c.now), opts)).outcome, 'queued');
  for (let i = 0; i < 3; i++) assert.equal((await store.enqueue(delivery('app_full', 'https://app.example/events', c.now), opts)).outcome, 'backlog-full');
  let waiting = await store.pendingNotices(Number.MAX_SAFE_INTEGER, ['app']);
  assert.deepEqual(waiting.map((n) => [n.endpointId, n.kind, n.reason]), [['app_full', 'failing', 'backlog-full']]);

  // Handed over by housekeeping (nothing else knows of it yet), once.
  const told: DeliveryNotice[] = [];
  c.now += 2 * MIN;
  await queue(store, c, { ownerNotices: [recordingNotices(store, told)] }).housekeeping();
  assert.equal(told.length, 1);
  c.now += H;
  await store.enqueue(delivery('app_full', 'https://app.example/events', c.now), opts);
  assert.deepEqual(await store.pendingNotices(Number.MAX_SAFE_INTEGER, ['app']), [], 'not again the same day');
  c.now = T0 + DAY;
  await store.enqueue(delivery('app_full', 'https://app.example/events', c.now), opts);
  waiting = await store.pendingNotices(Number.MAX_SAFE_INTEGER, ['app']);
  assert.equal(waiting.length, 1, 'a day later');
});

// ---- (b) trigger attempts log the headers as sent ------------------------------------------------

test('the redaction list is one for every class: credentials never reach the log, names are lower-cased', () => {
  assert.deepEqual([...REDACTED_HEADERS].sort(), ['authorization', 'cookie', 'proxy-authorization', 'x-app-token']);
  assert.deepEqual(loggedHeaders({ Authorization: 'Basic eDp5', 'X-App-Token': 'k', Cookie: 'a=b', 'Proxy-Authorization': 'p', 'Webhook-Id': 'msg_1' }), {
    authorization: '[redacted]',
    'x-app-token': '[redacted]',
    cookie: '[redacted]',
    'proxy-authorization': '[redacted]',
    'webhook-id': 'msg_1',
  });
});

test('a trigger attempt is logged with its request headers as sent: signatures, timestamps, attempt number; never the secret', async () => {
  const s = await startTestServer();
  const receiver = new ReceivingApp();
  await receiver.start();
  try {
    const token = await devToken(s.owner);
    const base = `/workspaces/${s.workspaceId}/workspaceUsers/${s.ownerId}/apps`;
    const manifest = {
      name: 'trigger_log',
      displayName: 'Trigger log',
      bot: true,
      scopes: { botScopes: ['messages:write'], userScopes: ['messages:read'] },
      shortcuts: [],
      slashCommands: [{ command: '/logme', url: `${receiver.url}/slash`, description: 'log me' }],
      eventSubscriptions: { url: `${receiver.url}/events`, events: [] },
      redirectUrls: [`${receiver.url}/redirect`],
    };
    const created = await http(s.url, 'POST', base, { body: manifest, headers: { authtoken: token } });
    assert.equal(created.status, 200, created.text);
    receiver.signingSecret = created.body.signingSecret;
    const grant = await http(s.url, 'GET', `/workspaces/${s.workspaceId}/workspaceUsers/${s.ownerId}/oauth2/grant?${new URLSearchParams({ clientId: created.body.id, scopes: 'messages:read,bot:messages:write' })}`, {
      headers: { authtoken: token },
    });
    assert.equal(grant.status, 200, grant.text);

    await s.owner.post(`/v1/channels/${s.generalId}/messages`, { text: '/logme now' });
    const got = await receiver.next((r) => r.envelope.messageType === 'SLASH_COMMAND');
    const trigger = await eventually('the trigger in the log', async () => {
      const log = (await http(s.url, 'GET', `${base}/${created.body.id}/deliveries`, { headers: { authtoken: token } })).body as any[];
      return log.find((d) => d.class === 'trigger');
    });
    const logged = trigger.attempts[0].requestHeaders as Record<string, string>;
    assert.equal(logged['webhook-id'], trigger.id);
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature', 'x-pumble-request-timestamp', 'x-pumble-request-signature', 'user-agent', 'content-type', 'switchboard-delivery-attempt']) {
      assert.equal(logged[name], got.headers[name], `${name} is logged as sent`);
    }
    assert.equal(logged['switchboard-delivery-attempt'], '1');
    assert.equal(logged['content-type'], 'application/json');
    assert.match(logged['user-agent']!, /^Switchboard\//);
    assert.ok(!JSON.stringify(trigger).includes(created.body.signingSecret), 'no secret in the log');
  } finally {
    await s.close();
    await receiver.stop();
  }
});

// ---- (c) dropped blocks leave a warning in the app's delivery log --------------------------------

test("an app's message with invalid blocks is posted without them, and a warning lands in the app's delivery log", async () => {
  const s = await startTestServer();
  try {
    const token = await devToken(s.owner);
    const base = `/workspaces/${s.workspaceId}/workspaceUsers/${s.ownerId}/apps`;
    const manifest = {
      name: 'block_writer',
      displayName: 'Block writer',
      bot: true,
      scopes: { botScopes: ['messages:write', 'messages:edit'], userScopes: ['messages:read'] },
      shortcuts: [],
      slashCommands: [],
      eventSubscriptions: { url: 'https://app.example/events', events: [] },
      redirectUrls: ['https://app.example/redirect'],
    };
    const created = await http(s.url, 'POST', base, { body: manifest, headers: { authtoken: token } });
    assert.equal(created.status, 200, created.text);
    const app = created.body;
    const grant = await http(s.url, 'GET', `/workspaces/${s.workspaceId}/workspaceUsers/${s.ownerId}/oauth2/grant?${new URLSearchParams({ clientId: app.id, scopes: 'messages:read,bot:messages:write,bot:messages:edit' })}`, {
      headers: { authtoken: token },
    });
    assert.equal(grant.status, 200, grant.text);
    const tokens = (await http(s.url, 'POST', '/oauth2/access', { body: { 'client-id': app.id, 'client-secret': app.clientSecret, code: grant.body.code } })).body;
    const asBot = (method: string, path: string, body: unknown) => http(s.url, method, path, { body, headers: { token: tokens.botToken, 'x-app-token': app.appKey } });

    const good = { type: 'rich_text', elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: 'kept' }] }] };
    const posted = await asBot('POST', `/v1/channels/${s.generalId}/messages`, { text: 'fallback text', blocks: [good, { type: 'bogus' }] });
    assert.equal(posted.status, 200, posted.text);
    assert.deepEqual(posted.body.blocks, [good], 'the valid block is kept, the invalid one dropped');
    assert.equal(posted.body.text, 'fallback text');

    const edited = await asBot('PUT', `/v1/channels/${s.generalId}/messages/${posted.body.id}`, { text: 'edited', blocks: [{ type: 'section', text: { type: 'plain_text', text: 'not in messages' } }, good, { type: 'nope' }] });
    assert.equal(edited.status, 200, edited.text);

    // People's messages have no app to warn.
    await s.owner.post(`/v1/channels/${s.generalId}/messages`, { text: 'by a person', blocks: [{ type: 'bogus' }] });

    const log = (await http(s.url, 'GET', `${base}/${app.id}/deliveries`, { headers: { authtoken: token } })).body as any[];
    const warnings = log.filter((d) => d.class === 'warning');
    assert.equal(warnings.length, 2, JSON.stringify(log));
    assert.equal(log.length, 2, 'nothing else was logged');
    const [onEdit, onPost] = warnings; // newest first
    for (const w of warnings) {
      assert.equal(w.eventType, 'MESSAGE_BLOCKS_DROPPED');
      assert.equal(w.status, 'failed');
      assert.equal(w.endpointId, app.id);
      assert.deepEqual(w.attempts, [], 'never sent');
    }
    assert.equal(onPost.url, `/v1/channels/${s.generalId}/messages`);
    assert.match(onPost.lastError, new RegExp(`invalid blocks dropped from message ${posted.body.id}: blocks\\[1\\]: unknown block type "bogus"`));
    const details = JSON.parse(onPost.payload);
    assert.equal(details.messageId, posted.body.id);
    assert.equal(details.channelId, s.generalId);
    assert.deepEqual(details.dropped, [{ field: 'blocks[1]', message: 'unknown block type "bogus"' }]);
    assert.equal(onEdit.url, `/v1/channels/${s.generalId}/messages/${posted.body.id}`);
    assert.equal(JSON.parse(onEdit.payload).edit, true);
    const editDropped = (JSON.parse(onEdit.payload).dropped as Array<{ field: string }>).map((d) => d.field);
    assert.ok(editDropped.some((f) => f.startsWith('blocks[0]')) && editDropped.some((f) => f.startsWith('blocks[2]')), editDropped.join());
    assert.deepEqual(edited.body.blocks, [good]);

    // A warning is not a delivery: it is never replayed or recovered (so never sent anywhere).
    const replay = await http(s.url, 'POST', `${base}/${app.id}/deliveries/${onPost.id}/replay`, { headers: { authtoken: token } });
    assert.equal(replay.status, 409, replay.text);
    const recover = await http(s.url, 'POST', `${base}/${app.id}/deliveries/recover`, { body: { since: 0, until: Date.now() + 1000 }, headers: { authtoken: token } });
    assert.deepEqual(recover.body, { requeued: 0 });
  } finally {
    await s.close();
  }
});
