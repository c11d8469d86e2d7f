/** The Rocket.Chat integration document (docs/integrations.md §4) and its history records (§8.9). */
export type IntegrationType = 'webhook-incoming' | 'webhook-outgoing';

export interface Integration {
  _id: string;
  type: IntegrationType;
  name: string;
  enabled: boolean;
  username: string;
  channel: string[];
  token: string;
  alias?: string;
  emoji?: string;
  avatar?: string;
  scriptEnabled: boolean;
  script?: string;
  scriptError?: { name: string; message: string; stack?: string };
  event?: string;
  urls?: string[];
  triggerWords?: string[];
  disabledReason?: string;
  _createdAt: string;
}

export interface HistoryRecord {
  _id: string;
  type: 'incoming-webhook' | 'outgoing-webhook';
  step: string;
  event?: string;
  data?: unknown;
  url?: string;
  httpStatus?: number;
  /** the request sent (its size and SHA-256 when payloads are not stored) */
  httpCallData?: unknown;
  httpResult?: string;
  /** why the call got no answer: `{error, message}` */
  httpError?: unknown;
  error?: unknown;
  errorStack?: string;
  consoleOutput?: unknown;
  finished?: boolean;
  _createdAt: string;
  [k: string]: unknown;
}

export const OUTGOING_EVENTS = ['sendMessage', 'fileUploaded', 'roomArchived', 'roomCreated', 'roomJoined', 'roomLeft', 'userCreated'] as const;
