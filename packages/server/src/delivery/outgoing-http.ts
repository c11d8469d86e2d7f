/**
 * One outgoing-webhook request (integrations.md §8.5, delivery.md §3): unlike the event POST of
 * http-post.ts, its method, headers, body and timeout are the integration script's to choose. The
 * rest is the same: through the SSRF-guarded agent, redirects never followed, the answer read up to
 * a cap, network failures reported as results. The response's headers all come back, because a
 * `process_outgoing_response` script sees them.
 */
import { performance } from 'node:perf_hooks';
import { request } from 'undici';
import { checkUrlSyntax, type GuardedAgent } from './ssrf.js';
import { ATTEMPT_LIMITS, DROPPED_HEADERS, USER_AGENT, classify, pickHeaders, readCapped, type PostError, type PostResult } from './http-post.js';

export interface OutgoingRequest {
  method: string;
  url: string;
  /** as the script left them; names in any case */
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
}

export interface OutgoingResult extends PostResult {
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

export async function sendOutgoing(
  req: OutgoingRequest,
  opts: { agent: GuardedAgent; maxBodyBytes?: number },
): Promise<OutgoingResult> {
  const started = performance.now();
  const maxBodyBytes = opts.maxBodyBytes ?? ATTEMPT_LIMITS.outgoingWebhook.maxBodyBytes;
  const done = (fields: Partial<OutgoingResult>): OutgoingResult => ({
    ok: false,
    headers: {},
    allHeaders: {},
    body: '',
    tooLarge: false,
    ...fields,
    durationMs: Math.round(performance.now() - started),
  });

  const syntax = checkUrlSyntax(req.url, opts.agent.policy);
  if (!syntax.ok) return done({ error: syntax.error, errorMessage: syntax.message });

  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
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
    const read = await readCapped(res.body, maxBodyBytes);
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
    const error: PostError | undefined = timedOut ? 'timeout' : classify(err, { scriptChose: true });
    if (error === undefined) throw err;
    return done({
      ...(status !== undefined && { status }),
      headers: pickHeaders(allHeaders),
      allHeaders,
      error,
      errorMessage: timedOut ? `no complete answer within ${req.timeoutMs} ms` : err instanceof Error ? err.message : String(err),
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
