/**
 * The API-keys addon's tables (docs/api-keys.md §3). Same conventions as schema.ts: times are
 * epoch milliseconds, JSON is text. A key is kept only as its SHA-256: it is verified, never shown again.
 */
import type { Kysely } from 'kysely';
import type { AddonBotMessageRecord } from '../domain/ports/api-keys.js';
import type { ApiKeyAction } from '../domain/ports/api-keys.js';

export interface ApiKeyTable {
  id: string;
  workspace_id: string;
  /** the owner: the key acts as this user */
  user_id: string;
  /** the built-in API app the key works through */
  app_id: string;
  name: string;
  /** `sbk_AbCd…wXyZ`: first 8 and last 4 characters, enough to tell keys apart, not to use one */
  hint: string;
  key_hash: string;
  created_at: number;
  last_used_at: number | null;
}

/** Who created or deleted which key, when, and through what (§3 "audit"): admins read it. */
export interface ApiKeyAuditTable {
  id: string;
  workspace_id: string;
  actor_id: string;
  owner_id: string;
  key_id: string;
  key_name: string;
  action: ApiKeyAction;
  /** 'api' (the web client's /v1/apiKeys), 'command' (/api-keys), 'deactivation', 'uninstall' … */
  via: string;
  at: number;
}

/**
 * Messages the addon bot posted on behalf of a key's owner (`asBot: true`): §5.2 lets that owner
 * delete them, though the bot is their author.
 */
export type AddonBotMessageTable = AddonBotMessageRecord;

export interface ApiKeyDatabase {
  api_keys: ApiKeyTable;
  api_key_audit: ApiKeyAuditTable;
  addon_bot_messages: AddonBotMessageTable;
}

export async function createApiKeyTables(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('hint', 'text', (c) => c.notNull())
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint')
    .execute();
  await db.schema.createIndex('api_keys_by_owner').on('api_keys').columns(['workspace_id', 'user_id', 'id']).execute();
  await db.schema
    .createTable('api_key_audit')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('key_name', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('via', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('api_key_audit_by_workspace').on('api_key_audit').columns(['workspace_id', 'id']).execute();
  await db.schema
    .createTable('addon_bot_messages')
    .addColumn('message_id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
}
