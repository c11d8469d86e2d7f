export type Role = 'OWNER' | 'ADMIN' | 'MEMBER' | 'GUEST';
export type UserStatus = 'ACTIVATED' | 'DEACTIVATED';
export type ChannelType = 'PUBLIC' | 'PRIVATE' | 'DIRECT' | 'SELF';

export interface Workspace {
  id: string;
  name: string;
  locale: string;
  createdAt: number;
  /** docs/web-client.md §7: messages older than this many days are deleted; null (or absent) keeps them */
  messageRetentionDays?: number | null;
}

export interface User {
  id: string;
  workspaceId: string;
  email: string;
  name: string;
  role: Role;
  status: UserStatus;
  isBot: boolean;
  title: string;
  timeZone: string;
  /** the user's language, as they set it; null: the workspace's */
  locale: string | null;
  customStatus: CustomStatus | null;
  /** unique per workspace; the Rocket.Chat `username` (docs/integrations.md §1) */
  username: string;
  /** Rocket.Chat roles beyond those `role` and `isBot` give (`bot` for integration post-as users) */
  extraRoles: string[];
  createdAt: number;
  updatedAt: number;
  /** docs/web-client.md §6.8: the current avatar image's id; null (or absent): none, initials show */
  avatarId?: string | null;
}

/** docs/pumble-api.md §11 `customStatus`: an emoji code, a text, and when it ends (0 = never). */
export interface CustomStatus {
  code: string;
  status: string;
  expiresAt: number;
}

/** A custom status counts only until it expires. */
export const activeCustomStatus = (u: Pick<User, 'customStatus'>, now: number): CustomStatus | null =>
  u.customStatus && (u.customStatus.expiresAt === 0 || u.customStatus.expiresAt > now) ? u.customStatus : null;

export interface Channel {
  id: string;
  workspaceId: string;
  type: ChannelType;
  name: string | null;
  description: string;
  isArchived: boolean;
  isMain: boolean;
  createdBy: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface Reaction {
  userId: string;
  code: string;
}

export interface Message {
  id: string;
  workspaceId: string;
  channelId: string;
  authorId: string;
  text: string;
  /**
   * The text exactly as an integration posted it, in the sender's markup, when `text` (Switchboard
   * markup) differs from it; null otherwise. Faces that speak the sender's markup show this.
   */
  postedText: string | null;
  blocks: unknown[] | null;
  attachments: unknown[] | null;
  threadRootId: string | null;
  /** a reply also shown in its channel's history ("also send to channel"; events' `stc`) */
  sentToChannel: boolean;
  replyCount: number;
  lastReplyAt: number | null;
  repliers: string[];
  edited: boolean;
  deleted: boolean;
  createdAt: number;
  updatedAt: number;
  reactions: Reaction[];
  /** docs/integrations.md §7.5: the display name and avatar an integration posted with (null: the author's own) */
  alias: string | null;
  avatar: string | null;
  emoji: string | null;
  /** set on messages posted by an integration (§7.4 step 6); `hops` counts webhook replies in a chain (§8.3) */
  bot: BotTag | null;
  /** the files it carries (docs/pumble-app-platform.md §12.1 FileRef), in the order they were given */
  files?: FileRef[];
  /** docs/web-client.md §6.1: previews of its links, attached after the post (domain/link-previews.ts) */
  linkPreviews?: LinkPreview[];
}

/**
 * A link's preview (docs/web-client.md §6.1): plain text from the page's Open Graph / Twitter / title
 * tags, capped and cleaned; `imageUrl` is an https URL or null. Never HTML: clients show it as text.
 */
export interface LinkPreview {
  url: string;
  title: string | null;
  description: string | null;
  imageUrl: string | null;
  siteName: string | null;
}

/**
 * A file as a message carries it (docs/pumble-app-platform.md §12.1 FileRef, §8.2 `f`): `path` is the
 * absolute URL it is downloaded from (with the viewer's credentials); `width`/`height` for images.
 */
export interface FileRef {
  id: string;
  name: string;
  path: string;
  size: number;
  mimeType: string;
  width?: number;
  height?: number;
}

export interface BotTag {
  /** the integration's id */
  i: string;
  hops?: number;
}

/** What a new message is made of; the rest of a Message starts empty. */
export interface MessageDraft {
  id: string;
  workspaceId: string;
  channelId: string;
  authorId: string;
  text: string;
  blocks: unknown[] | null;
  attachments: unknown[] | null;
  threadRootId: string | null;
  /** only meaningful on a reply */
  sentToChannel?: boolean;
  /** set when the sender's text differs from `text` (see Message) */
  postedText?: string | null;
  now: number;
  alias?: string | null;
  avatar?: string | null;
  emoji?: string | null;
  bot?: BotTag | null;
  files?: FileRef[];
}

/** A message as it is when first posted: no replies, reactions or edits yet. */
export function freshMessage(m: MessageDraft): Message {
  return {
    id: m.id,
    workspaceId: m.workspaceId,
    channelId: m.channelId,
    authorId: m.authorId,
    text: m.text,
    postedText: m.postedText !== undefined && m.postedText !== m.text ? m.postedText : null,
    blocks: m.blocks,
    attachments: m.attachments,
    threadRootId: m.threadRootId,
    sentToChannel: m.threadRootId !== null && m.sentToChannel === true,
    replyCount: 0,
    lastReplyAt: null,
    repliers: [],
    edited: false,
    deleted: false,
    createdAt: m.now,
    updatedAt: m.now,
    reactions: [],
    alias: m.alias ?? null,
    avatar: m.avatar ?? null,
    emoji: m.emoji ?? null,
    bot: m.bot ?? null,
    files: m.files ?? [],
  };
}

/** docs/pumble-api.md §12.5: one internal role set, mapped for `/v1` and event `ro`. */
export const V1_ROLE: Record<Role, string> = {
  OWNER: 'ADMINISTRATOR',
  ADMIN: 'ADMINISTRATOR',
  MEMBER: 'USER',
  GUEST: 'GUEST_MULTI_CHANNEL',
};

/** An emoji code as reactions and custom statuses carry it: `:name:`. */
export const EMOJI_CODE = /^:[a-z0-9_+\-']{1,100}:$/i;

export const ADMIN_ROLES: readonly Role[] = ['OWNER', 'ADMIN'];
export const isAdmin = (u: Pick<User, 'role'>) => ADMIN_ROLES.includes(u.role);

// ---- user groups ----------------------------------------------------------------------------

/** A named set of workspace users that can be mentioned as one (`@handle`). */
export interface UserGroup {
  id: string;
  workspaceId: string;
  name: string;
  handle: string;
  description: string;
  disabled: boolean;
  createdBy: string | null;
  createdAt: number;
  updatedAt: number;
  /** in id order */
  memberIds: string[];
}

/** The group as the change left it; `actorId` made the change (the event's `cbId` / `uId`). */
export type UserGroupEvent =
  | { type: 'user_group.created'; group: UserGroup; actorId: string }
  | { type: 'user_group.updated'; group: UserGroup; actorId: string };

// ---- scheduled messages ----------------------------------------------------------------------

export type RecurrenceType = 'DAILY' | 'WEEKDAYS' | 'WEEKLY' | 'MONTHLY' | 'YEARLY';

export interface Recurrence {
  recurrenceType: RecurrenceType;
  endAfterOccurrences?: number;
  /** epoch ms: no occurrence after it */
  endDate?: number;
}

export interface ScheduledMessage {
  id: string;
  workspaceId: string;
  channelId: string;
  authorId: string;
  text: string;
  blocks: unknown[] | null;
  attachments: unknown[] | null;
  /** the pending occurrence, epoch ms */
  sendAt: number;
  recurrence: Recurrence | null;
  threadRootId: string | null;
  alsoSendToChannel: boolean;
  createdAt: number;
  updatedAt: number;
  /** the app whose token scheduled it */
  appId: string | null;
}
