/**
 * The closed vocabularies of the app platform (docs/app-platform.md §13): every scope an app may request and every
 * event it may subscribe to, with the scope that gates delivery and the envelope `messageType`.
 * Manifest validation, consent, token checks and event fan-out all read these lists, so a scope or
 * event exists in Switchboard exactly when it is listed here.
 */

/** §13.2, in the spec's order. */
export const SCOPES = [
  'messages:read',
  'messages:write',
  'messages:edit',
  'messages:delete',
  'attachments:write',
  'user:read',
  'status:write',
  'reaction:read',
  'reaction:write',
  'channels:list',
  'channels:read',
  'channels:write',
  'users:list',
  'workspace:read',
  'calls:write',
  'files:write',
  'group:read',
] as const;

export type Scope = (typeof SCOPES)[number];

const scopeSet: ReadonlySet<string> = new Set(SCOPES);
export const isScope = (value: unknown): value is Scope => typeof value === 'string' && scopeSet.has(value);

/** Scopes are requested in the consent URL with this prefix when they are meant for the bot (§13.2). */
export const BOT_SCOPE_PREFIX = 'bot:';

export type EventMessageType = 'PUMBLE_EVENT' | 'APP_EVENT';

export interface EventInfo {
  /** null: delivered regardless of scopes (app lifecycle events concern the app itself) */
  readonly requiredScope: Scope | null;
  readonly messageType: EventMessageType;
  /** Switchboard-only events (§8.2 "Extension events"); Pumble never sends them */
  readonly extension: boolean;
}

const pumble = (requiredScope: Scope): EventInfo => ({ requiredScope, messageType: 'PUMBLE_EVENT', extension: false });
const extension = (requiredScope: Scope): EventInfo => ({ requiredScope, messageType: 'PUMBLE_EVENT', extension: true });
const appEvent: EventInfo = { requiredScope: null, messageType: 'APP_EVENT', extension: false };

/** §13.1 plus the extension events of §8.2 (their scopes are given there). */
export const EVENTS = {
  NEW_MESSAGE: pumble('messages:read'),
  UPDATED_MESSAGE: pumble('messages:read'),
  REACTION_ADDED: pumble('reaction:read'),
  CHANNEL_CREATED: pumble('channels:read'),
  CHANNEL_ARCHIVED: pumble('channels:read'),
  CHANNEL_DELETED: pumble('channels:read'),
  WORKSPACE_USER_JOINED: pumble('user:read'),
  WORKSPACE_USER_UPDATED: pumble('user:read'),
  WORKSPACE_USER_GROUP_CREATED: pumble('group:read'),
  WORKSPACE_USER_GROUP_UPDATED: pumble('group:read'),
  APP_UNINSTALLED: appEvent,
  APP_UNAUTHORIZED: appEvent,
  MESSAGE_DELETED: extension('messages:read'),
  REACTION_REMOVED: extension('reaction:read'),
  CHANNEL_MEMBER_JOINED: extension('channels:read'),
  CHANNEL_MEMBER_LEFT: extension('channels:read'),
} as const satisfies Record<string, EventInfo>;

export type EventName = keyof typeof EVENTS;

export const EVENT_NAMES = Object.keys(EVENTS) as EventName[];

// Object.hasOwn, not `in`: "toString" and friends are not events.
export const isEventName = (value: unknown): value is EventName =>
  typeof value === 'string' && Object.hasOwn(EVENTS, value);
