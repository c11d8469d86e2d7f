/**
 * The delivery queue's socket-mode attempts (docs/delivery.md §2.7), on SQLite and PostgreSQL: a
 * frame's attempt slot frees once the socket took it, its record following in the endpoint's next
 * recording transaction; and a frame whose socket died before that record committed is attempted
 * again (DeliveryStorage.redeliver), not recorded as delivered.
 */
import assert from 'node:assert/strict';
import type { Delivery } from '../../src/domain/ports/deliveries.js';
import type { SocketSender } from '../../src/workers/delivery-queue.js';
import { SOCKET_URL } from '../../src/domain/apps/socket-mode.js';
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
