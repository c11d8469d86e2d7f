/**
 * Rocket.Chat's end-to-end suite for outgoing integrations, ported (docs/integrations.md §12.2), in its
 * order: stateful, each step flipping permissions the later ones rely on. Real HTTP throughout. The
 * integrations point at a local receiver that must never be called (no message is sent here).
 *
 * Compared line by line with the current original (apps/meteor/tests/end-to-end/api/outgoing-integrations.ts):
 * #1–#22 are all of its cases; every /api/v1 answer is checked for `Content-Type: application/json`
 * as upstream's are. #23–#32 (clearHistory, replayOutgoing) follow §12.2, with the error codes and
 * reasons of the reference's clearIntegrationHistoryMethod / replayOutgoingIntegrationMethod; the
 * last describe pins the update rules of its REST route that the tables leave open.
 */
import { describe, test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { http, startTestServer, type TestServer } from '../support/helpers.js';
import { checked, rcCreateUser, rcHarness, rcLogin, setPermissions, type CheckedClient, type RcClient } from '../support/rocketchat-client.js';

const FORBIDDEN = 'User does not have the permissions required for this action [error-unauthorized]';

let s: TestServer;
/** the admin as permissions.update and users.create see it */
let rcAdmin: RcClient;
/** the admin, every answer checked for upstream's content type */
let admin: CheckedClient;
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
  rcAdmin = (await rcHarness(s.url, s.generalId)).admin;
  admin = checked(rcAdmin);
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
  let userClient: CheckedClient;

  before(async () => {
    const user = await rcCreateUser(rcAdmin);
    userClient = checked(await rcLogin(s.url, user.username, user.password));
    await setPermissions(rcAdmin, { out: ['user'] });
    const r = await userClient.post('integrations.create', G);
    assert.equal(r.status, 200, r.text);
    integrationCreatedByAnUser = r.body.integration;
    await setPermissions(rcAdmin, { inc: [], ownInc: [], out: [], ownOut: [] });
  });

  test('#1 without manage-outgoing-integrations: 400 not_authorized', async () => {
    await setPermissions(rcAdmin, { out: [] });
    const r = await admin.post('integrations.create', G);
    assert.equal(r.status, 400);
    assert.equal(r.body.success, false);
    assert.equal(r.body.errorType, 'not_authorized');
  });

  test('#2 without manage-own-outgoing-integrations either: 400 not_authorized', async () => {
    await setPermissions(rcAdmin, { ownOut: [] });
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
    await setPermissions(rcAdmin, { out: ['admin'] });
    const r = await admin.post('integrations.create', G);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.success, true);
    assert.equal((await admin.post('integrations.remove', { type: 'webhook-outgoing', integrationId: r.body.integration._id })).status, 200);
  });

  test('#5 with the own permission alone (the admin is a member of #general): created and kept', async () => {
    await setPermissions(rcAdmin, { out: [], ownOut: ['admin'] });
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
    await setPermissions(rcAdmin, { out: [], ownOut: ['user'] });
    const r = await userClient.get('integrations.list');
    assert.equal(r.status, 200, r.text);
    assert.ok(!has(r.body.integrations, integration._id));
    assert.ok(has(r.body.integrations, integrationCreatedByAnUser._id));
    for (const key of ['offset', 'items', 'total']) assert.ok(key in r.body, key);
  });

  test('#9 without any of the four permissions, list is 403', async () => {
    await setPermissions(rcAdmin, { inc: [], ownInc: [], out: [] });
    const r = await admin.get('integrations.list');
    assert.equal(r.status, 403);
    assert.equal(r.body.error, FORBIDDEN);
  });

  test('#10 history without an outgoing permission: 403', async () => {
    await setPermissions(rcAdmin, { out: [], ownOut: [] });
    const r = await admin.get('integrations.history', { id: integration._id });
    assert.equal(r.status, 403);
    assert.equal(r.body.success, false);
    assert.equal(r.body.error, FORBIDDEN);
  });

  test('#11 history with manage-outgoing-integrations', async () => {
    await setPermissions(rcAdmin, { out: ['admin'] });
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
    await setPermissions(rcAdmin, { out: [] });
    const r = await admin.get('integrations.get', { integrationId: integration._id });
    assert.equal(r.status, 400);
    assert.equal(r.body.error, 'not-authorized');
  });

  test("#14 nor someone else's", async () => {
    await setPermissions(rcAdmin, { out: [] });
    const r = await admin.get('integrations.get', { integrationId: integrationCreatedByAnUser._id });
    assert.equal(r.status, 400);
    assert.equal(r.body.error, 'not-authorized');
  });

  test('#15 an unknown id: The integration does not exists.', async () => {
    await setPermissions(rcAdmin, { out: ['admin'] });
    const r = await admin.get('integrations.get', { integrationId: 'invalid' });
    assert.equal(r.status, 400);
    assert.equal(r.body.error, 'The integration does not exists.');
  });

  test('#16 a user with the own permission gets theirs', async () => {
    await setPermissions(rcAdmin, { out: [], ownOut: ['user'] });
    const r = await userClient.get('integrations.get', { integrationId: integrationCreatedByAnUser._id });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.integration._id, integrationCreatedByAnUser._id);
  });

  test('#17 the admin with manage-outgoing-integrations gets its own', async () => {
    await setPermissions(rcAdmin, { out: ['admin'] });
    const r = await admin.get('integrations.get', { integrationId: integration._id });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.integration._id, integration._id);
  });

  test('#18 remove without the permission: 403', async () => {
    await setPermissions(rcAdmin, { out: [] });
    const r = await admin.post('integrations.remove', { integrationId: integration._id, type: 'webhook-outgoing' });
    assert.equal(r.status, 403);
    assert.equal(r.body.error, FORBIDDEN);
  });

  test('#19 still 403 (upstream flips own-inc here)', async () => {
    await setPermissions(rcAdmin, { ownInc: [] });
    const r = await admin.post('integrations.remove', { integrationId: integration._id, type: 'webhook-outgoing' });
    assert.equal(r.status, 403);
    assert.equal(r.body.error, FORBIDDEN);
  });

  test('#20 remove with an invalid type: the oneOf mismatch', async () => {
    await setPermissions(rcAdmin, { ownOut: ['admin'] });
    const r = await admin.post('integrations.remove', { integrationId: integration._id, type: 'invalid-type' });
    assert.equal(r.status, 400);
    assert.equal(r.body.success, false);
    assert.ok(r.body.error.includes('must match exactly one schema in oneOf'), r.body.error);
  });

  test('#21 removed', async () => {
    await setPermissions(rcAdmin, { out: ['admin'] });
    const r = await admin.post('integrations.remove', { integrationId: integration._id, type: 'webhook-outgoing' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.success, true);
    assert.equal((await admin.get('integrations.get', { integrationId: integration._id })).body.error, 'The integration does not exists.');
  });

  test('#22 a user removes their own', async () => {
    await setPermissions(rcAdmin, { ownOut: ['user'] });
    const r = await userClient.post('integrations.remove', { integrationId: integrationCreatedByAnUser._id, type: 'webhook-outgoing' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.success, true);
  });
});

describe('clearHistory and replayOutgoing (§12.2 #23–#32)', () => {
  let integration: { _id: string };
  const noAuth = (path: string, body: unknown) => http(s.url, 'POST', `/api/v1/${path}`, { body });

  before(async () => {
    await setPermissions(rcAdmin, { out: ['admin'] });
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
  afterEach(() => setPermissions(rcAdmin, { out: ['admin'] }));

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
    assert.ok(r.body.error.startsWith("must have required property 'integrationId'"), r.body.error);
    // upstream's IntegrationsClearHistoryProps: a non-empty id and nothing else
    for (const body of [{ integrationId: '' }, { integrationId: integration._id, extra: 1 }]) {
      const bad = await admin.post('integrations.clearHistory', body);
      assert.deepEqual([bad.status, bad.body.errorType], [400, 'invalid-params'], JSON.stringify(body));
    }
  });

  test('#25 clearHistory of an unknown integration: 400', async () => {
    const r = await admin.post('integrations.clearHistory', { integrationId: 'does-not-exist' });
    assert.equal(r.status, 400);
    assert.equal(r.body.success, false);
    assert.equal(r.body.error, 'Invalid integration [error-invalid-integration]');
    assert.equal(r.body.errorType, 'error-invalid-integration');
  });

  test('#26 clearHistory without the permissions: 400 not_authorized', async () => {
    await setPermissions(rcAdmin, { out: [], ownOut: [] });
    const r = await admin.post('integrations.clearHistory', { integrationId: integration._id });
    assert.equal(r.status, 400);
    assert.equal(r.body.success, false);
    assert.equal(r.body.error, 'Unauthorized [not_authorized]');
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
    assert.equal(r.body.success, false);
    assert.equal(r.body.errorType, 'invalid-params');
    assert.ok(r.body.error.startsWith("must have required property 'historyId'"), r.body.error);
  });

  test('#30 replayOutgoing of an unknown integration: 400', async () => {
    const r = await admin.post('integrations.replayOutgoing', { integrationId: 'does-not-exist', historyId: 'x' });
    assert.equal(r.status, 400);
    assert.equal(r.body.success, false);
    assert.equal(r.body.error, 'Invalid integration [error-invalid-integration]');
    assert.equal(r.body.errorType, 'error-invalid-integration');
  });

  test('#31 replayOutgoing of an unknown history record: 400', async () => {
    const r = await admin.post('integrations.replayOutgoing', { integrationId: integration._id, historyId: 'does-not-exist' });
    assert.equal(r.status, 400);
    assert.equal(r.body.success, false);
    assert.equal(r.body.error, 'Invalid Integration History [error-invalid-integration-history]');
    assert.equal(r.body.errorType, 'error-invalid-integration-history');
  });

  test('#32 replayOutgoing without the permissions: 400 not_authorized', async () => {
    await setPermissions(rcAdmin, { out: [], ownOut: [] });
    const r = await admin.post('integrations.replayOutgoing', { integrationId: integration._id, historyId: 'x' });
    assert.equal(r.status, 400);
    assert.equal(r.body.success, false);
    assert.equal(r.body.error, 'Unauthorized [not_authorized]');
    assert.equal(r.body.errorType, 'not_authorized');
  });

});

/** The rules of the reference's update and history routes that the tables leave open (§6.2, §6.6). */
describe('the reference behaviours behind the cases', () => {
  let doc: { _id: string; token: string };
  const body = () => ({ ...G, integrationId: doc._id, token: doc.token });

  before(async () => {
    await setPermissions(rcAdmin, { out: ['admin'], ownOut: ['admin'] });
    const r = await admin.post('integrations.create', G);
    assert.equal(r.status, 200, r.text);
    doc = r.body.integration;
  });

  test('update: not found first, then the input, then the token, then the permission', async () => {
    const unknown = await admin.put('integrations.update', { ...body(), integrationId: 'does-not-exist' });
    assert.deepEqual([unknown.status, unknown.body], [400, { success: false, error: 'No integration found.' }]);
    const byUrl = await admin.put('integrations.update', { ...G, target_url: 'http://nowhere.example/x', token: 't' });
    assert.deepEqual([byUrl.status, byUrl.body], [400, { success: false, error: 'No integration found.' }]);
    const { token: _token, ...withoutToken } = body();
    const noToken = await admin.put('integrations.update', withoutToken);
    assert.deepEqual([noToken.status, noToken.body], [400, { success: false, error: 'Invalid token [error-invalid-token]', errorType: 'error-invalid-token' }]);
    const blankToken = await admin.put('integrations.update', { ...body(), token: '  ' });
    assert.equal(blankToken.body.errorType, 'error-invalid-token');
    const badEvent = await admin.put('integrations.update', { ...withoutToken, event: 'nope' });
    assert.equal(badEvent.body.error, 'Invalid event type [error-invalid-event-type]', 'the input is checked before the token');
    await setPermissions(rcAdmin, { out: [], ownOut: [] });
    const denied = await admin.put('integrations.update', body());
    assert.deepEqual([denied.status, denied.body.errorType], [400, 'not_authorized']);
    await setPermissions(rcAdmin, { out: ['admin'], ownOut: ['admin'] });
    const ok = await admin.put('integrations.update', { ...body(), name: 'Guggy renamed' });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.body.integration.name, 'Guggy renamed');
    assert.equal(ok.body.integration.token, doc.token);
  });

  test("update and remove of someone else's with the own permission only", async () => {
    const other = await rcCreateUser(rcAdmin);
    const otherClient = checked(await rcLogin(s.url, other.username, other.password));
    await setPermissions(rcAdmin, { out: [], ownOut: ['user', 'admin'] });
    const update = await otherClient.put('integrations.update', { ...body(), channel: '' });
    assert.deepEqual(
      [update.status, update.body],
      [400, { success: false, error: '[methods] updateOutgoingIntegration -> integration not found [invalid_integration]', errorType: 'invalid_integration' }],
    );
    const remove = await otherClient.post('integrations.remove', { type: 'webhook-outgoing', integrationId: doc._id });
    assert.deepEqual([remove.status, remove.body], [400, { success: false, error: 'Invalid integration [error-invalid-integration]', errorType: 'error-invalid-integration' }]);
    const replay = await otherClient.post('integrations.replayOutgoing', { integrationId: doc._id, historyId: 'x' });
    assert.equal(replay.body.errorType, 'error-invalid-integration');
    await setPermissions(rcAdmin, { out: ['admin'], ownOut: ['admin'] });
  });

  test('history: an id of blanks names nothing', async () => {
    const r = await admin.get('integrations.history', { id: '   ' });
    assert.deepEqual([r.status, r.body], [400, { success: false, error: 'Invalid integration id.' }]);
  });

  test('no message was sent, so no receiver was ever called', () => {
    assert.deepEqual(calls, []);
  });
});
