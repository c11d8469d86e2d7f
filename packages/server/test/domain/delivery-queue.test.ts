/**
 * The durable delivery queue (docs/delivery.md §2.4–§7) against real receivers on 127.0.0.1: the retry
 * schedule, throttling signals, 410 and auto-disable, and claiming — leases, crashes, the
 * per-endpoint limit and several workers — on SQLite and PostgreSQL. Most tests drive the queue by
 * hand (runDue) under a controllable clock, so schedules of hours and days run in milliseconds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Webhook } from 'standardwebhooks';
import { BACKOFF_MAX_MS, EVENT_RETRY_SCHEDULE, endpointAfterAttempt, judgeAttempt, nextStep, retryDelay } from '../../src/workers/delivery-policy.js';
import { ATTEMPT_LIMITS, postJson, type PostResult } from '../../src/outbound/http-post.js';
import { outboundPolicy } from '../../src/domain/outbound-policy.js';
import { GuardedAgent } from '../../src/outbound/ssrf.js';
import { appRequestHeaders, appSigningKey, standardWebhookSecretForApp, verifyPumbleSignature, verifyStandardWebhook } from '../../src/outbound/signing.js';
import { DAY, H, MIN, S, SECRET, T0, cleanups, clock, delivery, enqueue, ids, loopbackAgent, onBothEngines, queue, receiver, setup, type Answer } from '../support/delivery-fixtures.js';

// ---- retries, schedule, ids -------------------------------------------------------------------

test('a failing delivery is retried on the §5 schedule with one webhook-id, then exhausted; a replay keeps the id', async (t) => {
  const { store } = await setup(t);
  const r = await receiver(() => ({ status: 500 }));
  const c = clock();
  const randoms = [0, 0.25, 0.5, 0.75, 0.999999, 0.1, 0.9, 0.5];
  let rand = 0.5;
  const failing: string[] = [];
  const q = queue(store, c, { random: () => rand, onDeliveriesFailing: (e) => failing.push(e) });
  const id = await enqueue(store, delivery('app_a', `${r.url}/hook`, c.now));

  for (let n = 1; n <= 8; n++) {
    rand = randoms[n - 1]!;
    assert.equal(await q.runDue(), 1, `attempt ${n} is due`);
    const d = (await store.delivery(id))!;
    assert.equal(d.attemptCount, n);
    if (n === 8) {
      assert.equal(d.status, 'failed');
      assert.equal(d.reason, 'exhausted');
      break;
    }
    assert.equal(d.status, 'pending');
    const base = EVENT_RETRY_SCHEDULE.delaysMs[n - 1]!;
    const delay = d.nextAttemptAt - c.now;
    assert.equal(delay, Math.round(base * (0.9 + 0.2 * randoms[n - 1]!)), `delay before attempt ${n + 1}`);
    assert.ok(delay >= base * 0.9 && delay <= base * 1.1 + 1, 'within the jitter bounds');
    c.now = d.nextAttemptAt - 1;
    assert.equal(await q.runDue(), 0, 'not a millisecond early');
    c.now = d.nextAttemptAt;
  }
  assert.deepEqual([5 * S, 5 * MIN, 30 * MIN, 2 * H, 5 * H, 10 * H, 10 * H], EVENT_RETRY_SCHEDULE.delaysMs);
  assert.deepEqual(failing, ['app_a'], 'the owner hears once that deliveries are failing');
  assert.equal(r.hits.length, 8);
  assert.deepEqual(new Set(ids(r.hits)), new Set([id]), 'one webhook-id for every attempt');
  assert.deepEqual(r.hits.map((h) => h.headers['switchboard-delivery-attempt']), ['1', '2', '3', '4', '5', '6', '7', '8']);
  assert.ok(new Set(r.hits.map((h) => h.body)).size === 1, 'the body is re-sent byte for byte');
  for (const hit of r.hits) {
    assert.deepEqual(verifyStandardWebhook(hit.headers, hit.body, appSigningKey(SECRET), Number(hit.headers['webhook-timestamp']) * 1000), { ok: true });
    assert.deepEqual(verifyPumbleSignature(hit.headers, hit.body, SECRET, Number(hit.headers['x-pumble-request-timestamp'])), { ok: true });
  }

  // Replay: same id, a new sequence on the normal schedule, attempts marked manual.
  c.now += DAY;
  rand = 0.5;
  assert.equal(await store.replay(id, c.now), 'queued');
  assert.equal(await store.replay(id, c.now), 'pending', 'a pending delivery is not replayed again');
  assert.equal(await q.runDue(), 1);
  let d = (await store.delivery(id))!;
  assert.equal(d.nextAttemptAt - c.now, 5 * S, 'the schedule starts again from its first delay');
  r.respond = () => ({ status: 204 });
  c.now = d.nextAttemptAt;
  assert.equal(await q.runDue(), 1);
  d = (await store.delivery(id))!;
  assert.equal(d.status, 'succeeded');
  assert.deepEqual(d.attempts.map((a) => [a.n, a.manual]), [...Array.from({ length: 8 }, (_, i) => [i + 1, false]), [9, true], [10, true]]);
  assert.deepEqual(new Set(ids(r.hits)), new Set([id]));
  assert.equal(r.hits.at(-1)!.headers['switchboard-delivery-attempt'], '10');
});

test('the schedule: exact delays, jitter within [0.9, 1.1] from attempt 2 on, eight attempts', () => {
  for (let k = 1; k <= 7; k++) {
    const base = EVENT_RETRY_SCHEDULE.delaysMs[k - 1]!;
    assert.equal(retryDelay(EVENT_RETRY_SCHEDULE, k, () => 0), Math.round(base * 0.9));
    assert.equal(retryDelay(EVENT_RETRY_SCHEDULE, k, () => 0.5), base);
    assert.ok(retryDelay(EVENT_RETRY_SCHEDULE, k, () => 0.9999999)! <= Math.round(base * 1.1));
    for (let i = 0; i < 50; i++) {
      const d = retryDelay(EVENT_RETRY_SCHEDULE, k, Math.random)!;
      assert.ok(d >= base * 0.9 - 1 && d <= base * 1.1 + 1);
    }
  }
  assert.equal(retryDelay(EVENT_RETRY_SCHEDULE, 8, Math.random), undefined, 'no ninth attempt');
  const fail: PostResult = { ok: false, status: 500, headers: {}, body: '', tooLarge: false, durationMs: 1 };
  assert.deepEqual(nextStep(judgeAttempt(fail, T0), 8, T0, EVENT_RETRY_SCHEDULE, Math.random), { status: 'failed', reason: 'exhausted' });
});

// ---- §6: 429, back-off, 410, 3xx, timeouts, the guard -----------------------------------------

test('429 with Retry-After: the delivery waits at least that long and the whole endpoint pauses (capped at 24 h)', async (t) => {
  const { store } = await setup(t);
  let answer: Answer = { status: 429, headers: { 'retry-after': '120' } };
  const r = await receiver(() => answer);
  const c = clock();
  const q = queue(store, c);
  const first = await enqueue(store, delivery('app_p', `${r.url}/p`, c.now));
  await q.runDue();
  let d = (await store.delivery(first))!;
  assert.equal(d.status, 'pending');
  assert.equal(d.nextAttemptAt, T0 + 120 * S, 'max(5 s, Retry-After)');
  assert.equal((await store.endpoint('app_p'))!.pausedUntil, T0 + 120 * S);
  assert.equal(d.attempts[0]!.responseHeaders['retry-after'], '120');

  c.now = T0 + S;
  const second = await enqueue(store, delivery('app_p', `${r.url}/p`, c.now));
  const other = await enqueue(store, delivery('app_other', `${r.url}/other`, c.now));
  answer = { status: 200 };
  c.now = T0 + 60 * S;
  assert.equal(await q.runDue(), 1, 'only the other endpoint is served while app_p is paused');
  assert.deepEqual(ids(r.hits).slice(1), [other]);
  c.now = T0 + 120 * S;
  assert.equal(await q.runDue(), 2, 'the pause over, both go');
  assert.equal((await store.delivery(first))!.status, 'succeeded');
  assert.equal((await store.delivery(second))!.status, 'succeeded');
  assert.equal((await store.delivery(second))!.attemptCount, 1, 'waiting was not an attempt');

  answer = { status: 429, headers: { 'retry-after': String(3 * 24 * 3600) } };
  const third = await enqueue(store, delivery('app_p', `${r.url}/p`, c.now));
  await q.runDue();
  d = (await store.delivery(third))!;
  assert.equal(d.nextAttemptAt, c.now + DAY, 'Retry-After is capped at 24 h');
  assert.equal((await store.endpoint('app_p'))!.pausedUntil, c.now + DAY);
});

test('429 without Retry-After and 503: new first attempts back off 5 s, doubling, retries go on, a success resets', async (t) => {
  const { store } = await setup(t);
  let answer: Answer = { status: 503 };
  const r = await receiver(() => answer);
  const c = clock();
  const q = queue(store, c);
  const d1 = await enqueue(store, delivery('app_b', `${r.url}/b`, c.now));
  await q.runDue();
  let e = (await store.endpoint('app_b'))!;
  assert.deepEqual([e.backoffMs, e.backoffUntil], [5 * S, T0 + 5 * S]);

  c.now = T0 + S;
  const d2 = await enqueue(store, delivery('app_b', `${r.url}/b`, c.now));
  c.now = T0 + 2 * S;
  assert.equal(await q.runDue(), 0, 'a new first attempt waits out the back-off');
  c.now = T0 + 5 * S; // d1's retry and d2's first attempt: both fail again
  answer = { status: 429 };
  assert.equal(await q.runDue(), 2);
  e = (await store.endpoint('app_b'))!;
  assert.equal(e.backoffMs, 20 * S, 'doubled per failure');
  assert.equal(e.backoffUntil, T0 + 25 * S);

  c.now = T0 + 6 * S;
  const d3 = await enqueue(store, delivery('app_b', `${r.url}/b`, c.now));
  c.now = T0 + 10 * S; // d2's retry is due (5 s after its first attempt); d3 is a first attempt
  answer = { status: 500 };
  assert.equal(await q.runDue(), 1);
  assert.deepEqual(ids(r.hits).at(-1), d2, 'the retry went, the first attempt did not');
  c.now = T0 + 25 * S;
  answer = { status: 200 };
  assert.equal(await q.runDue(), 1, 'the back-off over, the first attempt goes');
  assert.deepEqual(ids(r.hits).at(-1), d3);
  e = (await store.endpoint('app_b'))!;
  assert.deepEqual([e.backoffMs, e.backoffUntil, e.failingSince], [0, null, null], 'a success resets the back-off and the streak');
  assert.equal((await store.delivery(d1))!.status, 'pending');

  // The back-off never exceeds 5 minutes.
  let state = (await store.endpoint('app_b'))!;
  const overloaded: PostResult = { ok: false, status: 502, headers: {}, body: '', tooLarge: false, durationMs: 1 };
  for (let i = 0; i < 12; i++) {
    const verdict = judgeAttempt(overloaded, T0);
    state = endpointAfterAttempt(state, { verdict, result: overloaded, step: nextStep(verdict, 1, T0, EVENT_RETRY_SCHEDULE, () => 0.5), now: T0 }, { afterMs: 5 * DAY, spreadMs: 12 * H }).state;
  }
  assert.equal(state.backoffMs, BACKOFF_MAX_MS);
});

test('410 disables the endpoint at once, fails its pending deliveries (endpoint-gone) and tells the owner', async (t) => {
  const { store } = await setup(t);
  let answer: Answer = { status: 410 };
  const r = await receiver(() => answer);
  const c = clock();
  const disabled: Array<[string, string]> = [];
  const q = queue(store, c, { maxInFlightPerEndpoint: 1, onEndpointDisabled: (id, reason) => disabled.push([id, reason]) });
  const queued = [];
  for (let i = 0; i < 3; i++) queued.push(await enqueue(store, delivery('app_gone', `${r.url}/gone`, c.now)));
  assert.equal(await q.runDue(), 1, 'one attempt, then nothing more is sent');
  assert.equal(r.hits.length, 1);
  for (const id of queued) {
    const d = (await store.delivery(id))!;
    assert.deepEqual([d.status, d.reason], ['failed', 'endpoint-gone']);
  }
  const e = (await store.endpoint('app_gone'))!;
  assert.deepEqual([e.disabled, e.disabledReason, e.lastStatusCode], [true, 'http-410', 410]);
  assert.deepEqual(disabled, [['app_gone', 'http-410']]);

  assert.deepEqual((await store.enqueue(delivery('app_gone', `${r.url}/gone`, c.now))).outcome, 'endpoint-disabled', 'recorded, not sent');
  assert.equal(await store.replay(queued[0]!, c.now), 'endpoint-disabled');
  assert.deepEqual(await store.recover('app_gone', 0, c.now + 1, c.now), { refused: 'endpoint-disabled' });

  // Re-enabled by the owner: the failed ones can be recovered, with their ids.
  await store.enableEndpoint('app_gone');
  answer = { status: 200 };
  assert.deepEqual(await store.recover('app_gone', T0, T0 + 1, c.now), { requeued: 4 });
  assert.equal(await q.runDue(), 4);
  assert.deepEqual(new Set(ids(r.hits.slice(1))).size, 4);
  for (const id of queued) assert.equal((await store.delivery(id))!.status, 'succeeded');
});

test('a 3xx is a failure and is not followed', async (t) => {
  const { store } = await setup(t);
  const r = await receiver((hit) => (hit.path === '/moved' ? { status: 302, headers: { location: '/elsewhere' } } : { status: 200 }));
  const c = clock();
  const id = await enqueue(store, delivery('app_3xx', `${r.url}/moved`, c.now));
  await queue(store, c).runDue();
  assert.deepEqual(r.hits.map((h) => h.path), ['/moved'], 'the Location was not visited');
  const d = (await store.delivery(id))!;
  assert.deepEqual([d.status, d.lastStatusCode, d.nextAttemptAt], ['pending', 302, T0 + 5 * S]);
  assert.equal(d.attempts[0]!.responseStatus, 302);
});

test('a timed-out attempt is aborted and recorded as timeout; events default to 15 s and 64 KiB', async (t) => {
  const { store } = await setup(t);
  const r = await receiver(() => ({ hang: true }));
  const c = clock();
  const id = await enqueue(store, delivery('app_slow', `${r.url}/slow`, c.now));
  await queue(store, c, { timeoutMs: 200 }).runDue();
  const d = (await store.delivery(id))!;
  assert.equal(d.status, 'pending');
  assert.equal(d.attempts[0]!.error, 'timeout');
  assert.equal(d.attempts[0]!.responseStatus, null);
  assert.ok(d.attempts[0]!.durationMs >= 150);
  assert.equal(d.lastError, 'timeout');

  let seen: { timeoutMs: number; maxBodyBytes: number } | undefined;
  const spy = queue(store, c, {
    post: async (_url, _body, _headers, o) => ((seen = { timeoutMs: o.timeoutMs, maxBodyBytes: o.maxBodyBytes }), { ok: true, status: 200, headers: {}, body: '', tooLarge: false, durationMs: 1 }),
  });
  await enqueue(store, delivery('app_spy', `${r.url}/spy`, c.now));
  await spy.runDue();
  assert.deepEqual(seen, { timeoutMs: 15_000, maxBodyBytes: 64 * 1024 });
  assert.deepEqual(ATTEMPT_LIMITS.event, { timeoutMs: 15_000, maxBodyBytes: 64 * 1024 });
  assert.throws(() => queue(store, c, { leaseMs: 10_000 }), /must exceed the attempt timeout/);
});

test('SSRF-blocked and invalid URLs fail at once and are not retried', async (t) => {
  const { store } = await setup(t);
  const r = await receiver();
  const c = clock();
  const guarded = new GuardedAgent({ policy: outboundPolicy({}) }); // loopback not allowed
  cleanups.push(() => guarded.destroy());
  const blocked = await enqueue(store, delivery('app_ssrf', `${r.url}/x`, c.now));
  const invalid = await enqueue(store, delivery('app_bad', 'ftp://example.com/x', c.now));
  const q = queue(store, c, { agent: guarded });
  assert.equal(await q.runDue(), 2);
  c.now += DAY;
  assert.equal(await q.runDue(), 0);
  assert.equal(r.hits.length, 0);
  const b = (await store.delivery(blocked))!;
  assert.deepEqual([b.status, b.reason, b.attempts.length, b.attempts[0]!.error], ['failed', 'ssrf-blocked', 1, 'ssrf-blocked']);
  const i = (await store.delivery(invalid))!;
  assert.deepEqual([i.status, i.reason, i.attempts[0]!.error], ['failed', 'invalid-url', 'invalid-url']);
});

// ---- §7: auto-disable -------------------------------------------------------------------------

test('auto-disable after 5 days of failures at least 12 h apart; a burst does not count', async (t) => {
  const { store } = await setup(t);
  const r = await receiver(() => ({ status: 500 }));
  const c = clock();
  const disabled: Array<[string, string]> = [];
  const q = queue(store, c, { onEndpointDisabled: (id, reason) => disabled.push([id, reason]) });

  // Failing every 12 hours for five days: disabled by the failure that completes the fifth day.
  for (let at = 0; at <= 5 * DAY; at += 12 * H) {
    c.now = T0 + at;
    await enqueue(store, delivery('app_sick', `${r.url}/sick`, c.now));
    await q.runDue();
    const e = (await store.endpoint('app_sick'))!;
    assert.equal(e.disabled, at >= 5 * DAY, `disabled at ${at / H} h?`);
  }
  const e = (await store.endpoint('app_sick'))!;
  assert.deepEqual([e.disabledReason, e.failingSince, e.disabledAt], ['sustained-failure', T0, T0 + 5 * DAY]);
  assert.deepEqual(disabled, [['app_sick', 'sustained-failure']]);
  assert.equal(await store.pendingCount('app_sick'), 0);
  const log = await store.list({ endpointId: 'app_sick', limit: 100 });
  assert.ok(log.every((d) => d.status === 'failed'));
  assert.ok(log.some((d) => d.reason === 'endpoint-disabled'));

  // A burst: many failures within minutes, then nothing. Five days on, the sweep leaves it enabled.
  disabled.length = 0;
  const start = T0 + 10 * DAY;
  c.now = start;
  for (let i = 0; i < 10; i++) await enqueue(store, delivery('app_burst', `${r.url}/burst`, c.now));
  await q.runDue();
  c.now = start + 5 * S;
  await q.runDue(); // the burst's second attempts
  c.now = start + 5 * MIN;
  await q.runDue(); // and third
  assert.equal((await store.endpoint('app_burst'))!.failingSince, start);
  c.now = start + 5 * DAY + H;
  await q.housekeeping();
  assert.deepEqual(disabled, []);
  assert.equal((await store.endpoint('app_burst'))!.disabled, false);
});

test('the auto-disable sweep disables a spread-out streak without waiting for the next failure, and only that', async (t) => {
  const { store } = await setup(t);
  const r = await receiver(() => ({ status: 500 }));
  const c = clock();
  const disabled: string[] = [];
  const q = queue(store, c, { onEndpointDisabled: (id) => disabled.push(id), retrySchedule: () => ({ delaysMs: [], jitter: 0 }) });
  await enqueue(store, delivery('app_burst', `${r.url}/burst`, c.now));
  await enqueue(store, delivery('app_spread', `${r.url}/spread`, c.now));
  await q.runDue();
  c.now = T0 + 30 * MIN;
  await enqueue(store, delivery('app_burst', `${r.url}/burst`, c.now));
  await q.runDue();
  c.now = T0 + 13 * H;
  await enqueue(store, delivery('app_spread', `${r.url}/spread`, c.now));
  await q.runDue();
  c.now = T0 + 4 * DAY;
  await q.housekeeping();
  assert.deepEqual(disabled, [], 'not before five days');
  c.now = T0 + 5 * DAY;
  await q.housekeeping();
  assert.deepEqual(disabled, ['app_spread']);
  assert.equal((await store.endpoint('app_burst'))!.disabled, false, 'a burst (30 minutes) does not count');
});

// ---- claiming: leases, crashes, limits, several workers ---------------------------------------

onBothEngines('at-least-once: a worker that dies mid-attempt loses its lease; another sends again with the same id', async (t, engine) => {
  const { store } = await setup(t, engine);
  const r = await receiver();
  const c = clock();
  const id = await enqueue(store, delivery('app_crash', `${r.url}/crash`, c.now));
  const [claimed] = await store.claimDue(c.now, 10, 'worker-that-dies', 60_000);
  assert.equal(claimed!.id, id);
  // It sent the request, then the process died before recording anything.
  await postJson(claimed!.url, claimed!.payload!, appRequestHeaders({ deliveryId: id, body: claimed!.payload!, signingSecret: SECRET, now: c.now }), {
    agent: loopbackAgent(),
    ...ATTEMPT_LIMITS.event,
  });
  const q = queue(store, c, { workerId: 'survivor' });
  c.now = T0 + 59 * S;
  assert.equal(await q.runDue(), 0, 'still leased');
  c.now = T0 + 60 * S;
  assert.equal(await q.runDue(), 1, 'the lease ran out');
  assert.deepEqual(ids(r.hits), [id, id], 'a duplicate the receiver deduplicates on webhook-id');
  const d = (await store.delivery(id))!;
  assert.deepEqual([d.status, d.attempts.length, d.attempts[0]!.n, d.lockedBy], ['succeeded', 1, 1, null]);
  // The dead worker's late report, if it ever came, finds its lease gone.
  assert.equal(await store.leasedStatus(id, 'worker-that-dies'), undefined);
});

test('a worker whose lease ran out mid-attempt records nothing; the worker that took over records its own attempt', async (t) => {
  const { store } = await setup(t);
  const r = await receiver();
  const c = clock();
  const id = await enqueue(store, delivery('app_slowworker', `${r.url}/w`, c.now));
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const stalled = queue(store, c, {
    workerId: 'stalled',
    post: async () => (await gate, { ok: true, status: 200, headers: {}, body: '', tooLarge: false, durationMs: 70_000 }),
  });
  const running = stalled.runDue();
  while ((await store.delivery(id))!.lockedBy !== 'stalled') await new Promise((res) => setTimeout(res, 5));
  c.now = T0 + 61 * S;
  assert.equal(await queue(store, c, { workerId: 'rescuer' }).runDue(), 1);
  release();
  assert.equal(await running, 1);
  const d = (await store.delivery(id))!;
  assert.deepEqual([d.status, d.attempts.length, d.attempts[0]!.durationMs < 70_000, d.lockedBy], ['succeeded', 1, true, null]);
  assert.equal(r.hits.length, 1, 'the stalled worker never reached the receiver');
});

onBothEngines('at most 4 attempts in flight per endpoint', async (t, engine) => {
  const { store } = await setup(t, engine);
  const r = await receiver(() => ({ status: 200, delayMs: 30 }));
  const c = clock();
  for (let i = 0; i < 14; i++) {
    await enqueue(store, delivery('app_4a', `${r.url}/a`, c.now));
    await enqueue(store, delivery('app_4b', `${r.url}/b`, c.now));
  }
  assert.equal(await queue(store, c, { concurrency: 32 }).runDue(), 28);
  assert.equal(r.maxOpen.get('/a'), 4);
  assert.equal(r.maxOpen.get('/b'), 4);
});

onBothEngines('two workers never send one delivery twice nor exceed 4 in flight per endpoint together', async (t, engine) => {
  const { store, secondStore } = await setup(t, engine);
  const r = await receiver(() => ({ status: 200, delayMs: Math.floor(Math.random() * 8) }));
  const now = Date.now();
  const endpoints = ['e1', 'e2', 'e3', 'e4', 'e5'];
  const made = new Set<string>();
  for (let i = 0; i < 250; i++) {
    const e = endpoints[i % endpoints.length]!;
    made.add(await enqueue(store, delivery(e, `${r.url}/${e}`, now)));
  }
  const clockNow = { fn: Date.now };
  const a = queue(store, clockNow, { workerId: 'A', pollMs: 15, concurrency: 16 });
  const b = queue(await secondStore(), clockNow, { workerId: 'B', pollMs: 15, concurrency: 16 });
  a.start();
  b.start();
  const deadline = Date.now() + 30_000;
  while (r.hits.length < made.size && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20));
  await Promise.all([a.stop(), b.stop()]);
  const counts = new Map<string, number>();
  for (const id of ids(r.hits)) counts.set(id as string, (counts.get(id as string) ?? 0) + 1);
  assert.equal(counts.size, made.size, 'every delivery arrived');
  assert.deepEqual([...counts.values()].filter((n) => n > 1), [], 'none twice');
  for (const e of endpoints) assert.ok(r.maxOpen.get(`/${e}`)! <= 4, `${e}: ${r.maxOpen.get(`/${e}`)} in flight`);
  const attempts = await Promise.all([...made].map((id) => store.delivery(id)));
  assert.ok(attempts.every((d) => d!.status === 'succeeded' && d!.attempts.length === 1));
});

// ---- running on its own ------------------------------------------------------------------------

test('started: wake() sends at once, stop() waits for the attempt in flight; signatures verify with the reference library', async (t) => {
  const { store } = await setup(t);
  const r = await receiver(() => ({ status: 200, delayMs: 200 }));
  const q = queue(store, { fn: Date.now }, { pollMs: 60_000 });
  q.start();
  const id = await enqueue(store, delivery('app_live', `${r.url}/live`, Date.now()));
  const woke = Date.now();
  q.wake();
  // The poll is a minute away: a hit while we wait (at most half of that) came from the wake-up.
  while (r.hits.length === 0 && Date.now() - woke < 30_000) await new Promise((res) => setTimeout(res, 5));
  assert.equal(r.hits.length, 1, 'sent on wake(), not by the 60 s poll');
  await q.stop();
  assert.equal((await store.delivery(id))!.status, 'succeeded', 'stop() waited for the answer and recorded it');
  const hit = r.hits[0]!;
  assert.doesNotThrow(() => new Webhook(standardWebhookSecretForApp(SECRET)).verify(hit.body, hit.headers as Record<string, string>));

  // Without a wake-up, the poll finds new work.
  const polled = queue(store, { fn: Date.now }, { pollMs: 30 });
  polled.start();
  const later = await enqueue(store, delivery('app_live', `${r.url}/live`, Date.now()));
  const start = Date.now();
  while ((await store.delivery(later))!.status === 'pending' && Date.now() - start < 5000) await new Promise((res) => setTimeout(res, 10));
  await polled.stop();
  assert.equal((await store.delivery(later))!.status, 'succeeded');
});

// ---- durability before sending -----------------------------------------------------------------

test('nothing is sent before the claim (and what it tells of) is on the disk, not even by a finishing attempt', async (t) => {
  const { store } = await setup(t);
  const r = await receiver((hit) => ({ status: 200, delayMs: hit.path === '/slow' ? 300 : 0 }));
  const c = { fn: Date.now };
  // The disk, held back by hand: the store answers durable() only when the test says so.
  let release!: () => void;
  let held = new Promise<void>((resolve) => (release = resolve));
  const gated = Object.create(store, { durable: { value: () => held } }) as typeof store;
  await enqueue(store, delivery('ep_slow', `${r.url}/slow`, Date.now()));
  const q = queue(gated, c, { pollMs: 50 });
  q.start();
  try {
    await new Promise((res) => setTimeout(res, 150));
    assert.equal(r.hits.length, 0, 'claimed, but not sent before the sync');
    release();
    for (let i = 0; i < 100 && r.hits.length === 0; i++) await new Promise((res) => setTimeout(res, 5));
    assert.equal(r.hits.length, 1, 'the slow attempt is in flight');
    // Claimed while that attempt runs: when it finishes, its slot must not go to a batch whose sync
    // has not ended.
    held = new Promise<void>((resolve) => (release = resolve));
    await enqueue(store, delivery('ep_fast', `${r.url}/fast`, Date.now()));
    q.wake();
    await new Promise((res) => setTimeout(res, 500));
    assert.equal(r.hits.length, 1, 'the finished attempt started nothing that is not on the disk');
    release();
    for (let i = 0; i < 100 && r.hits.length < 2; i++) await new Promise((res) => setTimeout(res, 5));
    assert.deepEqual(r.hits.map((h) => h.path), ['/slow', '/fast']);
  } finally {
    release();
    await q.stop();
  }
});
