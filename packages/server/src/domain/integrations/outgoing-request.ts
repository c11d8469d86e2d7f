/**
 * What a `prepare_outgoing_request` script may do to an outgoing call (docs/integrations.md §8.8): the
 * default prepared request handed to the script and the meaning of its result. The HTTP call made of a
 * prepared request is the Rocket.Chat surface's rendering (surfaces/rocketchat/outgoing/request.ts,
 * handed in through OutgoingRenderer, docs/architecture.md §3.1); the SSRF guard, signing and sending
 * are the delivery layer's.
 */

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

/** The request to send, headers as strings (§8.5). */
export interface HttpCall {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
}

export type HttpCallResult = { ok: true; call: HttpCall } | { ok: false; error: 'invalid-auth' | 'invalid-url' };
