import type { OutboundPolicy, OutboundRefusal } from '../outbound-policy.js';

/** What the core needs to send a trigger to an app; the delivery layer implements it over HTTP. */
export interface TriggerTarget {
  appId: string;
  workspaceId: string;
  url: string;
  signingSecret: string;
  /** signing secrets from before a rotation, still in their grace period (Standard Webhooks only) */
  previousSigningSecrets?: string[];
}

/** docs/app-platform.md §9.1: what the app's single answer (or its absence) means. */
export type TriggerOutcome =
  | { kind: 'ack'; message?: string; body?: Record<string, unknown>; status: number }
  | { kind: 'nack'; message: string; status: number }
  /** `refusal`: the outbound policy refused the app's URL (docs/delivery.md §9), in words for the person */
  | { kind: 'failure'; reason: string; status?: number; refusal?: OutboundRefusal };

export interface TriggerResult {
  outcome: TriggerOutcome;
  deliveryId: string;
  durationMs: number;
  /** docs/delivery.md §8: the request headers as sent, credentials redacted; absent when nothing went over the network */
  requestHeaders?: Record<string, string>;
}

export interface TriggerSender {
  send(target: TriggerTarget, eventType: string, envelope: Record<string, unknown>): Promise<TriggerResult>;
  /**
   * The policy the sender's connections obey (docs/delivery.md §9), so that saving a URL it will refuse
   * can say so at once; absent where nothing goes over the network.
   */
  readonly outboundPolicy?: OutboundPolicy;
}
