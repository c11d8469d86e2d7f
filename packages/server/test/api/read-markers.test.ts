/**
 * Read state and typing for people (docs/web-client.md §5), on both engines: unread and mention
 * counts per channel count others' top-level messages after the marker and after joining (deleted
 * ones left out); marking read moves the marker forward only and tells the person's other tabs;
 * typing reaches the channel's other members live, at most once per 2 s per person and channel;
 * apps keep no read state.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Listener, createUser, freshPostgresDatabase, needs, startTestServer, type TestServer } from '../support/helpers.js';

for (const engine of ['sqlite', 'postgres'] as const) {
  describe(`read markers and typing on ${engine}`, () => {
    test('unread and mention counts, marking read, the other tab told, typing', async (t) => {
      let pg: Awaited<ReturnType<typeof freshPostgresDatabase>> | undefined;
      if (engine === 'postgres') {
        if (!(await needs(t, 'postgres'))) return;
        pg = await freshPostgresDatabase();
      }
      let s: TestServer | undefined;
      try {
        s = await startTestServer(pg ? { databaseUrl: pg.url } : {});
        const { owner, generalId } = s;
        const member = await createUser(owner);
        const unreadIn = async (c = owner, channelId = generalId) => ((await c.get('/v1/channels/unread')).body as any[]).find((u) => u.channelId === channelId);

        const ownerTab = await Listener.connect(s.wsUrl, owner.token);
        const ownerOtherTab = await Listener.connect(s.wsUrl, owner.token);
        const memberTab = await Listener.connect(s.wsUrl, member.token);

        const post = async (c: typeof owner, text: string) => {
          const r = await c.post(`/v1/channels/${generalId}/messages`, { text });
          assert.equal(r.status, 200, r.text);
          return r.body.id as string;
        };
        await post(owner, 'my own message does not count');
        const m1 = await post(member, 'hello');
        const m2 = await post(member, `hey <@${s.ownerId}> look`);
        const m3 = await post(member, '@here standup');
        const gone = await post(member, 'deleted soon');
        assert.equal((await member.delete(`/v1/channels/${generalId}/messages/${gone}`)).status, 200);
        // A reply in a thread is not a channel message of its own.
        assert.equal((await member.post(`/v1/channels/${generalId}/messages/${m1}`, { text: "in the thread" })).status, 200);

        assert.deepEqual(await unreadIn(), { channelId: generalId, lastReadMessageId: null, unread: 3, mentions: 2 });
        const memberState = await unreadIn(member);
        assert.equal(memberState.unread, 1, "the member's unread: the owner's one message");

        // Marking read up to m2: one unread left, no mention; the other tab hears of it.
        const marked = await owner.post(`/v1/channels/${generalId}/read`, { messageId: m2 });
        assert.deepEqual([marked.status, marked.body], [200, { channelId: generalId, lastReadMessageId: m2 }]);
        assert.deepEqual(await unreadIn(), { channelId: generalId, lastReadMessageId: m2, unread: 1, mentions: 1 });
        const told = await ownerOtherTab.next((f) => f.type === 'channel.read');
        assert.deepEqual(told, { type: 'channel.read', workspaceId: s.workspaceId, channelId: generalId, lastReadMessageId: m2 });
        assert.deepEqual(await memberTab.quiet((f) => f.type === 'channel.read'), [], 'read state is the person’s alone');

        // Never backwards; without a message id, up to the newest.
        assert.equal((await owner.post(`/v1/channels/${generalId}/read`, { messageId: m1 })).body.lastReadMessageId, m2);
        assert.equal((await owner.post(`/v1/channels/${generalId}/read`, {})).body.lastReadMessageId >= m3, true);
        assert.deepEqual(await unreadIn(), { channelId: generalId, lastReadMessageId: (await unreadIn()).lastReadMessageId, unread: 0, mentions: 0 });

        // Bad input and other people's channels.
        const bad = await owner.post(`/v1/channels/${generalId}/read`, { messageId: 'not-a-message' });
        assert.equal(bad.status, 400);
        assert.equal(bad.body.errors[0].field, 'messageId');
        const secret = await owner.post('/v1/channels', { name: 'secret-room', type: 'PRIVATE' });
        assert.equal((await member.post(`/v1/channels/${secret.body.channel.id}/read`, {})).status, 404);
        const open = await member.post('/v1/channels', { name: 'open-room', type: 'PUBLIC' });
        assert.equal((await owner.post(`/v1/channels/${open.body.channel.id}/read`, {})).status, 403, 'a visible channel the person is not in');

        // A newcomer's count starts when they joined, not with the channel's history.
        const late = await createUser(owner);
        assert.equal((await unreadIn(late)).unread, 0);
        await post(member, 'after the newcomer joined');
        assert.equal((await unreadIn(late)).unread, 1);

        // Typing: the other members see it live, the typist does not; twice within 2 s is one notice.
        ownerTab.ws.send(JSON.stringify({ type: 'typing', channelId: generalId }));
        ownerTab.ws.send(JSON.stringify({ type: 'typing', channelId: generalId }));
        const typing = await memberTab.next((f) => f.type === 'user.typing');
        assert.deepEqual(typing, { type: 'user.typing', workspaceId: s.workspaceId, channelId: generalId, userId: s.ownerId });
        assert.equal((await memberTab.quiet((f) => f.type === 'user.typing', 400)).length, 1);
        assert.deepEqual(await ownerOtherTab.quiet((f) => f.type === 'user.typing'), []);
        memberTab.ws.send(JSON.stringify({ type: 'typing', channelId: generalId, threadRootId: m1 }));
        assert.deepEqual(await ownerTab.next((f) => f.type === 'user.typing'), { type: 'user.typing', workspaceId: s.workspaceId, channelId: generalId, userId: member.userId, threadRootId: m1 });
        // Not a member: nothing is sent to the channel.
        memberTab.ws.send(JSON.stringify({ type: 'typing', channelId: secret.body.channel.id }));
        assert.deepEqual(await ownerTab.quiet((f) => f.type === 'user.typing' && f.channelId === secret.body.channel.id), []);

        for (const l of [ownerTab, ownerOtherTab, memberTab]) l.close();
      } finally {
        await s?.close();
        await pg?.drop();
      }
    });
  });
}
