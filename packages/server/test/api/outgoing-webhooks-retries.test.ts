/**
 * Retries of outgoing webhooks (docs/integrations.md §8.7, docs/delivery.md §6; §12.3 #36, #38–#41): the
 * exact delays of each strategy, Retry-After, invalid or missing settings. The server's own queue
 * is stopped and a queue with a hand-moved clock makes the attempts (the same executor, store and
 * receivers as in production), so every delay is asserted to the millisecond.
 */
import { test, before, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { deliveriesOf, historyOf, newRoom, postMessage, receiver, scopedOutgoing, startEnv, until, type Answer, type Env, type Receiver } from '../support/outgoing-webhooks-fixtures.js';
import { loopbackAgent } from '../support/delivery-fixtures.js';
import { DeliveryQueue } from '../../src/workers/delivery-queue.js';
import { OutgoingExecutor } from '../../src/workers/outgoing-executor.js';
import type { IntegrationDoc } from '../../src/domain/integrations/document.js';
import type { DeliveryWithAttempts } from '../../src/domain/ports/deliveries.js';

let env: Env;
let q: DeliveryQueue;
const clock = { now: 0 };

before(async () => {
  env = await startEnv();
  await env.s.sb.deliveryQueue.stop();
  q = new DeliveryQueue({
    store: env.s.sb.store.deliveries,
    agent: loopbackAgent(),
    sign: () => null,
    log: pino({ level: 'silent' }),
    now: () => clock.now,
    leaseMs: 120_000,
    executors: { outgoing: new OutgoingExecutor({ webhooks: () => env.s.sb.core.outgoingWebhooks, agent: loopbackAgent(), historyRetentionDays: 30 }) },
  });
});
after(async () => {
  await env.s.close();
});

/** A room, an integration on it answering as told, one message; returns once its delivery exists. */
async function oneDelivery(t: TestContext, answer: (n: number) => Answer, fields: Record<string, unknown>, url?: string) {
  const room = await newRoom(env, 'retry');
  let n = 0;
  const r: Receiver = await receiver(() => answer(++n));
  const doc: IntegrationDoc = await scopedOutgoing(env, t, { channel: `#${room.name}`, urls: [url ?? `${r.url}/hook`], ...fields });
  await postMessage(env.s.owner, room.id, 'try me');
  const [d] = await until(async () => {
    const ds = await deliveriesOf(env, doc._id);
    return ds.length > 0 ? ds : undefined;
  });
  // The clock starts where the delivery became due (it was enqueued in real time).
  clock.now = Math.max(Date.now(), d!.nextAttemptAt) + 1000;
  return { r, doc, id: d!.id };
}

const delivery = async (id: string): Promise<DeliveryWithAttempts> => (await env.s.sb.store.deliveries.delivery(id))!;
const steps = async (integrationId: string) => (await historyOf(env, integrationId)).map((h) => h.record.step);

/** Runs what is due now and asserts how many attempts that made. */
async function due(expected: number): Promise<void> {
  assert.equal(await q.runDue(), expected);
}

for (const [strategy, delays] of [
  ['powers-of-ten', [100, 1000]],
  ['powers-of-two', [2000, 4000]],
  ['increments-of-two', [2000, 4000]],
] as const) {
  test(`#39 ${strategy}: ${delays.join(' ms, then ')} ms exactly, then too-many-retries; one webhook-id throughout (#36: a 500 is retried)`, async (t) => {
    const { r, doc, id } = await oneDelivery(t, () => ({ status: 500, body: 'boom' }), { retryFailedCalls: true, retryCount: 2, retryDelay: strategy });
    await due(1);
    let d = await delivery(id);
    assert.equal(d.status, 'pending');
    assert.equal(d.nextAttemptAt, clock.now + delays[0]);

    clock.now += delays[0] - 1;
    await due(0);
    clock.now += 1;
    await due(1);
    d = await delivery(id);
    assert.equal(d.nextAttemptAt, clock.now + delays[1]);

    clock.now += delays[1];
    await due(1);
    d = await delivery(id);
    assert.equal(d.status, 'failed');
    assert.equal(d.reason, 'exhausted');
    assert.deepEqual(
      d.attempts.map((a) => [a.n, a.responseStatus]),
      [
        [1, 500],
        [2, 500],
        [3, 500],
      ],
    );
    assert.deepEqual(new Set(r.hits.map((h) => h.headers['webhook-id'])), new Set([id]));
    assert.deepEqual(
      r.hits.map((h) => h.headers['switchboard-delivery-attempt']),
      ['1', '2', '3'],
    );
    // One history record per attempt, all linked to the delivery.
    assert.deepEqual(await steps(doc._id), ['going-to-retry-1', 'going-to-retry-2', 'too-many-retries']);
    assert.deepEqual(
      (await historyOf(env, doc._id)).map((h) => [h.record.attempt, h.deliveryId]),
      [
        [1, id],
        [2, id],
        [3, id],
      ],
    );
  });
}

test('a retry that succeeds ends the delivery (and the reply is posted then)', async (t) => {
  const { id, doc } = await oneDelivery(t, (n) => (n === 1 ? { status: 503 } : { status: 200, headers: { 'content-type': 'application/json' }, body: '{"text":"second time lucky"}' }), {
    retryFailedCalls: true,
    retryCount: 3,
    retryDelay: 'powers-of-two',
  });
  await due(1);
  clock.now += 2000;
  await due(1);
  assert.equal((await delivery(id)).status, 'succeeded');
  assert.deepEqual(await steps(doc._id), ['going-to-retry-1', 'url-response-sent-message']);
});

test('429 with Retry-After: the next attempt waits for it (longer than the strategy) and the integration pauses', async (t) => {
  const { id, doc } = await oneDelivery(t, () => ({ status: 429, headers: { 'retry-after': '7' } }), { retryFailedCalls: true, retryCount: 2, retryDelay: 'powers-of-ten' });
  await due(1);
  const started = clock.now;
  assert.equal((await delivery(id)).nextAttemptAt, started + 7000);
  const endpoint = await env.s.sb.store.deliveries.endpoint(doc._id);
  assert.equal(endpoint!.pausedUntil, started + 7000);
  clock.now += 6999;
  await due(0);
  clock.now += 1;
  await due(1);
  assert.equal((await delivery(id)).attemptCount, 2);
});

test('#40 an unknown retryDelay is recorded and not retried; #41 retries on but no count: no retry', async (t) => {
  const invalid = await oneDelivery(t, () => ({ status: 500 }), { retryFailedCalls: true, retryCount: 3, retryDelay: 'fibonacci' });
  await due(1);
  assert.equal((await delivery(invalid.id)).status, 'failed');
  assert.deepEqual(await steps(invalid.doc._id), ['failed-and-retry-delay-is-invalid']);

  const uncounted = await oneDelivery(t, () => ({ status: 500 }), { retryFailedCalls: false });
  // The API applies defaults; a stored document can still lack the count.
  await env.s.sb.store.integrations.save(env.s.workspaceId, { ...uncounted.doc, retryFailedCalls: true, retryDelay: 'powers-of-ten' });
  await due(1);
  assert.equal((await delivery(uncounted.id)).status, 'failed');
  assert.deepEqual(await steps(uncounted.doc._id), ['too-many-retries']);
});

test('#38 a network error is retried when retries are configured, with httpError in each record', async (t) => {
  const probe = createServer();
  await new Promise<void>((res) => probe.listen(0, '127.0.0.1', res));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((res) => probe.close(() => res()));
  const { id, doc } = await oneDelivery(t, () => ({ status: 200 }), { retryFailedCalls: true, retryCount: 1, retryDelay: 'powers-of-ten' }, `http://127.0.0.1:${port}/nobody`);
  await due(1);
  assert.equal((await delivery(id)).nextAttemptAt, clock.now + 100);
  clock.now += 100;
  await due(1);
  const d = await delivery(id);
  assert.equal(d.status, 'failed');
  assert.deepEqual(
    d.attempts.map((a) => a.error),
    ['connect', 'connect'],
  );
  const records = await historyOf(env, doc._id);
  assert.deepEqual(
    records.map((h) => [h.record.step, (h.record.httpError as { error: string }).error]),
    [
      ['going-to-retry-1', 'connect'],
      ['too-many-retries', 'connect'],
    ],
  );
});

test('without retryFailedCalls one attempt only; an integration disabled meanwhile gets its retry cancelled', async (t) => {
  const once = await oneDelivery(t, () => ({ status: 502 }), {});
  await due(1);
  assert.equal((await delivery(once.id)).status, 'failed');
  assert.deepEqual(await steps(once.doc._id), ['failed-and-not-configured-to-retry']);

  const later = await oneDelivery(t, () => ({ status: 500 }), { retryFailedCalls: true, retryCount: 3, retryDelay: 'powers-of-ten' });
  await due(1);
  await env.s.sb.core.integrations.update(env.owner, { type: 'webhook-outgoing', integrationId: later.doc._id, enabled: false });
  clock.now += 100;
  await due(1); // claimed, and cancelled without a call
  const d = await delivery(later.id);
  assert.equal(d.status, 'cancelled');
  assert.equal(d.attempts.length, 1);
  assert.equal(later.r.hits.length, 1);
});

test('failures spread over the auto-disable window disable the integration (sustained-failure) and its creator gets a DM', async (t) => {
  // The same executor under a queue whose auto-disable window is seconds instead of days (docs/delivery.md §7).
  const quick = new DeliveryQueue({
    store: env.s.sb.store.deliveries,
    agent: loopbackAgent(),
    sign: () => null,
    log: pino({ level: 'silent' }),
    now: () => clock.now,
    leaseMs: 120_000,
    autoDisable: { afterMs: 10_000, spreadMs: 5_000 },
    executors: { outgoing: new OutgoingExecutor({ webhooks: () => env.s.sb.core.outgoingWebhooks, agent: loopbackAgent(), historyRetentionDays: 30 }) },
  });
  const { id, doc } = await oneDelivery(t, () => ({ status: 500 }), { retryFailedCalls: true, retryCount: 5, retryDelay: 'powers-of-two', username: env.memberUser.username });
  // Attempts at 0, 2, 6 and 14 s: the fourth failure is 14 s into a streak whose failures lie ≥ 5 s apart.
  for (const wait of [0, 2000, 4000, 8000]) {
    clock.now += wait;
    assert.equal(await quick.runDue(), 1);
  }
  const d = await delivery(id);
  assert.equal(d.status, 'failed');
  assert.equal(d.reason, 'endpoint-disabled');
  const disabled = await until(async () => {
    const x = await env.s.sb.store.integrations.get(env.s.workspaceId, doc._id);
    return x && !x.enabled ? x : undefined;
  });
  assert.equal(disabled.disabledReason, 'sustained-failure');
  const notice = await until(async () => {
    const dm = await env.s.sb.core.channels.findDirect(env.owner, [env.memberUser.id]).catch(() => undefined);
    if (!dm) return undefined;
    return (await env.s.sb.core.messages.list(env.owner, dm.channel.id, { limit: 20 })).messages.find((m) => m.text.includes(doc.name));
  });
  assert.match(notice.text, /kept failing/);
  assert.match(notice.text, /HTTP 500/);
  assert.deepEqual(notice.bot, { i: doc._id, hops: 5 });
});
