/**
 * Per-integration limits of incoming webhooks (integrations.md §7.2, §11) on the shared fixed-window
 * limiter, so that they hold across nodes (the limiter is Redis-backed when nodes share a database).
 *
 * §7.2 asks for a token bucket (default 1/s sustained, bursts of 30). A fixed-window counter cannot
 * store a bucket, so it is approximated by one window of `burst / rate` seconds admitting
 * `burst + rate × window` hits (30 s and 60 hits by default): every sequence of requests the bucket
 * accepts is accepted (in any span of that length a bucket admits at most burst + rate × span), so a
 * sender within the documented limits is never refused; the price is that a sender may get up to
 * twice the sustained rate, and that Retry-After names the end of the window rather than the next token.
 */
import type { RateLimiter } from '../../limits/rate-limiter.js';
import type { IntegrationDoc } from './document.js';
import { hookError, type HookError, type HookFlavor } from './hook-errors.js';

/** §7.2 defaults. */
export const DEFAULT_HOOK_RATE_PER_SECOND = 1;
export const HOOK_BURST = 30;

/** The window of one integration: how long, and how many hits it admits. */
export function hookWindow(ratePerSecond: number, flavor: HookFlavor): { windowMs: number; limit: number } {
  // §11: the Pumble URL form keeps Pumble's own 1 request per second per webhook (no burst).
  if (flavor === 'pumble') return { windowMs: 1000, limit: Math.max(1, Math.floor(ratePerSecond)) };
  const windowSeconds = Math.max(1, Math.ceil(HOOK_BURST / ratePerSecond));
  return { windowMs: windowSeconds * 1000, limit: HOOK_BURST + Math.ceil(ratePerSecond * windowSeconds) };
}

/** One hit on the integration's window; the 429 to answer when it is over (undefined: go on). */
export async function hitHookLimit(limiter: RateLimiter, doc: Pick<IntegrationDoc, '_id' | 'rateLimitPerSecond'>, flavor: HookFlavor): Promise<HookError | undefined> {
  const rate = doc.rateLimitPerSecond ?? DEFAULT_HOOK_RATE_PER_SECOND;
  if (!(rate > 0)) return undefined; // 0 = unlimited (admins' choice)
  const { windowMs, limit } = hookWindow(rate, flavor);
  const key = `${flavor === 'pumble' ? 'hook-pumble' : 'hook'}:${doc._id}`;
  const w = await limiter.hit(key, windowMs);
  if (w.count <= limit) return undefined;
  return hookError.rateLimited(Math.max(1, Math.ceil(w.resetMs / 1000)));
}

/**
 * The per-IP bound of the hook URLs (§7.2: unauthenticated floods — every guess at an id or token
 * costs a lookup). Generous: one address may legitimately feed many integrations.
 */
export const HOOK_IP_WINDOW_MS = 10_000;
export const HOOK_IP_LIMIT = 1000;

export async function hitIpLimit(limiter: RateLimiter, ip: string): Promise<HookError | undefined> {
  const w = await limiter.hit(`hook-ip:${ip}`, HOOK_IP_WINDOW_MS);
  if (w.count <= HOOK_IP_LIMIT) return undefined;
  return hookError.rateLimited(Math.max(1, Math.ceil(w.resetMs / 1000)));
}
