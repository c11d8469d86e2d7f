/**
 * /metrics (docs/delivery.md §11): Node process metrics; delivery attempts by class, outcome and status
 * class, attempt latency and outbox lag, recorded as attempts are made; pending deliveries, endpoint
 * states and the unexpanded outbox, read from the database at scrape time — and a scrape that a
 * slow or wedged database cannot fail or hold up.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { http, startTestServer } from '../support/helpers.js';
import { ReceivingApp } from '../support/app-receiver.js';
import { subscribeApp } from '../support/event-app.js';
import { join } from 'node:path';
import { Metrics, attemptLabels } from '../../src/surfaces/http/ops.js';
import { DeliveryStore } from '../../src/store/delivery-store.js';
import { migrate, openDatabase } from '../../src/store/database.js';
import { freshPostgresDatabase, needs, tempDir } from '../support/helpers.js';
import { delivery } from '../support/delivery-fixtures.js';
import type { DeliveryStats } from '../../src/domain/ports/deliveries.js';

/** The value of one sample of the exposition text, labels in any order; undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const want = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .sort()
    .join(',');
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = (m[2] ?? '').split(/,(?=[a-zA-Z_]\w*=")/).filter(Boolean).sort().join(',');
    if (got === want) return Number(m[3]);
  }
  return undefined;
}

async function scrape(url: string): Promise<string> {
  const r = await http(url, 'GET', '/metrics');
  assert.equal(r.status, 200);
  return r.text;
}

async function eventually(what: string, probe: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('attempt outcomes and status classes are bounded label sets', () => {
  assert.deepEqual(attemptLabels(200, null), { outcome: 'success', status_class: '2xx' });
  assert.deepEqual(attemptLabels(204, 'too-large'), { outcome: 'success', status_class: '2xx' }, 'a 2xx cut at the size cap still counts');
  assert.deepEqual(attemptLabels(200, 'timeout'), { outcome: 'timeout', status_class: '2xx' }, 'the answer did not finish in time');
  assert.deepEqual(attemptLabels(302, null), { outcome: 'http-error', status_class: '3xx' });
  assert.deepEqual(attemptLabels(503, null), { outcome: 'http-error', status_class: '5xx' });
  assert.deepEqual(attemptLabels(null, 'dns'), { outcome: 'dns', status_class: 'none' });
  assert.deepEqual(attemptLabels(undefined, 'no-socket'), { outcome: 'no-socket', status_class: 'none' });
  assert.deepEqual(attemptLabels(null, 'something new'), { outcome: 'other', status_class: 'none' });
});

test('/metrics has the Node process metrics and the delivery figures of a live server', async () => {
  const s = await startTestServer();
  const app = new ReceivingApp();
  await app.start();
  try {
    let text = await scrape(s.url);
    for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_seconds']) {
      assert.ok(sample(text, name) !== undefined, `${name} is exported`);
    }
    assert.equal(sample(text, 'delivery_stats_up'), 1);
    assert.equal(sample(text, 'delivery_pending', { class: 'event' }), 0);
    assert.equal(sample(text, 'delivery_endpoints_disabled', { endpoint_type: 'app' }), 0);
    assert.equal(sample(text, 'delivery_outbox_unexpanded_age_seconds'), 0);
    assert.equal(sample(text, 'delivery_owner_notices_waiting'), 0);

    // A delivered event: one successful attempt, its latency, and its outbox lag.
    const { appId } = await subscribeApp(s.url, s.owner, app);
    await s.owner.post(`/v1/channels/${s.generalId}/messages`, { text: 'count me' });
    await app.next((r) => r.envelope.messageType !== undefined);
    const ok = { class: 'event', outcome: 'success', status_class: '2xx', manual: 'false' };
    await eventually('the attempt to be counted', async () => sample(await scrape(s.url), 'delivery_attempts_total', ok) === 1);
    text = await scrape(s.url);
    assert.equal(sample(text, 'delivery_attempt_duration_seconds_count', { class: 'event' }), 1);
    assert.equal(sample(text, 'delivery_outbox_lag_seconds_count', { class: 'event' }), 1);
    assert.ok(sample(text, 'delivery_outbox_lag_seconds_sum', { class: 'event' })! < 10, 'commit to first attempt, in seconds');
    assert.equal(sample(text, 'delivery_pending', { class: 'event' }), 0);

    // An overloaded receiver: the attempt fails (5xx), the delivery waits for its retry, and the
    // endpoint's new first attempts back off.
    app.answer = () => ({ status: 503 });
    await s.owner.post(`/v1/channels/${s.generalId}/messages`, { text: 'this one fails' });
    const failed = { class: 'event', outcome: 'http-error', status_class: '5xx', manual: 'false' };
    await eventually('the failed attempt', async () => sample(await scrape(s.url), 'delivery_attempts_total', failed) === 1);
    text = await scrape(s.url);
    assert.equal(sample(text, 'delivery_pending', { class: 'event' }), 1);
    assert.equal(sample(text, 'delivery_endpoints_backing_off', { endpoint_type: 'app' }), 1);

    // 410 at its retry: the endpoint is disabled, the delivery failed, nothing pending.
    app.answer = () => ({ status: 410 });
    await eventually('the endpoint to be disabled', async () => sample(await scrape(s.url), 'delivery_endpoints_disabled', { endpoint_type: 'app' }) === 1, 15_000);
    text = await scrape(s.url);
    assert.equal(sample(text, 'delivery_pending', { class: 'event' }), 0);
    assert.equal(sample(text, 'delivery_attempts_total', { class: 'event', outcome: 'http-error', status_class: '4xx', manual: 'false' }), 1);
    assert.equal((await s.sb.store.deliveries.endpoint(appId))!.disabledReason, 'http-410');
  } finally {
    await s.close();
    await app.stop();
  }
});

test('a scrape while the database does not answer comes back promptly with the last figures and delivery_stats_up 0', async () => {
  const s = await startTestServer();
  try {
    assert.equal(sample(await scrape(s.url), 'delivery_stats_up'), 1);
    // A transaction that never ends holds SQLite's one connection: every query waits behind it.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let holding!: () => void;
    const holds = new Promise<void>((r) => (holding = r));
    const wedge = s.sb.database.db.transaction().execute(async () => {
      holding();
      await held;
    });
    await holds;
    try {
      for (let i = 0; i < 2; i++) {
        const started = Date.now();
        const text = await scrape(s.url);
        assert.ok(Date.now() - started < 2500, `answered in ${Date.now() - started} ms`);
        assert.equal(sample(text, 'delivery_stats_up'), 0);
        assert.equal(sample(text, 'delivery_pending', { class: 'event' }), 0, 'the last figures');
        assert.ok(sample(text, 'process_cpu_user_seconds_total') !== undefined, 'the rest of the scrape is whole');
      }
    } finally {
      release();
      await wedge;
    }
    await eventually('fresh figures again', async () => sample(await scrape(s.url), 'delivery_stats_up') === 1);
  } finally {
    await s.close();
  }
});

const stats = (over: Partial<DeliveryStats> = {}): DeliveryStats => ({
  pending: { event: 3, outgoing: 1 },
  endpoints: { app: { disabled: 2, paused: 1, backingOff: 0 } },
  oldestUnexpandedAt: null,
  pendingNotices: 0,
  ...over,
});

test('the gauges share one bounded read per scrape; a slow read is never started twice', async () => {
  const metrics = new Metrics({ processMetrics: false });
  let reads = 0;
  let answer: ((s: DeliveryStats) => void) | undefined;
  let mode: 'now' | 'hang' | 'throw' = 'now';
  let figures = stats({ oldestUnexpandedAt: Date.now() - 5000 });
  metrics.watchDeliveries({
    deadlineMs: 100,
    read: () => {
      reads += 1;
      if (mode === 'throw') return Promise.reject(new Error('connection refused'));
      if (mode === 'hang') return new Promise<DeliveryStats>((resolve) => (answer = resolve));
      return Promise.resolve(figures);
    },
  });
  let text = await metrics.registry.metrics();
  assert.equal(reads, 1, 'one read for every gauge');
  assert.equal(sample(text, 'delivery_pending', { class: 'event' }), 3);
  assert.equal(sample(text, 'delivery_pending', { class: 'outgoing' }), 1);
  assert.equal(sample(text, 'delivery_pending', { class: 'trigger' }), 0, 'classes without pending deliveries show 0');
  assert.equal(sample(text, 'delivery_endpoints_disabled', { endpoint_type: 'app' }), 2);
  assert.equal(sample(text, 'delivery_endpoints_paused', { endpoint_type: 'app' }), 1);
  assert.equal(sample(text, 'delivery_endpoints_disabled', { endpoint_type: 'integration' }), 0);
  const age = sample(text, 'delivery_outbox_unexpanded_age_seconds')!;
  assert.ok(age >= 5 && age < 10, String(age));
  assert.equal(sample(text, 'delivery_stats_up'), 1);

  mode = 'hang';
  for (let i = 0; i < 2; i++) {
    const started = Date.now();
    text = await metrics.registry.metrics();
    assert.ok(Date.now() - started < 1000);
    assert.equal(sample(text, 'delivery_stats_up'), 0);
    assert.equal(sample(text, 'delivery_pending', { class: 'event' }), 3, 'the last figures');
  }
  assert.equal(reads, 2, 'the read still running is awaited again, not doubled');
  figures = stats({ pending: { event: 7 } });
  answer!(figures);
  mode = 'now';
  await new Promise((r) => setImmediate(r));
  text = await metrics.registry.metrics();
  assert.equal(sample(text, 'delivery_pending', { class: 'event' }), 7);

  mode = 'throw';
  text = await metrics.registry.metrics();
  assert.equal(sample(text, 'delivery_stats_up'), 0, 'a failed read does not fail the scrape');
  assert.equal(sample(text, 'delivery_pending', { class: 'event' }), 7);
});

test('trigger attempts and replays are counted like any attempt', async () => {
  const metrics = new Metrics({ processMetrics: false });
  metrics.triggerAttempt({ status: 200, durationMs: 120 });
  metrics.triggerAttempt({ error: 'timeout', durationMs: 3000 });
  metrics.deliveryAttempt(
    { class: 'outgoing', eventId: 'evt', createdAt: 0 },
    { n: 3, manual: true, startedAt: 10, durationMs: 40, responseStatus: 200, error: null },
  );
  const text = await metrics.registry.metrics();
  assert.equal(sample(text, 'delivery_attempts_total', { class: 'trigger', outcome: 'success', status_class: '2xx', manual: 'false' }), 1);
  assert.equal(sample(text, 'delivery_attempts_total', { class: 'trigger', outcome: 'timeout', status_class: 'none', manual: 'false' }), 1);
  assert.equal(sample(text, 'delivery_attempt_duration_seconds_count', { class: 'trigger' }), 2);
  assert.equal(sample(text, 'delivery_attempts_total', { class: 'outgoing', outcome: 'success', status_class: '2xx', manual: 'true' }), 1);
  assert.equal(sample(text, 'delivery_outbox_lag_seconds_count', { class: 'outgoing' }), undefined, 'only first attempts measure outbox lag');
  // Without a source (tools, tests), the database gauges are simply empty.
  assert.equal(sample(text, 'delivery_stats_up'), 0);
});

for (const engine of ['sqlite', 'postgres'] as const) {
  test(`the scrape-time figures come from cheap queries that work on ${engine === 'sqlite' ? 'SQLite' : 'PostgreSQL'}`, async (t) => {
    if (engine === 'postgres' && !(await needs(t, 'postgres'))) return;
    let url: string;
    let drop: () => Promise<void> | void;
    if (engine === 'sqlite') {
      const dir = tempDir();
      url = `sqlite:${join(dir.path, 'stats.db')}`;
      drop = () => dir.remove();
    } else {
      const pg = await freshPostgresDatabase();
      url = pg.url;
      drop = () => pg.drop();
    }
    const handle = await openDatabase(url);
    try {
      await migrate(handle.db);
      const store = new DeliveryStore(handle.db, handle.engine);
      const now = Date.now();
      assert.deepEqual(await store.stats(now), { pending: {}, endpoints: {}, oldestUnexpandedAt: null, pendingNotices: 0 });
      await store.enqueue(delivery('app_a', 'https://a.example/e', now));
      await store.enqueue(delivery('app_a', 'https://a.example/e', now));
      await store.enqueue(delivery('int_b', 'https://b.example/e', now, { class: 'outgoing', endpointType: 'integration' }));
      await store.disableEndpoint('int_b', 'integration', 'http-410', 'endpoint-gone', now);
      await store.transaction(async (tx) => {
        const e = await tx.lockEndpoint('app_c', 'app');
        await tx.saveEndpoint({ ...e, pausedUntil: now + 60_000, backoffUntil: now + 5000, backoffMs: 5000 });
      });
      await store.addNotice({ id: 'ntc_1', endpointId: 'app_a', endpointType: 'app', kind: 'failing', reason: 'exhausted', lastStatusCode: null, lastError: null, url: null, now });
      await handle.db
        .insertInto('domain_events' as any)
        .values({ id: 'e1', workspace_id: 'w', type: 'message.created', payload: '{}', request_id: 'r', created_at: now - 3000, expanded_at: null } as any)
        .execute();
      assert.deepEqual(await store.stats(now), {
        pending: { event: 2 },
        endpoints: { app: { disabled: 0, paused: 1, backingOff: 1 }, integration: { disabled: 1, paused: 0, backingOff: 0 } },
        oldestUnexpandedAt: now - 3000,
        pendingNotices: 1,
      });
    } finally {
      await handle.close();
      await drop();
    }
  });
}
