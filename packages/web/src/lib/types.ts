/** The `/v1` shapes this client reads (surfaces/pumble/v1/present.ts on the server). */

export interface Session {
  workspaceId: string;
  workspaceUserId: string;
}

export interface Workspace {
  id: string;
  name: string;
  /** the workspace's default language (what the server writes in for people who chose none) */
  locale?: string;
  /** messages older than this many days are deleted; null: kept forever (web-client.md §7) */
  messageRetentionDays?: number | null;
}

export interface WorkspaceUser {
  id: string;
  email: string;
  name: string;
  workspaceId: string;
  role: string;
  workspaceRole: 'OWNER' | 'ADMIN' | 'MEMBER' | 'GUEST';
  status: 'ACTIVATED' | 'DEACTIVATED' | string;
  isAddonBot: boolean;
  title?: string;
  locale: string | null;
  customStatus?: { code: string; status?: string; expiresAt?: number };
  /** the person's IANA time zone, e.g. Europe/Lisbon */
  timeZoneId?: string;
  /** the avatar image's path on this server; '' when the person has none (initials show) */
  avatar?: { fullPath: string; scaledPath: string };
}

export type ChannelType = 'PUBLIC' | 'PRIVATE' | 'DIRECT' | 'SELF';

export interface Channel {
  id: string;
  workspaceId: string;
  channelType: ChannelType;
  name?: string;
  description: string;
  isMember: boolean;
  isArchived: boolean;
  isMain: boolean;
  /** who created it, when known */
  addedById?: string;
  createdAt: string;
}

export interface ChannelInfo {
  channel: Channel;
  /** member ids: for direct channels in the list, for every channel when asked for one */
  users?: string[];
}

export interface Reaction {
  user: string;
  code: string;
}

export interface FileRef {
  id: string;
  name: string;
  path: string;
  size: number;
  mimeType: string;
}

export interface Message {
  id: string;
  workspaceId: string;
  channelId: string;
  author: string;
  text: string;
  timestamp: string;
  timestampMilli: number;
  reactions: Reaction[];
  files: FileRef[];
  edited: boolean;
  deleted: boolean;
  threadRootInfo?: { repliesCount: number; repliers: string[]; lastReplyTimestampMilli?: number };
  threadReplyInfo?: { rootId: string; replySentToChannel: boolean };
  isEphemeral?: boolean;
  alias?: string;
  /** an integration's avatar override: an image URL, or an emoji code such as ":ghost:" (docs/integrations.md §7.5) */
  avatar?: string;
  emoji?: string;
  integrationId?: string;
  /** previews of its links, attached by the server after the post (web-client.md §6.1); absent when none */
  linkPreviews?: LinkPreview[];
}

/** A link's preview: plain text from the page, an https image URL (src/previews/). */
export interface LinkPreview {
  url: string;
  title?: string;
  description?: string;
  imageUrl?: string;
  siteName?: string;
}

export interface MessagePage {
  messages: Message[];
  hasMoreBefore: boolean;
  hasMoreAfter: boolean;
}
