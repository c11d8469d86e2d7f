import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../../../domain/errors.js';
import type { RateLimiter } from '../../../domain/ports/rate-limiter.js';

/** The published `/v1` limits (docs/pumble-api.md §14), per minute. */
export interface AppRateLimits {
  perApp: number;
  perUserToken: number;
  postMessage: number;
  createChannel: number;
  addReaction: number;
  /** per app + person published to (docs/app-platform.md §14), not per workspace */
  publishHomeView: number;
}

export const PUBLISHED_APP_LIMITS: AppRateLimits = { perApp: 3000, perUserToken: 1000, postMessage: 80, createChannel: 60, addReaction: 60, publishHomeView: 20 };

declare module 'fastify' {
  interface FastifyContextConfig {
    /** a limit of its own on this route, per app + workspace (§14) */
    appLimit?: 'postMessage' | 'createChannel' | 'addReaction' | 'publishHomeView';
  }
}

const MINUTE = 60_000;

/**
 * Token-bucket-like fixed windows (shared through Redis when several nodes run): every app call
 * counts against its app, user tokens also against their user, and some routes against their own
 * per app + workspace limit. Over any of them: 429 with Retry-After, never a silent drop.
 */
export function appRateLimits(limiter: RateLimiter, limits: AppRateLimits) {
  return async function limitApps(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const app = request.app;
    if (!app) return;
    const checks: Array<[string, number]> = [[`app:${app.appId}`, limits.perApp]];
    if (app.kind === 'user') checks.push([`app-user:${app.appId}:${app.user.id}`, limits.perUserToken]);
    const routeLimit = request.routeOptions.config.appLimit;
    if (routeLimit === 'publishHomeView') {
      // per app and the person whose home view it is (the route's workspaceUserId), §14
      const target = (request.params as { workspaceUserId?: string } | undefined)?.workspaceUserId ?? '';
      checks.push([`app-home:${app.appId}:${target}`, limits.publishHomeView]);
    } else if (routeLimit) checks.push([`app-ws:${routeLimit}:${app.appId}:${app.user.workspaceId}`, limits[routeLimit]]);
    let tightest: { limit: number; remaining: number; resetMs: number } | undefined;
    for (const [key, limit] of checks) {
      const w = await limiter.hit(key, MINUTE);
      const seconds = Math.max(1, Math.ceil(w.resetMs / 1000));
      if (w.count > limit) {
        reply.header('x-ratelimit-limit', String(limit)).header('x-ratelimit-remaining', '0').header('x-ratelimit-reset', String(seconds));
        throw new DomainError('rate_limited', `Rate limit of ${limit} requests per minute exceeded`, [], seconds);
      }
      const remaining = limit - w.count;
      if (!tightest || remaining < tightest.remaining) tightest = { limit, remaining, resetMs: w.resetMs };
    }
    if (tightest) {
      reply
        .header('x-ratelimit-limit', String(tightest.limit))
        .header('x-ratelimit-remaining', String(tightest.remaining))
        .header('x-ratelimit-reset', String(Math.max(1, Math.ceil(tightest.resetMs / 1000))));
    }
  };
}
