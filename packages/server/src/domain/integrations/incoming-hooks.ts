/**
 * Incoming webhooks (docs/integrations.md §7, §10, §11): one pipeline for the three URL forms — find and
 * authenticate the integration, check it is enabled and within its rate, read the payload, run the
 * script, post through the IntegrationPoster, and record history. The pipeline says what became of a
 * request (`IncomingHookOutcome`); the surface of the form it came through answers it in that form's
 * conventions (docs/architecture.md §3.1, §3.3) and hands the answer back, since history records the
 * status the sender got (§8.9).
 */
import { timingSafeEqual } from 'node:crypto';
import type { CoreContext } from '../context.js';
import type { User } from '../model.js';
import { DomainError } from '../errors.js';
import { INCOMING, type StoredIntegration } from './document.js';
import { IntegrationError } from './errors.js';
import { HookError, hookError, hookErrorText, toHookError, type HookFlavor } from './hook-errors.js';
import { newTrace, writeIncomingHistory, type IncomingTrace } from './incoming-history.js';
import { takeHookToken, type HookQuota } from './incoming-rate-limit.js';
import {
  applyIncomingScriptResult,
  incomingScriptMode,
  incomingScriptRequest,
  interpretIncomingPayload,
  type ChannelResult,
  type IncomingOutcome,
  type UserRef,
} from './incoming-script-result.js';
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

/** The payload of a request as its surface read it from the body (§7.3), or why it could not be read. */
export type PayloadRead = { ok: true; content: Record<string, unknown> } | { ok: false; error: HookError };

/** One request to a hook URL, as the route saw it. */
export interface IncomingHookRequest {
  flavor: HookFlavor;
  /** absent for Pumble's `postMessage/{code}` form, which names only the token */
  integrationId?: string;
  /** as it appeared in the URL (still percent-encoded) */
  token: string;
  /** Pumble forms: the workspace in the URL */
  workspaceId?: string;
  /** path and query as received */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  /** the body as received: the script's `content_raw` (§7.7) */
  rawBody: string;
  /** the payload, read only once the hook is known (a request that names no hook is never parsed) */
  payload: () => PayloadRead;
}

/** What became of one request to a hook URL (§7.4 step 8), for its surface to answer. */
export type IncomingHookResult =
  /** refused, or failed; nothing (more) was posted */
  | { kind: 'failed'; error: HookError }
  /** a success with nothing to post: an empty payload without a script, or a script that returned nothing */
  | { kind: 'accepted' }
  /** posted to each destination, or tried to: `results` per destination, `scriptResponse` the script's `response` */
  | { kind: 'posted'; separateResponse: boolean; results: readonly ChannelResult[]; scriptResponse?: unknown };

/** The result with the state of the integration's bucket, for the answer's rate-limit headers (docs/delivery.md §10). */
export type IncomingHookOutcome = IncomingHookResult & { quota?: HookQuota };

/** An answer as history needs to know it: the status the sender got. */
export interface HookAnswer {
  status: number;
}

export type HookRestAction = 'info' | 'sample' | 'add' | 'remove';

/** What a REST-hook request (§7.1 info, sample, add, remove) came to. */
export type RestHookOutcome = (
  | { kind: 'failed'; error: HookError }
  /** integration management refused the subscription (§3) */
  | { kind: 'refused'; error: IntegrationError }
  | { kind: 'done' }
  /** `sample`: what its example payloads are made of */
  | { kind: 'sampled'; sample: HookSample }
) & { quota?: HookQuota };

/** §7.1 sample: the hook's token, a channel of it (else the workspace's main one), its post-as user, and now. */
export interface HookSample {
  token: string;
  channelId: string;
  userId: string;
  now: number;
}

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

  /**
   * §7.1 execute (POST and GET) for every URL form. `answer` is how the form answers an outcome (its
   * surface's); the answer is recorded in history and returned.
   */
  async execute<A extends HookAnswer>(req: IncomingHookRequest, answer: (outcome: IncomingHookOutcome) => A): Promise<A> {
    let hook: StoredIntegration;
    try {
      hook = await this.authenticate(req);
    } catch (err) {
      if (!isRefusal(err)) throw err; // the route logs it and answers 500 in the form's conventions
      return answer(failed(toHookError(err)));
    }
    const { doc } = hook;
    const trace = newTrace(req.headers, this.ctx.now());
    if (doc.enabled !== true) return this.finish(hook, trace, answer(failed(hookError.disabled())));
    const limit = this.opts.rateLimits ? await takeHookToken(this.ctx.limiter, doc, req.flavor, this.ctx.now()) : undefined;
    const quota = limit && { quota: limit.quota };
    // Rate-limited requests leave no history: a flood must not turn into a flood of writes.
    if (limit?.refused) return answer({ ...failed(limit.refused), ...quota });
    let result: IncomingHookResult;
    try {
      result = await this.run(hook, req, trace);
    } catch (err) {
      result = failed(toHookError(err));
      trace.error ??= err instanceof HookError ? hookErrorText(err) : err instanceof Error ? err.message : String(err);
      if (!isRefusal(err)) {
        // A server failure: recorded, then left to the route, which logs it and answers 500.
        await this.finish(hook, trace, answer(result));
        throw err;
      }
    }
    // The bucket's state on every answer, as Slack's and GitHub's APIs do, so a sender can pace itself.
    return this.finish(hook, trace, answer({ ...result, ...quota }));
  }

  /**
   * §7.1 `/hooks/info|sample|add|remove/{integrationId}/{token}`: authenticated by the hook like an
   * execution, nothing posted. The REST-hook subscriptions themselves are integration management's.
   */
  async rest(action: HookRestAction, req: IncomingHookRequest, restHooks: RestHooks): Promise<RestHookOutcome> {
    let hook: StoredIntegration;
    try {
      hook = await this.authenticate(req);
    } catch (err) {
      if (!isRefusal(err)) throw err;
      return failed(toHookError(err));
    }
    const limit = this.opts.rateLimits ? await takeHookToken(this.ctx.limiter, hook.doc, req.flavor, this.ctx.now()) : undefined;
    const quota = limit && { quota: limit.quota };
    if (limit?.refused) return { ...failed(limit.refused), ...quota };
    return { ...(await this.restAction(action, hook, req, restHooks)), ...quota };
  }

  private async restAction(action: HookRestAction, hook: StoredIntegration, req: IncomingHookRequest, restHooks: RestHooks): Promise<RestHookOutcome> {
    try {
      if (action === 'info') return { kind: 'done' };
      if (action === 'sample') return { kind: 'sampled', sample: await this.sample(hook) };
      const parsed = req.payload();
      if (!parsed.ok) return failed(parsed.error);
      if (action === 'add') await restHooks.addRestHook(hook, parsed.content);
      else await restHooks.removeRestHook(hook, typeof parsed.content.target_url === 'string' ? parsed.content.target_url : '');
      return { kind: 'done' };
    } catch (err) {
      // Integration management's own errors keep their meaning (§3).
      if (err instanceof IntegrationError) return { kind: 'refused', error: err };
      if (!isRefusal(err)) throw err;
      return failed(toHookError(err));
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

  /** §7.3–§7.4 after authentication: read, script, post. */
  private async run(hook: StoredIntegration, req: IncomingHookRequest, trace: IncomingTrace): Promise<IncomingHookResult> {
    const { doc, workspaceId } = hook;
    const { flavor } = req;
    const parsed = req.payload();
    if (!parsed.ok) throw parsed.error;
    const content = parsed.content;
    if (hasNul(content)) throw nulRefused();
    trace.data = content;

    const postAs = await this.ctx.store.user(workspaceId, doc.userId);
    if (!postAs || postAs.status !== 'ACTIVATED') throw hookError.userNotFound();

    const mode = incomingScriptMode(doc, this.opts.scripts.setting);
    if (mode instanceof HookError) throw mode;
    // §10/§11: Slack and Pumble senders that send nothing get their "no text" error, not a silent success.
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
    if (outcome.kind === 'accepted') return outcome;

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
    const failure = results.find((r) => 'error' in r);
    if (failure && 'error' in failure) trace.error = hookErrorText(failure.error);
    return {
      kind: 'posted',
      separateResponse: request.separateResponse,
      results,
      ...(outcome.response !== undefined && { scriptResponse: outcome.response }),
    };
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

  /** §7.1 sample: what the example payloads are made of — the hook's first channel (else the workspace's main one). */
  private async sample(hook: StoredIntegration): Promise<HookSample> {
    const { store } = this.ctx;
    const first = hook.doc.channel.find((c) => c.startsWith('#'))?.slice(1);
    const channel = (first && (await roomByRef(store, hook.workspaceId, first))) || (await store.mainChannel(hook.workspaceId));
    return { token: hook.doc.token, channelId: channel?.id ?? '', userId: hook.doc.userId, now: this.ctx.now() };
  }

  /** History records the status the sender got, and a refusal as `rejected` (§8.9). */
  private async finish<A extends HookAnswer>(hook: StoredIntegration, trace: IncomingTrace, answer: A): Promise<A> {
    trace.httpStatus = answer.status;
    if (answer.status >= 400) trace.step = 'rejected';
    await writeIncomingHistory(this.ctx, hook.workspaceId, hook.doc, trace);
    return answer;
  }
}

const failed = (error: HookError) => ({ kind: 'failed' as const, error });

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
