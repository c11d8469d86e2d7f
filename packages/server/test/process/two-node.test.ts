/**
 * Two server processes on one PostgreSQL and one Redis behave as one: a client connected to
 * one node hears what is posted through the other.
 */
import { test } from 'node:test';
import { randomBytes } from 'node:crypto';
import assert from 'node:assert/strict';
import { Listener, REDIS_URL, createUser, freshPostgresDatabase, login, needs } from '../support/helpers.js';
import { spawnServer } from '../support/process.js';

test('a message posted through node B reaches a client connected to node A, and back', async (t) => {
  if (!(await needs(t, 'postgres', 'redis'))) return;
  const db = await freshPostgresDatabase();
  const env = {
    DATABASE_URL: db.url,
    REDIS_URL,
    SWITCHBOARD_ADMIN_EMAIL: 'owner@two.example',
    SWITCHBOARD_ADMIN_PASSWORD: 'two-nodes-password',
    // Nodes share the key that seals app secrets.
    SWITCHBOARD_SECRET_KEY: randomBytes(32).toString('base64'),
  };
  const a = await spawnServer(env);
  const b = await spawnServer(env);
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
    await Promise.all([a.stop(), b.stop()]);
    await db.drop();
  }
});
