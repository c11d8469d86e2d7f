/**
 * The storage port of the API-keys addon (docs/api-keys.md). store/api-key-store.ts implements it.
 */

export type ApiKeyAction = 'created' | 'deleted';

export interface ApiKeyRecord {
  id: string;
  workspaceId: string;
  userId: string;
  appId: string;
  name: string;
  hint: string;
  createdAt: number;
  lastUsedAt: number | null;
}

export interface ApiKeyAuditEntry {
  id: string;
  workspaceId: string;
  actorId: string;
  ownerId: string;
  keyId: string;
  keyName: string;
  action: ApiKeyAction;
  via: string;
  at: number;
}

/** A message the addon bot posted on behalf of a key's owner. */
export interface AddonBotMessageRecord {
  message_id: string;
  workspace_id: string;
  owner_id: string;
  created_at: number;
}

/**
 * What the domain asks of this storage; implemented in store/ (api-key-store.ts).
 */
export interface ApiKeyStorage {
  insert(k: ApiKeyRecord & {
    keyHash: string;
  }): Promise<void>;
  byHash(keyHash: string): Promise<ApiKeyRecord | undefined>;
  ofUser(workspaceId: string, userId: string): Promise<ApiKeyRecord[]>;
  countOfUser(workspaceId: string, userId: string): Promise<number>;
  ofApp(appId: string, workspaceId: string): Promise<ApiKeyRecord[]>;
  delete(id: string): Promise<boolean>;
  /** Marks the key used, unless it already was within the last minute. */
  touch(id: string, now: number): Promise<void>;
  audit(e: ApiKeyAuditEntry): Promise<void>;
  /** Newest first; `before` is the id of the last entry seen. */
  auditLog(workspaceId: string, limit: number, before?: string): Promise<ApiKeyAuditEntry[]>;
  recordBotMessage(row: AddonBotMessageRecord): Promise<void>;
  /** The key owner on whose behalf the addon bot posted this message, if it did. */
  botMessageOwner(messageId: string): Promise<string | undefined>;
}
