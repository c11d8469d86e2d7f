/**
 * Channels through real HTTP: list / create / details, members, join / leave, archive, and
 * direct channels (1:1, groups up to 8, self) with the shapes of spec §11 and §12.3.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client, createUser, freshPostgresDatabase, Listener, needs, type TestServer, startTestServer } from '../support/helpers.js';
import { assertError, assertEmpty200 } from '../support/assertions.js';

const ID = /^[0-9a-f]{24}$/;
const UNKNOWN_ID = 'ffffffffffffffffffffffff';

let s: TestServer;
let alice: Client;
let bob: Client;
let carol: Client;

before(async () => {
  s = await startTestServer();
  [alice, bob, carol] = await Promise.all([
    createUser(s.owner, 'MEMBER', 'Alice'),
    createUser(s.owner, 'MEMBER', 'Bob'),
    createUser(s.owner, 'MEMBER', 'Carol'),
  ]);
});
after(() => s.close());

// ---- helpers ----------------------------------------------------------------------------------

/** Spec §12.3 ChannelInfo = {channel: Channel, users?: userId[]}. */
function assertChannelInfo(info: any, expected: Record<string, unknown> = {}): void {
  assert.equal(typeof info, 'object');
  for (const key of Object.keys(info)) assert.ok(['channel', 'users', 'pinnedMessages'].includes(key), `unexpected ChannelInfo key ${key}`);
  const c = info.channel;
  assert.match(c.id, ID);
  assert.equal(c.workspaceId, s.workspaceId);
  assert.ok(['PUBLIC', 'PRIVATE', 'DIRECT', 'SELF'].includes(c.channelType), c.channelType);
  if (c.channelType === 'PUBLIC' || c.channelType === 'PRIVATE') assert.equal(typeof c.name, 'string');
  for (const key of ['isMember', 'isMuted', 'isHidden', 'isArchived', 'isMain', 'isInitial', 'notifyAboutRepliesInThreads']) {
    assert.equal(typeof c[key], 'boolean', `Channel.${key} is a boolean`);
  }
  assert.equal(typeof c.description, 'string');
  assert.equal(typeof c.postingPermissions, 'object');
  assert.equal(typeof c.desktopNotificationPreferences, 'string');
  assert.equal(typeof c.mobileNotificationPreferences, 'string');
  if (c.addedById !== undefined) assert.match(c.addedById, ID);
  if (info.users !== undefined) {
    assert.ok(Array.isArray(info.users));
    for (const u of info.users) assert.match(u, ID);
    assert.equal(new Set(info.users).size, info.users.length, 'users without duplicates');
  }
  for (const [k, v] of Object.entries(expected)) assert.deepEqual(c[k], v, `Channel.${k}`);
}

const sorted = (ids: string[]) => [...ids].sort();

let seq = 0;
const uniqueName = (prefix: string) => `${prefix} ${++seq} ${Date.now().toString(36)}`;

async function createChannel(by: Client, type: 'PUBLIC' | 'PRIVATE' = 'PUBLIC', name = uniqueName(type.toLowerCase())) {
  const r = await by.post('/v1/channels', { name, type });
  assert.equal(r.status, 200, r.text);
  return r.body.channel as { id: string; name: string };
}

async function listIds(by: Client, query = ''): Promise<string[]> {
  const r = await by.get(`/v1/channels${query}`);
  assert.equal(r.status, 200, r.text);
  return r.body.map((i: any) => i.channel.id);
}

// ---- listing and details ------------------------------------------------------------------------

test('GET /v1/channels: ChannelInfo[] with the general channel marked main', async () => {
  const r = await alice.get('/v1/channels');
  assert.equal(r.status, 200);
  assert.ok(Array.isArray(r.body));
  for (const info of r.body) assertChannelInfo(info);
  const general = r.body.find((i: any) => i.channel.id === s.generalId);
  assertChannelInfo(general, { channelType: 'PUBLIC', name: 'general', isMain: true, isMember: true, isArchived: false });
  assert.equal(r.body.filter((i: any) => i.channel.isMain).length, 1, 'one main channel');
});

test('GET /v1/channels?types= filters by type; an unknown type is 400 naming it', async () => {
  const priv = await createChannel(alice, 'PRIVATE');
  const pub = await createChannel(alice, 'PUBLIC');
  const dm = (await alice.post('/v1/channels/direct', { participantIds: [bob.userId] })).body.channel;

  const onlyPublic = (await alice.get('/v1/channels?types=PUBLIC')).body;
  assert.ok(onlyPublic.every((i: any) => i.channel.channelType === 'PUBLIC'));
  const publicIds = onlyPublic.map((i: any) => i.channel.id);
  assert.ok(publicIds.includes(pub.id) && publicIds.includes(s.generalId));
  assert.ok(!publicIds.includes(priv.id) && !publicIds.includes(dm.id));

  const privateAndDirect = await listIds(alice, '?types=PRIVATE,DIRECT');
  assert.ok(privateAndDirect.includes(priv.id) && privateAndDirect.includes(dm.id));
  assert.ok(!privateAndDirect.includes(pub.id) && !privateAndDirect.includes(s.generalId));

  const all = await listIds(alice);
  for (const id of [priv.id, pub.id, dm.id, s.generalId]) assert.ok(all.includes(id));

  assertError(await alice.get('/v1/channels?types=PUBLIC,NOPE'), 400, 'types[1]');
});

test('POST /v1/channels creates a PUBLIC channel by default; its creator is its only member', async () => {
  const name = uniqueName('Design');
  const r = await alice.post('/v1/channels', { name });
  assert.equal(r.status, 200, r.text);
  assertChannelInfo(r.body, {
    name,
    channelType: 'PUBLIC',
    description: '',
    isMember: true,
    isArchived: false,
    isMain: false,
    addedById: alice.userId,
  });
  assert.deepEqual(r.body.users, [alice.userId]);

  // every non-guest sees it, as a non-member
  const asBob = await bob.get(`/v1/channels/${r.body.channel.id}`);
  assert.equal(asBob.status, 200);
  assertChannelInfo(asBob.body, { id: r.body.channel.id, name, isMember: false });
  assert.deepEqual(asBob.body.users, [alice.userId]);
  const inBobsList = (await bob.get('/v1/channels')).body.find((i: any) => i.channel.id === r.body.channel.id);
  assertChannelInfo(inBobsList, { isMember: false, name });

  const asAlice = await alice.get(`/v1/channels/${r.body.channel.id}`);
  assert.equal(asAlice.status, 200);
  assertChannelInfo(asAlice.body, { isMember: true });
});

test('POST /v1/channels with type PRIVATE and a description; only members see it', async () => {
  const name = uniqueName('Secret');
  const r = await alice.post('/v1/channels', { name, type: 'PRIVATE', description: 'Just us' });
  assert.equal(r.status, 200, r.text);
  assertChannelInfo(r.body, { name, channelType: 'PRIVATE', description: 'Just us', isMember: true });
  assert.ok((await listIds(alice)).includes(r.body.channel.id));
  assert.ok(!(await listIds(bob)).includes(r.body.channel.id));
  assertError(await bob.get(`/v1/channels/${r.body.channel.id}`), 404);
});

test('channel names: 1–80 letters, digits, _, -, . or space (Rocket.Chat names have dots); anything else is 400 naming `name`', async () => {
  const good = ['a', 'x'.repeat(80), 'Release 2-0_final', 'café Ünïcode 日本', '42', 'channel.test.1'];
  for (const name of good) {
    const r = await alice.post('/v1/channels', { name });
    assert.equal(r.status, 200, `${JSON.stringify(name)}: ${r.text}`);
    assert.equal(r.body.channel.name, name);
  }
  const bad = ['', ' ', '   ', 'x'.repeat(81), '#general', 'a/b', 'semi;colon', 'emoji 🎉', 'new\nline', 'tab\there', '<script>'];
  for (const name of bad) assertError(await alice.post('/v1/channels', { name }), 400, 'name');
  assertError(await alice.post('/v1/channels', { name: 5 }), 400, 'name');
  assertError(await alice.post('/v1/channels', {}), 400, 'name');
  assertError(await alice.post('/v1/channels', { name: uniqueName('typed'), type: 'DIRECT' }), 400, 'type');
  assertError(await alice.post('/v1/channels', { name: uniqueName('typed'), type: 'public' }), 400, 'type');
  assertError(await alice.post('/v1/channels', { name: uniqueName('desc'), description: 'd'.repeat(251) }), 400, 'description');
  const longDesc = await alice.post('/v1/channels', { name: uniqueName('desc'), description: 'd'.repeat(250) });
  assert.equal(longDesc.status, 200, longDesc.text);
});

test('a duplicate channel name is 409 (whatever the type, whoever asks, in any letter case)', async () => {
  const name = uniqueName('Unique');
  assert.equal((await alice.post('/v1/channels', { name })).status, 200);
  assertError(await alice.post('/v1/channels', { name }), 409);
  assertError(await bob.post('/v1/channels', { name, type: 'PRIVATE' }), 409);
  assertError(await bob.post('/v1/channels', { name: name.toUpperCase() }), 409);
  assertError(await bob.post('/v1/channels', { name: 'general' }), 409);
  assertError(await bob.post('/v1/channels', { name: `  ${name}  ` }), 409);
});

test('details of a channel that does not exist, or of a malformed id: 404', async () => {
  assertError(await alice.get(`/v1/channels/${UNKNOWN_ID}`), 404);
  assertError(await alice.get('/v1/channels/nope'), 404);
  assertError(await alice.get(`/v1/channels/${s.generalId.toUpperCase()}`), 404);
});

// ---- members ------------------------------------------------------------------------------------

test('POST /v1/channels/{c}/users adds members: {channelId, addedUserIds}; adding again adds nobody', async () => {
  const priv = await createChannel(alice, 'PRIVATE');
  const r = await alice.post(`/v1/channels/${priv.id}/users`, { userIds: [bob.userId] });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body, { channelId: priv.id, addedUserIds: [bob.userId] });

  const again = await alice.post(`/v1/channels/${priv.id}/users`, { userIds: [bob.userId, alice.userId] });
  assert.equal(again.status, 200, again.text);
  assert.deepEqual(again.body, { channelId: priv.id, addedUserIds: [] });

  const asBob = await bob.get(`/v1/channels/${priv.id}`);
  assert.equal(asBob.status, 200);
  assertChannelInfo(asBob.body, { isMember: true, channelType: 'PRIVATE' });
  assert.deepEqual(sorted(asBob.body.users), sorted([alice.userId, bob.userId]));
  assert.ok((await listIds(bob)).includes(priv.id));

  // a member who is not the creator may add people too
  const byBob = await bob.post(`/v1/channels/${priv.id}/users`, { userIds: [carol.userId] });
  assert.equal(byBob.status, 200, byBob.text);
  assert.deepEqual(byBob.body.addedUserIds, [carol.userId]);
});

test('adding members with bad ids: 400 naming the offending index; nobody is added', async () => {
  const priv = await createChannel(alice, 'PRIVATE');
  assertError(await alice.post(`/v1/channels/${priv.id}/users`, { userIds: [bob.userId, 'nope'] }), 400, 'userIds[1]');
  assertError(await alice.post(`/v1/channels/${priv.id}/users`, { userIds: [UNKNOWN_ID] }), 400, 'userIds[0]');
  assertError(await alice.post(`/v1/channels/${priv.id}/users`, { userIds: [] }), 400, 'userIds');
  assertError(await alice.post(`/v1/channels/${priv.id}/users`, { userIds: bob.userId }), 400, 'userIds');
  assertError(await alice.post(`/v1/channels/${priv.id}/users`, { userIds: [bob.userId, 7] }), 400, 'userIds[1]');
  assertError(await bob.get(`/v1/channels/${priv.id}`), 404);
  assert.deepEqual((await alice.get(`/v1/channels/${priv.id}`)).body.users, [alice.userId]);
});

test('a deactivated user cannot be added to a channel', async () => {
  const gone = await createUser(s.owner, 'MEMBER', 'Gone');
  assert.equal((await s.owner.post(`/v1/workspaceUsers/${gone.userId}/deactivate`)).status, 200);
  const pub = await createChannel(alice);
  assertError(await alice.post(`/v1/channels/${pub.id}/users`, { userIds: [bob.userId, gone.userId] }), 400, 'userIds[1]');
});

test('DELETE /v1/channels/{c}/users/{u}: 200 empty; the removed member loses a private channel at once', async () => {
  const priv = await createChannel(alice, 'PRIVATE');
  await alice.post(`/v1/channels/${priv.id}/users`, { userIds: [bob.userId, carol.userId] });

  // a plain member may not remove someone else
  assertError(await bob.delete(`/v1/channels/${priv.id}/users/${carol.userId}`), 403);
  assert.equal((await carol.get(`/v1/channels/${priv.id}`)).status, 200);

  assertEmpty200(await alice.delete(`/v1/channels/${priv.id}/users/${bob.userId}`));
  assertError(await bob.get(`/v1/channels/${priv.id}`), 404);
  assert.ok(!(await listIds(bob)).includes(priv.id));
  assert.deepEqual(sorted((await alice.get(`/v1/channels/${priv.id}`)).body.users), sorted([alice.userId, carol.userId]));

  // removing someone who is not a member
  assertError(await alice.delete(`/v1/channels/${priv.id}/users/${bob.userId}`), 404);
});

test('join and leave a public channel', async () => {
  const pub = await createChannel(alice);
  const joined = await bob.post(`/v1/channels/${pub.id}/join`);
  assert.equal(joined.status, 200, joined.text);
  assertChannelInfo(joined.body, { id: pub.id, isMember: true });
  assert.deepEqual(sorted(joined.body.users), sorted([alice.userId, bob.userId]));

  // joining twice changes nothing
  const twice = await bob.post(`/v1/channels/${pub.id}/join`);
  assert.equal(twice.status, 200);
  assert.deepEqual(sorted(twice.body.users), sorted([alice.userId, bob.userId]));

  assertEmpty200(await bob.post(`/v1/channels/${pub.id}/leave`));
  const after = await bob.get(`/v1/channels/${pub.id}`);
  assert.equal(after.status, 200);
  assertChannelInfo(after.body, { isMember: false });
  assert.deepEqual(after.body.users, [alice.userId]);

  // leaving a channel one is not in
  assertError(await bob.post(`/v1/channels/${pub.id}/leave`), 404);
  assertError(await bob.post(`/v1/channels/${UNKNOWN_ID}/join`), 404);
});

test('nobody leaves the general channel', async () => {
  assertError(await bob.post(`/v1/channels/${s.generalId}/leave`), 403);
  assertError(await s.owner.delete(`/v1/channels/${s.generalId}/users/${bob.userId}`), 403);
  assert.ok((await bob.get(`/v1/channels/${s.generalId}`)).body.channel.isMember);
});

test('a private channel cannot be joined by a non-member (404, as if it did not exist)', async () => {
  const priv = await createChannel(alice, 'PRIVATE');
  assertError(await bob.post(`/v1/channels/${priv.id}/join`), 404);
  assert.deepEqual((await alice.get(`/v1/channels/${priv.id}`)).body.users, [alice.userId]);
});

// ---- archive ------------------------------------------------------------------------------------

test('POST /v1/channels/{c}/archive: the creator or an admin archives; it stays listed as archived', async () => {
  const pub = await createChannel(alice);
  await alice.post(`/v1/channels/${pub.id}/users`, { userIds: [bob.userId] });

  assertError(await bob.post(`/v1/channels/${pub.id}/archive`), 403);
  assert.equal((await alice.get(`/v1/channels/${pub.id}`)).body.channel.isArchived, false);

  const r = await alice.post(`/v1/channels/${pub.id}/archive`);
  assert.equal(r.status, 200, r.text);
  assertChannelInfo(r.body, { id: pub.id, isArchived: true });

  const again = await alice.post(`/v1/channels/${pub.id}/archive`);
  assert.equal(again.status, 200, 'archiving twice is harmless');
  assert.equal(again.body.channel.isArchived, true);

  assert.equal((await bob.get(`/v1/channels/${pub.id}`)).body.channel.isArchived, true);
  const listed = (await carol.get('/v1/channels')).body.find((i: any) => i.channel.id === pub.id);
  assertChannelInfo(listed, { isArchived: true });

  // an archived channel takes no new members and cannot be joined
  assertError(await alice.post(`/v1/channels/${pub.id}/users`, { userIds: [carol.userId] }), 403);
  assertError(await carol.post(`/v1/channels/${pub.id}/join`), 403);

  // an admin may archive a channel they did not create
  const other = await createChannel(bob);
  const byOwner = await s.owner.post(`/v1/channels/${other.id}/archive`);
  assert.equal(byOwner.status, 200, byOwner.text);
  assert.equal(byOwner.body.channel.isArchived, true);
});

test('the general channel cannot be archived', async () => {
  assertError(await s.owner.post(`/v1/channels/${s.generalId}/archive`), 403);
  assert.equal((await s.owner.get(`/v1/channels/${s.generalId}`)).body.channel.isArchived, false);
});

test('PATCH /v1/channels/{c} renames a channel or changes its description (its creator or an admin); members see it live; integrations naming #old follow', async () => {
  const name = uniqueName('before');
  const pub = await createChannel(alice, 'PUBLIC', name);
  await alice.post(`/v1/channels/${pub.id}/users`, { userIds: [bob.userId] });
  const owner = (await s.sb.store.user(s.workspaceId, s.ownerId))!;
  const hook = await s.sb.core.integrations.create(owner, { type: 'webhook-incoming', name: uniqueName('hook'), enabled: true, username: owner.username, channel: `#${name}`, scriptEnabled: false });
  const greeter = await s.sb.core.integrations.create(owner, {
    type: 'webhook-outgoing',
    name: uniqueName('greeter'),
    enabled: true,
    username: owner.username,
    channel: '',
    event: 'userCreated',
    targetRoom: `#${name.toUpperCase()}`,
    urls: ['https://example.com/greet'],
    scriptEnabled: false,
  });
  const frames = await Listener.connect(s.wsUrl, bob.token);
  try {
    assertError(await bob.patch(`/v1/channels/${pub.id}`, { name: 'taken over' }), 403);
    const newName = uniqueName('after');
    const r = await alice.patch(`/v1/channels/${pub.id}`, { name: ` ${newName} `, description: 'All things *design*' });
    assert.equal(r.status, 200, r.text);
    assertChannelInfo(r.body, { id: pub.id, name: newName, description: 'All things *design*' });
    const seen = await frames.next((f: any) => f.type === 'channel.updated' && f.channel?.id === pub.id, 5000);
    assert.equal(seen.channel.name, newName);
    assert.deepEqual((await s.sb.core.integrations.get(owner, { integrationId: hook._id })).channel, [`#${newName}`]);
    assert.equal((await s.sb.core.integrations.get(owner, { integrationId: greeter._id })).targetRoom, `#${newName}`, "an outgoing integration's targetRoom follows too");
    // an admin may change a channel they did not make; the same name again changes nothing
    const byOwner = await s.owner.patch(`/v1/channels/${pub.id}`, { description: '' });
    assert.equal(byOwner.status, 200, byOwner.text);
    assert.equal(byOwner.body.channel.description, '');
    assert.equal((await s.owner.patch(`/v1/channels/${pub.id}`, { name: newName })).status, 200);
  } finally {
    frames.close();
  }
  // taken names, bad names, the general channel's name, an archived channel
  const other = await createChannel(alice);
  assertError(await alice.patch(`/v1/channels/${pub.id}`, { name: other.name.toUpperCase() }), 409);
  assertError(await alice.patch(`/v1/channels/${pub.id}`, { name: 'no/slashes' }), 400, 'name');
  assertError(await alice.patch(`/v1/channels/${pub.id}`, { description: 'x'.repeat(251) }), 400, 'description');
  assertError(await s.owner.patch(`/v1/channels/${s.generalId}`, { name: uniqueName('general') }), 403);
  assert.equal((await s.owner.patch(`/v1/channels/${s.generalId}`, { description: 'Everyone, everywhere' })).status, 200);
  await alice.post(`/v1/channels/${other.id}/archive`);
  assertError(await alice.patch(`/v1/channels/${other.id}`, { name: uniqueName('late') }), 403);
});

// ---- direct channels -------------------------------------------------------------------------------

test('a 1:1 direct channel: GET is 404 until POST creates it; POST is idempotent from either side', async () => {
  const dave = await createUser(s.owner, 'MEMBER', 'Dave');
  const miss = await alice.get(`/v1/channels/direct?participantIds=${alice.userId},${dave.userId}`);
  assertError(miss, 404);

  const created = await alice.post('/v1/channels/direct', { participantIds: [dave.userId] });
  assert.equal(created.status, 200, created.text);
  assertChannelInfo(created.body, { channelType: 'DIRECT', isMember: true, isArchived: false, isMain: false });
  assert.equal(created.body.channel.name, undefined, 'direct channels have no name');
  assert.deepEqual(sorted(created.body.users), sorted([alice.userId, dave.userId]));
  const id = created.body.channel.id;

  const again = await alice.post('/v1/channels/direct', { participantIds: [dave.userId] });
  assert.equal(again.status, 200);
  assert.equal(again.body.channel.id, id);
  const withSelf = await alice.post('/v1/channels/direct', { participantIds: [alice.userId, dave.userId] });
  assert.equal(withSelf.body.channel.id, id, 'listing the caller too names the same channel');
  const fromDave = await dave.post('/v1/channels/direct', { participantIds: [alice.userId] });
  assert.equal(fromDave.status, 200);
  assert.equal(fromDave.body.channel.id, id);

  for (const q of [`${alice.userId},${dave.userId}`, `${dave.userId},${alice.userId}`, dave.userId]) {
    const found = await alice.get(`/v1/channels/direct?participantIds=${q}`);
    assert.equal(found.status, 200, found.text);
    assert.equal(found.body.channel.id, id);
    assert.deepEqual(sorted(found.body.users), sorted([alice.userId, dave.userId]));
  }
  const foundByDave = await dave.get(`/v1/channels/direct?participantIds=${dave.userId},${alice.userId}`);
  assert.equal(foundByDave.body.channel.id, id);

  // both see it in their list with its members, and may talk in it
  for (const c of [alice, dave]) {
    const info = (await c.get('/v1/channels?types=DIRECT')).body.find((i: any) => i.channel.id === id);
    assertChannelInfo(info, { channelType: 'DIRECT', isMember: true });
    assert.deepEqual(sorted(info.users), sorted([alice.userId, dave.userId]));
    const details = await c.get(`/v1/channels/${id}`);
    assert.equal(details.status, 200);
    assert.deepEqual(sorted(details.body.users), sorted([alice.userId, dave.userId]));
  }
  const posted = await dave.post(`/v1/channels/${id}/messages`, { text: 'hi alice' });
  assert.equal(posted.status, 200, posted.text);
  const read = await alice.get(`/v1/channels/${id}/messages`);
  assert.equal(read.status, 200);
  assert.deepEqual(read.body.messages.map((m: any) => m.text), ['hi alice']);
});

test('a group direct channel of up to 8 people, the same channel for the same set in any order', async () => {
  const r = await alice.post('/v1/channels/direct', { participantIds: [bob.userId, carol.userId] });
  assert.equal(r.status, 200, r.text);
  assertChannelInfo(r.body, { channelType: 'DIRECT' });
  assert.deepEqual(sorted(r.body.users), sorted([alice.userId, bob.userId, carol.userId]));

  const fromCarol = await carol.post('/v1/channels/direct', { participantIds: [bob.userId, alice.userId] });
  assert.equal(fromCarol.body.channel.id, r.body.channel.id);
  const got = await bob.get(`/v1/channels/direct?participantIds=${carol.userId},${alice.userId},${bob.userId}`);
  assert.equal(got.status, 200, got.text);
  assert.equal(got.body.channel.id, r.body.channel.id);

  // a different set of people is a different channel
  const pair = await alice.post('/v1/channels/direct', { participantIds: [bob.userId] });
  assert.notEqual(pair.body.channel.id, r.body.channel.id);
});

test('a direct channel with oneself is a SELF channel', async () => {
  const r = await bob.post('/v1/channels/direct', { participantIds: [bob.userId] });
  assert.equal(r.status, 200, r.text);
  assertChannelInfo(r.body, { channelType: 'SELF', isMember: true });
  assert.deepEqual(r.body.users, [bob.userId]);
  const again = await bob.get(`/v1/channels/direct?participantIds=${bob.userId}`);
  assert.equal(again.status, 200, again.text);
  assert.equal(again.body.channel.id, r.body.channel.id);
  assert.ok((await listIds(bob, '?types=SELF')).includes(r.body.channel.id));
  assert.ok(!(await listIds(alice)).includes(r.body.channel.id));
  assertError(await alice.get(`/v1/channels/${r.body.channel.id}`), 404);
});

test('more than 8 people in a direct channel: 400 naming participantIds', async () => {
  const fakes = Array.from({ length: 8 }, (_, i) => `aaaaaaaaaaaaaaaaaaaaaa${i.toString(16).padStart(2, '0')}`);
  // 8 others + the caller = 9
  assertError(await alice.post('/v1/channels/direct', { participantIds: fakes }), 400, 'participantIds');
  assertError(await alice.post('/v1/channels/direct', { participantIds: [...fakes, alice.userId].slice(0, 9) }), 400, 'participantIds');
  assertError(await alice.get(`/v1/channels/direct?participantIds=${fakes.join(',')}`), 400, 'participantIds');
});

test('direct channel participant ids are checked one by one: 400 naming the offending index', async () => {
  assertError(await alice.post('/v1/channels/direct', { participantIds: [bob.userId, 'nope'] }), 400, 'participantIds[1]');
  assertError(await alice.post('/v1/channels/direct', { participantIds: ['nope'] }), 400, 'participantIds[0]');
  assertError(await alice.post('/v1/channels/direct', { participantIds: [bob.userId, 12] }), 400, 'participantIds[1]');
  assertError(await alice.post('/v1/channels/direct', { participantIds: [] }), 400, 'participantIds');
  assertError(await alice.post('/v1/channels/direct', {}), 400, 'participantIds');
  assertError(await alice.post('/v1/channels/direct', { participantIds: bob.userId }), 400, 'participantIds');
  assertError(await alice.get(`/v1/channels/direct?participantIds=${bob.userId},nope`), 400, 'participantIds[1]');
  assertError(await alice.get('/v1/channels/direct'), 400, 'participantIds');
});

test('a direct channel with a user who does not exist: 400 naming that index of the request', async () => {
  // bob at index 0, an id that matches no user at index 1
  assertError(await alice.post('/v1/channels/direct', { participantIds: [bob.userId, UNKNOWN_ID] }), 400, 'participantIds[1]');
  assertError(await alice.post('/v1/channels/direct', { participantIds: [UNKNOWN_ID, bob.userId] }), 400, 'participantIds[0]');
});

test('a direct channel with a deactivated user cannot be created', async () => {
  const gone = await createUser(s.owner, 'MEMBER', 'Gone Too');
  assert.equal((await s.owner.post(`/v1/workspaceUsers/${gone.userId}/deactivate`)).status, 200);
  assertError(await alice.post('/v1/channels/direct', { participantIds: [gone.userId] }), 400, 'participantIds[0]');
  assertError(await alice.post('/v1/channels/direct', { participantIds: [bob.userId, gone.userId] }), 400, 'participantIds[1]');
  assertError(await alice.get(`/v1/channels/direct?participantIds=${gone.userId}`), 404);
});

test('members of a direct channel do not change, and it cannot be archived or left', async () => {
  const dm = (await alice.post('/v1/channels/direct', { participantIds: [bob.userId] })).body.channel;
  assertError(await alice.post(`/v1/channels/${dm.id}/users`, { userIds: [carol.userId] }), 403);
  assertError(await alice.post(`/v1/channels/${dm.id}/leave`), 403);
  assertError(await alice.delete(`/v1/channels/${dm.id}/users/${bob.userId}`), 403);
  assertError(await alice.post(`/v1/channels/${dm.id}/archive`), 403);
  assertError(await carol.post(`/v1/channels/${dm.id}/join`), 404);
  assert.deepEqual(sorted((await alice.get(`/v1/channels/${dm.id}`)).body.users), sorted([alice.userId, bob.userId]));
});

test('channel ids are 24 hex characters and increase with creation time', async () => {
  const ids: string[] = [];
  for (let i = 0; i < 4; i++) {
    ids.push((await createChannel(alice)).id);
    await new Promise((r) => setTimeout(r, 3));
  }
  for (const id of ids) assert.match(id, ID);
  assert.deepEqual([...ids].sort(), ids, 'later channels have greater ids');
  assert.equal(new Set(ids).size, ids.length);
});

// ---- concurrency ---------------------------------------------------------------------------------

test('concurrent get-or-create of one DM from both sides yields one channel', async () => {
  const erin = await createUser(s.owner, 'MEMBER', 'Erin');
  const replies = await Promise.all(
    Array.from({ length: 8 }, (_, i) =>
      i % 2 ? erin.post('/v1/channels/direct', { participantIds: [carol.userId] }) : carol.post('/v1/channels/direct', { participantIds: [erin.userId] }),
    ),
  );
  for (const r of replies) assert.equal(r.status, 200, r.text);
  const ids = new Set(replies.map((r) => r.body.channel.id));
  assert.equal(ids.size, 1, 'one channel for one set of people');
  const listed = (await erin.get('/v1/channels?types=DIRECT')).body.filter((i: any) => i.users.includes(carol.userId));
  assert.equal(listed.length, 1);
});

test('concurrent creates of one channel name: exactly one succeeds, the others are 409', async () => {
  const name = uniqueName('Race');
  const replies = await Promise.all([alice, bob, carol, alice, bob, carol].map((c) => c.post('/v1/channels', { name })));
  const ok = replies.filter((r) => r.status === 200);
  assert.equal(ok.length, 1, replies.map((r) => r.status).join(','));
  for (const r of replies) if (r.status !== 200) assertError(r, 409);
  const named = (await alice.get('/v1/channels')).body.filter((i: any) => i.channel.name === name);
  assert.equal(named.length, 1);
});

test('concurrent joins of one channel: everyone is a member once', async () => {
  const pub = await createChannel(alice);
  const replies = await Promise.all([bob, carol, bob, carol].map((c) => c.post(`/v1/channels/${pub.id}/join`)));
  for (const r of replies) assert.equal(r.status, 200, r.text);
  const users = (await alice.get(`/v1/channels/${pub.id}`)).body.users;
  assert.deepEqual(sorted(users), sorted([alice.userId, bob.userId, carol.userId]));
});

test('PostgreSQL: concurrent joins, adds, DMs and names are answered as on SQLite, never with a 500', async (t) => {
  if (!(await needs(t, 'postgres'))) return;
  const pg = await freshPostgresDatabase();
  const server = await startTestServer({ databaseUrl: pg.url });
  try {
    const [a, b, c] = await Promise.all([createUser(server.owner, 'MEMBER', 'PA'), createUser(server.owner, 'MEMBER', 'PB'), createUser(server.owner, 'MEMBER', 'PC')]);
    const pub = (await a.post('/v1/channels', { name: 'pg race' })).body.channel.id;

    const joins = await Promise.all(Array.from({ length: 6 }, () => b.post(`/v1/channels/${pub}/join`)));
    assert.deepEqual(joins.map((r) => r.status), [200, 200, 200, 200, 200, 200], joins.map((r) => r.text).join('\n'));

    const adds = await Promise.all(Array.from({ length: 5 }, () => a.post(`/v1/channels/${pub}/users`, { userIds: [c.userId] })));
    assert.deepEqual(adds.map((r) => r.status), [200, 200, 200, 200, 200], adds.map((r) => r.text).join('\n'));
    assert.deepEqual(adds.flatMap((r) => r.body.addedUserIds), [c.userId], 'added once');
    assert.deepEqual(sorted((await a.get(`/v1/channels/${pub}`)).body.users), sorted([a.userId, b.userId, c.userId]));

    const dms = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? a : b).post('/v1/channels/direct', { participantIds: [i % 2 ? b.userId : a.userId] })));
    for (const r of dms) assert.equal(r.status, 200, r.text);
    assert.equal(new Set(dms.map((r) => r.body.channel.id)).size, 1);

    const names = await Promise.all([a, b, c, a].map((x) => x.post('/v1/channels', { name: 'pg same name' })));
    assert.deepEqual(names.map((r) => r.status).sort(), [200, 409, 409, 409]);
  } finally {
    await server.close();
    await pg.drop();
  }
});
