/**
 * One outbound POST attempt (delivery.md §3): through the SSRF-guarded agent, never following
 * redirects, bounded in time and in how much of the answer it reads, and reporting every network
 * failure as a result instead of throwing — the caller records it and decides about retries.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { request } from 'undici';
import { checkUrlSyntax, type GuardedAgent } from './ssrf.js';

export type PostError = 'timeout' | 'dns' | 'connect' | 'tls' | 'ssrf-blocked' | 'too-large' | 'invalid-url';

export interface PostResult {
  /** a 2xx status with the whole answer read in time (`too-large` alone does not spoil it: §3) */
  ok: boolean;
  status?: number;
  headers: { 'content-type'?: string; 'retry-after'?: string; 'content-length'?: string };
  /** the first `maxBodyBytes` of the answer, decoded as UTF-8 */
  body: string;
  /** the answer was longer than `maxBodyBytes`; reading stopped there */
  tooLarge: boolean;
  durationMs: number;
  /** why the attempt failed; `too-large` is only a note when a status was received */
  error?: PostError;
  /** the underlying error text, for the delivery log */
  errorMessage?: string;
}

export interface PostOptions {
  agent: GuardedAgent;
  /** the whole attempt, connect to last byte read (§3: triggers 3 s, events 15 s) */
  timeoutMs: number;
  /** how much of the answer to read (§3: events 64 KiB, triggers 1 MiB) */
  maxBodyBytes: number;
  userAgent?: string;
}

/** The per-class limits of delivery.md §3. */
export const ATTEMPT_LIMITS = {
  trigger: { timeoutMs: 3_000, maxBodyBytes: 1024 * 1024 },
  event: { timeoutMs: 15_000, maxBodyBytes: 64 * 1024 },
  outgoingWebhook: { timeoutMs: 15_000, maxBodyBytes: 10 * 1024 * 1024 },
} as const satisfies Record<string, Pick<PostOptions, 'timeoutMs' | 'maxBodyBytes'>>;

function readVersion(): string {
  try {
    // Two levels up from both src/delivery and dist/delivery: the server package's manifest.
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export const USER_AGENT = `Switchboard/${readVersion()}`;

export async function postJson(url: string, body: string, headers: Record<string, string>, opts: PostOptions): Promise<PostResult> {
  const started = performance.now();
  const result = (fields: Omit<PostResult, 'durationMs' | 'headers' | 'body' | 'tooLarge' | 'ok'> & Partial<PostResult>): PostResult => ({
    ok: false,
    headers: {},
    body: '',
    tooLarge: false,
    ...fields,
    durationMs: Math.round(performance.now() - started),
  });

  const syntax = checkUrlSyntax(url, opts.agent.policy);
  if (!syntax.ok) return result({ error: syntax.error, errorMessage: syntax.message });

  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    // Aborting destroys the socket: a late answer can neither arrive nor hold the connection.
    controller.abort(new Error(`no complete answer within ${opts.timeoutMs} ms`));
  }, opts.timeoutMs);

  let status: number | undefined;
  let responseHeaders: PostResult['headers'] = {};
  try {
    const res = await request(syntax.url, {
      method: 'POST',
      dispatcher: opts.agent,
      signal: controller.signal,
      headers: { ...callerHeaders(headers), 'content-type': 'application/json', 'user-agent': opts.userAgent ?? USER_AGENT },
      body,
      // undici.request follows no redirects unless told to; a 3xx comes back as a status (§3).
    });
    status = res.statusCode;
    responseHeaders = pickHeaders(res.headers);
    const read = await readCapped(res.body, opts.maxBodyBytes);
    const ok = status >= 200 && status < 300;
    return result({ ok, status, headers: responseHeaders, body: read.text, tooLarge: read.tooLarge, ...(read.tooLarge && { error: 'too-large' as const }) });
  } catch (err) {
    const error = timedOut ? 'timeout' : classify(err);
    if (error === undefined) throw err; // a programming error (bad header value, say), not a network failure
    return result({
      ...(status !== undefined && { status }),
      headers: responseHeaders,
      error,
      errorMessage: timedOut ? `no complete answer within ${opts.timeoutMs} ms` : messageOf(err),
    });
  } finally {
    clearTimeout(timer);
  }
}

interface BodyRead {
  text: string;
  tooLarge: boolean;
}

/** Reads at most `max` bytes; past that it stops and destroys the stream (and with it the socket). */
export async function readCapped(stream: AsyncIterable<Buffer> & { destroy(): unknown }, max: number): Promise<BodyRead> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    if (size + chunk.length > max) {
      chunks.push(chunk.subarray(0, max - size));
      stream.destroy();
      return { text: Buffer.concat(chunks).toString('utf8'), tooLarge: true };
    }
    chunks.push(chunk);
    size += chunk.length;
  }
  return { text: Buffer.concat(chunks).toString('utf8'), tooLarge: false };
}

// Managed by the transport, or forbidden by §3 ("no cookies"): a caller's value would only confuse
// framing or smuggle state, so it is dropped rather than sent.
export const DROPPED_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'expect', 'cookie']);

function callerHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers)
      .map(([k, v]) => [k.toLowerCase(), v] as const)
      .filter(([k]) => !DROPPED_HEADERS.has(k)),
  );
}

/** The response headers the delivery log keeps (§8). */
export function pickHeaders(headers: Record<string, string | string[] | undefined>): PostResult['headers'] {
  const picked: PostResult['headers'] = {};
  for (const name of ['content-type', 'retry-after', 'content-length'] as const) {
    const value = headers[name];
    if (value !== undefined) picked[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return picked;
}

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'EAI_NODATA', 'ENODATA', 'ESERVFAIL', 'ENOTIMP', 'EREFUSED']);
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);
const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'EPROTO',
]);
const PROGRAMMING_CODES = new Set(['UND_ERR_INVALID_ARG', 'UND_ERR_NOT_SUPPORTED', 'ERR_INVALID_ARG_TYPE', 'ERR_INVALID_ARG_VALUE']);
// A bad argument in a request a script chose (a header value with a newline…) is the integration's mistake.
const ARGUMENT_CODES = new Set(['UND_ERR_INVALID_ARG', 'ERR_INVALID_ARG_VALUE']);

/**
 * Maps a failure to the delivery log's error vocabulary (§8); undefined for programming errors. With
 * `scriptChose`, a bad argument is the script's doing: a failed attempt (`connect`), not our error.
 */
export function classify(err: unknown, opts: { scriptChose?: boolean } = {}): PostError | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return 'connect';
  if (code === 'ssrf-blocked') return 'ssrf-blocked';
  if (opts.scriptChose && ARGUMENT_CODES.has(code)) return 'connect';
  if (PROGRAMMING_CODES.has(code)) return undefined;
  if (DNS_CODES.has(code)) return 'dns';
  if (TIMEOUT_CODES.has(code)) return 'timeout';
  if (TLS_CODES.has(code) || code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_') || code.startsWith('ERR_OSSL_')) return 'tls';
  return 'connect';
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * The delay a `Retry-After` value asks for, in ms: delta-seconds or an HTTP date (RFC 9110 §10.2.3).
 * Undefined when absent or unreadable; a date in the past gives 0. Capping (§6: 24 h) is the scheduler's.
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  // Every HTTP-date form starts with a day name; requiring it keeps Date.parse's leniency
  // ("1.5", "2024") from reading arbitrary strings as dates.
  if (!/^(mon|tue|wed|thu|fri|sat|sun)/i.test(v)) return undefined;
  // asctime dates carry no zone but mean GMT; Date.parse would read them as local time.
  const at = Date.parse(/(gmt|utc)$/i.test(v) ? v : `${v} GMT`);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
