/**
 * The delivery ids a receiver has seen lately, to drop an event delivered twice: Switchboard delivers
 * at least once (docs/delivery.md §2.7, §4.3) and keeps one id across a delivery's attempts — the
 * `webhook-id` header over HTTP, the frame's `correlation_id` in socket mode. In-process only: across
 * a restart of the app, a listener deduplicates on `ctx.deliveryId` itself.
 */

/** The retry horizon (delivery.md §4.3): a delivery is not attempted again after it. */
export const RECENT_IDS_TTL_MS = 28 * 3600 * 1000;
export const RECENT_IDS_MAX = 10_000;

export interface RecentIdsOptions {
  /** how long an id is remembered (default 28 h, the retry horizon) */
  ttlMs?: number;
  /** ids kept at most (default 10 000): the oldest go first */
  max?: number;
}

export class RecentIds {
  private readonly seen = new Map<string, number>();
  private readonly ttlMs: number;
  private readonly max: number;

  constructor(opts: RecentIdsOptions = {}) {
    this.ttlMs = opts.ttlMs ?? RECENT_IDS_TTL_MS;
    this.max = Math.max(1, opts.max ?? RECENT_IDS_MAX);
  }

  /** Records `id`; true when it was already recorded (and not yet forgotten): a repeat. */
  repeat(id: string, now = Date.now()): boolean {
    const known = (this.seen.get(id) ?? 0) > now;
    if (known) return true;
    // Map order is insertion order: expired ids first, then the oldest while it is full.
    if (this.seen.size >= this.max) {
      for (const [k, t] of this.seen) {
        if (t > now && this.seen.size < this.max) break;
        this.seen.delete(k);
      }
    }
    this.seen.delete(id); // an expired id seen again goes to the end, keeping the order
    this.seen.set(id, now + this.ttlMs);
    return false;
  }

  get size(): number {
    return this.seen.size;
  }
}
