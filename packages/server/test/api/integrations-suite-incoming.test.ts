/**
 * Rocket.Chat's end-to-end suite for incoming integrations, ported (docs/integrations.md §12.1), in its
 * order: stateful, each step flipping permissions the later ones rely on. Real HTTP throughout:
 * the /api/v1 face, the /hooks/:id/:token URLs, and channels.messages to see what arrived.
 *
 * Compared line by line with the current original (apps/meteor/tests/end-to-end/api/incoming-integrations.ts):
 * its two script cases after #12 (here #12a, #12b) and its post-as user change after #24 (#24a, #24b)
 * are ported too, and every /api/v1 answer is checked for `Content-Type: application/json` as
 * upstream's are. The last describe pins what those cases brought up and the tables leave open: what
 * a script's `content` without text answers, results without `content`, and exact error strings.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { http, startTestServer, type Reply, type TestServer } from '../support/helpers.js';
import { checked, rcCreateUser, rcHarness, rcLogin, setPermissions, type CheckedClient, type Harness, type RcClient, type RcUser } from '../support/rocketchat-client.js';

const FORBIDDEN = 'User does not have the permissions required for this action [error-unauthorized]';
const OVERRIDE_DISABLED = 'overriding destination channel is disabled for this integration';
const FORM = 'application/x-www-form-urlencoded';

let s: TestServer;
let h: Harness;
/** the admin as permissions.update and users.create see it */
let rcAdmin: RcClient;
/** the admin, every answer checked for upstream's content type */
let admin: CheckedClient;
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

interface RcMessage {
  _id: string;
  msg: string;
  alias?: string;
  bot?: { i: string };
  u: { _id: string; username: string };
}

async function messagesOf(client: CheckedClient, kind: 'channels' | 'groups', roomId: string): Promise<RcMessage[]> {
  const r = await client.get(`${kind}.messages`, { roomId });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.success, true);
  return r.body.messages;
}

async function membersOf(client: CheckedClient, kind: 'channels' | 'groups', roomId: string): Promise<string[]> {
  const r = await client.get(`${kind}.members`, { roomId });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.success, true);
  return r.body.members.map((m: { username: string }) => m.username);
}

/** upstream's `removeIntegration(id, 'incoming')` */
async function removeIncoming(id: string): Promise<void> {
  const r = await admin.post('integrations.remove', { type: 'webhook-incoming', integrationId: id });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.success, true);
}

before(async () => {
  s = await startTestServer({ env: { HOOK_RATE_LIMITS: 'off' } });
  h = await rcHarness(s.url, s.generalId);
  rcAdmin = h.admin;
  admin = checked(rcAdmin);
  await setPermissions(rcAdmin, { inc: [], ownInc: [], out: [], ownOut: [] });
  const c = await admin.post('channels.create', { name: `channel.test.${Date.now()}-${randomBytes(3).toString('hex')}` });
  assert.equal(c.status, 200, c.text);
  testChannel = c.body.channel;
});
after(() => s.close());

describe('incoming integrations (§12.1)', () => {
  let integration: { _id: string; token: string; name: string; type: string };
  let user: RcUser;
  let userClient: CheckedClient;
  let integrationCreatedByAnUser: { _id: string };

  test('#1 without manage-incoming-integrations: 400 not_authorized', async () => {
    await setPermissions(rcAdmin, { inc: [] });
    const r = await admin.post('integrations.create', B);
    assert.equal(r.status, 400);
    assert.equal(r.body.success, false);
    assert.equal(r.body.errorType, 'not_authorized');
  });

  test('#2 without manage-own-incoming-integrations either: 400 not_authorized', async () => {
    await setPermissions(rcAdmin, { ownInc: [] });
    const r = await admin.post('integrations.create', B);
    assert.equal(r.status, 400);
    assert.equal(r.body.success, false);
    assert.equal(r.body.errorType, 'not_authorized');
  });

  test('#3 an invalid type: 400 Invalid integration type.', async () => {
    const r = await admin.post('integrations.create', { ...B, type: 'webhook-incoming-invalid' });
    assert.equal(r.status, 400);
    assert.equal(r.body.success, false);
    assert.equal(r.body.error, 'Invalid integration type.');
  });

  test('#4 with manage-own-incoming-integrations: created', async () => {
    await setPermissions(rcAdmin, { ownInc: ['admin'] });
    const r = await admin.post('integrations.create', { ...B, overrideDestinationChannelEnabled: false });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.success, true);
    assert.equal(typeof r.body.integration, 'object');
    assert.equal(r.body.integration.type, 'webhook-incoming');
    await removeIncoming(r.body.integration._id);
  });

  test('#5 overrideDestinationChannelEnabled defaults to false', async () => {
    const { overrideDestinationChannelEnabled: _omitted, ...withoutOverride } = B;
    const r = await admin.post('integrations.create', withoutOverride);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.success, true);
    assert.equal(r.body.integration.overrideDestinationChannelEnabled, false);
    await removeIncoming(r.body.integration._id);
  });

  test('#6 created with the own permission alone; kept for what follows', async () => {
    await setPermissions(rcAdmin, { inc: [], ownInc: ['admin'] });
    const r = await admin.post('integrations.create', { ...B, name: 'Incoming test 2', alias: 'test2', overrideDestinationChannelEnabled: false });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.success, true);
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
    assert.equal(u.body.success, true);
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
    const r = await hook(integration, undefined, { raw: `payload=${JSON.stringify({ msg: text })}`, contentType: FORM });
    assert.equal(r.status, 200, r.text);
    // upstream does not wait for the message; we check that it arrived
    assert.ok((await messagesOf(admin, 'channels', h.generalId)).some((m) => m.msg === text));
  });

  test('#12a the same form to an integration with a valid script whose content has no text: 200, nothing posted', async () => {
    await setPermissions(rcAdmin, { inc: ['admin'] });
    const created = await admin.post('integrations.create', {
      type: 'webhook-incoming',
      name: 'Incoming test with script',
      enabled: true,
      alias: 'test',
      username: 'rocket.cat',
      scriptEnabled: true,
      overrideDestinationChannelEnabled: false,
      channel: '#general',
      script: `
        class Script {
          process_incoming_request({ request }) {
            return {
              content:{
                text: request.content.text
              }
            };
          }
        }
      `,
    });
    assert.equal(created.status, 200, created.text);
    assert.equal(created.body.success, true);
    const withScript = created.body.integration;
    assert.equal(withScript.scriptError, undefined, 'the script compiled');
    const msg = unique('Message as x-www-form-urlencoded JSON');
    const r = await hook(withScript, undefined, { raw: `payload=${JSON.stringify({ msg })}`, contentType: FORM });
    // The payload has `msg`, the script copies `text`: its content has no text. Rocket.Chat answers
    // 200 and posts an empty message (upstream's check for `msg` is never awaited, and would fail);
    // Switchboard has no empty messages: the same answer, nothing posted.
    assert.deepEqual([r.status, r.body], [200, { success: true }]);
    // The newest messages hold nothing of this integration (a post would be among them).
    assert.ok(!(await messagesOf(admin, 'channels', h.generalId)).some((m) => m.bot?.i === withScript._id));
    await removeIncoming(withScript._id);
  });

  test('#12b JSON sent as a form without a payload key, to a sloppy-mode script: posted', async () => {
    await setPermissions(rcAdmin, { inc: ['admin'] });
    const created = await admin.post('integrations.create', {
      type: 'webhook-incoming',
      name: 'Incoming test with script and default content-type',
      enabled: true,
      alias: 'test',
      username: 'rocket.cat',
      scriptEnabled: true,
      overrideDestinationChannelEnabled: false,
      channel: '#general',
      script:
        'const buildMessage = (obj) => {\n' +
        '  \n' +
        '    const template = `[#VALUE](${ obj.test })`;\n' +
        '  \n' +
        '    return {\n' +
        '      text: template\n' +
        '    };\n' +
        '  };\n' +
        '  \n' +
        '  class Script {\n' +
        '    process_incoming_request({ request }) {\n' +
        '      msg = buildMessage(request.content);\n' +
        '  \n' +
        '      return {\n' +
        '        content:{\n' +
        '              text: msg.text\n' +
        '        }\n' +
        '      };\n' +
        '    }\n' +
        '  }\n' +
        '\t\t\t\t\t\n',
    });
    assert.equal(created.status, 200, created.text);
    assert.equal(created.body.success, true);
    const withScript = created.body.integration;
    // supertest's `.send(string)` labels the body as a form when no content type is set
    const r = await hook(withScript, undefined, { raw: JSON.stringify({ test: 'test' }), contentType: FORM });
    assert.equal(r.status, 200, r.text);
    const posted = (await messagesOf(admin, 'channels', h.generalId)).find((m) => m.msg === '[#VALUE](test)');
    assert.ok(posted, 'the message built by the script is in #general');
    assert.equal(posted.bot?.i, withScript._id);
    await removeIncoming(withScript._id);
  });

  test('#13 integrations.history needs an outgoing permission: 403', async () => {
    const r = await admin.get('integrations.history', { id: integration._id });
    assert.equal(r.status, 403);
    assert.equal(r.body.success, false);
    assert.equal(r.body.error, FORBIDDEN);
  });

  test('setup: a user with manage-incoming-integrations creates one', async () => {
    user = await rcCreateUser(rcAdmin);
    userClient = checked(await rcLogin(s.url, user.username, user.password));
    await setPermissions(rcAdmin, { inc: ['user'] });
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
    await setPermissions(rcAdmin, { inc: [], ownInc: ['user'] });
    const r = await userClient.get('integrations.list');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.success, true);
    assert.ok(!r.body.integrations.some((i: { _id: string }) => i._id === integration._id));
    assert.ok(r.body.integrations.some((i: { _id: string }) => i._id === integrationCreatedByAnUser._id));
    for (const key of ['offset', 'items', 'total']) assert.ok(key in r.body, key);
  });

  test('#16 without any of the four permissions, list is 403', async () => {
    await setPermissions(rcAdmin, { inc: [], ownInc: [], out: [] });
    const r = await admin.get('integrations.list');
    assert.equal(r.status, 403);
    assert.equal(r.body.success, false);
    assert.equal(r.body.error, FORBIDDEN);
  });

  test('#17 integrations.get without integrationId: invalid-params', async () => {
    const r = await admin.get('integrations.get');
    assert.equal(r.status, 400);
    assert.equal(r.body.success, false);
    assert.equal(r.body.error, "must have required property 'integrationId' [invalid-params]");
  });

  test('#18 get without the permission: not-authorized', async () => {
    await setPermissions(rcAdmin, { inc: [] });
    const r = await admin.get('integrations.get', { integrationId: integration._id });
    assert.equal(r.status, 400);
    assert.equal(r.body.success, false);
    assert.equal(r.body.error, 'not-authorized');
  });

  test("#19 nor someone else's", async () => {
    await setPermissions(rcAdmin, { inc: [] });
    const r = await admin.get('integrations.get', { integrationId: integrationCreatedByAnUser._id });
    assert.equal(r.status, 400);
    assert.equal(r.body.success, false);
    assert.equal(r.body.error, 'not-authorized');
  });

  test('#20 an unknown id: The integration does not exists.', async () => {
    await setPermissions(rcAdmin, { inc: ['admin'] });
    const r = await admin.get('integrations.get', { integrationId: 'invalid' });
    assert.equal(r.status, 400);
    assert.equal(r.body.success, false);
    assert.equal(r.body.error, 'The integration does not exists.');
  });

  test('#21 a user with the own permission gets theirs', async () => {
    await setPermissions(rcAdmin, { inc: [], ownInc: ['user'] });
    const r = await userClient.get('integrations.get', { integrationId: integrationCreatedByAnUser._id });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.success, true);
    assert.equal(r.body.integration._id, integrationCreatedByAnUser._id);
  });

  test('#22 the admin with manage-incoming-integrations gets its own', async () => {
    await setPermissions(rcAdmin, { inc: ['admin'] });
    const r = await admin.get('integrations.get', { integrationId: integration._id });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.success, true);
    assert.equal(r.body.integration._id, integration._id);
  });

  describe('[/integrations.update]', () => {
    let sender: RcUser;

    before(async () => {
      // upstream's `senderUser`, logged in for its id
      sender = await rcCreateUser(rcAdmin);
      const login = await rcLogin(s.url, sender.username, sender.password);
      assert.equal(login.userId, sender._id);
    });

    test('#23 update changes name and alias', async () => {
      const r = await admin.put('integrations.update', { ...B, name: 'Incoming test updated', alias: 'test updated', scriptEnabled: true, integrationId: integration._id });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.success, true);
      assert.equal(r.body.integration._id, integration._id);
      assert.equal(r.body.integration.name, 'Incoming test updated');
      assert.equal(r.body.integration.alias, 'test updated');
      integration = r.body.integration;
    });

    test('#24 and get shows the change', async () => {
      const r = await admin.get('integrations.get', { integrationId: integration._id });
      assert.equal(r.status, 200);
      assert.equal(r.body.success, true);
      assert.equal(r.body.integration._id, integration._id);
      assert.equal(r.body.integration.name, 'Incoming test updated');
      assert.equal(r.body.integration.alias, 'test updated');
    });

    test('#24a a new username changes the post-as user: username and userId', async () => {
      const r = await admin.put('integrations.update', {
        type: 'webhook-incoming',
        name: 'Incoming test updated x2',
        enabled: true,
        alias: 'test updated x2',
        username: sender.username,
        scriptEnabled: true,
        overrideDestinationChannelEnabled: true,
        channel: '#general',
        integrationId: integration._id,
      });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.success, true);
      assert.equal(r.body.integration._id, integration._id);
      assert.equal(r.body.integration.name, 'Incoming test updated x2');
      assert.equal(r.body.integration.alias, 'test updated x2');
      assert.equal(r.body.integration.username, sender.username);
      assert.equal(r.body.integration.userId, sender._id);
      assert.equal(r.body.integration.token, integration.token, 'the token never changes');
      integration = r.body.integration;
    });

    test('#24b the hook then posts as the new post-as user', async () => {
      const text = unique('Message sent successfully at');
      const r = await hook(integration, { text });
      assert.equal(r.status, 200, r.text);
      const message = (await messagesOf(admin, 'channels', h.generalId)).find((m) => m.msg === text);
      assert.ok(message, 'the message is in #general');
      assert.equal(message.u.username, sender.username);
      assert.equal(message.alias, 'test updated x2');
    });
  });

  test('#25 remove without the permission: 403', async () => {
    await setPermissions(rcAdmin, { inc: [] });
    const r = await admin.post('integrations.remove', { integrationId: integration._id, type: 'webhook-incoming' });
    assert.equal(r.status, 403);
    assert.equal(r.body.success, false);
    assert.equal(r.body.error, FORBIDDEN);
  });

  test('#26 nor with the own permission taken away: 403', async () => {
    await setPermissions(rcAdmin, { ownInc: [] });
    const r = await admin.post('integrations.remove', { integrationId: integration._id, type: 'webhook-incoming' });
    assert.equal(r.status, 403);
    assert.equal(r.body.success, false);
    assert.equal(r.body.error, FORBIDDEN);
  });

  test('#27 remove with an invalid type: the oneOf mismatch', async () => {
    await setPermissions(rcAdmin, { ownInc: ['admin'] });
    const r = await admin.post('integrations.remove', { integrationId: integration._id, type: 'invalid-type' });
    assert.equal(r.status, 400);
    assert.equal(r.body.success, false);
    assert.ok(r.body.error.includes('must match exactly one schema in oneOf'), r.body.error);
  });

  test('#28 removed', async () => {
    await setPermissions(rcAdmin, { inc: ['admin'] });
    const r = await admin.post('integrations.remove', { integrationId: integration._id, type: integration.type });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.success, true);
    // the URL died with it
    const gone = await hook(integration, { text: 'gone' });
    assert.deepEqual([gone.status, gone.body], [400, { success: false, error: 'Invalid integration id or token provided.' }], '§7.2: an unknown id');
  });

  test('#29 a user removes their own', async () => {
    await setPermissions(rcAdmin, { ownInc: ['user'] });
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
    poster = await rcCreateUser(rcAdmin);
    const p = await admin.post('groups.create', { name: `private-${Date.now()}-${randomBytes(3).toString('hex')}` });
    assert.equal(p.status, 200, p.text);
    privateRoom = p.body.group;
    const c = await admin.post('channels.create', { name: `public-${Date.now()}-${randomBytes(3).toString('hex')}` });
    assert.equal(c.status, 200, c.text);
    publicRoom = c.body.channel;
    await setPermissions(rcAdmin, { inc: ['admin'] });
    const base = { type: 'webhook-incoming', enabled: true, username: poster.username, scriptEnabled: false, overrideDestinationChannelEnabled: false };
    const r2 = await admin.post('integrations.create', { ...base, name: 'i2', alias: 'Incoming test 2 - Sending Messages', channel: `#${privateRoom.name}` });
    assert.equal(r2.status, 200, r2.text);
    i2 = r2.body.integration;
    const r4 = await admin.post('integrations.create', { ...base, name: 'i4', alias: 'Incoming test 4 - Sending Messages', channel: `#${publicRoom.name}` });
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
    assert.equal(r.body.error, 'error-not-allowed');
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

/**
 * What the reference answers where the tables leave it open (its executeIntegrationRest,
 * processWebhookMessage, add/updateIncomingIntegration), brought up by #12a and #24a.
 */
describe('the reference behaviours behind the cases', () => {
  let privateRoom: { _id: string; name: string };
  const scripted = async (script: string, extra: Record<string, unknown> = {}) => {
    const r = await admin.post('integrations.create', { ...B, name: 'scripted', scriptEnabled: true, overrideDestinationChannelEnabled: false, script, ...extra });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.integration.scriptError, undefined, 'the script compiled');
    return r.body.integration as { _id: string; token: string };
  };
  const returning = (result: string) => scripted(`class Script { process_incoming_request({ request }) { return ${result}; } }`);

  before(async () => {
    await setPermissions(rcAdmin, { inc: ['admin'], ownInc: ['admin'] });
    const p = await admin.post('groups.create', { name: `only-admin-${Date.now()}-${randomBytes(3).toString('hex')}` });
    assert.equal(p.status, 200, p.text);
    privateRoom = p.body.group;
  });

  test('content without text or attachments: 200 {success: true} (or the script response), nothing posted', async () => {
    const used: string[] = [];
    for (const result of ['{ content: {} }', '{ content: { text: "" } }', '{ content: [] }', '{ content: { alias: "x", emoji: ":ghost:" } }']) {
      const i = await returning(result);
      used.push(i._id);
      const r = await hook(i, { text: 'ignored by the script' });
      assert.deepEqual([r.status, r.body], [200, { success: true }], result);
    }
    const withResponse = await returning('{ content: { text: request.content.nothing }, response: { seen: true } }');
    const r = await hook(withResponse, { text: 'x' });
    assert.deepEqual([r.status, r.body], [200, { seen: true, success: true }]);
    used.push(withResponse._id);
    const posted = (await messagesOf(admin, 'channels', h.generalId)).filter((m) => m.bot && used.includes(m.bot.i));
    assert.deepEqual(posted, [], 'nothing was posted');
  });

  test('without a script too: a payload without text is answered as a post, nothing posted', async () => {
    const created = await admin.post('integrations.create', { ...B, name: 'plain', overrideDestinationChannelEnabled: false });
    assert.equal(created.status, 200, created.text);
    const plain = created.body.integration;
    for (const body of [{ foo: 'bar' }, { text: '   ' }, { attachments: [] }]) {
      const r = await hook(plain, body);
      assert.deepEqual([r.status, r.body], [200, { success: true }], JSON.stringify(body));
    }
    assert.ok(!(await messagesOf(admin, 'channels', h.generalId)).some((m) => m.bot?.i === plain._id), 'nothing was posted');
  });

  test('content without text is still checked as a post: the override rule, the destination', async () => {
    const override = await returning(`{ content: { channel: '#${testChannel.name}' } }`);
    const o = await hook(override, { text: 'x' });
    assert.deepEqual([o.status, o.body], [400, { success: false, error: OVERRIDE_DISABLED }]);
    const i = await scripted('class Script { process_incoming_request() { return { content: {} }; } }', { channel: `#${privateRoom.name}`, username: 'rocket.cat' });
    const r = await hook(i, { text: 'x' });
    assert.deepEqual([r.status, r.body], [400, { success: false, error: 'error-not-allowed' }], 'rocket.cat is not in the private group');
    assert.ok(!(await membersOf(admin, 'groups', privateRoom._id)).includes('rocket.cat'));
  });

  test('content with attachments only: posted', async () => {
    const title = unique('attachment only');
    const i = await returning(`{ content: { attachments: [{ title: ${JSON.stringify(title)} }] } }`);
    const r = await hook(i, { text: 'x' });
    assert.deepEqual([r.status, r.body], [200, { success: true }]);
    assert.ok((await messagesOf(admin, 'channels', h.generalId)).some((x) => x.bot?.i === i._id));
  });

  test('a truthy result without object content: 400 error-running-script (the reference reads `in` on it)', async () => {
    for (const result of ['{ response: { a: 1 } }', 'true', '"text"', '["a"]', '{ content: "a string" }', '{ content: 1 }', '{ content: null, text: "x" }']) {
      const i = await returning(result);
      const r = await hook(i, { text: 'x' });
      assert.deepEqual([r.status, r.body], [400, { success: false, error: 'error-running-script' }], result);
    }
    for (const result of ['false', 'null', '0', '""', 'undefined']) {
      const i = await returning(result);
      const r = await hook(i, { text: 'x' });
      assert.deepEqual([r.status, r.body], [200, { success: true }], result);
    }
  });

  test('a script response wins over separateResponse; a falsy one is {success: true}', async () => {
    const i = await scripted(
      'class Script { process_incoming_request({ request }) { return { content: { text: "x", channel: ["#general", "#no-such-room"], separateResponse: true }, response: request.content.r }; } }',
      { overrideDestinationChannelEnabled: true },
    );
    const withResponse = await hook(i, { r: { custom: 1 } });
    assert.deepEqual([withResponse.status, withResponse.body], [200, { custom: 1, success: true }]);
    const falsy = await hook(i, { r: 0 });
    assert.equal(falsy.status, 200);
    assert.equal(falsy.body.success, true);
    assert.deepEqual(
      falsy.body.responses.map((x: { channel: string; error?: string }) => [x.channel, x.error ?? 'posted']),
      [
        ['#general', 'posted'],
        ['#no-such-room', 'invalid-channel'],
      ],
    );
  });

  test('exact error strings of create and update', async () => {
    const blank = await admin.post('integrations.create', { ...B, channel: '  ' });
    assert.deepEqual([blank.status, blank.body], [400, { success: false, error: 'Invalid channel [error-invalid-channel]', errorType: 'error-invalid-channel' }]);
    const sigil = await admin.post('integrations.create', { ...B, channel: 'general' });
    assert.equal(sigil.body.error, 'Invalid channel. Start with @ or # [error-invalid-channel-start-with-chars]');
    const nobody = await admin.post('integrations.create', { ...B, username: 'no.such.user' });
    assert.equal(nobody.body.error, 'Invalid user [error-invalid-user]');

    const unknown = await admin.put('integrations.update', { ...B, integrationId: 'does-not-exist' });
    assert.deepEqual([unknown.status, unknown.body], [400, { success: false, error: 'No integration found.' }]);
    const created = await admin.post('integrations.create', B);
    const id = created.body.integration._id;
    const blankUpdate = await admin.put('integrations.update', { ...B, integrationId: id, channel: '' });
    assert.equal(blankUpdate.body.error, 'Invalid channel [error-invalid-channel]');
    const postAs = await admin.put('integrations.update', { ...B, integrationId: id, username: 'no.such.user' });
    assert.deepEqual([postAs.status, postAs.body], [400, { success: false, error: 'Invalid Post As User [error-invalid-post-as-user]', errorType: 'error-invalid-post-as-user' }]);
    const room = await admin.put('integrations.update', { ...B, integrationId: id, username: 'no.such.user', channel: '#no-such-room' });
    assert.equal(room.body.error, 'Invalid room [error-invalid-room]', 'update checks the rooms before the post-as user');

    // Someone else's, with the own permission only: found, then refused by the method's own lookup.
    const other = await rcCreateUser(rcAdmin);
    const otherClient = checked(await rcLogin(s.url, other.username, other.password));
    await setPermissions(rcAdmin, { inc: [], ownInc: ['user', 'admin'] });
    const theirs = await otherClient.put('integrations.update', { ...B, integrationId: id });
    assert.deepEqual([theirs.status, theirs.body], [400, { success: false, error: 'Invalid integration [error-invalid-integration]', errorType: 'error-invalid-integration' }]);
    const notTheirs = await otherClient.post('integrations.remove', { type: 'webhook-incoming', integrationId: id });
    assert.deepEqual([notTheirs.status, notTheirs.body], [400, { success: false, error: 'Invalid integration [error-invalid-integration]', errorType: 'error-invalid-integration' }]);
    const gone = await otherClient.post('integrations.remove', { type: 'webhook-incoming', integrationId: 'does-not-exist' });
    assert.deepEqual([gone.status, gone.body], [400, { success: false, error: 'No integration found.' }]);
    await setPermissions(rcAdmin, { inc: ['admin'], ownInc: ['admin'] });
  });
});
