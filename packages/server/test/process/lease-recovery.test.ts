/**
 * Crash recovery is prompt (issue #10, item 5): leases last docs/delivery.md §2.4's 60 s and are renewed
 * while an attempt runs; a restarted node takes back the leases its dead predecessors hold at once,
 * so an endpoint is not stalled for a minute after a kill -9.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { S, T0, cleanups, clock, delivery, enqueue, onBothEngines, queue, receiver, setup } from '../support/delivery-fixtures.js';
import { login, tempDir } from '../support/helpers.js';
import { spawnServer } from '../support/process.js';
import { ReceivingApp, type Received } from '../support/app-receiver.js';
import { subscribeApp } from '../support/event-app.js';

after(() => Promise.all(cleanups.splice(0).map((c) => c())));

onBothEngines('a restarted node releases the leases of its own dead processes only', async (t, engine) => {
  const { store } = await setup(t, engine);
  const c = clock();
  const url = 'http://127.0.0.1:9/never-called';
  const ids = [] as string[];
  // One endpoint each: an endpoint is leased from by one worker at a time (DeliveryStorage.claimDue).
  for (let i = 0; i < 4; i++) ids.push(await enqueue(store, delivery(`ep_${i}`, url, T0)));
  // Four holders: a dead process of this node, a live one (another worker), this very pid under an
  // earlier name (pid reuse: that process is gone), and a process of another node.
  const holders = ['node-a:4000001:aaaa', 'node-a:4000002:bbbb', `node-a:${process.pid}:cccc`, 'node-b:4000001:dddd'];
  const heldBy: string[] = [];
  for (const holder of holders) {
    const [claimed] = await store.claimDue(T0, 1, holder, 60 * S, 4);
    assert.ok(claimed && ids.includes(claimed.id) && !heldBy.includes(claimed.id), `${holder} leased one of its own`);
    heldBy.push(claimed.id);
  }
  const q = queue(store, c, { nodeId: 'node-a', isProcessAlive: (pid) => pid === 4000002 });
  assert.equal(await q.reclaimDeadLeases(), 2);
  const lockedBy = await Promise.all(heldBy.map(async (id) => (await store.delivery(id))!.lockedBy));
  assert.deepEqual(lockedBy, [null, 'node-a:4000002:bbbb', null, 'node-b:4000001:dddd']);
  assert.deepEqual(await store.leaseHolders('node-a:'), ['node-a:4000002:bbbb']);
});

onBothEngines('the lease is 60 s and is renewed while an attempt runs', async (t, engine) => {
  const { store } = await setup(t, engine);
  const rx = await receiver(() => ({ hang: true }));
  const c = clock();
  // The queue's timers, fired by hand: the renewal is the one a third of the lease apart.
  const pending: Array<{ fn: () => void; ms: number }> = [];
  const timers = { setTimeout: (fn: () => void, ms: number) => (pending.push({ fn, ms }), pending.length), clearTimeout: () => undefined };
  const q = queue(store, c, { timers, timeoutMs: 30_000, nodeId: 'renew-node' });
  const id = await enqueue(store, delivery('ep_renew', rx.url, T0));
  q.start();
  try {
    for (let i = 0; i < 200 && rx.hits.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
    assert.equal(rx.hits.length, 1, 'the attempt is in flight');
    assert.equal((await store.delivery(id))!.lockedUntil, T0 + 60 * S, '§2.4: a 60 s lease');
    const renewal = pending.find((p) => p.ms === 20 * S);
    assert.ok(renewal, 'a renewal every third of the lease');
    c.now = T0 + 20 * S;
    renewal.fn();
    let lockedUntil: number | null = null;
    for (let i = 0; i < 200 && lockedUntil !== T0 + 80 * S; i++) {
      await new Promise((r) => setTimeout(r, 10));
      lockedUntil = (await store.delivery(id))!.lockedUntil;
    }
    assert.equal(lockedUntil, T0 + 80 * S, 'the running attempt\'s lease moved forward');
    assert.equal((await store.delivery(id))!.lockedBy, q.workerId);
  } finally {
    await rx.close(); // ends the hanging attempt
    await q.stop();
  }
  assert.match(queue(store, clock()).workerId, new RegExp(`:${process.pid}:[0-9a-f]{8}$`));
});

test('kill -9 with 4 deliveries in flight to one endpoint: after a restart they and a new one arrive before the old leases would have run out', async () => {
  const dir = tempDir();
  const file = join(dir.path, 'crash.db');
  const env = {
    DATABASE_URL: `sqlite:${file}`,
    SWITCHBOARD_ADMIN_EMAIL: 'o@x.io',
    SWITCHBOARD_ADMIN_PASSWORD: 'password-123',
    SWITCHBOARD_OUTBOUND_ALLOW_LOOPBACK: 'true',
  };
  const app = new ReceivingApp();
  await app.start();
  app.answer = () => 'hang';
  let server = await spawnServer(env);
  try {
    const owner = await login(server.url, 'o@x.io', 'password-123');
    await subscribeApp(server.url, owner, app);
    const general = ((await owner.get('/v1/channels')).body as any[])[0].channel.id;
    const posted: string[] = [];
    for (let i = 0; i < 4; i++) posted.push((await owner.post(`/v1/channels/${general}/messages`, { text: `in flight ${i}` })).body.id);
    const isEvent = (mId: string) => (r: Received) => r.envelope.eventType === 'NEW_MESSAGE' && JSON.parse(r.envelope.body).mId === mId;
    const first = await Promise.all(posted.map((m) => app.next(isEvent(m), 15_000)));
    const deliveryIds = first.map((r) => r.headers['webhook-id']);

    // All four hang at the app, leased by this process: the endpoint's in-flight limit is full.
    const db = new Database(file, { readonly: true });
    const leases = db.prepare('select id, locked_until from deliveries where locked_by is not null').all() as Array<{ id: string; locked_until: number }>;
    db.close();
    assert.deepEqual(leases.map((l) => l.id).sort(), [...deliveryIds].sort());
    const leasesRunOutAt = Math.min(...leases.map((l) => l.locked_until));
    assert.ok(leasesRunOutAt - Date.now() > 40_000, 'leases of about 60 s');

    await server.stop('SIGKILL');
    app.answer = () => ({ status: 200, body: {} });
    server = await spawnServer(env);
    const o2 = await login(server.url, 'o@x.io', 'password-123');
    const newId = (await o2.post(`/v1/channels/${general}/messages`, { text: 'after the restart' })).body.id as string;

    const waitMs = Math.max(leasesRunOutAt - Date.now() - 1000, 1);
    const again = await Promise.all(posted.map((m) => app.next((r) => !first.includes(r) && isEvent(m)(r), waitMs)));
    const arrived = await app.next(isEvent(newId), waitMs);
    assert.ok(Date.now() < leasesRunOutAt, 'everything arrived while the dead process still held its leases');
    assert.deepEqual(
      again.map((r) => r.headers['webhook-id']),
      deliveryIds,
      'the in-flight deliveries again, under the same ids',
    );
    assert.ok(arrived.headers['webhook-id']);
  } finally {
    await server.stop();
    await app.stop();
    dir.remove();
  }
});
