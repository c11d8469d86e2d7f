import type { Redis } from 'ioredis';
import type { BucketTake, RateLimiter, TokenBucket, Window } from '../domain/ports/rate-limiter.js';


function checkBucket(bucket: TokenBucket): void {
  if (!Number.isInteger(bucket.capacity) || bucket.capacity < 1) throw new RangeError(`bucket capacity must be a whole number ≥ 1, got ${bucket.capacity}`);
  if (!(bucket.refillPerSecond > 0) || !Number.isFinite(bucket.refillPerSecond)) throw new RangeError(`bucket refill must be > 0 per second, got ${bucket.refillPerSecond}`);
}

/**
 * The refill time of one token in whole microseconds. Whole, so that all of a bucket's arithmetic is on
 * integers, which doubles (and Lua's numbers) hold exactly up to 2^53: with fractional milliseconds
 * (1/7 s …) the sums drift, and a bucket of 30 admitted 29. Rounding to the microsecond changes a rate
 * by at most a millionth. Capped at 10^12 µs (a token per 11.6 days), which keeps every time in range.
 */
const MAX_INTERVAL_US = 1e12;
const intervalUs = (bucket: TokenBucket): number => Math.min(MAX_INTERVAL_US, Math.max(1, Math.round(1e6 / bucket.refillPerSecond)));

/**
 * One attempt on a bucket at `nowUs`, the bucket being stored as the one moment it is full again
 * (`fullAtUs`; absent or past = full). That is the whole state of a token bucket with continuous refill
 * (the "virtual scheduling" form, GCRA): `deficit = fullAt − now` is the refill still owed, and the
 * bucket holds `capacity − deficit / interval` tokens; a take adds one interval to the deficit, and is
 * possible while the deficit is at most `capacity − 1` intervals. One number with one expiry is all
 * Redis has to hold.
 * TAKE_TOKEN_LUA below is this function line for line, so the memory and Redis limiters answer alike.
 */
function takeToken(storedFullAtUs: number | undefined, bucket: TokenBucket, nowUs: number): { fullAtUs: number; take: BucketTake } {
  const interval = intervalUs(bucket);
  const full = bucket.capacity * interval; // the deficit of an empty bucket
  let deficit = Math.max(0, (storedFullAtUs ?? nowUs) - nowUs);
  const allowed = deficit + interval <= full;
  if (allowed) deficit += interval;
  let remaining = Math.floor((full - deficit) / interval);
  if (remaining * interval > full - deficit) remaining -= 1; // a quotient rounded up to a whole number
  return {
    fullAtUs: nowUs + deficit,
    take: {
      allowed,
      remaining,
      retryAfterMs: Math.max(0, Math.ceil((deficit + interval - full) / 1000)),
      resetMs: Math.max(1, Math.ceil(deficit / 1000)),
    },
  };
}

export class MemoryRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();
  /** each bucket as the moment (µs) it is full again, after which it is as good as absent */
  private readonly buckets = new Map<string, number>();
  private lastSweep = 0;

  constructor(private readonly now: () => number = Date.now) {}

  async hit(key: string, windowMs: number): Promise<Window> {
    const t = this.now();
    this.sweep(t);
    let w = this.windows.get(key);
    if (!w || w.resetAt <= t) this.windows.set(key, (w = { count: 0, resetAt: t + windowMs }));
    w.count += 1;
    return { count: w.count, resetMs: w.resetAt - t };
  }

  async peek(key: string): Promise<Window> {
    const t = this.now();
    const w = this.windows.get(key);
    return !w || w.resetAt <= t ? { count: 0, resetMs: 0 } : { count: w.count, resetMs: w.resetAt - t };
  }

  async reset(key: string): Promise<void> {
    this.windows.delete(key);
  }

  async take(key: string, bucket: TokenBucket): Promise<BucketTake> {
    checkBucket(bucket);
    const t = this.now();
    this.sweep(t);
    const { fullAtUs, take } = takeToken(this.buckets.get(key), bucket, Math.round(t * 1000));
    if (take.allowed) this.buckets.set(key, fullAtUs);
    return take;
  }

  /** Forget ended windows and refilled buckets now and then, so the maps do not grow without bound. */
  private sweep(t: number): void {
    if (t - this.lastSweep < 60_000) return;
    this.lastSweep = t;
    for (const [k, w] of this.windows) if (w.resetAt <= t) this.windows.delete(k);
    for (const [k, fullAtUs] of this.buckets) if (fullAtUs <= t * 1000) this.buckets.delete(k);
  }
}

/**
 * A fixed-window hit in one step. The expiry is set in the same script as the count, so no crash or
 * lost connection can leave a counter without one (which would lock its key out for good); a key left
 * without expiry by an earlier version gets one on its next hit.
 * KEYS[1] the counter; ARGV[1] the window in ms. Returns {count, ms until the window resets}.
 */
export const WINDOW_HIT_LUA = `
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
`;

/**
 * One attempt on a token bucket in one step (takeToken above, line for line). The key holds the
 * moment (µs) the bucket is full again and expires at that moment, set by the one SET … PX that writes
 * it: an idle bucket vanishes, a missing one reads as full, and no key can outlive its bucket. A refusal
 * writes nothing (a flood costs no writes); it only happens while the key exists, with its expiry.
 * The clock is Redis's own TIME, one clock for every node (Redis ≥ 5 replicates a script's effects,
 * so TIME is allowed before a write), unless the caller passes one (tests). All values are whole
 * numbers below 2^53 (see intervalUs); %.17g writes them without an exponent.
 * KEYS[1] the bucket; ARGV[1] capacity, ARGV[2] µs per token, ARGV[3] now in µs or ''.
 * Returns {allowed 0|1, whole tokens left, ms until the next take can succeed, ms until full}.
 */
export const TAKE_TOKEN_LUA = `
local capacity = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
end
local full = capacity * interval
local deficit = math.max(0, (tonumber(redis.call('GET', KEYS[1]) or '') or now) - now)
local allowed = 0
if deficit + interval <= full then
  allowed = 1
  deficit = deficit + interval
  redis.call('SET', KEYS[1], string.format('%.17g', now + deficit), 'PX', math.max(1, math.ceil(deficit / 1000)))
end
local remaining = math.floor((full - deficit) / interval)
if remaining * interval > full - deficit then
  remaining = remaining - 1
end
return {allowed, remaining, math.max(0, math.ceil((deficit + interval - full) / 1000)), math.max(1, math.ceil(deficit / 1000))}
`;

/** The scripts as ioredis commands (defineCommand: EVALSHA, loading the script again after a SCRIPT FLUSH or restart). */
interface LimiterCommands {
  switchboardWindowHit(key: string, windowMs: number): Promise<[number, number]>;
  switchboardTakeToken(key: string, capacity: number, intervalUs: number, nowUs: number | ''): Promise<[number, number, number, number]>;
}

export class RedisRateLimiter implements RateLimiter {
  private readonly commands: LimiterCommands;

  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'switchboard:rl:',
    /** the clock of token buckets; Redis's own when not given (one clock for all nodes) */
    private readonly now?: () => number,
  ) {
    redis.defineCommand('switchboardWindowHit', { numberOfKeys: 1, lua: WINDOW_HIT_LUA });
    redis.defineCommand('switchboardTakeToken', { numberOfKeys: 1, lua: TAKE_TOKEN_LUA });
    this.commands = redis as unknown as LimiterCommands;
  }

  async hit(key: string, windowMs: number): Promise<Window> {
    const [count, resetMs] = await this.commands.switchboardWindowHit(this.prefix + key, windowMs);
    return { count, resetMs };
  }

  async peek(key: string): Promise<Window> {
    const k = this.prefix + key;
    const [[, count], [, ttl]] = (await this.redis.multi().get(k).pttl(k).exec()) as [[null, string | null], [null, number]];
    return { count: count === null ? 0 : Number(count), resetMs: Math.max(ttl, 0) };
  }

  async reset(key: string): Promise<void> {
    await this.redis.del(this.prefix + key);
  }

  async take(key: string, bucket: TokenBucket): Promise<BucketTake> {
    checkBucket(bucket);
    const [allowed, remaining, retryAfterMs, resetMs] = await this.commands.switchboardTakeToken(
      this.bucketKey(key),
      bucket.capacity,
      intervalUs(bucket),
      this.now ? Math.round(this.now() * 1000) : '',
    );
    return { allowed: allowed === 1, remaining, retryAfterMs, resetMs };
  }

  /** Where the bucket `key` lives: apart from the windows, so that no key is read as both a counter and a time. */
  bucketKey(key: string): string {
    return `${this.prefix}bucket:${key}`;
  }
}
