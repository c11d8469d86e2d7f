/**
 * Request signatures of docs/delivery.md §4: Standard Webhooks v1 on every signed delivery, Pumble's
 * `x-pumble-request-*` headers on app requests — and the verifiers our conformance harness and
 * documentation use, which follow docs/delivery.md §4.3 (exact raw body, constant time, ±5 minutes).
 */
import { createHmac } from 'node:crypto';
import { constantTimeEqual } from '../domain/secrets.js';

/** How far a signed timestamp may be from now, either way (docs/delivery.md §4.3). */
export const SIGNATURE_TOLERANCE_MS = 5 * 60 * 1000;

export type RawBody = string | Uint8Array;


// ---- keys ------------------------------------------------------------------------------------

const WHSEC = 'whsec_';

/** An app's Standard Webhooks key: the UTF-8 bytes of its signingSecret (docs/delivery.md §4.1). */
export function appSigningKey(signingSecret: string): Buffer {
  return Buffer.from(signingSecret, 'utf8');
}

/** An outgoing integration's key: the bytes a `whsec_<base64>` secret encodes (docs/delivery.md §4.1). */
export function webhookSecretKey(webhookSecret: string): Buffer {
  if (!webhookSecret.startsWith(WHSEC)) throw new Error('a webhook secret starts with "whsec_"');
  return Buffer.from(webhookSecret.slice(WHSEC.length), 'base64');
}


/** What an app tells its Standard Webhooks library: "whsec_" + base64(utf8(signingSecret)). */
export function standardWebhookSecretForApp(signingSecret: string): string {
  return WHSEC + appSigningKey(signingSecret).toString('base64');
}

// ---- signing -----------------------------------------------------------------------------------

function hmac(key: Uint8Array | string, ...parts: RawBody[]): Buffer {
  const mac = createHmac('sha256', key);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

/** One `v1,<base64>` signature over "<id>.<timestamp>.<raw body>". */
/** `timestamp` goes in exactly as sent in `webhook-timestamp`. */
export function standardWebhookSignature(id: string, timestamp: number | string, body: RawBody, key: Uint8Array): string {
  return `v1,${hmac(key, `${id}.${timestamp}.`, body).toString('base64')}`;
}

// Type aliases, not interfaces, so they pass as Record<string, string> header objects.
export type StandardWebhookHeaders = {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
};

/**
 * Standard Webhooks headers for one attempt. `keys` are every key currently valid — the new one and,
 * during a rotation's 24-hour grace, the old one — each giving one space-separated signature.
 */
export function standardWebhookHeaders(input: { id: string; body: RawBody; keys: readonly Uint8Array[]; now?: number }): StandardWebhookHeaders {
  if (input.keys.length === 0) throw new Error('at least one signing key is needed');
  const timestamp = Math.floor((input.now ?? Date.now()) / 1000);
  return {
    'webhook-id': input.id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': input.keys.map((key) => standardWebhookSignature(input.id, timestamp, input.body, key)).join(' '),
  };
}

/** Lower-case hex HMAC-SHA256 of "<timestamp>:<raw body>" keyed with the signingSecret's UTF-8 bytes. */
export function pumbleSignature(timestamp: string, body: RawBody, signingSecret: string): string {
  return hmac(appSigningKey(signingSecret), `${timestamp}:`, body).toString('hex');
}

export type PumbleHeaders = {
  'x-pumble-request-timestamp': string;
  'x-pumble-request-signature': string;
};

/** Pumble headers for one attempt: epoch milliseconds (docs/app-platform.md §16), only the current secret (§4.2). */
export function pumbleHeaders(input: { body: RawBody; signingSecret: string; now?: number }): PumbleHeaders {
  const timestamp = String(Math.floor(input.now ?? Date.now()));
  return {
    'x-pumble-request-timestamp': timestamp,
    'x-pumble-request-signature': pumbleSignature(timestamp, input.body, input.signingSecret),
  };
}

/**
 * Every signature header of an app trigger or event attempt. `previousSigningSecrets` are secrets
 * still inside their rotation grace: they sign the Standard header only, Pumble's uses the current one.
 */
export function appRequestHeaders(input: {
  deliveryId: string;
  body: RawBody;
  signingSecret: string;
  previousSigningSecrets?: readonly string[];
  now?: number;
}): StandardWebhookHeaders & PumbleHeaders {
  const now = input.now ?? Date.now();
  const keys = [input.signingSecret, ...(input.previousSigningSecrets ?? [])].map(appSigningKey);
  return {
    ...standardWebhookHeaders({ id: input.deliveryId, body: input.body, keys, now }),
    ...pumbleHeaders({ body: input.body, signingSecret: input.signingSecret, now }),
  };
}

// ---- verifying -------------------------------------------------------------------------------

export type VerifyResult =
  | { ok: true }
  | { ok: false; reason: 'missing-headers' | 'bad-timestamp' | 'stale-timestamp' | 'bad-signature' };

/** Fetch `Headers`, Node's IncomingHttpHeaders, or a plain object with any key case. */
export type HeaderSource = { get(name: string): string | null } | Record<string, string | string[] | undefined>;

function header(headers: HeaderSource, name: string): string | undefined {
  if (typeof headers.get === 'function') return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  const record = headers as Record<string, string | string[] | undefined>;
  const key = Object.keys(record).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : record[key];
  return Array.isArray(value) ? value[0] : value;
}

const withinTolerance = (timestampMs: number, now: number) => Math.abs(now - timestampMs) <= SIGNATURE_TOLERANCE_MS;

/**
 * Verifies `x-pumble-request-*` headers. The timestamp may be seconds (up to 10 digits) or
 * milliseconds (13 digits) — Pumble's own unit is undocumented (docs/app-platform.md §16).
 */
export function verifyPumbleSignature(headers: HeaderSource, rawBody: RawBody, signingSecret: string, now: number = Date.now()): VerifyResult {
  const timestamp = header(headers, 'x-pumble-request-timestamp')?.trim();
  const signature = header(headers, 'x-pumble-request-signature')?.trim();
  if (!timestamp || !signature) return { ok: false, reason: 'missing-headers' };
  if (!/^\d{1,10}$|^\d{13}$/.test(timestamp)) return { ok: false, reason: 'bad-timestamp' };
  const timestampMs = timestamp.length === 13 ? Number(timestamp) : Number(timestamp) * 1000;
  if (!withinTolerance(timestampMs, now)) return { ok: false, reason: 'stale-timestamp' };
  // The signature covers the timestamp exactly as sent, whichever unit it is in.
  const expected = pumbleSignature(timestamp, rawBody, signingSecret);
  return constantTimeEqual(signature.toLowerCase(), expected) ? { ok: true } : { ok: false, reason: 'bad-signature' };
}

/** Verifies Standard Webhooks v1 headers against one key or several (a rotation). */
export function verifyStandardWebhook(
  headers: HeaderSource,
  rawBody: RawBody,
  keys: Uint8Array | readonly Uint8Array[],
  now: number = Date.now(),
): VerifyResult {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp')?.trim();
  const signatures = header(headers, 'webhook-signature');
  if (!id || !timestamp || !signatures) return { ok: false, reason: 'missing-headers' };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'bad-timestamp' };
  if (!withinTolerance(Number(timestamp) * 1000, now)) return { ok: false, reason: 'stale-timestamp' };
  const keyList = keys instanceof Uint8Array ? [keys] : keys;
  const expected = keyList.map((key) => standardWebhookSignature(id, timestamp, rawBody, key));
  // Compare every pair, without stopping early, so timing says nothing about which one matched.
  let matched = false;
  for (const given of signatures.split(' ').filter((s) => s.startsWith('v1,'))) {
    for (const candidate of expected) matched = constantTimeEqual(given, candidate) || matched;
  }
  return matched ? { ok: true } : { ok: false, reason: 'bad-signature' };
}
