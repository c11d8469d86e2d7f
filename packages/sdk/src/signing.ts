/**
 * Verifying what Switchboard (or Pumble) sends an HTTP app (docs/delivery.md §4): Pumble's
 * `x-pumble-request-*` headers and Standard Webhooks v1 — over the exact raw body, in constant
 * time, within 5 minutes either way.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_TOLERANCE_MS = 5 * 60 * 1000;

export type VerifyFailure = 'missing-headers' | 'bad-timestamp' | 'stale-timestamp' | 'bad-signature';
export type VerifyResult = { ok: true } | { ok: false; reason: VerifyFailure };

export type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers, name: string): string | undefined {
  const v = headers[name] ?? headers[Object.keys(headers).find((k) => k.toLowerCase() === name) ?? ''];
  return (Array.isArray(v) ? v[0] : v)?.trim() || undefined;
}

/** Constant-time string equality (lengths leak, contents do not). */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  // Compare equal-length buffers always, so a length mismatch costs the same work.
  const same = timingSafeEqual(x.length === y.length ? x : y, y);
  return same && x.length === y.length;
}

const within = (ms: number, now: number) => Math.abs(now - ms) <= SIGNATURE_TOLERANCE_MS;

export function pumbleSignature(timestamp: string, rawBody: string | Uint8Array, signingSecret: string): string {
  return createHmac('sha256', Buffer.from(signingSecret, 'utf8')).update(`${timestamp}:`).update(rawBody).digest('hex');
}

/** `x-pumble-request-timestamp` (seconds, ≤ 10 digits, or milliseconds, 13) and `x-pumble-request-signature`. */
export function verifyPumble(headers: Headers, rawBody: string | Uint8Array, signingSecret: string, now = Date.now()): VerifyResult {
  const timestamp = header(headers, 'x-pumble-request-timestamp');
  const signature = header(headers, 'x-pumble-request-signature');
  if (!timestamp || !signature) return { ok: false, reason: 'missing-headers' };
  if (!/^\d{1,10}$|^\d{13}$/.test(timestamp)) return { ok: false, reason: 'bad-timestamp' };
  const ms = timestamp.length === 13 ? Number(timestamp) : Number(timestamp) * 1000;
  if (!within(ms, now)) return { ok: false, reason: 'stale-timestamp' };
  return safeEqual(signature.toLowerCase(), pumbleSignature(timestamp, rawBody, signingSecret)) ? { ok: true } : { ok: false, reason: 'bad-signature' };
}

export function standardWebhookSignature(id: string, timestamp: string, rawBody: string | Uint8Array, key: Uint8Array): string {
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.`).update(rawBody).digest('base64')}`;
}

/** Standard Webhooks v1; an app's key is the UTF-8 bytes of its signing secret. */
export function verifyStandardWebhook(headers: Headers, rawBody: string | Uint8Array, signingSecret: string, now = Date.now()): VerifyResult {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!id || !timestamp || !signatures) return { ok: false, reason: 'missing-headers' };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'bad-timestamp' };
  if (!within(Number(timestamp) * 1000, now)) return { ok: false, reason: 'stale-timestamp' };
  const expected = standardWebhookSignature(id, timestamp, rawBody, Buffer.from(signingSecret, 'utf8'));
  let matched = false;
  // Every candidate is compared, without stopping early (several during a key rotation).
  for (const given of signatures.split(' ')) matched = safeEqual(given, expected) || matched;
  return matched ? { ok: true } : { ok: false, reason: 'bad-signature' };
}

/**
 * What the HTTP receiver checks: every scheme whose headers are present must verify, and at least
 * one must be present (Switchboard sends both, Pumble only its own); `requireBoth` demands both.
 */
export function verifyRequest(headers: Headers, rawBody: string | Uint8Array, signingSecret: string, opts: { requireBoth?: boolean; now?: number } = {}): VerifyResult {
  const now = opts.now ?? Date.now();
  const hasPumble = header(headers, 'x-pumble-request-signature') !== undefined || header(headers, 'x-pumble-request-timestamp') !== undefined;
  const hasStandard = header(headers, 'webhook-signature') !== undefined || header(headers, 'webhook-id') !== undefined;
  if (!hasPumble && !hasStandard) return { ok: false, reason: 'missing-headers' };
  if (opts.requireBoth && !(hasPumble && hasStandard)) return { ok: false, reason: 'missing-headers' };
  if (hasPumble) {
    const r = verifyPumble(headers, rawBody, signingSecret, now);
    if (!r.ok) return r;
  }
  if (hasStandard) {
    const r = verifyStandardWebhook(headers, rawBody, signingSecret, now);
    if (!r.ok) return r;
  }
  return { ok: true };
}
