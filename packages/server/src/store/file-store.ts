/**
 * SQL for files' records (docs/pumble-app-platform.md §11.2), reached as `store.files`: inside
 * `Store.transaction` it is bound to the transaction, so a message and the files it takes commit
 * together, and a file cannot be taken by two messages (the rows are locked on PostgreSQL; SQLite
 * has one writer).
 */
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Engine } from './engine.js';
import type { FileDatabase, FileTable, FileUploadTokenTable } from './file-tables.js';
import type { ChannelFile, ChannelFileCursor, FileRecordStorage, StoredFile, UploadToken } from '../domain/ports/files.js';
import type { FileRef } from '../domain/model.js';
import { num, numOrNull } from './columns.js';

type Db = Kysely<FileDatabase> | Transaction<FileDatabase>;

function toFile(r: Selectable<FileTable>): StoredFile {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    uploaderId: r.uploader_id,
    appId: r.app_id,
    name: r.name,
    size: num(r.size),
    mimeType: r.mime_type,
    width: r.width,
    height: r.height,
    storageKey: r.storage_key,
    thumbnail:
      r.thumb_key !== null
        ? { key: r.thumb_key, size: num(r.thumb_size ?? 0), width: r.thumb_width ?? 0, height: r.thumb_height ?? 0, mimeType: r.thumb_mime_type ?? 'image/webp' }
        : null,
    completedAt: numOrNull(r.completed_at),
    messageId: r.message_id,
    channelId: r.channel_id,
    publicToken: r.public_token,
    createdAt: num(r.created_at),
    orphanedAt: numOrNull(r.orphaned_at),
  };
}

function toUploadToken(r: Selectable<FileUploadTokenTable>): UploadToken {
  return {
    tokenHash: r.token_hash,
    productTokenHash: r.product_token_hash,
    workspaceId: r.workspace_id,
    userId: r.user_id,
    appId: r.app_id,
    filename: r.filename,
    length: num(r.length),
    createdAt: num(r.created_at),
    expiresAt: num(r.expires_at),
  };
}

export class FileStore implements FileRecordStorage {
  private readonly db: Db;

  constructor(
    db: Kysely<any> | Transaction<any>,
    private readonly engine: Engine,
  ) {
    this.db = db as Db;
  }

  async insert(f: StoredFile): Promise<void> {
    await this.db
      .insertInto('files')
      .values({
        id: f.id,
        workspace_id: f.workspaceId,
        uploader_id: f.uploaderId,
        app_id: f.appId,
        name: f.name,
        size: f.size,
        mime_type: f.mimeType,
        width: f.width,
        height: f.height,
        storage_key: f.storageKey,
        thumb_key: f.thumbnail?.key ?? null,
        thumb_size: f.thumbnail?.size ?? null,
        thumb_width: f.thumbnail?.width ?? null,
        thumb_height: f.thumbnail?.height ?? null,
        thumb_mime_type: f.thumbnail?.mimeType ?? null,
        completed_at: f.completedAt,
        message_id: f.messageId,
        channel_id: f.channelId,
        public_token: f.publicToken,
        created_at: f.createdAt,
        orphaned_at: f.orphanedAt,
      })
      .execute();
  }

  async get(id: string): Promise<StoredFile | undefined> {
    const r = await this.db.selectFrom('files').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toFile(r);
  }

  async forUpdate(ids: readonly string[]): Promise<StoredFile[]> {
    if (ids.length === 0) return [];
    let q = this.db.selectFrom('files').selectAll().where('id', 'in', ids);
    if (this.engine === 'postgres') q = q.forUpdate();
    const byId = new Map((await q.execute()).map((r) => [r.id, toFile(r)]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  async markCompleted(id: string, now: number): Promise<boolean> {
    const r = await this.db.updateTable('files').set({ completed_at: now }).where('id', '=', id).where('completed_at', 'is', null).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async attach(messageId: string, channelId: string, refs: readonly FileRef[]): Promise<void> {
    if (refs.length === 0) return;
    await this.db
      .updateTable('files')
      .set({ message_id: messageId, channel_id: channelId, orphaned_at: null })
      .where('id', 'in', refs.map((f) => f.id))
      .execute();
    await this.db.updateTable('messages').set({ files: JSON.stringify(refs) }).where('id', '=', messageId).execute();
  }

  async detachMessage(messageId: string, now: number): Promise<void> {
    await this.db.updateTable('files').set({ message_id: null, channel_id: null, public_token: null, orphaned_at: now }).where('message_id', '=', messageId).execute();
    await this.db.updateTable('messages').set({ files: null }).where('id', '=', messageId).execute();
  }

  async setPublicToken(id: string, token: string | null): Promise<void> {
    await this.db.updateTable('files').set({ public_token: token }).where('id', '=', id).execute();
  }

  async byPublicToken(token: string): Promise<StoredFile | undefined> {
    const r = await this.db.selectFrom('files').selectAll().where('public_token', '=', token).executeTakeFirst();
    return r && toFile(r);
  }

  /**
   * Orphans: files no message holds since before `before` — never attached, or their message
   * deleted — and files whose message is gone with its channel (a channel's deletion removes its
   * messages' rows outright: those count from their upload).
   */
  private orphanPredicate(before: number) {
    return sql<boolean>`((files.message_id is null and files.orphaned_at < ${before})
      or (files.message_id is not null and files.created_at < ${before}
          and not exists (select 1 from messages m where m.id = files.message_id)))`;
  }

  async orphansBefore(before: number, limit: number): Promise<StoredFile[]> {
    const rows = await this.db.selectFrom('files').selectAll().where(this.orphanPredicate(before)).orderBy('created_at').orderBy('id').limit(limit).execute();
    return rows.map(toFile);
  }

  async deleteOrphan(id: string): Promise<boolean> {
    // Checked again in the one statement: a post that claimed the file meanwhile keeps it.
    const r = await this.db.deleteFrom('files').where('id', '=', id).where(this.orphanPredicate(Number.MAX_SAFE_INTEGER)).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async channelFiles(channelId: string, after: ChannelFileCursor | undefined, limit: number): Promise<ChannelFile[]> {
    let q = this.db
      .selectFrom('files')
      .innerJoin('messages', 'messages.id', 'files.message_id')
      .selectAll('files')
      .select(['messages.author_id as m_author_id', 'messages.created_at as m_created_at', 'messages.thread_root_id as m_thread_root_id'])
      .where('files.channel_id', '=', channelId)
      .where('messages.deleted', '=', 0);
    if (after) {
      // Ids sort by time in both engines: "older" is a string comparison (files_channel serves it).
      q = q.where((eb) => eb.or([eb('files.message_id', '<', after.messageId), eb.and([eb('files.message_id', '=', after.messageId), eb('files.id', '<', after.fileId)])]));
    }
    const rows = await q.orderBy('files.message_id', 'desc').orderBy('files.id', 'desc').limit(limit).execute();
    return rows.map((r) => ({ file: toFile(r), messageId: r.message_id!, authorId: r.m_author_id, postedAt: num(r.m_created_at), threadRootId: r.m_thread_root_id }));
  }

  async insertUploadToken(t: UploadToken): Promise<void> {
    await this.db
      .insertInto('file_upload_tokens')
      .values({
        token_hash: t.tokenHash,
        product_token_hash: t.productTokenHash,
        workspace_id: t.workspaceId,
        user_id: t.userId,
        app_id: t.appId,
        filename: t.filename,
        length: t.length,
        created_at: t.createdAt,
        expires_at: t.expiresAt,
      })
      .execute();
  }

  async redeemUploadToken(tokenHash: string): Promise<UploadToken | undefined> {
    // DELETE … RETURNING: only the one statement that deleted the row sees it, so a token admits one upload.
    const r = await this.db.deleteFrom('file_upload_tokens').where('token_hash', '=', tokenHash).returningAll().executeTakeFirst();
    return r && toUploadToken(r);
  }

  async pruneUploadTokens(now: number): Promise<number> {
    const r = await this.db.deleteFrom('file_upload_tokens').where('expires_at', '<', now).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
