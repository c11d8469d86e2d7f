/**
 * Two server processes on one PostgreSQL and one Redis behave as one: a client connected to
 * one node hears what is posted through the other.
 */
import { test } from 'node:test';
import { randomBytes } from 'node:crypto';
import assert from 'node:assert/strict';
import { Listener, REDIS_URL, createUser, freshPostgresDatabase, http, login, needs } from '../support/helpers.js';
import { spawnServer } from '../support/process.js';
import { HandshakeRefused, SocketModeApp } from '../support/sdk-socket-app.js';

/** Two server processes on a fresh PostgreSQL database and the local Redis; the first creates the workspace. */
async function twoNodes(ownerEmail: string) {
  const db = await freshPostgresDatabase();
  const env = {
    DATABASE_URL: db.url,
    REDIS_URL,
    SWITCHBOARD_ADMIN_EMAIL: ownerEmail,
    SWITCHBOARD_ADMIN_PASSWORD: 'two-nodes-password',
    // Nodes share the key that seals app secrets.
    SWITCHBOARD_SECRET_KEY: randomBytes(32).toString('base64'),
    // As servers run outside tests: the stall watch, not the async scope (store/transaction-guard.ts).
    SWITCHBOARD_TRANSACTION_GUARD: 'off',
  };
  const a = await spawnServer(env);
  const b = await spawnServer(env);
  return {
    a,
    b,
    async stop() {
      await Promise.all([a.stop(), b.stop()]);
      await db.drop();
    },
  };
}

test('a message posted through node B reaches a client connected to node A, and back', async (t) => {
  if (!(await needs(t, 'postgres', 'redis'))) return;
  const { a, b, stop } = await twoNodes('owner@two.example');
  try {
    assert.match(a.output(), /Created workspace/);
    assert.doesNotMatch(b.output(), /Created workspace/, 'the second node finds the workspace the first one made');

    const ownerA = await login(a.url, 'owner@two.example', 'two-nodes-password');
    // A user made through node A logs in through node B: one database behind both.
    const member = await createUser(ownerA, 'MEMBER', 'Roamer');
    const memberB = await login(b.url, member.email!, member.password!);

    const channels = (await ownerA.get('/v1/channels')).body as any[];
    const general = channels.find((c) => c.channel.isMain).channel.id;

    const onA = await Listener.connect(a.url.replace('http', 'ws') + '/v1/realtime', ownerA.token);
    const onB = await Listener.connect(b.url.replace('http', 'ws') + '/v1/realtime', memberB.token);

    const posted = await memberB.post(`/v1/channels/${general}/messages`, { text: 'from node B' });
    assert.equal(posted.status, 200);
    const heard = await onA.next((f) => f.type === 'message.created' && f.message.text === 'from node B');
    assert.equal(heard.message.id, posted.body.id);

    await ownerA.post(`/v1/channels/${general}/messages`, { text: 'from node A' });
    await onB.next((f) => f.type === 'message.created' && f.message.text === 'from node A');

    // Each node delivers its own notices once: no echo back through Redis.
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(onA.frames.filter((f) => f.message?.text === 'from node A').length, 1);
    assert.equal(onB.frames.filter((f) => f.message?.text === 'from node B').length, 1);

    // A private channel made on A stays private on B.
    const priv = (await ownerA.post('/v1/channels', { name: 'two-node-private', type: 'PRIVATE' })).body.channel.id;
    await ownerA.post(`/v1/channels/${priv}/messages`, { text: 'owner only' });
    assert.equal((await memberB.get(`/v1/channels/${priv}`)).status, 404);
    assert.deepEqual(await onB.quiet((f) => f.channelId === priv), []);

    // Deactivation through B closes the member's socket on B and ends the session on A.
    const onA2 = await Listener.connect(a.url.replace('http', 'ws') + '/v1/realtime', member.token);
    await ownerA.post(`/v1/workspaceUsers/${member.userId}/deactivate`);
    assert.equal((await onA2.closedWith()).code, 4001);
    assert.equal((await onB.closedWith()).code, 4001, 'the socket on the other node closes too');
    assert.equal((await memberB.get('/v1/channels')).status, 401);
    onA.close();
  } finally {
    await stop();
  }
});

test('socket mode across nodes: the app socket is on node B; events committed on A and a command run through A reach it, the answer comes back to A', async (t) => {
  if (!(await needs(t, 'postgres', 'redis'))) return;
  const { a, b, stop } = await twoNodes('owner@two-socket.example');
  let app: SocketModeApp | undefined;
  try {
    const owner = await login(a.url, 'owner@two-socket.example', 'two-nodes-password');
    const general = ((await owner.get('/v1/channels')).body as any[]).find((c) => c.channel.isMain).channel.id;
    const devToken = (await owner.post('/auth/developer-token')).body.token;
    const base = `/workspaces/${owner.workspaceId}/workspaceUsers/${owner.userId}`;
    const created = await http(a.url, 'POST', `${base}/apps`, {
      headers: { authtoken: devToken },
      body: {
        name: 'two_node_socket',
        displayName: 'Two-node socket app',
        bot: false,
        socketMode: true,
        offlineMessage: 'offline',
        scopes: { botScopes: [], userScopes: ['messages:read'] },
        shortcuts: [],
        slashCommands: [{ command: '/across', description: 'across nodes', usageHint: '/across' }],
        eventSubscriptions: { events: ['NEW_MESSAGE'] },
        redirectUrls: ['https://two.example/redirect'],
      },
    });
    assert.equal(created.status, 200, created.text);
    const grant = await http(a.url, 'GET', `${base}/oauth2/grant?${new URLSearchParams({ clientId: created.body.id, scopes: 'messages:read' })}`, { headers: { authtoken: devToken } });
    assert.equal(grant.status, 200, grant.text);

    // The app connects to node B only.
    app = new SocketModeApp(b.url, created.body.id, created.body.appKey, { reconnect: false });
    app.answer = (f) => ({ ack: `answered on B to ${f.payload.text}` });
    await app.connect();
    const onA = await Listener.connect(a.url.replace('http', 'ws') + '/v1/realtime', owner.token);

    // A command through A: node A sends the trigger, node B writes it and routes the reply back.
    await owner.post(`/v1/channels/${general}/messages`, { text: '/across hello' });
    await app.next((f) => f.payload.messageType === 'SLASH_COMMAND' && f.payload.text === 'hello');
    await onA.next((f) => f.type === 'message.ephemeral' && f.message.text === 'answered on B to hello');

    // Events committed on A, attempted by whichever node's queue claims them, all reach the socket on B.
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push((await owner.post(`/v1/channels/${general}/messages`, { text: `event ${i}` })).body.id);
    for (const id of ids) await app.next((f) => f.payload.messageType === 'PUMBLE_EVENT' && JSON.parse(f.payload.body).mId === id, 10_000);
    assert.deepEqual(app.crashes, []);
    onA.close();
  } finally {
    await app?.stop();
    await stop();
  }
});

test('socket mode across nodes: a killed node\'s registry row costs nothing — triggers and events reach the live socket at once (review 3.3)', async (t) => {
  if (!(await needs(t, 'postgres', 'redis'))) return;
  const db = await freshPostgresDatabase();
  const env = {
    DATABASE_URL: db.url,
    REDIS_URL,
    SWITCHBOARD_ADMIN_EMAIL: 'owner@dead-node.example',
    SWITCHBOARD_ADMIN_PASSWORD: 'two-nodes-password',
    SWITCHBOARD_SECRET_KEY: randomBytes(32).toString('base64'),
  };
  const a = await spawnServer(env);
  const b = await spawnServer(env);
  const apps: SocketModeApp[] = [];
  try {
    const owner = await login(b.url, 'owner@dead-node.example', 'two-nodes-password');
    const general = ((await owner.get('/v1/channels')).body as any[]).find((c) => c.channel.isMain).channel.id;
    const devToken = (await owner.post('/auth/developer-token')).body.token;
    const base = `/workspaces/${owner.workspaceId}/workspaceUsers/${owner.userId}`;
    const created = await http(b.url, 'POST', `${base}/apps`, {
      headers: { authtoken: devToken },
      body: {
        name: 'dead_node_socket',
        displayName: 'Dead-node socket app',
        bot: false,
        socketMode: true,
        offlineMessage: 'offline',
        scopes: { botScopes: [], userScopes: ['messages:read'] },
        shortcuts: [],
        slashCommands: [{ command: '/alive', description: 'the live socket answers', usageHint: '/alive' }],
        eventSubscriptions: { events: ['NEW_MESSAGE'] },
        redirectUrls: ['https://two.example/redirect'],
      },
    });
    assert.equal(created.status, 200, created.text);
    const grant = await http(b.url, 'GET', `${base}/oauth2/grant?${new URLSearchParams({ clientId: created.body.id, scopes: 'messages:read' })}`, { headers: { authtoken: devToken } });
    assert.equal(grant.status, 200, grant.text);

    // One socket on each node; then node A dies without a word (its registry row stays "live" for 90 s).
    const onA = new SocketModeApp(a.url, created.body.id, created.body.appKey, { reconnect: false });
    const onB = new SocketModeApp(b.url, created.body.id, created.body.appKey, { reconnect: false });
    apps.push(onA, onB);
    onB.answer = (f) => ({ ack: `alive: ${f.payload.text}` });
    await onA.connect();
    await onB.connect();
    await a.stop('SIGKILL');
    const person = await Listener.connect(b.url.replace('http', 'ws') + '/v1/realtime', owner.token);

    // Round-robin over both rows: every other trigger is tried on the dead node first. Nobody
    // receives on its channel, so the next socket is tried at once; no offline message.
    for (let i = 0; i < 4; i++) {
      await owner.post(`/v1/channels/${general}/messages`, { text: `/alive ${i}` });
      await person.next((f) => f.type === 'message.ephemeral' && f.message.text === `alive: ${i}`, 5000);
    }
    assert.ok(!person.frames.some((f) => f.type === 'message.ephemeral' && f.message.text === 'offline'), 'no offline message while a socket is live');

    // Events too: each reaches the live socket on its first attempt, none waits out a forward timeout.
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await owner.post(`/v1/channels/${general}/messages`, { text: `event ${i}` })).body.id);
    for (const id of ids) await onB.next((f) => f.payload.messageType === 'PUMBLE_EVENT' && JSON.parse(f.payload.body).mId === id, 10_000);
    // The frame can reach the app before its attempt is committed: wait for the four records.
    let events: any[] = [];
    for (let i = 0; i < 100; i++) {
      const log = (await http(b.url, 'GET', `${base}/apps/${created.body.id}/deliveries?limit=200`, { headers: { authtoken: devToken } })).body as any[];
      events = log.filter((d) => d.class === 'event' && d.status !== 'pending' && ids.some((id) => (d.payload ?? '').includes(id)));
      if (events.length === 4) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(events.length, 4);
    for (const d of events) assert.deepEqual(d.attempts.map((x: any) => x.error ?? null), [null], `delivery ${d.id}: one attempt, no timeout`);

    // review 3.10: the dead node's row does not count against the 10-socket cap — the app gets
    // all ten on node B at once, not 90 s later; an eleventh is still refused.
    for (let i = 0; i < 9; i++) await onB.connect();
    assert.equal(onB.openSockets, 10);
    await assert.rejects(onB.handshake(), (err: unknown) => err instanceof HandshakeRefused && err.status === 429);
    assert.deepEqual(onB.crashes, []);
    person.close();
  } finally {
    for (const app of apps) await app.stop();
    await Promise.all([a.stop(), b.stop()]);
    await db.drop();
  }
});
