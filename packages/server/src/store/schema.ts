import type { ColumnType } from 'kysely';
import type { UserGroupDatabase } from './user-group-tables.js';
import type { IntegrationDatabase } from './integration-tables.js';
import type { AppDatabase } from './app-tables.js';
import type { AppSocketDatabase } from './app-socket-tables.js';
/**
 * The database as a TypeScript interface. Times are epoch milliseconds; booleans are 0/1
 * integers so that SQLite and PostgreSQL hand back the same values; JSON is stored as text.
 * These rows stay in store/: the store maps them to the domain's records (docs/architecture.md §3.2).
 */
import type { ChannelType, Role, UserStatus } from '../domain/model.js';

export interface WorkspaceTable {
  id: string;
  name: string;
  locale: string;
  created_at: number;
  /** migration 0025: messages older than this many days are deleted; null keeps them */
  message_retention_days?: number | null;
}

export interface WorkspaceUserTable {
  id: string;
  workspace_id: string;
  email: string; // stored lower-cased
  name: string;
  role: Role;
  status: UserStatus;
  password_hash: string | null;
  is_bot: number;
  title: string;
  time_zone: string;
  /** the user's language (docs/api-keys.md §9); null: the workspace's */
  locale: string | null;
  /** JSON {code, status, expiresAt} or null */
  custom_status: string | null;
  /** unique per workspace (docs/integrations.md §1: the Rocket.Chat `username`) */
  username: string;
  /** JSON string[]: Rocket.Chat roles held beyond the ones `role` and `is_bot` give (`bot` for post-as users) */
  extra_roles: string;
  created_at: number;
  updated_at: number;
  /** migration 0025: the current avatar's id (file storage `<workspace>/avatars/<user>/<id>`); null: none */
  avatar_id?: string | null;
}

export interface SessionTable {
  token_hash: string;
  user_id: string;
  workspace_id: string;
  created_at: number;
}

export interface ChannelTable {
  id: string;
  workspace_id: string;
  type: ChannelType;
  name: string | null;
  /** lower-cased name, unique per workspace; null for direct channels */
  name_key: string | null;
  /** sorted participant ids, unique per workspace; null for named channels */
  direct_key: string | null;
  description: string;
  is_archived: number;
  is_main: number;
  created_by: string | null;
  created_at: number;
  updated_at: number;
}

export interface ChannelMemberTable {
  channel_id: string;
  user_id: string;
  workspace_id: string;
  added_by: string | null;
  joined_at: number;
  /** migration 0020: the newest message the member has read (store/read-marker-store.ts) */
  last_read_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** migration 0022: the member's notification level, null for the default (store/notification-level-store.ts) */
  notify_level: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface MessageTable {
  id: string;
  workspace_id: string;
  channel_id: string;
  author_id: string;
  text: string;
  /** the text as an integration posted it, when it differs from `text` (migration 0015) */
  posted_text: string | null;
  blocks: string | null;
  attachments: string | null;
  thread_root_id: string | null;
  /** 1: a reply also shown in the channel's history (migration 0014) */
  sent_to_channel: number;
  reply_count: number;
  last_reply_at: number | null;
  /** JSON array of distinct replier ids, most recent last */
  repliers: string | null;
  edited: number;
  deleted: number;
  created_at: number;
  updated_at: number;
  /** docs/integrations.md §7.5: the display name and avatar (URL or emoji) an integration posted with */
  alias: string | null;
  avatar: string | null;
  emoji: string | null;
  /** JSON {i, hops?}: posted by integration `i` (§7.4 step 6, §8.3) */
  bot: string | null;
  /** JSON FileRef[]: the files it carries (migration 0019; written by file-store.ts) */
  files: string | null;
  /** JSON LinkPreview[] and JSON string[]: its link previews and the URLs its author removed (migration 0023; link-preview-store.ts) */
  link_previews: string | null;
  link_previews_removed: string | null;
}

export interface ReactionTable {
  message_id: string;
  user_id: string;
  code: string;
  created_at: number;
}

/**
 * Ephemeral messages are not history, but their author may edit or delete them for their
 * recipients: this keeps who wrote them and to whom, nothing else is ever read from it.
 */
export interface EphemeralMessageTable {
  id: string;
  workspace_id: string;
  channel_id: string;
  author_id: string;
  /** JSON string[] of the users who see it */
  recipients: string;
  thread_root_id: string | null;
  created_at: number;
  /** JSON: the message's blocks and its attachments' blocks (migration 0016); null before it */
  blocks: string | null;
}

/**
 * The transactional outbox (docs/delivery.md §2): every change that can cause a delivery writes a row
 * here in the same transaction; a dispatcher later expands it into deliveries.
 */
export interface DomainEventTable {
  id: string;
  workspace_id: string;
  type: string;
  /** the DomainEvent as JSON */
  payload: string;
  /** shared by every event of one change (the `rid` of app event bodies) */
  request_id: string;
  created_at: number;
  expanded_at: number | null;
}

/** migration 0021: a message pinned to its channel (store/pin-store.ts) */
export interface MessagePinTable {
  message_id: string;
  channel_id: string;
  workspace_id: string;
  pinned_by: string;
  pinned_at: number;
}

/** migration 0021: a person's saved message, private to them (store/pin-store.ts) */
export interface SavedMessageTable {
  user_id: string;
  message_id: string;
  channel_id: string;
  workspace_id: string;
  saved_at: number;
}

export interface Database extends UserGroupDatabase, IntegrationDatabase, AppDatabase, AppSocketDatabase {
  ephemeral_messages: EphemeralMessageTable;
  domain_events: DomainEventTable;
  workspaces: WorkspaceTable;
  workspace_users: WorkspaceUserTable;
  sessions: SessionTable;
  channels: ChannelTable;
  channel_members: ChannelMemberTable;
  messages: MessageTable;
  reactions: ReactionTable;
  message_pins: MessagePinTable;
  saved_messages: SavedMessageTable;
}
