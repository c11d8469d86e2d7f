/**
 * The API-keys addon's tables (docs/api-keys.md §3). Same conventions as schema.ts: times are
 * epoch milliseconds, JSON is text. A key is kept only as its SHA-256: it is verified, never shown again.
 */
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
