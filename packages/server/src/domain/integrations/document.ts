/**
 * An integration as the domain holds and stores it (docs/integrations.md §4). Its stored format is
 * Rocket.Chat's integration document (`_id`, `_createdAt` as ISO strings, `channel` entries with their
 * sigils…): that is what the frozen migrations and the stored rows hold (docs/architecture.md §8), so
 * the record keeps the shape rather than be mapped on every read. How clients see it — without the
 * compiled script and the previous secret — is the Rocket.Chat surface's (`publicIntegration`,
 * surfaces/rocketchat/integrations.ts). One shape for both types; the outgoing fields are absent on
 * incoming.
 */
import type { OutgoingEvent } from './outgoing-match.js';

export const INCOMING = 'webhook-incoming';
export const OUTGOING = 'webhook-outgoing';
export type IntegrationType = typeof INCOMING | typeof OUTGOING;

export interface UserStamp {
  _id: string;
  username: string;
}

export interface ScriptErrorInfo {
  name: string;
  message: string;
  stack: string;
}

export interface IntegrationDoc {
  _id: string;
  type: IntegrationType;
  name: string;
  enabled: boolean;
  /** the post-as user */
  username: string;
  userId: string;
  /** `#room` / `@user` entries (and, outgoing, the scopes `all_public_channels`…) */
  channel: string[];
  token: string;
  alias: string;
  avatar: string;
  emoji: string;
  scriptEnabled: boolean;
  script: string;
  /** internal; never shown to clients */
  scriptCompiled?: string;
  scriptError?: ScriptErrorInfo;
  scriptEngine: 'isolated-vm';
  /** §9.4 extension: run the script without the class transpilation */
  skipTranspile: boolean;
  overrideDestinationChannelEnabled?: boolean;
  event?: OutgoingEvent;
  urls?: string[];
  triggerWords?: string[];
  triggerWordAnywhere?: boolean;
  targetRoom?: string;
  runOnEdits?: boolean;
  retryFailedCalls?: boolean;
  retryCount?: number;
  retryDelay?: string;
  impersonateUser?: boolean;
  /** docs/delivery.md §4: the Standard Webhooks key of an outgoing integration (`whsec_…`) */
  webhookSecret?: string;
  /** the key before the last rotation and until when it still signs (ms) */
  previousWebhookSecret?: string;
  previousWebhookSecretUntil?: number;
  /** why the server disabled it: `http-410`, `sustained-failure`, `post-as-user-deleted` */
  disabledReason?: string;
  /** §8.9 privacy switch (default true): history keeps payloads; false keeps their size and SHA-256 */
  storePayloadsInHistory?: boolean;
  /** §8.9: history is written at all (default true) */
  historyEnabled?: boolean;
  /** §7.2: sustained requests per second of this incoming hook; 0 = unlimited; default 1 (burst 30) */
  rateLimitPerSecond?: number;
  _createdAt: string;
  _updatedAt: string;
  _createdBy: UserStamp;
  _updatedBy?: UserStamp;
}

/** An integration as stored, with the workspace it belongs to. */
export interface StoredIntegration {
  workspaceId: string;
  doc: IntegrationDoc;
}

/** Re-sends a recorded outgoing call (`integrations.replayOutgoing`, §6.8); the outgoing webhooks implement it. */
export interface OutgoingReplay {
  replay(workspaceId: string, integration: IntegrationDoc, history: { id: string; deliveryId: string | null; record: Record<string, unknown> }): Promise<void>;
}
