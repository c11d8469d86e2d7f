/** What the core needs to send a trigger to an app; the delivery layer implements it over HTTP. */
export interface TriggerTarget {
  appId: string;
  workspaceId: string;
  url: string;
  signingSecret: string;
  /** signing secrets from before a rotation, still in their grace period (Standard Webhooks only) */
  previousSigningSecrets?: string[];
}

/** pumble-app-platform.md §9.1: what the app's single answer (or its absence) means. */
export type TriggerOutcome =
  | { kind: 'ack'; message?: string; body?: Record<string, unknown>; status: number }
  | { kind: 'nack'; message: string; status: number }
  | { kind: 'failure'; reason: string; status?: number };

export interface TriggerResult {
  outcome: TriggerOutcome;
  deliveryId: string;
  durationMs: number;
}

export interface TriggerSender {
  send(target: TriggerTarget, eventType: string, envelope: Record<string, unknown>): Promise<TriggerResult>;
}
