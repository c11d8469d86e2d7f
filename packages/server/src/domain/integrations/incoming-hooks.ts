/**
 * Incoming webhooks (docs/integrations.md §7, §10, §11): one pipeline for the three URL forms — find and
 * authenticate the integration, check it is enabled and within its rate, parse the body, run the
 * script, post through the IntegrationPoster, and record history. Every answer is a HookResponse in
 * the conventions of the form the request came through; the routes only write it out.
 */
import { timingSafeEqual } from 'node:crypto';
import type { CoreContext } from '../context.js';
import type { User } from '../model.js';
import { DomainError } from '../errors.js';
import { INCOMING, type StoredIntegration } from './document.js';
import { IntegrationError } from './errors.js';
import { HookError, hookError, hookErrorResponse, toHookError, type HookFlavor, type HookResponse } from './hook-errors.js';
import { parseIncomingBody } from './incoming-body.js';
import { newTrace, writeIncomingHistory, type IncomingTrace } from './incoming-history.js';
import { takeHookToken } from './incoming-rate-limit.js';
import {
  applyIncomingScriptResult,
  incomingPostResponse,
  incomingScriptMode,
  incomingScriptRequest,
  interpretIncomingPayload,
  type IncomingOutcome,
  type UserRef,
} from './incoming-script-result.js';
import { samplePayloads } from './outgoing-payload.js';
import type { IntegrationPoster } from './poster.js';
import type { RolePermissions } from './roles.js';
import type { IntegrationScripts } from './scripts-port.js';
import { roomByRef } from './room-ref.js';

export interface IncomingHooksOptions {
  scripts: IntegrationScripts;
  poster: IntegrationPoster;
  roles: RolePermissions;
  /** §7.2: per-hook (and per-IP) limits; off in tests */
  rateLimits: boolean;
}

/** One request to a hook URL, as the route saw it. */
export interface IncomingHookRequest {
  flavor: HookFlavor;
  /** absent for Pumble's `postMessage/{code}` form, which names only the token */
  integrationId?: string;
  /** as it appeared in the URL (still percent-encoded) */
  token: string;
  /** Pumble forms: the workspace in the URL */
  workspaceId?: string;
  method: string;
  /** path and query as received */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  rawBody: string;
}

export type HookRestAction = 'info' | 'sample' | 'add' | 'remove';

/** Integration management's REST-hook subscriptions (§7.1 add/remove), implemented by Integrations. */
export interface RestHooks {
  addRestHook(hook: StoredIntegration, body: Record<string, unknown>): Promise<unknown>;
  removeRestHook(hook: StoredIntegration, targetUrl: string): Promise<void>;
}

/** Compares two secrets in time that depends only on their lengths (§7.2). */
function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  if (a.length !== b.length) {
    timingSafeEqual(b, b); // spend the same time as a real comparison
    return false;
  }
  return timingSafeEqual(a, b);
}

function decodeToken(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined; // malformed escapes match no token
  }
}

export class IncomingHooks {
  constructor(
    readonly ctx: CoreContext,
    readonly opts: IncomingHooksOptions,
  ) {}

  /** §7.1 execute (POST and GET) for every URL form. */
  async execute(req: IncomingHookRequest): Promise<HookResponse> {
    const { flavor } = req;
    let hook: StoredIntegration;
    try {
      hook = await this.authenticate(req);
    } catch (err) {
      if (!isRefusal(err)) throw err; // the route logs it and answers 500 in the form's conventions
      return this.failure(toHookError(err), flavor);
    }
    const { doc } = hook;
    const trace = newTrace(req.headers, this.ctx.now());
    if (doc.enabled !== true) return this.finish(hook, trace, this.failure(hookError.disabled(), flavor));
    const limit = this.opts.rateLimits ? await takeHookToken(this.ctx.limiter, doc, flavor, this.ctx.now()) : undefined;
    // Rate-limited requests leave no history: a flood must not turn into a flood of writes.
    if (limit?.refused) return withHeaders(this.failure(limit.refused, flavor), limit.headers);
    let response: HookResponse;
    try {
      response = await this.run(hook, req, trace);
    } catch (err) {
      response = this.failure(toHookError(err), flavor);
      trace.error ??= err instanceof HookError ? errorText(err) : err instanceof Error ? err.message : String(err);
      if (!isRefusal(err)) {
        // A server failure: recorded, then left to the route, which logs it and answers 500.
        await this.finish(hook, trace, response);
        throw err;
      }
    }
    // The bucket's state on every answer, as Slack's and GitHub's APIs do, so a sender can pace itself.
    return withHeaders(await this.finish(hook, trace, response), limit?.headers);
  }

  /**
   * §7.1 `/hooks/info|sample|add|remove/{integrationId}/{token}`: authenticated by the hook like an
   * execution, nothing posted. The REST-hook subscriptions themselves are integration management's.
   */
  async rest(action: HookRestAction, req: IncomingHookRequest, restHooks: RestHooks): Promise<HookResponse> {
    let hook: StoredIntegration;
    try {
      hook = await this.authenticate(req);
    } catch (err) {
      if (!isRefusal(err)) throw err;
      return this.failure(toHookError(err), req.flavor);
    }
    const limit = this.opts.rateLimits ? await takeHookToken(this.ctx.limiter, hook.doc, req.flavor, this.ctx.now()) : undefined;
    if (limit?.refused) return withHeaders(this.failure(limit.refused, req.flavor), limit.headers);
    return withHeaders(await this.restAction(action, hook, req, restHooks), limit?.headers);
  }

  private async restAction(action: HookRestAction, hook: StoredIntegration, req: IncomingHookRequest, restHooks: RestHooks): Promise<HookResponse> {
    try {
      if (action === 'info') return ok({ success: true });
      if (action === 'sample') return ok(await this.samples(hook));
      const parsed = parseIncomingBody({ method: req.method, contentType: header(req.headers, 'content-type'), raw: req.rawBody });
      if (!parsed.ok) return this.failure(parsed.error, req.flavor);
      if (action === 'add') await restHooks.addRestHook(hook, parsed.content);
      else await restHooks.removeRestHook(hook, typeof parsed.content.target_url === 'string' ? parsed.content.target_url : '');
      return ok({ success: true });
    } catch (err) {
      // Integration management's own errors keep their Rocket.Chat form (§3).
      if (err instanceof IntegrationError) {
        return { status: 400, type: 'json', body: { success: false, error: err.message, ...(err.errorType && { errorType: err.errorType }), ...(err.details && { details: err.details }) } };
      }
      if (!isRefusal(err)) throw err;
      return this.failure(toHookError(err), req.flavor);
    }
  }

  /** §7.2 step 1: by id (or, Pumble's code form, by token within the workspace), token compared in constant time. */
  private async authenticate(req: IncomingHookRequest): Promise<StoredIntegration> {
    const token = decodeToken(req.token);
    // An id from the URL holding a NUL names no hook (PostgreSQL could not even look it up: a 500).
    if (req.integrationId?.includes('\u0000') || req.workspaceId?.includes('\u0000')) throw hookError.unknownIntegration();
    if (req.integrationId === undefined) {
      if (!req.workspaceId || token === undefined) throw hookError.unknownIntegration();
      // Found by the token's hash, then compared in constant time: the lookup tells nothing of how close a guess was.
      const doc = (await this.ctx.store.integrations.byToken(req.workspaceId, INCOMING, token)).find((d) => sameSecret(token, d.token));
      if (!doc) throw hookError.unknownIntegration();
      return { workspaceId: req.workspaceId, doc };
    }
    const hook = await this.ctx.store.integrations.find(req.integrationId);
    if (!hook || hook.doc.type !== INCOMING || (req.workspaceId !== undefined && hook.workspaceId !== req.workspaceId)) {
      throw hookError.unknownIntegration();
    }
    if (token === undefined || !sameSecret(token, hook.doc.token)) throw hookError.wrongToken();
    return hook;
  }

  /** §7.3–§7.4 after authentication: parse, script, post. */
  private async run(hook: StoredIntegration, req: IncomingHookRequest, trace: IncomingTrace): Promise<HookResponse> {
    const { doc, workspaceId } = hook;
    const { flavor } = req;
    const parsed = parseIncomingBody({ method: req.method, contentType: header(req.headers, 'content-type'), raw: req.rawBody });
    if (!parsed.ok) throw parsed.error;
    const content = parsed.content;
    if (hasNul(content)) throw nulRefused();
    trace.data = content;

    const postAs = await this.ctx.store.user(workspaceId, doc.userId);
    if (!postAs || postAs.status !== 'ACTIVATED') throw hookError.userNotFound();

    const mode = incomingScriptMode(doc, this.opts.scripts.setting);
    if (mode instanceof HookError) throw mode;
    // §10/§11: Slack and Pumble senders that send nothing get their "no text" error, not a silent 200.
    if (flavor !== 'hooks' && mode === 'none' && Object.keys(content).length === 0) throw hookError.nothingToPost();
    const context = { integration: doc, flavor };
    let outcome: IncomingOutcome;
    if (mode === 'run') {
      outcome = applyIncomingScriptResult(context, await this.runScript(hook, req, content, postAs, trace));
      trace.step = 'script-result';
    } else {
      outcome = interpretIncomingPayload(context, content);
    }
    if (outcome.kind === 'error') throw outcome.error;
    if (outcome.kind === 'respond') return outcome.response;

    if (hasNul(outcome.request)) throw nulRefused(); // a script may have made one
    const user = outcome.user ? await this.scriptUser(workspaceId, outcome.user) : postAs;
    // §11: Pumble senders write Pumble's markup, which is Switchboard's own.
    const request = flavor === 'pumble' ? { ...outcome.request, formattedText: outcome.request.text } : outcome.request;
    const results = await this.opts.poster.post({ workspaceId, integration: doc, user, request });
    const messages = results.flatMap((r) => ('message' in r && r.message ? [{ channel: r.channel, messageId: (r.message as { id: string }).id }] : []));
    if (messages.length > 0) {
      trace.step = 'message-posted';
      trace.messages = messages;
    }
    const failed = results.find((r) => 'error' in r);
    if (failed && 'error' in failed) trace.error = errorText(failed.error);
    return incomingPostResponse(flavor, request, results, outcome.response);
  }

  /** §7.7: `process_incoming_request({request})`; any failure of the script fails closed (§9.2). */
  private async runScript(hook: StoredIntegration, req: IncomingHookRequest, content: Record<string, unknown>, postAs: User, trace: IncomingTrace): Promise<unknown> {
    const request = incomingScriptRequest({
      url: req.url,
      integrationId: hook.doc._id,
      token: decodeToken(req.token) ?? req.token,
      content,
      rawBody: req.rawBody,
      headers: req.headers,
      user: { _id: postAs.id, name: postAs.name, username: postAs.username },
    });
    let run;
    try {
      run = await this.opts.scripts.call(hook.doc, 'process_incoming_request', { request });
    } catch (err) {
      trace.error = err instanceof Error ? err.message : String(err);
      throw hookError.runningScript();
    }
    trace.console.push(...run.console);
    if (run.ok) return run.result;
    trace.error = `${run.error.kind}: ${run.error.name ? `${run.error.name}: ` : ''}${run.error.message}`;
    throw run.error.kind === 'compile' ? hookError.invalidScript() : hookError.runningScript();
  }

  /** §7.4: a script's `user`, by `_id` or `username`; it must be an active user of the workspace. */
  private async scriptUser(workspaceId: string, ref: UserRef): Promise<User> {
    const { store } = this.ctx;
    const user = (ref._id ? await store.user(workspaceId, ref._id) : undefined) ?? (ref.username ? await store.userByUsername(workspaceId, ref.username) : undefined);
    if (!user || user.status !== 'ACTIVATED') throw hookError.userNotFound();
    return user;
  }

  /** §7.1 sample: outgoing-style payloads for the hook's first channel (else the workspace's main one). */
  private async samples(hook: StoredIntegration): Promise<Record<string, unknown>[]> {
    const { store } = this.ctx;
    const first = hook.doc.channel.find((c) => c.startsWith('#'))?.slice(1);
    const channel = (first && (await roomByRef(store, hook.workspaceId, first))) || (await store.mainChannel(hook.workspaceId));
    return samplePayloads({ token: hook.doc.token, channelId: channel?.id ?? '', userId: hook.doc.userId, now: this.ctx.now() });
  }

  /** The wire form of a failure; the Pumble form answers 404 for any unknown or wrong webhook (§11). */
  private failure(err: HookError, flavor: HookFlavor): HookResponse {
    const response = hookErrorResponse(err, flavor);
    if (flavor === 'pumble' && (err.slack === 'no_service' || err.slack === 'invalid_token')) return { ...response, status: 404 };
    return response;
  }

  private async finish(hook: StoredIntegration, trace: IncomingTrace, response: HookResponse): Promise<HookResponse> {
    trace.httpStatus = response.status;
    if (response.status >= 400) trace.step = 'rejected';
    await writeIncomingHistory(this.ctx, hook.workspaceId, hook.doc, trace);
    return response;
  }
}

/** Refusals the pipeline answers itself; anything else is a server failure. */
const isRefusal = (err: unknown): boolean => err instanceof HookError || err instanceof DomainError;

/**
 * The server refuses NUL characters in every body (PostgreSQL cannot store them in text; the global
 * body inspection does not run on these routes, which read raw bodies), so hooks do too.
 */
function hasNul(value: unknown): boolean {
  // Iterative: a crafted body must not exhaust the stack. The 1 MiB body bounds the walk.
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return true;
    } else if (Array.isArray(v)) {
      for (const item of v) stack.push(item);
    } else if (v !== null && typeof v === 'object') {
      for (const [k, item] of Object.entries(v)) stack.push(k, item);
    }
  }
  return false;
}
const nulRefused = () => hookError.invalidPayload('The payload must not contain NUL (\\u0000) characters');

const ok = (body: unknown): HookResponse => ({ status: 200, type: 'json', body });

/** The response with `headers` added (the rate limit's, docs/delivery.md §10); its own win on a clash (Retry-After). */
function withHeaders(response: HookResponse, headers: Record<string, string> | undefined): HookResponse {
  return headers ? { ...response, headers: { ...headers, ...response.headers } } : response;
}

function header(headers: IncomingHookRequest['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function errorText(err: HookError): string {
  return typeof err.error === 'string' ? err.error : JSON.stringify(err.error);
}
