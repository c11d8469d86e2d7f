/**
 * What a script's return value means — pure functions over the JSON copy ScriptRunner.call returns.
 *
 * - interpretIncomingResult: `process_incoming_request`, integrations.md §7.4 step 3 / §7.7
 * - interpretPrepareOutgoing: `prepare_outgoing_request`, §8.8
 * - interpretProcessOutgoingResponse: `process_outgoing_response`, §8.6 step 3
 *
 * Script failures (the runner's `ok: false`) are the caller's: `error-running-script` for incoming,
 * `execute-script-error-running-<method>` for outgoing.
 */

type JsonObject = Record<string, unknown>;

const isObject = (v: unknown): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);

// ---- incoming ----------------------------------------------------------------------------------

export type IncomingScriptOutcome =
  /** falsy result: answer 200 `{success: true}` (or `response` when given), post nothing */
  | { kind: 'ignore'; response?: unknown }
  /** `{error: X}`: answer 400 with `body` */
  | { kind: 'error'; body: JsonObject }
  /** `{content, response?, user?}`: `content` replaces the payload */
  | { kind: 'message'; content: JsonObject; response?: unknown; user?: { _id?: string; username?: string } };

/**
 * §7.4 step 3. Decisions where the spec is silent: a truthy result whose `content` is not an object
 * posts nothing (200, with `response` if given); `error` counts only when truthy, as in Rocket.Chat;
 * `user` counts only when it names an `_id` or `username` (strings) — resolving it is the caller's.
 */
export function interpretIncomingResult(result: unknown): IncomingScriptOutcome {
  if (!result) return { kind: 'ignore' };
  if (!isObject(result)) return { kind: 'ignore' };
  if (result.error) {
    const error = result.error;
    return { kind: 'error', body: isObject(error) ? { ...error, success: false } : { success: false, error } };
  }
  const response = result.response;
  if (!isObject(result.content)) return response === undefined ? { kind: 'ignore' } : { kind: 'ignore', response };
  const outcome: IncomingScriptOutcome = { kind: 'message', content: result.content };
  if (response !== undefined) outcome.response = response;
  const user = result.user;
  if (isObject(user)) {
    const picked: { _id?: string; username?: string } = {};
    if (typeof user._id === 'string' && user._id !== '') picked._id = user._id;
    if (typeof user.username === 'string' && user.username !== '') picked.username = user.username;
    if (picked._id !== undefined || picked.username !== undefined) outcome.user = picked;
  }
  return outcome;
}

// ---- outgoing: prepare_outgoing_request ---------------------------------------------------------

/** §8.5: a script may set `timeout`, capped at 30 s. */
export const MAX_OUTGOING_TIMEOUT_MS = 30_000;

export interface PreparedOutgoingRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  /** the body to send as JSON; absent → no body and no content type (§12.3 #28) */
  data?: unknown;
  /** ms, at most MAX_OUTGOING_TIMEOUT_MS */
  timeoutMs?: number;
}

export type PrepareOutgoingOutcome =
  /** nothing returned: `after-prepare-no-opts`, no call */
  | { kind: 'cancel' }
  /** no `url` or no `method`: post `message` if any (`after-prepare-send-message`), then `after-prepare-no-url_or_method` */
  | { kind: 'stop'; message?: JsonObject }
  /** `auth` without ":": error `invalid-auth`, no call (the message, if any, is still posted first) */
  | { kind: 'invalid-auth'; message?: JsonObject }
  /** make the call (after posting `message`, if any) */
  | { kind: 'request'; message?: JsonObject; request: PreparedOutgoingRequest };

/** §8.8 `prepare_outgoing_request`. The returned object replaces the default request entirely. */
export function interpretPrepareOutgoing(result: unknown): PrepareOutgoingOutcome {
  if (!result || !isObject(result)) return { kind: 'cancel' };
  const message = isObject(result.message) ? result.message : undefined;
  const withMessage = <T extends object>(o: T): T & { message?: JsonObject } => (message ? { ...o, message } : o);
  const { url, method } = result;
  if (typeof url !== 'string' || url === '' || typeof method !== 'string' || method === '') return withMessage({ kind: 'stop' as const });

  const headers: Record<string, string> = {};
  if (isObject(result.headers)) {
    for (const [name, value] of Object.entries(result.headers)) {
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') headers[name] = String(value);
    }
  }
  if (result.auth !== undefined && result.auth !== null && result.auth !== '') {
    if (typeof result.auth !== 'string' || !result.auth.includes(':')) return withMessage({ kind: 'invalid-auth' as const });
    for (const name of Object.keys(headers)) if (name.toLowerCase() === 'authorization') delete headers[name];
    headers.Authorization = `Basic ${Buffer.from(result.auth, 'utf8').toString('base64')}`;
  }
  const request: PreparedOutgoingRequest = { url, method: method.toUpperCase(), headers };
  if (result.data !== undefined && result.data !== null) request.data = result.data;
  if (typeof result.timeout === 'number' && Number.isFinite(result.timeout) && result.timeout > 0) {
    request.timeoutMs = Math.min(result.timeout, MAX_OUTGOING_TIMEOUT_MS);
  }
  return withMessage({ kind: 'request' as const, request });
}

// ---- outgoing: process_outgoing_response ---------------------------------------------------------

export type ProcessOutgoingResponseOutcome =
  /** `{content: msg}`: post msg (`after-process-send-message`), done */
  | { kind: 'post'; content: JsonObject }
  /** `false`: stop (`after-process-false-result`) */
  | { kind: 'stop' }
  /** anything else: continue with the default response handling (§8.6 steps 4–6) */
  | { kind: 'continue' };

/** §8.6 step 3. */
export function interpretProcessOutgoingResponse(result: unknown): ProcessOutgoingResponseOutcome {
  if (result === false) return { kind: 'stop' };
  if (isObject(result) && isObject(result.content)) return { kind: 'post', content: result.content };
  return { kind: 'continue' };
}
