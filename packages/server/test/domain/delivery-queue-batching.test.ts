/**
 * The delivery queue's shortcuts under load (docs/delivery.md §2.4–§2.8), on SQLite and PostgreSQL:
 * attempts that finish together are recorded together, finishing attempts claim again only when
 * a claim left due deliveries behind, and an expansion's transaction reads an endpoint and counts
 * its backlog once. Each test checks that the shortcut keeps what the slow way guaranteed.
 */
import assert from 'node:assert/strict';
import type { DeliveryStore } from '../../src/store/delivery-store.js';
import type { DeliveryAttempt } from '../../src/domain/ports/deliveries.js';
import type { QueueLog } from '../../src/workers/delivery-queue.js';
import { clock, delivery, enqueue, ids, onBothEngines, queue, receiver, setup } from '../support/delivery-fixtures.js';

async function until(done: () => boolean | Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await new Promise((res) => setTimeout(res, 10));
  }
}

onBothEngines('more due deliveries than one claim leases all go out, without waiting for the poll, each once', async (t, engine) => {
  const { store } = await setup(t, engine);
  const r = await receiver(() => ({ status: 200, delayMs: 2 }));
  const now = Date.now();
  const made: string[] = [];
  for (let i = 0; i < 40; i++) made.push(await enqueue(store, delivery('app_many', `${r.url}/many`, now)));
  // A claim leases at most 4 of the endpoint (leaseBatch is raised to the in-flight limit); the poll
  // is a minute away, so every later claim comes from attempts finishing.
  const q = queue(store, { fn: Date.now }, { leaseBatch: 1, pollMs: 60_000 });
  q.start();
  try {
    await until(() => r.hits.length >= made.length, 'every delivery arrived');
  } finally {
    await q.stop();
  }
  assert.deepEqual([...ids(r.hits)].sort(), [...made].sort(), 'each delivery once');
  assert.ok(r.maxOpen.get('/many')! <= 4);
  for (const id of made) {
    const d = (await store.delivery(id))!;
    assert.deepEqual([d.status, d.attempts.length, d.lockedBy], ['succeeded', 1, null], id);
  }
});

onBothEngines('attempts recorded together each keep their own outcome, and the endpoint follows them in the order they finished', async (t, engine) => {
  const { store } = await setup(t, engine);
  // Odd deliveries fail (500), even ones succeed; all answer at once so that they finish together.
  const r = await receiver((hit) => ({ status: JSON.parse(hit.body).body.n % 2 === 1 ? 500 : 200 }));
  const c = clock();
  const made: string[] = [];
  for (let n = 0; n < 8; n++) made.push(await enqueue(store, delivery('app_mixed', `${r.url}/mixed`, c.now, { payload: JSON.stringify({ body: { n } }) })));
  const seen: DeliveryAttempt[] = [];
  // All eight out at once (one slot each), so that every one is attempted before any failure is
  // recorded: a recorded 500 backs the endpoint off and gives back whatever has not started yet,
  // which on a busy runner could be some of the eight.
  assert.equal(await queue(store, c, { onAttempt: (_d, a) => seen.push(a), maxInFlightPerEndpoint: 8 }).runDue(), 8);
  for (const [n, id] of made.entries()) {
    const d = (await store.delivery(id))!;
    assert.equal(d.attempts.length, 1, `one attempt recorded for #${n}`);
    assert.equal(d.attempts[0]!.responseStatus, n % 2 === 1 ? 500 : 200);
    if (n % 2 === 1) {
      assert.deepEqual([d.status, d.attemptCount, d.lastStatusCode, d.lockedBy], ['pending', 1, 500, null], `#${n} waits for its retry`);
      assert.ok(d.nextAttemptAt > c.now, `#${n} is not due again at once`);
    } else {
      assert.deepEqual([d.status, d.attemptCount, d.lastStatusCode, d.lockedBy], ['succeeded', 1, 200, null], `#${n}`);
    }
  }
  // The endpoint's state is the one the last recorded attempt left (the order attempts finish in
  // varies): a success clears the failure streak; a failure after the successes keeps their time.
  const last = seen.at(-1)!;
  const endpoint = (await store.endpoint('app_mixed'))!;
  assert.equal(endpoint.lastStatusCode, last.responseStatus);
  assert.equal(endpoint.lastSuccessAt, c.now, 'a success was recorded');
  if (last.responseStatus === 200) assert.equal(endpoint.lastFailureAt, null, 'the last recorded attempt succeeded: no failure streak');
  else assert.equal(endpoint.lastFailureAt, c.now, 'the last recorded attempt failed');
});

onBothEngines('an attempt whose record fails does not take the others recorded with it down', async (t, engine) => {
  const { store } = await setup(t, engine);
  const r = await receiver(() => ({ status: 200 }));
  const c = clock();
  const made: string[] = [];
  for (let i = 0; i < 6; i++) made.push(await enqueue(store, delivery('app_bad', `${r.url}/bad`, c.now)));
  const bad = made[2]!;
  // The store as the queue sees it: writing the attempt of `bad` fails, in whatever transaction.
  const failing = (tx: DeliveryStore): DeliveryStore =>
    Object.create(tx, {
      recordAttempt: { value: (a: DeliveryAttempt) => (a.deliveryId === bad ? Promise.reject(new Error('disk full')) : tx.recordAttempt(a)) },
    }) as DeliveryStore;
  const gated = Object.create(store, {
    transaction: { value: <T>(work: (tx: DeliveryStore) => Promise<T>, opts?: object) => store.transaction((tx) => work(failing(tx)), opts) },
  }) as DeliveryStore;
  const errors: string[] = [];
  const log = {
    info() {},
    warn() {},
    error: (_o: unknown, msg?: string) => void errors.push(msg ?? ''),
  } as unknown as QueueLog;
  assert.equal(await queue(gated, c, { log }).runDue(), 6);
  assert.equal(r.hits.length, 6);
  for (const id of made) {
    const d = (await store.delivery(id))!;
    if (id === bad) assert.deepEqual([d.status, d.attempts.length, d.lockedBy !== null], ['pending', 0, true], 'unrecorded: its lease runs out and it goes again');
    else assert.deepEqual([d.status, d.attempts.length], ['succeeded', 1], id);
  }
  assert.ok(errors.some((m) => m.includes('could not be recorded')));
});

onBothEngines("one transaction's enqueues count the backlog once and still keep the cap, and see the endpoint disabled in the same transaction", async (t, engine) => {
  const { store } = await setup(t, engine);
  const c = clock();
  const url = 'http://127.0.0.1:9/x';
  await enqueue(store, delivery('app_tx', url, c.now));
  const outcomes = await store.transaction(async (tx) => {
    const out: string[] = [];
    for (let i = 0; i < 4; i++) out.push((await tx.enqueue(delivery('app_tx', url, c.now), { backlogCap: 3 })).outcome);
    // Another endpoint in the same transaction has a backlog of its own.
    out.push((await tx.enqueue(delivery('app_other', url, c.now), { backlogCap: 3 })).outcome);
    await tx.disableEndpoint('app_other', 'app', 'manual', 'endpoint-disabled', c.now);
    out.push((await tx.enqueue(delivery('app_other', url, c.now), { backlogCap: 3 })).outcome);
    return out;
  });
  assert.deepEqual(outcomes, ['queued', 'queued', 'backlog-full', 'backlog-full', 'queued', 'endpoint-disabled']);
  assert.equal(await store.pendingCount('app_tx'), 3);
  // A later transaction counts afresh: a delivery done makes room again.
  assert.equal(await queue(store, c, { post: async () => ({ ok: true, status: 200, headers: {}, body: '', tooLarge: false, durationMs: 1 }) }).runDue(), 3);
  const again = await store.transaction(async (tx) => (await tx.enqueue(delivery('app_tx', url, c.now), { backlogCap: 3 })).outcome);
  assert.equal(again, 'queued');
});

onBothEngines('a 429 stops the endpoint at once, even while the records of its other attempts lag: only those already out still go', async (t, engine) => {
  const { store } = await setup(t, engine);
  let answered429 = -1;
  const r = await receiver(() => {
    if (answered429 < 0) {
      answered429 = r.hits.length;
      return { status: 429, headers: { 'retry-after': '3600' } };
    }
    return { status: 200, delayMs: 5 };
  });
  const now = Date.now();
  for (let i = 0; i < 60; i++) await enqueue(store, delivery('app_pause', `${r.url}/pause`, now));
  // Every record commits 400 ms late (a busy writer); claims run on the store itself.
  const lagging = Object.create(store, {
    claimDue: { value: (...a: Parameters<DeliveryStore['claimDue']>) => store.claimDue(...a) },
    transaction: {
      value: <T>(work: (tx: DeliveryStore) => Promise<T>, opts?: object) => new Promise((resolve) => setTimeout(resolve, 400)).then(() => store.transaction(work, opts)),
    },
  }) as DeliveryStore;
  const q = queue(lagging, { fn: Date.now }, { pollMs: 60_000 });
  q.start();
  try {
    await until(async () => (await store.endpoint('app_pause'))?.pausedUntil != null, 'the pause recorded');
    await new Promise((resolve) => setTimeout(resolve, 1000));
  } finally {
    await q.stop();
  }
  // docs/delivery.md §6: "the whole endpoint is paused … queued deliveries wait". What was already
  // out when the 429 came (at most the other three slots) may finish; nothing starts after it.
  assert.ok(r.hits.length - answered429 - 1 <= 3, `${r.hits.length - answered429 - 1} requests went out after the 429`);
  assert.ok(r.maxOpen.get('/pause')! <= 4);
});

onBothEngines('an answered 2xx frees its slot before its record commits: the next requests go out while records lag, each delivery once and recorded', async (t, engine) => {
  const { store } = await setup(t, engine);
  const r = await receiver(() => ({ status: 200 }));
  const now = Date.now();
  const made: string[] = [];
  for (let i = 0; i < 24; i++) made.push(await enqueue(store, delivery('app_early', `${r.url}/early`, now)));
  // Every record commits 400 ms late (a busy writer); claims run on the store itself.
  let hitsAtFirstRecord = -1;
  const lagging = Object.create(store, {
    claimDue: { value: (...a: Parameters<DeliveryStore['claimDue']>) => store.claimDue(...a) },
    transaction: {
      value: <T>(work: (tx: DeliveryStore) => Promise<T>, opts?: object) =>
        new Promise((resolve) => setTimeout(resolve, 400)).then(() => {
          if (hitsAtFirstRecord < 0) hitsAtFirstRecord = r.hits.length;
          return store.transaction(work, opts);
        }),
    },
  }) as DeliveryStore;
  const q = queue(lagging, { fn: Date.now }, { pollMs: 60_000 });
  q.start();
  try {
    await until(async () => (await Promise.all(made.map((id) => store.delivery(id)))).every((d) => d?.status === 'succeeded'), 'every delivery recorded');
  } finally {
    await q.stop();
  }
  // Held until recorded, the four slots would have let out four requests before the first record.
  assert.ok(hitsAtFirstRecord > 4, `${hitsAtFirstRecord} requests before the first record`);
  assert.ok(r.maxOpen.get('/early')! <= 4, 'still at most four in flight');
  assert.deepEqual([...ids(r.hits)].sort(), [...made].sort(), 'each delivery once');
  for (const id of made) {
    const d = (await store.delivery(id))!;
    assert.deepEqual([d.status, d.attempts.length, d.lockedBy], ['succeeded', 1, null], id);
  }
});

onBothEngines('a failure answered after a full batch of successes is recorded after them, so they cannot undo its back-off (more answered than one record batch takes)', async (t, engine) => {
  const { store } = await setup(t, engine);
  const answeredAt = new Map<string, number>();
  // 65 successes (the first answered at once: its record alone holds the endpoint while the next 64
  // gather), then every answer a 503 (a review found the 503 recorded ahead of that full batch)
  const r = await receiver((hit) => {
    answeredAt.set(String(hit.headers['webhook-id']), Date.now());
    return r.hits.length > 65 ? { status: 503, delayMs: 20 } : { status: 200, delayMs: r.hits.length === 1 ? 0 : 20 };
  });
  const now = Date.now();
  for (let i = 0; i < 100; i++) await enqueue(store, delivery('app_order', `${r.url}/order`, now));
  // Recording transactions hold the endpoint row 600 ms: answered successes pile up past recordBatchLimit (64).
  const slow = Object.create(store, {
    transaction: {
      value: <T>(work: (tx: DeliveryStore) => Promise<T>, opts?: object) =>
        new Error().stack!.includes('recordBatch')
          ? store.transaction(
              (tx) =>
                work(Object.create(tx, { lockEndpoint: { value: async (...a: Parameters<DeliveryStore['lockEndpoint']>) => ((await tx.lockEndpoint(...a)), await new Promise((res) => setTimeout(res, 600)), tx.lockEndpoint(...a)) } })),
              opts,
            )
          : store.transaction(work, opts),
    },
  }) as DeliveryStore;
  const recorded: Array<{ id: string; status: number | null }> = [];
  const q = queue(slow, { fn: Date.now }, { pollMs: 60_000, leaseBatch: 128, onAttempt: (d, a) => void recorded.push({ id: d.id, status: a.responseStatus }) });
  q.start();
  try {
    await until(() => recorded.some((x) => x.status === 503), 'a 503 recorded');
  } finally {
    await q.stop();
  }
  const first503 = recorded.findIndex((x) => x.status === 503);
  const answered503 = answeredAt.get(recorded[first503]!.id)!;
  const after = recorded.slice(first503 + 1).filter((x) => x.status === 200 && answeredAt.get(x.id)! < answered503);
  assert.equal(after.length, 0, `${after.length} successes answered before the 503 were recorded after it`);
});
