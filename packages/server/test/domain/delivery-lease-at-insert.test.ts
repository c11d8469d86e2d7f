/**
 * Leasing as deliveries are inserted (DeliveryStorage.offerLeases, SQLite): an expansion's
 * deliveries go to the local queue without a claim, each once, and only where the claim's rules
 * would have given them to this queue: an endpoint it holds everything due of, that is neither
 * paused nor backing off, and that no other worker leases from.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Delivery } from '../../src/domain/ports/deliveries.js';
import type { DeliveryStore } from '../../src/store/delivery-store.js';
import { delivery, enqueue, ids, queue, receiver, setup } from '../support/delivery-fixtures.js';

async function until(done: () => boolean | Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await new Promise((res) => setTimeout(res, 10));
  }
}

/** The deliveries each claim of `store` leased (the claim is what leasing at insert spares). */
function watchClaims(store: DeliveryStore): string[][] {
  const claims: string[][] = [];
  const claimDue = store.claimDue.bind(store);
  store.claimDue = async (...args) => {
    const claimed = await claimDue(...args);
    claims.push(claimed.map((d) => d.id));
    return claimed;
  };
  return claims;
}

/** What an expansion does: enqueue in one transaction that leases as it inserts. */
async function expand(store: DeliveryStore, made: ReturnType<typeof delivery>[]): Promise<Delivery[]> {
  return store.transaction(async (tx) => {
    tx.startLeasing!();
    for (const d of made) await tx.enqueue(d);
    return tx.takeLeased!();
  });
}

test('an expansion to an endpoint the queue has caught up with is leased as it is inserted and sent without a claim, each once', async (t) => {
  const { store } = await setup(t, 'sqlite');
  const claims = watchClaims(store);
  const r = await receiver(() => ({ status: 200 }));
  const q = queue(store, { fn: Date.now }, { pollMs: 60_000 });
  q.start();
  let first = '';
  try {
    // The first delivery is left to the claim: the queue does not know the endpoint yet.
    first = await enqueue(store, delivery('app_lease', `${r.url}/lease`, Date.now()));
    q.wakeAfterExpansion();
    await until(() => r.hits.length === 1, 'the first delivery arrived');
    assert.deepEqual(claims.flat(), [first], 'the claim leased it');

    const made = Array.from({ length: 5 }, () => delivery('app_lease', `${r.url}/lease`, Date.now()));
    const leased = await expand(store, made);
    assert.deepEqual(
      leased.map((d) => d.id),
      made.map((d) => d.id),
      'each one leased as it was inserted',
    );
    for (const d of leased) {
      const { attempts, ...row } = (await store.delivery(d.id))!;
      assert.deepEqual(attempts, []);
      assert.equal(row.lockedBy, q.workerId, 'the row holds the lease');
      assert.deepEqual(d, row, 'the handed-over delivery is the row as a claim reads it');
    }
    q.adopt(leased);
    q.wakeAfterExpansion();
    await until(() => r.hits.length === 6, 'every delivery arrived');
    await until(async () => (await store.delivery(made[4]!.id))!.status === 'succeeded', 'the last is recorded');
  } finally {
    await q.stop();
  }
  assert.equal(new Set(ids(r.hits)).size, 6, 'each delivery once');
  assert.deepEqual(claims.flat(), [first], 'no claim leased any of the five');
  for (const id of new Set(ids(r.hits))) {
    const d = (await store.delivery(id as string))!;
    assert.deepEqual([d.status, d.attempts.length, d.lockedBy], ['succeeded', 1, null], String(id));
  }
});

test('nothing is leased at insert where the claim would decide otherwise: behind an older delivery left to the claim, or where another worker leases', async (t) => {
  const { store, secondStore } = await setup(t, 'sqlite');
  const r = await receiver(() => ({ status: 200, delayMs: 200 }));
  const q = queue(store, { fn: Date.now }, { pollMs: 60_000 });
  q.start();
  try {
    // A delivery left to the claim (enqueued outside an expansion): later ones wait behind it for the claim.
    await enqueue(store, delivery('app_behind', `${r.url}/behind`, Date.now()));
    const behind = await expand(store, [delivery('app_behind', `${r.url}/behind`, Date.now())]);
    assert.deepEqual(behind, [], 'not leased ahead of an older delivery left to the claim');
    q.wakeAfterExpansion();
    await until(() => r.hits.filter((h) => h.path === '/behind').length === 2, 'the claim sent both');
    await until(async () => (await expand(store, [delivery('app_behind', `${r.url}/behind`, Date.now())])).length === 1, 'leased at insert again once a claim took everything due');

    // Another worker (another process: its own store) leases from an endpoint the queue had caught up with.
    await enqueue(store, delivery('app_held', `${r.url}/held`, Date.now()));
    q.wakeAfterExpansion();
    await until(() => r.hits.some((h) => h.path === '/held'), 'the claim sent it');
    await until(async () => (await store.list({ endpointId: 'app_held', limit: 10 })).every((d) => d.status === 'succeeded'), 'it was recorded');
    const other = await secondStore();
    // Enqueued and leased in one transaction, so that this queue cannot claim it first.
    const theirs = await other.transaction(async (tx) => {
      await tx.enqueue(delivery('app_held', `${r.url}/held`, Date.now()));
      return tx.claimDue(Date.now(), 10, 'another-worker', 60_000, 4);
    });
    assert.equal(theirs.length, 1, 'the other worker leased it');
    const held = await expand(store, [delivery('app_held', `${r.url}/held`, Date.now())]);
    assert.deepEqual(held, [], 'not leased while another worker holds the endpoint');
  } finally {
    await q.stop();
  }
});
