/**
 * The decisions of the incoming pipeline around the script (integrations.md §7.4, §7.7, §10): whether
 * a script runs or the hook fails closed, what the JSON value a script returned means, and the
 * answer sent once posting is done. The sandbox and the posting are the caller's; these are the rules.
 */
import { hookError, hookErrorResponse, HookError, type HookFlavor, type HookResponse } from './hook-errors.js';
import { normalizeIncomingPayload, type IncomingIntegrationConfig, type IncomingPostRequest, type NormalizeOptions } from './incoming-payload.js';

/** §9.4 server setting `integrations.scripts`. */
export type ScriptsSetting = 'enabled' | 'frozen' | 'disabled';

export interface IncomingScriptConfig {
  scriptEnabled?: boolean;
  script?: string;
  scriptCompiled?: string;
  scriptError?: unknown;
}

/**
 * §7.4 step 3: `none` when there is no script to run (disabled, or enabled but blank — the upstream
 * suite relies on that), `run`, or the error to fail closed with (scripts off server-wide, or the
 * script did not compile) — never silently posting the raw payload instead (§13).
 */
export function incomingScriptMode(integration: IncomingScriptConfig, setting: ScriptsSetting = 'enabled'): 'none' | 'run' | HookError {
  if (integration.scriptEnabled !== true || !integration.script || integration.script.trim() === '') return 'none';
  if (setting === 'disabled') return hookError.scriptsDisabled();
  if (integration.scriptError || !integration.scriptCompiled) return hookError.invalidScript();
  return 'run';
}

/** A script's `user`: resolved by `_id` or `username`; a bare string may be either. */
export interface UserRef {
  _id?: string;
  username?: string;
}

export type IncomingOutcome =
  /** post this; `response` (from a script) shapes the success body, `user` replaces the posting user */
  | { kind: 'post'; request: IncomingPostRequest; response?: unknown; user?: UserRef }
  /** answer this, post nothing */
  | { kind: 'respond'; response: HookResponse }
  | { kind: 'error'; error: HookError };

export interface IncomingHookContext {
  integration: IncomingIntegrationConfig;
  flavor?: HookFlavor;
  options?: Omit<NormalizeOptions, 'flavor'>;
}

/** §7.4 step 8 / §10 / §11: what a successful hook answers. A script's `response` object gets `success: true` added, as upstream. */
export function incomingSuccess(flavor: HookFlavor = 'hooks', scriptResponse?: unknown): HookResponse {
  if (flavor === 'slack') return { status: 200, type: 'text', body: 'ok' };
  if (flavor === 'pumble') return { status: 200, type: 'json', body: {} };
  if (scriptResponse === undefined || scriptResponse === null) return { status: 200, type: 'json', body: { success: true } };
  if (typeof scriptResponse === 'object' && !Array.isArray(scriptResponse)) {
    return { status: 200, type: 'json', body: { ...(scriptResponse as Record<string, unknown>), success: true } };
  }
  return { status: 200, type: 'json', body: scriptResponse };
}

function toPost(ctx: IncomingHookContext, payload: Record<string, unknown>, extra: { response?: unknown; user?: UserRef } = {}): IncomingOutcome {
  try {
    const request = normalizeIncomingPayload(payload, ctx.integration, { ...ctx.options, flavor: ctx.flavor ?? 'hooks' });
    return { kind: 'post', request, ...(extra.response !== undefined && { response: extra.response }), ...(extra.user && { user: extra.user }) };
  } catch (err) {
    if (err instanceof HookError) return { kind: 'error', error: err };
    throw err;
  }
}

/** §7.4 step 4: without a script, an empty payload is a successful no-op; anything else is normalized. */
export function interpretIncomingPayload(ctx: IncomingHookContext, payload: Record<string, unknown>): IncomingOutcome {
  if (Object.keys(payload).length === 0) return { kind: 'respond', response: incomingSuccess(ctx.flavor) };
  return toPost(ctx, payload);
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function userRef(v: unknown): UserRef | undefined {
  if (typeof v === 'string' && v !== '') return { _id: v, username: v };
  if (!isPlainObject(v)) return undefined;
  const ref: UserRef = {
    ...(typeof v._id === 'string' && v._id !== '' && { _id: v._id }),
    ...(typeof v.username === 'string' && v.username !== '' && { username: v.username }),
  };
  return ref._id || ref.username ? ref : undefined;
}

/**
 * §7.4 step 3, what `process_incoming_request` returned (a JSON value, already copied out of the sandbox):
 * falsy → 200 and nothing posted; `{error}` → 400 with that error; `{content, response?, user?}` →
 * `content` replaces the payload; a truthy result without `content` posts nothing (as upstream).
 * A `user` that is present but names no one is `user_not_found`, not silently ignored.
 */
export function applyIncomingScriptResult(ctx: IncomingHookContext, result: unknown): IncomingOutcome {
  const flavor = ctx.flavor ?? 'hooks';
  if (!result) return { kind: 'respond', response: incomingSuccess(flavor) };
  if (!isPlainObject(result)) return { kind: 'respond', response: incomingSuccess(flavor) };
  if (result.error) {
    const e = result.error;
    return { kind: 'error', error: hookError.scriptReturnedError(isPlainObject(e) ? e : typeof e === 'string' ? e : String(e)) };
  }
  if (!result.content) return { kind: 'respond', response: incomingSuccess(flavor) };
  let user: UserRef | undefined;
  if (result.user !== undefined && result.user !== null) {
    user = userRef(result.user);
    if (!user) return { kind: 'error', error: hookError.userNotFound() };
  }
  // Content that is not an object has no fields: it posts nothing (`unknown-error`).
  const payload = isPlainObject(result.content) ? result.content : {};
  return toPost(ctx, payload, { response: result.response, ...(user && { user }) });
}

/** The result of one destination, as `separateResponse` reports it (§7.4 step 8). */
export type ChannelResult = { channel: string; message: unknown } | { channel: string; error: HookError };

/**
 * The answer once every destination was tried. Without `separateResponse` a failure anywhere is the
 * answer (the caller validated all destinations first and posted nothing); with it, per-channel results,
 * 400 only when every one failed. Slack tools only ever get `ok` or the first error.
 */
export function incomingPostResponse(
  flavor: HookFlavor,
  request: Pick<IncomingPostRequest, 'separateResponse'>,
  results: readonly ChannelResult[],
  scriptResponse?: unknown,
): HookResponse {
  const failures = results.filter((r): r is { channel: string; error: HookError } => 'error' in r);
  if (results.length === 0) return hookErrorResponse(hookError.nothingToPost(), flavor);
  const allFailed = failures.length === results.length;
  if (flavor !== 'hooks' || !request.separateResponse) {
    const first = failures[0];
    if (first && (allFailed || !request.separateResponse)) return hookErrorResponse(first.error, flavor);
    return incomingSuccess(flavor, scriptResponse);
  }
  const responses = results.map((r) =>
    'error' in r ? { channel: r.channel, error: typeof r.error.error === 'string' ? r.error.error : r.error.message } : r,
  );
  return { status: allFailed ? 400 : 200, type: 'json', body: { success: !allFailed, responses } };
}

/** §7.7: the `request` handed to `process_incoming_request`. */
export interface IncomingScriptRequest {
  url: { hash: string | null; search: string | null; query: Record<string, string | string[]>; pathname: string; path: string };
  url_raw: string;
  url_params: { integrationId: string; token: string };
  content: Record<string, unknown>;
  content_raw: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
  user: { _id: string; name: string; username: string };
}

/**
 * §7.7: the script's view of the request — the URL parsed as Node's legacy `url.parse(u, true)` did
 * (upstream scripts read `request.url.query`), headers with lower-cased names, `content` = `body`.
 */
export function incomingScriptRequest(input: {
  /** path and query as received, e.g. `/hooks/id/token?x=1` */
  url: string;
  integrationId: string;
  token: string;
  content: Record<string, unknown>;
  rawBody: string;
  headers: Record<string, string | string[] | undefined>;
  user: { _id: string; name: string; username: string };
}): IncomingScriptRequest {
  const parsed = new URL(input.url, 'http://localhost');
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(parsed.searchParams.keys())) {
    const all = parsed.searchParams.getAll(key);
    query[key] = all.length === 1 ? all[0]! : all;
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return {
    url: {
      hash: parsed.hash || null,
      search: parsed.search || null,
      query,
      pathname: parsed.pathname,
      path: parsed.pathname + parsed.search,
    },
    url_raw: input.url,
    url_params: { integrationId: input.integrationId, token: input.token },
    content: input.content,
    content_raw: input.rawBody,
    headers,
    body: input.content,
    user: { _id: input.user._id, name: input.user.name, username: input.user.username },
  };
}
