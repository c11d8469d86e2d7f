import type { TriggerOutcome, TriggerResult, TriggerSender, TriggerTarget } from '../domain/apps/triggers.js';
import { ATTEMPT_LIMITS, USER_AGENT, postJson, type PostResult } from './http-post.js';
import { loggedHeaders } from './logged-headers.js';
import { appRequestHeaders } from './signing.js';
import type { GuardedAgent } from './ssrf.js';
import type { OutboundPolicy } from '../domain/outbound-policy.js';
import { newDeliveryId } from '../domain/ids.js';

/** Reads the app's answer as docs/app-platform.md §9.1 says. */
export function interpretTriggerResponse(r: PostResult): TriggerOutcome {
  if (r.status === undefined || r.error === 'timeout') return { kind: 'failure', reason: r.error ?? 'no-response', ...(r.refusal && { refusal: r.refusal }) };
  let json: unknown;
  try {
    json = r.body ? JSON.parse(r.body) : undefined;
  } catch {
    json = undefined;
  }
  const obj = json && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>) : undefined;
  const message = typeof obj?.message === 'string' && obj.message.trim() !== '' ? obj.message : undefined;
  if (r.ok) return { kind: 'ack', status: r.status, ...(message && { message }), ...(obj && { body: obj }) };
  if (message) return { kind: 'nack', status: r.status, message };
  return { kind: 'failure', reason: `status ${r.status}`, status: r.status };
}

/**
 * Triggers over HTTP (docs/delivery.md §1): one signed attempt, 3 s, never retried — a user is
 * waiting, and a late replay would repeat their action out of context.
 */
export class HttpTriggerSender implements TriggerSender {
  constructor(
    private readonly agent: GuardedAgent,
    /** each attempt as made, for metrics (docs/delivery.md §11) */
    private readonly onAttempt?: (result: PostResult) => void,
  ) {}

  get outboundPolicy(): OutboundPolicy {
    return this.agent.policy;
  }

  async send(target: TriggerTarget, _eventType: string, envelope: Record<string, unknown>): Promise<TriggerResult> {
    const body = JSON.stringify(envelope);
    const deliveryId = newDeliveryId();
    const headers = {
      ...appRequestHeaders({ deliveryId, body, signingSecret: target.signingSecret, previousSigningSecrets: target.previousSigningSecrets ?? [] }),
      // §3: the one attempt a trigger gets.
      'switchboard-delivery-attempt': '1',
    };
    const r = await postJson(target.url, body, headers, { agent: this.agent, ...ATTEMPT_LIMITS.trigger });
    try {
      this.onAttempt?.(r);
    } catch {
      // metrics must never fail a trigger
    }
    // §8: logged as sent (postJson adds these two itself), credentials redacted as for every class.
    const requestHeaders = loggedHeaders({ ...headers, 'content-type': 'application/json', 'user-agent': USER_AGENT });
    return { outcome: interpretTriggerResponse(r), deliveryId, durationMs: r.durationMs, requestHeaders };
  }
}
