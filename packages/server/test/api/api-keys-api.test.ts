/**
 * The API addon's public API (docs/api-keys.md §5–§8) driven as its clients drive it: only the
 * `ApiKey` / `Api-Key` header, JSON bodies, query parameters, 403 bodies with `code`.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Validator } from '@seriousme/openapi-schema-validator';
import { createUser, http, startTestServer, type Client, type TestServer } from '../support/helpers.js';
import { launchBrowser } from '../support/browser.js';

const run = promisify(execFile);
let s: TestServer;
let alice: Client;
let bob: Client;
let aliceKey: string;
let botId: string;
let appId: string;

function call(method: string, path: string, body?: unknown, key = aliceKey) {
  return http(s.url, method, `/addon/api-keys${path}`, { headers: { ApiKey: key }, ...(body !== undefined && { body }) });
}
const q = (params: Record<string, string | number>) => '?' + new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]));

/** §6: a 403 with a body both parsers read. */
function refused(r: { status: number; body: any; text: string }, code: number, message?: RegExp | string) {
  assert.equal(r.status, 403, r.text);
  assert.equal(r.body.code, code, r.text);
  assert.equal(typeof r.body.error, 'string');
  assert.equal(r.body.error, r.body.message);
  assert.equal(typeof r.body.localizedMessage, 'string');
  if (message instanceof RegExp) assert.match(r.body.message, message);
  else if (message) assert.equal(r.body.message, message);
}

before(async () => {
  s = await startTestServer();
  alice = await createUser(s.owner, 'MEMBER', 'Alice');
  bob = await createUser(s.owner, 'MEMBER', 'Bob');
  appId = (await s.owner.get('/v1/appDirectory')).body.find((a: any) => a.builtin).id;
  await s.owner.post(`/v1/appDirectory/${appId}/install`);
  await alice.post(`/v1/appDirectory/${appId}/install`);
  aliceKey = (await alice.post('/v1/apiKeys', { name: 'tests' })).body.key;
  botId = (await s.owner.get('/v1/appDirectory')).body.find((a: any) => a.id === appId).botUserId;
});
after(() => s.close());

describe('authentication', () => {
  test('ApiKey and Api-Key both work, in any case; no key, a wrong key, or two different keys are refused with 401000', async () => {
    for (const header of ['ApiKey', 'Api-Key', 'apikey', 'API-KEY']) {
      const r = await http(s.url, 'GET', '/addon/api-keys/myInfo', { headers: { [header]: aliceKey } });
      assert.equal(r.status, 200, `${header}: ${r.text}`);
    }
    refused(await http(s.url, 'GET', '/addon/api-keys/myInfo'), 401000, 'Invalid or missing API key');
    refused(await call('GET', '/myInfo', undefined, 'sbk_' + 'A'.repeat(43)), 401000);
    refused(await call('GET', '/myInfo', undefined, s.owner.token), 401000, 'Invalid or missing API key');
    const both = await http(s.url, 'GET', '/addon/api-keys/myInfo', { headers: { ApiKey: aliceKey, 'Api-Key': 'sbk_other' } });
    refused(both, 401000, 'The Api-Key and ApiKey headers differ');
    const pt = await http(s.url, 'GET', '/addon/api-keys/myInfo', { headers: { 'accept-language': 'pt-BR,pt;q=0.9' } });
    assert.equal(pt.body.localizedMessage, 'Chave de API inválida ou ausente', 'no known user: Accept-Language');
  });

  test('with no known user, Accept-Language is negotiated by its q-weights', async () => {
    const cases: Array<[string, string]> = [
      ['pt-BR;q=0.2, es', 'Clave API no válida o ausente'],
      ['fr, pt;q=0.8, en;q=0.5', 'Chave de API inválida ou ausente'],
      ['es;q=0, en-GB', 'Invalid or missing API key'],
      ['de', 'Invalid or missing API key'],
    ];
    for (const [header, text] of cases) {
      const r = await http(s.url, 'GET', '/addon/api-keys/myInfo', { headers: { 'accept-language': header } });
      assert.equal(r.body.localizedMessage, text, header);
    }
  });

  test('CORS: any origin may call with the key headers', async () => {
    const pre = await fetch(`${s.url}/addon/api-keys/sendMessage`, {
      method: 'OPTIONS',
      headers: { origin: 'https://tool.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'apikey,content-type' },
    });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-origin'), '*');
    assert.match(pre.headers.get('access-control-allow-headers')!, /ApiKey/);
    const r = await call('GET', '/myInfo');
    assert.equal(r.headers.get('access-control-allow-origin'), '*');
  });

  test('unknown routes (makeFilePublic) are 404 with the error body', async () => {
    const r = await call('POST', '/makeFilePublic', {});
    assert.equal(r.status, 404);
    assert.equal(r.body.code, 404000);
  });
});

describe('users', () => {
  test('myInfo, listUsers (with the addon bot marked), customStatus, listUserGroups', async () => {
    const me = await call('GET', '/myInfo');
    assert.equal(me.body.id, alice.userId);
    assert.equal(me.body.role, 'MEMBER');
    assert.equal(me.body.status, 'ACTIVATED');
    assert.equal(me.body.workspaceId, s.workspaceId);
    assert.equal(me.body.isAddonBot, false);
    const users = await call('GET', '/listUsers');
    assert.equal(users.status, 200);
    assert.equal(users.body.find((u: any) => u.id === botId).isAddonBot, true);
    assert.equal(users.body.find((u: any) => u.id === s.ownerId).role, 'OWNER');

    const set = await call('POST', '/customStatus', { code: ':palm_tree:', status: 'Away', expiresAt: 0 });
    assert.equal(set.status, 200, set.text);
    assert.equal(set.text, '');
    assert.deepEqual((await call('GET', '/myInfo')).body.customStatus, { code: ':palm_tree:', status: 'Away', expiresAt: 0 });
    refused(await call('POST', '/customStatus', { code: 'palm_tree', expiresAt: 0 }), 400000);
    refused(await call('POST', '/customStatus', { code: ':x:', expiresAt: Date.now() - 1000 }), 400000);
    refused(await call('POST', '/customStatus', { code: ':x:' }), 400000, '[must not be null]');

    const group = await s.owner.post('/v1/workspaceUsers/groups', { name: 'Ops', handle: 'ops', workspaceUserIds: [alice.userId] });
    assert.equal(group.status, 200, group.text);
    const groups = await call('GET', '/listUserGroups');
    assert.equal(groups.status, 200, groups.text);
    assert.deepEqual(groups.body.map((g: any) => [g.name, g.handle, g.workspaceUserIds]), [['Ops', 'ops', [alice.userId]]]);
  });
});

describe('channels', () => {
  test('createChannel normalises the name; getChannel by id or #name; listChannels holds the owner\'s channels and DMs', async () => {
    const created = await call('POST', '/createChannel', { name: 'Release Notes', type: 'PUBLIC', description: 'changes' });
    assert.equal(created.status, 200, created.text);
    assert.equal(created.body.name, 'release-notes');
    const byId = await call('GET', `/getChannel${q({ channelId: created.body.id })}`);
    assert.equal(byId.body.channel.id, created.body.id);
    assert.equal(byId.body.channel.creatorId, alice.userId);
    assert.equal(typeof byId.body.channel.timestampMilli, 'number');
    const byName = await call('GET', `/getChannel${q({ channel: '#release-notes' })}`);
    assert.equal(byName.body.channel.id, created.body.id);
    refused(await call('GET', `/getChannel${q({ channel: 'nope' })}`), 404000, 'Channel not found');
    refused(await call('GET', '/getChannel'), 400000, '[must not be null]');
    refused(await call('POST', '/createChannel', { name: 'x' }), 400000, '[must not be null]');
    refused(await call('POST', '/createChannel', { name: 'y', type: 'SECRET' }), 400000);

    await call('POST', '/dmUser', { userId: bob.userId, text: 'hi bob' });
    const list = await call('GET', '/listChannels');
    assert.equal(list.status, 200);
    const types = list.body.map((c: any) => c.channel.channelType);
    assert.ok(types.includes('PUBLIC') && types.includes('DIRECT'));
    assert.ok(list.body.every((c: any) => c.channel.isMember), "only the owner's channels");
    const dm = list.body.find((c: any) => c.channel.channelType === 'DIRECT' && c.users.includes(bob.userId));
    assert.deepEqual([...dm.users].sort(), [alice.userId, bob.userId].sort());
    assert.ok(list.body.some((c: any) => c.channel.channelType === 'DIRECT' && c.users.includes(botId)), 'the DM with the API bot, where page keys arrive');
  });

  test('addUsersToChannel and removeUserFromChannel', async () => {
    const ch = (await call('POST', '/createChannel', { name: 'team', type: 'PRIVATE' })).body;
    const add = await call('POST', '/addUsersToChannel', { channelId: ch.id, userIds: [bob.userId] });
    assert.equal(add.status, 200, add.text);
    assert.equal(add.text, '');
    assert.ok((await bob.get('/v1/channels')).body.some((c: any) => c.channel.id === ch.id));
    const rm = await call('POST', '/removeUserFromChannel', { channelId: ch.id, userId: bob.userId });
    assert.equal(rm.status, 200, rm.text);
    assert.ok(!(await bob.get('/v1/channels')).body.some((c: any) => c.channel.id === ch.id));
    refused(await call('POST', '/addUsersToChannel', { channelId: ch.id }), 400000, '[must not be null]');
    const bobKey = await keyOf(bob);
    refused(await call('POST', '/addUsersToChannel', { channelId: ch.id, userIds: [bob.userId] }, bobKey), 404000);
  });
});

async function keyOf(c: Client) {
  await c.post(`/v1/appDirectory/${appId}/install`);
  return (await c.post('/v1/apiKeys', { name: `k-${Math.random()}` })).body.key as string;
}

describe('messages', () => {
  test('sendMessage by channelId or name, as the owner or as the bot (which joins public channels)', async () => {
    const sent = await call('POST', '/sendMessage', { channel: '#general', text: 'from a script' });
    assert.equal(sent.status, 200, sent.text);
    assert.equal(sent.body.channelId, s.generalId);
    const msg = await call('GET', `/fetchMessage${q({ messageId: sent.body.id, channelId: s.generalId })}`);
    assert.equal(msg.body.author, alice.userId);
    assert.equal(msg.body.text, 'from a script');
    assert.match(msg.body.timestamp, /^\d{4}-\d\d-\d\dT/);
    assert.equal(msg.body.authorAppId, undefined);

    const asBot = await call('POST', '/sendMessage', { channelId: s.generalId, text: 'beep', asBot: true });
    assert.equal(asBot.status, 200, asBot.text);
    const botMsg = await call('GET', `/fetchMessage${q({ messageId: asBot.body.id, channel: 'general' })}`);
    assert.equal(botMsg.body.author, botId);
    assert.equal(botMsg.body.authorAppId, appId);
    const general = await call('GET', `/getChannel${q({ channelId: s.generalId })}`);
    assert.ok(general.status === 200);

    refused(await call('POST', '/sendMessage', { channelId: s.generalId }), 400000, '[must not be null]');
    refused(await call('POST', '/sendMessage', { channelId: s.generalId, text: '' }), 400000, /^\[text: size must be between 1 and 100000\]$/);
    refused(await call('POST', '/sendMessage', { text: 'where?' }), 400000, '[must not be null]');
    refused(await call('POST', '/sendMessage', { channelId: '0123456789abcdef01234567', text: 'x' }), 404000);
  });

  test('sendReply, fetchThreadReplies; dmUser and dmGroup (as owner and as bot)', async () => {
    const root = (await call('POST', '/sendMessage', { channelId: s.generalId, text: 'root' })).body;
    const reply = await call('POST', '/sendReply', { channelId: s.generalId, messageId: root.id, text: 'a reply' });
    assert.equal(reply.status, 200, reply.text);
    await call('POST', '/sendReply', { channel: 'general', messageId: root.id, text: 'bot reply', asBot: true });
    const replies = await call('GET', `/fetchThreadReplies${q({ rootMessageId: root.id, channelId: s.generalId })}`);
    assert.deepEqual(replies.body.map((m: any) => m.text), ['a reply', 'bot reply']);
    assert.deepEqual(replies.body[0].threadReplyInfo, { rootId: root.id, replySentToChannel: false });
    const shown = await call('POST', '/sendReply', { channelId: s.generalId, messageId: root.id, text: 'also in the channel', alsoSendToChannel: true });
    assert.equal(shown.status, 200, shown.text);
    const shownNow = await call('GET', `/fetchMessage${q({ messageId: shown.body.id, channelId: s.generalId })}`);
    assert.deepEqual(shownNow.body.threadReplyInfo, { rootId: root.id, replySentToChannel: true });
    const rootNow = await call('GET', `/fetchMessage${q({ messageId: root.id, channelId: s.generalId })}`);
    assert.equal(rootNow.body.threadRootInfo.replyCount, 3, 'replyCount, not repliesCount');
    refused(await call('POST', '/sendReply', { channelId: s.generalId, messageId: '0123456789abcdef01234567', text: 'x' }), 404000);

    const dm = await call('POST', '/dmUser', { userId: bob.userId, text: 'psst' });
    assert.equal(dm.status, 200, dm.text);
    const again = await call('POST', '/dmUser', { userId: bob.userId, text: 'again' });
    assert.equal(again.body.channelId, dm.body.channelId, 'the DM is reused');
    const botDm = await call('POST', '/dmUser', { userId: bob.userId, text: 'from the bot', asBot: true });
    assert.notEqual(botDm.body.channelId, dm.body.channelId, 'the bot has its own DM with Bob');
    const carol = await createUser(s.owner);
    const group = await call('POST', '/dmGroup', { userIds: [bob.userId, carol.userId], text: 'all three' });
    assert.equal(group.status, 200, group.text);
    const seen = await carol.get(`/v1/channels/${group.body.channelId}/messages`);
    assert.equal(seen.body.messages[0].text, 'all three');
    refused(await call('POST', '/dmUser', { userId: '0123456789abcdef01234567', text: 'x' }), 400000);
    refused(await call('POST', '/dmGroup', { userIds: [], text: 'x' }), 400000);
  });

  test('listMessages pages newest first with a cursor; private channels need the API bot AND the owner', async () => {
    const ch = (await call('POST', '/createChannel', { name: 'paging', type: 'PUBLIC' })).body;
    for (let i = 0; i < 5; i++) await call('POST', '/sendMessage', { channelId: ch.id, text: `m${i}` });
    const page1 = await call('GET', `/listMessages${q({ channelId: ch.id, limit: 2 })}`);
    assert.equal(page1.status, 200, page1.text);
    assert.deepEqual(page1.body.messages.map((m: any) => m.text), ['m4', 'm3']);
    assert.equal(page1.body.hasMoreBefore, true);
    const page2 = await call('GET', `/listMessages${q({ channelId: ch.id, limit: 2, cursor: page1.body.messages[1].id, strategy: 'BEFORE' })}`);
    assert.deepEqual(page2.body.messages.map((m: any) => m.text), ['m2', 'm1']);
    refused(await call('GET', `/listMessages${q({ channelId: ch.id, limit: 500 })}`), 400000);

    const secret = (await call('POST', '/createChannel', { name: 'secret', type: 'PRIVATE' })).body;
    await call('POST', '/sendMessage', { channelId: secret.id, text: 'hush' });
    refused(await call('GET', `/listMessages${q({ channelId: secret.id })}`), 403000, 'The API bot must be a member of this private channel');
    refused(await call('POST', '/sendMessage', { channelId: secret.id, text: 'x', asBot: true }), 403000, 'The API bot must be a member of this private channel');
    await call('POST', '/addUsersToChannel', { channelId: secret.id, userIds: [botId] });
    const listed = await call('GET', `/listMessages${q({ channel: 'secret' })}`);
    assert.equal(listed.status, 200, listed.text);
    assert.equal(listed.body.messages.at(-1).text, 'hush');
    assert.equal((await call('POST', '/sendMessage', { channelId: secret.id, text: 'bot here', asBot: true })).status, 200);
    // Bob is not a member: the bot's membership does not widen what his key reads.
    const bobKey = await keyOf(bob);
    refused(await call('GET', `/listMessages${q({ channelId: secret.id })}`, undefined, bobKey), 404000);
    refused(await call('POST', '/sendMessage', { channelId: secret.id, text: 'x', asBot: true }, bobKey), 404000);
  });

  test('editMessage and deleteMessage: own messages, the bot\'s sent through the owner\'s keys, not others\'', async () => {
    const mine = (await call('POST', '/sendMessage', { channelId: s.generalId, text: 'draft' })).body;
    const edit = await call('POST', '/editMessage', { messageId: mine.id, channelId: s.generalId, text: 'final' });
    assert.equal(edit.status, 200, edit.text);
    assert.equal((await call('GET', `/fetchMessage${q({ messageId: mine.id, channelId: s.generalId })}`)).body.text, 'final');
    refused(await call('POST', '/editMessage', { messageId: mine.id, channelId: s.generalId }), 400000, '[must not be null]');

    const bobKey = await keyOf(bob);
    const bobs = (await call('POST', '/sendMessage', { channelId: s.generalId, text: 'bob says' }, bobKey)).body;
    refused(await call('POST', '/editMessage', { messageId: bobs.id, channelId: s.generalId, text: 'hijack' }), 403000);
    refused(await call('DELETE', `/deleteMessage${q({ messageId: bobs.id, channelId: s.generalId })}`), 403000);

    const botPost = (await call('POST', '/sendMessage', { channelId: s.generalId, text: 'bot, via alice', asBot: true })).body;
    refused(await call('DELETE', `/deleteMessage${q({ messageId: botPost.id, channelId: s.generalId })}`, undefined, bobKey), 403000, /author or an admin/);
    const del = await call('DELETE', `/deleteMessage${q({ messageId: botPost.id, channel: 'general' })}`);
    assert.equal(del.status, 200, del.text);
    assert.equal(del.text, '');
    const delMine = await call('DELETE', `/deleteMessage${q({ messageId: mine.id, channelId: s.generalId })}`);
    assert.equal(delMine.status, 200);
    refused(await call('GET', `/fetchMessage${q({ messageId: mine.id, channelId: s.generalId })}`), 404000);
    refused(await call('DELETE', `/deleteMessage${q({ channelId: s.generalId })}`), 400000, '[must not be null]');
  });

  test('addReaction / removeReaction need ":name:"', async () => {
    const m = (await call('POST', '/sendMessage', { channelId: s.generalId, text: 'react to me' })).body;
    const add = await call('POST', '/addReaction', { messageId: m.id, channelId: s.generalId, reaction: ':thumbsup:' });
    assert.equal(add.status, 200, add.text);
    assert.deepEqual(add.body, { status: 'ok' });
    const fetched = await call('GET', `/fetchMessage${q({ messageId: m.id, channelId: s.generalId })}`);
    assert.deepEqual(fetched.body.reactions, [{ user: alice.userId, code: ':thumbsup:' }]);
    refused(await call('POST', '/addReaction', { messageId: m.id, reaction: 'thumbsup' }), 400000, /reaction/);
    const rm = await call('DELETE', `/removeReaction${q({ messageId: m.id, reaction: ':thumbsup:' })}`);
    assert.deepEqual(rm.body, { status: 'ok' });
    assert.deepEqual((await call('GET', `/fetchMessage${q({ messageId: m.id, channelId: s.generalId })}`)).body.reactions, []);
    refused(await call('POST', '/addReaction', { messageId: '0123456789abcdef01234567', reaction: ':x:' }), 404000);
  });

  test('searchMessages: text, from, in, time range to the millisecond, and paging', async () => {
    const ch = (await call('POST', '/createChannel', { name: 'search-here', type: 'PUBLIC' })).body;
    const ids = [];
    for (const text of ['Deploy finished OK', 'deploy failed', 'lunch?']) ids.push((await call('POST', '/sendMessage', { channelId: ch.id, text })).body.id);
    const found = await call('POST', '/searchMessages', { text: 'deploy', in: ['#search-here'] });
    assert.equal(found.status, 200, found.text);
    assert.deepEqual(found.body.content.map((m: any) => m.text), ['deploy failed', 'Deploy finished OK']);
    assert.equal(found.body.totalElements, 2);
    assert.equal(found.body.hasMore, false);
    const oldest = await call('POST', '/searchMessages', { text: 'deploy', in: [ch.id], strategy: 'OLDEST', limit: 1 });
    assert.deepEqual(oldest.body.content.map((m: any) => m.text), ['Deploy finished OK']);
    assert.equal(oldest.body.hasMore, true);
    const first = (await call('GET', `/fetchMessage${q({ messageId: ids[1]!, channelId: ch.id })}`)).body.timestampMilli;
    const before = await call('POST', '/searchMessages', { in: [ch.id], beforeTs: first });
    assert.ok(before.body.content.every((m: any) => m.timestampMilli < first));
    assert.ok(before.body.content.some((m: any) => m.text === 'Deploy finished OK'));
    const fromBob = await call('POST', '/searchMessages', { from: [bob.userId], in: [ch.id] });
    assert.equal(fromBob.body.totalElements, 0);
    refused(await call('POST', '/searchMessages', {}), 400000);
    refused(await call('POST', '/searchMessages', { text: 'x'.repeat(1001) }), 400000);
    const pct = await call('POST', '/searchMessages', { text: '100%' });
    assert.equal(pct.status, 200, 'LIKE wildcards are literals');
  });
});

describe('scheduled messages', () => {
  test('create, fetch one and all, edit, delete; sendAt in the past and missing fields are 400000', async () => {
    const sendAt = Date.now() + 3600_000;
    const created = await call('POST', '/createScheduledMessage', { channelId: s.generalId, text: 'later', sendAt, recurrence: { recurrenceType: 'WEEKLY', endAfterOccurrences: 3 } });
    assert.equal(created.status, 200, created.text);
    assert.equal(created.body.channelId, s.generalId);
    const one = await call('GET', `/fetchScheduledMessage${q({ scheduledMessageId: created.body.id })}`);
    assert.equal(one.status, 200, one.text);
    assert.equal(one.body.text, 'later');
    assert.equal(one.body.sendAt, sendAt);
    assert.equal(one.body.recurrence.recurrenceType, 'WEEKLY');
    const all = await call('GET', `/fetchScheduledMessages${q({ channelId: s.generalId })}`);
    assert.deepEqual(all.body.scheduledMessages.map((m: any) => m.id), [created.body.id]);
    assert.equal(all.body.hasMore, false);
    const edited = await call('POST', '/editScheduledMessage', { scheduledMessageId: created.body.id, channelId: s.generalId, text: 'later, edited', sendAt: sendAt + 1000 });
    assert.equal(edited.status, 200, edited.text);
    assert.equal(edited.body.text, 'later, edited');
    refused(await call('POST', '/editScheduledMessage', { scheduledMessageId: created.body.id, channelId: s.generalId, text: 'x' }), 400000, '[must not be null]');
    refused(await call('POST', '/createScheduledMessage', { channelId: s.generalId, text: 'past', sendAt: Date.now() - 1000 }), 400000);
    const bobKey = await keyOf(bob);
    refused(await call('GET', `/fetchScheduledMessage${q({ scheduledMessageId: created.body.id })}`, undefined, bobKey), 404000);
    const del = await call('DELETE', `/deleteScheduledMessage${q({ scheduledMessageId: created.body.id })}`);
    assert.equal(del.status, 200, del.text);
    refused(await call('GET', `/fetchScheduledMessage${q({ scheduledMessageId: created.body.id })}`), 404000);
  });
});

test('a curl client with only the documented header', async () => {
  const { stdout } = await run('curl', [
    '-sS',
    '-X', 'POST',
    `${s.url}/addon/api-keys/sendMessage`,
    '-H', `ApiKey: ${aliceKey}`,
    '-H', 'Content-Type: application/json',
    '-d', JSON.stringify({ channel: 'general', text: 'hello from curl' }),
    '-w', '\n%{http_code}',
  ]);
  const [body, status] = stdout.split('\n');
  assert.equal(status, '200', stdout);
  const { id } = JSON.parse(body!);
  const seen = await s.owner.get(`/v1/channels/${s.generalId}/messages/${id}`);
  assert.equal(seen.body.text, 'hello from curl');
  const bad = await run('curl', ['-sS', '-w', '\n%{http_code}', `${s.url}/addon/api-keys/listChannels`, '-H', 'Api-Key: sbk_nope']);
  assert.match(bad.stdout, /\n403$/);
  assert.equal(JSON.parse(bad.stdout.split('\n')[0]!).code, 401000);
});

describe('documentation', () => {
  test('the OpenAPI 3.0 document is valid, lists every endpoint of §5.3 and the ApiKey scheme', async () => {
    const doc = await http(s.url, 'GET', '/addon/api-keys/api-docs/openapi.json');
    assert.equal(doc.status, 200);
    const result = await new Validator().validate(doc.body);
    assert.equal(result.valid, true, JSON.stringify(result.errors, null, 1)?.slice(0, 2000));
    assert.equal(doc.body.openapi, '3.0.3');
    assert.deepEqual(doc.body.components.securitySchemes.ApiKeyAuth, { type: 'apiKey', in: 'header', name: 'ApiKey' });
    const endpoints = Object.entries(doc.body.paths).flatMap(([p, ops]) => Object.keys(ops as object).map((m) => `${m.toUpperCase()} ${p}`));
    const expected = [
      'GET /listChannels', 'GET /getChannel', 'POST /createChannel', 'POST /addUsersToChannel', 'POST /removeUserFromChannel',
      'POST /sendMessage', 'POST /sendReply', 'POST /dmUser', 'POST /dmGroup', 'GET /fetchMessage', 'GET /fetchThreadReplies',
      'GET /listMessages', 'POST /searchMessages', 'POST /editMessage', 'DELETE /deleteMessage', 'POST /addReaction',
      'DELETE /removeReaction', 'POST /createScheduledMessage', 'GET /fetchScheduledMessages', 'GET /fetchScheduledMessage',
      'POST /editScheduledMessage', 'DELETE /deleteScheduledMessage', 'GET /listUsers', 'GET /listUserGroups', 'GET /myInfo', 'POST /customStatus',
    ];
    assert.deepEqual(endpoints.sort(), expected.sort());
    assert.ok(doc.body.paths['/sendMessage'].post.requestBody.content['application/json'].schema.required.includes('text'));
  });

  test('Swagger UI: paste the key in Authorize, Try it out on myInfo', async (t) => {
    const browser = await launchBrowser(t);
    if (!browser) return;
    try {
      const page = await browser.newPage();
      await page.goto(`${s.url}/addon/api-keys/docs`);
      await page.locator('#hint').getByText('Enter your API key in').waitFor();
      await page.locator('.swagger-ui .info').waitFor();
      await page.getByRole('button', { name: /Authorize/ }).first().click();
      const auth = page.locator('.modal-ux .auth-container').filter({ hasText: 'ApiKeyAuth' });
      await auth.locator('input').fill(aliceKey);
      await auth.getByRole('button', { name: 'Apply credentials' }).click();
      await auth.getByText('Authorized').waitFor();
      await page.locator('.modal-ux .btn-done').first().click();
      const op = page.locator('#operations-users-myInfo');
      await op.locator('.opblock-summary').click();
      await op.getByRole('button', { name: 'Try it out' }).click();
      await op.getByRole('button', { name: 'Execute' }).click();
      const live = op.locator('.live-responses-table');
      await live.getByText(alice.userId).first().waitFor({ timeout: 10_000 });
      assert.match(await live.locator('tr.response .response-col_status').first().innerText(), /200/);
    } finally {
      await browser.close();
    }
  });
});
