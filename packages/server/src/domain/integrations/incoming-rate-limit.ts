/**
 * The limits of incoming webhooks (docs/integrations.md §7.2, §11; docs/delivery.md §10): a token bucket per
 * integration, held by the shared limiter (in Redis when nodes share a database, so the bucket holds
 * across them), and a per-IP bound on floods of the hook URLs. Every answer carries the state of the
 * bucket in X-RateLimit-* headers, and a refusal also a Retry-After (docs/delivery.md §10: always 429,
 * never a silent drop).
 */
import type { BucketTake, RateLimiter, TokenBucket } from '../ports/rate-limiter.js';
import type { IntegrationDoc } from './document.js';
import { hookError, type HookError, type HookFlavor } from './hook-errors.js';

/** docs/integrations.md §7.2 defaults: 1 request/s sustained, bursts of 30. */
export const DEFAULT_HOOK_RATE_PER_SECOND = 1;
export const HOOK_BURST = 30;

/**
 * The bucket of one integration at `ratePerSecond` (> 0).
 * `/hooks` and `/services` (docs/integrations.md §7.2): bursts of 30 — or of one second's worth when an admin sets a rate
 * above 30/s (decision: a bucket smaller than a second's refill would refuse a sender that sends its
 * per-second allowance at once).
 * Pumble's URL form (docs/integrations.md §11): Pumble's own 1 request per second per webhook, no burst beyond one
 * second's worth of the integration's rate.
 */
export function hookBucket(ratePerSecond: number, flavor: HookFlavor): TokenBucket {
  if (flavor === 'pumble') return { capacity: Math.max(1, Math.floor(ratePerSecond)), refillPerSecond: ratePerSecond };
  return { capacity: Math.max(HOOK_BURST, Math.ceil(ratePerSecond)), refillPerSecond: ratePerSecond };
}

/**
 * The limiter key of an integration's bucket. `/hooks` and `/services` share one (docs/integrations.md §10: the same
 * integration, the same limit); the Pumble form has its own, being a different limit (docs/delivery.md §10 table).
 */
export const hookBucketKey = (integrationId: string, flavor: HookFlavor): string => `${flavor === 'pumble' ? 'hook-pumble' : 'hook'}:${integrationId}`;

/** Retry-After in whole seconds, never 0 (a client told 0 would retry at once and be refused again). */
export const retryAfterSeconds = (ms: number): number => Math.max(1, Math.ceil(ms / 1000));

/** What a limit found: the X-RateLimit-* headers for the answer, and the refusal (with its Retry-After) when over. */
export interface HookLimitVerdict {
  refused?: HookError;
  headers: Record<string, string>;
}

/**
 * X-RateLimit-* in each surface's convention (docs/delivery.md §10 names the headers, not their units):
 * Rocket.Chat's `/hooks` sends the reset moment in epoch milliseconds, as Rocket.Chat does (and as
 * this server's Rocket.Chat API does, surfaces/rocketchat/envelope.ts); Slack's and Pumble's forms send
 * seconds from now, as the app platform's limits do (surfaces/pumble/v1/app-limits.ts).
 */
export function rateLimitHeaders(quota: { limit: number; remaining: number; resetMs: number }, flavor: HookFlavor, now: number): Record<string, string> {
  return {
    'X-RateLimit-Limit': String(quota.limit),
    'X-RateLimit-Remaining': String(Math.max(0, quota.remaining)),
    'X-RateLimit-Reset': flavor === 'hooks' ? String(now + quota.resetMs) : String(retryAfterSeconds(quota.resetMs)),
  };
}

/**
 * Takes one token from the integration's bucket (docs/integrations.md §7.2). Undefined when the integration is unlimited
 * (`rateLimitPerSecond: 0`, the admins' choice): no bucket, no headers.
 */
export async function takeHookToken(
  limiter: RateLimiter,
  doc: Pick<IntegrationDoc, '_id' | 'rateLimitPerSecond'>,
  flavor: HookFlavor,
  now: number,
): Promise<HookLimitVerdict | undefined> {
  const rate = doc.rateLimitPerSecond ?? DEFAULT_HOOK_RATE_PER_SECOND;
  if (!(rate > 0)) return undefined;
  const bucket = hookBucket(rate, flavor);
  const take: BucketTake = await limiter.take(hookBucketKey(doc._id, flavor), bucket);
  const headers = rateLimitHeaders({ limit: bucket.capacity, remaining: take.remaining, resetMs: take.resetMs }, flavor, now);
  if (take.allowed) return { headers };
  // Retry-After itself travels with the error (hookErrorResponse), which also words it into the body.
  return { refused: hookError.rateLimited(retryAfterSeconds(take.retryAfterMs)), headers };
}

/**
 * The per-IP bound of the hook URLs (docs/integrations.md §7.2: unauthenticated floods — every guess at an id or token
 * costs a lookup). Generous: one address may legitimately feed many integrations. A fixed window is
 * enough here: it bounds the cost of a flood, and a sender within its integrations' limits never
 * comes near it.
 */
export const HOOK_IP_WINDOW_MS = 10_000;
export const HOOK_IP_LIMIT = 1000;

/** One hit on the address's window; the refusal, with its headers, when over (undefined: go on). */
export async function hitIpLimit(limiter: RateLimiter, ip: string, flavor: HookFlavor, now: number): Promise<Required<HookLimitVerdict> | undefined> {
  const w = await limiter.hit(`hook-ip:${ip}`, HOOK_IP_WINDOW_MS);
  if (w.count <= HOOK_IP_LIMIT) return undefined;
  return {
    refused: hookError.rateLimited(retryAfterSeconds(w.resetMs)),
    headers: rateLimitHeaders({ limit: HOOK_IP_LIMIT, remaining: 0, resetMs: w.resetMs }, flavor, now),
  };
}
