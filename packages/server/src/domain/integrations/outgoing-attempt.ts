/**
 * One attempt of an outgoing-webhook delivery (docs/integrations.md §8.5–§8.9): the prepare script, the
 * HTTP call, the process script, the verdict on the answer and the reply — each step recorded in
 * the attempt's history record. The body and the HTTP call made of a prepared request are the
 * surface's (OutgoingRenderer, docs/architecture.md §3.1); the call itself (signing, SSRF guard,
 * timeouts) is the delivery layer's, handed in as `io.send`; the queue records the attempt and
 * schedules what `next` says.
 */
import type { Delivery } from '../ports/deliveries.js';
import type { Message, User } from '../model.js';
import type { CoreContext } from '../context.js';
import type { IntegrationPoster } from './poster.js';
import type { IntegrationScripts, ScriptRun } from './scripts-port.js';
import { isOutgoingDoc, rebuildOutgoingPayload, matchMessage, type OutgoingDoc, type OutgoingPayload, type OutgoingRenderer, type PayloadReferences } from './outgoing-events.js';
import { OutgoingHistory } from './outgoing-history.js';
import { incomingScriptMode } from './incoming-script-result.js';
import { defaultPreparedRequest, interpretPrepareResult, type HttpCall, type PreparedRequest } from './outgoing-request.js';
import { judgeOutgoingResponse } from './retry-strategy.js';
import { buildReplyRequest, choosePostingUser, interpretProcessResponseResult, processResponseArgument, replyStep, type ReplySource, type TriggerRoom } from './outgoing-reply.js';
import type { MatchMessage } from './outgoing-match.js';
import type { SentMessage } from './history-redaction.js';
import type { IncomingPostRequest } from './incoming-payload.js';

export const PREPARE = 'prepare_outgoing_request';
export const PROCESS = 'process_outgoing_response';

/** The answer to one call, as the delivery layer got it. */
export interface OutgoingHttpResponse {
  /** absent when no answer came (timeout, network error, SSRF guard) */
  status?: number;
  /** every response header, names lower-cased */
  headers: Record<string, string>;
  body: string;
  /** `timeout`, `dns`, `connect`, `tls`, `ssrf-blocked`, `invalid-url`, `too-large` */
  error?: string;
  errorMessage?: string;
  /** a 429's `Retry-After`, in ms */
  retryAfterMs?: number;
  durationMs: number;
}

export interface AttemptIo {
  /** 1-based over the delivery's life */
  n: number;
  /** §8.7's `t`: 0 for the first attempt of the current sequence (a replay starts a new one) */
  t: number;
  /** a replay's attempt: the payload is rendered again from what its ids name today (§6.8) */
  manual: boolean;
  userAgent: string;
  now(): number;
  /** makes the call, signed under the delivery id with the integration's key */
  send(call: HttpCall, integration: OutgoingDoc): Promise<OutgoingHttpResponse>;
}

export type AttemptNext =
  | { status: 'succeeded' }
  | { status: 'failed'; reason: 'exhausted' | 'endpoint-gone' | 'ssrf-blocked' | 'invalid-url' }
  | { status: 'pending'; nextAttemptAt: number };

export type AttemptOutcome =
  /** no call was made and none will be: the integration is gone or off, or its script said no or failed */
  | { kind: 'cancel' }
  /** a call was made; `disable`: the answer was a 410 that disables the integration (§8.6 step 5) */
  | { kind: 'sent'; next: AttemptNext; disable: boolean };

export interface AttemptDeps {
  ctx: CoreContext;
  scripts: IntegrationScripts;
  poster: IntegrationPoster;
  renderer: OutgoingRenderer;
  siteUrl: () => string;
}

/** What the reply rules need of the event that triggered the call, read when first needed. */
class Trigger {
  private roomP: Promise<TriggerRoom | undefined> | undefined;
  private messageP: Promise<Message | undefined> | undefined;

  constructor(
    private readonly deps: AttemptDeps,
    private readonly workspaceId: string,
    /** what the call's body refers to */
    private readonly refs: PayloadReferences,
  ) {}

  room(): Promise<TriggerRoom | undefined> {
    const id = this.refs.channelId;
    return (this.roomP ??= id ? this.deps.ctx.store.channel(this.workspaceId, id).then((c) => c && { id: c.id, type: c.type }) : Promise.resolve(undefined));
  }

  /** the triggering message: its bot tag carries the hop count on (§8.3) */
  async message(): Promise<MatchMessage | undefined> {
    const id = this.refs.messageId;
    this.messageP ??= id ? this.deps.ctx.store.messageById(id) : Promise.resolve(undefined);
    const m = await this.messageP;
    return m && m.workspaceId === this.workspaceId ? matchMessage(m) : undefined;
  }

  async user(id: string | undefined): Promise<User | undefined> {
    const u = id ? await this.deps.ctx.store.user(this.workspaceId, id) : undefined;
    return u?.status === 'ACTIVATED' ? u : undefined;
  }

  triggeringUserId = () => this.refs.userId;
}

const scriptErrorStack = (run: Extract<ScriptRun, { ok: false }>) => run.error.stack || `${run.error.name ?? 'Error'}: ${run.error.message}`;
const errorText = (e: unknown): string => {
  if (typeof e === 'object' && e !== null && 'error' in e && typeof (e as { error: unknown }).error === 'string') return (e as { error: string }).error;
  return e instanceof Error ? e.message : String(e);
};

/** A posted message as history lists it (`[{channel, message}]`); its text only where payloads are kept (§8.9). */
function sentEntry(channel: string, message: unknown, withText: boolean): SentMessage {
  const m = message as Partial<Message> | undefined;
  if (!m || typeof m.id !== 'string') return { channel, message: null };
  return { channel, message: { _id: m.id, rid: m.channelId, ...(withText && { msg: m.text }), ts: new Date(m.createdAt ?? 0).toISOString() } };
}

/**
 * A DM reply's default destination is `@<rid>` (§8.8): the triggering DM itself, not a user. It is
 * handed to the poster as that room's id, so the reply lands in the DM it answers (when the posting
 * user is in it; otherwise the poster refuses, and history records the refusal).
 */
function dmRoomAsRoom(request: IncomingPostRequest, room: TriggerRoom | undefined): IncomingPostRequest {
  if (!room || (room.type !== 'DIRECT' && room.type !== 'SELF')) return request;
  const destinations = request.destinations.map((d) => (d.kind === 'user' && d.ref === room.id ? { ...d, kind: 'bare' as const } : d));
  return { ...request, destinations };
}

type Posted = { ok: true; sent: SentMessage[] } | { ok: false; error: string };
const CANCEL: AttemptOutcome = { kind: 'cancel' };

export async function runOutgoingAttempt(deps: AttemptDeps, d: Delivery, io: AttemptIo): Promise<AttemptOutcome> {
  const found = await deps.ctx.store.integrations.find(d.endpointId);
  // Gone, moved, or switched off since the event: nothing is sent (a disabled integration's queue empties).
  if (!found || found.workspaceId !== d.workspaceId || !isOutgoingDoc(found.doc) || found.doc.enabled !== true) return CANCEL;
  let data = d.payload === null ? undefined : deps.renderer.readPayload(d.payload);
  if (io.manual) {
    const again = await rebuildOutgoingPayload(deps.ctx.store, found.workspaceId, found.doc, d.eventType, data, deps.siteUrl(), io.now(), deps.renderer);
    if (again) data = again;
  }
  if (!data) return CANCEL; // the body was not kept and there is nothing to render it from
  return new AttemptRun(deps, d, io, found.doc, found.workspaceId, data).run();
}

/** One attempt, phase by phase; each phase records its steps in the attempt's history record. */
class AttemptRun {
  private readonly history: OutgoingHistory;
  private readonly trigger: Trigger;
  private readonly refs: PayloadReferences;
  private readonly mode: ReturnType<typeof incomingScriptMode>;

  constructor(
    private readonly deps: AttemptDeps,
    private readonly d: Delivery,
    private readonly io: AttemptIo,
    private readonly doc: OutgoingDoc,
    private readonly ws: string,
    private readonly data: OutgoingPayload,
  ) {
    this.history = new OutgoingHistory(deps.ctx.store, ws, doc, { event: d.eventType, deliveryId: d.id, attempt: io.n }, io.now);
    this.refs = deps.renderer.references(data);
    this.trigger = new Trigger(deps, ws, this.refs);
    this.mode = incomingScriptMode(doc, deps.scripts.setting);
  }

  async run(): Promise<AttemptOutcome> {
    const { triggerWord } = this.refs;
    this.history.set('start-execute-trigger-url');
    await this.history.reach('mapped-args-to-data', { data: this.data, ...(triggerWord !== undefined && { triggerWord }) });
    const request = await this.prepare();
    if (!request) return CANCEL;
    const built = this.deps.renderer.httpCall(request);
    if (!built.ok) {
      await this.history.reach('pre-http-call', { url: this.d.url, error: built.error, finished: true });
      return CANCEL;
    }
    // §8.9: `url` is the integration's URL this delivery goes to (what a replay sends to again).
    await this.history.reach('pre-http-call', { url: this.d.url, httpCallData: request.data });
    const res = await this.io.send(built.call, this.doc);
    this.history.set('after-http-call', {
      httpResult: res.body,
      ...(res.error !== undefined && res.status === undefined && { httpError: { error: res.error, message: res.errorMessage ?? res.error } }),
      durationMs: res.durationMs,
    });
    return (await this.process(request, res)) ?? this.judge(res);
  }

  /** §8.8: the request to send, after `prepare_outgoing_request` if there is one; undefined: no call. */
  private async prepare(): Promise<PreparedRequest | undefined> {
    if (typeof this.mode !== 'string') {
      // Failed to compile, or scripts are off server-wide: fail closed, no call (§9.4).
      await this.history.reach('execute-script-not-compiled', { error: errorText(this.mode), finished: true });
      return undefined;
    }
    let prepared: unknown = defaultPreparedRequest(this.d.url, this.data, this.io.userAgent);
    let ranPrepareScript = false;
    if (this.mode === 'run') {
      this.history.set('execute-script-getting-script');
      if (!(await this.deps.scripts.hasMethod(this.doc, PREPARE))) this.history.set(`execute-script-no-method-${PREPARE}`);
      else {
        const run = await this.script(PREPARE, { request: prepared });
        if (!run.ok) return undefined;
        prepared = run.result;
        ranPrepareScript = true;
      }
    }
    this.history.set('after-maybe-ran-prepare', { ranPrepareScript });
    const plan = interpretPrepareResult(prepared);
    if (plan.kind === 'cancel') {
      await this.history.reach(plan.step, { finished: true });
      return undefined;
    }
    if (plan.message) {
      const posted = await this.post(plan.message);
      await this.recordPost('prepare', posted);
      if (!posted.ok) return undefined;
    }
    if (!plan.request) await this.history.reach(plan.stopStep ?? 'after-prepare-no-url_or_method', { finished: true });
    return plan.request;
  }

  /**
   * §8.6 step 3: `process_outgoing_response`, when the script has it and an answer came. Returns
   * the outcome when the script took the answer over (posted, stopped or failed): the status then
   * only says whether the receiver got the call — no retry, no disabling. Undefined: go on.
   */
  private async process(request: PreparedRequest, res: OutgoingHttpResponse): Promise<AttemptOutcome | undefined> {
    if (this.mode !== 'run' || res.status === undefined || !(await this.deps.scripts.hasMethod(this.doc, PROCESS))) return undefined;
    const ok = res.status >= 200 && res.status < 300;
    const handled: AttemptOutcome = { kind: 'sent', next: ok ? { status: 'succeeded' } : { status: 'failed', reason: 'exhausted' }, disable: false };
    const run = await this.script(PROCESS, processResponseArgument(request, { status: res.status, text: res.body, headers: res.headers }));
    if (!run.ok) return handled;
    const processed = interpretProcessResponseResult(run.result);
    if (processed.kind === 'continue') return undefined;
    if (processed.kind === 'post') await this.recordPost('process', await this.post(processed.message));
    else await this.history.reach(processed.step, { finished: true });
    return handled;
  }

  /** §8.6 steps 4–6, §8.7: success (and the reply), 410, a retry or the end. */
  private async judge(res: OutgoingHttpResponse): Promise<AttemptOutcome> {
    const verdict = judgeOutgoingResponse(
      this.doc,
      {
        ...(res.status !== undefined && { status: res.status }),
        ...(res.error !== undefined && { error: res.error }),
        ...(res.headers['content-type'] !== undefined && { contentType: res.headers['content-type'] }),
        body: res.body,
        ...(res.retryAfterMs !== undefined && { retryAfterMs: res.retryAfterMs }),
      },
      this.io.t,
    );
    switch (verdict.kind) {
      case 'success':
        if (verdict.reply) await this.recordPost('response', await this.post(verdict.reply));
        else await this.history.reach('after-http-call', { finished: true });
        return { kind: 'sent', next: { status: 'succeeded' }, disable: false };
      case 'disable':
        await this.history.reach(verdict.step, { error: true, finished: true });
        return { kind: 'sent', next: { status: 'failed', reason: 'endpoint-gone' }, disable: true };
      case 'retry':
        await this.history.reach(verdict.step, { error: true, finished: true });
        return { kind: 'sent', next: { status: 'pending', nextAttemptAt: this.io.now() + verdict.delayMs }, disable: false };
      case 'fail': {
        await this.history.reach(verdict.step, { error: verdict.error ?? true, finished: true });
        const reason = verdict.error === 'ssrf-blocked' ? 'ssrf-blocked' : verdict.error === 'invalid-url' ? 'invalid-url' : 'exhausted';
        return { kind: 'sent', next: { status: 'failed', reason }, disable: false };
      }
    }
  }

  /** Calls a script method, its console kept; a failure ends the attempt's record (§8.8: it aborts this URL). */
  private async script(method: string, arg: unknown): Promise<ScriptRun> {
    await this.history.reach(`execute-script-before-running-${method}`);
    const run = await this.deps.scripts.call(this.doc, method, arg);
    this.history.addConsole(run.console);
    if (!run.ok) await this.history.reach(`execute-script-error-running-${method}`, { error: true, errorStack: scriptErrorStack(run), finished: true });
    return run;
  }

  /** Posts a reply or script message as §8.8 says; the error when it could not be. */
  private async post(message: Record<string, unknown>): Promise<Posted> {
    const { doc, trigger } = this;
    const user = choosePostingUser(doc, {
      triggeringUser: doc.impersonateUser ? await trigger.user(trigger.triggeringUserId()) : undefined,
      integrationUser: await trigger.user(doc.userId),
    });
    if (!user) return { ok: false, error: 'no-posting-user' };
    try {
      const room = await trigger.room();
      const triggerMessage = await trigger.message();
      const request = dmRoomAsRoom(buildReplyRequest(message, { integration: doc, ...(room && { room }), ...(triggerMessage && { trigger: triggerMessage }) }), room);
      const results = await this.deps.poster.post({ workspaceId: this.ws, integration: doc, user, request });
      const failed = results.find((r): r is Extract<typeof r, { error: unknown }> => 'error' in r);
      if (failed) return { ok: false, error: errorText(failed.error) };
      return { ok: true, sent: results.map((r) => sentEntry(r.channel, 'message' in r ? r.message : undefined, doc.storePayloadsInHistory !== false)) };
    } catch (e) {
      return { ok: false, error: errorText(e) };
    }
  }

  private async recordPost(source: ReplySource, result: Posted): Promise<void> {
    const field = source === 'prepare' ? 'prepareSentMessage' : source === 'process' ? 'processSentMessage' : 'resultMessage';
    // A prepare message is followed by the call; the other two end the attempt.
    const last = !result.ok || source !== 'prepare';
    await this.history.reach(replyStep(source, result.ok), { ...(result.ok ? { [field]: result.sent } : { error: result.error }), ...(last && { finished: true }) });
  }
}
