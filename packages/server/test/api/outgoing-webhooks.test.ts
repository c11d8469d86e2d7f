/**
 * Outgoing webhooks end to end (docs/integrations.md §8.1–§8.4, §12.3 #1–#13, #17–#20, #45 inverted):
 * changes made through the real API, expanded by the real outbox dispatcher, delivered by the real
 * queue to receivers on 127.0.0.1. Which events fire which integrations, and the exact bodies.
 */
import { test, before, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { Webhook } from 'standardwebhooks';
import {
  bodyOf,
  deliveriesOf,
  finishedHistory,
  historyOf,
  hitsUntil,
  messagesIn,
  postMessage,
  receiver,
  newRoom,
  scopedOutgoing,
  settleAt,
  startEnv,
  until,
  type Env,
  type Receiver,
} from '../support/outgoing-webhooks-fixtures.js';
import { verifyStandardWebhook, webhookSecretKey } from '../../src/outbound/signing.js';
import type { User } from '../../src/domain/model.js';

let env: Env;
before(async () => {
  env = await startEnv();
});
after(async () => {
  await env.s.close();
});

const scoped = (t: TestContext, fields: Record<string, unknown>) => scopedOutgoing(env, t, fields);
const channel = (type: 'PUBLIC' | 'PRIVATE' = 'PUBLIC', withMember = false) => newRoom(env, `room-${type.toLowerCase()}`, { type, withMember });

async function dm(): Promise<string> {
  const r = await env.s.owner.post('/v1/channels/direct', { participantIds: [env.member.userId] });
  assert.equal(r.status, 200, r.text);
  return r.body.channel.id as string;
}

const texts = (r: Receiver) => r.hits.map((h) => bodyOf(h).text as string);
const userObject = (u: User) => ({
  _id: u.id,
  username: u.username,
  name: u.name,
  type: u.isBot ? 'bot' : 'user',
  active: true,
  roles: u.role === 'OWNER' || u.role === 'ADMIN' ? ['admin', ...u.extraRoles.filter((r) => r !== 'admin')] : ['user', ...u.extraRoles.filter((r) => r !== 'user')],
  createdAt: new Date(u.createdAt).toISOString(),
});

test('#10 a message gives exactly the sendMessage fields; the body is signed (Standard Webhooks) under the delivery id', async (t) => {
  const r = await receiver();
  const doc = await scoped(t, { urls: [`${r.url}/ten`] });
  const posted = await postMessage(env.s.owner, env.s.generalId, 'hello hooks');
  const [hit] = await hitsUntil(r, 1);
  const m = (await env.s.sb.store.messageById(posted.id))!;
  assert.deepEqual(bodyOf(hit!), {
    token: doc.token,
    bot: false,
    channel_id: env.s.generalId,
    channel_name: 'general',
    message_id: m.id,
    timestamp: new Date(m.createdAt).toISOString(),
    user_id: env.owner.id,
    user_name: env.owner.username,
    text: 'hello hooks',
    siteUrl: env.s.sb.publicUrl,
  });
  assert.equal(hit!.headers['content-type'], 'application/json');
  assert.match(String(hit!.headers['user-agent']), /^Switchboard\//);
  // Our verifier and the reference library agree; the id is the delivery's.
  assert.ok(doc.webhookSecret?.startsWith('whsec_'));
  assert.deepEqual(verifyStandardWebhook(hit!.headers as Record<string, string>, hit!.body, webhookSecretKey(doc.webhookSecret!)), { ok: true });
  new Webhook(doc.webhookSecret!).verify(hit!.body, hit!.headers as Record<string, string>);
  assert.throws(() => new Webhook(doc.webhookSecret!).verify(hit!.body.replace('hello', 'jello'), hit!.headers as Record<string, string>));
  const [delivery] = await until(async () => {
    const ds = await deliveriesOf(env, doc._id);
    return ds[0]?.status === 'succeeded' ? ds : undefined;
  });
  assert.equal(hit!.headers['webhook-id'], delivery!.id);
  assert.equal(delivery!.class, 'outgoing');
  assert.equal(delivery!.eventType, 'sendMessage');
});

test('#11 optional fields: alias and bot:true for an integration reply, tmid in a thread, isEdited on an edit (runOnEdits)', async (t) => {
  const room = await channel();
  const replier = await receiver(() => ({ status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'a reply' }) }));
  await scoped(t, { channel: `#${room.name}`, urls: [`${replier.url}/replier`], alias: 'Helper', triggerWords: ['!ask'] });
  const watcher = await receiver();
  await scoped(t, { channel: `#${room.name}`, urls: [`${watcher.url}/watcher`], runOnEdits: true });

  const root = await postMessage(env.s.owner, room.id, '!ask something');
  await until(() => texts(watcher).includes('a reply') || undefined);
  const reply = watcher.hits.map(bodyOf).find((b) => b.text === 'a reply')!;
  assert.equal(reply.bot, true);
  assert.equal(reply.alias, 'Helper');

  const threaded = await env.s.owner.post(`/v1/channels/${room.id}/messages/${root.id}`, { text: 'in the thread' });
  assert.equal(threaded.status, 200, threaded.text);
  await until(() => texts(watcher).includes('in the thread') || undefined);
  assert.equal(watcher.hits.map(bodyOf).find((b) => b.text === 'in the thread')!.tmid, root.id);

  const edit = await env.s.owner.put(`/v1/channels/${room.id}/messages/${root.id}`, { text: '!ask edited' });
  assert.equal(edit.status, 200, edit.text);
  await until(() => texts(watcher).includes('!ask edited') || undefined);
  const edited = watcher.hits.map(bodyOf).find((b) => b.text === '!ask edited')!;
  assert.equal(edited.isEdited, true);
  assert.equal(edited.message_id, root.id);
  assert.equal(edited.bot, false);
  assert.equal('alias' in edited, false);
});

test('#20 runOnEdits off: edits are skipped; #18 trigger words: prefix (case-sensitive) vs anywhere, first matching word reported', async (t) => {
  const room = await channel();
  const prefix = await receiver();
  await scoped(t, { channel: `#${room.name}`, urls: [`${prefix.url}/p`], triggerWords: ['!gif', '!img'] });
  const anywhere = await receiver();
  await scoped(t, { channel: `#${room.name}`, urls: [`${anywhere.url}/a`], triggerWords: ['!gif', '!img'], triggerWordAnywhere: true });

  const m = await postMessage(env.s.owner, room.id, '!giffy cats');
  await postMessage(env.s.owner, room.id, 'show !img please');
  await postMessage(env.s.owner, room.id, '!GIF shouting');
  await postMessage(env.s.owner, room.id, 'nothing here');
  await hitsUntil(anywhere, 2);
  await hitsUntil(prefix, 1);
  assert.equal((await env.s.owner.put(`/v1/channels/${room.id}/messages/${m.id}`, { text: '!gif edited' })).status, 200);
  await settleAt(prefix, 1);
  await settleAt(anywhere, 2, 0);
  assert.deepEqual(prefix.hits.map((h) => [bodyOf(h).text, bodyOf(h).trigger_word]), [['!giffy cats', '!gif']]);
  assert.deepEqual(
    anywhere.hits.map((h) => [bodyOf(h).text, bodyOf(h).trigger_word]).sort(),
    [
      ['!giffy cats', '!gif'],
      ['show !img please', '!img'],
    ],
  );
});

test('#6 public rooms: all_public_channels, #id and #name each select; listed all three ways it fires once', async (t) => {
  const room = await channel();
  const r = await receiver();
  await scoped(t, { channel: `all_public_channels,#${room.id},#${room.name}`, urls: [`${r.url}/three`] });
  for (const key of ['all_public_channels', `#${room.id}`, `#${room.name}`]) await scoped(t, { channel: key, urls: [`${r.url}/one`] });
  await postMessage(env.s.owner, room.id, 'public hello');
  await hitsUntil(r, 4);
  await settleAt(r, 4);
  assert.deepEqual(r.hits.map((h) => h.path).sort(), ['/one', '/one', '/one', '/three']);
});

test('#7 private rooms: all_private_groups, #id and #name select; all_public_channels does not', async (t) => {
  const room = await channel('PRIVATE');
  const r = await receiver();
  for (const key of ['all_private_groups', `#${room.id}`, `#${room.name}`]) await scoped(t, { channel: key, urls: [`${r.url}/${encodeURIComponent(key)}`] });
  await scoped(t, { channel: 'all_public_channels', urls: [`${r.url}/public`] });
  await postMessage(env.s.owner, room.id, 'private hello');
  await hitsUntil(r, 3);
  await settleAt(r, 3);
  assert.equal(r.hits.some((h) => h.path === '/public'), false);
});

test('#5 DMs: all_direct_messages, @id of any participant, @username of participants other than the sender; DMs carry no channel_name', async (t) => {
  const room = await dm();
  const r = await receiver();
  const keys = ['all_direct_messages', `@${env.owner.id}`, `@${env.memberUser.id}`, `@${env.memberUser.username}`, `@${env.owner.username}`, 'all_public_channels'];
  for (const key of keys) await scoped(t, { channel: key, urls: [`${r.url}/${encodeURIComponent(key)}`] });
  await postMessage(env.s.owner, room, 'dm from owner');
  await hitsUntil(r, 4);
  await settleAt(r, 4);
  assert.deepEqual(r.hits.map((h) => decodeURIComponent(h.path.slice(1))).sort(), keys.slice(0, 4).sort());
  const body = bodyOf(r.hits[0]!);
  assert.equal(body.channel_id, room);
  assert.equal('channel_name' in body, false);

  await postMessage(env.member, room, 'dm from member');
  await hitsUntil(r, 8);
  await settleAt(r, 8);
  // Now the owner is not the sender: @owner-username selects, @member-username does not.
  const second = r.hits.slice(4).map((h) => decodeURIComponent(h.path.slice(1)));
  assert.deepEqual(second.sort(), ['all_direct_messages', `@${env.owner.id}`, `@${env.memberUser.id}`, `@${env.owner.username}`].sort());
});

test('#2 an empty channel list means public channels only; #3 a list fires in each room, a comma string too', async (t) => {
  const pub = await channel();
  const priv = await channel('PRIVATE');
  const alpha = await channel();
  const beta = await channel();
  const gamma = await channel();
  const r = await receiver();
  await scoped(t, { channel: '', urls: [`${r.url}/empty`] });
  await scoped(t, { channel: [`#${alpha.name}`, `#${beta.name}`], urls: [`${r.url}/list`] });
  await scoped(t, { channel: `#${gamma.name}`, urls: [`${r.url}/string`] });
  for (const room of [pub, priv, alpha, beta, gamma]) await postMessage(env.s.owner, room.id, `in ${room.name}`);
  await until(() => r.hits.filter((h) => h.path === '/empty').length >= 4 || undefined);
  await settleAt(r, 4 + 2 + 1);
  const by = (path: string) => r.hits.filter((h) => h.path === path).map((h) => bodyOf(h).text).sort();
  assert.deepEqual(by('/empty'), [`in ${alpha.name}`, `in ${beta.name}`, `in ${gamma.name}`, `in ${pub.name}`].sort());
  assert.deepEqual(by('/list'), [`in ${alpha.name}`, `in ${beta.name}`]);
  assert.deepEqual(by('/string'), [`in ${gamma.name}`]);
});

test('#8 only enabled integrations of the event run, once per URL, each URL its own delivery; #17 disabled: nothing', async (t) => {
  const room = await channel();
  const r = await receiver();
  const both = await scoped(t, { channel: `#${room.name}`, urls: [`${r.url}/first`, `${r.url}/second`] });
  await scoped(t, { channel: `#${room.name}`, urls: [`${r.url}/disabled`], enabled: false });
  await scoped(t, { channel: `#${room.name}`, urls: [`${r.url}/joined`], event: 'roomJoined' });
  await postMessage(env.s.owner, room.id, 'two urls');
  await hitsUntil(r, 2);
  await settleAt(r, 2);
  assert.deepEqual(r.hits.map((h) => h.path).sort(), ['/first', '/second']);
  const ds = await until(async () => {
    const list = await deliveriesOf(env, both._id);
    return list.length === 2 && list.every((d) => d.status === 'succeeded') ? list : undefined;
  });
  assert.notEqual(ds[0]!.id, ds[1]!.id);
  assert.equal(ds[0]!.eventId, ds[1]!.eventId);
});

test('#9 an integration without urls makes no call and no history; #4 a removed one never fires again', async (t) => {
  const room = await channel();
  const r = await receiver();
  const doc = await scoped(t, { channel: `#${room.name}`, urls: [`${r.url}/gone`] });
  const empty = await scoped(t, { channel: `#${room.name}`, urls: [`${r.url}/empty`] });
  // The API refuses empty urls (error-invalid-urls); a stored document can still have none.
  await env.s.sb.store.integrations.save(env.s.workspaceId, { ...empty, urls: [] });
  await env.s.sb.core.integrations.remove(env.owner, { type: 'webhook-outgoing', integrationId: doc._id });
  await postMessage(env.s.owner, room.id, 'anyone?');
  await settleAt(r, 0, 600);
  assert.deepEqual(await historyOf(env, empty._id), []);
  assert.deepEqual(await deliveriesOf(env, empty._id), []);
});

test('#19 trigger words are ignored by events without them', async (t) => {
  const room = await channel();
  const r = await receiver();
  const doc = await scoped(t, { channel: `#${room.name}`, urls: [`${r.url}/joined`], event: 'roomJoined', triggerWords: ['!never'] });
  // Even stored on the document (the API drops them for such events), they do not filter.
  await env.s.sb.store.integrations.save(env.s.workspaceId, { ...doc, triggerWords: ['!never'] });
  assert.equal((await env.s.owner.post(`/v1/channels/${room.id}/users`, { userIds: [env.member.userId] })).status, 200);
  const [hit] = await hitsUntil(r, 1);
  assert.equal(bodyOf(hit!).user_id, env.member.userId);
});

test('loop guard: an integration replying into the room it listens to does not hear its own reply', async (t) => {
  const room = await channel();
  const r = await receiver(() => ({ status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'echo' }) }));
  const doc = await scoped(t, { channel: `#${room.name}`, urls: [`${r.url}/echo`] });
  await postMessage(env.s.owner, room.id, 'say something');
  await hitsUntil(r, 1);
  const reply = await until(async () => (await messagesIn(env, room.id)).find((m) => m.text === 'echo'));
  assert.deepEqual(reply.bot, { i: doc._id, hops: 1 });
  await settleAt(r, 1, 600);
});

test('loop guard: two integrations answering each other stop after 5 hops', async (t) => {
  const room = await channel();
  const a = await receiver(() => ({ status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'from a' }) }));
  const b = await receiver(() => ({ status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'from b' }) }));
  await scoped(t, { channel: `#${room.name}`, urls: [`${a.url}/a`] });
  await scoped(t, { channel: `#${room.name}`, urls: [`${b.url}/b`] });
  await postMessage(env.s.owner, room.id, 'start');
  // The first message reaches both; then each reply reaches the other one, hops 1…4 (a 5th-hop reply triggers nothing).
  await until(() => a.hits.length + b.hits.length >= 10 || undefined, 15000);
  await until(async () => ((await messagesIn(env, room.id)).filter((m) => m.bot).length >= 10 ? true : undefined), 15000);
  await settleAt(a, 5, 800);
  assert.equal(b.hits.length, 5);
  const hops = (await messagesIn(env, room.id)).filter((m) => m.bot).map((m) => m.bot!.hops);
  assert.deepEqual(hops.sort(), [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
});

test('#45 every event carries its full payload (no bare {token, bot}); #13 user objects carry no secrets', async (t) => {
  const r = await receiver();
  const created = await scoped(t, { event: 'roomCreated', urls: [`${r.url}/roomCreated`] });
  const archived = await scoped(t, { event: 'roomArchived', urls: [`${r.url}/roomArchived`] });
  const joined = await scoped(t, { event: 'roomJoined', channel: 'all_private_groups', urls: [`${r.url}/roomJoined`] });
  const left = await scoped(t, { event: 'roomLeft', channel: 'all_private_groups', urls: [`${r.url}/roomLeft`] });
  const userCreated = await scoped(t, { event: 'userCreated', targetRoom: '#general', urls: [`${r.url}/userCreated`] });

  const room = await channel('PRIVATE');
  const roomDoc = (await env.s.sb.store.channel(env.s.workspaceId, room.id))!;
  const owner = (await env.s.sb.store.user(env.s.workspaceId, env.owner.id))!;
  const member = (await env.s.sb.store.user(env.s.workspaceId, env.memberUser.id))!;
  const roomObject = (archivedToo = false) => ({
    _id: room.id,
    t: 'p',
    name: room.name,
    fname: room.name,
    u: { _id: owner.id, username: owner.username },
    ts: new Date(roomDoc.createdAt).toISOString(),
    ...(archivedToo && { archived: true }),
  });
  const createdHit = bodyOf((await until(() => r.hits.find((h) => h.path === '/roomCreated')))!);
  assert.deepEqual(createdHit, {
    token: created.token,
    bot: false,
    channel_id: room.id,
    channel_name: room.name,
    timestamp: new Date(roomDoc.createdAt).toISOString(),
    user_id: owner.id,
    user_name: owner.username,
    owner: userObject(owner),
    room: roomObject(),
  });

  assert.equal((await env.s.owner.post(`/v1/channels/${room.id}/users`, { userIds: [member.id] })).status, 200);
  const joinedHit = bodyOf((await until(() => r.hits.find((h) => h.path === '/roomJoined')))!);
  assert.ok(Date.parse(joinedHit.timestamp) > 0);
  assert.deepEqual(joinedHit, {
    token: joined.token,
    bot: false,
    timestamp: joinedHit.timestamp,
    channel_id: room.id,
    channel_name: room.name,
    user_id: member.id,
    user_name: member.username,
    user: userObject(member),
    room: roomObject(),
  });

  assert.equal((await env.member.post(`/v1/channels/${room.id}/leave`)).status, 200);
  const leftHit = bodyOf((await until(() => r.hits.find((h) => h.path === '/roomLeft')))!);
  assert.deepEqual(leftHit, { ...joinedHit, token: left.token, timestamp: leftHit.timestamp });

  assert.equal((await env.s.owner.post(`/v1/channels/${room.id}/archive`)).status, 200);
  const archivedHit = bodyOf((await until(() => r.hits.find((h) => h.path === '/roomArchived')))!);
  assert.deepEqual(archivedHit, {
    token: archived.token,
    bot: false,
    timestamp: archivedHit.timestamp,
    channel_id: room.id,
    channel_name: room.name,
    user_id: owner.id,
    user_name: owner.username,
    user: userObject(owner),
    room: roomObject(true),
  });

  const newcomer = await env.s.owner.post('/v1/workspaceUsers', { email: 'newcomer@example.com', name: 'New Comer', password: 'newcomer-password-1', role: 'MEMBER' });
  assert.equal(newcomer.status, 200, newcomer.text);
  const newUser = (await env.s.sb.store.user(env.s.workspaceId, newcomer.body.id))!;
  const userHit = bodyOf((await until(() => r.hits.find((h) => h.path === '/userCreated')))!);
  assert.deepEqual(userHit, {
    token: userCreated.token,
    bot: false,
    timestamp: new Date(newUser.createdAt).toISOString(),
    user_id: newUser.id,
    user_name: newUser.username,
    user: userObject(newUser),
  });

  // No e-mail, password hash or token in any user object, nor in history.
  for (const h of r.hits) assert.doesNotMatch(h.body, /@example\.com|password|passwordHash|"services"/);
  const [record] = await finishedHistory(env, userCreated._id);
  assert.doesNotMatch(JSON.stringify(record!.record), /@example\.com|password/);
  assert.equal((record!.record.data as Record<string, unknown>).token, '[redacted]');
});

test('#1 events without a channel filter fire in any room, private ones included; a DM is no roomCreated', async (t) => {
  const r = await receiver();
  await scoped(t, { event: 'roomCreated', channel: '#nowhere-in-particular', urls: [`${r.url}/created`] });
  const priv = await channel('PRIVATE');
  const pub = await channel('PUBLIC');
  await hitsUntil(r, 2);
  const other = await createUserClient();
  await env.s.owner.post('/v1/channels/direct', { participantIds: [other] });
  await settleAt(r, 2, 600);
  assert.deepEqual(r.hits.map((h) => bodyOf(h).channel_id).sort(), [priv.id, pub.id].sort());
});

async function createUserClient(): Promise<string> {
  const r = await env.s.owner.post('/v1/workspaceUsers', { email: `dm-${Date.now()}@example.com`, name: 'Dee Em', password: 'dee-em-password-1', role: 'MEMBER' });
  assert.equal(r.status, 200, r.text);
  return r.body.id as string;
}

test('#12 fileUploaded never fires: Switchboard has no file uploads (attachments are cards)', async (t) => {
  const r = await receiver();
  await scoped(t, { event: 'fileUploaded', urls: [`${r.url}/file`] });
  const posted = await env.s.owner.post(`/v1/channels/${env.s.generalId}/messages`, { text: 'with a card', attachments: [{ title: 'card', text: 'x' }] });
  assert.equal(posted.status, 200, posted.text);
  await settleAt(r, 0, 500);
});
