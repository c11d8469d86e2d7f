import { randomFillSync } from 'node:crypto';

/**
 * Random whole numbers of up to 48 bits drawn from a 4 KiB pool, for ids (ids.ts, ulid.ts): a
 * draw from the system per id was 1.5% of a post's CPU and 1.4% of an app event's (randomFillSync
 * in profiles of the bench), as Node's randomUUID pools too. Ids, not secrets: secrets.ts draws
 * its own.
 */
const pool = Buffer.alloc(4096);
let poolAt = pool.length;

export function randomUInt(bytes: 1 | 2 | 3 | 4 | 5 | 6): number {
  if (poolAt + bytes > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const n = pool.readUIntBE(poolAt, bytes);
  poolAt += bytes;
  return n;
}
