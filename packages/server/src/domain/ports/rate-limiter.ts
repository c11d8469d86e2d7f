/**
 * The counters the domain's limits need (login lockout, per-app and per-hook limits), kept across
 * requests and nodes: limits/rate-limiter.ts implements them in memory and in Redis.
 */

export interface Window {
  /** hits counted in the current window, this one included */
  count: number;
  /** ms until the window resets */
  resetMs: number;
}

/** The shape of a token bucket: it holds at most `capacity` tokens and gains `refillPerSecond` a second. */
export interface TokenBucket {
  capacity: number;
  refillPerSecond: number;
}

/** What one attempt to take a token from a bucket found. */
export interface BucketTake {
  /** a token was taken: the request may go on */
  allowed: boolean;
  /** whole tokens left after this attempt */
  remaining: number;
  /** ms until the bucket holds a whole token again (0 while it holds one) */
  retryAfterMs: number;
  /** ms until the bucket is full again (it starts full, so this is when it is as good as new) */
  resetMs: number;
}

/**
 * Limits keyed by name: fixed-window counters, and token buckets (docs/delivery.md §10: "token buckets
 * held in … a shared store so they hold across server processes"). In memory for one process; in
 * Redis when several nodes serve one database, so a limit holds across them.
 */
export interface RateLimiter {
  /** Counts one hit on `key` in a window of `windowMs`. */
  hit(key: string, windowMs: number): Promise<Window>;
  /** The current window of `key`, without counting. */
  peek(key: string): Promise<Window>;
  /** Forgets the window of `key`. */
  reset(key: string): Promise<void>;
  /** Takes one token from the bucket `key` (full when first met) if it holds one. */
  take(key: string, bucket: TokenBucket): Promise<BucketTake>;
}
