/**
 * The outgoing HTTP call (docs/integrations.md §8.5) and what a `prepare_outgoing_request` script may do to
 * it (§8.8): the default prepared request handed to the script, the meaning of its result, and the
 * request actually sent. The SSRF guard, signing and sending are the delivery layer's.
 */

/** §8.5: default timeout, and the most a script may ask for. */
export const DEFAULT_OUTGOING_TIMEOUT_MS = 15_000;
export const MAX_OUTGOING_TIMEOUT_MS = 30_000;

/** What `prepare_outgoing_request({request})` receives and may return (§8.8). */
export interface PreparedRequest {
  params: Record<string, unknown>;
  method: string;
  url: string;
  data?: unknown;
  auth?: string;
  headers: Record<string, unknown>;
  timeout?: number;
}

/** §8.8: `{params: {}, method: 'POST', url, data, auth: undefined, headers: {'User-Agent': …}}`. */
export function defaultPreparedRequest(url: string, data: unknown, userAgent: string): PreparedRequest {
  return { params: {}, method: 'POST', url, data, auth: undefined, headers: { 'User-Agent': userAgent } };
}

export type PrepareOutcome =
  /** nothing returned: the call is cancelled */
  | { kind: 'cancel'; step: 'after-prepare-no-opts' }
  /** post `message` first (when set), then stop if there is no call to make */
  | { kind: 'proceed'; message?: Record<string, unknown>; request?: PreparedRequest; stopStep?: 'after-prepare-no-url_or_method' };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * §8.8: the prepare script's result (or the default request when there is no such method). Falsy →
 * cancelled; `{message}` → posted before anything else; no `url` or no `method` → stop after that.
 */
export function interpretPrepareResult(result: unknown): PrepareOutcome {
  if (!result || !isObject(result)) return { kind: 'cancel', step: 'after-prepare-no-opts' };
  const message = isObject(result.message) ? result.message : undefined;
  const url = typeof result.url === 'string' && result.url !== '' ? result.url : undefined;
  const method = typeof result.method === 'string' && result.method !== '' ? result.method : undefined;
  if (!url || !method) return { kind: 'proceed', ...(message && { message }), stopStep: 'after-prepare-no-url_or_method' };
  const request: PreparedRequest = {
    params: isObject(result.params) ? result.params : {},
    method,
    url,
    ...(result.data !== undefined && { data: result.data }),
    ...(result.auth !== undefined && result.auth !== null && { auth: String(result.auth) }),
    headers: isObject(result.headers) ? result.headers : {},
    ...(typeof result.timeout === 'number' && { timeout: result.timeout }),
  };
  return { kind: 'proceed', ...(message && { message }), request };
}

/** The request to send, headers as strings. */
export interface HttpCall {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
}

export type HttpCallResult = { ok: true; call: HttpCall } | { ok: false; error: 'invalid-auth' | 'invalid-url' };

/**
 * §8.5 / §12.3 #26–#28: JSON body with `Content-Type` only when there is data; `auth: 'user:pass'` →
 * Basic (no colon → `invalid-auth`, and no call); `params` join the query string; `timeout` forwarded,
 * capped at 30 s.
 */
export function buildHttpCall(req: PreparedRequest): HttpCallResult {
  const headers: Record<string, string> = {};
  // Only scalar values make a header; an object would be sent as "[object Object]".
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') headers[k] = String(v);
  if (req.auth !== undefined) {
    if (!req.auth.includes(':')) return { ok: false, error: 'invalid-auth' };
    // One Authorization header: `auth` replaces one the script set in any letter case.
    for (const k of Object.keys(headers)) if (k.toLowerCase() === 'authorization') delete headers[k];
    headers.Authorization = `Basic ${Buffer.from(req.auth, 'utf8').toString('base64')}`;
  }
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    return { ok: false, error: 'invalid-url' };
  }
  const params = Object.entries(req.params).filter(([, v]) => v !== undefined && v !== null);
  for (const [k, v] of params) url.searchParams.append(k, String(v));
  const method = req.method.toUpperCase();
  // Falsy data sends nothing, as upstream; GET and HEAD cannot carry a body.
  const hasBody = Boolean(req.data) && method !== 'GET' && method !== 'HEAD';
  if (hasBody) {
    const hasType = Object.keys(headers).some((k) => k.toLowerCase() === 'content-type');
    if (!hasType) headers['Content-Type'] = 'application/json';
  }
  const timeoutMs =
    typeof req.timeout === 'number' && Number.isFinite(req.timeout) && req.timeout > 0 ? Math.min(req.timeout, MAX_OUTGOING_TIMEOUT_MS) : DEFAULT_OUTGOING_TIMEOUT_MS;
  return {
    ok: true,
    call: { method, url: params.length > 0 ? url.toString() : req.url, headers, ...(hasBody && { body: JSON.stringify(req.data) }), timeoutMs },
  };
}
