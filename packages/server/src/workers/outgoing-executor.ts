/**
 * The delivery queue's executor for outgoing webhooks (class `outgoing`, docs/integrations.md §8,
 * docs/delivery.md §1): the core's OutgoingWebhooks decides the attempt (scripts, retries, replies,
 * history); this side makes its HTTP call — Standard Webhooks headers under the delivery id, signed
 * with the integration's `webhookSecret` (and the previous one during a rotation's grace), through
 * the SSRF-guarded agent — and turns the outcome into what the queue records and schedules.
 */
import type { OutgoingWebhooks } from '../domain/integrations/outgoing-webhooks.js';
import type { OutgoingDoc } from '../domain/integrations/outgoing-events.js';
import type { HttpCall } from '../domain/integrations/outgoing-request.js';
import type { OutgoingHttpResponse } from '../domain/integrations/outgoing-attempt.js';
import type { AttemptContext, DeliveryExecutor, ExecutorOutcome } from './delivery-queue.js';
import { judgeAttempt, type Verdict } from './delivery-policy.js';
import { ATTEMPT_LIMITS, USER_AGENT, parseRetryAfter, sendHttp, wireHeaders, type HttpResult } from '../outbound/http-post.js';
import { standardWebhookHeaders, webhookSecretKey } from '../outbound/signing.js';
import type { GuardedAgent } from '../outbound/ssrf.js';
import type { Delivery, DisabledReason, EndpointState } from '../domain/ports/deliveries.js';

export interface OutgoingExecutorOptions {
  /** read when first needed: the core is made after the queue */
  webhooks: () => OutgoingWebhooks;
  agent: GuardedAgent;
  /** docs/integrations.md §8.9 retention of integration history, applied in the queue's housekeeping */
  historyRetentionDays: number;
  /** docs/delivery.md §3: how much of an answer is read (10 MiB) */
  maxBodyBytes?: number;
}

/** The keys that sign now: the current secret, and the previous one while its grace lasts (docs/delivery.md §4.1). */
export function integrationSigningKeys(doc: OutgoingDoc, now: number): Uint8Array[] {
  const keys: Uint8Array[] = [];
  if (doc.webhookSecret) keys.push(webhookSecretKey(doc.webhookSecret));
  if (doc.previousWebhookSecret && (doc.previousWebhookSecretUntil ?? 0) > now) keys.push(webhookSecretKey(doc.previousWebhookSecret));
  return keys;
}

export class OutgoingExecutor implements DeliveryExecutor {
  readonly endpointType = 'integration' as const;

  constructor(private readonly opts: OutgoingExecutorOptions) {}

  started(queue: { wake(): void }): void {
    // Replays (integrations.replayOutgoing) queue deliveries outside the outbox: wake the queue for them.
    this.opts.webhooks().onQueued = () => queue.wake();
  }

  async attempt(d: Delivery, ctx: AttemptContext): Promise<ExecutorOutcome> {
    let sent: { headers: Record<string, string>; result: HttpResult } | undefined;
    const send = async (call: HttpCall, integration: OutgoingDoc): Promise<OutgoingHttpResponse> => {
      const now = ctx.now();
      const keys = integrationSigningKeys(integration, now);
      const headers = wireHeaders({
        ...call.headers,
        // Rocket.Chat's integrations create no secret; an integration without one is still told apart by its body token.
        ...(keys.length > 0 && standardWebhookHeaders({ id: d.id, body: call.body ?? '', keys, now })),
        'switchboard-delivery-attempt': String(ctx.n),
      });
      const result = await sendHttp({ method: call.method, url: call.url, headers, ...(call.body !== undefined && { body: call.body }), timeoutMs: call.timeoutMs }, {
        agent: this.opts.agent,
        maxBodyBytes: this.opts.maxBodyBytes ?? ATTEMPT_LIMITS.outgoingWebhook.maxBodyBytes,
        scriptChose: true,
      });
      sent = { headers, result };
      const retryAfterMs = result.status === 429 ? parseRetryAfter(result.allHeaders['retry-after'], ctx.now()) : undefined;
      return {
        ...(result.status !== undefined && { status: result.status }),
        headers: result.allHeaders,
        body: result.body,
        ...(result.error !== undefined && { error: result.error }),
        ...(result.errorMessage !== undefined && { errorMessage: result.errorMessage }),
        ...(retryAfterMs !== undefined && { retryAfterMs }),
        durationMs: result.durationMs,
      };
    };

    const outcome = await this.opts.webhooks().attempt(d, { n: ctx.n, t: ctx.inSequence - 1, manual: d.manual, userAgent: USER_AGENT, now: ctx.now, send });
    const made = sent as { headers: Record<string, string>; result: HttpResult } | undefined;
    if (outcome.kind === 'cancel' || !made) return { kind: 'cancel' };
    // The endpoint's bookkeeping (pauses, back-off, failure streak) follows the answer; a 410 that a
    // process script took over does not disable anything (docs/integrations.md §8.6: the script's result comes first).
    let verdict: Verdict = judgeAttempt(made.result, ctx.now());
    if (verdict.kind === 'gone' && !outcome.disable) verdict = { kind: 'retry', backoff: false };
    return { kind: 'sent', requestHeaders: made.headers, result: made.result, verdict, next: outcome.next };
  }

  async endpointDisabled(endpoint: EndpointState, reason: DisabledReason): Promise<void> {
    if (reason === 'manual') return;
    await this.opts.webhooks().endpointDisabled(endpoint.endpointId, reason, endpoint.lastError);
  }

  async housekeeping(now: number): Promise<void> {
    await this.opts.webhooks().pruneHistory(now, this.opts.historyRetentionDays);
  }
}
