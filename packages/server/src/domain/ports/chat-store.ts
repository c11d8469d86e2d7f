/**
 * The storage port of chat: what the domain asks of the store, and the records it hands back
 * (docs/architecture.md). store/store.ts implements it; nothing here knows SQL. The records are
 * models — camelCase, JSON columns parsed, times as numbers — never the tables' rows: the store
 * maps its rows to them (docs/architecture.md §3.2).
 */
import type { DomainEvent } from '../events.js';
import type { Channel, CustomStatus, Message, MessageDraft, Reaction, User, Workspace } from '../model.js';
import type { ScheduledStorage } from './scheduled.js';
import type { UserGroupStorage } from './user-groups.js';
import type { DeliveryStorage } from './deliveries.js';
import type { AppSocketStorage } from './app-sockets.js';
import type { ReadMarkerStorage } from './read-markers.js';
import type { NotificationLevelStorage } from './notification-levels.js';
import type { PinStorage } from './pins.js';
import type { IntegrationStorage } from './integrations.js';
import type { ApiKeyStorage } from './api-keys.js';
import type { LeadStorage } from './leads.js';
import type { ViewStorage } from './views.js';
import type { SearchStorage } from './search.js';
import type { LinkPreviewStorage } from './link-previews.js';
import type { FileRecordStorage } from './files.js';
import type { Manifest } from '../apps/manifest.js';
import type { TransactionOptions } from './transaction-options.js';
import type { RichTextBlock } from '../blocks.js';

export interface NewUser {
  id: string;
  workspaceId: string;
  email: string;
  name: string;
  role: User['role'];
  passwordHash: string | null;
  isBot?: boolean;
  title?: string;
  /** unique per workspace; derived from the e-mail address (bots: the name) when absent */
  username?: string;
  now: number;
}

export interface NewChannel {
  id: string;
  workspaceId: string;
  type: Channel['type'];
  name: string | null;
  directKey: string | null;
  description: string;
  isMain?: boolean;
  createdBy: string | null;
  now: number;
}

/** What insertMessage needs: a message draft. */
export type NewMessage = MessageDraft;

export type PageDirection = 'older' | 'newer';

/** An outbox row: a committed change waiting to be expanded into deliveries. */
export interface StoredDomainEvent {
  id: string;
  workspaceId: string;
  type: DomainEvent['type'];
  event: DomainEvent;
  requestId: string;
  createdAt: number;
}

/**
 * An app and its manifest (docs/app-platform.md §3–§4). Secrets that must be shown again are sealed
 * with the server key; the store keeps the rows (store/app-tables.ts) and maps them to this.
 */
export interface App {
  id: string;
  workspaceId: string;
  ownerId: string;
  /** the manifest's name when it was saved; unique per owner, case-insensitively (built-in apps apart) */
  name: string;
  /** the normalized manifest (validated by manifest.ts before it is saved) */
  manifest: Manifest;
  clientSecretSealed: string;
  appKeySealed: string;
  /** SHA-256 of the appKey, to check `x-app-token` without unsealing */
  appKeyHash: string;
  signingSecretSealed: string;
  /** the signing secret before the last rotation, still signing Standard Webhooks headers until `previousSigningUntil` */
  previousSigningSecretSealed: string | null;
  previousSigningUntil: number | null;
  published: boolean;
  /** set for apps shipped with the server ('api-keys'): listed everywhere, handled in-process, not editable */
  builtin: string | null;
  createdAt: number;
  updatedAt: number;
}

/**
 * What updateApp may change. A new `name` renames an app made by a person; a built-in app keeps
 * the name key it was created with (store/app-rows.ts).
 */
export type AppPatch = Partial<Omit<App, 'id' | 'workspaceId' | 'ownerId' | 'builtin' | 'createdAt'>>;

/** The home view an installation shows until the app replaces it (the manifest's default at install time). */
export interface HomeView {
  type: 'HOME';
  blocks: RichTextBlock[];
}

/** An app installed in a workspace: its bot (if any) and the bot scopes granted. */
export interface Installation {
  id: string;
  appId: string;
  workspaceId: string;
  botUserId: string | null;
  installedBy: string;
  botScopes: string[];
  homeView: HomeView | null;
  createdAt: number;
}

/** A workspace user's grant of user scopes to an app. */
export interface Authorization {
  id: string;
  appId: string;
  installationId: string;
  workspaceId: string;
  userId: string;
  userScopes: string[];
  createdAt: number;
}

/** Bot and user access tokens, stored hashed; a token acts as `userId` within `scopes`. */
export interface AppToken {
  tokenHash: string;
  appId: string;
  workspaceId: string;
  installationId: string;
  /** null for bot tokens */
  authorizationId: string | null;
  kind: 'bot' | 'user';
  userId: string;
  scopes: string[];
  createdAt: number;
}

/** OAuth authorization codes: single use, 10 minutes, bound to app and redirect URL; stored hashed. */
export interface OAuthCode {
  codeHash: string;
  appId: string;
  workspaceId: string;
  userId: string;
  redirectUrl: string;
  expiresAt: number;
  usedAt: number | null;
}

/**
 * Ephemeral messages are not history, but their author may edit or delete them for their
 * recipients: this keeps who wrote them and to whom, nothing else is ever read from it.
 */
export interface EphemeralRecord {
  id: string;
  workspaceId: string;
  channelId: string;
  authorId: string;
  /** the users who see it */
  recipients: string[];
  threadRootId: string | null;
  createdAt: number;
  /**
   * The message's blocks followed by its attachments' blocks, kept so a block interaction can be
   * checked against the element it names (docs/app-platform.md §7.3); null for rows older than
   * migration 0016 (no check for them).
   */
  blocks?: unknown[] | null;
}

/**
 * What the domain asks of this storage; implemented in store/ (store.ts).
 */
export interface ChatStore {
  /** Scheduled messages, on this store's connection. */
  readonly scheduled: ScheduledStorage;
  /** User groups, on this store's connection (a transaction's inside commit). */
  readonly userGroups: UserGroupStorage;
  /** The delivery log and queue, on this store's connection (so an expander's writes join its transaction). */
  readonly deliveries: DeliveryStorage;
  /** Integrations, their history and the role → permission mapping, on this store's connection. */
  readonly integrations: IntegrationStorage;
  /** The API-keys addon's keys and audit log, on this store's connection. */
  readonly apiKeys: ApiKeyStorage;
  /** Modals, home views and loading states (docs/app-platform.md §9.3, §9.4), on this store's connection. */
  readonly views: ViewStorage;
  /** The tooling login's leads and exchange tokens (docs/app-platform.md §4.1), on this store's connection. */
  readonly leads: LeadStorage;
  /** Socket mode's tickets and live socket registry (docs/app-platform.md §10), on this store's connection. */
  readonly appSockets: AppSocketStorage;
  /** Read markers per membership (docs/web-client.md §5), on this store's connection. */
  readonly reads: ReadMarkerStorage;
  /** Notification levels per membership (docs/web-client.md §6.8), on this store's connection. */
  readonly notificationLevels: NotificationLevelStorage;
  /** Pinned and saved messages (docs/web-client.md §6.1), on this store's connection. */
  readonly pins: PinStorage;
  /** Message search on the full-text index (migration 0018), on this store's connection. */
  readonly search: SearchStorage;
  /** Link previews (docs/web-client.md §6.1): the setting, the cache, the jobs, a message's previews. */
  readonly linkPreviews: LinkPreviewStorage;
  /** Files' records and upload tokens (docs/pumble-app-platform.md §11.2), on this store's connection. */
  readonly files: FileRecordStorage;
  /**
   * Runs `work` atomically. Inside it, use only the `tx` it is given: a call through the outer
   * store fails at once (see transaction-scope.ts). Inside a transaction, joins it.
   */
  transaction<T>(work: (tx: ChatStore) => Promise<T>, opts?: TransactionOptions): Promise<T>;
  /**
   * Where transactions are batched (SQLite's group commit): `work` closes every batch whose units
   * wrote outbox events, inside its transaction, handed those events (`written`, stored as expanded
   * already: `work` expands them and marks nothing), and `committed` is told after its commit;
   * `failed` when `work` threw (its writes were taken back, the events left for the poll to expand;
   * the batch committed without them). Answers how to take it away again; undefined where there
   * are no batches (PostgreSQL): nothing was registered.
   */
  finishEachBatch?(finisher: { work(tx: ChatStore, written: readonly StoredDomainEvent[]): Promise<void>; committed(): void; failed(error: unknown): void }): (() => void) | undefined;
  countWorkspaces(): Promise<number>;
  insertWorkspace(w: Workspace): Promise<void>;
  workspaceIds(): Promise<string[]>;
  workspace(id: string): Promise<Workspace | undefined>;
  insertUser(u: NewUser): Promise<void>;
  /** `base`, or `base2`, `base3`… : the first username nobody in the workspace has. */
  freeUsername(workspaceId: string, base: string): Promise<string>;
  userByUsername(workspaceId: string, username: string): Promise<User | undefined>;
  /** People with this username in any workspace, with what login needs (docs/integrations.md §2.1). */
  credentialsByUsername(username: string): Promise<Array<{
    user: User;
    passwordHash: string | null;
  }>>;
  setUsername(workspaceId: string, userId: string, username: string, now: number): Promise<void>;
  setExtraRoles(workspaceId: string, userId: string, roles: readonly string[], now: number): Promise<void>;
  user(workspaceId: string, id: string): Promise<User | undefined>;
  users(workspaceId: string, ids?: readonly string[]): Promise<User[]>;
  /** Accounts with this e-mail, with their password hashes, for login. */
  credentialsByEmail(email: string): Promise<Array<{
    user: User;
    passwordHash: string | null;
  }>>;
  updateUser(workspaceId: string, id: string, patch: {
    status?: User['status'];
    name?: string;
    role?: User['role'];
    locale?: string | null;
    customStatus?: CustomStatus | null;
    timeZone?: string;
    avatarId?: string | null;
  }, now: number): Promise<void>;
  updateWorkspace(id: string, patch: { name?: string; locale?: string; messageRetentionDays?: number | null }): Promise<void>;
  /** docs/web-client.md §7: the workspaces that delete old messages, and after how many days. */
  workspacesWithRetention(): Promise<Array<{ workspaceId: string; days: number }>>;
  /** A workspace's oldest live messages posted before `before`, at most `limit`. */
  expiredMessages(workspaceId: string, before: number, limit: number): Promise<Array<{ id: string; channelId: string }>>;
  insertSession(tokenHash: string, user: User, now: number): Promise<void>;
  /** The session's user, only while that user is active. */
  /** The user of a live session; sessions created at or before `createdAfter` have expired. */
  sessionUser(tokenHash: string, createdAfter?: number): Promise<User | undefined>;
  deleteSession(tokenHash: string): Promise<void>;
  deleteSessionsOf(userId: string): Promise<void>;
  /** The stored password hash of a user (null: none set), or undefined when there is no such user. */
  passwordHash(workspaceId: string, userId: string): Promise<string | null | undefined>;
  /**
   * Sets a user's password hash. With `expected`, only while the stored hash is still that one
   * (a change verified against the old password must not overwrite a change made meanwhile).
   * False when nothing was updated.
   */
  setPasswordHash(workspaceId: string, userId: string, passwordHash: string, now: number, expected?: string): Promise<boolean>;
  /** Ends every session of the user but the one with `keepTokenHash`; returns the hashes of those ended. */
  deleteOtherSessionsOf(userId: string, keepTokenHash: string): Promise<string[]>;
  insertChannel(c: NewChannel): Promise<void>;
  channel(workspaceId: string, id: string): Promise<Channel | undefined>;
  /** A channel and whether the user belongs to it, in one query (every channel route starts here). */
  channelFor(workspaceId: string, id: string, userId: string): Promise<{
    channel: Channel;
    isMember: boolean;
  } | undefined>;
  channelById(id: string): Promise<Channel | undefined>;
  /** A named channel by its name, case-insensitively (names are unique per workspace that way). */
  channelByName(workspaceId: string, name: string): Promise<Channel | undefined>;
  mainChannel(workspaceId: string): Promise<Channel | undefined>;
  directChannel(workspaceId: string, directKey: string): Promise<Channel | undefined>;
  /** PUBLIC channels of the workspace (when includePublic) and every channel the user belongs to. */
  channelsVisibleTo(workspaceId: string, userId: string, includePublic: boolean): Promise<Channel[]>;
  /** Every PUBLIC and PRIVATE channel of the workspace, by id (the administration's list). */
  namedChannels(workspaceId: string): Promise<Channel[]>;
  updateChannel(id: string, patch: {
    isArchived?: boolean;
    name?: string;
    description?: string;
    /** a change of privacy: named channels only */
    type?: 'PUBLIC' | 'PRIVATE';
  }, now: number): Promise<void>;
  memberIds(channelId: string): Promise<string[]>;
  isMember(channelId: string, userId: string): Promise<boolean>;
  /** Ids of the channels the user belongs to. */
  membershipsOf(userId: string): Promise<Set<string>>;
  /** Active users of the workspace who are not guests: everyone who may see a PUBLIC channel. */
  nonGuestUserIds(workspaceId: string): Promise<string[]>;
  /** The ids of the workspace's activated people and bots (audiences), without loading them. */
  activeUserIds(workspaceId: string): Promise<string[]>;
  /** Adds the users who are not members yet; returns those actually added (safe under concurrent adds). */
  addMembers(channel: Channel, userIds: readonly string[], addedBy: string | null, now: number): Promise<string[]>;
  removeMember(channelId: string, userId: string): Promise<boolean>;
  /**
   * Hard delete: the channel with its messages (and their reactions), ephemeral messages and
   * memberships, children first (foreign keys). Call inside a transaction. False when it was gone already.
   */
  deleteChannel(channelId: string): Promise<boolean>;
  /** Inserts and returns the message as stored (new: no replies, no reactions), without reading it back. */
  insertMessage(m: NewMessage): Promise<Message>;
  /** Counts a reply on its root. Read-modify-write of `repliers`: the root row is locked for it on PostgreSQL (SQLite has one writer). */
  recordReply(rootId: string, replierId: string, at: number): Promise<void>;
  recordReplyDeleted(rootId: string): Promise<void>;
  message(channelId: string, id: string): Promise<Message | undefined>;
  messageById(id: string): Promise<Message | undefined>;
  /**
   * One page of a channel's top-level history (threadRootId null) or of a thread's replies,
   * walking from `cursor` (exclusive) in `direction`; `inclusive` includes the cursor itself.
   * Deleted messages are left out unless they still hold a thread.
   */
  messagePage(q: {
    channelId: string;
    threadRootId: string | null;
    cursor: string | null;
    direction: PageDirection;
    limit: number;
    inclusive?: boolean;
  }): Promise<Message[]>;
  /**
   * A room's messages in these channels, by these authors, within the time range (ms, exclusive),
   * newest or oldest first; `total` counts them all. Text search is `search` (ports/search.ts).
   */
  searchMessages(q: {
    channelIds: readonly string[];
    authorIds?: readonly string[];
    beforeTs?: number;
    afterTs?: number;
    /** only what the channel's own history shows: top-level messages and replies also sent to it */
    shownInChannel?: boolean;
    order: 'newest' | 'oldest';
    offset: number;
    limit: number;
  }): Promise<{
    messages: Message[];
    total: number;
  }>;
  updateMessage(id: string, patch: {
    text?: string;
    blocks?: unknown[] | null;
    attachments?: unknown[] | null;
  }, now: number): Promise<void>;
  /** Soft delete: the row stays as a tombstone so a thread under it keeps its root. */
  deleteMessage(id: string, now: number): Promise<void>;
  reactionsOf(messageIds: readonly string[]): Promise<Map<string, Reaction[]>>;
  /** True when the reaction was new. ON CONFLICT rather than catching: a failed insert aborts a PostgreSQL transaction. */
  addReaction(messageId: string, userId: string, code: string, now: number): Promise<boolean>;
  removeReaction(messageId: string, userId: string, code: string): Promise<boolean>;
  insertDomainEvent(e: StoredDomainEvent): Promise<void>;
  /**
   * The oldest events not yet expanded. Call inside a transaction: on PostgreSQL the rows stay
   * locked until it ends and other nodes skip them, so each event is expanded by one node.
   */
  claimUnexpandedEvents(limit: number): Promise<StoredDomainEvent[]>;
  /** `now` null: not expanded after all (the poll claims them again) */
  markExpanded(ids: readonly string[], now: number | null): Promise<void>;
  /** Expanded events are kept a while for inspection, then pruned. */
  pruneExpandedEvents(before: number): Promise<number>;
  countUnexpandedEvents(): Promise<number>;
  insertApp(a: App): Promise<void>;
  app(id: string): Promise<App | undefined>;
  /** The workspace's copy of a built-in app ('api-keys'). */
  builtinApp(workspaceId: string, builtin: string): Promise<App | undefined>;
  /** What the app directory lists: the workspace's built-in apps and every published app. */
  directoryApps(workspaceId: string): Promise<App[]>;
  appsOwnedBy(workspaceId: string, ownerId: string): Promise<App[]>;
  updateApp(id: string, patch: AppPatch): Promise<void>;
  deleteApp(id: string): Promise<void>;
  installation(appId: string, workspaceId: string): Promise<Installation | undefined>;
  insertInstallation(installation: Installation): Promise<void>;
  updateInstallation(id: string, patch: Partial<Pick<Installation, 'botScopes' | 'installedBy'>>): Promise<void>;
  /** Uninstall: the installation, every authorization under it and every token, at once. */
  deleteInstallation(id: string): Promise<void>;
  installationsOfApp(appId: string): Promise<Installation[]>;
  installationsInWorkspace(workspaceId: string): Promise<Installation[]>;
  /**
   * app, installationsInWorkspace and authorizationsOfInstallation as the outbox dispatcher reads
   * them for every expansion: where the store can tell nothing changed since (SQLite), answered from
   * memory, and shared between callers: read them only.
   */
  appReadOnly?(id: string): Promise<Readonly<App> | undefined>;
  installationsInWorkspaceReadOnly?(workspaceId: string): Promise<readonly Installation[]>;
  authorizationsOfInstallationReadOnly?(installationId: string): Promise<readonly Authorization[]>;
  authorization(appId: string, userId: string): Promise<Authorization | undefined>;
  authorizationsOfInstallation(installationId: string): Promise<Authorization[]>;
  authorizationsOfUser(workspaceId: string, userId: string): Promise<Authorization[]>;
  /** Creates the authorization or replaces its scopes (and installation); returns it as stored. */
  upsertAuthorization(authorization: Authorization): Promise<Authorization>;
  deleteAuthorization(id: string): Promise<void>;
  insertAppToken(token: AppToken): Promise<void>;
  appToken(tokenHash: string): Promise<AppToken | undefined>;
  deleteBotTokens(installationId: string): Promise<void>;
  deleteUserTokens(authorizationId: string): Promise<void>;
  insertOAuthCode(code: OAuthCode): Promise<void>;
  /** Marks the code used and returns it, only if it was unused and unexpired: single use even under races. */
  consumeOAuthCode(codeHash: string, now: number): Promise<OAuthCode | undefined>;
  insertEphemeral(record: EphemeralRecord): Promise<void>;
  ephemeral(channelId: string, id: string): Promise<EphemeralRecord | undefined>;
  /** Who still sees it; nobody left: the record goes. */
  setEphemeralRecipients(id: string, recipients: string[]): Promise<void>;
  /** An edited ephemeral message's new blocks (docs/app-platform.md §7.3: interactions are checked against them). */
  setEphemeralBlocks(id: string, blocks: unknown[] | null): Promise<void>;
}
