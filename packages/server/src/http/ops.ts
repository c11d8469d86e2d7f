import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { errorBody } from './errors.js';

/** Prometheus metrics for requests and realtime connections. */
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
}

/** `/healthz` (the process answers), `/readyz` (its dependencies answer), `/metrics`. */
export const opsRoutes: FastifyPluginAsync<OpsOptions> = async (app, { metrics, readiness }) => {
  app.get('/healthz', { schema: { tags: ['operations'], summary: 'Alive' } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { tags: ['operations'], summary: 'Ready: the database (and Redis, when configured) answer' } }, async (_request, reply) => {
    const checks: Record<string, string> = {};
    let ready = true;
    for (const { name, check } of readiness) {
      try {
        await check();
        checks[name] = 'ok';
      } catch (err) {
        ready = false;
        checks[name] = (err as Error).message || 'unreachable';
      }
    }
    if (!ready) return reply.code(503).send({ ...errorBody(503, 'Not ready'), checks });
    return { status: 'ok', checks };
  });

  app.get('/metrics', { schema: { tags: ['operations'], summary: 'Prometheus metrics' } }, async (_request, reply) => {
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
};
