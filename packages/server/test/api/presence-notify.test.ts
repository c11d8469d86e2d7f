/**
 * Presence and notification levels for people (docs/web-client.md §4, §5, §6.8).
 *
 * Presence, on both engines: a person is online while one of their /v1/realtime connections is open;
 * the workspace hears `user.presence` when the first opens and when the last closes (a second tab
 * changes nothing), GET /v1/presence answers who is online now, a deactivated person's closed sockets
 * make them offline, and a node that hears someone it holds called offline (two nodes raced) says
 * again that they are online. Across nodes, with Redis: two nodes agree, a node that stops tells, and
 * a node killed without a word stops counting at once and its people are told offline at the next beat.
 *
 * Notification levels, on both engines: defaults (all in direct conversations, mentions in channels),
 * set, read back, back to the default, and a member's only; a change reaches the person's own tabs
 * (`notification_level.updated`, live only) and nobody else's.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Listener, OWNER, REDIS_URL, createUser, freshPostgresDatabase, login, needs, startTestServer, tempDir, type Client, type TestServer } from '../support/helpers.js';
import { spawnServer, type ServerProcess } from '../support/process.js';

const presenceOf = async (c: Client): Promise<string[]> => {
  const r = await c.get('/v1/presence');
  assert.equal(r.status, 200, r.text);
  return r.body.online as string[];
};

/**
 * The first presence frame telling that `userId` is `online` (or `offline`) among the frames from
 * index `since` on (default: any, already received or still to come).
 */
const told = (l: Listener, userId: string, state: 'online' | 'offline', o: { since?: number; ms?: number } = {}) =>
  l.next((f) => f.type === 'user.presence' && (f[state] as string[]).includes(userId) && l.frames.indexOf(f) >= (o.since ?? 0), o.ms ?? 5000);

/** Polls until `check` holds (for what another process does in its own time). */
async function eventually(check: () => Promise<boolean>, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const presenceFrames = (l: Listener, userId: string) => l.frames.filter((f) => f.type === 'user.presence' && [...f.online, ...f.offline].includes(userId));

for (const engine of ['sqlite', 'postgres'] as const) {
  describe(`presence and notification levels on ${engine}`, () => {
    async function server(t: { skip(msg: string): void }, run: (s: TestServer) => Promise<void>): Promise<void> {
      let pg: Awaited<ReturnType<typeof freshPostgresDatabase>> | undefined;
      if (engine === 'postgres') {
        if (!(await needs(t as never, 'postgres'))) return;
        pg = await freshPostgresDatabase();
      }
      let s: TestServer | undefined;
      try {
        s = await startTestServer(pg ? { databaseUrl: pg.url } : {});
        await run(s);
      } finally {
        await s?.close();
        await pg?.drop();
      }
    }

    test('presence: online with the first connection, offline with the last; read after connecting', (t) =>
      server(t, async (s) => {
        const member = await createUser(s.owner);
        const other = await createUser(s.owner);
        assert.deepEqual(await presenceOf(s.owner), [], 'nobody connected yet');

        const ownerTab = await Listener.connect(s.wsUrl, s.owner.token);
        const otherTab = await Listener.connect(s.wsUrl, other.token);
        const memberTab = await Listener.connect(s.wsUrl, member.token);
        const frame = await told(ownerTab, member.userId, 'online');
        assert.deepEqual(frame, { type: 'user.presence', workspaceId: s.workspaceId, online: frame.online, offline: [] });
        await told(otherTab, member.userId, 'online');
        assert.deepEqual(await presenceOf(member), [s.ownerId, member.userId, other.userId].sort());

        // A second tab, then closing one of the two: still online, nobody is told anything.
        const memberTab2 = await Listener.connect(s.wsUrl, member.token);
        memberTab.close();
        assert.deepEqual(await ownerTab.quiet((f) => f.type === 'user.presence' && f.offline.includes(member.userId), 600), []);
        assert.equal(presenceFrames(ownerTab, member.userId).length, 1, 'one online frame for two tabs');
        assert.ok((await presenceOf(s.owner)).includes(member.userId));

        // The last tab closes: offline for everyone, and in the list.
        memberTab2.close();
        await told(ownerTab, member.userId, 'offline');
        await told(otherTab, member.userId, 'offline');
        assert.deepEqual(await presenceOf(s.owner), [s.ownerId, other.userId].sort());

        // A deactivated person's sockets close (4001): offline too.
        const otherTab2 = await Listener.connect(s.wsUrl, other.token);
        assert.equal((await s.owner.post(`/v1/workspaceUsers/${other.userId}/deactivate`)).status, 200);
        await otherTab.closedWith();
        await otherTab2.closedWith();
        await told(ownerTab, other.userId, 'offline');
        assert.deepEqual(await presenceOf(s.owner), [s.ownerId]);

        // Two nodes raced and someone this node holds was called offline: it says again that they are online.
        let since = ownerTab.frames.length;
        const back = await Listener.connect(s.wsUrl, member.token);
        await told(ownerTab, member.userId, 'online', { since });
        since = ownerTab.frames.length;
        s.sb.core.presence.heard([{ workspaceId: s.workspaceId, audience: [], event: { type: 'user.presence', online: [], offline: [member.userId] } }]);
        await told(ownerTab, member.userId, 'online', { since });
        back.close();

        // Nobody signed in: 401.
        assert.equal((await fetch(`${s.url}/v1/presence`)).status, 401);
        ownerTab.close();
      }));

    test('notification levels: a change reaches the person\'s own tabs live, and nobody else', (t) =>
      server(t, async (s) => {
        const member = await createUser(s.owner);
        const secondSession = await login(s.url, member.email!, member.password!);
        const tabA = await Listener.connect(s.wsUrl, member.token);
        const tabB = await Listener.connect(s.wsUrl, secondSession.token);
        const ownerTab = await Listener.connect(s.wsUrl, s.owner.token);
        try {
          assert.equal((await member.put(`/v1/channels/${s.generalId}/notificationLevel`, { level: 'nothing' })).status, 200);
          for (const tab of [tabA, tabB]) {
            const frame = await tab.next((f) => f.type === 'notification_level.updated');
            assert.deepEqual(frame, { type: 'notification_level.updated', workspaceId: s.workspaceId, channelId: s.generalId, level: 'nothing', isDefault: false });
          }
          // back to the default: the frame says which level is in force
          assert.equal((await member.put(`/v1/channels/${s.generalId}/notificationLevel`, { level: 'default' })).status, 200);
          await tabB.next((f) => f.type === 'notification_level.updated' && f.isDefault === true && f.level === 'mentions');
          // another person's level is not news for anyone else, and a refused change sends nothing
          assert.equal((await member.put(`/v1/channels/${s.generalId}/notificationLevel`, { level: 'loud' })).status, 400);
          assert.deepEqual(await ownerTab.quiet((f) => f.type === 'notification_level.updated', 500), []);
          assert.equal(tabA.frames.filter((f) => f.type === 'notification_level.updated').length, 2);
        } finally {
          tabA.close();
          tabB.close();
          ownerTab.close();
        }
      }));

    test('notification levels: defaults, set, read back, back to default; a member\'s only', (t) =>
      server(t, async (s) => {
        const member = await createUser(s.owner);
        const dm = (await member.post('/v1/channels/direct', { participantIds: [s.ownerId] })).body.channel.id as string;
        const levels = async (c: Client) => {
          const r = await c.get('/v1/channels/notificationLevels');
          assert.equal(r.status, 200, r.text);
          return new Map((r.body as Array<{ channelId: string; level: string; isDefault: boolean }>).map((l) => [l.channelId, l]));
        };
        const mine = await levels(member);
        assert.deepEqual(mine.get(s.generalId), { channelId: s.generalId, level: 'mentions', isDefault: true });
        assert.deepEqual(mine.get(dm), { channelId: dm, level: 'all', isDefault: true });

        const set = await member.put(`/v1/channels/${s.generalId}/notificationLevel`, { level: 'nothing' });
        assert.deepEqual([set.status, set.body], [200, { channelId: s.generalId, level: 'nothing', isDefault: false }]);
        assert.deepEqual((await member.get(`/v1/channels/${s.generalId}/notificationLevel`)).body, { channelId: s.generalId, level: 'nothing', isDefault: false });
        assert.equal((await member.put(`/v1/channels/${dm}/notificationLevel`, { level: 'mentions' })).status, 200);
        const after = await levels(member);
        assert.equal(after.get(s.generalId)?.level, 'nothing');
        assert.equal(after.get(dm)?.level, 'mentions');
        // The person's own: the owner's levels did not move.
        assert.deepEqual((await levels(s.owner)).get(s.generalId), { channelId: s.generalId, level: 'mentions', isDefault: true });

        const reset = await member.put(`/v1/channels/${s.generalId}/notificationLevel`, { level: 'default' });
        assert.deepEqual(reset.body, { channelId: s.generalId, level: 'mentions', isDefault: true });

        // Unread and mention counts do not depend on the level.
        assert.equal((await member.put(`/v1/channels/${s.generalId}/notificationLevel`, { level: 'nothing' })).status, 200);
        assert.equal((await s.owner.post(`/v1/channels/${s.generalId}/messages`, { text: `<@${member.userId}> still counted` })).status, 200);
        const unread = ((await member.get('/v1/channels/unread')).body as any[]).find((u) => u.channelId === s.generalId);
        assert.deepEqual([unread.unread, unread.mentions], [1, 1]);

        // Bad input, other people's channels, channels one is not in.
        const bad = await member.put(`/v1/channels/${s.generalId}/notificationLevel`, { level: 'loud' });
        assert.equal(bad.status, 400, bad.text);
        assert.match(bad.text, /level/);
        assert.equal((await member.put(`/v1/channels/${s.generalId}/notificationLevel`, {})).status, 400);
        const secret = (await s.owner.post('/v1/channels', { name: 'levels-secret', type: 'PRIVATE' })).body.channel.id as string;
        assert.equal((await member.get(`/v1/channels/${secret}/notificationLevel`)).status, 404);
        assert.equal((await member.put(`/v1/channels/${secret}/notificationLevel`, { level: 'all' })).status, 404);
        const open = (await s.owner.post('/v1/channels', { name: 'levels-open', type: 'PUBLIC' })).body.channel.id as string;
        assert.equal((await member.put(`/v1/channels/${open}/notificationLevel`, { level: 'all' })).status, 403, 'a visible channel the person is not in');
        assert.equal((await member.get('/v1/channels/0123456789abcdef01234567/notificationLevel')).status, 404);
        assert.equal((await fetch(`${s.url}/v1/channels/notificationLevels`)).status, 401);

        // Leaving forgets the level; joining again starts from the default.
        assert.equal((await member.post(`/v1/channels/${open}/join`)).status, 200);
        assert.equal((await member.put(`/v1/channels/${open}/notificationLevel`, { level: 'all' })).status, 200);
        assert.equal((await member.post(`/v1/channels/${open}/leave`)).status, 200);
        assert.equal((await member.post(`/v1/channels/${open}/join`)).status, 200);
        assert.deepEqual((await member.get(`/v1/channels/${open}/notificationLevel`)).body, { channelId: open, level: 'mentions', isDefault: true });
      }));
  });
}

describe('presence across nodes (PostgreSQL and Redis)', () => {
  test('two nodes agree; a node that stops tells; people connected to both stay online', async (t) => {
    if (!(await needs(t, 'postgres', 'redis'))) return;
    const db = await freshPostgresDatabase();
    const env = { SWITCHBOARD_SECRET_KEY: randomBytes(32).toString('base64') };
    const nodeA = await startTestServer({ databaseUrl: db.url, redisUrl: REDIS_URL, env });
    let nodeB: TestServer | undefined;
    try {
      nodeB = await startTestServer({ databaseUrl: db.url, redisUrl: REDIS_URL, env });
      const member = await createUser(nodeA.owner);
      const memberOnB = await login(nodeB.url, member.email!, member.password!);
      const roamer = await createUser(nodeA.owner);

      const ownerOnA = await Listener.connect(nodeA.wsUrl, nodeA.owner.token);
      const memberTabB = await Listener.connect(nodeB.wsUrl, memberOnB.token);
      await told(ownerOnA, member.userId, 'online');
      assert.deepEqual(await presenceOf(nodeA.owner), [nodeA.ownerId, member.userId].sort(), 'node A sees the member held by B');
      assert.deepEqual(await presenceOf(memberOnB), [nodeA.ownerId, member.userId].sort(), 'node B sees the owner held by A');

      // The roamer has a tab on each node; closing one of them changes nothing.
      const roamA = await Listener.connect(nodeA.wsUrl, roamer.token);
      await Listener.connect(nodeB.wsUrl, roamer.token);
      await told(memberTabB, roamer.userId, 'online');
      roamA.close();
      assert.deepEqual(await memberTabB.quiet((f) => f.type === 'user.presence' && f.offline.includes(roamer.userId), 800), []);
      assert.ok((await presenceOf(memberOnB)).includes(roamer.userId));

      // Node B stops: the member (held by B alone) goes offline on A, the roamer (whose last tab was on B) too.
      await nodeB.close();
      nodeB = undefined;
      await told(ownerOnA, member.userId, 'offline');
      await told(ownerOnA, roamer.userId, 'offline');
      assert.deepEqual(await presenceOf(nodeA.owner), [nodeA.ownerId]);
      ownerOnA.close();
    } finally {
      await nodeB?.close();
      await nodeA.close();
      await db.drop();
    }
  });

  test('a node killed without a word: its people stop counting at once, and are told offline at the next beat', async (t) => {
    if (!(await needs(t, 'postgres', 'redis'))) return;
    const db = await freshPostgresDatabase();
    const secret = randomBytes(32).toString('base64');
    const nodeA = await startTestServer({ databaseUrl: db.url, redisUrl: REDIS_URL, env: { SWITCHBOARD_SECRET_KEY: secret } });
    let nodeB: ServerProcess | undefined;
    const dir = tempDir();
    try {
      nodeB = await spawnServer({
        DATABASE_URL: db.url,
        REDIS_URL,
        SWITCHBOARD_SECRET_KEY: secret,
        SWITCHBOARD_ADMIN_EMAIL: OWNER.email,
        SWITCHBOARD_ADMIN_PASSWORD: OWNER.password,
        SWITCHBOARD_DATA_DIR: dir.path,
      });
      const member = await createUser(nodeA.owner);
      const memberOnB = await login(nodeB.url, member.email!, member.password!);
      const ownerOnA = await Listener.connect(nodeA.wsUrl, nodeA.owner.token);
      await Listener.connect(nodeB.url.replace('http', 'ws') + '/v1/realtime', memberOnB.token);
      await told(ownerOnA, member.userId, 'online');
      assert.ok((await presenceOf(nodeA.owner)).includes(member.userId));

      await nodeB.stop('SIGKILL');
      // Its Redis connection is gone, so its channel has no listener: node A stops counting it at once
      // (as soon as Redis has seen the connection drop)...
      await eventually(async () => !(await presenceOf(nodeA.owner)).includes(member.userId));
      // ...and its sweep (every 5 s) tells everyone.
      await told(ownerOnA, member.userId, 'offline', { ms: 15_000 });
      ownerOnA.close();
    } finally {
      await nodeB?.stop('SIGKILL');
      await nodeA.close();
      await db.drop();
      dir.remove();
    }
  });
});
