import { randomBytes } from 'node:crypto';
import { randomUInt } from './random-pool.js';
import { ulid } from './ulid.js';

const random48 = () => randomUInt(6);

/**
 * 24 lower-case hex characters, ObjectId-sized but time-ordered to the millisecond:
 * 12 hex of epoch ms, then 12 hex that start random each millisecond and count up within it.
 * Sorting ids as strings sorts them by creation time, which is what message cursors rely on.
 */
let lastMs = 0;
let tail = 0n;
const TAIL_MAX = (1n << 48n) - 1n;

export function newId(now = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    // Start in the lower half so that a burst within one millisecond cannot overflow.
    tail = BigInt(random48()) >> 1n;
  } else {
    // Clock went backwards or same millisecond: stay monotonic within this process.
    tail += 1n;
    if (tail > TAIL_MAX) {
      lastMs += 1;
      tail = 0n;
    }
  }
  return lastMs.toString(16).padStart(12, '0') + tail.toString(16).padStart(12, '0');
}

const ID_PATTERN = /^[0-9a-f]{24}$/;
export function isId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value);
}


/** `msg_<ULID>`: a delivery's id, its `webhook-id` and idempotency key (docs/delivery.md §2.3); never contains a ".". */
export function newDeliveryId(now: number = Date.now()): string {
  return `msg_${ulid(now)}`;
}

/** A new outgoing-integration secret: "whsec_" + base64 of 32 random bytes (docs/delivery.md §4.1). */
export function newWebhookSecret(): string {
  return 'whsec_' + randomBytes(32).toString('base64');
}
