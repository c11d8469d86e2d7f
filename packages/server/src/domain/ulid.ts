/**
 * ULIDs (https://github.com/ulid/spec): 26 Crockford base32 characters, 48 bits of epoch ms then
 * 80 random bits. Monotonic within this process — later calls sort after earlier ones even in the
 * same millisecond or when the clock steps back — so ids sort by creation as strings.
 */
import { randomUInt } from './random-pool.js';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const RANDOM_MAX = (1n << 80n) - 1n;
const TIME_MAX = 2 ** 48 - 1;

let lastMs = -1;
let lastRandom = 0n;

function encode(value: bigint, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) {
    out = ALPHABET[Number(value & 31n)]! + out;
    value >>= 5n;
  }
  return out;
}

/** 80 random bits, from the pool ids draw from (random-pool.ts). */
function random80(): bigint {
  return (BigInt(randomUInt(5)) << 40n) | BigInt(randomUInt(5));
}

export function ulid(now: number = Date.now()): string {
  if (!Number.isInteger(now) || now < 0 || now > TIME_MAX) throw new RangeError(`ULID time out of range: ${now}`);
  if (now > lastMs) {
    lastMs = now;
    // The top bit starts clear so that a burst within one millisecond cannot run out of increments.
    lastRandom = random80() >> 1n;
  } else if (lastRandom < RANDOM_MAX) {
    lastRandom += 1n;
  } else {
    lastMs += 1;
    lastRandom = 0n;
  }
  return encode(BigInt(lastMs), 10) + encode(lastRandom, 16);
}

const ULID_PATTERN = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

export function isUlid(value: unknown): value is string {
  return typeof value === 'string' && ULID_PATTERN.test(value);
}

/** The epoch ms a ULID was made at. */
export function ulidTime(id: string): number {
  let ms = 0;
  for (const ch of id.slice(0, 10)) ms = ms * 32 + ALPHABET.indexOf(ch);
  return ms;
}
