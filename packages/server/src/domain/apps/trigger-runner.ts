/**
 * The one place a trigger's answer is handled (docs/app-platform.md §9), whatever carried it: an
 * HTTP response, a socket-mode reply, a built-in app's in-process answer — every transport is a
 * `TriggerSender` returning a `TriggerResult`, and an `ack` may carry the answer's `body`.
 *
 * Order: the view change (if any) and the delivery-log entry are one `commit`, so a refused view is
 * logged as a failure and never as a success; then the ephemeral answer.
 */
import { commit, type CoreContext } from '../context.js';
import type { Keyring } from '../keyring.js';
import type { User } from '../model.js';
import type { Messages } from '../messages.js';
import type { Channels } from '../channels.js';
import type { Notice } from '../events.js';
import type { App, ChatStore } from '../ports/chat-store.js';
import type { InteractionLoad, View } from '../ports/views.js';
import { DomainError } from '../errors.js';
import { refusalText } from '../outbound-policy.js';
import { newId } from '../ids.js';
import { signingSecretsOf } from './apps.js';
import type { Manifest } from './manifest.js';
import type { TriggerOutcome, TriggerResult, TriggerSender, TriggerTarget } from './triggers.js';
import { Views, type AnswerResult } from './views.js';

export type TriggerEventType = 'SLASH_COMMAND' | 'SHORTCUT' | 'BLOCK_INTERACTION' | 'VIEW_ACTION' | 'DYNAMIC_MENU';

/** One trigger to send and what its answer may do. */
export interface TriggerRun {
  app: App;
  botUserId: string | null;
  actor: User;
  eventType: TriggerEventType;
  url: string;
  /** the envelope, with its `triggerId` */
  envelope: Record<string, unknown>;
  /** where ephemeral answers go; null (a home view): the direct channel with the app's bot */
  channelId: string | null;
  threadRootId: string | null;
  /** the view the trigger came from (BLOCK_INTERACTION in a view, VIEW_ACTION) */
  sourceView?: View;
  /** VIEW_ACTION SUBMIT: ack closes it, nack or failure shows a banner on it (§9.3) */
  submitted?: View;
  /** a loading state to end at once when the trigger fails or is nacked (§9.4) */
  load?: InteractionLoad;
  /**
   * DYNAMIC_MENU, VIEW_ACTION CLOSE: answers with a view are not theirs to give (§9.3), and no ack
   * message is shown; `checkAnswer` may refuse the answer (a dynamic menu's invalid options).
   */
  quiet?: boolean;
  checkAnswer?: (outcome: Extract<TriggerOutcome, { kind: 'ack' }>) => string | undefined;
  /**
   * Runs once the outcome is committed, before the person's client hears of it (a submit's
   * in-flight marker: a person who sees the banner may submit again at once).
   */
  beforePublish?: () => Promise<void>;
}

export interface Settlement {
  outcome: TriggerOutcome;
  /** the sender threw: the trigger is settled as a failure (`internal`); the caller may log this */
  error?: unknown;
  /** the answer was refused (view or options invalid): logged as a failure, told to the person */
  refused?: string;
  answer?: AnswerResult;
}

/**
 * What a person sees when the app could not be asked: its offline message — and, when the outbound
 * policy refused the app's URL, why and which setting would allow it.
 */
export function failureReply(manifest: Manifest, outcome: Extract<TriggerOutcome, { kind: 'failure' }>): string {
  const { refusal } = outcome;
  if (!refusal) return manifest.offlineMessage ?? `**${manifest.displayName}** didn't respond. Please try again later.`;
  const admin = refusal.remedy ? ` An admin can ${refusal.remedy} to allow it.` : '';
  const why = `**${manifest.displayName}** could not be reached: ${refusal.problem}.${admin}`;
  return manifest.offlineMessage ? `${manifest.offlineMessage}\n\n${why}` : why;
}

/** Failures the delivery log names by themselves (docs/delivery.md §8); others are in `errorMessage`. */
const NAMED_ERRORS = ['timeout', 'dns', 'connect', 'tls', 'ssrf-blocked', 'too-large', 'no-socket'];

/**
 * How often one person may set off triggers (decision, docs/app-platform.md §14): slash commands,
 * shortcuts, block interactions, submits and closes share one token bucket per person, since each
 * costs a signed request to a third party's app and a delivery-log entry. 10 a second sustained,
 * bursts of 40 (someone working quickly through a form and its modals never meets it; a script
 * does). Dynamic menus have their own limit (§7.5: a request per keystroke).
 */
export const TRIGGER_LIMITS = { perPerson: { capacity: 40, refillPerSecond: 10 } } as const;

/** Answers with a view come from these triggers only (§9.3 "OPEN allowed for …"). */
const VIEW_ANSWERS: ReadonlySet<TriggerEventType> = new Set(['SLASH_COMMAND', 'SHORTCUT', 'BLOCK_INTERACTION', 'VIEW_ACTION']);

export class TriggerRunner {
  constructor(
    private readonly ctx: CoreContext,
    private readonly keyring: Keyring,
    private readonly messages: Messages,
    private readonly channels: Channels,
    private readonly sender: TriggerSender,
    private readonly views: Views,
  ) {}

  /** The signed target of a trigger to the app (socket-mode apps get `socket:` URLs from their manifest's own rules). */
  target(app: App, workspaceId: string, url: string): TriggerTarget {
    const secrets = signingSecretsOf(app, this.keyring, this.ctx.now());
    return { appId: app.id, workspaceId, url, signingSecret: secrets.current, previousSigningSecrets: secrets.previous };
  }

  /**
   * One trigger of `actor` against TRIGGER_LIMITS, before anything is checked or sent: beyond it,
   * 429 with Retry-After (docs/app-platform.md §14).
   */
  async admit(actor: User): Promise<void> {
    const take = await this.ctx.limiter.take(`trigger:${actor.id}`, TRIGGER_LIMITS.perPerson);
    if (take.allowed) return;
    const { refillPerSecond } = TRIGGER_LIMITS.perPerson;
    throw new DomainError('rate_limited', `At most ${refillPerSecond} app interactions per second`, [], Math.max(1, Math.ceil(take.retryAfterMs / 1000)));
  }

  /**
   * Sends the trigger, applies the answer, logs it, tells the person. A sender that throws (its
   * registry read failed, say) is a failure like any other (docs/app-platform.md §9.1, §9.6): logged
   * as `internal`, the offline message shown, a loading state ended `failed` — never a 500.
   */
  async run(r: TriggerRun): Promise<Settlement> {
    const startedAt = this.ctx.now();
    let result: TriggerResult;
    let error: unknown;
    try {
      result = await this.sender.send(this.target(r.app, r.actor.workspaceId, r.url), r.eventType, r.envelope);
    } catch (err) {
      error = err;
      result = { outcome: { kind: 'failure', reason: 'internal' }, deliveryId: '', durationMs: Math.max(0, this.ctx.now() - startedAt) };
    }
    const { outcome } = result;
    const body = outcome.kind === 'ack' ? outcome.body : undefined;
    const viewAnswer = body !== undefined && 'view' in body && VIEW_ANSWERS.has(r.eventType) && !r.quiet;
    const settlement: Settlement = await commit(this.ctx, async (tx, notices) => {
      const s: Settlement = { outcome, ...(error !== undefined && { error }) };
      if (viewAnswer) {
        s.answer = await this.views.applyAnswer(tx, notices, { app: r.app, actor: r.actor, triggerId: String(r.envelope.triggerId), channelId: r.channelId, threadRootId: r.threadRootId, ...(r.sourceView && { sourceView: r.sourceView }) }, body!);
        if ('refused' in s.answer) s.refused = s.answer.refused;
      } else if (outcome.kind === 'ack' && r.checkAnswer) {
        const refused = r.checkAnswer(outcome);
        if (refused) s.refused = refused;
      }
      if (r.submitted) {
        if (outcome.kind === 'ack' && !viewAnswer) await this.views.closeSubmitted(tx, notices, r.submitted);
        else if (outcome.kind === 'nack') this.views.submitError(notices, r.submitted, outcome.message);
        else if (outcome.kind === 'failure') this.views.submitError(notices, r.submitted, failureReply(r.app.manifest, outcome));
        else if (s.refused) this.views.submitError(notices, r.submitted, s.refused);
      }
      if (r.load && (outcome.kind !== 'ack' || s.refused)) await endLoad(tx, notices, r.load, 'failed', this.ctx.now());
      await record(tx, r, result, startedAt, s.refused);
      return s;
    }, r.beforePublish && { beforePublish: r.beforePublish });
    // Modals an OPEN replaced: their apps hear of it when they asked to (§7.4 notifyOnClose).
    if (settlement.answer && 'replaced' in settlement.answer) await this.sendClose(r.actor, settlement.answer.replaced);
    // Only the person who acted sees it: the reason may name server settings. Quiet triggers (a
    // dynamic menu, a CLOSE) show nothing: the menu's caller gets its answer, a CLOSE's is only logged.
    const reply = settlement.refused ?? (outcome.kind === 'failure' ? failureReply(r.app.manifest, outcome) : viewAnswer ? undefined : outcome.message);
    // A submit's refusal is the modal's banner (view.error above), not a second copy behind it.
    const onBanner = r.submitted !== undefined && (outcome.kind !== 'ack' || settlement.refused !== undefined);
    if (reply && !r.quiet && !onBanner) await this.tell(r, reply);
    return settlement;
  }

  /** VIEW_ACTION CLOSE for the closed modals whose apps set `notifyOnClose` (§7.4); answers are only logged. */
  async sendClose(actor: User, closed: readonly View[]): Promise<void> {
    for (const view of closed) {
      if (!view.notifyOnClose) continue;
      const app = await this.ctx.store.app(view.appId);
      const inst = app && (await this.ctx.store.installation(app.id, actor.workspaceId));
      const url = app?.manifest.viewAction?.url;
      if (!app || !inst || url === undefined) continue;
      const envelope: Record<string, unknown> = {
        messageType: 'VIEW_ACTION',
        workspaceId: actor.workspaceId,
        userId: actor.id,
        ...(view.channelId && { channelId: view.channelId }),
        viewActionType: 'CLOSE',
        view: Views.forApp(view),
        triggerId: newId(this.ctx.now()),
      };
      await this.run({ app, botUserId: inst.botUserId, actor, eventType: 'VIEW_ACTION', url, envelope, channelId: view.channelId, threadRootId: view.threadRootId, quiet: true });
    }
  }

  /** An ephemeral message from the app's bot where the trigger ran, else in the person's DM with the bot. */
  private async tell(r: TriggerRun, text: string): Promise<void> {
    let channelId = r.channelId ?? r.sourceView?.channelId ?? null;
    const threadRootId = r.channelId ? r.threadRootId : (r.sourceView?.threadRootId ?? null);
    if (!channelId && r.botUserId) {
      const bot = await this.ctx.store.user(r.actor.workspaceId, r.botUserId);
      if (bot) channelId = (await this.channels.openDirect(bot, [r.actor.id])).channel.id;
    }
    if (!channelId) channelId = (await this.channels.openDirect(r.actor, [r.actor.id])).channel.id;
    await this.messages.notifyEphemeral(r.botUserId ?? r.actor.id, channelId, [r.actor.id], text, threadRootId);
  }
}

/** Ends a loading state once (conditional update) and tells the person (§9.4). */
export async function endLoad(tx: ChatStore, notices: Notice[], load: InteractionLoad, by: 'app' | 'timeout' | 'failed', at: number): Promise<boolean> {
  if (!(await tx.views.completeLoad(load.triggerId, by, at))) return false;
  notices.push({ workspaceId: load.workspaceId, audience: [load.userId], event: { type: 'interaction.completed', load: { ...load, completedAt: at, completedBy: by }, by } });
  return true;
}

/**
 * Every trigger goes into the app's delivery log as one finished attempt (docs/delivery.md §1:
 * logged, never queued), in the transaction of what its answer changed. An ack or a nack is the app
 * answering: delivered — unless the answer was refused (`invalid-answer`, an extension of §8).
 */
async function record(tx: ChatStore, r: TriggerRun, result: TriggerResult, startedAt: number, refused: string | undefined): Promise<void> {
  const { outcome } = result;
  const status = outcome.kind === 'failure' ? (outcome.status ?? null) : outcome.status;
  const error = outcome.kind === 'failure' ? outcome.reason : refused ? 'invalid-answer' : null;
  const d = tx.deliveries;
  const { id } = await d.enqueue({
    id: result.deliveryId || `msg_trigger_${String(r.envelope.triggerId)}`,
    class: 'trigger',
    endpointType: 'app',
    endpointId: r.app.id,
    url: r.url,
    eventType: r.eventType,
    eventId: String(r.envelope.triggerId),
    workspaceId: r.actor.workspaceId,
    payload: JSON.stringify(r.envelope),
    signingKeyRef: r.app.id,
    now: startedAt,
  });
  // A view or options answer is kept whole in the log (what was refused, or applied); otherwise its message.
  const structured = outcome.kind === 'ack' && outcome.body && ('view' in outcome.body || 'options' in outcome.body);
  const responseBody = outcome.kind === 'failure' ? '' : structured ? JSON.stringify(outcome.kind === 'ack' ? outcome.body : {}) : (outcome.message ?? '');
  await d.recordAttempt({
    deliveryId: id,
    n: 1,
    manual: false,
    startedAt,
    durationMs: result.durationMs,
    requestHeaders: result.requestHeaders ?? {},
    responseStatus: status,
    responseHeaders: {},
    responseBody,
    error: error && NAMED_ERRORS.includes(error) ? error : null,
    errorMessage: outcome.kind === 'failure' && outcome.refusal ? refusalText(outcome.refusal) : (refused ?? error),
  });
  const summary = { attemptCount: 1, lastStatusCode: status, lastError: error };
  if (refused) await d.markFailed(id, 'invalid-answer', summary);
  else if (outcome.kind === 'failure') await d.markFailed(id, error === 'ssrf-blocked' || error === 'invalid-url' ? error : 'exhausted', summary);
  else await d.markSucceeded(id, summary);
}
