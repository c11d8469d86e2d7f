/**
 * Rocket.Chat's document shapes on the /api/v1 face (issue #11 item 1): what `channels.*`,
 * `groups.*`, `im.*`/`dm.*` and `users.*` answer, key by key and type by type, as Rocket.Chat's
 * REST API serializes IMessage, IRoom and IUser (dates as ISO strings). Driven as Rocket.Chat
 * clients drive it: X-User-Id / X-Auth-Token, and an incoming hook posting through /hooks/:id/:token.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { http, OWNER, startTestServer, type TestServer } from '../support/helpers.js';
import { rcCreateUser, rcLogin, type RcClient, type RcUser, unique } from '../support/rocketchat-client.js';

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const ID = /^[0-9a-f]{24}$/;

let s: TestServer;
let owner: RcClient;
let rocketCat: RcUser;
/** a public channel for these tests, created by the owner */
let room: { _id: string; name: string };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const keys = (o: object) => Object.keys(o).sort();

/** Posts as the owner through Switchboard's own API; a little apart, so that timestamps differ. */
async function post(channelId: string, text: string, threadRootId?: string): Promise<{ id: string; timestampMilli: number }> {
  const r = await s.owner.post(`/v1/channels/${channelId}/messages${threadRootId ? `/${threadRootId}` : ''}`, { text });
  assert.equal(r.status, 200, r.text);
  await sleep(3);
  return r.body;
}

function assertMessageBasics(m: Record<string, unknown>, rid: string) {
  assert.match(m._id as string, ID);
  assert.equal(m.rid, rid);
  assert.equal(typeof m.msg, 'string');
  assert.match(m.ts as string, ISO);
  assert.match(m._updatedAt as string, ISO);
  const u = m.u as Record<string, unknown>;
  assert.deepEqual(keys(u), ['_id', 'name', 'username']);
  for (const k of ['_id', 'name', 'username']) assert.equal(typeof u[k], 'string');
}

/** The keys of every room document; direct rooms have no name, owner or `default`. */
const ROOM_KEYS = ['_id', '_updatedAt', 'default', 'fname', 'msgs', 'name', 'ro', 'sysMes', 't', 'ts', 'u', 'usersCount'];
const DIRECT_ROOM_KEYS = ['_id', '_updatedAt', 'msgs', 'ro', 'sysMes', 't', 'ts', 'uids', 'usernames', 'usersCount'];

function assertRoomTypes(r: Record<string, unknown>) {
  assert.match(r._id as string, ID);
  assert.ok(['c', 'p', 'd'].includes(r.t as string));
  assert.match(r.ts as string, ISO);
  assert.match(r._updatedAt as string, ISO);
  assert.equal(typeof r.msgs, 'number');
  assert.equal(typeof r.usersCount, 'number');
  assert.equal(r.ro, false);
  assert.equal(r.sysMes, true);
}

before(async () => {
  s = await startTestServer({ env: { HOOK_RATE_LIMITS: 'off' } });
  owner = await rcLogin(s.url, OWNER.email, OWNER.password);
  rocketCat = await rcCreateUser(owner, { username: 'rocket.cat', roles: ['bot'] });
  const c = await owner.post('channels.create', { name: unique('shapes') });
  assert.equal(c.status, 200, c.text);
  room = c.body.channel;
});
after(() => s.close());

describe('channels.* (IRoom, IMessage)', () => {
  test('channels.create and channels.info: the room document, msgs 0 until something is posted, then lm and lastMessage', async () => {
    const name = unique('info');
    const created = await owner.post('channels.create', { name });
    assert.equal(created.status, 200, created.text);
    assert.equal(created.body.success, true);
    const c = created.body.channel;
    assert.deepEqual(keys(c), ROOM_KEYS);
    assertRoomTypes(c);
    assert.deepEqual([c.t, c.name, c.fname, c.msgs, c.usersCount, c.default], ['c', name, name, 0, 1, false]);
    assert.deepEqual(c.u, { _id: owner.userId, username: 'owner' });

    const info = await owner.get('channels.info', { roomId: c._id });
    assert.equal(info.status, 200, info.text);
    assert.deepEqual(info.body, { channel: c, success: true });
    assert.deepEqual((await owner.get('channels.info', { roomName: name })).body.channel, c);

    await post(c._id, 'the first words');
    const after = (await owner.get('channels.info', { roomId: c._id })).body.channel;
    assert.deepEqual(keys(after), [...ROOM_KEYS, 'lastMessage', 'lm'].sort());
    assert.equal(after.msgs, 1);
    assert.equal(after.lm, after.lastMessage.ts);
    assertMessageBasics(after.lastMessage, c._id);
    assert.equal(after.lastMessage.msg, 'the first words');

    // the default channel is `default: true`
    assert.equal((await owner.get('channels.info', { roomId: 'GENERAL' })).body.channel.default, true);

    // duplicate names: upstream's coded error
    const dup = await owner.post('channels.create', { name });
    assert.deepEqual([dup.status, dup.body.errorType], [400, 'error-duplicate-channel-name']);
    assert.match(dup.body.error, /\[error-duplicate-channel-name\]$/);
  });

  test('unknown rooms and rooms of another type: 400 error-room-not-found with upstream text', async () => {
    const NOT_FOUND = {
      success: false,
      error: 'The required "roomId" or "roomName" param provided does not match any channel [error-room-not-found]',
      errorType: 'error-room-not-found',
    };
    for (const [path, q] of [
      ['channels.info', { roomId: 'ffffffffffffffffffffffff' }],
      ['channels.info', { roomName: 'no-such-room' }],
      ['channels.info', {}],
      ['channels.messages', { roomId: 'nope' }],
      ['channels.history', { roomId: 'nope' }],
      ['channels.members', { roomName: 'no-such-room' }],
    ] as const) {
      const r = await owner.get(path, q);
      assert.deepEqual([r.status, r.body], [400, NOT_FOUND], `${path} ${JSON.stringify(q)}`);
    }
    const g = (await owner.post('groups.create', { name: unique('not-a-channel') })).body.group;
    assert.deepEqual((await owner.get('channels.info', { roomId: g._id })).body, NOT_FOUND);
  });

  test('a message posted through an incoming hook: alias, avatar or emoji, attachments, bot, and its text as posted', async () => {
    const created = await owner.post('integrations.create', {
      type: 'webhook-incoming',
      name: 'shapes hook',
      enabled: true,
      username: 'rocket.cat',
      channel: `#${room.name}`,
      scriptEnabled: false,
      alias: 'Integration default',
      emoji: ':ghost:',
    });
    assert.equal(created.status, 200, created.text);
    const integration = created.body.integration as { _id: string; token: string };

    // Slack / Rocket.Chat markup, as senders write it: it must read back exactly so.
    // Also what the conversion to Switchboard markup cannot undo: a bare <url>, *_nested_*, a labelled mention.
    const text = `*Deploy* of _api_ ~v1~ is done: <https://ci.example.com/build/7|build 7> \`*code*\` <https://ci.example.com> *_both_* <!here|here> ${unique('t')}`;
    const attachments = [
      { title: 'Build 7', title_link: 'https://ci.example.com/build/7', text: 'All *green*', color: 'good', fields: [{ title: 'env', value: 'prod', short: true }] },
    ];
    const hooked = await http(s.url, 'POST', `/hooks/${integration._id}/${integration.token}`, {
      body: { text, username: 'CI Bot', icon_url: 'https://ci.example.com/bot.png', attachments },
    });
    assert.deepEqual([hooked.status, hooked.body], [200, { success: true }], hooked.text);
    const emojiText = `_second_ post ${unique('e')}`;
    assert.equal((await http(s.url, 'POST', `/hooks/${integration._id}/${integration.token}`, { body: { text: emojiText, icon_emoji: ':robot:' } })).status, 200);
    // a person's message beside them
    await post(room._id, 'a **person** writes *here*');

    const r = await owner.get('channels.messages', { roomId: room._id });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(keys(r.body), ['count', 'items', 'messages', 'offset', 'success', 'total']);
    const [person, second, first] = r.body.messages as [Record<string, any>, Record<string, any>, Record<string, any>];

    assert.deepEqual(keys(first), ['_id', '_updatedAt', 'alias', 'attachments', 'avatar', 'bot', 'groupable', 'msg', 'rid', 'ts', 'u']);
    assertMessageBasics(first, room._id);
    assert.equal(first.msg, text);
    assert.deepEqual(first.u, { _id: rocketCat._id, username: 'rocket.cat', name: 'rocket.cat' });
    assert.equal(first.alias, 'CI Bot');
    assert.equal(first.avatar, 'https://ci.example.com/bot.png');
    assert.deepEqual(first.bot, { i: integration._id });
    assert.equal(first.groupable, false);
    // as stored: named colours are mapped (§7.6), everything else as sent
    assert.deepEqual(first.attachments, [{ ...attachments[0], color: '#2eb886' }]);

    assert.deepEqual(keys(second), ['_id', '_updatedAt', 'alias', 'bot', 'emoji', 'groupable', 'msg', 'rid', 'ts', 'u']);
    assert.deepEqual([second.msg, second.alias, second.emoji], [emojiText, 'Integration default', ':robot:']);

    assert.deepEqual(keys(person), ['_id', '_updatedAt', 'msg', 'rid', 'ts', 'u']);
    assert.deepEqual(person.u, { _id: owner.userId, username: 'owner', name: 'owner' });
    // Switchboard markup reads as Rocket.Chat markup
    assert.equal(person.msg, 'a *person* writes _here_');

    // the same documents in channels.history and as the room's lastMessage
    const history = await owner.get('channels.history', { roomId: room._id, count: 3 });
    assert.deepEqual(history.body, { messages: [person, second, first], success: true });
    assert.deepEqual((await owner.get('channels.info', { roomId: room._id })).body.channel.lastMessage, person);
  });

  test('threads, reactions and edits: tcount/tlm/replies on the root, tmid on replies, reactions by username, editedAt', async () => {
    const c = (await owner.post('channels.create', { name: unique('thread') })).body.channel;
    const root = await post(c._id, 'root');
    const reply = await post(c._id, 'a reply', root.id);
    assert.equal((await s.owner.post(`/v1/messages/${root.id}/reactions`, { code: ':tada:' })).status, 200);
    assert.equal((await s.owner.put(`/v1/channels/${c._id}/messages/${reply.id}`, { text: 'a reply, edited' })).status, 200);

    const [r, m] = (await owner.get('channels.messages', { roomId: c._id })).body.messages as [Record<string, any>, Record<string, any>];
    assert.deepEqual(keys(m), ['_id', '_updatedAt', 'msg', 'reactions', 'replies', 'rid', 'tcount', 'tlm', 'ts', 'u']);
    assert.deepEqual([m._id, m.tcount, m.replies, m.reactions], [root.id, 1, [s.ownerId], { ':tada:': { usernames: ['owner'] } }]);
    assert.match(m.tlm, ISO);
    assert.deepEqual(keys(r), ['_id', '_updatedAt', 'editedAt', 'msg', 'rid', 'tmid', 'ts', 'u']);
    assert.deepEqual([r._id, r.tmid, r.msg], [reply.id, root.id, 'a reply, edited']);
    assert.match(r.editedAt, ISO);

    // history leaves thread replies out unless asked (upstream's showThreadMessages)
    assert.deepEqual(
      (await owner.get('channels.history', { roomId: c._id })).body.messages.map((x: { _id: string }) => x._id),
      [root.id],
    );
    assert.deepEqual(
      (await owner.get('channels.history', { roomId: c._id, showThreadMessages: 'true' })).body.messages.map((x: { _id: string }) => x._id),
      [reply.id, root.id],
    );

    // A reply also sent to the channel carries tshow, and history keeps it without showThreadMessages.
    const shown = await s.owner.post(`/v1/channels/${c._id}/messages/${root.id}`, { text: 'for everyone', alsoSendToChannel: true });
    assert.equal(shown.status, 200, shown.text);
    const [t] = (await owner.get('channels.messages', { roomId: c._id })).body.messages as [Record<string, any>];
    assert.deepEqual(keys(t), ['_id', '_updatedAt', 'msg', 'rid', 'tmid', 'ts', 'tshow', 'u']);
    assert.deepEqual([t._id, t.tmid, t.tshow], [shown.body.id, root.id, true]);
    assert.deepEqual(
      (await owner.get('channels.history', { roomId: c._id })).body.messages.map((x: { _id: string }) => x._id),
      [shown.body.id, root.id],
    );
  });

  test('channels.messages pages newest first (or by {"ts":1}); channels.history takes latest, oldest, inclusive, offset, count', async () => {
    const c = (await owner.post('channels.create', { name: unique('paging') })).body.channel;
    const posted: Array<{ text: string; id: string; timestampMilli: number }> = [];
    for (const text of ['m1', 'm2', 'm3', 'm4', 'm5']) posted.push({ text, ...(await post(c._id, text)) });
    const msgs = async (path: string, q: Record<string, string | number>) =>
      (await owner.get(path, { roomId: c._id, ...q })).body.messages.map((m: { msg: string }) => m.msg);

    const p = await owner.get('channels.messages', { roomId: c._id, offset: 1, count: 2 });
    assert.deepEqual([p.body.messages.map((m: { msg: string }) => m.msg), p.body.offset, p.body.count, p.body.total], [['m4', 'm3'], 1, 2, 5]);
    assert.deepEqual(await msgs('channels.messages', { sort: '{"ts":1}' }), ['m1', 'm2', 'm3', 'm4', 'm5']);

    const at = (i: number) => new Date(posted[i]!.timestampMilli).toISOString();
    assert.deepEqual(await msgs('channels.history', {}), ['m5', 'm4', 'm3', 'm2', 'm1']);
    assert.deepEqual(await msgs('channels.history', { latest: at(3) }), ['m3', 'm2', 'm1']);
    assert.deepEqual(await msgs('channels.history', { latest: at(3), inclusive: 'true' }), ['m4', 'm3', 'm2', 'm1']);
    assert.deepEqual(await msgs('channels.history', { oldest: at(1), latest: at(3) }), ['m3']);
    assert.deepEqual(await msgs('channels.history', { oldest: at(1), latest: at(3), inclusive: 'true' }), ['m4', 'm3', 'm2']);
    assert.deepEqual(await msgs('channels.history', { count: 2, offset: 1 }), ['m4', 'm3']);
    const unreads = await owner.get('channels.history', { roomId: c._id, count: 1, unreads: 'true' });
    assert.deepEqual(keys(unreads.body), ['messages', 'success', 'unreadNotLoaded']);
    const bad = await owner.get('channels.history', { roomId: c._id, latest: 'yesterday-ish' });
    assert.deepEqual([bad.status, bad.body.errorType], [400, 'error-invalid-date']);
  });

  test('channels.list and channels.list.joined: {channels, offset, count, total}, each a room document', async () => {
    const list = await owner.get('channels.list');
    assert.equal(list.status, 200, list.text);
    assert.deepEqual(keys(list.body), ['channels', 'count', 'items', 'offset', 'success', 'total']);
    const names = list.body.channels.map((c: { name: string }) => c.name);
    assert.deepEqual(names, [...names].sort((a: string, b: string) => a.toLowerCase().localeCompare(b.toLowerCase())));
    for (const c of list.body.channels) {
      assertRoomTypes(c);
      assert.equal(c.t, 'c');
    }
    const one = await owner.get('channels.list', { _id: room._id });
    assert.deepEqual([one.body.count, one.body.total, one.body.channels[0]._id], [1, 1, room._id]);
    assert.deepEqual(one.body.channels[0], (await owner.get('channels.info', { roomId: room._id })).body.channel);

    // someone who joined nothing but general
    const bob = await rcCreateUser(owner, { username: unique('bob') });
    const bobClient = await rcLogin(s.url, bob.username, bob.password);
    const joined = await bobClient.get('channels.list.joined');
    assert.deepEqual(joined.body.channels.map((c: { _id: string }) => c._id), [s.generalId]);
    assert.equal((await bobClient.get('channels.list')).body.total, list.body.total);
  });
});

describe('groups.* (private rooms)', () => {
  test('create, info, messages, history (thread replies included by default), list; outsiders and missing params get upstream errors', async () => {
    const name = unique('private');
    const g = (await owner.post('groups.create', { name, members: ['rocket.cat'] })).body.group;
    assert.deepEqual(keys(g), ROOM_KEYS);
    assertRoomTypes(g);
    assert.deepEqual([g.t, g.name, g.fname, g.usersCount, g.msgs, g.default], ['p', name, name, 2, 0, false]);
    assert.deepEqual((await owner.get('groups.info', { roomName: name })).body, { group: g, success: true });

    const root = await post(g._id, 'in private');
    const reply = await post(g._id, 'reply in private', root.id);
    const messages = await owner.get('groups.messages', { roomId: g._id });
    assert.deepEqual(messages.body.messages.map((m: { _id: string }) => m._id), [reply.id, root.id]);
    for (const m of messages.body.messages) assertMessageBasics(m, g._id);
    assert.deepEqual((await owner.get('groups.history', { roomId: g._id })).body.messages.map((m: { _id: string }) => m._id), [reply.id, root.id]);
    assert.deepEqual(
      (await owner.get('groups.history', { roomId: g._id, showThreadMessages: 'false' })).body.messages.map((m: { _id: string }) => m._id),
      [root.id],
    );

    const list = await owner.get('groups.list');
    assert.deepEqual(keys(list.body), ['count', 'groups', 'items', 'offset', 'success', 'total']);
    const listed = list.body.groups.find((x: { _id: string }) => x._id === g._id);
    assert.deepEqual([listed.msgs, listed.lastMessage._id], [2, reply.id]);

    const outsider = await rcCreateUser(owner, { username: unique('outsider') });
    const outsiderClient = await rcLogin(s.url, outsider.username, outsider.password);
    const NOT_FOUND = {
      success: false,
      error: 'The required "roomId" or "roomName" param provided does not match any group [error-room-not-found]',
      errorType: 'error-room-not-found',
    };
    for (const path of ['groups.info', 'groups.messages', 'groups.history', 'groups.members']) {
      const r = await outsiderClient.get(path, { roomId: g._id });
      assert.deepEqual([r.status, r.body], [400, NOT_FOUND], path);
    }
    assert.deepEqual((await outsiderClient.get('groups.list')).body.groups, []);
    const missing = await owner.get('groups.info');
    assert.deepEqual(missing.body, {
      success: false,
      error: 'The parameter "roomId" or "roomName" is required [error-room-param-not-provided]',
      errorType: 'error-room-param-not-provided',
    });
  });
});

describe('im.* and dm.* (direct rooms)', () => {
  test('create (and dm.create) answer the direct room with _id and rid; messages by roomId or username; history, list, members', async () => {
    const peer = await rcCreateUser(owner, { username: unique('peer') });
    const created = await owner.post('im.create', { username: peer.username });
    assert.equal(created.status, 200, created.text);
    const d = created.body.room;
    assert.deepEqual(keys(d), [...DIRECT_ROOM_KEYS, 'rid'].sort());
    assertRoomTypes(d);
    assert.deepEqual([d.t, d.rid, d.usersCount, d.msgs], ['d', d._id, 2, 0]);
    assert.deepEqual([...d.usernames].sort(), ['owner', peer.username].sort());
    assert.deepEqual([...d.uids].sort(), [owner.userId, peer._id].sort());
    assert.deepEqual((await owner.post('dm.create', { username: peer.username })).body.room, d);

    const hello = await post(d._id, 'hello *you*');
    for (const q of [{ roomId: d._id as string }, { username: peer.username }] as Array<Record<string, string>>) {
      for (const prefix of ['im', 'dm']) {
        const r = await owner.get(`${prefix}.messages`, q);
        assert.equal(r.status, 200, r.text);
        assert.deepEqual([r.body.count, r.body.total, r.body.offset], [1, 1, 0]);
        assertMessageBasics(r.body.messages[0], d._id);
        assert.deepEqual([r.body.messages[0]._id, r.body.messages[0].msg], [hello.id, 'hello _you_']);
      }
    }
    assert.deepEqual((await owner.get('im.history', { roomId: d._id })).body.messages.map((m: { _id: string }) => m._id), [hello.id]);

    const list = await owner.get('im.list');
    assert.deepEqual(keys(list.body), ['count', 'ims', 'items', 'offset', 'success', 'total']);
    const im = list.body.ims.find((x: { _id: string }) => x._id === d._id);
    assert.deepEqual(keys(im), [...DIRECT_ROOM_KEYS, 'lastMessage', 'lm'].sort());
    assert.deepEqual([im.msgs, im.lastMessage._id, im.lm], [1, hello.id, im.lastMessage.ts]);
    assert.deepEqual((await owner.get('dm.list')).body, list.body);

    const members = await owner.get('im.members', { roomId: d._id });
    assert.deepEqual(
      members.body.members.map((m: { username: string }) => m.username),
      ['owner', peer.username].sort(),
    );
    assert.deepEqual([members.body.count, members.body.total], [2, 2]);

    // one's own username: the self room, opened if need be
    const self = await owner.get('im.messages', { username: 'owner' });
    assert.deepEqual([self.status, self.body.messages], [200, []]);
  });

  test('a direct room of other people, unknown ones, and missing parameters: upstream errors', async () => {
    const [a, b] = [await rcCreateUser(owner, { username: unique('a') }), await rcCreateUser(owner, { username: unique('b') })];
    const aClient = await rcLogin(s.url, a.username, a.password);
    const theirs = (await aClient.post('im.create', { username: b.username })).body.room;
    const NOT_FOUND = {
      success: false,
      error: 'The required "roomId" param provided does not match any direct message [error-room-not-found]',
      errorType: 'error-room-not-found',
    };
    for (const path of ['im.messages', 'im.history', 'im.members']) {
      const r = await owner.get(path, { roomId: theirs._id });
      assert.deepEqual([r.status, r.body], [400, NOT_FOUND], path);
    }
    assert.deepEqual((await owner.get('im.messages', { username: 'no.such.person' })).body, NOT_FOUND);
    // a room that is not a direct one
    assert.deepEqual((await owner.get('im.messages', { roomId: room._id })).body, NOT_FOUND);
    assert.equal((await owner.get('im.messages')).body.errorType, 'error-room-param-not-provided');
    assert.deepEqual((await owner.get('im.history')).body, {
      success: false,
      error: 'Query param "roomId" is required [error-room-param-not-provided]',
      errorType: 'error-room-param-not-provided',
    });
  });
});

describe('users.* (IUser)', () => {
  const USER_KEYS = ['_id', '_updatedAt', 'active', 'createdAt', 'emails', 'name', 'roles', 'type', 'username'];

  test('users.info by userId or username; users.list paged by username', async () => {
    for (const q of [{ userId: rocketCat._id }, { username: 'rocket.cat' }] as Array<Record<string, string>>) {
      const r = await owner.get('users.info', q);
      assert.equal(r.status, 200, r.text);
      const u = r.body.user;
      assert.deepEqual(keys(u), USER_KEYS);
      assert.deepEqual(
        [u._id, u.username, u.name, u.emails, u.roles, u.active, u.type],
        [rocketCat._id, 'rocket.cat', 'rocket.cat', [{ address: 'rocket.cat@rocket.chat', verified: true }], ['user', 'bot'], true, 'user'],
      );
      assert.match(u.createdAt, ISO);
      assert.match(u._updatedAt, ISO);
    }
    assert.deepEqual((await owner.get('users.info', { username: 'no.such.user' })).body, { success: false, error: 'User not found.' });
    assert.deepEqual((await owner.get('users.info')).body, { success: false, error: 'Invalid search query.' });

    const list = await owner.get('users.list', { count: 100 });
    assert.equal(list.status, 200, list.text);
    assert.deepEqual(keys(list.body), ['count', 'items', 'offset', 'success', 'total', 'users']);
    const usernames = list.body.users.map((u: { username: string }) => u.username);
    assert.deepEqual(usernames, [...usernames].sort((x: string, y: string) => x.localeCompare(y)));
    assert.equal(list.body.total, usernames.length);
    for (const u of list.body.users) assert.deepEqual(keys(u), USER_KEYS);
    const second = await owner.get('users.list', { offset: 1, count: 1 });
    assert.deepEqual([second.body.users[0].username, second.body.count, second.body.total], [usernames[1], 1, list.body.total]);
    assert.equal((await owner.get('users.list', { query: '{"username":"x"}' })).body.errorType, 'invalid-params');
  });
});
