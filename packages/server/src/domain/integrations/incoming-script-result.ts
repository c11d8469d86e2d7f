/**
 * The decisions of the incoming pipeline around the script (docs/integrations.md §7.4, §7.7, §10): whether
 * a script runs or the hook fails closed, what the JSON value a script returned means, and which
 * failure, if any, a post comes to. The sandbox and the posting are the caller's; these are the rules.
 * How the outcome is answered is each URL form's surface's (docs/architecture.md §3.1).
 */
import { hookError, HookError, type HookFlavor } from './hook-errors.js';
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
  /** a success with nothing to post */
  | { kind: 'accepted' }
  | { kind: 'error'; error: HookError };

export interface IncomingHookContext {
  integration: IncomingIntegrationConfig;
  flavor?: HookFlavor;
  options?: Omit<NormalizeOptions, 'flavor'>;
}

function toPost(ctx: IncomingHookContext, payload: Record<string, unknown>, extra: { response?: unknown; user?: UserRef } = {}): IncomingOutcome {
  try {
    const flavor = ctx.flavor ?? 'hooks';
    // `/hooks` answers a payload without text or attachments as a post (§7.4); the other forms refuse it.
    const request = normalizeIncomingPayload(payload, ctx.integration, { ...ctx.options, flavor, allowEmpty: flavor === 'hooks' });
    return { kind: 'post', request, ...(extra.response !== undefined && { response: extra.response }), ...(extra.user && { user: extra.user }) };
  } catch (err) {
    if (err instanceof HookError) return { kind: 'error', error: err };
    throw err;
  }
}

/** §7.4 step 4: without a script, an empty payload is a successful no-op; anything else is normalized. */
export function interpretIncomingPayload(ctx: IncomingHookContext, payload: Record<string, unknown>): IncomingOutcome {
  if (Object.keys(payload).length === 0) return { kind: 'accepted' };
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
 * §7.4 step 3, what `process_incoming_request` returned (a JSON value, already copied out of the sandbox),
 * as the reference reads it: falsy → accepted, nothing posted; a truthy `error` → refused with that error;
 * otherwise `content` must be an object (an array counts as one without fields), else the reference
 * fails with `error-running-script` (it reads `'separateResponse' in content`) — so does a result
 * without `content`, e.g. `{response}` alone or `true`. `content` replaces the payload; without text or
 * attachments it is answered as a post and nothing is stored (see NormalizeOptions.allowEmpty).
 * A `user` that is present but names no one is `user_not_found`, not silently ignored.
 */
export function applyIncomingScriptResult(ctx: IncomingHookContext, result: unknown): IncomingOutcome {
  if (!result) return { kind: 'accepted' };
  const fields = isPlainObject(result) ? result : {};
  if (fields.error) {
    const e = fields.error;
    return { kind: 'error', error: hookError.scriptReturnedError(isPlainObject(e) ? e : typeof e === 'string' ? e : String(e)) };
  }
  const content = fields.content;
  if (typeof content !== 'object' || content === null) return { kind: 'error', error: hookError.runningScript() };
  let user: UserRef | undefined;
  if (fields.user !== undefined && fields.user !== null) {
    user = userRef(fields.user);
    if (!user) return { kind: 'error', error: hookError.userNotFound() };
  }
  const payload = isPlainObject(content) ? content : {};
  return toPost(ctx, payload, { response: fields.response, ...(user && { user }) });
}

/**
 * The result of one destination, as `separateResponse` reports it (§7.4 step 8). `message` is null
 * when the request had nothing to show and nothing was stored (NormalizeOptions.allowEmpty).
 */
export type ChannelResult = { channel: string; message: unknown } | { channel: string; error: HookError };

/**
 * Which failure, if any, is the whole answer once every destination was tried, in the reference's
 * order: no destination at all is `unknown-error`; without `separateResponse` a failure anywhere is
 * the answer (the caller validated all destinations first and posted nothing); with it, only when
 * every destination failed. Slack and Pumble senders get this or success; `/hooks` with
 * `separateResponse` lists each destination's result instead (its surface's rule, §7.4 step 8).
 */
export function failureAnswering(separateResponse: boolean, results: readonly ChannelResult[]): HookError | undefined {
  if (results.length === 0) return hookError.nothingToPost();
  const failures = results.flatMap((r) => ('error' in r ? [r.error] : []));
  const allFailed = failures.length === results.length;
  return allFailed || !separateResponse ? failures[0] : undefined;
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
