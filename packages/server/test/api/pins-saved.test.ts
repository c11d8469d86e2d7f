/**
 * Pinned and saved messages (docs/web-client.md §6.1), on both engines, through real HTTP and real
 * sockets. Pins: members pin and unpin (anyone's pin), others who may see the channel only read
 * them, archived channels refuse, the list is newest pin first, everyone who may see the channel
 * hears of it live, and a deleted message loses its pin in the deletion's own transaction. Saved:
 * private to the person, newest save first with the message and its channel, paged by cursor, only
 * the person's own tabs hear of it, a deleted message leaves the list (its saves go with it), and a
 * message of a channel the person can no longer see is not returned.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Listener, createUser, freshPostgresDatabase, needs, startTestServer, type Client, type TestServer } from '../support/helpers.js';
import { assertEmpty200, assertError } from '../support/assertions.js';

for (const engine of ['sqlite', 'postgres'] as const) {
  describe(`pinned and saved messages on ${engine}`, () => {
    test('pins: members only, archived refused, newest first, live to the channel, gone with the message', async (t) => {
      let pg: Awaited<ReturnType<typeof freshPostgresDatabase>> | undefined;
      if (engine === 'postgres') {
        if (!(await needs(t, 'postgres'))) return;
        pg = await freshPostgresDatabase();
      }
      let s: TestServer | undefined;
      const tabs: Listener[] = [];
      try {
        s = await startTestServer(pg ? { databaseUrl: pg.url } : {});
        const { owner } = s;
        const member = await createUser(owner, 'MEMBER', 'Pin Member');
        const outsider = await createUser(owner, 'MEMBER', 'Pin Outsider');
        const guest = await createUser(owner, 'GUEST', 'Pin Guest');
        const open = await channel(owner, 'pins-open', 'PUBLIC', member);
        const secret = await channel(owner, 'pins-secret', 'PRIVATE', member);
        const elsewhere = await post(owner, s.generalId, 'in another channel');

        const ownerTab = await Listener.connect(s.wsUrl, owner.token);
        const outsiderTab = await Listener.connect(s.wsUrl, outsider.token);
        const guestTab = await Listener.connect(s.wsUrl, guest.token);
        tabs.push(ownerTab, outsiderTab, guestTab);

        const m1 = await post(owner, open, 'first pinned');
        const m2 = await post(member, open, 'second pinned');
        const reply = await member.post(`/v1/channels/${open}/messages/${m1}`, { text: 'a reply can be pinned too' });
        assert.equal(reply.status, 200, reply.text);

        // A member pins: the pin says who and when, with the message.
        const pinned = await member.put(`/v1/channels/${open}/messages/${m1}/pin`);
        assert.equal(pinned.status, 200, pinned.text);
        assert.equal(pinned.body.channelId, open);
        assert.equal(pinned.body.messageId, m1);
        assert.equal(pinned.body.workspaceUserId, member.userId);
        assert.equal(typeof pinned.body.pinnedTimestampMilli, 'number');
        assert.equal(pinned.body.message.id, m1);
        assert.equal(pinned.body.message.text, 'first pinned');

        // Everyone who may see the public channel hears of it, a non-member included; a guest outside it does not.
        const frame = await ownerTab.next((f) => f.type === 'message.pinned');
        assert.deepEqual(
          { ...frame, pin: { ...frame.pin, message: frame.pin.message.id } },
          { type: 'message.pinned', workspaceId: s.workspaceId, channelId: open, messageId: m1, pin: { ...pinned.body, message: m1 } },
        );
        await outsiderTab.next((f) => f.type === 'message.pinned' && f.messageId === m1);
        assert.deepEqual(await guestTab.quiet((f) => f.type === 'message.pinned'), [], 'a guest outside the channel hears nothing');

        // Pinning again answers the pin that stands and tells nobody.
        const again = await owner.put(`/v1/channels/${open}/messages/${m1}/pin`);
        assert.equal(again.status, 200, again.text);
        assert.deepEqual([again.body.workspaceUserId, again.body.pinnedTimestampMilli], [member.userId, pinned.body.pinnedTimestampMilli]);
        assert.equal((await ownerTab.quiet((f) => f.type === 'message.pinned')).length, 1);

        // Newest pin first; a thread reply may be pinned.
        assert.equal((await owner.put(`/v1/channels/${open}/messages/${m2}/pin`)).status, 200);
        assert.equal((await owner.put(`/v1/channels/${open}/messages/${reply.body.id}/pin`)).status, 200);
        const listed = await outsider.get(`/v1/channels/${open}/pins`);
        assert.equal(listed.status, 200, listed.text);
        assert.deepEqual(
          listed.body.map((p: any) => p.messageId),
          [reply.body.id, m2, m1],
          'a visible channel: its pins, newest first, for a non-member too',
        );

        // Who may not: a non-member (403, the channel is visible), anyone outside a private channel (404).
        assertError(await outsider.put(`/v1/channels/${open}/messages/${m2}/pin`), 403);
        assertError(await outsider.delete(`/v1/channels/${open}/messages/${m2}/pin`), 403);
        assertError(await outsider.get(`/v1/channels/${secret}/pins`), 404);
        const secretMessage = await post(member, secret, 'private matters');
        assertError(await outsider.put(`/v1/channels/${secret}/messages/${secretMessage}/pin`), 404);
        assertError(await guest.get(`/v1/channels/${open}/pins`), 404);
        // A message of another channel, a message that is not there, and an id that is not one.
        assertError(await member.put(`/v1/channels/${open}/messages/${elsewhere}/pin`), 404);
        assertError(await member.put(`/v1/channels/${open}/messages/${'0'.repeat(24)}/pin`), 404);
        assertError(await member.put(`/v1/channels/${open}/messages/not.an.id/pin`), 400, 'messageId');

        // Anyone in the channel unpins anyone's pin; the channel hears who did.
        assertEmpty200(await owner.delete(`/v1/channels/${open}/messages/${m1}/pin`));
        const unpinned = await outsiderTab.next((f) => f.type === 'message.unpinned' && f.messageId === m1);
        assert.deepEqual(unpinned, { type: 'message.unpinned', workspaceId: s.workspaceId, channelId: open, messageId: m1, userId: s.ownerId });
        assertEmpty200(await owner.delete(`/v1/channels/${open}/messages/${m1}/pin`));
        assert.equal((await outsiderTab.quiet((f) => f.type === 'message.unpinned')).length, 1, 'unpinning what is not pinned tells nobody');
        assert.deepEqual((await owner.get(`/v1/channels/${open}/pins`)).body.map((p: any) => p.messageId), [reply.body.id, m2]);

        // Deleting a pinned message unpins it in the same transaction; the channel hears of it.
        assertEmpty200(await member.delete(`/v1/channels/${open}/messages/${m2}`));
        assert.equal(await s.sb.store.pins.pinOf(open, m2), undefined, 'the pin row is gone');
        const byDeletion = await outsiderTab.next((f) => f.type === 'message.unpinned' && f.messageId === m2);
        assert.equal(byDeletion.userId, undefined, 'no person unpinned it');
        assert.deepEqual((await owner.get(`/v1/channels/${open}/pins`)).body.map((p: any) => p.messageId), [reply.body.id]);
        assertError(await owner.put(`/v1/channels/${open}/messages/${m2}/pin`), 404);

        // An archived channel keeps its pins readable and refuses changes with a clear 403.
        const m3 = await post(owner, open, 'too late to pin');
        assert.equal((await owner.post(`/v1/channels/${open}/archive`)).status, 200);
        const refused = await member.put(`/v1/channels/${open}/messages/${m3}/pin`);
        assertError(refused, 403);
        assert.match(refused.body.message, /archived/);
        assertError(await member.delete(`/v1/channels/${open}/messages/${reply.body.id}/pin`), 403);
        assert.equal((await member.get(`/v1/channels/${open}/pins`)).body.length, 1);

        // A channel deleted for good takes its pins along (its messages go; no foreign key stands in the way).
        const doomed = await channel(owner, 'pins-doomed', 'PUBLIC');
        const doomedMessage = await post(owner, doomed, 'pinned then gone');
        assert.equal((await owner.put(`/v1/channels/${doomed}/messages/${doomedMessage}/pin`)).status, 200);
        assertEmpty200(await owner.delete(`/v1/channels/${doomed}`));
        assert.equal(await s.sb.store.pins.pinOf(doomed, doomedMessage), undefined);
      } finally {
        for (const l of tabs) l.close();
        await s?.close();
        await pg?.drop();
      }
    });

    test('saved: private, newest first with its channel, paged, live to the person, gone with the message or the channel', async (t) => {
      let pg: Awaited<ReturnType<typeof freshPostgresDatabase>> | undefined;
      if (engine === 'postgres') {
        if (!(await needs(t, 'postgres'))) return;
        pg = await freshPostgresDatabase();
      }
      let s: TestServer | undefined;
      const tabs: Listener[] = [];
      try {
        s = await startTestServer(pg ? { databaseUrl: pg.url } : {});
        const { owner, generalId } = s;
        const member = await createUser(owner, 'MEMBER', 'Save Member');
        const guest = await createUser(owner, 'GUEST', 'Save Guest');
        const open = await channel(owner, 'saves-open', 'PUBLIC', member);
        const secret = await channel(owner, 'saves-secret', 'PRIVATE', member);
        const hidden = await channel(owner, 'saves-hidden', 'PRIVATE');

        const memberTab = await Listener.connect(s.wsUrl, member.token);
        const memberOtherTab = await Listener.connect(s.wsUrl, member.token);
        const ownerTab = await Listener.connect(s.wsUrl, owner.token);
        tabs.push(memberTab, memberOtherTab, ownerTab);

        const inGeneral = await post(owner, generalId, 'saved from general');
        const inSecret = await post(owner, secret, 'saved from the private channel');
        const inOpen = await post(owner, open, 'saved from the open channel');
        const notMine = await post(owner, hidden, 'nobody else may read this');

        // Saving answers the message with its channel and the time; the person's tabs hear of it, nobody else.
        const saved = await member.put(`/v1/messages/${inGeneral}/saved`);
        assert.equal(saved.status, 200, saved.text);
        assert.equal(saved.body.message.id, inGeneral);
        assert.equal(saved.body.channel.id, generalId);
        assert.equal(saved.body.channel.isMember, true);
        assert.equal(typeof saved.body.savedTimestampMilli, 'number');
        const told = await memberOtherTab.next((f) => f.type === 'message.saved');
        assert.deepEqual(told, { type: 'message.saved', workspaceId: s.workspaceId, channelId: generalId, messageId: inGeneral, savedTimestampMilli: saved.body.savedTimestampMilli });
        assert.deepEqual(await ownerTab.quiet((f) => f.type === 'message.saved'), [], 'a save is private');

        // Saving again keeps the first save and tells nobody.
        const again = await member.put(`/v1/messages/${inGeneral}/saved`);
        assert.equal(again.body.savedTimestampMilli, saved.body.savedTimestampMilli);
        assert.equal((await memberTab.quiet((f) => f.type === 'message.saved')).length, 1);

        for (const id of [inSecret, inOpen]) assert.equal((await member.put(`/v1/messages/${id}/saved`)).status, 200);
        const all = await member.get('/v1/saved');
        assert.equal(all.status, 200, all.text);
        assert.deepEqual(all.body.saved.map((x: any) => x.message.id), [inOpen, inSecret, inGeneral], 'newest save first');
        assert.deepEqual(all.body.saved.map((x: any) => x.channel.name), ['saves-open', 'saves-secret', 'general']);
        assert.equal(all.body.hasMore, false);
        assert.equal(all.body.nextCursor, undefined);

        // Pages by cursor.
        const first = await member.get('/v1/saved?limit=2');
        assert.deepEqual([first.body.saved.map((x: any) => x.message.id), first.body.hasMore], [[inOpen, inSecret], true]);
        const second = await member.get(`/v1/saved?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`);
        assert.deepEqual([second.body.saved.map((x: any) => x.message.id), second.body.hasMore], [[inGeneral], false]);
        assertError(await member.get('/v1/saved?cursor=garbage'), 400, 'cursor');
        assertError(await member.get('/v1/saved?limit=0'), 400, 'limit');

        // A channel's saved ids, for marking its messages.
        assert.deepEqual((await member.get(`/v1/channels/${generalId}/saved`)).body, { messageIds: [inGeneral] });
        assertError(await guest.get(`/v1/channels/${secret}/saved`), 404);

        // Private: the owner sees none of it, and removing "their" save of the message changes nothing of the member's.
        assert.deepEqual((await owner.get('/v1/saved')).body.saved, []);
        assertEmpty200(await owner.delete(`/v1/messages/${inGeneral}/saved`));
        assert.equal((await member.get('/v1/saved')).body.saved.length, 3);

        // Only what the person may read: a private channel they are not in, a guest outside a public channel.
        assertError(await member.put(`/v1/messages/${notMine}/saved`), 404);
        assertError(await guest.put(`/v1/messages/${inOpen}/saved`), 404);
        assertError(await member.put(`/v1/messages/${'0'.repeat(24)}/saved`), 404);
        assertError(await member.put('/v1/messages/not.an.id/saved'), 400, 'messageId');

        // Removed from the private channel: its saved message is no longer returned (and returns with the membership).
        assertEmpty200(await owner.delete(`/v1/channels/${secret}/users/${member.userId}`));
        assert.deepEqual((await member.get('/v1/saved')).body.saved.map((x: any) => x.message.id), [inOpen, inGeneral]);
        assert.equal((await owner.post(`/v1/channels/${secret}/users`, { userIds: [member.userId] })).status, 200);
        assert.deepEqual((await member.get('/v1/saved')).body.saved.map((x: any) => x.message.id), [inOpen, inSecret, inGeneral]);
        // Leaving a public channel: still readable, so still listed, as a channel they are not in.
        assert.equal((await member.post(`/v1/channels/${open}/leave`)).status, 200);
        const afterLeaving = (await member.get('/v1/saved')).body.saved;
        assert.deepEqual([afterLeaving[0].message.id, afterLeaving[0].channel.isMember], [inOpen, false]);

        // Unsaving: gone from the list, the person's tabs hear of it.
        assertEmpty200(await member.delete(`/v1/messages/${inOpen}/saved`));
        assert.deepEqual(await memberOtherTab.next((f) => f.type === 'message.unsaved' && f.messageId === inOpen), {
          type: 'message.unsaved',
          workspaceId: s.workspaceId,
          channelId: open,
          messageId: inOpen,
        });
        assertEmpty200(await member.delete(`/v1/messages/${inOpen}/saved`));
        assert.deepEqual((await member.get('/v1/saved')).body.saved.map((x: any) => x.message.id), [inSecret, inGeneral]);

        // The message deleted: it leaves every saver's list in the same transaction, and they hear of it.
        assertEmpty200(await owner.delete(`/v1/channels/${generalId}/messages/${inGeneral}`));
        assert.equal(await s.sb.store.pins.savedAt(member.userId, inGeneral), undefined, 'the saved row is gone');
        await memberTab.next((f) => f.type === 'message.unsaved' && f.messageId === inGeneral);
        assert.deepEqual((await member.get('/v1/saved')).body.saved.map((x: any) => x.message.id), [inSecret]);
        assert.deepEqual((await member.get(`/v1/channels/${generalId}/saved`)).body, { messageIds: [] });

        // The channel deleted for good: its saves go with its messages.
        assertEmpty200(await owner.delete(`/v1/channels/${secret}`));
        assert.deepEqual((await member.get('/v1/saved')).body.saved, []);
        assert.equal(await s.sb.store.pins.savedAt(member.userId, inSecret), undefined);
      } finally {
        for (const l of tabs) l.close();
        await s?.close();
        await pg?.drop();
      }
    });
  });
}

async function channel(owner: Client, name: string, type: 'PUBLIC' | 'PRIVATE', ...members: Client[]): Promise<string> {
  const made = await owner.post('/v1/channels', { name, type });
  assert.equal(made.status, 200, made.text);
  const id = made.body.channel.id as string;
  if (members.length > 0) {
    const added = await owner.post(`/v1/channels/${id}/users`, { userIds: members.map((m) => m.userId) });
    assert.equal(added.status, 200, added.text);
  }
  return id;
}

async function post(who: Client, channelId: string, text: string): Promise<string> {
  const r = await who.post(`/v1/channels/${channelId}/messages`, { text });
  assert.equal(r.status, 200, r.text);
  return r.body.id as string;
}
