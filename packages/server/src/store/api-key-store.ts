/**
 * SQL for the API-keys addon (docs/api-keys.md §3). Like Store, a transaction's ApiKeyStore is
 * bound to the transaction's connection (Store.apiKeys hands out the right one).
 */
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { AddonBotMessageTable, ApiKeyDatabase, ApiKeyTable } from './api-key-tables.js';
import type { ApiKeyAuditEntry, ApiKeyRecord, ApiKeyStorage } from '../domain/ports/api-keys.js';
import { num } from './columns.js';

type Db = Kysely<ApiKeyDatabase> | Transaction<ApiKeyDatabase>;

function toKey(r: Selectable<ApiKeyTable>): ApiKeyRecord {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    userId: r.user_id,
    appId: r.app_id,
    name: r.name,
    hint: r.hint,
    createdAt: num(r.created_at),
    lastUsedAt: r.last_used_at === null ? null : num(r.last_used_at),
  };
}

/** last_used_at is written at most once a minute per key (§3): a busy key does not write on every call. */
export const LAST_USED_GRANULARITY_MS = 60_000;

export class ApiKeyStore implements ApiKeyStorage {
  constructor(private readonly db: Db) {}

  async insert(k: ApiKeyRecord & { keyHash: string }): Promise<void> {
    await this.db
      .insertInto('api_keys')
      .values({
        id: k.id,
        workspace_id: k.workspaceId,
        user_id: k.userId,
        app_id: k.appId,
        name: k.name,
        hint: k.hint,
        key_hash: k.keyHash,
        created_at: k.createdAt,
        last_used_at: null,
      })
      .execute();
  }

  async byHash(keyHash: string): Promise<ApiKeyRecord | undefined> {
    const r = await this.db.selectFrom('api_keys').selectAll().where('key_hash', '=', keyHash).executeTakeFirst();
    return r && toKey(r);
  }

  async ofUser(workspaceId: string, userId: string): Promise<ApiKeyRecord[]> {
    const rows = await this.db.selectFrom('api_keys').selectAll().where('workspace_id', '=', workspaceId).where('user_id', '=', userId).orderBy('id').execute();
    return rows.map(toKey);
  }

  async countOfUser(workspaceId: string, userId: string): Promise<number> {
    const r = await this.db
      .selectFrom('api_keys')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('workspace_id', '=', workspaceId)
      .where('user_id', '=', userId)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async ofApp(appId: string, workspaceId: string): Promise<ApiKeyRecord[]> {
    const rows = await this.db.selectFrom('api_keys').selectAll().where('app_id', '=', appId).where('workspace_id', '=', workspaceId).orderBy('id').execute();
    return rows.map(toKey);
  }

  async delete(id: string): Promise<boolean> {
    const r = await this.db.deleteFrom('api_keys').where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) === 1;
  }

  /** Marks the key used, unless it already was within the last minute. */
  async touch(id: string, now: number): Promise<void> {
    await this.db
      .updateTable('api_keys')
      .set({ last_used_at: now })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<=', now - LAST_USED_GRANULARITY_MS)]))
      .execute();
  }

  async audit(e: ApiKeyAuditEntry): Promise<void> {
    await this.db
      .insertInto('api_key_audit')
      .values({
        id: e.id,
        workspace_id: e.workspaceId,
        actor_id: e.actorId,
        owner_id: e.ownerId,
        key_id: e.keyId,
        key_name: e.keyName,
        action: e.action,
        via: e.via,
        at: e.at,
      })
      .execute();
  }

  /** Newest first; `before` is the id of the last entry seen. */
  async auditLog(workspaceId: string, limit: number, before?: string): Promise<ApiKeyAuditEntry[]> {
    let q = this.db.selectFrom('api_key_audit').selectAll().where('workspace_id', '=', workspaceId);
    if (before) q = q.where('id', '<', before);
    const rows = await q.orderBy('id', 'desc').limit(limit).execute();
    return rows.map((r) => ({
      id: r.id,
      workspaceId: r.workspace_id,
      actorId: r.actor_id,
      ownerId: r.owner_id,
      keyId: r.key_id,
      keyName: r.key_name,
      action: r.action,
      via: r.via,
      at: num(r.at),
    }));
  }

  async recordBotMessage(row: Selectable<AddonBotMessageTable>): Promise<void> {
    await this.db.insertInto('addon_bot_messages').values(row).execute();
  }

  /** The key owner on whose behalf the addon bot posted this message, if it did. */
  async botMessageOwner(messageId: string): Promise<string | undefined> {
    const r = await this.db.selectFrom('addon_bot_messages').select('owner_id').where('message_id', '=', messageId).executeTakeFirst();
    return r?.owner_id;
  }
}
