/**
 * Incoming webhooks through real HTTP (docs/integrations.md §7, §12.1 #7–#12 and #30–#34, §12.4): the
 * `/hooks` URL forms, body parsing, destinations, impersonation, attachments, separateResponse,
 * token checks, scripts (results, failures, limits, sloppy mode) and the incoming history.
 * Rate limits are off here (HOOK_RATE_LIMITS=off); incoming-hooks-forms.test.ts covers them.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createUser, http, startTestServer, tamper, type Client, type Reply, type TestServer } from '../support/helpers.js';
import type { IntegrationDoc } from '../../src/domain/integrations/document.js';
import type { Message, User } from '../../src/domain/model.js';

let server: TestServer;
let owner: User;
let ownerUsername: string;

before(async () => {
  server = await startTestServer({ env: { HOOK_RATE_LIMITS: 'off', SCRIPT_CALL_MS: '400', SCRIPT_MEMORY_MB: '8' } });
  owner = (await server.sb.store.user(server.workspaceId, server.ownerId))!;
  ownerUsername = owner.username;
});
after(async () => {
  await server.close();
});

let seq = 0;
const unique = (label = 'msg') => `${label}-${Date.now().toString(36)}-${++seq}`;

/** An incoming integration created through the core's service (the REST face is tested elsewhere). */
async function incoming(fields: Record<string, unknown> = {}, actor: User = owner): Promise<IntegrationDoc> {
  return server.sb.core.integrations.create(actor, {
    type: 'webhook-incoming',
    name: unique('hook'),
    enabled: true,
    username: ownerUsername,
    channel: '#general',
    scriptEnabled: false,
    ...fields,
  });
}

const hookPath = (doc: Pick<IntegrationDoc, '_id' | 'token'>) => `/hooks/${doc._id}/${doc.token}`;
const postHook = (doc: Pick<IntegrationDoc, '_id' | 'token'>, body: unknown, headers: Record<string, string> = {}): Promise<Reply> =>
  http(server.url, 'POST', hookPath(doc), { body, headers });

async function messagesIn(channelId: string, limit = 20): Promise<Message[]> {
  return server.sb.store.messagePage({ channelId, threadRootId: null, cursor: null, direction: 'older', limit });
}
async function findMessage(channelId: string, text: string): Promise<Message | undefined> {
  return (await messagesIn(channelId, 50)).find((m) => m.text === text);
}

async function channel(client: Client, name: string, type: 'PUBLIC' | 'PRIVATE' = 'PUBLIC'): Promise<string> {
  const r = await client.post('/v1/channels', { name, type });
  assert.equal(r.status, 200, r.text);
  return (r.body.channel?.id ?? r.body.id) as string;
}

async function setImpersonation(roles: string[]): Promise<void> {
  await server.sb.core.roles.update(owner, [{ _id: 'message-impersonate', roles }]);
}

describe('posting (§7.4, §7.5, §12.1 #7–#12)', () => {
  test('a JSON payload posts to the integration channel, tagged and in Switchboard markup', async () => {
    const doc = await incoming({ alias: 'Deploy bot' });
    const tag = unique();
    const r = await postHook(doc, { text: `*bold* and _it_ ${tag}` });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body, { success: true });
    const stored = (await messagesIn(server.generalId)).find((m) => m.text.includes(tag));
    assert.ok(stored, 'the message is in #general');
    assert.match(stored.text, /^\*\*bold\*\* and \*it\*/);
    assert.equal(stored.authorId, owner.id);
    assert.deepEqual(stored.bot, { i: doc._id });
    assert.equal(stored.alias, 'Deploy bot');
  });

  test('a destination override is refused unless enabled (#8, #9)', async () => {
    const doc = await incoming();
    const text = unique();
    for (const body of [{ text, channel: ['general'] }, { text, roomId: server.generalId }]) {
      const r = await postHook(doc, body);
      assert.equal(r.status, 400);
      assert.deepEqual(r.body, { success: false, error: 'overriding destination channel is disabled for this integration' });
    }
    assert.equal(await findMessage(server.generalId, text), undefined);
  });

  test('with the override enabled, a bare name in an array is a channel (#11)', async () => {
    const name = unique('chan');
    const id = await channel(server.owner, name);
    const doc = await incoming({ overrideDestinationChannelEnabled: true });
    const text = unique();
    const r = await postHook(doc, { text, channel: [name] });
    assert.equal(r.status, 200, r.text);
    assert.ok(await findMessage(id, text));
  });

  test('payload= forms: raw (not encoded, #12) and URL-encoded with special characters', async () => {
    const doc = await incoming();
    const raw = unique('raw');
    const r1 = await http(server.url, 'POST', hookPath(doc), { raw: `payload={"msg":"${raw}"}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(r1.status, 200, r1.text);
    assert.ok(await findMessage(server.generalId, raw));

    const encoded = `${unique('enc')} & 100% = done?`;
    const body = 'payload=' + encodeURIComponent(JSON.stringify({ text: encoded }));
    const r2 = await http(server.url, 'POST', hookPath(doc), { raw: body, headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' } });
    assert.equal(r2.status, 200, r2.text);
    assert.ok(await findMessage(server.generalId, encoded));

    const broken = await http(server.url, 'POST', hookPath(doc), { raw: 'payload={not json', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(broken.status, 400);
    assert.equal(broken.body.success, false);
    assert.equal(typeof broken.body.error, 'string');
  });

  test('JSON without a content type, GET without a body, and an empty body', async () => {
    const doc = await incoming();
    const text = unique('noct');
    const r = await http(server.url, 'POST', hookPath(doc), { raw: JSON.stringify({ text }) });
    assert.equal(r.status, 200, r.text);
    assert.ok(await findMessage(server.generalId, text));
    const get = await http(server.url, 'GET', hookPath(doc) + '?text=ignored');
    assert.deepEqual([get.status, get.body], [200, { success: true }]);
    const empty = await http(server.url, 'POST', hookPath(doc), { raw: '', headers: { 'content-type': 'application/json' } });
    assert.deepEqual([empty.status, empty.body], [200, { success: true }]);
  });

  test('the legacy URL with a user id segment works; the user id is ignored', async () => {
    const doc = await incoming();
    const text = unique();
    const r = await http(server.url, 'POST', `/hooks/${doc._id}/someone/${doc.token}`, { body: { text } });
    assert.equal(r.status, 200, r.text);
    assert.ok(await findMessage(server.generalId, text));
  });

  test('text over 10,000 characters is refused; a body over 1 MiB is 413', async () => {
    const doc = await incoming();
    const long = await postHook(doc, { text: 'x'.repeat(10_001) });
    assert.deepEqual([long.status, long.body], [400, { success: false, error: 'error-message-size-exceeded' }]);
    const huge = await postHook(doc, { text: 'y'.repeat(1024 * 1024 + 10) });
    assert.equal(huge.status, 413);
    assert.equal(huge.body.success, false);
  });

  test('NUL characters are refused, as on every route of the server', async () => {
    const doc = await incoming();
    const r = await http(server.url, 'POST', hookPath(doc), { raw: '{"text":"a\\u0000b"}', headers: { 'content-type': 'application/json' } });
    assert.equal(r.status, 400);
    assert.match(r.body.error, /NUL/);
    const form = await http(server.url, 'POST', hookPath(doc), { raw: 'text=a%00b&x=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(form.status, 400);
  });

  test('a message to a thread (tmid), and Slack thread_ts only when it names a message there', async () => {
    const doc = await incoming();
    const root = await server.owner.post(`/v1/channels/${server.generalId}/messages`, { text: unique('root') });
    assert.equal(root.status, 200, root.text);
    const rootId = root.body.id as string;
    const reply = unique('reply');
    assert.equal((await postHook(doc, { text: reply, tmid: rootId })).status, 200);
    const replies = await server.sb.store.messagePage({ channelId: server.generalId, threadRootId: rootId, cursor: null, direction: 'older', limit: 10 });
    assert.ok(replies.some((m) => m.text === reply));

    const viaTs = unique('ts');
    assert.equal((await postHook(doc, { text: viaTs, thread_ts: rootId })).status, 200);
    const again = await server.sb.store.messagePage({ channelId: server.generalId, threadRootId: rootId, cursor: null, direction: 'older', limit: 10 });
    assert.ok(again.some((m) => m.text === viaTs));

    const ignored = unique('ts-ignored');
    assert.equal((await postHook(doc, { text: ignored, thread_ts: '1700000000.000100' })).status, 200);
    assert.equal((await findMessage(server.generalId, ignored))?.threadRootId, null);

    const bad = await postHook(doc, { text: unique(), tmid: '0123456789abcdef01234567' });
    assert.equal(bad.status, 400);
  });

  test('@username and a bare user id lead to the DM with that person, created if needed', async () => {
    const peer = await createUser(server.owner, 'MEMBER');
    const peerUser = (await server.sb.store.user(server.workspaceId, peer.userId))!;
    const doc = await incoming({ overrideDestinationChannelEnabled: true });
    const text = unique('dm');
    assert.equal((await postHook(doc, { text, channel: `@${peerUser.username}` })).status, 200);
    const dm = await server.sb.core.channels.findDirect(owner, [peer.userId]);
    assert.ok(await findMessage(dm.channel.id, text));
    const byId = unique('dm-id');
    assert.equal((await postHook(doc, { text: byId, channel: peer.userId })).status, 200);
    assert.ok(await findMessage(dm.channel.id, byId));
    const nobody = await postHook(doc, { text, channel: '@no-such-user' });
    assert.deepEqual([nobody.status, nobody.body], [400, { success: false, error: 'invalid-channel' }]);
  });
});

describe('impersonation (§5, §7.5)', () => {
  test('username, icon_url and icon_emoji become alias, avatar and emoji', async () => {
    const doc = await incoming();
    const a = unique('alias');
    assert.equal((await postHook(doc, { text: a, username: 'Jenkins', icon_url: 'https://example.com/j.png', icon_emoji: ':robot:' })).status, 200);
    const m1 = (await findMessage(server.generalId, a))!;
    assert.deepEqual([m1.alias, m1.avatar, m1.emoji], ['Jenkins', 'https://example.com/j.png', null]);
    const b = unique('emoji');
    assert.equal((await postHook(doc, { text: b, alias: 'CI', emoji: ':ghost:' })).status, 200);
    const m2 = (await findMessage(server.generalId, b))!;
    assert.deepEqual([m2.alias, m2.avatar, m2.emoji], ['CI', null, ':ghost:']);
    const bad = await postHook(doc, { text: unique(), icon_url: 'javascript:alert(1)' });
    assert.deepEqual([bad.status, bad.body], [400, { success: false, error: 'Invalid href value provided' }]);
  });

  test('without message-impersonate an override is refused and nothing is posted; plain text still posts', async () => {
    const doc = await incoming();
    await setImpersonation([]);
    try {
      const text = unique('imp');
      const r = await postHook(doc, { text, username: 'Someone else' });
      assert.deepEqual([r.status, r.body], [400, { success: false, error: 'Not enough permission' }]);
      assert.equal(await findMessage(server.generalId, text), undefined);
      const plain = unique('plain');
      assert.equal((await postHook(doc, { text: plain })).status, 200);
      assert.ok(await findMessage(server.generalId, plain));
    } finally {
      await setImpersonation(['bot', 'app']);
    }
  });
});

describe('attachments (§7.6)', () => {
  test('valid attachments are stored, sanitized; invalid ones refuse the message', async () => {
    const doc = await incoming();
    const text = unique('att');
    const r = await postHook(doc, {
      text,
      attachments: [{ color: 'good', title: 'Build', title_link: 'https://ci.example.com/1', msg: ' passed ', fields: [{ title: 'Branch', value: 'main', short: true }], unknown: 'dropped' }],
    });
    assert.equal(r.status, 200, r.text);
    const m = (await findMessage(server.generalId, text))!;
    assert.deepEqual(m.attachments, [{ color: '#2eb886', text: 'passed', title: 'Build', title_link: 'https://ci.example.com/1', fields: [{ title: 'Branch', value: 'main', short: true }] }]);

    const onlyAttachment = await postHook(doc, { attachments: [{ text: unique('only') }] });
    assert.equal(onlyAttachment.status, 200, onlyAttachment.text);

    const href = await postHook(doc, { text: unique(), attachments: [{ title_link: 'javascript:alert(1)' }] });
    assert.deepEqual([href.status, href.body], [400, { success: false, error: 'Invalid href value provided' }]);
    const field = await postHook(doc, { text: unique(), attachments: [{ fields: [{ title: 'no value' }] }] });
    assert.deepEqual([field.status, field.body], [400, { success: false, error: 'Invalid attachment field, title and value is required' }]);
    const nothing = await postHook(doc, { text: '   ' });
    assert.deepEqual([nothing.status, nothing.body], [200, { success: true }]);
  });
});

describe('several destinations and separateResponse (§7.4 step 8, §7.5 atomicity)', () => {
  test('mixed results: per-channel answers, the good channel posted', async () => {
    const doc = await incoming({ overrideDestinationChannelEnabled: true });
    const text = unique('sep');
    const r = await postHook(doc, { text, channel: ['#general', '#no-such-channel'], separateResponse: true });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.success, true);
    assert.equal(r.body.responses.length, 2);
    assert.equal(r.body.responses[0].channel, '#general');
    assert.equal(r.body.responses[0].message.text, text);
    assert.deepEqual(r.body.responses[1], { channel: '#no-such-channel', error: 'invalid-channel' });
    assert.ok(await findMessage(server.generalId, text));
  });

  test('every channel failed → 400 with the responses', async () => {
    const doc = await incoming({ overrideDestinationChannelEnabled: true });
    const r = await postHook(doc, { text: unique(), channel: ['#nope-1', '#nope-2'], separateResponse: true });
    assert.equal(r.status, 400);
    assert.deepEqual(r.body, { success: false, responses: [{ channel: '#nope-1', error: 'invalid-channel' }, { channel: '#nope-2', error: 'invalid-channel' }] });
  });

  test('without separateResponse one bad channel posts nothing anywhere; one room named twice gets one message', async () => {
    const doc = await incoming({ overrideDestinationChannelEnabled: true });
    const text = unique('atomic');
    const r = await postHook(doc, { text, channel: ['#general', '#missing-room'] });
    assert.deepEqual([r.status, r.body], [400, { success: false, error: 'invalid-channel' }]);
    assert.equal(await findMessage(server.generalId, text), undefined);

    const twice = unique('twice');
    assert.equal((await postHook(doc, { text: twice, channel: ['#general', 'general', `#${server.generalId}`] })).status, 200);
    assert.equal((await messagesIn(server.generalId, 50)).filter((m) => m.text === twice).length, 1);
  });
});

describe('authentication and state (§7.2)', () => {
  test('unknown id, wrong or modified token → 400; a percent-encoded token is decoded; disabled → 503', async () => {
    const doc = await incoming();
    const invalid = { success: false, error: 'Invalid integration id or token provided.' };
    for (const path of [`/hooks/${doc._id}/${tamper(doc.token)}`, `/hooks/${doc._id}/${doc.token}x`, `/hooks/0123456789abcdef01234567/${doc.token}`, `/hooks/${doc._id}/%E0%A4%A0`]) {
      const r = await http(server.url, 'POST', path, { body: { text: 'x' } });
      assert.deepEqual([r.status, r.body], [400, invalid], path);
    }
    const encoded = `/hooks/${doc._id}/${doc.token.split('').map((c) => '%' + c.charCodeAt(0).toString(16)).join('')}`;
    assert.equal((await http(server.url, 'POST', encoded, { body: { text: unique() } })).status, 200);

    const disabled = await incoming({ enabled: false });
    const r = await postHook(disabled, { text: 'x' });
    assert.deepEqual([r.status, r.body], [503, { success: false, error: 'Service Unavailable' }]);
  });

  test('an outgoing integration’s id and token are not a hook', async () => {
    const out = await server.sb.core.integrations.create(owner, {
      type: 'webhook-outgoing',
      name: unique('out'),
      enabled: true,
      event: 'sendMessage',
      username: ownerUsername,
      urls: ['https://example.com/hook'],
      channel: '#general',
      triggerWords: ['!never'],
      scriptEnabled: false,
    });
    const r = await http(server.url, 'POST', `/hooks/${out._id}/${out.token}`, { body: { text: 'x' } });
    assert.equal(r.status, 400);
  });

  test('delivery permissions: private refused without auto-join, public auto-joined; modified tokens refused for both (#30–#34)', async () => {
    const n = await createUser(server.owner, 'MEMBER');
    const nUser = (await server.sb.store.user(server.workspaceId, n.userId))!;
    const privName = unique('private');
    const pubName = unique('public');
    const privId = await channel(server.owner, privName, 'PRIVATE');
    const pubId = await channel(server.owner, pubName, 'PUBLIC');
    const i2 = await incoming({ username: nUser.username, channel: `#${privName}` });
    const i4 = await incoming({ username: nUser.username, channel: `#${pubName}` });

    for (const doc of [i2, i4]) {
      const r = await http(server.url, 'POST', `/hooks/${doc._id}/${tamper(doc.token)}`, { body: { text: 'tampered' } });
      assert.equal(r.status, 400);
    }

    const text = unique('priv');
    const r30 = await postHook(i2, { text });
    assert.deepEqual([r30.status, r30.body], [400, { success: false, error: 'error-not-allowed' }]);
    assert.equal(await findMessage(privId, text), undefined);
    assert.equal(await server.sb.store.isMember(privId, n.userId), false, 'never auto-joined to a private channel');

    const pubText = unique('pub');
    const r34 = await postHook(i4, { text: pubText });
    assert.equal(r34.status, 200, r34.text);
    assert.ok(await findMessage(pubId, pubText));
    assert.equal(await server.sb.store.isMember(pubId, n.userId), true, 'auto-joined to the public channel');
  });

  test('archived channels take no posts', async () => {
    const name = unique('arch');
    const id = await channel(server.owner, name);
    const doc = await incoming({ channel: `#${name}` });
    await server.sb.core.channels.archive(owner, id);
    const r = await postHook(doc, { text: unique() });
    assert.deepEqual([r.status, r.body], [400, { success: false, error: 'error-not-allowed' }]);
  });
});

describe('CORS and the other /hooks URLs (§7.1)', () => {
  test('CORS headers and preflight', async () => {
    const doc = await incoming();
    const r = await postHook(doc, { text: unique() }, { origin: 'https://example.org' });
    assert.equal(r.headers.get('access-control-allow-origin'), '*');
    const pre = await fetch(`${server.url}${hookPath(doc)}`, { method: 'OPTIONS', headers: { origin: 'https://example.org', 'access-control-request-method': 'POST' } });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-origin'), '*');
    assert.match(pre.headers.get('access-control-allow-methods') ?? '', /POST/);
  });

  test('info and sample', async () => {
    const doc = await incoming();
    const info = await http(server.url, 'GET', `/hooks/info/${doc._id}/${doc.token}`);
    assert.deepEqual([info.status, info.body], [200, { success: true }]);
    const bad = await http(server.url, 'GET', `/hooks/info/${doc._id}/wrong`);
    assert.equal(bad.status, 400);
    const sample = await http(server.url, 'GET', `/hooks/sample/${doc._id}/${doc.token}`);
    assert.equal(sample.status, 200);
    assert.equal(sample.body.length, 3);
    assert.deepEqual(
      sample.body.map((s: Record<string, unknown>) => [s.text, s.channel_name, s.channel_id, s.user_name, s.trigger_word]),
      [1, 2, 3].map((n) => [`Sample text ${n}`, 'general', server.generalId, 'rocket.cat', 'Sample']),
    );
    const legacy = await http(server.url, 'GET', `/hooks/sample/${doc._id}/someone/${doc.token}`);
    assert.equal(legacy.status, 200);
  });

  test('REST hooks: add creates an outgoing integration owned by the post-as user, remove deletes it', async () => {
    const doc = await incoming();
    const target = `https://example.com/rest-hook/${unique()}`;
    const add = await http(server.url, 'POST', `/hooks/add/${doc._id}/${doc.token}`, {
      body: { event: 'newMessageOnChannel', name: 'Zap', target_url: target, data: { channel_name: 'general', trigger_words: 'deploy' } },
    });
    assert.deepEqual([add.status, add.body], [200, { success: true }]);
    const outgoing = await server.sb.store.integrations.ofType(server.workspaceId, 'webhook-outgoing', 'sendMessage');
    const created = outgoing.find((d) => d.urls?.includes(target));
    assert.ok(created, 'the outgoing integration exists');
    assert.equal(created._createdBy._id, owner.id);
    const remove = await http(server.url, 'POST', `/hooks/remove/${doc._id}/${doc.token}`, { body: { target_url: target } });
    assert.deepEqual([remove.status, remove.body], [200, { success: true }]);
    const left = await server.sb.store.integrations.ofType(server.workspaceId, 'webhook-outgoing', 'sendMessage');
    assert.equal(left.some((d) => d.urls?.includes(target)), false);
  });
});
