import type { TriggerOutcome, TriggerResult, TriggerSender, TriggerTarget } from '../core/apps/triggers.js';
import { ATTEMPT_LIMITS, postJson, type PostResult } from './http-post.js';
import { appRequestHeaders, newDeliveryId } from './signing.js';
import type { GuardedAgent } from './ssrf.js';

/** Reads the app's answer as §9.1 says. */
export function interpretTriggerResponse(r: PostResult): TriggerOutcome {
  if (r.status === undefined || r.error === 'timeout') return { kind: 'failure', reason: r.error ?? 'no-response' };
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
 * Triggers over HTTP (delivery.md §1): one signed attempt, 3 s, never retried — a user is
 * waiting, and a late replay would repeat their action out of context.
 */
export class HttpTriggerSender implements TriggerSender {
  constructor(private readonly agent: GuardedAgent) {}

  async send(target: TriggerTarget, _eventType: string, envelope: Record<string, unknown>): Promise<TriggerResult> {
    const body = JSON.stringify(envelope);
    const deliveryId = newDeliveryId();
    const headers = appRequestHeaders({ deliveryId, body, signingSecret: target.signingSecret, previousSigningSecrets: target.previousSigningSecrets ?? [] });
    const r = await postJson(target.url, body, headers, { agent: this.agent, ...ATTEMPT_LIMITS.trigger });
    return { outcome: interpretTriggerResponse(r), deliveryId, durationMs: r.durationMs };
  }
}
