/**
 * Rocket.Chat's end-to-end suite for outgoing integrations, ported (integrations.md §12.2), in its
 * order: stateful, each step flipping permissions the later ones rely on. Real HTTP throughout. The
 * integrations point at a local receiver that must never be called (no message is sent here).
 */
import { describe, test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { http, startTestServer, type TestServer } from './helpers.js';
import { rcCreateUser, rcHarness, rcLogin, setPermissions, type RcClient } from './rocketchat-client.js';

const FORBIDDEN = 'User does not have the permissions required for this action [error-unauthorized]';

let s: TestServer;
let admin: RcClient;
let receiver: Server;
let receiverUrl: string;
const calls: string[] = [];
let G: Record<string, unknown>;

before(async () => {
  receiver = createServer((req, res) => {
    calls.push(req.url ?? '/');
    res.writeHead(200).end();
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  const addr = receiver.address();
  receiverUrl = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  s = await startTestServer({ env: { HOOK_RATE_LIMITS: 'off' } });
  admin = (await rcHarness(s.url, s.generalId)).admin;
  // upstream: urls ['http://text2gif.guggy.com/guggify']; never called, so a local stand-in
  G = {
    type: 'webhook-outgoing',
    name: 'Guggy',
    enabled: true,
    username: 'rocket.cat',
    urls: [`${receiverUrl}/guggify`],
    scriptEnabled: false,
    channel: '#general',
    triggerWords: ['!guggy'],
    alias: 'guggy',
    avatar: 'http://res.guggy.com/logo_128.png',
    emoji: ':ghost:',
    event: 'sendMessage',
  };
});
after(async () => {
  await s.close();
  await new Promise<void>((r) => receiver.close(() => r()));
});

const has = (list: Array<{ _id: string }>, id: string) => list.some((i) => i._id === id);

describe('outgoing integrations (§12.2)', () => {
  let integration: { _id: string };
  let integrationCreatedByAnUser: { _id: string };
  let userClient: RcClient;

  before(async () => {
    const user = await rcCreateUser(admin);
    userClient = await rcLogin(s.url, user.username, user.password);
    await setPermissions(admin, { out: ['user'] });
    const r = await userClient.post('integrations.create', G);
    assert.equal(r.status, 200, r.text);
    integrationCreatedByAnUser = r.body.integration;
    await setPermissions(admin, { inc: [], ownInc: [], out: [], ownOut: [] });
  });

  test('#1 without manage-outgoing-integrations: 400 not_authorized', async () => {
    await setPermissions(admin, { out: [] });
    const r = await admin.post('integrations.create', G);
    assert.equal(r.status, 400);
    assert.equal(r.body.success, false);
    assert.equal(r.body.errorType, 'not_authorized');
  });

  test('#2 without manage-own-outgoing-integrations either: 400 not_authorized', async () => {
    await setPermissions(admin, { ownOut: [] });
    const r = await admin.post('integrations.create', G);
    assert.equal(r.status, 400);
    assert.equal(r.body.errorType, 'not_authorized');
  });

  test('#3 an invalid type: 400 Invalid integration type.', async () => {
    const r = await admin.post('integrations.create', { ...G, type: 'webhook-outgoing-invalid' });
    assert.equal(r.status, 400);
    assert.equal(r.body.success, false);
    assert.equal(r.body.error, 'Invalid integration type.');
  });

  test('#4 with manage-outgoing-integrations: created', async () => {
    await setPermissions(admin, { out: ['admin'] });
    const r = await admin.post('integrations.create', G);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.success, true);
    assert.equal((await admin.post('integrations.remove', { type: 'webhook-outgoing', integrationId: r.body.integration._id })).status, 200);
  });

  test('#5 with the own permission alone (the admin is a member of #general): created and kept', async () => {
    await setPermissions(admin, { out: [], ownOut: ['admin'] });
    const r = await admin.post('integrations.create', G);
    assert.equal(r.status, 200, r.text);
    integration = r.body.integration;
  });

  test('#6 the created document', async () => {
    const r = await admin.post('integrations.create', G);
    assert.equal(r.status, 200, r.text);
    const i = r.body.integration;
    assert.equal(i.name, 'Guggy');
    assert.equal(i.type, 'webhook-outgoing');
    assert.equal(i.enabled, true);
    assert.equal(i.username, 'rocket.cat');
    assert.equal(i.event, 'sendMessage');
    assert.match(i.token, /^\S{48}$/, 'a token is generated when create omits it');
    assert.equal(i.scriptCompiled, undefined);
    assert.equal((await admin.post('integrations.remove', { type: 'webhook-outgoing', integrationId: i._id })).status, 200);
  });

  test('#7 the admin lists its integration', async () => {
    const r = await admin.get('integrations.list');
    assert.equal(r.status, 200, r.text);
    assert.ok(has(r.body.integrations, integration._id));
    for (const key of ['offset', 'items', 'total']) assert.ok(key in r.body, key);
  });

  test("#8 a user with the own permission does not see the admin's", async () => {
    await setPermissions(admin, { out: [], ownOut: ['user'] });
    const r = await userClient.get('integrations.list');
    assert.equal(r.status, 200, r.text);
    assert.ok(!has(r.body.integrations, integration._id));
    assert.ok(has(r.body.integrations, integrationCreatedByAnUser._id));
    for (const key of ['offset', 'items', 'total']) assert.ok(key in r.body, key);
  });

  test('#9 without any of the four permissions, list is 403', async () => {
    await setPermissions(admin, { inc: [], ownInc: [], out: [] });
    const r = await admin.get('integrations.list');
    assert.equal(r.status, 403);
    assert.equal(r.body.error, FORBIDDEN);
  });

  test('#10 history without an outgoing permission: 403', async () => {
    await setPermissions(admin, { out: [], ownOut: [] });
    const r = await admin.get('integrations.history', { id: integration._id });
    assert.equal(r.status, 403);
    assert.equal(r.body.success, false);
    assert.equal(r.body.error, FORBIDDEN);
  });

  test('#11 history with manage-outgoing-integrations', async () => {
    await setPermissions(admin, { out: ['admin'] });
    const r = await admin.get('integrations.history', { id: integration._id });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.success, true);
    assert.ok(Array.isArray(r.body.history));
    for (const key of ['offset', 'items', 'total']) assert.ok(key in r.body, key);
  });

  test('#12 get without integrationId: invalid-params', async () => {
    const r = await admin.get('integrations.get');
    assert.equal(r.status, 400);
    assert.equal(r.body.success, false);
    assert.ok(r.body.error.startsWith("must have required property 'integrationId'"), r.body.error);
  });

  test('#13 get without the permission: not-authorized', async () => {
    await setPermissions(admin, { out: [] });
    const r = await admin.get('integrations.get', { integrationId: integration._id });
    assert.equal(r.status, 400);
    assert.equal(r.body.error, 'not-authorized');
  });

  test("#14 nor someone else's", async () => {
    await setPermissions(admin, { out: [] });
    const r = await admin.get('integrations.get', { integrationId: integrationCreatedByAnUser._id });
    assert.equal(r.status, 400);
    assert.equal(r.body.error, 'not-authorized');
  });

  test('#15 an unknown id: The integration does not exists.', async () => {
    await setPermissions(admin, { out: ['admin'] });
    const r = await admin.get('integrations.get', { integrationId: 'invalid' });
    assert.equal(r.status, 400);
    assert.equal(r.body.error, 'The integration does not exists.');
  });

  test('#16 a user with the own permission gets theirs', async () => {
    await setPermissions(admin, { out: [], ownOut: ['user'] });
    const r = await userClient.get('integrations.get', { integrationId: integrationCreatedByAnUser._id });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.integration._id, integrationCreatedByAnUser._id);
  });

  test('#17 the admin with manage-outgoing-integrations gets its own', async () => {
    await setPermissions(admin, { out: ['admin'] });
    const r = await admin.get('integrations.get', { integrationId: integration._id });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.integration._id, integration._id);
  });

  test('#18 remove without the permission: 403', async () => {
    await setPermissions(admin, { out: [] });
    const r = await admin.post('integrations.remove', { integrationId: integration._id, type: 'webhook-outgoing' });
    assert.equal(r.status, 403);
    assert.equal(r.body.error, FORBIDDEN);
  });

  test('#19 still 403 (upstream flips own-inc here)', async () => {
    await setPermissions(admin, { ownInc: [] });
    const r = await admin.post('integrations.remove', { integrationId: integration._id, type: 'webhook-outgoing' });
    assert.equal(r.status, 403);
    assert.equal(r.body.error, FORBIDDEN);
  });

  test('#20 remove with an invalid type: the oneOf mismatch', async () => {
    await setPermissions(admin, { ownOut: ['admin'] });
    const r = await admin.post('integrations.remove', { integrationId: integration._id, type: 'invalid-type' });
    assert.equal(r.status, 400);
    assert.equal(r.body.success, false);
    assert.ok(r.body.error.includes('must match exactly one schema in oneOf'), r.body.error);
  });

  test('#21 removed', async () => {
    await setPermissions(admin, { out: ['admin'] });
    const r = await admin.post('integrations.remove', { integrationId: integration._id, type: 'webhook-outgoing' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.success, true);
    assert.equal((await admin.get('integrations.get', { integrationId: integration._id })).body.error, 'The integration does not exists.');
  });

  test('#22 a user removes their own', async () => {
    await setPermissions(admin, { ownOut: ['user'] });
    const r = await userClient.post('integrations.remove', { integrationId: integrationCreatedByAnUser._id, type: 'webhook-outgoing' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.success, true);
  });
});

describe('clearHistory and replayOutgoing (§12.2 #23–#32)', () => {
  let integration: { _id: string };
  const noAuth = (path: string, body: unknown) => http(s.url, 'POST', `/api/v1/${path}`, { body });

  before(async () => {
    await setPermissions(admin, { out: ['admin'] });
    const r = await admin.post('integrations.create', {
      type: 'webhook-outgoing',
      name: 'clear-replay-test',
      enabled: true,
      username: 'rocket.cat',
      urls: [`${receiverUrl}/hook`], // upstream: http://example.com/hook
      scriptEnabled: false,
      channel: '#general',
      triggerWords: ['!clearreplaytest'],
      event: 'sendMessage',
    });
    assert.equal(r.status, 200, r.text);
    integration = r.body.integration;
  });
  afterEach(() => setPermissions(admin, { out: ['admin'] }));

  test('#23 clearHistory without credentials: 401', async () => {
    const r = await noAuth('integrations.clearHistory', { integrationId: integration._id });
    assert.equal(r.status, 401);
    assert.equal(r.body.success, false);
  });

  test('#24 clearHistory without integrationId: 400', async () => {
    const r = await admin.post('integrations.clearHistory', {});
    assert.equal(r.status, 400);
    assert.equal(r.body.success, false);
    assert.equal(r.body.errorType, 'invalid-params');
  });

  test('#25 clearHistory of an unknown integration: 400', async () => {
    const r = await admin.post('integrations.clearHistory', { integrationId: 'does-not-exist' });
    assert.equal(r.status, 400);
    assert.equal(r.body.success, false);
  });

  test('#26 clearHistory without the permissions: 400 not_authorized', async () => {
    await setPermissions(admin, { out: [], ownOut: [] });
    const r = await admin.post('integrations.clearHistory', { integrationId: integration._id });
    assert.equal(r.status, 400);
    assert.equal(r.body.errorType, 'not_authorized');
  });

  test('#27 clearHistory', async () => {
    const r = await admin.post('integrations.clearHistory', { integrationId: integration._id });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.success, true);
  });

  test('#28 replayOutgoing without credentials: 401', async () => {
    const r = await noAuth('integrations.replayOutgoing', { integrationId: integration._id, historyId: 'x' });
    assert.equal(r.status, 401);
    assert.equal(r.body.success, false);
  });

  test('#29 replayOutgoing without historyId: 400', async () => {
    const r = await admin.post('integrations.replayOutgoing', { integrationId: integration._id });
    assert.equal(r.status, 400);
    assert.equal(r.body.errorType, 'invalid-params');
  });

  test('#30 replayOutgoing of an unknown integration: 400', async () => {
    const r = await admin.post('integrations.replayOutgoing', { integrationId: 'does-not-exist', historyId: 'x' });
    assert.equal(r.status, 400);
    assert.equal(r.body.success, false);
  });

  test('#31 replayOutgoing of an unknown history record: 400', async () => {
    const r = await admin.post('integrations.replayOutgoing', { integrationId: integration._id, historyId: 'does-not-exist' });
    assert.equal(r.status, 400);
    assert.equal(r.body.success, false);
    assert.equal(r.body.errorType, 'error-invalid-history');
  });

  test('#32 replayOutgoing without the permissions: 400 not_authorized', async () => {
    await setPermissions(admin, { out: [], ownOut: [] });
    const r = await admin.post('integrations.replayOutgoing', { integrationId: integration._id, historyId: 'x' });
    assert.equal(r.status, 400);
    assert.equal(r.body.errorType, 'not_authorized');
  });

  test('no message was sent, so no receiver was ever called', () => {
    assert.deepEqual(calls, []);
  });
});
