/**
 * The routes behind the web client's profile and administration screens (docs/web-client.md §6.8, §7),
 * on both engines: the administration's list of every channel (private ones the admin is not in
 * included, never direct channels), a channel's privacy turned PRIVATE and back PUBLIC by an admin
 * — who may, which channels may not, and the `channel.updated` frame that makes open tabs drop or
 * gain the channel — and, once more on each engine, the profile and people routes the pages call:
 * display name and time zone, clearing a custom status, a role change, a password reset and the
 * workspace's name and language.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Listener, createUser, freshPostgresDatabase, http, login, needs, startTestServer, type TestServer } from '../support/helpers.js';
import { assertError } from '../support/assertions.js';

const UNKNOWN_ID = 'ffffffffffffffffffffffff';

for (const engine of ['sqlite', 'postgres'] as const) {
  describe(`administration routes on ${engine}`, () => {
    test('every channel for admins; privacy changes with their frames; profile and people routes', async (t) => {
      let pg: Awaited<ReturnType<typeof freshPostgresDatabase>> | undefined;
      if (engine === 'postgres') {
        if (!(await needs(t, 'postgres'))) return;
        pg = await freshPostgresDatabase();
      }
      let s: TestServer | undefined;
      const sockets: Listener[] = [];
      try {
        s = await startTestServer(pg ? { databaseUrl: pg.url } : {});
        const { owner, generalId } = s;
        const admin = await createUser(owner, 'ADMIN', 'Ada Admin');
        const alice = await createUser(owner, 'MEMBER', 'Alice');
        const bob = await createUser(owner, 'MEMBER', 'Bob');
        const guest = await createUser(owner, 'GUEST', 'Gil Guest');

        const secret = (await alice.post('/v1/channels', { name: 'secret-plans', type: 'PRIVATE' })).body.channel.id as string;
        const town = (await owner.post('/v1/channels', { name: 'town-square', type: 'PUBLIC' })).body.channel.id as string;
        const dm = (await alice.post('/v1/channels/direct', { participantIds: [admin.userId] })).body.channel.id as string;
        assert.equal((await owner.post(`/v1/channels/${town}/users`, { userIds: [alice.userId, guest.userId] })).status, 200);

        // ---- the administration's list ----
        const all = await admin.get('/v1/admin/channels');
        assert.equal(all.status, 200, all.text);
        const byId = new Map((all.body as any[]).map((i) => [i.channel.id, i.channel]));
        assert.deepEqual([...byId.keys()].sort(), [generalId, secret, town].sort(), 'named channels only, private ones included, no direct ones');
        assert.deepEqual([byId.get(secret).channelType, byId.get(secret).isMember, byId.get(secret).name], ['PRIVATE', false, 'secret-plans']);
        assert.equal(byId.get(generalId).isMember, true);
        assertError(await alice.get('/v1/admin/channels'), 403);
        assertError(await guest.get('/v1/admin/channels'), 403);
        // listing is not reading: the private channel stays closed to the admin
        assertError(await admin.get(`/v1/channels/${secret}/messages`), 404);

        // ---- privacy: who may, and which channels may not ----
        assertError(await alice.put(`/v1/channels/${town}/type`, { type: 'PRIVATE' }), 403);
        assertError(await alice.put(`/v1/channels/${secret}/type`, { type: 'PUBLIC' }), 403);
        const outside = await admin.put(`/v1/channels/${secret}/type`, { type: 'PUBLIC' });
        const missing = await admin.put(`/v1/channels/${UNKNOWN_ID}/type`, { type: 'PUBLIC' });
        assertError(outside, 404);
        assert.deepEqual(outside.body, missing.body, 'a private channel the admin is not in: the 404 of a channel that does not exist');
        assertError(await owner.put(`/v1/channels/${generalId}/type`, { type: 'PRIVATE' }), 403);
        assertError(await admin.put(`/v1/channels/${dm}/type`, { type: 'PRIVATE' }), 403);
        assertError(await owner.put(`/v1/channels/${dm}/type`, { type: 'PRIVATE' }), 404);
        assertError(await owner.put(`/v1/channels/${town}/type`, { type: 'SECRET' }), 400, 'type');
        assertError(await owner.put(`/v1/channels/${town}/type`, {}), 400, 'type');

        // ---- PUBLIC → PRIVATE: members keep it; everyone else's tabs hear of it and lose it ----
        const bobTab = await Listener.connect(s.wsUrl, bob.token);
        const aliceTab = await Listener.connect(s.wsUrl, alice.token);
        const guestTab = await Listener.connect(s.wsUrl, guest.token);
        sockets.push(bobTab, aliceTab, guestTab);
        const closed = await owner.put(`/v1/channels/${town}/type`, { type: 'PRIVATE' });
        assert.equal(closed.status, 200, closed.text);
        assert.deepEqual([closed.body.channel.channelType, closed.body.channel.isMember], ['PRIVATE', true]);
        for (const tab of [bobTab, aliceTab, guestTab]) {
          const frame = await tab.next((f) => f.type === 'channel.updated' && f.channelId === town);
          assert.equal(frame.channel.channelType, 'PRIVATE');
        }
        const listed = async (c: typeof bob) => ((await c.get('/v1/channels')).body as any[]).map((i) => i.channel.id);
        assert.ok(!(await listed(bob)).includes(town), 'a non-member no longer sees it');
        assertError(await bob.get(`/v1/channels/${town}`), 404);
        assertError(await bob.post(`/v1/channels/${town}/join`), 404);
        assert.ok((await listed(alice)).includes(town) && (await listed(guest)).includes(town), 'members keep it');
        assert.equal((await alice.post(`/v1/channels/${town}/messages`, { text: 'still here' })).status, 200);
        // the same type again changes nothing and tells nobody
        assert.equal((await admin.put(`/v1/channels/${town}/type`, { type: 'PRIVATE' })).status, 404, 'the admin is not a member of it now');
        const again = await owner.put(`/v1/channels/${town}/type`, { type: 'PRIVATE' });
        assert.equal(again.status, 200, again.text);
        assert.equal((await bobTab.quiet((f) => f.type === 'channel.updated' && f.channelId === town)).length, 1, 'no second frame for no change');

        // ---- PRIVATE → PUBLIC: non-members' tabs hear of it and gain it ----
        const opened = await owner.put(`/v1/channels/${town}/type`, { type: 'PUBLIC' });
        assert.equal(opened.status, 200, opened.text);
        const frame = await bobTab.next((f) => f.type === 'channel.updated' && f.channelId === town && f.channel.channelType === 'PUBLIC');
        assert.equal(frame.channel.name, 'town-square');
        assert.ok((await listed(bob)).includes(town));
        assert.equal((await bob.post(`/v1/channels/${town}/join`)).status, 200, 'and may join it');
        const history = await bob.get(`/v1/channels/${town}/messages`);
        assert.deepEqual(history.body.messages.map((m: any) => m.text), ['still here']);

        // archived channels keep their privacy setting and may still change it
        assert.equal((await owner.post(`/v1/channels/${town}/archive`)).status, 200);
        const archivedChange = await owner.put(`/v1/channels/${town}/type`, { type: 'PRIVATE' });
        assert.deepEqual([archivedChange.status, archivedChange.body.channel.isArchived, archivedChange.body.channel.channelType], [200, true, 'PRIVATE']);

        // the routes are in the OpenAPI document
        const paths = (await http(s.url, 'GET', '/openapi.json')).body.paths;
        assert.ok(paths['/v1/admin/channels']?.get, 'GET /v1/admin/channels documented');
        assert.ok(paths['/v1/channels/{channelId}/type']?.put, 'PUT /v1/channels/{channelId}/type documented');

        // ---- the profile and people routes the web client calls, on this engine too ----
        const me = await bob.put('/v1/workspaceUsers/me', { name: '  Bob Renamed ', timeZone: 'America/Sao_Paulo' });
        assert.deepEqual([me.status, me.body.name, me.body.timeZoneId], [200, 'Bob Renamed', 'America/Sao_Paulo'], me.text);
        const renamed = await aliceTab.next((f) => f.type === 'user.updated' && f.userId === bob.userId);
        assert.equal(renamed.userId, bob.userId);
        assertError(await bob.put('/v1/workspaceUsers/me', { timeZone: 'Nowhere/Atlantis' }), 400, 'timeZone');
        assert.equal((await bob.put('/v1/workspaceUsers/customStatus', { code: ':palm_tree:', status: 'off', expiresAt: 0 })).status, 200);
        assert.equal((await owner.get(`/v1/workspaceUsers/${bob.userId}`)).body.customStatus.status, 'off');
        assert.equal((await bob.delete('/v1/workspaceUsers/customStatus')).status, 200);
        assert.equal((await owner.get(`/v1/workspaceUsers/${bob.userId}`)).body.customStatus ?? null, null);

        const role = await admin.put(`/v1/workspaceUsers/${bob.userId}/role`, { role: 'GUEST' });
        assert.deepEqual([role.status, role.body.workspaceRole], [200, 'GUEST'], role.text);
        assertError(await admin.put(`/v1/workspaceUsers/${bob.userId}/role`, { role: 'OWNER' }), 403);
        const reset = await admin.post(`/v1/workspaceUsers/${bob.userId}/password/reset`);
        assert.equal(reset.status, 200, reset.text);
        assert.equal((await bob.get('/v1/channels')).status, 401, "the person's sessions end");
        const bobAgain = await login(s.url, bob.email!, reset.body.password);
        assert.equal((await bobAgain.get(`/v1/workspaceUsers/${bob.userId}`)).body.workspaceRole, 'GUEST');

        assertError(await admin.put('/v1/workspace', { name: 'Not mine' }), 403);
        const ws = await owner.put('/v1/workspace', { name: 'Renamed Team', locale: 'es' });
        assert.deepEqual([ws.status, ws.body.name, ws.body.locale], [200, 'Renamed Team', 'es'], ws.text);
        assert.equal((await alice.get('/v1/workspace')).body.name, 'Renamed Team');
        assertError(await owner.put('/v1/workspace', { name: '   ' }), 400, 'name');
      } finally {
        for (const socket of sockets) socket.close();
        await s?.close();
        await pg?.drop();
      }
    });
  });
}
