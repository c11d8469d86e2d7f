/**
 * Integration history records (docs/integrations.md §8.9) and what is kept out of them. Rocket.Chat stored
 * the whole integration (token and script included) and every payload (§13); here the record carries
 * a redacted copy, secrets are scrubbed from anything recorded (payloads, requests, responses, errors,
 * console output), and payload storage can be replaced by a size and digest.
 */
import { createHash } from 'node:crypto';

export const REDACTED = '[redacted]';
/** §8.9: default retention (admin setting). */
export const HISTORY_RETENTION_DAYS = 30;
/** §9.3: console output kept per script call. */
export const MAX_CONSOLE_CHARS = 64 * 1024;

/** §8.9's step vocabulary; `<m>` is a script method name, `<n>` the coming attempt's number. */
export type OutgoingHistoryStep =
  | 'start-execute-trigger-url'
  | 'mapped-args-to-data'
  | 'execute-script-getting-script'
  | `execute-script-no-method-${string}`
  | `execute-script-before-running-${string}`
  | `execute-script-error-running-${string}`
  | 'after-maybe-ran-prepare'
  | 'after-prepare-no-opts'
  | 'after-prepare-send-message'
  | 'after-prepare-send-message-failed'
  | 'after-prepare-no-url_or_method'
  | 'pre-http-call'
  | 'after-http-call'
  | 'after-process-send-message'
  | 'after-process-send-message-failed'
  | 'after-process-false-result'
  | 'after-process-http-status-410'
  | 'after-process-http-status-500'
  | `going-to-retry-${number}`
  | 'failed-and-retry-delay-is-invalid'
  | 'too-many-retries'
  | 'failed-and-not-configured-to-retry'
  | 'url-response-sent-message'
  | 'after-http-call-send-message-failed'
  // extensions
  | 'execute-script-not-compiled'
  | 'ssrf-blocked'
  | 'skipped-loop-guard';

export type IncomingHistoryStep = 'received' | 'script-result' | 'message-posted' | 'rejected';

/** The fields never copied into history. */
export const INTEGRATION_SECRET_FIELDS = ['token', 'scriptCompiled', 'webhookSecret'] as const;
export type HistoryIntegration<T> = Omit<T, (typeof INTEGRATION_SECRET_FIELDS)[number]>;

/** `[{channel, message}]` lists of messages an execution posted. */
export interface SentMessage {
  channel: string;
  message: unknown;
}

/** §8.9, one record per attempt (per URL, per try), updated in place; `step` is the last step reached. */
export interface OutgoingHistoryRecord<I = Record<string, unknown>> {
  _id: string;
  type: 'outgoing-webhook';
  step: OutgoingHistoryStep;
  integration: HistoryIntegration<I>;
  event: string;
  data?: unknown;
  triggerWord?: string;
  ranPrepareScript?: boolean;
  prepareSentMessage?: SentMessage[];
  processSentMessage?: SentMessage[];
  resultMessage?: SentMessage[];
  finished?: boolean;
  url?: string;
  httpCallData?: unknown;
  httpError?: unknown;
  /** the response text (JSON-stringified); its digest when payload storage is off */
  httpResult?: string | PayloadDigest;
  /** `true` as upstream, or an error code such as `invalid-auth` */
  error?: boolean | string;
  errorStack?: string;
  /** extension: link to the delivery log (docs/delivery.md §8) */
  deliveryId?: string;
  attempt?: number;
  /** extension: script console lines of this attempt (§9.3) */
  consoleOutput?: string[];
  /** extension: how long the attempt took */
  durationMs?: number;
  _createdAt: string;
  _updatedAt: string;
}

/** §8.9 extension: one record per incoming request. */
export interface IncomingHistoryRecord<I = Record<string, unknown>> {
  _id: string;
  type: 'incoming-webhook';
  step: IncomingHistoryStep;
  integration: HistoryIntegration<I>;
  httpStatus?: number;
  error?: string;
  /** request headers without credentials (`incomingHistoryHeaders`) */
  headers?: Record<string, string>;
  data?: unknown;
  consoleOutput?: string[];
  durationMs?: number;
  _createdAt: string;
  _updatedAt: string;
}

/** The integration as history keeps it: without token, compiled script and signing key (§8.9). */
export function historyIntegration<T extends object>(integration: T): HistoryIntegration<T> {
  const copy = { ...integration } as Record<string, unknown>;
  for (const f of INTEGRATION_SECRET_FIELDS) delete copy[f];
  return copy as HistoryIntegration<T>;
}

// Keys whose values are credentials wherever they appear (payload `token`, request headers, user records).
const SECRET_KEYS = new Set([
  'token',
  'authtoken',
  'x-auth-token',
  'x-2fa-code',
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'password',
  'webhooksecret',
  'secret',
  'services',
  'logintokens',
  'totp',
  'scriptcompiled',
]);

const STRING_PATTERNS: readonly [RegExp, string][] = [
  // Incoming hook URLs carry their token as the last path segment (§7.1, §10, §11).
  [/(\/(?:hooks|services)\/(?:[^/\s?#"'<>]+\/){1,3})[^/\s?#"'<>]+/g, `$1${REDACTED}`],
  [/(\/incomingWebhooks\/postMessage\/(?:[^/\s?#"'<>]+\/)?)[^/\s?#"'<>]+/g, `$1${REDACTED}`],
  // Credentials in header-like text and query strings.
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g, `$1 ${REDACTED}`],
  [/([?&](?:token|access_token|auth_token)=)[^&#\s"']+/gi, `$1${REDACTED}`],
  [/\bwhsec_[A-Za-z0-9+/=]+/g, REDACTED],
];

/** A string with the given secrets and any credential-looking parts replaced. */
export function redactString(text: string, secrets: readonly string[] = []): string {
  let out = text;
  // Short strings would redact ordinary words; real tokens are long.
  for (const s of secrets) if (s.length >= 8) out = out.split(s).join(REDACTED);
  for (const [re, by] of STRING_PATTERNS) out = out.replace(re, by);
  return out;
}

/**
 * A deep copy of `value` fit for history: credential keys (case-insensitive: `token`, `X-Auth-Token`,
 * `Authorization`, cookies, passwords, login tokens…) get `[redacted]`, strings are scrubbed of the
 * known `secrets` (the integration token, its webhook secret) and of hook-URL tokens.
 */
export function redactSecrets(value: unknown, secrets: readonly string[] = [], depth = 0): unknown {
  if (typeof value === 'string') return redactString(value, secrets);
  if (typeof value !== 'object' || value === null) return value;
  if (depth > 64) return REDACTED; // cyclic or absurdly deep: nothing worth keeping
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_KEYS.has(k.toLowerCase()) && v !== undefined && v !== null ? REDACTED : redactSecrets(v, secrets, depth + 1);
  }
  return out;
}

const DROPPED_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-auth-token', 'x-2fa-code']);

/** §8.9: incoming request headers as recorded: names lower-cased, credentials and cookies left out. */
export function incomingHistoryHeaders(headers: Record<string, string | string[] | undefined>, secrets: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(headers)) {
    const key = name.toLowerCase();
    if (v === undefined || DROPPED_HEADERS.has(key)) continue;
    out[key] = redactString(Array.isArray(v) ? v.join(', ') : v, secrets);
  }
  return out;
}

/** What replaces a payload when payload storage is off (§8.9): its size in bytes and SHA-256. */
export interface PayloadDigest {
  size: number;
  sha256: string;
}

export function payloadDigest(value: unknown): PayloadDigest {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
  const bytes = Buffer.from(text, 'utf8');
  return { size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/**
 * A record as stored: every recorded value redacted, and with payload storage off `data`,
 * `httpCallData` and `httpResult` replaced by their digests (§8.9 privacy setting).
 */
export function recordForStorage<R extends { integration: object; data?: unknown; httpCallData?: unknown; httpResult?: unknown }>(
  record: R,
  opts: { secrets?: readonly string[]; storePayloads?: boolean } = {},
): R {
  const secrets = opts.secrets ?? [];
  const out = redactSecrets(record, secrets) as Record<string, unknown>;
  // The integration copy loses its secret fields outright rather than keeping them as `[redacted]`.
  out.integration = redactSecrets(historyIntegration(record.integration), secrets);
  if (opts.storePayloads === false) {
    for (const key of ['data', 'httpCallData', 'httpResult'] as const) {
      if (record[key] !== undefined) out[key] = payloadDigest(record[key]);
    }
  }
  return out as R;
}

/** §9.3: console lines of one call, cut at 64 KiB (a marker says so), secrets scrubbed. */
export function captureConsole(lines: readonly string[], secrets: readonly string[] = [], max = MAX_CONSOLE_CHARS): string[] {
  const out: string[] = [];
  let used = 0;
  for (const line of lines) {
    const clean = redactString(line, secrets);
    if (used + clean.length > max) {
      const room = max - used;
      if (room > 0) out.push(clean.slice(0, room));
      out.push('… [console output truncated]');
      break;
    }
    out.push(clean);
    used += clean.length;
  }
  return out;
}

/** Whether a record is past retention (§8.9). */
export function historyExpired(record: { _createdAt: string }, now: number, retentionDays = HISTORY_RETENTION_DAYS): boolean {
  return now - Date.parse(record._createdAt) > retentionDays * 24 * 60 * 60 * 1000;
}
