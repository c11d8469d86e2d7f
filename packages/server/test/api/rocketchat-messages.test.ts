/**
 * What Rocket.Chat bots do with a message once posted — `chat.update`, `chat.delete`, `chat.react`,
 * `chat.getMessage` — and `rooms.info`, `GET /api/info` (docs/integrations.md §12.5), through real
 * HTTP with X-User-Id / X-Auth-Token. Answers and refusals are upstream's
 * (apps/meteor/app/api/server/v1/chat.ts, rooms.ts, misc.ts and the methods they call).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { OWNER, startTestServer, type TestServer } from '../support/helpers.js';
import { checked, rcCreateUser, rcLogin, type CheckedClient, type RcUser, unique, plain, coded, invalidParams } from '../support/rocketchat-client.js';
import { ROCKET_CHAT_VERSION } from '../../src/surfaces/rocketchat/info.js';

const keys = (o: object) => Object.keys(o).sort();
const UNKNOWN_ID = 'ffffffffffffffffffffffff';

describe('chat.update, chat.delete, chat.react, chat.getMessage, rooms.info', () => {
  let s: TestServer;
  let owner: CheckedClient;
  let user: CheckedClient;
  let userDoc: RcUser;
  /** a public channel of the owner's, which `user` joins */
  let room: { _id: string; name: string };
  /** a private channel of the owner's; `user` is not in it */
  let secret: { _id: string; name: string };

  const post = async (as: CheckedClient, roomId: string, text: string) => {
    const r = await as.post('chat.postMessage', { roomId, text });
    assert.equal(r.status, 200, r.text);
    return r.body.message as { _id: string; rid: string; msg: string };
  };

  before(async () => {
    s = await startTestServer({ env: { HOOK_RATE_LIMITS: 'off' } });
    owner = checked(await rcLogin(s.url, OWNER.email, OWNER.password));
    userDoc = await rcCreateUser(owner.client, { username: unique('msg.user') });
    user = checked(await rcLogin(s.url, userDoc.username, userDoc.password));
    room = (await owner.post('channels.create', { name: unique('msg-room') })).body.channel;
    secret = (await owner.post('groups.create', { name: unique('msg-secret') })).body.group;
    assert.ok(room?._id && secret?._id);
  });
  after(async () => {
    await s?.close();
  });

  describe('chat.update', () => {
    test('the author edits: {message, success}, the message as channels.history shows it, edited', async () => {
      const m = await post(owner, room._id, 'first words');
      const r = await owner.post('chat.update', { roomId: room._id, msgId: m._id, text: '*bold* second words' });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(keys(r.body), ['message', 'success']);
      assert.equal(r.body.message._id, m._id);
      assert.equal(r.body.message.rid, room._id);
      assert.equal(r.body.message.msg, '*bold* second words');
      assert.ok(r.body.message.editedAt, 'editedAt');
      const history = (await owner.get('channels.history', { roomId: room._id })).body.messages as Array<{ _id: string; msg: string }>;
      assert.equal(history.find((x) => x._id === m._id)?.msg, '*bold* second words');
    });

    test('the same text changes nothing (upstream returns early)', async () => {
      const m = await post(owner, room._id, 'unchanged');
      const r = await owner.post('chat.update', { roomId: room._id, msgId: m._id, text: 'unchanged' });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.message.editedAt, undefined);
    });

    test("another's message: Message editing not allowed [error-action-not-allowed]; an admin may", async () => {
      await user.post('chat.postMessage', { channel: `#${room.name}`, text: 'join' });
      const mine = await post(owner, room._id, 'the owner wrote this');
      const r = await user.post('chat.update', { roomId: room._id, msgId: mine._id, text: 'hijacked' });
      assert.equal(r.status, 400);
      assert.equal(r.body.errorType, 'error-action-not-allowed');
      assert.equal(r.body.error, 'Message editing not allowed [error-action-not-allowed]');
      const theirs = await post(user, room._id, 'the user wrote this');
      const admin = await owner.post('chat.update', { roomId: room._id, msgId: theirs._id, text: 'moderated' });
      assert.equal(admin.status, 200, admin.text);
      assert.equal(admin.body.message.msg, 'moderated');
    });

    test('missing params, unknown message, wrong room, custom fields', async () => {
      const m = await post(owner, room._id, 'to be looked up');
      const missing = await owner.post('chat.update', { roomId: room._id, msgId: m._id });
      assert.deepEqual([missing.status, missing.body], [400, invalidParams("must have required property 'text'")]);
      const extra = await owner.post('chat.update', { roomId: room._id, msgId: m._id, text: 'x', msg: 'y' });
      assert.deepEqual([extra.status, extra.body], [400, invalidParams('must NOT have additional properties')]);
      const unknown = await owner.post('chat.update', { roomId: room._id, msgId: UNKNOWN_ID, text: 'x' });
      assert.deepEqual([unknown.status, unknown.body], [400, plain(`No message found with the id of "${UNKNOWN_ID}".`)]);
      const wrongRoom = await owner.post('chat.update', { roomId: secret._id, msgId: m._id, text: 'x' });
      assert.deepEqual([wrongRoom.status, wrongRoom.body], [400, plain('The room id provided does not match where the message is from.')]);
      const custom = await owner.post('chat.update', { roomId: room._id, msgId: m._id, text: 'x', customFields: { a: 1 } });
      assert.deepEqual([custom.status, custom.body], [400, plain('Custom fields not enabled')]);
    });

    test("a room the caller cannot see: the message is not found (its existence is not told)", async () => {
      const hidden = await post(owner, secret._id, 'secret words');
      const r = await user.post('chat.update', { roomId: secret._id, msgId: hidden._id, text: 'x' });
      assert.deepEqual([r.status, r.body], [400, plain(`No message found with the id of "${hidden._id}".`)]);
    });
  });

  describe('chat.delete', () => {
    test('the author deletes: {_id, ts, message: {_id, rid, u}, success}; the message is gone', async () => {
      const m = await post(owner, room._id, 'delete me');
      const r = await owner.post('chat.delete', { roomId: room._id, msgId: m._id });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(keys(r.body), ['_id', 'message', 'success', 'ts']);
      assert.equal(r.body._id, m._id);
      assert.match(r.body.ts, /^\d{13}$/);
      assert.deepEqual(keys(r.body.message), ['_id', 'rid', 'u']);
      assert.deepEqual([r.body.message._id, r.body.message.rid, r.body.message.u._id], [m._id, room._id, s.ownerId]);
      const again = await owner.get('chat.getMessage', { msgId: m._id });
      assert.deepEqual([again.status, again.body], [400, { success: false, error: `No message found with the id of "${m._id}".` }]);
    });

    test("another's message: Not allowed [error-action-not-allowed]; asUser needs force-delete-message", async () => {
      await user.post('chat.postMessage', { channel: `#${room.name}`, text: 'join' });
      const mine = await post(owner, room._id, 'not yours');
      const r = await user.post('chat.delete', { roomId: room._id, msgId: mine._id });
      assert.deepEqual([r.status, r.body], [400, coded('Not allowed', 'error-action-not-allowed')]);
      const asUser = await user.post('chat.delete', { roomId: room._id, msgId: mine._id, asUser: true });
      assert.deepEqual(
        [asUser.status, asUser.body],
        [400, plain('Unauthorized. You must have the permission "force-delete-message" to delete other\'s message as them.')],
      );
      const theirs = await post(user, room._id, 'an admin removes this');
      const admin = await owner.post('chat.delete', { roomId: room._id, msgId: theirs._id, asUser: true });
      assert.equal(admin.status, 200, admin.text);
      assert.equal(admin.body.message.u._id, userDoc._id);
    });

    test('missing params and unknown message', async () => {
      const missing = await owner.post('chat.delete', { roomId: room._id });
      assert.deepEqual([missing.status, missing.body], [400, invalidParams("must have required property 'msgId'")]);
      const unknown = await owner.post('chat.delete', { roomId: room._id, msgId: UNKNOWN_ID });
      assert.deepEqual([unknown.status, unknown.body], [400, plain(`No message found with the id of "${UNKNOWN_ID}".`)]);
    });
  });

  describe('chat.react', () => {
    const reactionsOf = async (msgId: string) => (await owner.get('chat.getMessage', { msgId })).body.message.reactions as Record<string, { usernames: string[] }> | undefined;

    test('toggles without shouldReact; with or without colons; shouldReact sets', async () => {
      const m = await post(owner, room._id, 'react to me');
      const r = await owner.post('chat.react', { messageId: m._id, emoji: 'thumbsup' });
      assert.deepEqual([r.status, r.body], [200, { success: true }]);
      const ownerName = (await owner.get('me')).body.username;
      assert.deepEqual(await reactionsOf(m._id), { ':thumbsup:': { usernames: [ownerName] } });
      // the same emoji with colons toggles it off again
      assert.equal((await owner.post('chat.react', { messageId: m._id, emoji: ':thumbsup:' })).status, 200);
      assert.equal(await reactionsOf(m._id), undefined);
      // shouldReact: false when not reacted changes nothing; true twice reacts once
      assert.equal((await owner.post('chat.react', { messageId: m._id, emoji: ':smile:', shouldReact: false })).status, 200);
      assert.equal(await reactionsOf(m._id), undefined);
      await owner.post('chat.react', { messageId: m._id, reaction: ':smile:', shouldReact: true });
      await owner.post('chat.react', { messageId: m._id, emoji: 'smile', shouldReact: true });
      assert.deepEqual(await reactionsOf(m._id), { ':smile:': { usernames: [ownerName] } });
    });

    test('unknown message, a message the caller cannot see, a bad emoji, no emoji', async () => {
      const unknown = await owner.post('chat.react', { messageId: UNKNOWN_ID, emoji: 'smile' });
      const NOT_FOUND = coded('The provided "messageId" does not match any existing message.', 'error-message-not-found');
      assert.deepEqual([unknown.status, unknown.body], [400, NOT_FOUND]);
      const hidden = await post(owner, secret._id, 'no reactions from outsiders');
      assert.deepEqual((await user.post('chat.react', { messageId: hidden._id, emoji: 'smile' })).body, NOT_FOUND);
      const m = await post(owner, room._id, 'bad emoji');
      const bad = await owner.post('chat.react', { messageId: m._id, emoji: 'not an emoji!' });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.errorType, 'error-not-allowed');
      assert.equal(bad.body.error, 'Invalid emoji provided. [error-not-allowed]');
      const none = await owner.post('chat.react', { messageId: m._id });
      assert.equal(none.status, 400);
      assert.equal(none.body.errorType, 'invalid-params');
    });
  });

  describe('chat.getMessage', () => {
    test('{message, success}: the message as channels.history shows it', async () => {
      const m = await post(owner, room._id, 'read me back');
      const r = await owner.get('chat.getMessage', { msgId: m._id });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(keys(r.body), ['message', 'success']);
      const history = (await owner.get('channels.history', { roomId: room._id })).body.messages as Array<{ _id: string }>;
      assert.deepEqual(r.body.message, history.find((x) => x._id === m._id));
    });

    test('no msgId: invalid-params; unknown or unseen: {success: false} (as upstream) with the error said', async () => {
      const missing = await owner.get('chat.getMessage');
      assert.deepEqual([missing.status, missing.body], [400, invalidParams("must have required property 'msgId'")]);
      const unknown = await owner.get('chat.getMessage', { msgId: UNKNOWN_ID });
      assert.deepEqual([unknown.status, unknown.body], [400, { success: false, error: `No message found with the id of "${UNKNOWN_ID}".` }]);
      const hidden = await post(owner, secret._id, 'hidden');
      assert.deepEqual((await user.get('chat.getMessage', { msgId: hidden._id })).body, { success: false, error: `No message found with the id of "${hidden._id}".` });
    });
  });

  describe('rooms.info', () => {
    test('by id, by name, GENERAL and a private room: {room, success} as channels.info / groups.info show it', async () => {
      const byId = await owner.get('rooms.info', { roomId: room._id });
      assert.equal(byId.status, 200, byId.text);
      assert.deepEqual(keys(byId.body), ['room', 'success']);
      assert.deepEqual(byId.body.room, (await owner.get('channels.info', { roomId: room._id })).body.channel);
      assert.equal((await owner.get('rooms.info', { roomName: room.name })).body.room._id, room._id);
      assert.equal((await owner.get('rooms.info', { roomId: 'GENERAL' })).body.room.default, true);
      const group = await owner.get('rooms.info', { roomId: secret._id });
      assert.deepEqual([group.body.room._id, group.body.room.t], [secret._id, 'p']);
    });

    test('neither parameter, unknown room, a private room of others', async () => {
      const none = await owner.get('rooms.info');
      assert.deepEqual([none.status, none.body], [400, coded('The parameter "roomId" or "roomName" is required', 'error-roomid-param-not-provided')]);
      const NOT_FOUND = coded('The required "roomId" or "roomName" param provided does not match any channel', 'error-room-not-found');
      assert.deepEqual((await owner.get('rooms.info', { roomId: UNKNOWN_ID })).body, NOT_FOUND);
      assert.deepEqual((await owner.get('rooms.info', { roomName: 'no-such-room-at-all' })).body, NOT_FOUND);
      assert.deepEqual((await user.get('rooms.info', { roomId: secret._id })).body, NOT_FOUND);
    });
  });
});

describe('GET /api/info', () => {
  test('public: {version, success} with the major.minor version, as upstream answers callers without get-server-info', async () => {
    const server = await startTestServer();
    try {
      const r = await fetch(`${server.url}/api/info`);
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('content-type'), 'application/json');
      assert.deepEqual(await r.json(), { version: ROCKET_CHAT_VERSION, success: true });
      assert.match(ROCKET_CHAT_VERSION, /^\d+\.\d+$/);
      // no login needed, and nothing else under /api/info
      assert.notEqual((await fetch(`${server.url}/api/info`, { method: 'POST' })).status, 200);
    } finally {
      await server.close();
    }
  });
});
