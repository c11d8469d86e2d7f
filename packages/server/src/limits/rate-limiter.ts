import type { Redis } from 'ioredis';

export interface Window {
  /** hits counted in the current window, this one included */
  count: number;
  /** ms until the window resets */
  resetMs: number;
}

/**
 * Fixed-window counters keyed by name. In memory for one process; in Redis when several nodes
 * serve one database, so a limit holds across them (delivery.md §10).
 */
export interface RateLimiter {
  /** Counts one hit on `key` in a window of `windowMs`. */
  hit(key: string, windowMs: number): Promise<Window>;
  /** The current window of `key`, without counting. */
  peek(key: string): Promise<Window>;
  reset(key: string): Promise<void>;
}

export class MemoryRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();
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

  /** Forget ended windows now and then, so the map does not grow without bound. */
  private sweep(t: number): void {
    if (t - this.lastSweep < 60_000) return;
    this.lastSweep = t;
    for (const [k, w] of this.windows) if (w.resetAt <= t) this.windows.delete(k);
  }
}

export class RedisRateLimiter implements RateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'switchboard:rl:',
  ) {}

  async hit(key: string, windowMs: number): Promise<Window> {
    const k = this.prefix + key;
    // INCR then set the expiry only on the first hit: one round trip, atomic per command.
    const [[, count], [, ttl]] = (await this.redis.multi().incr(k).pttl(k).exec()) as [[null, number], [null, number]];
    if (ttl < 0) {
      await this.redis.pexpire(k, windowMs);
      return { count, resetMs: windowMs };
    }
    return { count, resetMs: ttl };
  }

  async peek(key: string): Promise<Window> {
    const k = this.prefix + key;
    const [[, count], [, ttl]] = (await this.redis.multi().get(k).pttl(k).exec()) as [[null, string | null], [null, number]];
    return { count: count === null ? 0 : Number(count), resetMs: Math.max(ttl, 0) };
  }

  async reset(key: string): Promise<void> {
    await this.redis.del(this.prefix + key);
  }
}
