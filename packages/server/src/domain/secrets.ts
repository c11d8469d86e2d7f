import { createHash, hash, randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const scrypt = (password: string, salt: Buffer, keylen: number, opts: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) => scryptCb(password, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))));

/**
 * N=2^15, r=8, p=1: about 32 MiB and tens of milliseconds per hash, OWASP's scrypt floor.
 * `SWITCHBOARD_SCRYPT_COST` (log2 N, 10–16) moves it: up one step for a stronger machine (2^16:
 * 64 MiB a hash — more would let a burst of logins exhaust memory), down only for
 * the test suite (scripts/test.mjs sets 10), whose hundreds of people each cost a hash and a login
 * — at 2^15 about a second of CPU apiece on a busy two-core runner (docs/operations.md §2.2). Each
 * hash keeps its N, so a password hashed at one cost verifies at any setting.
 */
const MAX_COST = 16;
const N = 1 << scryptCost(process.env.SWITCHBOARD_SCRYPT_COST);

function scryptCost(setting: string | undefined): number {
  if (setting === undefined || setting === '') return 15;
  const cost = Number(setting);
  if (!Number.isInteger(cost) || cost < 10 || cost > MAX_COST) throw new Error(`SWITCHBOARD_SCRYPT_COST must be an integer from 10 to ${MAX_COST}, not ${JSON.stringify(setting)}`);
  return cost;
}
const R = 8;
const P = 1;
const KEYLEN = 32;
/** scrypt needs 128·N·r bytes; Node refuses parameters whose need reaches `maxmem`. */
const maxmemFor = (n: number, r: number) => 2 * 128 * n * r;

/** `scrypt$N$r$p$salt$hash`, parameters kept so they can be raised later without breaking old hashes. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEYLEN, { N, r: R, p: P, maxmem: maxmemFor(N, R) });
  return ['scrypt', N, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  // Hash even when there is no stored hash, so unknown accounts take as long as wrong passwords.
  const parts = (stored ?? `scrypt$${N}$${R}$${P}$AAAAAAAAAAAAAAAAAAAAAA$${'A'.repeat(43)}`).split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, salt, hash] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(hash, 'base64url');
  // a stored cost past what this server makes is no hash of ours (and would cost its memory)
  if (Number(n) > 1 << MAX_COST || Number(r) > R || Number(p) > P) return false;
  const key = await scrypt(password, Buffer.from(salt, 'base64url'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: maxmemFor(Number(n), Number(r)),
  });
  return stored !== null && key.length === expected.length && timingSafeEqual(key, expected);
}

/** An opaque bearer secret with 256 bits of entropy. */
export function newToken(prefix = ''): string {
  return prefix + randomBytes(32).toString('base64url');
}

/**
 * Tokens are high-entropy, so one SHA-256 is enough to store them verifiably (lookup by hash).
 * Every authenticated request hashes its token: the one-shot crypto.hash is about twice as quick
 * as a Hash object (Node ≥ 20.12).
 */
export function hashToken(token: string): string {
  return hash('sha256', token, 'base64url');
}

export function constantTimeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}

/** A readable generated password for the first owner: 20 characters from an unambiguous set. */
export function generatePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(20);
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}
