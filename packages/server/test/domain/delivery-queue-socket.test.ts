/**
 * The delivery queue's socket-mode attempts (docs/delivery.md §2.7), on SQLite and PostgreSQL: a
 * frame's attempt slot frees once the socket took it, its record following in the endpoint's next
 * recording transaction; and a frame whose socket died before that record committed is attempted
 * again (DeliveryStorage.redeliver), not recorded as delivered.
 */
import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Delivery } from '../../src/domain/ports/deliveries.js';
import type { SocketSender } from '../../src/workers/delivery-queue.js';
import { SOCKET_URL } from '../../src/domain/apps/socket-mode.js';
import { test } from 'node:test';
import { DeliveryStore } from '../../src/store/delivery-store.js';
import { needs } from '../support/helpers.js';
import { clock, delivery, enqueue, onBothEngines, queue, setup } from '../support/delivery-fixtures.js';

const written = (socketId = 'sock_1') => ({
  result: { ok: true, headers: {}, body: '', tooLarge: false, durationMs: 0 },
  requestHeaders: { 'x-switchboard-transport': 'socket', 'x-switchboard-socket-id': socketId },
});

onBothEngines('socket mode: the next frames are written while earlier ones wait for their record; each delivery once, each attempt recorded', async (t, engine) => {
  const { store } = await setup(t, engine);
  const c = clock();
  const made: string[] = [];
  for (let i = 0; i < 24; i++) made.push(await enqueue(store, delivery('app_sock', SOCKET_URL, c.now)));
  const sent: string[] = [];
  const recorded = new Set<string>();
  let mostUnrecorded = 0;
  const socketSender: SocketSender = async (d: Delivery) => {
    mostUnrecorded = Math.max(mostUnrecorded, sent.filter((id) => !recorded.has(id)).length);
    sent.push(d.id);
    return written();
  };
  // One attempt in flight at a time: before, the next frame waited for the last one's commit.
  const q = queue(store, c, { socketSender, maxInFlightPerEndpoint: 1, onAttempt: (d) => recorded.add(d.id) });
  assert.equal(await q.runDue(), made.length);
  assert.deepEqual([...sent].sort(), [...made].sort(), 'each delivery written once');
  assert.ok(mostUnrecorded >= 1, 'a frame was written before the one before it was recorded');
  for (const id of made) {
    const d = (await store.delivery(id))!;
    assert.deepEqual([d.status, d.attempts.length, d.attempts[0]!.requestHeaders['x-switchboard-transport'], d.lockedBy], ['succeeded', 1, 'socket', null], id);
  }
});

onBothEngines('socket mode: a frame whose socket dies before its attempt is recorded goes out again, and is not recorded as delivered meanwhile', async (t, engine) => {
  const { store } = await setup(t, engine);
  const c = clock();
  const lost = await enqueue(store, delivery('app_sock_drop', SOCKET_URL, c.now));
  const kept = await enqueue(store, delivery('app_sock_drop', SOCKET_URL, c.now));
  const sent: string[] = [];
  const socketSender: SocketSender = async (d: Delivery) => {
    sent.push(d.id);
    if (d.id === lost && sent.filter((id) => id === lost).length === 1) {
      // The socket it was written to dies at once, before the attempt's record: app-sockets.ts puts
      // the unread frame back. Its lease goes and its due time moves on.
      assert.equal(await store.redeliver([lost], SOCKET_URL, c.now), 1);
      const putBack = (await store.delivery(lost))!;
      assert.deepEqual([putBack.status, putBack.lockedBy, putBack.lockedUntil], ['pending', null, null]);
      assert.ok(putBack.nextAttemptAt > d.nextAttemptAt, 'due later than when it was claimed');
    }
    return written();
  };
  const q = queue(store, c, { socketSender });
  assert.equal(await q.runDue(), 2);
  // Not recorded as delivered: pending, unleased, no attempt logged, due again.
  let d = (await store.delivery(lost))!;
  assert.deepEqual([d.status, d.attempts.length, d.lockedBy], ['pending', 0, null]);
  assert.equal((await store.delivery(kept))!.status, 'succeeded', 'the other frame is recorded as usual');
  c.now += 1;
  assert.equal(await q.runDue(), 1, 'attempted again');
  d = (await store.delivery(lost))!;
  assert.deepEqual([d.status, d.attempts.length, d.attempts[0]!.n, d.lockedBy], ['succeeded', 1, 1, null]);
  assert.deepEqual(sent.filter((id) => id === lost).length, 2, 'the frame went out twice (at-least-once), under one delivery id');
});

onBothEngines('socket mode: a backlog drains through the claims finishing attempts make, the poll a minute away (written frames still hold their leases)', async (t, engine) => {
  const { store } = await setup(t, engine);
  const now = Date.now();
  const made: string[] = [];
  for (let i = 0; i < 300; i++) made.push(await enqueue(store, delivery('app_sock_backlog', SOCKET_URL, now)));
  const sent = new Set<string>();
  // A write takes a turn of the event loop, as a socket's does: records lag behind the writes.
  const socketSender: SocketSender = async (d: Delivery) => {
    sent.add(d.id);
    await new Promise((r) => setImmediate(r));
    return written();
  };
  const q = queue(store, { fn: Date.now }, { socketSender, pollMs: 60_000 });
  q.start();
  try {
    // Before: the claim counted the written frames' leases, the queue did not, and it waited for the poll.
    for (const end = Date.now() + 20_000; sent.size < made.length && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20));
    assert.equal(sent.size, made.length, `${sent.size} of ${made.length} written without the poll`);
  } finally {
    await q.stop();
  }
  for (const id of made) assert.equal((await store.delivery(id))!.status, 'succeeded', id);
});

onBothEngines('HTTP: an attempt in flight is recorded even when its delivery was replayed meanwhile (its due time moved; only socket frames are put back that way)', async (t, engine) => {
  const { store } = await setup(t, engine);
  // The receiver holds its answer until the test has replayed the delivery.
  const held: ServerResponse[] = [];
  const server = createServer((req, res) => {
    req.resume();
    held.push(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
  const id = await enqueue(store, delivery('app_http_replayed', url, Date.now()));
  const q = queue(store, { fn: Date.now }, { pollMs: 60_000 });
  q.start();
  try {
    for (const end = Date.now() + 10_000; held.length === 0 && Date.now() < end; ) await new Promise((r) => setTimeout(r, 10));
    assert.equal(held.length, 1, 'the attempt is out');
    // Disabled (pending ones fail, leases stay), enabled again, replayed: requeue moves next_attempt_at.
    await store.disableEndpoint('app_http_replayed', 'app', 'sustained-failure', 'endpoint-disabled', Date.now());
    await store.enableEndpoint('app_http_replayed');
    await store.replay(id, Date.now() + 1);
    held[0]!.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    let d = (await store.delivery(id))!;
    for (const end = Date.now() + 10_000; d.attempts.length === 0 && Date.now() < end; d = (await store.delivery(id))!) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual([d.status, d.attempts.map((a) => a.responseStatus), held.length], ['succeeded', [200], 1], 'the answer is recorded; nothing is sent again');
  } finally {
    await q.stop();
  }
});

// PostgreSQL only: on SQLite the one writer cannot claim while a record holds the row.
test('socket mode: a frame put back and claimed again while its first attempt awaits its record keeps its lease renewed under the second attempt (PostgreSQL)', async (t) => {
  if (!(await needs(t, 'postgres'))) return;
  const { store } = await setup(t, 'postgres');
  const a = await enqueue(store, delivery('app_sock_twice', SOCKET_URL, Date.now()));
  // The first attempt's record waits at its read until the test lets it go.
  let reached!: () => void;
  const atGate = new Promise<void>((r) => (reached = r));
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const original = DeliveryStore.prototype.leasedStatuses;
  let first = true;
  DeliveryStore.prototype.leasedStatuses = async function (this: DeliveryStore, ids: readonly string[], workerId: string) {
    if (first && ids.includes(a)) {
      first = false;
      reached();
      await gate;
    }
    return original.call(this, ids, workerId);
  };
  t.after(() => void (DeliveryStore.prototype.leasedStatuses = original));
  let writes = 0;
  let secondStarted!: () => void;
  const second = new Promise<void>((r) => (secondStarted = r));
  let finishSecond!: () => void;
  const secondDone = new Promise<void>((r) => (finishSecond = r));
  const socketSender: SocketSender = async () => {
    if (++writes === 2) {
      secondStarted();
      await secondDone;
    }
    return written();
  };
  const q = queue(store, { fn: Date.now }, { socketSender, pollMs: 60_000 });
  q.start();
  try {
    await atGate; // written once; its record waits
    await store.transaction((tx) => tx.redeliver([a], SOCKET_URL, Date.now())); // its socket died
    q.wake(); // as onBacklog does
    await second; // claimed again, and being written
    release();
    // the first attempt ends ('lease-lost') while the second still runs
    let d = (await store.delivery(a))!;
    for (const end = Date.now() + 5_000; Date.now() < end && first; ) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 200));
    assert.ok((q as unknown as { leased: Set<string> }).leased.has(a), 'the second attempt still holds the lease it renews');
    finishSecond();
    for (const end = Date.now() + 10_000; d.status !== 'succeeded' && Date.now() < end; d = (await store.delivery(a))!) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual([d.status, d.attempts.length, writes], ['succeeded', 1, 2]);
  } finally {
    finishSecond();
    release();
    await q.stop();
  }
});
