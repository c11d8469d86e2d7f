import { CompiledQuery, sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { LinkPreview } from '../domain/model.js';
import { LinkPreviewStore } from './link-preview-store.js';
import { freshMessage, type BotTag, type CustomStatus, type FileRef, type Channel, type Message, type User, type Workspace, type Reaction } from '../domain/model.js';
import type { ChannelTable, Database, EphemeralMessageTable, MessageTable, WorkspaceUserTable } from './schema.js';
import type { DomainEvent } from '../domain/events.js';
import type { Engine } from './engine.js';
import { transactionRunner, type TransactionRunner } from './transaction-scope.js';
import { PreparedQuery } from './prepared.js';
import { GroupCommit, outboxOfBatch } from './group-commit.js';
import { sessionCacheOf } from './session-cache.js';
import { watchedCacheOf, type WatchedGroup } from './write-watch.js';
import { DeliveryStore, deliveryStoreShared, type DeliveryStoreShared } from './delivery-store.js';
import { ScheduledStore } from './scheduled-store.js';
import { UserGroupStore } from './user-group-store.js';
import { AppSocketStore } from './app-socket-store.js';
import { ReadMarkerStore } from './read-marker-store.js';
import { NotificationLevelStore } from './notification-level-store.js';
import { PinStore } from './pin-store.js';
import { ApiKeyStore } from './api-key-store.js';
import type { ApiKeyDatabase } from './api-key-tables.js';
import { LeadStore } from './lead-store.js';
import { ViewStore } from './view-store.js';
import { SearchStore } from './search-store.js';
import { FileStore } from './file-store.js';
import type { LeadDatabase } from './lead-tables.js';
import { usernameBase } from './integration-tables.js';
import { IntegrationStore } from './integration-store.js';
import type { App, AppPatch, AppToken, Authorization, ChatStore, EphemeralRecord, Installation, NewChannel, NewMessage, NewUser, OAuthCode, PageDirection, StoredDomainEvent } from '../domain/ports/chat-store.js';
import { appPatchColumns, appRow, appTokenRow, authorizationRow, installationRow, oauthCodeRow, toApp, toAppToken, toAuthorization, toInstallation, toOAuthCode } from './app-rows.js';
import { MissingReference, UniqueViolation } from '../domain/errors.js';
import type { TransactionOptions } from '../domain/ports/transaction-options.js';
import { isForeignKeyViolation, isUniqueViolation } from './sql-errors.js';

type Db = Kysely<Database> | Transaction<Database>;


const bool = (v: number | boolean) => v === 1 || v === true;
const num = (v: number | string) => (typeof v === 'string' ? Number(v) : v);

function toUser(r: Selectable<WorkspaceUserTable>): User {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    email: r.email,
    name: r.name,
    role: r.role,
    status: r.status,
    isBot: bool(r.is_bot),
    title: r.title,
    timeZone: r.time_zone,
    locale: r.locale,
    customStatus: r.custom_status ? (JSON.parse(r.custom_status) as CustomStatus) : null,
    username: r.username,
    extraRoles: r.extra_roles ? (JSON.parse(r.extra_roles) as string[]) : [],
    createdAt: num(r.created_at),
    updatedAt: num(r.updated_at),
    avatarId: r.avatar_id ?? null,
  };
}

function toChannel(r: Selectable<ChannelTable>): Channel {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    type: r.type,
    name: r.name,
    description: r.description,
    isArchived: bool(r.is_archived),
    isMain: bool(r.is_main),
    createdBy: r.created_by,
    createdAt: num(r.created_at),
    updatedAt: num(r.updated_at),
  };
}

function toMessage(r: Selectable<MessageTable>, reactions: Reaction[] = []): Message {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    channelId: r.channel_id,
    authorId: r.author_id,
    text: r.text,
    postedText: r.posted_text ?? null,
    blocks: r.blocks ? JSON.parse(r.blocks) : null,
    attachments: r.attachments ? JSON.parse(r.attachments) : null,
    threadRootId: r.thread_root_id,
    sentToChannel: bool(r.sent_to_channel),
    replyCount: r.reply_count,
    lastReplyAt: r.last_reply_at === null ? null : num(r.last_reply_at),
    repliers: r.repliers ? JSON.parse(r.repliers) : [],
    edited: bool(r.edited),
    deleted: bool(r.deleted),
    createdAt: num(r.created_at),
    updatedAt: num(r.updated_at),
    reactions,
    alias: r.alias ?? null,
    avatar: r.avatar ?? null,
    emoji: r.emoji ?? null,
    bot: r.bot ? (JSON.parse(r.bot) as BotTag) : null,
    files: r.files ? (JSON.parse(r.files) as FileRef[]) : [],
    ...(r.link_previews && { linkPreviews: JSON.parse(r.link_previews) as LinkPreview[] }),
  };
}

function toEphemeral(r: Selectable<EphemeralMessageTable>): EphemeralRecord {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    channelId: r.channel_id,
    authorId: r.author_id,
    recipients: JSON.parse(r.recipients) as string[],
    threadRootId: r.thread_root_id,
    createdAt: num(r.created_at),
    blocks: r.blocks ? (JSON.parse(r.blocks) as unknown[]) : null,
  };
}



/** Its parent row is gone (a foreign key refused it): the domain's MissingReference. */
async function referenced<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (e) {
    if (isForeignKeyViolation(e)) throw new MissingReference((e as Error).message);
    throw e;
  }
}

async function unique<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (e) {
    if (isUniqueViolation(e)) throw new UniqueViolation((e as Error).message);
    throw e;
  }
}


/** The queries on every request's path, compiled once (see PreparedQuery). */
/** The outbox's claim and mark (on PostgreSQL the claimed rows stay locked, and other nodes skip them). */
/**
 * The LIMIT is written into the text (one statement per batch size, and there is one): SQLite
 * plans a bound LIMIT again on every run (11.3 µs against 3.3 µs for this claim).
 */
function claimEventsSql(engine: Engine, limit: number): string {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`claim limit must be a positive integer, not ${limit}`);
  return `select * from "domain_events" where "expanded_at" is null order by "id" limit ${limit}${engine === 'postgres' ? ' for update skip locked' : ''}`;
}
const MARK_EXPANDED_SQLITE = 'update "domain_events" set "expanded_at" = ? where "id" in (select "value" from json_each(?))';
const MARK_EXPANDED_POSTGRES = 'update "domain_events" set "expanded_at" = $1 where "id" = any($2::text[])';

const hot = {
  sessionUser: new PreparedQuery(2, (db, tokenHash: string, createdAfter: number) =>
    db
      .selectFrom('sessions')
      .innerJoin('workspace_users as u', 'u.id', 'sessions.user_id')
      .selectAll('u')
      .where('sessions.token_hash', '=', tokenHash)
      .where('sessions.created_at', '>', createdAfter)
      .where('u.status', '=', 'ACTIVATED'),
  ),
  /** the outbox reads them for every batch of events */
  installationsInWorkspace: new PreparedQuery(1, (db, workspaceId: string) => db.selectFrom('app_installations').selectAll().where('workspace_id', '=', workspaceId).orderBy('id')),
  /** the same, with the session's creation (the session cache checks its expiry by the clock) */
  sessionUserSince: new PreparedQuery(2, (db, tokenHash: string, createdAfter: number) =>
    db
      .selectFrom('sessions')
      .innerJoin('workspace_users as u', 'u.id', 'sessions.user_id')
      .selectAll('u')
      .select('sessions.created_at as session_created_at')
      .where('sessions.token_hash', '=', tokenHash)
      .where('sessions.created_at', '>', createdAfter)
      .where('u.status', '=', 'ACTIVATED'),
  ),
  channelFor: new PreparedQuery(3, (db, workspaceId: string, id: string, userId: string) =>
    db
      .selectFrom('channels')
      .selectAll('channels')
      .select((eb) =>
        eb
          .exists(
            eb
              .selectFrom('channel_members')
              .select('channel_members.user_id')
              .whereRef('channel_members.channel_id', '=', 'channels.id')
              .where('channel_members.user_id', '=', userId),
          )
          .as('is_member'),
      )
      .where('id', '=', id)
      .where('workspace_id', '=', workspaceId),
  ),
  memberIds: new PreparedQuery(1, (db, channelId: string) =>
    db.selectFrom('channel_members').select('user_id').where('channel_id', '=', channelId).orderBy('user_id'),
  ),
  insertDomainEvent: new PreparedQuery(7, (db, id: string, workspaceId: string, type: string, payload: string, requestId: string, now: number, expandedAt: number | null) =>
    db.insertInto('domain_events').values({ id, workspace_id: workspaceId, type, payload, request_id: requestId, created_at: now, expanded_at: expandedAt }),
  ),
  appToken: new PreparedQuery(1, (db, tokenHash: string) => db.selectFrom('app_tokens').selectAll().where('token_hash', '=', tokenHash)),
  insertMessage: new PreparedQuery(
    16,
    (
      db,
      id: string,
      workspaceId: string,
      channelId: string,
      authorId: string,
      text: string,
      blocks: string | null,
      attachments: string | null,
      threadRootId: string | null,
      now: number,
      zero: number,
      alias: string | null,
      avatar: string | null,
      emoji: string | null,
      bot: string | null,
      sentToChannel: number,
      postedText: string | null,
    ) =>
      db.insertInto('messages').values({
        id,
        workspace_id: workspaceId,
        channel_id: channelId,
        author_id: authorId,
        text,
        blocks,
        attachments,
        thread_root_id: threadRootId,
        reply_count: zero,
        last_reply_at: null,
        repliers: null,
        edited: zero,
        deleted: zero,
        created_at: now,
        updated_at: now,
        alias,
        avatar,
        emoji,
        bot,
        sent_to_channel: sentToChannel,
        posted_text: postedText,
      }),
  ),
};

/**
 * The only place that speaks SQL. Methods take and return the core's model types; a
 * transaction is another Store bound to the transaction's connection.
 */
export class Store implements ChatStore {
  private readonly transactions: TransactionRunner | undefined;
  private deliveryStore: DeliveryStore | undefined;
  private scheduledStore: ScheduledStore | undefined;

  /** Scheduled messages, on this store's connection. */
  get scheduled(): ScheduledStore {
    return (this.scheduledStore ??= new ScheduledStore(this.db, this.engine));
  }
  private apiKeyStore: ApiKeyStore | undefined;
  private userGroupStore: UserGroupStore | undefined;

  /** User groups, on this store's connection (a transaction's inside commit). */
  get userGroups(): UserGroupStore {
    return (this.userGroupStore ??= new UserGroupStore(this.db, this.engine));
  }

  /** The delivery log and queue, on this store's connection (so an expander's writes join its transaction). */
  get deliveries(): DeliveryStore {
    return (this.deliveryStore ??= new DeliveryStore(this.db, this.engine, this.shared.deliveries));
  }

  private integrationStore: IntegrationStore | undefined;

  /** Integrations, their history and the role → permission mapping, on this store's connection. */
  get integrations(): IntegrationStore {
    return (this.integrationStore ??= new IntegrationStore(this.db, this.engine));
  }

  /** The API-keys addon's keys and audit log, on this store's connection. */
  get apiKeys(): ApiKeyStore {
    return (this.apiKeyStore ??= new ApiKeyStore(this.db as unknown as Kysely<ApiKeyDatabase>));
  }

  private appSocketStore: AppSocketStore | undefined;

  /** Socket mode's tickets and live socket registry (docs/app-platform.md §10), on this store's connection. */
  get appSockets(): AppSocketStore {
    return (this.appSocketStore ??= new AppSocketStore(this.db));
  }

  private readMarkerStore: ReadMarkerStore | undefined;

  /** Read markers per membership (docs/web-client.md §5), on this store's connection. */
  get reads(): ReadMarkerStore {
    return (this.readMarkerStore ??= new ReadMarkerStore(this.db));
  }

  private notificationLevelStore: NotificationLevelStore | undefined;

  /** Notification levels per membership (docs/web-client.md §6.8), on this store's connection. */
  get notificationLevels(): NotificationLevelStore {
    return (this.notificationLevelStore ??= new NotificationLevelStore(this.db));
  }

  private viewStore: ViewStore | undefined;

  /** Modals, home views and loading states (docs/app-platform.md §9.3, §9.4), on this store's connection. */
  get views(): ViewStore {
    return (this.viewStore ??= new ViewStore(this.db, this.engine));
  }

  private fileStore: FileStore | undefined;

  /** Files' records and upload tokens (docs/pumble-app-platform.md §11.2), on this store's connection. */
  get files(): FileStore {
    return (this.fileStore ??= new FileStore(this.db, this.engine));
  }

  private linkPreviewStore: LinkPreviewStore | undefined;

  /** Link previews: the setting, the cache, the jobs, a message's previews (docs/web-client.md §6.1), on this store's connection. */
  get linkPreviews(): LinkPreviewStore {
    return (this.linkPreviewStore ??= new LinkPreviewStore(this.db, this.engine));
  }

  private searchStore: SearchStore | undefined;

  /** Message search on the full-text index of migration 0018, on this store's connection. */
  get search(): SearchStore {
    return (this.searchStore ??= new SearchStore(this.db, this.engine, async (ids) => {
      if (ids.length === 0) return [];
      const rows = await this.db.selectFrom('messages').selectAll().where('id', 'in', ids).execute();
      const reactions = await this.reactionsOf(ids);
      return rows.map((r) => toMessage(r, reactions.get(r.id) ?? []));
    }));
  }

  private pinStore: PinStore | undefined;

  /** Pinned and saved messages (docs/web-client.md §6.1), on this store's connection. */
  get pins(): PinStore {
    return (this.pinStore ??= new PinStore(this.db, {
      messages: async (ids) => {
        if (ids.length === 0) return [];
        const rows = await this.db.selectFrom('messages').selectAll().where('id', 'in', ids).execute();
        const reactions = await this.reactionsOf(ids);
        return rows.map((r) => toMessage(r, reactions.get(r.id) ?? []));
      },
      channels: async (ids) => (ids.length === 0 ? [] : (await this.db.selectFrom('channels').selectAll().where('id', 'in', ids).execute()).map(toChannel)),
    }));
  }

  private leadStore: LeadStore | undefined;

  /** The tooling login's leads and exchange tokens (docs/app-platform.md §4.1), on this store's connection. */
  get leads(): LeadStore {
    return (this.leadStore ??= new LeadStore(this.db as unknown as Kysely<LeadDatabase>));
  }

  constructor(
    private readonly db: Db,
    readonly engine: Engine,
    /**
     * What the stores of one database in this process share, its transactions' stores too: the
     * database itself (`root`, whose caches a transaction also reads, see write-watch.ts) and what
     * the delivery stores share (backlog estimates, the local queue's lease offer).
     */
    private readonly shared: { readonly root: object; readonly deliveries: DeliveryStoreShared } = { root: db, deliveries: deliveryStoreShared() },
  ) {
    this.transactions = db.isTransaction ? undefined : transactionRunner(db as Kysely<Database>, engine);
  }

  /**
   * Runs `work` atomically. Inside it, use only the `tx` it is given: a call through the outer
   * store fails at once (see transaction-scope.ts). Inside a transaction, joins it.
   */
  async transaction<T>(work: (tx: Store) => Promise<T>, opts?: TransactionOptions): Promise<T> {
    if (!this.transactions) return work(this);
    return this.transactions.run((trx) => work(new Store(trx, this.engine, this.shared)), opts);
  }

  /** See ChatStore.finishEachBatch: on SQLite, where a group commit batches units (group-commit.ts). */
  finishEachBatch(finisher: { work(tx: Store, written: readonly StoredDomainEvent[]): Promise<void>; committed(): void; failed(error: unknown): void }): (() => void) | undefined {
    if (!(this.transactions instanceof GroupCommit)) return undefined;
    return this.transactions.finishEachBatch({
      committed: () => finisher.committed(),
      failed: (error) => finisher.failed(error),
      work: (trx, written) => finisher.work(new Store(trx, this.engine, this.shared), written as StoredDomainEvent[]),
      // Written as expanded (insertDomainEvent): not expanded after all, so the poll takes them.
      reopen: (trx, written) => new Store(trx, this.engine, this.shared).markExpanded((written as StoredDomainEvent[]).map((e) => e.id), null),
    });
  }

  // ---- workspaces -------------------------------------------------------------------

  async countWorkspaces(): Promise<number> {
    const r = await this.db.selectFrom('workspaces').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async insertWorkspace(w: Workspace): Promise<void> {
    await this.db
      .insertInto('workspaces')
      .values({ id: w.id, name: w.name, locale: w.locale, created_at: w.createdAt })
      .execute();
  }

  async updateWorkspace(id: string, patch: { name?: string; locale?: string; messageRetentionDays?: number | null }): Promise<void> {
    const { messageRetentionDays, ...rest } = patch;
    if (rest.name === undefined && rest.locale === undefined && messageRetentionDays === undefined) return;
    await this.db
      .updateTable('workspaces')
      .set({ ...rest, ...(messageRetentionDays !== undefined && { message_retention_days: messageRetentionDays }) })
      .where('id', '=', id)
      .execute();
  }

  /** docs/web-client.md §7: the workspaces that delete old messages, and after how many days. */
  async workspacesWithRetention(): Promise<Array<{ workspaceId: string; days: number }>> {
    const rows = await this.db
      .selectFrom('workspaces')
      .select(['id', 'message_retention_days'])
      .where('message_retention_days', 'is not', null)
      .where('message_retention_days', '>', 0)
      .orderBy('id')
      .execute();
    return rows.map((r) => ({ workspaceId: r.id, days: num(r.message_retention_days!) }));
  }

  /** A workspace's oldest live messages posted before `before`, at most `limit` (the retention's batch). */
  async expiredMessages(workspaceId: string, before: number, limit: number): Promise<Array<{ id: string; channelId: string }>> {
    const rows = await this.db
      .selectFrom('messages')
      .select(['id', 'channel_id'])
      .where('workspace_id', '=', workspaceId)
      .where('deleted', '=', 0)
      .where('created_at', '<', before)
      .orderBy('created_at')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ id: r.id, channelId: r.channel_id }));
  }

  async workspaceIds(): Promise<string[]> {
    return (await this.db.selectFrom('workspaces').select('id').orderBy('id').execute()).map((r) => r.id);
  }

  async workspace(id: string): Promise<Workspace | undefined> {
    const r = await this.db.selectFrom('workspaces').selectAll().where('id', '=', id).executeTakeFirst();
    return r && { id: r.id, name: r.name, locale: r.locale, createdAt: num(r.created_at), messageRetentionDays: r.message_retention_days == null ? null : num(r.message_retention_days) };
  }

  // ---- users and sessions -----------------------------------------------------------

  async insertUser(u: NewUser): Promise<void> {
    const username = u.username ?? (await this.freeUsername(u.workspaceId, usernameBase(u.isBot ? u.name : u.email.split('@')[0]!)));
    await unique(
      this.db
        .insertInto('workspace_users')
        .values({
          id: u.id,
          workspace_id: u.workspaceId,
          email: u.email,
          name: u.name,
          role: u.role,
          status: 'ACTIVATED',
          password_hash: u.passwordHash,
          is_bot: u.isBot ? 1 : 0,
          title: u.title ?? '',
          time_zone: 'UTC',
          locale: null,
          custom_status: null,
          username,
          extra_roles: '[]',
          created_at: u.now,
          updated_at: u.now,
        })
        .execute(),
    );
  }

  /** `base`, or `base2`, `base3`… : the first username nobody in the workspace has. */
  async freeUsername(workspaceId: string, base: string): Promise<string> {
    const rows = await this.db
      .selectFrom('workspace_users')
      .select('username')
      .where('workspace_id', '=', workspaceId)
      .where(sql<boolean>`substr(username, 1, ${base.length}) = ${base}`)
      .execute();
    const taken = new Set(rows.map((r) => r.username));
    let candidate = base;
    for (let n = 2; taken.has(candidate); n++) candidate = `${base}${n}`;
    return candidate;
  }

  async userByUsername(workspaceId: string, username: string): Promise<User | undefined> {
    const r = await this.db.selectFrom('workspace_users').selectAll().where('workspace_id', '=', workspaceId).where('username', '=', username).executeTakeFirst();
    return r && toUser(r);
  }

  /** People with this username in any workspace, with what login needs (docs/integrations.md §2.1). */
  async credentialsByUsername(username: string): Promise<Array<{ user: User; passwordHash: string | null }>> {
    const rows = await this.db.selectFrom('workspace_users').selectAll().where('username', '=', username).orderBy('created_at').execute();
    return rows.map((r) => ({ user: toUser(r), passwordHash: r.password_hash }));
  }

  async setUsername(workspaceId: string, userId: string, username: string, now: number): Promise<void> {
    await unique(this.db.updateTable('workspace_users').set({ username, updated_at: now }).where('workspace_id', '=', workspaceId).where('id', '=', userId).execute());
  }

  async setExtraRoles(workspaceId: string, userId: string, roles: readonly string[], now: number): Promise<void> {
    await this.db
      .updateTable('workspace_users')
      .set({ extra_roles: JSON.stringify([...new Set(roles)]), updated_at: now })
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', userId)
      .execute();
  }

  async user(workspaceId: string, id: string): Promise<User | undefined> {
    const r = await this.db
      .selectFrom('workspace_users')
      .selectAll()
      .where('id', '=', id)
      .where('workspace_id', '=', workspaceId)
      .executeTakeFirst();
    return r && toUser(r);
  }

  async users(workspaceId: string, ids?: readonly string[]): Promise<User[]> {
    if (ids && ids.length === 0) return [];
    let q = this.db.selectFrom('workspace_users').selectAll().where('workspace_id', '=', workspaceId);
    if (ids) q = q.where('id', 'in', ids);
    const rows = await q.orderBy('id').execute();
    return rows.map(toUser);
  }

  /** Accounts with this e-mail, with their password hashes, for login. */
  async credentialsByEmail(email: string): Promise<Array<{ user: User; passwordHash: string | null }>> {
    const rows = await this.db.selectFrom('workspace_users').selectAll().where('email', '=', email).orderBy('id').execute();
    return rows.map((r) => ({ user: toUser(r), passwordHash: r.password_hash }));
  }

  async updateUser(
    workspaceId: string,
    id: string,
    patch: { status?: User['status']; name?: string; role?: User['role']; locale?: string | null; customStatus?: CustomStatus | null; timeZone?: string; avatarId?: string | null },
    now: number,
  ) {
    const { customStatus, timeZone, avatarId, ...rest } = patch;
    await this.db
      .updateTable('workspace_users')
      .set({
        ...rest,
        ...(customStatus !== undefined && { custom_status: customStatus && JSON.stringify(customStatus) }),
        ...(timeZone !== undefined && { time_zone: timeZone }),
        ...(avatarId !== undefined && { avatar_id: avatarId }),
        updated_at: now,
      })
      .where('id', '=', id)
      .where('workspace_id', '=', workspaceId)
      .execute();
  }

  async insertSession(tokenHash: string, user: User, now: number): Promise<void> {
    await this.db
      .insertInto('sessions')
      .values({ token_hash: tokenHash, user_id: user.id, workspace_id: user.workspaceId, created_at: now })
      .execute();
  }

  /** The session's user, only while that user is active. */
  /** The user of a live session; sessions created at or before `createdAfter` have expired. */
  async sessionUser(tokenHash: string, createdAfter = 0): Promise<User | undefined> {
    const cache = sessionCacheOf(this.shared.root);
    if (!cache) {
      const r = await hot.sessionUser.executeTakeFirst(this.db, tokenHash, createdAfter);
      return r && toUser(r);
    }
    const known = cache.recall(tokenHash, createdAfter);
    if (known) return known;
    const version = cache.version();
    const r = await hot.sessionUserSince.executeTakeFirst(this.db, tokenHash, createdAfter);
    if (!r) return undefined;
    const { session_created_at, ...row } = r;
    const user = toUser(row);
    cache.remember(tokenHash, user, num(session_created_at), version);
    return user;
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('token_hash', '=', tokenHash).execute();
  }

  async deleteSessionsOf(userId: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('user_id', '=', userId).execute();
  }

  /** The stored password hash of a user (null: none set), or undefined when there is no such user. */
  async passwordHash(workspaceId: string, userId: string): Promise<string | null | undefined> {
    const r = await this.db.selectFrom('workspace_users').select('password_hash').where('workspace_id', '=', workspaceId).where('id', '=', userId).executeTakeFirst();
    return r?.password_hash;
  }

  /**
   * Sets a user's password hash. With `expected`, only while the stored hash is still that one
   * (a change verified against the old password must not overwrite a change made meanwhile).
   * False when nothing was updated.
   */
  async setPasswordHash(workspaceId: string, userId: string, passwordHash: string, now: number, expected?: string): Promise<boolean> {
    let q = this.db.updateTable('workspace_users').set({ password_hash: passwordHash, updated_at: now }).where('workspace_id', '=', workspaceId).where('id', '=', userId);
    if (expected !== undefined) q = q.where('password_hash', '=', expected);
    const r = await q.executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** Ends every session of the user but the one with `keepTokenHash`; returns the hashes of those ended. */
  async deleteOtherSessionsOf(userId: string, keepTokenHash: string): Promise<string[]> {
    const rows = await this.db.deleteFrom('sessions').where('user_id', '=', userId).where('token_hash', '!=', keepTokenHash).returning('token_hash').execute();
    return rows.map((r) => r.token_hash);
  }

  // ---- channels -----------------------------------------------------------------------

  async insertChannel(c: NewChannel): Promise<void> {
    await unique(
      this.db
        .insertInto('channels')
        .values({
          id: c.id,
          workspace_id: c.workspaceId,
          type: c.type,
          name: c.name,
          name_key: c.name === null ? null : c.name.toLowerCase(),
          direct_key: c.directKey,
          description: c.description,
          is_archived: 0,
          is_main: c.isMain ? 1 : 0,
          created_by: c.createdBy,
          created_at: c.now,
          updated_at: c.now,
        })
        .execute(),
    );
  }

  async channel(workspaceId: string, id: string): Promise<Channel | undefined> {
    const r = await this.db
      .selectFrom('channels')
      .selectAll()
      .where('id', '=', id)
      .where('workspace_id', '=', workspaceId)
      .executeTakeFirst();
    return r && toChannel(r);
  }

  /** A channel and whether the user belongs to it, in one query (every channel route starts here). */
  async channelFor(workspaceId: string, id: string, userId: string): Promise<{ channel: Channel; isMember: boolean } | undefined> {
    // Remembered on SQLite while nothing wrote channels or memberships (write-watch.ts): every post reads it.
    const found = await this.watchedRead('channelFor', 'channels', `${workspaceId}\u0000${id}\u0000${userId}`, async () => {
      const r = await hot.channelFor.executeTakeFirst(this.db, workspaceId, id, userId);
      if (!r) return undefined;
      const { is_member, ...row } = r;
      return { channel: toChannel(row), isMember: bool(is_member as number | boolean) };
    });
    // A copy: the remembered answer is shared.
    return found && { channel: { ...found.channel }, isMember: found.isMember };
  }

  async channelById(id: string): Promise<Channel | undefined> {
    const r = await this.db.selectFrom('channels').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toChannel(r);
  }

  /** A named channel by its name, case-insensitively (names are unique per workspace that way). */
  async channelByName(workspaceId: string, name: string): Promise<Channel | undefined> {
    const r = await this.db.selectFrom('channels').selectAll().where('workspace_id', '=', workspaceId).where('name_key', '=', name.toLowerCase()).executeTakeFirst();
    return r && toChannel(r);
  }

  async mainChannel(workspaceId: string): Promise<Channel | undefined> {
    const r = await this.db
      .selectFrom('channels')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('is_main', '=', 1)
      .executeTakeFirst();
    return r && toChannel(r);
  }

  async directChannel(workspaceId: string, directKey: string): Promise<Channel | undefined> {
    const r = await this.db
      .selectFrom('channels')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('direct_key', '=', directKey)
      .executeTakeFirst();
    return r && toChannel(r);
  }

  /** PUBLIC channels of the workspace (when includePublic) and every channel the user belongs to. */
  async channelsVisibleTo(workspaceId: string, userId: string, includePublic: boolean): Promise<Channel[]> {
    const rows = await this.db
      .selectFrom('channels')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where((eb) => {
        const member = eb.exists(
          eb
            .selectFrom('channel_members')
            .select('channel_members.user_id')
            .whereRef('channel_members.channel_id', '=', 'channels.id')
            .where('channel_members.user_id', '=', userId),
        );
        return includePublic ? eb.or([eb('type', '=', 'PUBLIC'), member]) : member;
      })
      .orderBy('id')
      .execute();
    return rows.map(toChannel);
  }

  async namedChannels(workspaceId: string): Promise<Channel[]> {
    const rows = await this.db.selectFrom('channels').selectAll().where('workspace_id', '=', workspaceId).where('type', 'in', ['PUBLIC', 'PRIVATE']).orderBy('id').execute();
    return rows.map(toChannel);
  }

  async updateChannel(id: string, patch: { isArchived?: boolean; name?: string; description?: string; type?: 'PUBLIC' | 'PRIVATE' }, now: number) {
    await unique(
      this.db
        .updateTable('channels')
        .set({
          ...(patch.isArchived !== undefined && { is_archived: patch.isArchived ? 1 : 0 }),
          ...(patch.type !== undefined && { type: patch.type }),
          ...(patch.name !== undefined && { name: patch.name, name_key: patch.name.toLowerCase() }),
          ...(patch.description !== undefined && { description: patch.description }),
          updated_at: now,
        })
        .where('id', '=', id)
        .execute(),
    );
  }

  async memberIds(channelId: string): Promise<string[]> {
    // Remembered on SQLite while no membership was added or removed (write-watch.ts): every post's
    // audience. A copy: the remembered answer is shared.
    const ids = await this.watchedRead('memberIds', 'channels', channelId, async () => (await hot.memberIds.execute(this.db, channelId)).map((r) => r.user_id));
    return ids.slice();
  }

  async isMember(channelId: string, userId: string): Promise<boolean> {
    const r = await this.db
      .selectFrom('channel_members')
      .select('user_id')
      .where('channel_id', '=', channelId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return r !== undefined;
  }

  /** Ids of the channels the user belongs to. */
  async membershipsOf(userId: string): Promise<Set<string>> {
    const rows = await this.db.selectFrom('channel_members').select('channel_id').where('user_id', '=', userId).execute();
    return new Set(rows.map((r) => r.channel_id));
  }

  /** Active users of the workspace who are not guests: everyone who may see a PUBLIC channel. */
  async activeUserIds(workspaceId: string): Promise<string[]> {
    const rows = await this.db.selectFrom('workspace_users').select('id').where('workspace_id', '=', workspaceId).where('status', '=', 'ACTIVATED').execute();
    return rows.map((r) => r.id);
  }

  async nonGuestUserIds(workspaceId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('workspace_users')
      .select('id')
      .where('workspace_id', '=', workspaceId)
      .where('status', '=', 'ACTIVATED')
      .where('role', '!=', 'GUEST')
      .execute();
    return rows.map((r) => r.id);
  }

  /** Adds the users who are not members yet; returns those actually added (safe under concurrent adds). */
  async addMembers(channel: Channel, userIds: readonly string[], addedBy: string | null, now: number): Promise<string[]> {
    const unique = [...new Set(userIds)];
    if (unique.length === 0) return [];
    const rows = await referenced(this.db
      .insertInto('channel_members')
      .values(unique.map((user_id) => ({ channel_id: channel.id, user_id, workspace_id: channel.workspaceId, added_by: addedBy, joined_at: now })))
      .onConflict((oc) => oc.columns(['channel_id', 'user_id']).doNothing())
      .returning('user_id')
      .execute());
    const added = new Set(rows.map((r) => r.user_id));
    return unique.filter((id) => added.has(id));
  }

  async removeMember(channelId: string, userId: string): Promise<boolean> {
    const r = await this.db.deleteFrom('channel_members').where('channel_id', '=', channelId).where('user_id', '=', userId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  /**
   * Hard delete: the channel with its messages (and their reactions), ephemeral messages and
   * memberships, children first (foreign keys). Call inside a transaction. False when it was gone already.
   */
  async deleteChannel(channelId: string): Promise<boolean> {
    const messageIds = this.db.selectFrom('messages').select('id').where('channel_id', '=', channelId);
    // PostgreSQL: lock the channel, then its messages, waiting for posts, joins and reactions in
    // flight (their foreign keys hold these rows); those that come later wait, then find nothing.
    if (this.engine === 'postgres') {
      await this.db.selectFrom('channels').select('id').where('id', '=', channelId).forUpdate().execute();
      await messageIds.forUpdate().execute();
    }
    await this.db.deleteFrom('reactions').where('message_id', 'in', messageIds).execute();
    await this.db.deleteFrom('messages').where('channel_id', '=', channelId).execute();
    await this.db.deleteFrom('ephemeral_messages').where('channel_id', '=', channelId).execute();
    await this.db.deleteFrom('channel_members').where('channel_id', '=', channelId).execute();
    const r = await this.db.deleteFrom('channels').where('id', '=', channelId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  // ---- messages -------------------------------------------------------------------------

  /** Inserts and returns the message as stored (new: no replies, no reactions), without reading it back. */
  async insertMessage(m: NewMessage): Promise<Message> {
    const message = freshMessage(m);
    await referenced(hot.insertMessage.execute(
      this.db,
      m.id,
      m.workspaceId,
      m.channelId,
      m.authorId,
      m.text,
      m.blocks ? JSON.stringify(m.blocks) : null,
      m.attachments ? JSON.stringify(m.attachments) : null,
      m.threadRootId,
      m.now,
      0,
      m.alias ?? null,
      m.avatar ?? null,
      m.emoji ?? null,
      m.bot ? JSON.stringify(m.bot) : null,
      message.sentToChannel ? 1 : 0,
      message.postedText,
    ));
    return message;
  }

  /** Counts a reply on its root. Read-modify-write of `repliers`: the root row is locked for it on PostgreSQL (SQLite has one writer). */
  async recordReply(rootId: string, replierId: string, at: number): Promise<void> {
    let read = this.db.selectFrom('messages').select('repliers').where('id', '=', rootId);
    if (this.engine === 'postgres') read = read.forUpdate();
    const root = await read.executeTakeFirst();
    const repliers: string[] = root?.repliers ? JSON.parse(root.repliers) : [];
    const next = [...repliers.filter((r) => r !== replierId), replierId].slice(-20);
    await this.db
      .updateTable('messages')
      .set((eb) => ({
        reply_count: eb('reply_count', '+', 1),
        last_reply_at: sql<number>`case when ${eb.ref('last_reply_at')} is null or ${eb.ref('last_reply_at')} < ${at} then ${at} else ${eb.ref('last_reply_at')} end`,
        repliers: JSON.stringify(next),
      }))
      .where('id', '=', rootId)
      .execute();
  }

  async recordReplyDeleted(rootId: string): Promise<void> {
    await this.db
      .updateTable('messages')
      .set((eb) => ({ reply_count: sql<number>`case when ${eb.ref('reply_count')} > 0 then ${eb.ref('reply_count')} - 1 else 0 end` }))
      .where('id', '=', rootId)
      .execute();
  }

  async message(channelId: string, id: string): Promise<Message | undefined> {
    const r = await this.db
      .selectFrom('messages')
      .selectAll()
      .where('id', '=', id)
      .where('channel_id', '=', channelId)
      .executeTakeFirst();
    if (!r) return undefined;
    return toMessage(r, await this.reactionsOf([r.id]).then((m) => m.get(r.id) ?? []));
  }

  async messageById(id: string): Promise<Message | undefined> {
    const r = await this.db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) return undefined;
    return toMessage(r, await this.reactionsOf([r.id]).then((m) => m.get(r.id) ?? []));
  }

  /**
   * One page of a channel's top-level history (threadRootId null) or of a thread's replies,
   * walking from `cursor` (exclusive) in `direction`; `inclusive` includes the cursor itself.
   * Deleted messages are left out unless they still hold a thread.
   */
  async messagePage(q: {
    channelId: string;
    threadRootId: string | null;
    cursor: string | null;
    direction: PageDirection;
    limit: number;
    inclusive?: boolean;
  }): Promise<Message[]> {
    let query = this.db.selectFrom('messages').selectAll().where('channel_id', '=', q.channelId);
    // A channel's history also holds the replies sent to the channel as well, as Slack's and Pumble's do.
    query =
      q.threadRootId === null
        ? // Literally the predicate of the partial index messages_channel_shown (migration 0014), so both engines use it.
          query.where(sql<boolean>`(thread_root_id is null or sent_to_channel = 1)`)
        : query.where('thread_root_id', '=', q.threadRootId);
    query = query.where((eb) => eb.or([eb('deleted', '=', 0), eb('reply_count', '>', 0)]));
    if (q.cursor !== null) {
      const op = q.direction === 'older' ? (q.inclusive ? '<=' : '<') : q.inclusive ? '>=' : '>';
      query = query.where('id', op, q.cursor);
    }
    const rows = await query
      .orderBy('id', q.direction === 'older' ? 'desc' : 'asc')
      .limit(q.limit)
      .execute();
    const reactions = await this.reactionsOf(rows.map((r) => r.id));
    return rows.map((r) => toMessage(r, reactions.get(r.id) ?? []));
  }

  /**
   * A room's messages in these channels, by these authors, within the time range (ms, exclusive),
   * newest or oldest first; `total` counts them all. Text search is search-store.ts's (migration 0018).
   */
  async searchMessages(q: {
    channelIds: readonly string[];
    authorIds?: readonly string[];
    beforeTs?: number;
    afterTs?: number;
    /** only what the channel's own history shows: top-level messages and replies also sent to it */
    shownInChannel?: boolean;
    order: 'newest' | 'oldest';
    offset: number;
    limit: number;
  }): Promise<{ messages: Message[]; total: number }> {
    if (q.channelIds.length === 0 || q.authorIds?.length === 0) return { messages: [], total: 0 };
    let query = this.db.selectFrom('messages').where('channel_id', 'in', q.channelIds).where('deleted', '=', 0);
    if (q.authorIds) query = query.where('author_id', 'in', q.authorIds);
    if (q.beforeTs !== undefined) query = query.where('created_at', '<', q.beforeTs);
    if (q.afterTs !== undefined) query = query.where('created_at', '>', q.afterTs);
    // The predicate of the channel history (messagePage, and its partial index).
    if (q.shownInChannel) query = query.where(sql<boolean>`(thread_root_id is null or sent_to_channel = 1)`);
    const counted = await query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const rows = await query
      .selectAll()
      .orderBy('id', q.order === 'newest' ? 'desc' : 'asc')
      .offset(q.offset)
      .limit(q.limit)
      .execute();
    const reactions = await this.reactionsOf(rows.map((r) => r.id));
    return { messages: rows.map((r) => toMessage(r, reactions.get(r.id) ?? [])), total: Number(counted.n) };
  }

  async updateMessage(id: string, patch: { text?: string; blocks?: unknown[] | null; attachments?: unknown[] | null }, now: number) {
    await this.db
      .updateTable('messages')
      .set({
        // An edited text is Switchboard's own: what an integration once posted no longer stands beside it.
        ...(patch.text !== undefined && { text: patch.text, posted_text: null }),
        ...(patch.blocks !== undefined && { blocks: patch.blocks ? JSON.stringify(patch.blocks) : null }),
        ...(patch.attachments !== undefined && { attachments: patch.attachments ? JSON.stringify(patch.attachments) : null }),
        edited: 1,
        updated_at: now,
      })
      .where('id', '=', id)
      .execute();
  }

  /** Soft delete: the row stays as a tombstone so a thread under it keeps its root. */
  async deleteMessage(id: string, now: number): Promise<void> {
    await this.db.deleteFrom('reactions').where('message_id', '=', id).execute();
    await this.db
      .updateTable('messages')
      // Its link previews go with its text: a tombstone shows neither.
      .set({ deleted: 1, text: '', posted_text: null, blocks: null, attachments: null, link_previews: null, updated_at: now })
      .where('id', '=', id)
      .execute();
  }

  // ---- reactions ---------------------------------------------------------------------------

  async reactionsOf(messageIds: readonly string[]): Promise<Map<string, Reaction[]>> {
    const out = new Map<string, Reaction[]>();
    if (messageIds.length === 0) return out;
    const rows = await this.db
      .selectFrom('reactions')
      .select(['message_id', 'user_id', 'code'])
      .where('message_id', 'in', messageIds)
      .orderBy('created_at')
      .execute();
    for (const r of rows) {
      const list = out.get(r.message_id) ?? [];
      list.push({ userId: r.user_id, code: r.code });
      out.set(r.message_id, list);
    }
    return out;
  }

  /** True when the reaction was new. ON CONFLICT rather than catching: a failed insert aborts a PostgreSQL transaction. */
  async addReaction(messageId: string, userId: string, code: string, now: number): Promise<boolean> {
    const r = await referenced(this.db
      .insertInto('reactions')
      .values({ message_id: messageId, user_id: userId, code, created_at: now })
      .onConflict((oc) => oc.columns(['message_id', 'user_id', 'code']).doNothing())
      .executeTakeFirst());
    return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  async removeReaction(messageId: string, userId: string, code: string): Promise<boolean> {
    const r = await this.db
      .deleteFrom('reactions')
      .where('message_id', '=', messageId)
      .where('user_id', '=', userId)
      .where('code', '=', code)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  // ---- outbox ----------------------------------------------------------------------------------

  async insertDomainEvent(e: StoredDomainEvent): Promise<void> {
    // In a group-commit batch whose finisher expands what its units wrote, the event is written as
    // expanded and handed to the finisher as it is: nothing claims it back or marks it afterwards
    // (group-commit.ts BatchFinisher; should the expansion fail, its `reopen` undoes the mark).
    const batch = outboxOfBatch(this.db);
    await hot.insertDomainEvent.execute(this.db, e.id, e.workspaceId, e.type, JSON.stringify(e.event), e.requestId, e.createdAt, batch ? e.createdAt : null);
    batch?.push(e);
  }

  /**
   * The oldest events not yet expanded. Call inside a transaction: on PostgreSQL the rows stay
   * locked until it ends and other nodes skip them, so each event is expanded by one node.
   */
  async claimUnexpandedEvents(limit: number): Promise<StoredDomainEvent[]> {
    // Written out, not built: the dispatcher claims after nearly every commit (see prepared.ts).
    const { rows } = await this.db.executeQuery<Selectable<Database['domain_events']>>(CompiledQuery.raw(claimEventsSql(this.engine, limit), []));
    return rows.map((r) => ({
      id: r.id,
      workspaceId: r.workspace_id,
      type: r.type as DomainEvent['type'],
      event: JSON.parse(r.payload) as DomainEvent,
      requestId: r.request_id,
      createdAt: num(r.created_at),
    }));
  }

  async markExpanded(ids: readonly string[], now: number | null): Promise<void> {
    if (ids.length === 0) return;
    // One statement whatever the count (a JSON or array parameter), so it is prepared once.
    await this.db.executeQuery(
      this.engine === 'postgres' ? CompiledQuery.raw(MARK_EXPANDED_POSTGRES, [now, ids]) : CompiledQuery.raw(MARK_EXPANDED_SQLITE, [now, JSON.stringify(ids)]),
    );
  }

  /** Expanded events are kept a while for inspection, then pruned. */
  async pruneExpandedEvents(before: number): Promise<number> {
    const r = await this.db.deleteFrom('domain_events').where('expanded_at', 'is not', null).where('expanded_at', '<', before).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async countUnexpandedEvents(): Promise<number> {
    const r = await this.db
      .selectFrom('domain_events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('expanded_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  // ---- apps (rows ↔ records: app-rows.ts) -------------------------------------------------------------

  async insertApp(a: App): Promise<void> {
    await unique(this.db.insertInto('apps').values(appRow(a)).execute());
  }

  async app(id: string): Promise<App | undefined> {
    const r = await this.db.selectFrom('apps').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toApp(r);
  }

  /**
   * The app as `app` reads it, remembered on SQLite while no write touched `apps` (write-watch.ts):
   * each event delivery signs with its app's secrets, and reading the app was a tenth of the
   * delivery queue's SQL in the mixed bench. The answer is shared between callers: read it only.
   */
  async appReadOnly(id: string): Promise<Readonly<App> | undefined> {
    return this.watchedRead('app', 'apps', id, () => this.app(id));
  }

  /** installationsInWorkspace, remembered like appReadOnly (every expansion reads it): read it only. */
  async installationsInWorkspaceReadOnly(workspaceId: string): Promise<readonly Installation[]> {
    return this.watchedRead('installations', 'apps', workspaceId, () => this.installationsInWorkspace(workspaceId));
  }

  /** authorizationsOfInstallation, remembered like appReadOnly (every expansion reads it): read it only. */
  async authorizationsOfInstallationReadOnly(installationId: string): Promise<readonly Authorization[]> {
    return this.watchedRead('authorizations', 'apps', installationId, () => this.authorizationsOfInstallation(installationId));
  }

  /**
   * `read`'s answer for `key` in the cache called `name`, remembered on SQLite while no write
   * touched `group`'s tables and no other connection committed (write-watch.ts); read anew where
   * nothing can tell (PostgreSQL). Callers share the answer: they copy what they hand on.
   */
  private async watchedRead<V>(name: string, group: WatchedGroup, key: string, read: () => Promise<V>): Promise<V> {
    const cache = watchedCacheOf<{ value: V }>(this.shared.root, name, group);
    if (!cache) return read();
    const known = cache.recall(key);
    if (known) return known.value;
    const version = cache.version();
    const value = await read();
    cache.remember(key, { value }, version);
    return value;
  }

  /** The workspace's copy of a built-in app ('api-keys'). */
  async builtinApp(workspaceId: string, builtin: string): Promise<App | undefined> {
    const r = await this.db.selectFrom('apps').selectAll().where('workspace_id', '=', workspaceId).where('builtin', '=', builtin).executeTakeFirst();
    return r && toApp(r);
  }

  /** What the app directory lists: the workspace's built-in apps and every published app. */
  async directoryApps(workspaceId: string): Promise<App[]> {
    const rows = await this.db
      .selectFrom('apps')
      .selectAll()
      .where((eb) => eb.or([eb('published', '=', 1), eb.and([eb('workspace_id', '=', workspaceId), eb('builtin', 'is not', null)])]))
      .orderBy('id')
      .execute();
    return rows.map(toApp);
  }

  async appsOwnedBy(workspaceId: string, ownerId: string): Promise<App[]> {
    const rows = await this.db.selectFrom('apps').selectAll().where('workspace_id', '=', workspaceId).where('owner_id', '=', ownerId).where('builtin', 'is', null).orderBy('id').execute();
    return rows.map(toApp);
  }

  async updateApp(id: string, patch: AppPatch): Promise<void> {
    const columns = appPatchColumns(patch);
    if (Object.keys(columns).length === 0) return;
    await unique(this.db.updateTable('apps').set(columns).where('id', '=', id).execute());
  }

  async deleteApp(id: string): Promise<void> {
    await this.db.deleteFrom('apps').where('id', '=', id).execute();
  }

  // ---- installations, authorizations, tokens, codes ------------------------------------------------

  async installation(appId: string, workspaceId: string): Promise<Installation | undefined> {
    const r = await this.db.selectFrom('app_installations').selectAll().where('app_id', '=', appId).where('workspace_id', '=', workspaceId).executeTakeFirst();
    return r && toInstallation(r);
  }

  async insertInstallation(installation: Installation): Promise<void> {
    await unique(this.db.insertInto('app_installations').values(installationRow(installation)).execute());
  }

  async updateInstallation(id: string, patch: Partial<Pick<Installation, 'botScopes' | 'installedBy'>>): Promise<void> {
    if (patch.botScopes === undefined && patch.installedBy === undefined) return;
    await this.db
      .updateTable('app_installations')
      .set({
        ...(patch.botScopes !== undefined && { bot_scopes: JSON.stringify(patch.botScopes) }),
        ...(patch.installedBy !== undefined && { installed_by: patch.installedBy }),
      })
      .where('id', '=', id)
      .execute();
  }

  /** Uninstall: the installation, every authorization under it and every token, at once. */
  async deleteInstallation(id: string): Promise<void> {
    await this.db.deleteFrom('app_tokens').where('installation_id', '=', id).execute();
    await this.db.deleteFrom('app_authorizations').where('installation_id', '=', id).execute();
    await this.db.deleteFrom('app_installations').where('id', '=', id).execute();
  }

  async installationsOfApp(appId: string): Promise<Installation[]> {
    const rows = await this.db.selectFrom('app_installations').selectAll().where('app_id', '=', appId).execute();
    return rows.map(toInstallation);
  }

  async installationsInWorkspace(workspaceId: string): Promise<Installation[]> {
    const rows = await hot.installationsInWorkspace.execute(this.db, workspaceId);
    return rows.map(toInstallation);
  }

  async authorization(appId: string, userId: string): Promise<Authorization | undefined> {
    const r = await this.db.selectFrom('app_authorizations').selectAll().where('app_id', '=', appId).where('user_id', '=', userId).executeTakeFirst();
    return r && toAuthorization(r);
  }

  async authorizationsOfInstallation(installationId: string): Promise<Authorization[]> {
    const rows = await this.db.selectFrom('app_authorizations').selectAll().where('installation_id', '=', installationId).orderBy('id').execute();
    return rows.map(toAuthorization);
  }

  async authorizationsOfUser(workspaceId: string, userId: string): Promise<Authorization[]> {
    const rows = await this.db.selectFrom('app_authorizations').selectAll().where('workspace_id', '=', workspaceId).where('user_id', '=', userId).orderBy('id').execute();
    return rows.map(toAuthorization);
  }

  /** Creates the authorization or replaces its scopes (and installation); returns it as stored. */
  async upsertAuthorization(authorization: Authorization): Promise<Authorization> {
    const row = authorizationRow(authorization);
    await this.db
      .insertInto('app_authorizations')
      .values(row)
      .onConflict((oc) => oc.columns(['app_id', 'user_id']).doUpdateSet({ user_scopes: row.user_scopes, installation_id: row.installation_id }))
      .execute();
    return (await this.authorization(authorization.appId, authorization.userId))!;
  }

  async deleteAuthorization(id: string): Promise<void> {
    await this.db.deleteFrom('app_tokens').where('authorization_id', '=', id).execute();
    await this.db.deleteFrom('app_authorizations').where('id', '=', id).execute();
  }

  async insertAppToken(token: AppToken): Promise<void> {
    await this.db.insertInto('app_tokens').values(appTokenRow(token)).execute();
  }

  async appToken(tokenHash: string): Promise<AppToken | undefined> {
    const r = await hot.appToken.executeTakeFirst(this.db, tokenHash);
    return r && toAppToken(r);
  }

  async deleteBotTokens(installationId: string): Promise<void> {
    await this.db.deleteFrom('app_tokens').where('installation_id', '=', installationId).where('kind', '=', 'bot').execute();
  }

  async deleteUserTokens(authorizationId: string): Promise<void> {
    await this.db.deleteFrom('app_tokens').where('authorization_id', '=', authorizationId).execute();
  }

  async insertOAuthCode(code: OAuthCode): Promise<void> {
    await this.db.insertInto('oauth_codes').values(oauthCodeRow(code)).execute();
  }

  /** Marks the code used and returns it, only if it was unused and unexpired: single use even under races. */
  async consumeOAuthCode(codeHash: string, now: number): Promise<OAuthCode | undefined> {
    const r = await this.db
      .updateTable('oauth_codes')
      .set({ used_at: now })
      .where('code_hash', '=', codeHash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) return undefined;
    const row = await this.db.selectFrom('oauth_codes').selectAll().where('code_hash', '=', codeHash).executeTakeFirst();
    return row && toOAuthCode(row);
  }

  // ---- ephemeral messages -------------------------------------------------------------------------

  async insertEphemeral(record: EphemeralRecord): Promise<void> {
    await this.db
      .insertInto('ephemeral_messages')
      .values({
        id: record.id,
        workspace_id: record.workspaceId,
        channel_id: record.channelId,
        author_id: record.authorId,
        recipients: JSON.stringify(record.recipients),
        thread_root_id: record.threadRootId,
        created_at: record.createdAt,
        blocks: record.blocks ? JSON.stringify(record.blocks) : null,
      })
      .execute();
  }

  async ephemeral(channelId: string, id: string): Promise<EphemeralRecord | undefined> {
    const r = await this.db.selectFrom('ephemeral_messages').selectAll().where('id', '=', id).where('channel_id', '=', channelId).executeTakeFirst();
    return r && toEphemeral(r);
  }

  async setEphemeralBlocks(id: string, blocks: unknown[] | null): Promise<void> {
    await this.db.updateTable('ephemeral_messages').set({ blocks: blocks ? JSON.stringify(blocks) : null }).where('id', '=', id).execute();
  }

  /** Who still sees it; nobody left: the record goes. */
  async setEphemeralRecipients(id: string, recipients: string[]): Promise<void> {
    if (recipients.length === 0) await this.db.deleteFrom('ephemeral_messages').where('id', '=', id).execute();
    else await this.db.updateTable('ephemeral_messages').set({ recipients: JSON.stringify(recipients) }).where('id', '=', id).execute();
  }
}
