/**
 * Rocket.Chat's `chat.postMessage` and `chat.sendMessage` (docs/integrations.md §12.5) through real
 * HTTP, as Rocket.Chat bots and scripts call them: X-User-Id / X-Auth-Token from /api/v1/login. The
 * answers follow upstream (apps/meteor/app/api/server/v1/chat.ts, processWebhookMessage.ts, and its
 * end-to-end tests apps/meteor/tests/end-to-end/api/chat.ts): destinations `#name`, `@username`, room
 * ids; public rooms joined, private ones refused; threads; upstream's error words and codes. A posted
 * message then reads back in channels.history and reaches `/v1` like any message. On SQLite and, when
 * it is reachable, PostgreSQL.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { freshPostgresDatabase, http, Listener, OWNER, postgresAvailable, REQUIRE_SERVICES, startTestServer, type TestServer } from '../support/helpers.js';
import { checked, rcCreateUser, rcLogin, type CheckedClient, type RcUser, unique, plain, invalidParams } from '../support/rocketchat-client.js';

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const ID = /^[0-9a-f]{24}$/;
const keys = (o: object) => Object.keys(o).sort();
const big = (n: number) => 'x'.repeat(n);

/** The attachment of upstream's "should return statusCode 200 when postMessage successfully". */
const GRUGGY = {
  color: '#ff0000',
  text: 'Yay for gruggy!',
  ts: '2016-12-09T16:53:06.761Z',
  thumb_url: 'http://res.guggy.com/logo_128.png',
  message_link: 'https://google.com',
  collapsed: false,
  author_name: 'Bradley Hilton',
  author_link: 'https://rocket.chat/',
  author_icon: 'https://avatars.githubusercontent.com/u/850391?v=3',
  title: 'Attachment Example',
  title_link: 'https://youtube.com',
  title_link_download: true,
  image_url: 'http://res.guggy.com/logo_128.png',
  audio_url: 'http://www.w3schools.com/tags/horse.mp3',
  video_url: 'http://www.w3schools.com/tags/movie.mp4',
  fields: [
    { short: true, title: 'Test', value: 'Testing out something or other' },
    { short: true, title: 'Another Test', value: '[Link](https://google.com/) something and this and that.' },
  ],
};

const INVALID_CHANNEL = { success: false, error: '[invalid-channel]', errorType: 'invalid-channel' };
const NOT_ALLOWED = plain('error-not-allowed');
const NOT_ENOUGH_PERMISSION = plain('Not enough permission');

const pgUp = await postgresAvailable();
if (!pgUp && REQUIRE_SERVICES) throw new Error('postgres is required (REQUIRE_SERVICES=1) but is not reachable');

for (const engine of ['sqlite', 'postgres'] as const) {
  describe(`chat.postMessage and chat.sendMessage on ${engine}`, { skip: engine === 'postgres' && !pgUp && 'postgres is not reachable' }, () => {
    let s: TestServer;
    let dropPg: (() => Promise<void>) | undefined;
    /** the bootstrap owner: role admin, which does not hold message-impersonate (§5) */
    let owner: CheckedClient;
    /** a member of the workspace */
    let user: CheckedClient;
    let userDoc: RcUser;
    /** a bot (role bot: message-impersonate) */
    let bot: CheckedClient;
    let botDoc: RcUser;
    /** a public channel the owner created; `user` is not in it */
    let room: { _id: string; name: string };
    /** a private channel of the owner's; `user` is not in it */
    let secret: { _id: string; name: string };

    const history = async (roomId: string, as: CheckedClient = owner) => {
      const r = await as.get('channels.history', { roomId });
      assert.equal(r.status, 200, r.text);
      return r.body.messages as Array<Record<string, any>>;
    };
    const members = async (roomId: string) =>
      ((await owner.get('channels.members', { roomId })).body.members as Array<{ username: string }>).map((m) => m.username);

    before(async () => {
      const env = { HOOK_RATE_LIMITS: 'off' };
      if (engine === 'postgres') {
        const pg = await freshPostgresDatabase();
        dropPg = pg.drop;
        s = await startTestServer({ databaseUrl: pg.url, env });
      } else {
        s = await startTestServer({ env });
      }
      owner = checked(await rcLogin(s.url, OWNER.email, OWNER.password));
      userDoc = await rcCreateUser(owner.client, { username: unique('chat.user') });
      user = checked(await rcLogin(s.url, userDoc.username, userDoc.password));
      botDoc = await rcCreateUser(owner.client, { username: unique('chat.bot'), roles: ['bot'] });
      bot = checked(await rcLogin(s.url, botDoc.username, botDoc.password));
      room = (await owner.post('channels.create', { name: unique('chat-room') })).body.channel;
      secret = (await owner.post('groups.create', { name: unique('chat-secret') })).body.group;
      assert.ok(room?._id && secret?._id);
    });
    after(async () => {
      await s?.close();
      await dropPg?.();
    });

    describe('chat.postMessage', () => {
      test('to #name: {ts, channel, message, success}; the message is the one channels.history shows, and it reaches /v1 and its realtime', async () => {
        const listener = await Listener.connect(s.wsUrl, s.owner.token);
        try {
          const text = `*hello* from a script ${unique('t')}`;
          const r = await owner.post('chat.postMessage', { channel: `#${room.name}`, text });
          assert.equal(r.status, 200, r.text);
          assert.deepEqual(keys(r.body), ['channel', 'message', 'success', 'ts']);
          assert.equal(r.body.success, true);
          assert.equal(r.body.channel, `#${room.name}`);
          assert.equal(typeof r.body.ts, 'number');
          assert.ok(Math.abs(r.body.ts - Date.now()) < 60_000);
          const m = r.body.message;
          assert.deepEqual(keys(m), ['_id', '_updatedAt', 'msg', 'rid', 'ts', 'u']);
          assert.match(m._id, ID);
          assert.match(m.ts, ISO);
          assert.deepEqual([m.rid, m.msg], [room._id, text]);
          assert.deepEqual(m.u, { _id: owner.client.userId, username: 'owner', name: 'owner' });

          assert.deepEqual((await history(room._id))[0], m);
          const v1 = await s.owner.get(`/v1/channels/${room._id}/messages`);
          assert.equal(v1.status, 200, v1.text);
          const own = (v1.body.messages as Array<{ id: string; text: string }>).find((x) => x.id === m._id);
          assert.ok(own, v1.text);
          // Rocket.Chat markup in, Switchboard markup on /v1, as an incoming webhook's text
          assert.match(own.text, /^\*\*hello\*\* from a script/);
          const frame = await listener.next((f) => f.message?.id === m._id);
          assert.equal(frame.message.channelId, room._id);
        } finally {
          listener.close();
        }
      });

      test('to a room id by roomId or channel, to GENERAL, to a room name without #, and to several rooms at once', async () => {
        const byRoomId = await owner.post('chat.postMessage', { roomId: room._id, text: 'by roomId' });
        assert.equal(byRoomId.status, 200, byRoomId.text);
        assert.deepEqual([byRoomId.body.channel, byRoomId.body.message.rid], [room._id, room._id]);

        const byBareId = await owner.post('chat.postMessage', { channel: room._id, text: 'by a bare id' });
        assert.deepEqual([byBareId.status, byBareId.body.channel, byBareId.body.message.rid], [200, room._id, room._id]);

        const general = await owner.post('chat.postMessage', { roomId: 'GENERAL', text: 'to GENERAL' });
        assert.deepEqual([general.status, general.body.channel, general.body.message.rid], [200, 'GENERAL', s.generalId]);

        const byName = await owner.post('chat.postMessage', { channel: room.name, text: 'by a bare name' });
        assert.deepEqual([byName.status, byName.body.message.rid], [200, room._id]);

        const other = (await owner.post('channels.create', { name: unique('chat-other') })).body.channel;
        const both = await owner.post('chat.postMessage', { channel: [`#${other.name}`, `#${room.name}`], text: 'to both' });
        assert.equal(both.status, 200, both.text);
        // the first destination's message is the answer; each room got its own
        assert.deepEqual([both.body.channel, both.body.message.rid], [`#${other.name}`, other._id]);
        assert.equal((await history(room._id))[0]?.msg, 'to both');
        assert.equal((await history(other._id))[0]?.msg, 'to both');

        // one unknown destination, and nothing is posted anywhere
        const partly = await owner.post('chat.postMessage', { channel: [`#${other.name}`, '#no-such-room'], text: 'to nowhere' });
        assert.deepEqual([partly.status, partly.body], [400, INVALID_CHANNEL]);
        assert.equal((await history(other._id))[0]?.msg, 'to both');
      });

      test('to @username: the direct room is opened and the other person reads it', async () => {
        const r = await user.post('chat.postMessage', { channel: `@${botDoc.username}`, text: 'psst, bot' });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.body.channel, `@${botDoc.username}`);
        const dm = r.body.message.rid as string;
        assert.notEqual(dm, room._id);
        assert.deepEqual(r.body.message.u, { _id: userDoc._id, username: userDoc.username, name: userDoc.username });

        const seen = await bot.get('im.messages', { roomId: dm });
        assert.equal(seen.status, 200, seen.text);
        assert.deepEqual(seen.body.messages[0], r.body.message);
        const info = (await bot.get('im.list')).body.ims.find((x: { _id: string }) => x._id === dm);
        assert.deepEqual([...info.usernames].sort(), [botDoc.username, userDoc.username].sort());

        // the same room again, by username or by the person's id
        const again = await user.post('chat.postMessage', { channel: `@${botDoc._id}`, text: 'again' });
        assert.deepEqual([again.status, again.body.message.rid], [200, dm]);
        const byUserId = await user.post('chat.postMessage', { channel: botDoc._id, text: 'by a bare user id' });
        assert.deepEqual([byUserId.status, byUserId.body.message.rid], [200, dm]);

        // nobody by that name
        assert.deepEqual((await user.post('chat.postMessage', { channel: '@nobody.here', text: 'x' })).body, INVALID_CHANNEL);
      });

      test('to a public channel the caller is not in: they join it, as upstream, and the message is there', async () => {
        const c = (await owner.post('channels.create', { name: unique('chat-public') })).body.channel;
        assert.ok(!(await members(c._id)).includes(userDoc.username));
        const r = await user.post('chat.postMessage', { channel: `#${c.name}`, text: 'I came in to say this' });
        assert.equal(r.status, 200, r.text);
        assert.ok((await members(c._id)).includes(userDoc.username));
        assert.deepEqual((await history(c._id, user)).find((m) => m._id === r.body.message._id), r.body.message);
      });

      test('to a private channel the caller is not in: 400 error-not-allowed, nothing posted, not joined', async () => {
        const before = await owner.get('groups.history', { roomId: secret._id });
        for (const body of [{ channel: `#${secret.name}`, text: 'let me in' }, { roomId: secret._id, text: 'let me in' }, { channel: secret._id, text: 'x' }]) {
          const r = await user.post('chat.postMessage', body);
          assert.deepEqual([r.status, r.body], [400, NOT_ALLOWED], JSON.stringify(body));
        }
        assert.deepEqual((await owner.get('groups.history', { roomId: secret._id })).body, before.body);
        assert.equal((await user.get('groups.info', { roomId: secret._id })).status, 400);
        // its members may
        const mine = await owner.post('chat.postMessage', { channel: `#${secret.name}`, text: 'members only' });
        assert.deepEqual([mine.status, mine.body.message.rid], [200, secret._id]);
      });

      test('an archived channel takes no posts: error-not-allowed', async () => {
        const c = (await owner.post('channels.create', { name: unique('chat-archived') })).body.channel;
        assert.equal((await owner.post('channels.delete', { roomId: c._id })).status, 200);
        assert.deepEqual((await owner.post('chat.postMessage', { roomId: c._id, text: 'too late' })).body, NOT_ALLOWED);
      });

      test('threads: tmid with roomId replies in the thread; with channel the schema refuses it, as upstream', async () => {
        const root = (await owner.post('chat.postMessage', { roomId: room._id, text: 'thread root' })).body.message;
        const reply = await user.post('chat.postMessage', { roomId: room._id, text: 'a reply', tmid: root._id });
        assert.equal(reply.status, 200, reply.text);
        assert.deepEqual(keys(reply.body.message), ['_id', '_updatedAt', 'msg', 'rid', 'tmid', 'ts', 'u']);
        assert.equal(reply.body.message.tmid, root._id);
        // a reply to the reply joins the root's thread
        const nested = await owner.post('chat.postMessage', { roomId: room._id, text: 'nested', tmid: reply.body.message._id });
        assert.equal(nested.body.message.tmid, root._id);
        const rootNow = (await owner.get('channels.messages', { roomId: room._id })).body.messages.find((m: { _id: string }) => m._id === root._id);
        assert.equal(rootNow.tcount, 2);
        assert.deepEqual([...rootNow.replies].sort(), [owner.client.userId, userDoc._id].sort());

        const byChannel = await owner.post('chat.postMessage', { channel: `#${room.name}`, text: 'x', tmid: root._id });
        assert.deepEqual(
          [byChannel.status, byChannel.body],
          [400, invalidParams("must have required property 'roomId'\n must NOT have additional properties\n must match exactly one schema in oneOf")],
        );
        // a thread of another room
        const other = (await owner.post('channels.create', { name: unique('chat-elsewhere') })).body.channel;
        const elsewhere = await owner.post('chat.postMessage', { roomId: other._id, text: 'x', tmid: root._id });
        assert.deepEqual([elsewhere.status, elsewhere.body.success], [400, false]);
        // refused for its tmid: the public room it named is not joined (docs/integrations.md §12.5,
        // every destination checked before anything is posted or joined), by either call
        const notJoined = (await owner.post('channels.create', { name: unique('chat-not-joined') })).body.channel;
        const viaPost = await user.post('chat.postMessage', { roomId: notJoined._id, text: 'x', tmid: root._id });
        assert.deepEqual([viaPost.status, viaPost.body.success], [400, false]);
        const viaSend = await user.post('chat.sendMessage', { message: { rid: notJoined._id, tmid: 'ffffffffffffffffffffffff', msg: 'x' } });
        assert.equal(viaSend.body.success, false);
        assert.ok(!(await members(notJoined._id)).includes(userDoc.username), 'not joined by a refused post');
      });

      test('missing or wrong parameters: upstream validator words, [invalid-channel], unknown-error', async () => {
        // upstream's "should throw an error when at least one of required parameters(channel, roomId) is not sent"
        const none = await owner.post('chat.postMessage', { text: 'Sample message', alias: 'Gruggy', emoji: ':smirk:', avatar: 'http://res.guggy.com/logo_128.png' });
        assert.deepEqual(
          [none.status, none.body],
          [400, invalidParams("must have required property 'roomId'\n must have required property 'channel'\n must match exactly one schema in oneOf")],
        );
        const both = await owner.post('chat.postMessage', { roomId: room._id, channel: `#${room.name}`, text: 'x' });
        assert.deepEqual(both.body, invalidParams('must NOT have additional properties\n must NOT have additional properties\n must match exactly one schema in oneOf'));
        // `msg` is processWebhookMessage's, not this call's: upstream's schema refuses it
        const msg = await owner.post('chat.postMessage', { channel: `#${room.name}`, msg: 'x' });
        assert.deepEqual(msg.body, invalidParams("must have required property 'roomId'\n must NOT have additional properties\n must match exactly one schema in oneOf"));

        for (const channel of ['#no-such-room', 'no-such-room', '', '#', '@']) {
          const r = await owner.post('chat.postMessage', { channel, text: 'x' });
          assert.deepEqual([r.status, r.body], [400, INVALID_CHANNEL], JSON.stringify(channel));
        }
        // nothing to show: Switchboard has no empty messages (upstream would post one)
        assert.deepEqual((await owner.post('chat.postMessage', { channel: `#${room.name}` })).body, plain('unknown-error'));
        assert.deepEqual((await owner.post('chat.postMessage', { channel: `#${room.name}`, text: '   ' })).body, plain('unknown-error'));
        // custom fields, which upstream refuses while they are off
        assert.deepEqual((await owner.post('chat.postMessage', { roomId: room._id, text: 'x', customFields: { field1: 'value1' } })).body, plain('Custom fields not enabled'));
        // sizes, in this call's words
        assert.deepEqual((await owner.post('chat.postMessage', { channel: '#general', text: big(10_001) })).body, plain('error-message-size-exceeded'));
        assert.deepEqual(
          (await owner.post('chat.postMessage', { roomId: room._id, text: 'Yay!', attachments: [{ text: 'ok' }, { text: big(10_001) }] })).body,
          plain('error-message-size-exceeded'),
        );
        assert.equal((await owner.post('chat.postMessage', { channel: '#general', text: big(10_000) })).status, 200);
        // no credentials
        const anonymous = await http(s.url, 'POST', '/api/v1/chat.postMessage', { body: { channel: '#general', text: 'hi' } });
        assert.equal(anonymous.status, 401);
        assert.equal(anonymous.body.error, 'You must be logged in to do this.');
      });

      test('attachments: upstream\'s example is posted and read back; script URLs and wrong field types are refused', async () => {
        // as upstream's "should return statusCode 200 when postMessage successfully": an emoji needs no permission
        const r = await owner.post('chat.postMessage', { channel: room.name, text: 'Sample message', emoji: ':smirk:', attachments: [GRUGGY] });
        assert.equal(r.status, 200, r.text);
        const m = r.body.message;
        assert.deepEqual(keys(m), ['_id', '_updatedAt', 'attachments', 'emoji', 'msg', 'rid', 'ts', 'u']);
        assert.deepEqual([m.msg, m.emoji], ['Sample message', ':smirk:']);
        assert.deepEqual(m.attachments, [GRUGGY]);
        assert.deepEqual((await history(room._id))[0], m);

        // an attachment alone is a message
        const only = await owner.post('chat.postMessage', { roomId: room._id, attachments: [{ title: 'just a card', text: 'hi' }] });
        assert.deepEqual([only.status, only.body.message.msg, only.body.message.attachments], [200, '', [{ title: 'just a card', text: 'hi' }]]);

        const HREF = plain('Invalid href value provided');
        const xss = 'javascript:alert("xss")';
        for (const attachment of [
          { text: 'x', message_link: xss },
          { text: 'x', author_link: xss },
          { text: 'x', title: 't', title_link: xss },
          { text: 'x', title: 't', title_link: 'https://youtube.com', actions: [{ type: 'button', text: 'Text', url: xss }] },
          { text: 'x', actions: [{ type: 'button', text: 'Text', url: 'http://res.guggy.com/logo_128.png', image_url: xss }] },
          { text: 'x', thumb_url: xss },
          { text: 'x', author_icon: xss },
          { text: 'x', image_url: xss },
          { text: 'x', audio_url: xss },
          { text: 'x', video_url: xss },
        ]) {
          const bad = await owner.post('chat.postMessage', { channel: `#${room.name}`, text: 'Sample message', emoji: ':smirk:', attachments: [attachment] });
          assert.deepEqual([bad.status, bad.body], [400, HREF], JSON.stringify(attachment));
        }
        for (const attachment of [
          { ...GRUGGY, message_link: 12 },
          { ...GRUGGY, title_link_download: 'https://youtube.com' },
          { ...GRUGGY, fields: '' },
          { ...GRUGGY, fields: [{ short: true, title: 12, value: false }] },
        ]) {
          const bad = await owner.post('chat.postMessage', { channel: `#${room.name}`, text: 'Sample message', attachments: [attachment] });
          assert.equal(bad.status, 400, bad.text);
          assert.equal(bad.body.success, false);
          assert.match(bad.body.error, /^Match error: Expected \w+, got \w+ in field attachments\[0\]/);
        }
        assert.deepEqual(
          (await owner.post('chat.postMessage', { channel: `#${room.name}`, attachments: [{ fields: [{ title: 'no value' }] }] })).body,
          plain('Invalid attachment field, title and value is required'),
        );
        // not an object: the schema says so, as upstream's
        assert.deepEqual(
          (await owner.post('chat.postMessage', { channel: `#${room.name}`, text: 'x', attachments: [1] })).body,
          invalidParams("must have required property 'roomId'\n must be object\n must match exactly one schema in oneOf"),
        );
      });

      test('alias and avatar need message-impersonate (a bot has it); an emoji does not', async () => {
        for (const extra of [{ alias: 'Gruggy' }, { avatar: 'http://res.guggy.com/logo_128.png' }]) {
          const r = await owner.post('chat.postMessage', { channel: `#${room.name}`, text: 'as someone else', ...extra });
          assert.deepEqual([r.status, r.body], [400, NOT_ENOUGH_PERMISSION], JSON.stringify(extra));
        }
        const asBot = await bot.post('chat.postMessage', {
          channel: `#${room.name}`,
          text: 'Sample message',
          alias: 'Gruggy',
          avatar: 'http://res.guggy.com/logo_128.png',
        });
        assert.equal(asBot.status, 200, asBot.text);
        assert.deepEqual(keys(asBot.body.message), ['_id', '_updatedAt', 'alias', 'avatar', 'msg', 'rid', 'ts', 'u']);
        assert.deepEqual([asBot.body.message.alias, asBot.body.message.avatar], ['Gruggy', 'http://res.guggy.com/logo_128.png']);
        // the avatar must be a URL one may link to
        const bad = await bot.post('chat.postMessage', { channel: `#${room.name}`, text: 'x', avatar: 'javascript:alert("xss")' });
        assert.deepEqual(bad.body, plain('Invalid href value provided'));
      });
    });

    describe('chat.sendMessage', () => {
      test('to a room id: {message, success}; it reads back in channels.history and reaches /v1', async () => {
        const listener = await Listener.connect(s.wsUrl, s.owner.token);
        try {
          const r = await owner.post('chat.sendMessage', {
            message: { _id: `id-${Date.now()}`, rid: room._id, msg: 'Sample message', emoji: ':smirk:', attachments: [GRUGGY] },
          });
          assert.equal(r.status, 200, r.text);
          assert.deepEqual(keys(r.body), ['message', 'success']);
          const m = r.body.message;
          assert.deepEqual(keys(m), ['_id', '_updatedAt', 'attachments', 'emoji', 'msg', 'rid', 'ts', 'u']);
          // Switchboard chooses message ids
          assert.match(m._id, ID);
          assert.deepEqual([m.rid, m.msg, m.emoji, m.attachments], [room._id, 'Sample message', ':smirk:', [GRUGGY]]);
          assert.deepEqual((await history(room._id))[0], m);
          const v1 = await s.owner.get(`/v1/channels/${room._id}/messages`);
          assert.ok((v1.body.messages as Array<{ id: string }>).some((x) => x.id === m._id), v1.text);
          await listener.next((f) => f.message?.id === m._id);
        } finally {
          listener.close();
        }
        const general = await owner.post('chat.sendMessage', { message: { rid: 'GENERAL', msg: 'to GENERAL' } });
        assert.deepEqual([general.status, general.body.message.rid], [200, s.generalId]);
      });

      test('rid is a room id: names and people are not rooms; private rooms of others are refused; public ones are joined', async () => {
        for (const rid of [room.name, `#${room.name}`, `@${botDoc.username}`, botDoc._id, 'ffffffffffffffffffffffff']) {
          const r = await owner.post('chat.sendMessage', { message: { rid, msg: 'x' } });
          assert.deepEqual([r.status, r.body], [400, plain('error-invalid-room')], rid);
        }
        assert.deepEqual((await user.post('chat.sendMessage', { message: { rid: secret._id, msg: 'let me in' } })).body, NOT_ALLOWED);
        const c = (await owner.post('channels.create', { name: unique('chat-send-public') })).body.channel;
        const r = await user.post('chat.sendMessage', { message: { rid: c._id, msg: 'hello, room' } });
        assert.equal(r.status, 200, r.text);
        assert.ok((await members(c._id)).includes(userDoc.username));
        // a direct room by its id
        const dm = (await user.post('im.create', { username: botDoc.username })).body.room;
        const inDm = await user.post('chat.sendMessage', { message: { rid: dm._id, msg: 'in the DM' } });
        assert.deepEqual([inDm.status, inDm.body.message.rid], [200, dm._id]);
        assert.deepEqual((await owner.post('chat.sendMessage', { message: { rid: dm._id, msg: 'not mine' } })).body, NOT_ALLOWED);
      });

      test('threads: tmid replies (in the thread\'s room, even without rid); tshow shows it in the room; tshow alone is refused', async () => {
        const root = (await owner.post('chat.sendMessage', { message: { rid: room._id, msg: 'send root' } })).body.message;
        const reply = await owner.post('chat.sendMessage', { message: { tmid: root._id, msg: 'reply without rid' } });
        assert.equal(reply.status, 200, reply.text);
        assert.deepEqual([reply.body.message.rid, reply.body.message.tmid], [room._id, root._id]);
        assert.equal(reply.body.message.tshow, undefined);

        const shown = await owner.post('chat.sendMessage', { message: { rid: room._id, tmid: root._id, tshow: true, msg: 'for everyone' } });
        assert.equal(shown.status, 200, shown.text);
        assert.deepEqual(keys(shown.body.message), ['_id', '_updatedAt', 'msg', 'rid', 'tmid', 'ts', 'tshow', 'u']);
        assert.deepEqual((await history(room._id)).map((m) => m._id).slice(0, 2), [shown.body.message._id, root._id]);

        assert.deepEqual(
          (await owner.post('chat.sendMessage', { message: { rid: room._id, tshow: true, msg: 'x' } })).body,
          { success: false, error: 'tshow provided but missing tmid [invalid-params]', errorType: 'invalid-params' },
        );
      });

      test('missing or wrong parameters, permissions and limits: upstream\'s words', async () => {
        // upstream's "should throw an error when the required param 'rid' is not sent"
        const noRid = await owner.post('chat.sendMessage', {
          message: { text: 'Sample message', alias: 'Gruggy', emoji: ':smirk:', avatar: 'http://res.guggy.com/logo_128.png' },
        });
        assert.deepEqual([noRid.status, noRid.body], [400, plain("The 'rid' property on the message object is missing.")]);
        assert.deepEqual((await owner.post('chat.sendMessage', {})).body, invalidParams("must have required property 'message'"));
        assert.deepEqual((await owner.post('chat.sendMessage', { message: 'hi' })).body, invalidParams('must be object'));
        assert.deepEqual((await owner.post('chat.sendMessage', { message: { rid: room._id, msg: 'x' }, channel: '#x' })).body, invalidParams('must NOT have additional properties'));
        assert.deepEqual((await owner.post('chat.sendMessage', { message: { rid: room._id, msg: 5 } })).body, invalidParams('must be string'));
        // upstream's message-impersonate tests, as its admin (who does not hold it)
        assert.deepEqual((await owner.post('chat.sendMessage', { message: { rid: room._id, msg: 'Sample message', alias: 'Gruggy' } })).body, NOT_ENOUGH_PERMISSION);
        assert.deepEqual(
          (await owner.post('chat.sendMessage', { message: { rid: room._id, msg: 'Sample message', avatar: 'http://site.com/logo.png' } })).body,
          NOT_ENOUGH_PERMISSION,
        );
        const asBot = await bot.post('chat.sendMessage', { message: { rid: room._id, msg: 'as Gruggy', alias: 'Gruggy' } });
        assert.deepEqual([asBot.status, asBot.body.message.alias], [200, 'Gruggy']);
        // upstream's "should fail if message is a system message"
        const system = await owner.post('chat.sendMessage', { message: { _id: 'x', rid: 'GENERAL', msg: 'xss', t: 'subscription-role-added', role: '<h1>XSS' } });
        assert.deepEqual([system.status, system.body], [400, plain("Cannot send system messages using 'chat.sendMessage'")]);
        assert.deepEqual((await owner.post('chat.sendMessage', { message: { rid: room._id, msg: 'x', customFields: { field1: 'value1' } } })).body, plain('Custom fields not enabled'));
        assert.deepEqual(
          (await owner.post('chat.sendMessage', { message: { rid: room._id, msg: big(10_001) } })).body,
          { success: false, error: 'Message size exceeds Message_MaxAllowedSize [error-message-size-exceeded]', errorType: 'error-message-size-exceeded' },
        );
        assert.deepEqual((await owner.post('chat.sendMessage', { message: { rid: room._id, msg: '' } })).body, plain('unknown-error'));
        const xss = await owner.post('chat.sendMessage', { message: { rid: room._id, msg: 'x', attachments: [{ text: 'x', message_link: 'javascript:alert("xss")' }] } });
        assert.deepEqual(xss.body, plain('Invalid href value provided'));
        const wrongType = await owner.post('chat.sendMessage', { message: { rid: room._id, msg: 'x', attachments: [{ ...GRUGGY, fields: '' }] } });
        assert.match(wrongType.body.error, /^Match error: /);
      });
    });
  });
}
