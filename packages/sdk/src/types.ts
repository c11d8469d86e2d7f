/**
 * The wire shapes Switchboard sends to apps (docs/app-platform.md §7, §8) and the shapes of the
 * `/v1` API that apps read back (pumble-api.md §12). Optional fields are absent, never null.
 */
import type { Block, View } from './blocks.js';

// ---- envelopes (§7) ------------------------------------------------------------------------------

export interface SlashCommandPayload {
  messageType: 'SLASH_COMMAND';
  slashCommand: string;
  text: string;
  blocks?: Block[];
  userId: string;
  channelId: string;
  threadRootId?: string;
  workspaceId: string;
  triggerId: string;
}

export interface ShortcutPayload {
  messageType: 'SHORTCUT';
  type: 'GLOBAL' | 'ON_MESSAGE';
  shortcut: string;
  messageId?: string;
  userId: string;
  channelId: string;
  threadRootId?: string;
  workspaceId: string;
  triggerId: string;
}

export type SourceType = 'VIEW' | 'MESSAGE' | 'EPHEMERAL_MESSAGE';

export type ActionType =
  | 'BUTTON'
  | 'STATIC_SELECT_MENU'
  | 'DYNAMIC_SELECT_MENU'
  | 'CHECKBOXES'
  | 'DATE_PICKER'
  | 'DATE_RANGE_PICKER'
  | 'PLAIN_TEXT_INPUT';

export interface BlockInteractionPayload {
  messageType: 'BLOCK_INTERACTION';
  workspaceId: string;
  userId: string;
  channelId?: string;
  sourceType: SourceType;
  sourceId: string;
  actionType: ActionType;
  onAction: string;
  /** JSON-encoded: `{"value": …}` or `{"values": […]}` */
  payload: string;
  view?: View & { id: string };
  triggerId: string;
  loadingTimeout: number;
}

export interface ViewActionPayload {
  messageType: 'VIEW_ACTION';
  workspaceId: string;
  userId: string;
  channelId?: string;
  viewActionType: 'SUBMIT' | 'CLOSE';
  view: View & { id: string; callbackId: string };
  triggerId: string;
}

export interface DynamicMenuPayload {
  messageType: 'DYNAMIC_MENU';
  onAction: string;
  query?: string;
  value?: string;
  workspaceId: string;
  userId: string;
  triggerId: string;
  sourceType?: SourceType;
  sourceId?: string;
  channelId?: string;
  view?: View & { id: string };
}

export interface EventEnvelope {
  messageType: 'PUMBLE_EVENT' | 'APP_EVENT';
  eventType: string;
  workspaceId: string;
  workspaceUserIds: string[];
  /** the event body, JSON-encoded (short keys, §8.2) */
  body: string;
}

export type TriggerPayload = SlashCommandPayload | ShortcutPayload | BlockInteractionPayload | ViewActionPayload | DynamicMenuPayload;
export type Envelope = TriggerPayload | EventEnvelope;

/** An event (answered 2xx and never replied to; delivered at least once), not a trigger. */
export const isEventEnvelope = (e: Envelope): e is EventEnvelope => e.messageType === 'PUMBLE_EVENT' || e.messageType === 'APP_EVENT';

// ---- event bodies (§8.2) ----------------------------------------------------------------------

export interface FileRef {
  id: string;
  name: string;
  path: string;
  size: number;
  mimeType: string;
}

export interface MessageEventBody {
  mId: string;
  wId: string;
  cId: string;
  /** thread root id, "" when the message is not a reply */
  trId: string;
  stc?: boolean;
  trMt?: string;
  aId: string;
  tx: string;
  bl?: Block[];
  ty: 'NEW_MESSAGE' | 'UPDATED_MESSAGE';
  ts: string;
  tsm: number;
  st?: string;
  rid: string;
  f?: FileRef[];
  lId?: string;
  att?: Attachment[];
  sm?: Message;
  mm?: Record<string, unknown>;
  md?: string[];
  mc?: string[];
  mu?: string[];
  au?: string[];
  e?: boolean;
  eph?: boolean;
}

export interface ReactionEventBody {
  wId: string;
  cId: string;
  mId: string;
  mat: string;
  uId: string;
  rc: string;
  ty: 'REACTION_ADDED' | 'REACTION_REMOVED';
  rid: string;
}

export interface ChannelCreatedBody {
  wId: string;
  cId: string;
  cN: string;
  cU: string[];
  cT: ChannelType;
  ty: 'CHANNEL_CREATED';
  rid: string;
}

export interface ChannelArchivedBody {
  m: string[];
  wId: string;
  cId: string;
  v: boolean;
  ty: 'CHANNEL_ARCHIVED';
  rid: string;
  uId?: string;
}

export interface ChannelDeletedBody {
  m: string[];
  wId: string;
  cId: string;
  ty: 'CHANNEL_DELETED';
  rid: string;
}

export interface WorkspaceUserBody {
  uId: string;
  uN: string;
  uE: string;
  wId: string;
  ty: 'WORKSPACE_USER_JOINED' | 'WORKSPACE_USER_UPDATED';
  rid: string;
  afp?: string;
  asp?: string;
  tz?: string;
  st?: 'ACTIVATED' | 'INVITED' | 'DEACTIVATED';
  ro?: Role;
  cs?: { st?: string; co?: string; ex?: string; ea?: number; su?: boolean };
  ib?: string;
  pt?: string;
  pp?: string;
  au?: number;
  /** WORKSPACE_USER_UPDATED only */
  puE?: string;
  cb?: string;
  atz?: boolean;
}

export interface UserGroupBody {
  wId: string;
  cbId?: string;
  id: string;
  n: string;
  h: string;
  d?: string;
  di?: boolean;
  uIds?: string[];
  cIds?: string[];
  ty: 'WORKSPACE_USER_GROUP_CREATED' | 'WORKSPACE_USER_GROUP_UPDATED';
  rid: string;
  uId?: string;
}

export interface AppUninstalledBody {
  id: string;
  app: string;
  workspace: string;
  installedBy?: string;
  botUser?: string;
  uninstalledAt: number;
}

export interface AppUnauthorizedBody {
  id: string;
  app: string;
  appInstallation?: string;
  workspaceUser: string;
  workspace: string;
  grantedScopes: string[];
  accessGranted: false;
}

export interface MessageDeletedBody {
  mId: string;
  wId: string;
  cId: string;
  trId: string;
  aId: string;
  ty: 'MESSAGE_DELETED';
  rid: string;
  tsm: number;
}

export interface ChannelMemberBody {
  wId: string;
  cId: string;
  uIds: string[];
  cb?: string;
  ty: 'CHANNEL_MEMBER_JOINED' | 'CHANNEL_MEMBER_LEFT';
  rid: string;
}

/** Every event of §13.1 and the body it carries. */
export interface EventBodies {
  NEW_MESSAGE: MessageEventBody;
  UPDATED_MESSAGE: MessageEventBody;
  REACTION_ADDED: ReactionEventBody;
  CHANNEL_CREATED: ChannelCreatedBody;
  CHANNEL_ARCHIVED: ChannelArchivedBody;
  CHANNEL_DELETED: ChannelDeletedBody;
  WORKSPACE_USER_JOINED: WorkspaceUserBody;
  WORKSPACE_USER_UPDATED: WorkspaceUserBody;
  WORKSPACE_USER_GROUP_CREATED: UserGroupBody;
  WORKSPACE_USER_GROUP_UPDATED: UserGroupBody;
  APP_UNINSTALLED: AppUninstalledBody;
  APP_UNAUTHORIZED: AppUnauthorizedBody;
  MESSAGE_DELETED: MessageDeletedBody;
  REACTION_REMOVED: ReactionEventBody;
  CHANNEL_MEMBER_JOINED: ChannelMemberBody;
  CHANNEL_MEMBER_LEFT: ChannelMemberBody;
}

export type EventType = keyof EventBodies;

export const EVENT_TYPES: readonly EventType[] = [
  'NEW_MESSAGE',
  'UPDATED_MESSAGE',
  'REACTION_ADDED',
  'CHANNEL_CREATED',
  'CHANNEL_ARCHIVED',
  'CHANNEL_DELETED',
  'WORKSPACE_USER_JOINED',
  'WORKSPACE_USER_UPDATED',
  'WORKSPACE_USER_GROUP_CREATED',
  'WORKSPACE_USER_GROUP_UPDATED',
  'APP_UNINSTALLED',
  'APP_UNAUTHORIZED',
  'MESSAGE_DELETED',
  'REACTION_REMOVED',
  'CHANNEL_MEMBER_JOINED',
  'CHANNEL_MEMBER_LEFT',
];

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

// ---- /v1 shapes (pumble-api.md §12) ---------------------------------------------------------------

export type ChannelType = 'SELF' | 'DIRECT' | 'PUBLIC' | 'PRIVATE';
export type Role = 'ADMINISTRATOR' | 'USER' | 'GUEST_MULTI_CHANNEL' | 'GUEST_SINGLE_CHANNEL';

export interface Attachment {
  color?: string;
  pretext?: string;
  author_name?: string;
  author_link?: string;
  author_icon?: string;
  title?: string;
  title_link?: string;
  text?: string;
  fields?: Array<{ title: string; value: string; short?: boolean }>;
  thumb_url?: string;
  footer?: string;
  footer_icon?: string;
  ts?: number;
  blocks?: Block[];
}

export interface Message {
  id: string;
  workspaceId: string;
  channelId: string;
  author: string;
  text?: string;
  timestamp: string;
  timestampMilli: number;
  subtype?: string;
  reactions?: Array<{ user: string; code: string }>;
  threadRootInfo?: { repliesCount?: number; repliers?: string[]; lastReplyTimestamp?: string; lastReplyTimestampMilli?: number };
  threadReplyInfo?: { rootId?: string; replySentToChannel?: boolean; rootText?: string };
  files?: FileRef[];
  deleted?: boolean;
  edited?: boolean;
  localId?: string;
  attachments?: Attachment[];
  blocks?: Block[];
  meta?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface Channel {
  id: string;
  workspaceId: string;
  channelType: ChannelType;
  name?: string;
  description?: string;
  isMember?: boolean;
  isArchived?: boolean;
  isMain?: boolean;
  [key: string]: unknown;
}

export interface ChannelInfo {
  channel: Channel;
  users?: string[];
  pinnedMessages?: Array<{ workspaceUserId?: string; messageId?: string }>;
}

export interface WorkspaceUser {
  id: string;
  email?: string;
  name: string;
  workspaceId: string;
  role: Role;
  status: 'ACTIVATED' | 'DEACTIVATED' | 'INVITED';
  isAddonBot?: boolean;
  [key: string]: unknown;
}

export interface UserGroup {
  id: string;
  name: string;
  handle: string;
  description?: string;
  disabled?: boolean;
  workspaceId: string;
  workspaceUserIds?: string[];
}

export interface ScheduledMessage {
  id: string;
  workspaceId: string;
  channelId: string;
  author: string;
  text: string;
  sendAt: number;
  [key: string]: unknown;
}

/** The answer of `POST /oauth2/access` (§5.2). */
export interface OAuthTokens {
  accessToken: string;
  botToken?: string;
  userId: string;
  botId?: string;
  workspaceId: string;
}

// ---- manifest (§3) ------------------------------------------------------------------------------------

export interface Manifest {
  name: string;
  displayName: string;
  bot: boolean;
  botTitle?: string;
  socketMode?: boolean;
  scopes: { botScopes: Scope[] | string[]; userScopes: Scope[] | string[] };
  shortcuts: Array<{ shortcutType: 'ON_MESSAGE' | 'GLOBAL'; url?: string; name: string; displayName: string; description?: string }>;
  slashCommands: Array<{ command: string; url?: string; description?: string; usageHint?: string }>;
  eventSubscriptions: { url?: string; events: EventType[] | string[] };
  blockInteraction?: { url: string } | null;
  viewAction?: { url: string } | null;
  dynamicMenus?: Array<{ url?: string; onAction: string }>;
  defaultHomeView?: { enabled: boolean; blocks: Block[] } | null;
  redirectUrls: string[];
  helpUrl?: string;
  listingUrl?: string;
  avatarUrl?: string;
  welcomeMessage?: string;
  offlineMessage?: string;
  [key: string]: unknown;
}
