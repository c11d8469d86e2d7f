/**
 * The limits of incoming webhooks (docs/integrations.md §7.2, §11; docs/delivery.md §10): a token bucket per
 * integration, held by the shared limiter (in Redis when nodes share a database, so the bucket holds
 * across them), and a per-IP bound on floods of the hook URLs. These decide; every answer carries the
 * state of the bucket (`HookQuota`), which each URL form's surface writes as its X-RateLimit-* headers
 * (docs/architecture.md §3.1), a refusal also its Retry-After (docs/delivery.md §10: always 429,
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

/**
 * Where a sender stands with a limit: its size, what is left, how long until it is full again (ms),
 * and when this was read (epoch ms), so that a surface can give the reset as a moment or as a wait.
 */
export interface HookQuota {
  limit: number;
  remaining: number;
  resetMs: number;
  at: number;
}

/** What a limit found: the quota for the answer, and the refusal (with its Retry-After) when over. */
export interface HookLimitVerdict {
  quota: HookQuota;
  refused?: HookError;
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
  const quota: HookQuota = { limit: bucket.capacity, remaining: Math.max(0, take.remaining), resetMs: take.resetMs, at: now };
  if (take.allowed) return { quota };
  // The wait travels with the error, which the surfaces send as Retry-After and word into their bodies.
  return { quota, refused: hookError.rateLimited(retryAfterSeconds(take.retryAfterMs)) };
}

/**
 * The per-IP bound of the hook URLs (docs/integrations.md §7.2: unauthenticated floods — every guess at an id or token
 * costs a lookup). Generous: one address may legitimately feed many integrations. A fixed window is
 * enough here: it bounds the cost of a flood, and a sender within its integrations' limits never
 * comes near it.
 */
export const HOOK_IP_WINDOW_MS = 10_000;
export const HOOK_IP_LIMIT = 1000;

/** One hit on the address's window; the refusal, with its quota, when over (undefined: go on). */
export async function hitIpLimit(limiter: RateLimiter, ip: string, now: number): Promise<Required<HookLimitVerdict> | undefined> {
  const w = await limiter.hit(`hook-ip:${ip}`, HOOK_IP_WINDOW_MS);
  if (w.count <= HOOK_IP_LIMIT) return undefined;
  return {
    quota: { limit: HOOK_IP_LIMIT, remaining: 0, resetMs: w.resetMs, at: now },
    refused: hookError.rateLimited(retryAfterSeconds(w.resetMs)),
  };
}
