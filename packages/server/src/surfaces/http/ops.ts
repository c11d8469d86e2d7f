import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { errorBody } from './errors.js';
import type { Delivery, DeliveryAttempt, DeliveryClass, DeliveryStats, EndpointType } from '../../domain/ports/deliveries.js';

const DELIVERY_CLASSES: readonly DeliveryClass[] = ['event', 'outgoing', 'trigger'];
const ENDPOINT_TYPES: readonly EndpointType[] = ['app', 'integration'];
// The attempt errors of docs/delivery.md §8 (and the queue's own); anything else is counted as `other`.
const ATTEMPT_ERRORS = new Set(['timeout', 'dns', 'connect', 'tls', 'ssrf-blocked', 'invalid-url', 'no-socket']);

/** What an attempt came to, for the `outcome` and `status_class` labels (bounded sets). */
export function attemptLabels(status: number | null | undefined, error: string | null | undefined): { outcome: string; status_class: string } {
  const status_class = status === null || status === undefined ? 'none' : `${Math.floor(status / 100)}xx`;
  // §5: any 2xx within the timeout; an answer cut at the size cap still counts (§3).
  if (status_class === '2xx' && (!error || error === 'too-large')) return { outcome: 'success', status_class };
  if (error && error !== 'too-large') return { outcome: ATTEMPT_ERRORS.has(error) ? error : 'other', status_class };
  return { outcome: 'http-error', status_class };
}

/** The commit time of the change behind a delivery: its outbox event's id starts with the epoch ms in hex (domain/ids.ts). */
function committedAt(d: Pick<Delivery, 'eventId' | 'createdAt'>): number {
  return /^[0-9a-f]{24}/.test(d.eventId) ? parseInt(d.eventId.slice(0, 12), 16) : d.createdAt;
}

/** Where the delivery figures of /metrics come from, read at scrape time. */
export interface DeliveryStatsSource {
  read(): Promise<DeliveryStats>;
  /** a scrape waits this long for the database at most, then serves the last figures (default 1 s) */
  deadlineMs?: number;
}

/**
 * Prometheus metrics: requests, realtime connections, Node process metrics, and the delivery
 * figures of docs/delivery.md §11 — attempts by outcome and status class, attempt latency and outbox
 * lag (recorded as attempts are made), pending deliveries, endpoint states and the unexpanded
 * outbox (read from the database at scrape time, bounded so a slow database cannot fail a scrape).
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  private readonly latency = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency, by method and route',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly websocketConnections = new Gauge({
    name: 'websocket_connections',
    help: 'Open WebSocket connections on this node',
    registers: [this.registry],
  });

  // ---- deliveries (docs/delivery.md §11) -------------------------------------------------------------

  private readonly deliveryAttempts = new Counter({
    name: 'delivery_attempts_total',
    help: 'Delivery attempts made on this node, by class, outcome (success, http-error or the network error), HTTP status class, and whether a replay started them',
    labelNames: ['class', 'outcome', 'status_class', 'manual'] as const,
    registers: [this.registry],
  });
  private readonly attemptLatency = new Histogram({
    name: 'delivery_attempt_duration_seconds',
    help: 'Delivery attempt latency, from sending to the end of the answer, by class',
    labelNames: ['class'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30],
    registers: [this.registry],
  });
  private readonly outboxLag = new Histogram({
    name: 'delivery_outbox_lag_seconds',
    help: 'From the commit of a change to the first attempt of its delivery (target: p95 under 1 s), by class',
    labelNames: ['class'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });

  private deliveryStats: DeliveryStatsSource | undefined;
  /** the database read under way (a slow one is awaited by later scrapes, never started twice) */
  private reading: Promise<DeliveryStats> | undefined;
  /** this scrape's figures, shared by the gauges' collect callbacks (prom-client calls them together) */
  private scrape: Promise<{ stats: DeliveryStats | undefined; fresh: boolean }> | undefined;
  private lastStats: DeliveryStats | undefined;

  constructor(opts: { processMetrics?: boolean } = {}) {
    // Node process metrics: CPU, memory, heap, event loop lag, GC, handles.
    if (opts.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
    const figures = (fill: (stats: DeliveryStats, now: number) => void) => async () => {
      const { stats } = await this.figures();
      if (stats) fill(stats, Date.now());
    };
    const pending = new Gauge({
      name: 'delivery_pending',
      help: 'Deliveries waiting for an attempt (all nodes), by class',
      labelNames: ['class'] as const,
      registers: [this.registry],
      collect: figures((s) => {
        for (const c of DELIVERY_CLASSES) pending.set({ class: c }, s.pending[c] ?? 0);
      }),
    });
    const perEndpointType = (name: string, help: string, pick: (e: { disabled: number; paused: number; backingOff: number }) => number) => {
      const g: Gauge<'endpoint_type'> = new Gauge({
        name,
        help,
        labelNames: ['endpoint_type'] as const,
        registers: [this.registry],
        collect: figures((s) => {
          for (const t of ENDPOINT_TYPES) g.set({ endpoint_type: t }, pick(s.endpoints[t] ?? { disabled: 0, paused: 0, backingOff: 0 }));
        }),
      });
    };
    perEndpointType('delivery_endpoints_disabled', 'Endpoints disabled (410, sustained failure, or by hand), by endpoint type', (e) => e.disabled);
    perEndpointType('delivery_endpoints_paused', 'Enabled endpoints paused by a 429 Retry-After, by endpoint type', (e) => e.paused);
    perEndpointType('delivery_endpoints_backing_off', 'Enabled endpoints whose new first attempts are held back after overload or unreachability, by endpoint type', (e) => e.backingOff);
    const unexpanded: Gauge = new Gauge({
      name: 'delivery_outbox_unexpanded_age_seconds',
      help: 'How long the oldest committed outbox event has waited to be expanded into deliveries (0 when none waits)',
      registers: [this.registry],
      collect: figures((s, now) => unexpanded.set(s.oldestUnexpandedAt === null ? 0 : Math.max(0, (now - s.oldestUnexpandedAt) / 1000))),
    });
    const notices: Gauge = new Gauge({
      name: 'delivery_owner_notices_waiting',
      help: 'Owner notices (endpoint disabled, deliveries failing) decided but not delivered yet',
      registers: [this.registry],
      collect: figures((s) => notices.set(s.pendingNotices)),
    });
    const up: Gauge = new Gauge({
      name: 'delivery_stats_up',
      help: '1 when the delivery figures of this scrape are fresh from the database; 0 when it did not answer in time (the last figures are shown)',
      registers: [this.registry],
      collect: async () => {
        if (this.deliveryStats) up.set((await this.figures()).fresh ? 1 : 0);
      },
    });
  }

  /** Reads the delivery figures from `source` at each scrape. */
  watchDeliveries(source: DeliveryStatsSource): void {
    this.deliveryStats = source;
  }

  /** One recorded attempt of the delivery queue (its onAttempt hook). */
  deliveryAttempt(d: Pick<Delivery, 'class' | 'eventId' | 'createdAt'>, a: Pick<DeliveryAttempt, 'n' | 'manual' | 'startedAt' | 'durationMs' | 'responseStatus' | 'error'>): void {
    this.deliveryAttempts.inc({ class: d.class, ...attemptLabels(a.responseStatus, a.error), manual: String(a.manual) });
    this.attemptLatency.observe({ class: d.class }, a.durationMs / 1000);
    if (a.n === 1 && !a.manual) {
      const lag = a.startedAt - committedAt(d);
      if (lag >= 0) this.outboxLag.observe({ class: d.class }, lag / 1000);
    }
  }

  /** One trigger (docs/delivery.md §1: a single attempt, logged but not queued). */
  triggerAttempt(r: { status?: number; error?: string; durationMs: number }): void {
    this.deliveryAttempts.inc({ class: 'trigger', ...attemptLabels(r.status, r.error), manual: 'false' });
    this.attemptLatency.observe({ class: 'trigger' }, r.durationMs / 1000);
  }

  /** This scrape's delivery figures: one bounded read shared by every gauge; the last ones when it is late. */
  private figures(): Promise<{ stats: DeliveryStats | undefined; fresh: boolean }> {
    const source = this.deliveryStats;
    if (!source) return Promise.resolve({ stats: undefined, fresh: false });
    this.scrape ??= (async () => {
      try {
        this.reading ??= source
          .read()
          .then((stats) => (this.lastStats = stats))
          .finally(() => (this.reading = undefined));
        return { stats: await withDeadline(this.reading, source.deadlineMs ?? 1000), fresh: true };
      } catch {
        return { stats: this.lastStats, fresh: false };
      }
    })().finally(() => (this.scrape = undefined));
    return this.scrape;
  }

  observe(method: string, route: string, status: number, seconds: number): void {
    this.requests.inc({ method, route, status: String(status) });
    this.latency.observe({ method, route }, seconds);
  }

  install(app: FastifyInstance): void {
    app.addHook('onResponse', async (request, reply) => {
      const route = request.routeOptions.url ?? 'unmatched';
      this.observe(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    });
  }
}

export interface OpsOptions {
  metrics: Metrics;
  /** each check throws when its dependency is unreachable */
  readiness: Array<{ name: string; check(): Promise<void> }>;
  /** a check that has not answered by then fails: a wedged database never answers at all */
  readinessDeadlineMs?: number;
}

/** Rejects when `work` has not settled within `ms` (the work itself goes on; nothing can cancel it). */
function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/** `/healthz` (the process answers), `/readyz` (its dependencies answer), `/metrics`. */
export const opsRoutes: FastifyPluginAsync<OpsOptions> = async (app, { metrics, readiness, readinessDeadlineMs = 2000 }) => {
  app.get('/healthz', { schema: { tags: ['operations'], summary: 'Alive' } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { tags: ['operations'], summary: 'Ready: the database (and Redis, when configured) answer' } }, async (_request, reply) => {
    const checks: Record<string, string> = {};
    let ready = true;
    // Side by side, each with a deadline: a load balancer must hear "not ready" from a wedged
    // node promptly, not wait on it like every other request does.
    await Promise.all(
      readiness.map(async ({ name, check }) => {
        try {
          await withDeadline(check(), readinessDeadlineMs);
          checks[name] = 'ok';
        } catch (err) {
          ready = false;
          checks[name] = (err as Error).message || 'unreachable';
        }
      }),
    );
    if (!ready) return reply.code(503).send({ ...errorBody(503, 'Not ready'), checks });
    return { status: 'ok', checks };
  });

  app.get('/metrics', { schema: { tags: ['operations'], summary: 'Prometheus metrics' } }, async (_request, reply) => {
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
};
