/**
 * Who may see and do what, through real HTTP: private channels and DMs exist only for their
 * members (the same 404 as a channel that does not exist), guests see only the channels they
 * were added to, only authors and admins edit or delete, archived channels refuse posts.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client, createUser, type Reply, type TestServer, startTestServer } from '../support/helpers.js';
import { assertError } from '../support/assertions.js';

const UNKNOWN_ID = 'ffffffffffffffffffffffff';

let s: TestServer;
let alice: Client; // member, creates most channels
let bob: Client; // member
let mallory: Client; // member who is never added anywhere
let admin: Client; // workspace admin
let guest: Client;

before(async () => {
  s = await startTestServer();
  [alice, bob, mallory, admin, guest] = await Promise.all([
    createUser(s.owner, 'MEMBER', 'Alice'),
    createUser(s.owner, 'MEMBER', 'Bob'),
    createUser(s.owner, 'MEMBER', 'Mallory'),
    createUser(s.owner, 'ADMIN', 'Ada Admin'),
    createUser(s.owner, 'GUEST', 'Gus Guest'),
  ]);
});
after(() => s.close());

// ---- helpers ----------------------------------------------------------------------------------

let seq = 0;
async function channel(by: Client, type: 'PUBLIC' | 'PRIVATE', members: Client[] = []): Promise<string> {
  const r = await by.post('/v1/channels', { name: `authz ${++seq} ${Date.now().toString(36)}`, type });
  assert.equal(r.status, 200, r.text);
  if (members.length) {
    const add = await by.post(`/v1/channels/${r.body.channel.id}/users`, { userIds: members.map((m) => m.userId) });
    assert.equal(add.status, 200, add.text);
  }
  return r.body.channel.id;
}

async function post(by: Client, channelId: string, text: string, rootId?: string): Promise<any> {
  const r = await by.post(`/v1/channels/${channelId}/messages${rootId ? `/${rootId}` : ''}`, { text });
  assert.equal(r.status, 200, r.text);
  return r.body;
}

async function listIds(by: Client): Promise<string[]> {
  const r = await by.get('/v1/channels');
  assert.equal(r.status, 200);
  return r.body.map((i: any) => i.channel.id);
}

/**
 * Every channel route an outsider might try on `channelId`, with a message and a thread in it:
 * each must answer exactly what the same route answers for a channel that does not exist.
 */
async function assertInvisible(outsider: Client, channelId: string, messageId: string): Promise<void> {
  const calls: Array<[string, (c: string) => Promise<Reply>]> = [
    ['details', (c) => outsider.get(`/v1/channels/${c}`)],
    ['history', (c) => outsider.get(`/v1/channels/${c}/messages`)],
    ['one message', (c) => outsider.get(`/v1/channels/${c}/messages/${messageId}`)],
    ['replies', (c) => outsider.get(`/v1/channels/${c}/messages/${messageId}/replies`)],
    ['post', (c) => outsider.post(`/v1/channels/${c}/messages`, { text: 'let me in' })],
    ['reply', (c) => outsider.post(`/v1/channels/${c}/messages/${messageId}`, { text: 'let me in' })],
    ['edit', (c) => outsider.put(`/v1/channels/${c}/messages/${messageId}`, { text: 'mine now' })],
    ['delete', (c) => outsider.delete(`/v1/channels/${c}/messages/${messageId}`)],
    ['join', (c) => outsider.post(`/v1/channels/${c}/join`)],
    ['leave', (c) => outsider.post(`/v1/channels/${c}/leave`)],
    ['add members', (c) => outsider.post(`/v1/channels/${c}/users`, { userIds: [outsider.userId] })],
    ['archive', (c) => outsider.post(`/v1/channels/${c}/archive`)],
  ];
  for (const [what, call] of calls) {
    const hidden = await call(channelId);
    const missing = await call(UNKNOWN_ID);
    assertError(missing, 404);
    assertError(hidden, 404);
    assert.deepEqual(hidden.body, missing.body, `${what}: the same answer as for a channel that does not exist`);
  }
  // reactions go by message id alone: the same 404 as for a message that does not exist
  const react = await outsider.post(`/v1/messages/${messageId}/reactions`, { code: ':eyes:' });
  const reactMissing = await outsider.post(`/v1/messages/${UNKNOWN_ID}/reactions`, { code: ':eyes:' });
  assertError(react, 404);
  assert.deepEqual(react.body, reactMissing.body);
  const unreact = await outsider.delete(`/v1/messages/${messageId}/reactions`, { code: ':eyes:' });
  assertError(unreact, 404);

  assert.ok(!(await listIds(outsider)).includes(channelId), 'absent from the list');
}

// ---- private channels and DMs ---------------------------------------------------------------------

test('a private channel exists only for its members: every route is the 404 of a missing channel', async () => {
  const priv = await channel(alice, 'PRIVATE', [bob]);
  const root = await post(alice, priv, 'private root');
  await post(bob, priv, 'private reply', root.id);

  await assertInvisible(mallory, priv, root.id);
  // not even a workspace admin or the owner sees into it without being a member
  await assertInvisible(admin, priv, root.id);
  await assertInvisible(s.owner, priv, root.id);
  await assertInvisible(guest, priv, root.id);

  // the members still see everything untouched
  const page = await bob.get(`/v1/channels/${priv}/messages`);
  assert.equal(page.status, 200);
  assert.deepEqual(page.body.messages.map((m: any) => m.text), ['private root']);
  assert.equal(page.body.messages[0].threadRootInfo.repliesCount, 1);
  assert.deepEqual(page.body.messages[0].reactions, []);
  assert.equal((await alice.get(`/v1/channels/${priv}`)).body.users.length, 2);
});

test('a DM exists only for its participants', async () => {
  const dm = (await alice.post('/v1/channels/direct', { participantIds: [bob.userId] })).body.channel.id;
  const m = await post(bob, dm, 'just between us');
  await assertInvisible(mallory, dm, m.id);
  await assertInvisible(s.owner, dm, m.id);
  await assertInvisible(guest, dm, m.id);
  // an outsider asking for the DM of others by its participants
  const asked = await mallory.get(`/v1/channels/direct?participantIds=${alice.userId},${bob.userId}`);
  assert.equal(asked.status, 404, asked.text);
  assert.ok(!JSON.stringify(asked.body).includes(dm));
  assert.equal((await alice.get(`/v1/channels/${dm}/messages`)).body.messages[0].text, 'just between us');
});

test('a group DM and a SELF channel exist only for their participants', async () => {
  const group = (await alice.post('/v1/channels/direct', { participantIds: [bob.userId, admin.userId] })).body.channel.id;
  const gm = await post(admin, group, 'group hello');
  await assertInvisible(mallory, group, gm.id);

  const self = (await alice.post('/v1/channels/direct', { participantIds: [alice.userId] })).body.channel.id;
  const note = await post(alice, self, 'note to self');
  await assertInvisible(bob, self, note.id);
  await assertInvisible(s.owner, self, note.id);
});

test('someone removed from a private channel loses it at once', async () => {
  const priv = await channel(alice, 'PRIVATE', [bob]);
  const m = await post(bob, priv, 'before removal');
  assert.equal((await alice.delete(`/v1/channels/${priv}/users/${bob.userId}`)).status, 200);
  await assertInvisible(bob, priv, m.id);
});

// ---- guests --------------------------------------------------------------------------------------

test('a guest sees only the channels they were added to', async () => {
  const pub = await channel(alice, 'PUBLIC');
  const m = await post(alice, pub, 'public but not for guests');

  // not in general, not in public channels they were not added to
  const general = (await s.owner.get(`/v1/channels/${s.generalId}/messages`)).body.messages;
  const generalMsg = general[0] ?? (await post(s.owner, s.generalId, 'hello general'));
  await assertInvisible(guest, s.generalId, generalMsg.id);
  await assertInvisible(guest, pub, m.id);
  assert.deepEqual(await listIds(guest), [], 'a fresh guest sees no channel at all');

  // once added, the channel is theirs to read and write
  assert.equal((await alice.post(`/v1/channels/${pub}/users`, { userIds: [guest.userId] })).status, 200);
  const details = await guest.get(`/v1/channels/${pub}`);
  assert.equal(details.status, 200);
  assert.equal(details.body.channel.isMember, true);
  assert.deepEqual(await listIds(guest), [pub]);
  assert.equal((await guest.get(`/v1/channels/${pub}/messages`)).body.messages[0].text, 'public but not for guests');
  const said = await guest.post(`/v1/channels/${pub}/messages`, { text: 'guest here' });
  assert.equal(said.status, 200, said.text);

  // and a private channel they are added to
  const priv = await channel(alice, 'PRIVATE', [guest]);
  assert.deepEqual((await listIds(guest)).sort(), [pub, priv].sort());
  assert.ok(!(await listIds(guest)).includes(s.generalId));
});

test('guests cannot create channels, join public ones or add people', async () => {
  assertError(await guest.post('/v1/channels', { name: `guest channel ${Date.now()}` }), 403);
  const pub = await channel(alice, 'PUBLIC');
  assertError(await guest.post(`/v1/channels/${pub}/join`), 404);
  const mine = await channel(alice, 'PUBLIC', [guest]);
  assertError(await guest.post(`/v1/channels/${mine}/users`, { userIds: [mallory.userId] }), 403);
  assert.deepEqual((await alice.get(`/v1/channels/${mine}`)).body.users.sort(), [alice.userId, guest.userId].sort());
});

test('guests are not valid ephemeral targets in public channels they are not in', async () => {
  const pub = await channel(alice, 'PUBLIC');
  const r = await alice.post(`/v1/channels/${pub}/messages`, { text: 'hi', ephemeral: { sendToUsers: [guest.userId] } });
  assertError(r, 400, 'ephemeral.sendToUsers[0]');
});

// ---- public channels ---------------------------------------------------------------------------------

test('a public channel: non-members read it but must join to post', async () => {
  const pub = await channel(alice, 'PUBLIC');
  await post(alice, pub, 'come in');
  const read = await mallory.get(`/v1/channels/${pub}/messages`);
  assert.equal(read.status, 200);
  assert.deepEqual(read.body.messages.map((m: any) => m.text), ['come in']);
  assertError(await mallory.post(`/v1/channels/${pub}/messages`, { text: 'from outside' }), 403);
  assert.equal((await mallory.post(`/v1/channels/${pub}/join`)).status, 200);
  assert.equal((await mallory.post(`/v1/channels/${pub}/messages`, { text: 'from inside' })).status, 200);
  assert.equal((await mallory.post(`/v1/channels/${pub}/leave`)).status, 200);
  assertError(await mallory.post(`/v1/channels/${pub}/messages`, { text: 'after leaving' }), 403);
  assert.deepEqual(
    (await alice.get(`/v1/channels/${pub}/messages`)).body.messages.map((m: any) => m.text),
    ['from inside', 'come in'],
  );
});

// ---- who edits and deletes --------------------------------------------------------------------------

test('only the author or an admin edits a message', async () => {
  const pub = await channel(alice, 'PUBLIC', [bob]);
  const m = await post(alice, pub, 'original');
  const url = `/v1/channels/${pub}/messages/${m.id}`;

  assertError(await bob.put(url, { text: 'bob was here' }), 403);
  assertError(await mallory.put(url, { text: 'mallory was here' }), 403);
  assertError(await guest.put(url, { text: 'guest was here' }), 404);
  assert.equal((await alice.get(url)).body.text, 'original');

  const byAuthor = await alice.put(url, { text: 'by the author' });
  assert.equal(byAuthor.status, 200, byAuthor.text);
  assert.equal(byAuthor.body.text, 'by the author');

  const byAdmin = await admin.put(url, { text: 'by an admin' });
  assert.equal(byAdmin.status, 200, byAdmin.text);
  assert.equal(byAdmin.body.text, 'by an admin');
  assert.equal(byAdmin.body.author, alice.userId, 'the author stays the author');
  assert.equal(byAdmin.body.edited, true);

  const byOwner = await s.owner.put(url, { text: 'by the owner' });
  assert.equal(byOwner.status, 200, byOwner.text);
  assert.equal((await bob.get(url)).body.text, 'by the owner');
});

test('only the author or an admin deletes a message', async () => {
  const pub = await channel(alice, 'PUBLIC', [bob]);
  const first = await post(alice, pub, 'first');
  const second = await post(alice, pub, 'second');
  const reply = await post(alice, pub, 'a reply', first.id);

  assertError(await bob.delete(`/v1/channels/${pub}/messages/${first.id}`), 403);
  assertError(await bob.delete(`/v1/channels/${pub}/messages/${reply.id}`), 403);
  assertError(await mallory.delete(`/v1/channels/${pub}/messages/${second.id}`), 403);
  assert.equal((await bob.get(`/v1/channels/${pub}/messages/${first.id}`)).status, 200);
  assert.equal((await bob.get(`/v1/channels/${pub}/messages/${first.id}`)).body.threadRootInfo.repliesCount, 1);

  const byAdmin = await admin.delete(`/v1/channels/${pub}/messages/${second.id}`);
  assert.equal(byAdmin.status, 200, byAdmin.text);
  assert.equal(byAdmin.text, '');
  assertError(await bob.get(`/v1/channels/${pub}/messages/${second.id}`), 404);

  const byAuthor = await alice.delete(`/v1/channels/${pub}/messages/${reply.id}`);
  assert.equal(byAuthor.status, 200, byAuthor.text);
  const root = (await bob.get(`/v1/channels/${pub}/messages/${first.id}`)).body;
  assert.ok(root.threadRootInfo === undefined || root.threadRootInfo.repliesCount === 0);
});

test('removing members, archiving: the creator or an admin, not other members', async () => {
  const pub = await channel(alice, 'PUBLIC', [bob, mallory]);
  assertError(await bob.delete(`/v1/channels/${pub}/users/${mallory.userId}`), 403);
  assertError(await bob.post(`/v1/channels/${pub}/archive`), 403);
  assertError(await mallory.post(`/v1/channels/${pub}/archive`), 403);
  const byAdmin = await admin.delete(`/v1/channels/${pub}/users/${mallory.userId}`);
  assert.equal(byAdmin.status, 200, byAdmin.text);
  assert.equal((await bob.get(`/v1/channels/${pub}`)).body.users.includes(mallory.userId), false);
  assert.equal((await alice.post(`/v1/channels/${pub}/archive`)).status, 200);
});

// ---- archived channels ------------------------------------------------------------------------------

test('an archived channel refuses posts, replies, edits and reactions, but stays readable', async () => {
  const pub = await channel(alice, 'PUBLIC', [bob]);
  const m = await post(bob, pub, 'before the archive');
  assert.equal((await alice.post(`/v1/channels/${pub}/archive`)).status, 200);

  assertError(await bob.post(`/v1/channels/${pub}/messages`, { text: 'after the archive' }), 403);
  assertError(await alice.post(`/v1/channels/${pub}/messages`, { text: 'creator too' }), 403);
  assertError(await s.owner.post(`/v1/channels/${pub}/messages`, { text: 'owner too' }), 403);
  assertError(await bob.post(`/v1/channels/${pub}/messages/${m.id}`, { text: 'a late reply' }), 403);
  assertError(await bob.post(`/v1/channels/${pub}/messages`, { text: 'ephemeral too', ephemeral: { sendToUsers: [alice.userId] } }), 403);
  assertError(await bob.put(`/v1/channels/${pub}/messages/${m.id}`, { text: 'edited later' }), 403);
  assertError(await bob.post(`/v1/messages/${m.id}/reactions`, { code: ':wave:' }), 403);

  const page = await bob.get(`/v1/channels/${pub}/messages`);
  assert.equal(page.status, 200);
  assert.deepEqual(page.body.messages.map((x: any) => x.text), ['before the archive']);
  const one = await alice.get(`/v1/channels/${pub}/messages/${m.id}`);
  assert.equal(one.status, 200);
  assert.equal(one.body.text, 'before the archive');
  assert.deepEqual(one.body.reactions, []);
  assert.ok(!one.body.threadRootInfo);
});

test('an archived private channel is still invisible to outsiders', async () => {
  const priv = await channel(alice, 'PRIVATE', [bob]);
  const m = await post(alice, priv, 'archived secret');
  assert.equal((await alice.post(`/v1/channels/${priv}/archive`)).status, 200);
  await assertInvisible(mallory, priv, m.id);
});

// ---- deactivation ends access ---------------------------------------------------------------------

test('a deactivated member loses access on the very next request', async () => {
  const temp = await createUser(s.owner, 'MEMBER', 'Temp');
  const priv = await channel(alice, 'PRIVATE', [temp]);
  assert.equal((await temp.get(`/v1/channels/${priv}/messages`)).status, 200);
  assert.equal((await s.owner.post(`/v1/workspaceUsers/${temp.userId}/deactivate`)).status, 200);
  assertError(await temp.get(`/v1/channels/${priv}/messages`), 401);
  assertError(await temp.post(`/v1/channels/${priv}/messages`, { text: 'one more' }), 401);
});
