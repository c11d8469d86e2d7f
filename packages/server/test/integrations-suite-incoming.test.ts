/**
 * Rocket.Chat's end-to-end suite for incoming integrations, ported (integrations.md §12.1), in its
 * order: stateful, each step flipping permissions the later ones rely on. Real HTTP throughout:
 * the /api/v1 face, the /hooks/:id/:token URLs, and channels.messages to see what arrived.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { http, startTestServer, type Reply, type TestServer } from './helpers.js';
import { rcCreateUser, rcHarness, rcLogin, setPermissions, type Harness, type RcClient, type RcUser } from './rocketchat-client.js';

const FORBIDDEN = 'User does not have the permissions required for this action [error-unauthorized]';
const OVERRIDE_DISABLED = 'overriding destination channel is disabled for this integration';

let s: TestServer;
let h: Harness;
let admin: RcClient;
/** upstream's `channel.test.<ts>-<rand>` */
let testChannel: { _id: string; name: string };

const B = {
  type: 'webhook-incoming',
  name: 'Incoming test',
  enabled: true,
  alias: 'test',
  username: 'rocket.cat',
  scriptEnabled: false,
  overrideDestinationChannelEnabled: true,
  channel: '#general',
};

const hook = (i: { _id: string; token: string }, body: unknown, opts: { raw?: string; contentType?: string } = {}): Promise<Reply> =>
  opts.raw !== undefined
    ? http(s.url, 'POST', `/hooks/${i._id}/${i.token}`, { raw: opts.raw, headers: { 'content-type': opts.contentType ?? 'application/json' } })
    : http(s.url, 'POST', `/hooks/${i._id}/${i.token}`, { body });

const unique = (label: string) => `${label} ${Date.now()}-${randomBytes(4).toString('hex')}`;

async function messagesOf(client: RcClient, kind: 'channels' | 'groups', roomId: string): Promise<Array<{ msg: string; alias?: string; bot?: { i: string } }>> {
  const r = await client.get(`${kind}.messages`, { roomId });
  assert.equal(r.status, 200, r.text);
  return r.body.messages;
}

async function membersOf(client: RcClient, kind: 'channels' | 'groups', roomId: string): Promise<string[]> {
  const r = await client.get(`${kind}.members`, { roomId });
  assert.equal(r.status, 200, r.text);
  return r.body.members.map((m: { username: string }) => m.username);
}

before(async () => {
  s = await startTestServer({ env: { HOOK_RATE_LIMITS: 'off' } });
  h = await rcHarness(s.url, s.generalId);
  admin = h.admin;
  await setPermissions(admin, { inc: [], ownInc: [], out: [], ownOut: [] });
  const c = await admin.post('channels.create', { name: `channel.test.${Date.now()}-${randomBytes(3).toString('hex')}` });
  assert.equal(c.status, 200, c.text);
  testChannel = c.body.channel;
});
after(() => s.close());

describe('incoming integrations (§12.1)', () => {
  let integration: { _id: string; token: string; name: string };
  let user: RcUser;
  let userClient: RcClient;
  let integrationCreatedByAnUser: { _id: string };

  test('#1 without manage-incoming-integrations: 400 not_authorized', async () => {
    await setPermissions(admin, { inc: [] });
    const r = await admin.post('integrations.create', B);
    assert.equal(r.status, 400);
    assert.equal(r.body.success, false);
    assert.equal(r.body.errorType, 'not_authorized');
  });

  test('#2 without manage-own-incoming-integrations either: 400 not_authorized', async () => {
    await setPermissions(admin, { ownInc: [] });
    const r = await admin.post('integrations.create', B);
    assert.equal(r.status, 400);
    assert.equal(r.body.errorType, 'not_authorized');
  });

  test('#3 an invalid type: 400 Invalid integration type.', async () => {
    const r = await admin.post('integrations.create', { ...B, type: 'webhook-incoming-invalid' });
    assert.equal(r.status, 400);
    assert.equal(r.body.success, false);
    assert.equal(r.body.error, 'Invalid integration type.');
  });

  test('#4 with manage-own-incoming-integrations: created', async () => {
    await setPermissions(admin, { ownInc: ['admin'] });
    const r = await admin.post('integrations.create', { ...B, overrideDestinationChannelEnabled: false });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.success, true);
    assert.equal(typeof r.body.integration, 'object');
    assert.equal(r.body.integration.type, 'webhook-incoming');
    assert.equal((await admin.post('integrations.remove', { type: 'webhook-incoming', integrationId: r.body.integration._id })).status, 200);
  });

  test('#5 overrideDestinationChannelEnabled defaults to false', async () => {
    const { overrideDestinationChannelEnabled: _omitted, ...withoutOverride } = B;
    const r = await admin.post('integrations.create', withoutOverride);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.integration.overrideDestinationChannelEnabled, false);
    assert.equal((await admin.post('integrations.remove', { type: 'webhook-incoming', integrationId: r.body.integration._id })).status, 200);
  });

  test('#6 created with the own permission alone; kept for what follows', async () => {
    await setPermissions(admin, { inc: [], ownInc: ['admin'] });
    const r = await admin.post('integrations.create', { ...B, name: 'Incoming test 2', alias: 'test2', overrideDestinationChannelEnabled: false });
    assert.equal(r.status, 200, r.text);
    integration = r.body.integration;
    assert.match(integration.token, /^[23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz]{48}$/);
  });

  test('#7 the hook URL posts', async () => {
    const r = await hook(integration, { text: 'Example message' });
    assert.equal(r.status, 200, r.text);
  });

  test('#8 a channel in the payload is refused while overriding is disabled', async () => {
    const r = await hook(integration, { text: 'Example message', channel: [testChannel.name] });
    assert.equal(r.status, 400);
    assert.equal(r.body.success, false);
    assert.equal(r.body.error, OVERRIDE_DISABLED);
  });

  test('#9 so is a roomId', async () => {
    const r = await hook(integration, { text: 'Example message', roomId: testChannel._id });
    assert.equal(r.status, 400);
    assert.equal(r.body.success, false);
    assert.equal(r.body.error, OVERRIDE_DISABLED);
  });

  test('#10 the message lands in #general', async () => {
    const text = unique('general message');
    assert.equal((await hook(integration, { text })).status, 200);
    const found = (await messagesOf(admin, 'channels', h.generalId)).find((m) => m.msg === text);
    assert.ok(found, 'the message is in #general');
    assert.equal(found.alias, 'test2');
    assert.equal(found.bot?.i, integration._id);
  });

  test('#11 with overriding enabled, a bare channel name in an array redirects the message', async () => {
    const u = await admin.put('integrations.update', {
      type: 'webhook-incoming',
      overrideDestinationChannelEnabled: true,
      integrationId: integration._id,
      username: 'rocket.cat',
      channel: '#general',
      scriptEnabled: true,
      enabled: true,
      name: integration.name,
    });
    assert.equal(u.status, 200, u.text);
    assert.equal(u.body.integration.overrideDestinationChannelEnabled, true);
    assert.equal(u.body.integration.token, integration.token, 'the token never changes');
    const text = unique('redirected');
    const r = await hook(integration, { text, channel: [testChannel.name] });
    assert.equal(r.status, 200, r.text);
    assert.ok((await messagesOf(admin, 'channels', testChannel._id)).some((m) => m.msg === text));
    assert.ok(!(await messagesOf(admin, 'channels', h.generalId)).some((m) => m.msg === text));
  });

  test('#12 a form body with an unencoded payload= is accepted', async () => {
    const text = unique('Message from integration');
    const r = await hook(integration, undefined, { raw: `payload=${JSON.stringify({ msg: text })}`, contentType: 'application/x-www-form-urlencoded' });
    assert.equal(r.status, 200, r.text);
    // upstream does not wait for the message; we check that it arrived
    assert.ok((await messagesOf(admin, 'channels', h.generalId)).some((m) => m.msg === text));
  });

  test('#13 integrations.history needs an outgoing permission: 403', async () => {
    const r = await admin.get('integrations.history', { id: integration._id });
    assert.equal(r.status, 403);
    assert.equal(r.body.success, false);
    assert.equal(r.body.error, FORBIDDEN);
  });

  test('setup: a user with manage-incoming-integrations creates one', async () => {
    user = await rcCreateUser(admin);
    userClient = await rcLogin(s.url, user.username, user.password);
    await setPermissions(admin, { inc: ['user'] });
    const r = await userClient.post('integrations.create', B);
    assert.equal(r.status, 200, r.text);
    integrationCreatedByAnUser = r.body.integration;
  });

  test('#14 the admin lists its integration', async () => {
    const r = await admin.get('integrations.list');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.success, true);
    assert.ok(r.body.integrations.some((i: { _id: string }) => i._id === integration._id));
    for (const key of ['offset', 'items', 'total']) assert.ok(key in r.body, key);
  });

  test('#15 a user with the own permission lists only theirs', async () => {
    await setPermissions(admin, { inc: [], ownInc: ['user'] });
    const r = await userClient.get('integrations.list');
    assert.equal(r.status, 200, r.text);
    assert.ok(!r.body.integrations.some((i: { _id: string }) => i._id === integration._id));
    assert.ok(r.body.integrations.some((i: { _id: string }) => i._id === integrationCreatedByAnUser._id));
    for (const key of ['offset', 'items', 'total']) assert.ok(key in r.body, key);
  });

  test('#16 without any of the four permissions, list is 403', async () => {
    await setPermissions(admin, { inc: [], ownInc: [], out: [] });
    const r = await admin.get('integrations.list');
    assert.equal(r.status, 403);
    assert.equal(r.body.error, FORBIDDEN);
  });

  test('#17 integrations.get without integrationId: invalid-params', async () => {
    const r = await admin.get('integrations.get');
    assert.equal(r.status, 400);
    assert.equal(r.body.success, false);
    assert.equal(r.body.error, "must have required property 'integrationId' [invalid-params]");
  });

  test('#18 get without the permission: not-authorized', async () => {
    await setPermissions(admin, { inc: [] });
    const r = await admin.get('integrations.get', { integrationId: integration._id });
    assert.equal(r.status, 400);
    assert.equal(r.body.error, 'not-authorized');
  });

  test("#19 nor someone else's", async () => {
    await setPermissions(admin, { inc: [] });
    const r = await admin.get('integrations.get', { integrationId: integrationCreatedByAnUser._id });
    assert.equal(r.status, 400);
    assert.equal(r.body.error, 'not-authorized');
  });

  test('#20 an unknown id: The integration does not exists.', async () => {
    await setPermissions(admin, { inc: ['admin'] });
    const r = await admin.get('integrations.get', { integrationId: 'invalid' });
    assert.equal(r.status, 400);
    assert.equal(r.body.error, 'The integration does not exists.');
  });

  test('#21 a user with the own permission gets theirs', async () => {
    await setPermissions(admin, { inc: [], ownInc: ['user'] });
    const r = await userClient.get('integrations.get', { integrationId: integrationCreatedByAnUser._id });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.integration._id, integrationCreatedByAnUser._id);
  });

  test('#22 the admin with manage-incoming-integrations gets its own', async () => {
    await setPermissions(admin, { inc: ['admin'] });
    const r = await admin.get('integrations.get', { integrationId: integration._id });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.integration._id, integration._id);
  });

  test('#23 update changes name and alias', async () => {
    const r = await admin.put('integrations.update', { ...B, name: 'Incoming test updated', alias: 'test updated', scriptEnabled: true, integrationId: integration._id });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.integration.name, 'Incoming test updated');
    assert.equal(r.body.integration.alias, 'test updated');
  });

  test('#24 and get shows the change', async () => {
    const r = await admin.get('integrations.get', { integrationId: integration._id });
    assert.equal(r.status, 200);
    assert.equal(r.body.integration.name, 'Incoming test updated');
    assert.equal(r.body.integration.alias, 'test updated');
  });

  test('#25 remove without the permission: 403', async () => {
    await setPermissions(admin, { inc: [] });
    const r = await admin.post('integrations.remove', { integrationId: integration._id, type: 'webhook-incoming' });
    assert.equal(r.status, 403);
    assert.equal(r.body.error, FORBIDDEN);
  });

  test('#26 nor with the own permission taken away: 403', async () => {
    await setPermissions(admin, { ownInc: [] });
    const r = await admin.post('integrations.remove', { integrationId: integration._id, type: 'webhook-incoming' });
    assert.equal(r.status, 403);
    assert.equal(r.body.error, FORBIDDEN);
  });

  test('#27 remove with an invalid type: the oneOf mismatch', async () => {
    await setPermissions(admin, { ownInc: ['admin'] });
    const r = await admin.post('integrations.remove', { integrationId: integration._id, type: 'invalid-type' });
    assert.equal(r.status, 400);
    assert.equal(r.body.success, false);
    assert.ok(r.body.error.includes('must match exactly one schema in oneOf'), r.body.error);
  });

  test('#28 removed', async () => {
    await setPermissions(admin, { inc: ['admin'] });
    const r = await admin.post('integrations.remove', { integrationId: integration._id, type: 'webhook-incoming' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.success, true);
    // the URL died with it
    const gone = await hook(integration, { text: 'gone' });
    assert.deepEqual([gone.status, gone.body], [400, { success: false, error: 'Invalid integration id or token provided.' }], '§7.2: an unknown id');
  });

  test('#29 a user removes their own', async () => {
    await setPermissions(admin, { ownInc: ['user'] });
    const r = await userClient.post('integrations.remove', { integrationId: integrationCreatedByAnUser._id, type: 'webhook-incoming' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.success, true);
  });
});

describe('incoming delivery permissions (§12.1 #30–#34)', () => {
  let poster: RcUser;
  let privateRoom: { _id: string; name: string };
  let publicRoom: { _id: string; name: string };
  let i2: { _id: string; token: string };
  let i4: { _id: string; token: string };

  before(async () => {
    poster = await rcCreateUser(admin);
    const p = await admin.post('groups.create', { name: `private-${Date.now()}-${randomBytes(3).toString('hex')}` });
    assert.equal(p.status, 200, p.text);
    privateRoom = p.body.group;
    const c = await admin.post('channels.create', { name: `public-${Date.now()}-${randomBytes(3).toString('hex')}` });
    assert.equal(c.status, 200, c.text);
    publicRoom = c.body.channel;
    await setPermissions(admin, { inc: ['admin'] });
    const base = { type: 'webhook-incoming', enabled: true, username: poster.username, scriptEnabled: false, overrideDestinationChannelEnabled: false };
    const r2 = await admin.post('integrations.create', { ...base, name: 'i2', channel: `#${privateRoom.name}` });
    assert.equal(r2.status, 200, r2.text);
    i2 = r2.body.integration;
    const r4 = await admin.post('integrations.create', { ...base, name: 'i4', channel: `#${publicRoom.name}` });
    assert.equal(r4.status, 200, r4.text);
    i4 = r4.body.integration;
  });

  test('#30 a post-as user who is not a member of a private channel cannot post there', async () => {
    const text = unique('private attempt');
    const r = await hook(i2, { text });
    assert.equal(r.status, 400, r.text);
    assert.equal(r.body.success, false);
    assert.equal(r.body.error, 'error-not-allowed');
    assert.ok(!(await messagesOf(admin, 'groups', privateRoom._id)).some((m) => m.msg === text));
  });

  test('#31 and is not added to it', async () => {
    const r = await hook(i2, { text: unique('private again') });
    assert.equal(r.status, 400);
    assert.ok(!(await membersOf(admin, 'groups', privateRoom._id)).includes(poster.username));
  });

  // #32–#33 (a public channel inside a private team) do not apply: Switchboard has no teams.

  test('#34 a public channel: posted, and the post-as user joined it', async () => {
    assert.ok(!(await membersOf(admin, 'channels', publicRoom._id)).includes(poster.username));
    const text = unique('public post');
    const r = await hook(i4, { text });
    assert.equal(r.status, 200, r.text);
    assert.ok((await messagesOf(admin, 'channels', publicRoom._id)).some((m) => m.msg === text));
    assert.ok((await membersOf(admin, 'channels', publicRoom._id)).includes(poster.username));
  });
});
