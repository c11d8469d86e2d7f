/**
 * `/v1/realtime` with real WebSocket clients: each user hears every change they may see,
 * and nothing they may not.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { Listener, createUser, login, startTestServer, type Client, type TestServer } from '../support/helpers.js';

let s: TestServer;
let alice: Client;
let bob: Client;
let carol: Client;
let guest: Client;

before(async () => {
  s = await startTestServer();
  [alice, bob, carol, guest] = await Promise.all([
    createUser(s.owner, 'MEMBER', 'Alice'),
    createUser(s.owner, 'MEMBER', 'Bob'),
    createUser(s.owner, 'MEMBER', 'Carol'),
    createUser(s.owner, 'GUEST', 'Guest'),
  ]);
});
after(() => s.close());

const isMsg = (type: string, text: string) => (f: any) => f.type === type && f.message?.text === text;

test('a connection without a valid token is refused with 401', async () => {
  for (const headers of [{}, { authorization: 'Bearer nope' }]) {
    const ws = new WebSocket(s.wsUrl, { headers });
    const status = await new Promise<number>((resolve) => {
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
    });
    assert.equal(status, 401);
  }
});

test('the token may come as a query parameter; the first frame says who you are', async () => {
  const l = await Listener.connect(s.wsUrl, alice.token, 'query');
  assert.deepEqual(l.frames[0], { type: 'hello', workspaceId: s.workspaceId, workspaceUserId: alice.userId });
  l.ws.send(JSON.stringify({ type: 'ping' }));
  await l.next((f) => f.type === 'pong');
  l.close();
});

test('messages, edits, deletes and reactions reach channel members, and only them', async () => {
  const created = await alice.post('/v1/channels', { name: 'rt-private', type: 'PRIVATE' });
  const channelId = created.body.channel.id;
  await alice.post(`/v1/channels/${channelId}/users`, { userIds: [bob.userId] });
  const [la, lb, lc] = await Promise.all([Listener.connect(s.wsUrl, alice.token), Listener.connect(s.wsUrl, bob.token), Listener.connect(s.wsUrl, carol.token)]);

  const posted = (await bob.post(`/v1/channels/${channelId}/messages`, { text: 'secret hello' })).body;
  const seenByAlice = await la.next(isMsg('message.created', 'secret hello'));
  assert.equal(seenByAlice.channelId, channelId);
  assert.equal(seenByAlice.workspaceId, s.workspaceId);
  assert.deepEqual(seenByAlice.message, posted, 'the frame carries the same Message the API returned');
  await lb.next(isMsg('message.created', 'secret hello'));

  await bob.put(`/v1/channels/${channelId}/messages/${posted.id}`, { text: 'secret edited' });
  const edited = await la.next(isMsg('message.updated', 'secret edited'));
  assert.equal(edited.message.edited, true);

  await alice.post(`/v1/messages/${posted.id}/reactions`, { code: ':eyes:' });
  const added = await lb.next((f) => f.type === 'reaction.added');
  assert.deepEqual(added, { type: 'reaction.added', workspaceId: s.workspaceId, channelId, messageId: posted.id, reaction: { user: alice.userId, code: ':eyes:' } });
  await alice.delete(`/v1/messages/${posted.id}/reactions`, { code: ':eyes:' });
  await lb.next((f) => f.type === 'reaction.removed' && f.messageId === posted.id);

  const reply = (await alice.post(`/v1/channels/${channelId}/messages/${posted.id}`, { text: 'in thread' })).body;
  const replyFrame = await lb.next(isMsg('message.created', 'in thread'));
  assert.equal(replyFrame.message.threadReplyInfo.rootId, posted.id);
  const rootUpdate = await lb.next((f) => f.type === 'message.updated' && f.message.id === posted.id && f.message.threadRootInfo);
  assert.equal(rootUpdate.message.threadRootInfo.repliesCount, 1);

  await alice.delete(`/v1/channels/${channelId}/messages/${reply.id}`);
  const del = await lb.next((f) => f.type === 'message.deleted' && f.messageId === reply.id);
  assert.equal(del.threadRootId, posted.id);

  assert.deepEqual(await lc.quiet((f) => f.channelId === channelId), [], 'carol is not a member and hears nothing of the channel');
  for (const l of [la, lb, lc]) l.close();
});

test('ephemeral messages reach only their targets and stay out of history', async () => {
  const [la, lb, lc] = await Promise.all([Listener.connect(s.wsUrl, alice.token), Listener.connect(s.wsUrl, bob.token), Listener.connect(s.wsUrl, carol.token)]);
  const r = await alice.post(`/v1/channels/${s.generalId}/messages`, { text: 'psst, bob', ephemeral: { sendToUsers: [bob.userId] } });
  assert.equal(r.status, 200);
  const frame = await lb.next((f) => f.type === 'message.ephemeral');
  assert.equal(frame.message.text, 'psst, bob');
  assert.equal(frame.message.isEphemeral, true);
  assert.deepEqual(await la.quiet((f) => f.type?.startsWith('message.') && f.message?.text === 'psst, bob'), [], 'not even the sender hears it');
  assert.deepEqual(await lc.quiet((f) => f.message?.text === 'psst, bob'), []);
  const history = await carol.get(`/v1/channels/${s.generalId}/messages?limit=100`);
  assert.ok(!history.body.messages.some((m: any) => m.text === 'psst, bob'));
  await alice.delete(`/v1/channels/${s.generalId}/messages/${r.body.id}/ephemeral`, { deleteForUsers: [bob.userId] });
  await lb.next((f) => f.type === 'message.ephemeral_deleted' && f.messageId === r.body.id);
  for (const l of [la, lb, lc]) l.close();
});

test('channel life: created, members joined and left, archived — each heard by who may see it', async () => {
  const [la, lb, lg] = await Promise.all([Listener.connect(s.wsUrl, alice.token), Listener.connect(s.wsUrl, bob.token), Listener.connect(s.wsUrl, guest.token)]);
  const pub = (await alice.post('/v1/channels', { name: 'rt-public' })).body.channel;
  const created = await lb.next((f) => f.type === 'channel.created' && f.channelId === pub.id);
  assert.equal(created.channel.name, 'rt-public');
  assert.deepEqual(await lg.quiet((f) => f.channelId === pub.id), [], 'a guest does not hear of public channels they are not in');

  await bob.post(`/v1/channels/${pub.id}/join`);
  const joined = await la.next((f) => f.type === 'member.joined' && f.channelId === pub.id);
  assert.deepEqual(joined.userIds, [bob.userId]);
  await bob.post(`/v1/channels/${pub.id}/leave`);
  const left = await la.next((f) => f.type === 'member.left' && f.channelId === pub.id);
  assert.equal(left.userId, bob.userId);
  await lb.next((f) => f.type === 'member.left' && f.channelId === pub.id);

  await alice.post(`/v1/channels/${pub.id}/users`, { userIds: [guest.userId] });
  await lg.next((f) => f.type === 'member.joined' && f.channelId === pub.id);
  await alice.post(`/v1/channels/${pub.id}/archive`);
  const archived = await lg.next((f) => f.type === 'channel.archived' && f.channelId === pub.id);
  assert.equal(archived.channel.isArchived, true);

  const priv = (await alice.post('/v1/channels', { name: 'rt-hidden', type: 'PRIVATE' })).body.channel;
  await la.next((f) => f.type === 'channel.created' && f.channelId === priv.id);
  assert.deepEqual(await lb.quiet((f) => f.channelId === priv.id), [], 'nobody else hears of a private channel');

  const dm = (await alice.post('/v1/channels/direct', { participantIds: [bob.userId] })).body.channel;
  await lb.next((f) => f.type === 'channel.created' && f.channelId === dm.id);
  await alice.post(`/v1/channels/${dm.id}/messages`, { text: 'dm hi' });
  await lb.next(isMsg('message.created', 'dm hi'));
  for (const l of [la, lb, lg]) l.close();
});

test('deactivating a user closes their connections at once; logout closes that session\'s connections only', async () => {
  const dave = await createUser(s.owner, 'MEMBER', 'Dave');
  const ld = await Listener.connect(s.wsUrl, dave.token);
  const r = await s.owner.post(`/v1/workspaceUsers/${dave.userId}/deactivate`);
  assert.equal(r.status, 200);
  const closed = await ld.closedWith();
  assert.equal(closed.code, 4001);
  await assert.rejects(Listener.connect(s.wsUrl, dave.token), /401/);

  const erin = await createUser(s.owner, 'MEMBER', 'Erin');
  const erinElsewhere = await login(s.url, erin.email!, erin.password!);
  const [le, le2] = await Promise.all([Listener.connect(s.wsUrl, erin.token), Listener.connect(s.wsUrl, erinElsewhere.token)]);
  assert.equal((await erin.post('/auth/logout')).status, 200);
  assert.equal((await le.closedWith()).code, 4001);
  await assert.rejects(Listener.connect(s.wsUrl, erin.token), /401/);
  await erin.post(`/v1/channels/${s.generalId}/messages`, { text: 'should fail' }).then((r) => assert.equal(r.status, 401));
  await erinElsewhere.post(`/v1/channels/${s.generalId}/messages`, { text: 'still here' });
  await le2.next(isMsg('message.created', 'still here'));
  assert.equal(le2.closed, undefined, 'the other session stays connected');
  le2.close();
});

test('a new workspace member is announced and joins general', async () => {
  const la = await Listener.connect(s.wsUrl, alice.token);
  const frank = await createUser(s.owner, 'MEMBER', 'Frank');
  await la.next((f) => f.type === 'user.created' && f.userId === frank.userId);
  const joined = await la.next((f) => f.type === 'member.joined' && f.channelId === s.generalId && f.userIds.includes(frank.userId));
  assert.ok(joined);
  la.close();
});

test('open connections are counted in /metrics', async () => {
  const ls = await Promise.all([Listener.connect(s.wsUrl, alice.token), Listener.connect(s.wsUrl, bob.token)]);
  const metrics = await (await fetch(`${s.url}/metrics`)).text();
  const open = Number(/^websocket_connections (\d+)/m.exec(metrics)?.[1]);
  assert.ok(open >= 2, `expected at least 2 open connections, metrics say ${open}`);
  for (const l of ls) l.close();
});
