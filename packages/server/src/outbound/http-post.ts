/**
 * One outbound POST attempt (docs/delivery.md §3): through the SSRF-guarded agent, never following
 * redirects, bounded in time and in how much of the answer it reads, and reporting every network
 * failure as a result instead of throwing — the caller records it and decides about retries.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { request } from 'undici';
import { checkUrlSyntax } from '../domain/outbound-urls.js';
import type { GuardedAgent } from './ssrf.js';
import type { OutboundRefusal } from '../domain/outbound-policy.js';

/**
 * `no-socket`: not an HTTP failure but socket mode's (docs/delivery.md §2.7): the app had no live
 * socket to write the frame to; recorded and retried like any failed attempt, without back-off.
 */
export type PostError = 'timeout' | 'dns' | 'connect' | 'tls' | 'ssrf-blocked' | 'too-large' | 'invalid-url' | 'no-socket';

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
  /** with `ssrf-blocked`: why, in words naming the setting that would allow it */
  refusal?: OutboundRefusal;
}

export interface PostOptions {
  agent: GuardedAgent;
  /** the whole attempt, connect to last byte read (§3: triggers 3 s, events 15 s) */
  timeoutMs: number;
  /** how much of the answer to read (§3: events 64 KiB, triggers 1 MiB) */
  maxBodyBytes: number;
  userAgent?: string;
}

/** The per-class limits of docs/delivery.md §3. */
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
  const { allHeaders: _all, ...result } = await sendHttp(
    { method: 'POST', url, headers: { ...headers, 'content-type': 'application/json', 'user-agent': opts.userAgent ?? USER_AGENT }, body, timeoutMs: opts.timeoutMs },
    { agent: opts.agent, maxBodyBytes: opts.maxBodyBytes },
  );
  return result;
}

/** One request of any method (outgoing webhooks let a script choose it, its headers, body and timeout). */
export interface HttpRequest {
  method: string;
  url: string;
  /** names in any case */
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
}

export interface HttpResult extends PostResult {
  /** every response header, names lower-cased (repeated ones joined with ", ") */
  allHeaders: Record<string, string>;
}

/** The headers as they go on the wire: lower-cased, transport-managed ones dropped, a User-Agent always. */
export function wireHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    const name = k.toLowerCase();
    if (!DROPPED_HEADERS.has(name)) out[name] = v;
  }
  out['user-agent'] ??= USER_AGENT;
  return out;
}

/**
 * Every outbound HTTP attempt (§3): through the SSRF-guarded agent, redirects never followed
 * (undici.request follows none unless told to; a 3xx comes back as a status), the whole attempt
 * within `timeoutMs`, the answer read up to a cap, network failures reported as results. With
 * `scriptChose`, a bad argument (a header value with a newline) is the script's failed attempt.
 */
export async function sendHttp(req: HttpRequest, opts: { agent: GuardedAgent; maxBodyBytes: number; scriptChose?: boolean }): Promise<HttpResult> {
  const started = performance.now();
  const done = (fields: Partial<HttpResult>): HttpResult => ({
    ok: false,
    headers: {},
    allHeaders: {},
    body: '',
    tooLarge: false,
    ...fields,
    durationMs: Math.round(performance.now() - started),
  });

  const syntax = checkUrlSyntax(req.url, opts.agent.policy);
  if (!syntax.ok) return done({ error: syntax.error, errorMessage: syntax.message, ...(syntax.refusal && { refusal: syntax.refusal }) });

  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    // Aborting destroys the socket: a late answer can neither arrive nor hold the connection.
    controller.abort(new Error(`no complete answer within ${req.timeoutMs} ms`));
  }, req.timeoutMs);

  let status: number | undefined;
  let allHeaders: Record<string, string> = {};
  try {
    const res = await request(syntax.url, {
      method: req.method as 'POST',
      dispatcher: opts.agent,
      signal: controller.signal,
      headers: wireHeaders(req.headers),
      ...(req.body !== undefined && { body: req.body }),
    });
    status = res.statusCode;
    allHeaders = flatten(res.headers);
    const read = await readCapped(res.body, opts.maxBodyBytes);
    return done({
      ok: status >= 200 && status < 300,
      status,
      headers: pickHeaders(allHeaders),
      allHeaders,
      body: read.text,
      tooLarge: read.tooLarge,
      ...(read.tooLarge && { error: 'too-large' as const }),
    });
  } catch (err) {
    const error = timedOut ? 'timeout' : classify(err, { scriptChose: opts.scriptChose === true });
    if (error === undefined) throw err; // a programming error (bad header value, say), not a network failure
    const refusal = error === 'ssrf-blocked' ? (err as { refusal?: OutboundRefusal }).refusal : undefined;
    return done({
      ...(status !== undefined && { status }),
      headers: pickHeaders(allHeaders),
      allHeaders,
      error,
      errorMessage: timedOut ? `no complete answer within ${req.timeoutMs} ms` : messageOf(err),
      ...(refusal && { refusal }),
    });
  } finally {
    clearTimeout(timer);
  }
}

function flatten(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

interface BodyRead {
  text: string;
  tooLarge: boolean;
}

/** Reads at most `max` bytes; past that it stops and destroys the stream (and with it the socket). */
async function readCapped(stream: AsyncIterable<Buffer> & { destroy(): unknown }, max: number): Promise<BodyRead> {
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
const DROPPED_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'expect', 'cookie']);

/** The response headers the delivery log keeps (§8). */
function pickHeaders(headers: Record<string, string>): PostResult['headers'] {
  const picked: PostResult['headers'] = {};
  for (const name of ['content-type', 'retry-after', 'content-length'] as const) {
    const value = headers[name];
    if (value !== undefined) picked[name] = value;
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
function classify(err: unknown, opts: { scriptChose?: boolean } = {}): PostError | undefined {
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
