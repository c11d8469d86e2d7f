/**
 * The delivery log and what the expansion side sees (docs/delivery.md §2.2, §2.8, §8): attempts recorded
 * as sent and answered (never a secret), the payload-storage switch, replay and range recovery with
 * the same ids, idempotent enqueueing and the backlog cap.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { DEFAULT_BACKLOG_CAP } from '../../src/store/delivery-store.js';
import { appRequestHeaders } from '../../src/outbound/signing.js';
import { DAY, H, MIN, S, SECRET, T0, clock, delivery, enqueue, ids, queue, receiver, setup, type Answer } from '../support/delivery-fixtures.js';
import { newDeliveryId } from '../../src/domain/ids.js';

// ---- §8: the log, replay, recovery -------------------------------------------------------------

test('the attempt log: headers as sent without secrets, selected response headers, the first 4 KiB of the answer', async (t) => {
  const { store } = await setup(t);
  // 'x' then two-byte characters: byte 4,096 is the second half of one, so the cut falls before it.
  const long = 'é'.repeat(3000) + 'tail';
  const r = await receiver(() => ({ status: 500, headers: { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(Buffer.byteLength('x' + long)), 'x-internal': 'no', 'retry-after': '1' }, body: 'x' + long }));
  const c = clock();
  const q = queue(store, c, {
    sign: (d, now) => ({ ...appRequestHeaders({ deliveryId: d.id, body: d.payload!, signingSecret: SECRET, now }), Authorization: `Basic ${Buffer.from(`u:${SECRET}`).toString('base64')}` }),
  });
  const first = await enqueue(store, delivery('app_log', `${r.url}/log`, c.now));
  c.now += S;
  const second = await enqueue(store, delivery('app_log', `${r.url}/log`, c.now, { payload: '{"n":2}' }));
  await q.runDue();

  const logged = await store.list({ endpointId: 'app_log', limit: 10 });
  assert.deepEqual(logged.map((d) => d.id), [second, first], 'newest first');
  const d = logged[0]!;
  assert.deepEqual(
    [d.class, d.endpointType, d.endpointId, d.eventType, d.workspaceId, d.status, d.attemptCount, d.lastStatusCode, d.payload, d.payloadSize],
    ['event', 'app', 'app_log', 'NEW_MESSAGE', 'ws_1', 'pending', 1, 500, '{"n":2}', 7],
  );
  assert.equal(d.payloadSha256, createHash('sha256').update('{"n":2}').digest('hex'));
  const a = d.attempts[0]!;
  assert.deepEqual([a.n, a.manual, a.startedAt, a.responseStatus], [1, false, c.now, 500]);
  assert.equal(a.requestHeaders['webhook-id'], second);
  for (const h of ['webhook-timestamp', 'webhook-signature', 'x-pumble-request-timestamp', 'x-pumble-request-signature', 'user-agent']) assert.ok(a.requestHeaders[h], h);
  assert.equal(a.requestHeaders['switchboard-delivery-attempt'], '1');
  assert.equal(a.requestHeaders['content-type'], 'application/json');
  assert.equal(a.requestHeaders.authorization, '[redacted]');
  assert.equal(r.hits[0]!.headers.authorization?.startsWith('Basic '), true, 'sent, only not logged');
  assert.ok(!JSON.stringify(logged).includes(SECRET), 'no secret anywhere in the log');
  assert.ok(!JSON.stringify(logged).includes(Buffer.from(`u:${SECRET}`).toString('base64')));
  assert.deepEqual(Object.keys(a.responseHeaders).sort(), ['content-length', 'content-type', 'retry-after']);
  assert.equal(Buffer.byteLength(a.responseBody), 4095);
  assert.ok(('x' + long).startsWith(a.responseBody), 'a prefix of the answer, no broken character');
  assert.equal(d.lastError, 'HTTP 500');
});

test('payload storage off: the body is dropped once finished, its size and hash stay; such a delivery cannot be replayed', async (t) => {
  const { store } = await setup(t);
  const r = await receiver();
  const c = clock();
  const id = await enqueue(store, delivery('app_nostore', `${r.url}/n`, c.now, { keepPayload: false, payload: '{"secret":"body"}' }));
  assert.equal((await store.delivery(id))!.payload, '{"secret":"body"}', 'kept while it may still be sent');
  await queue(store, c).runDue();
  const d = (await store.delivery(id))!;
  assert.deepEqual([d.status, d.payload, d.payloadSize], ['succeeded', null, 17]);
  assert.match(d.payloadSha256, /^[0-9a-f]{64}$/);
  assert.equal(await store.replay(id, c.now), 'payload-not-stored');
  assert.equal(r.hits[0]!.body, '{"secret":"body"}');
});

test('replay of a delivered message and range recovery of failed ones keep their ids', async (t) => {
  const { store } = await setup(t);
  let answer: Answer = { status: 500 };
  const r = await receiver(() => answer);
  const c = clock();
  // One attempt each, so failures are final at once.
  const q = queue(store, c, { retrySchedule: () => ({ delaysMs: [], jitter: 0 }) });
  const made: string[] = [];
  for (let i = 0; i < 4; i++) {
    c.now = T0 + i * H;
    made.push(await enqueue(store, delivery('app_rec', `${r.url}/rec`, c.now)));
    await q.runDue();
  }
  for (const id of made) assert.deepEqual([(await store.delivery(id))!.status, (await store.delivery(id))!.reason], ['failed', 'exhausted']);

  answer = { status: 200 };
  c.now = T0 + DAY;
  assert.deepEqual(await store.recover('app_rec', T0 + 30 * MIN, T0 + 3 * H, c.now), { requeued: 2 }, '[since, until): the 1 h and 2 h ones');
  assert.deepEqual(await store.recover('app_other', 0, c.now, c.now), { requeued: 0 });
  assert.equal(await q.runDue(), 2);
  assert.deepEqual(ids(r.hits.slice(4)).sort(), [made[1], made[2]].sort());
  assert.deepEqual((await store.delivery(made[0]!))!.status, 'failed', 'outside the range');
  const recovered = (await store.delivery(made[1]!))!;
  assert.deepEqual(recovered.attempts.map((a) => [a.n, a.manual]), [[1, false], [2, true]]);

  assert.equal(await store.replay(made[1]!, c.now), 'queued', 'a succeeded delivery can be replayed too');
  assert.equal(await q.runDue(), 1);
  assert.equal(ids(r.hits).at(-1), made[1]);
  assert.equal(await store.replay('msg_nope', c.now), 'not-found');
});

// ---- expansion-side rules ---------------------------------------------------------------------

test('enqueue is idempotent per (event, endpoint, URL); the backlog cap records backlog-full failures', async (t) => {
  const { store } = await setup(t);
  const r = await receiver();
  const c = clock();
  const d = delivery('app_cap', `${r.url}/cap`, c.now);
  const firstId = (await store.enqueue(d)).id;
  assert.deepEqual(await store.enqueue({ ...d, id: newDeliveryId(c.now) }), { id: firstId, outcome: 'duplicate' });
  assert.equal((await store.enqueue({ ...d, id: newDeliveryId(c.now), url: `${r.url}/cap2` })).outcome, 'queued', 'another URL of the same endpoint is another delivery');

  assert.equal(DEFAULT_BACKLOG_CAP, 100_000);
  const capped = [];
  for (let i = 0; i < 3; i++) capped.push(await store.enqueue(delivery('app_cap', `${r.url}/cap`, c.now), { backlogCap: 3 }));
  assert.deepEqual(capped.map((x) => x.outcome), ['queued', 'backlog-full', 'backlog-full']);
  const full = (await store.delivery(capped[1]!.id))!;
  assert.deepEqual([full.status, full.reason, full.attemptCount], ['failed', 'backlog-full', 0]);
  assert.ok(full.payload, 'recorded with its body, so it can be recovered');
  assert.equal(await queue(store, c).runDue(), 3);
  assert.equal(r.hits.length, 3, 'nothing sent for the refused ones');
  assert.equal((await store.enqueue(delivery('app_cap', `${r.url}/cap`, c.now), { backlogCap: 3 })).outcome, 'queued', 'room again once delivered');
});

test('a delivery whose endpoint vanished (the signer has no secret) is cancelled, not sent; cancelPending cancels the rest', async (t) => {
  const { store } = await setup(t);
  const r = await receiver();
  const c = clock();
  const id = await enqueue(store, delivery('app_deleted', `${r.url}/x`, c.now));
  await queue(store, c, { sign: () => null }).runDue();
  assert.equal((await store.delivery(id))!.status, 'cancelled');
  assert.equal(r.hits.length, 0);
  // An endpoint deleted outright: its pending deliveries are cancelled in one go.
  const more = [await enqueue(store, delivery('app_deleted', `${r.url}/x`, c.now)), await enqueue(store, delivery('app_deleted', `${r.url}/x`, c.now))];
  assert.equal(await store.cancelPending('app_deleted'), 2);
  for (const x of more) assert.equal((await store.delivery(x))!.status, 'cancelled');
});
