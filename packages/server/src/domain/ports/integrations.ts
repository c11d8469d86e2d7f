/**
 * The storage port of integrations (docs/integrations.md): list queries and history rows.
 * store/integration-store.ts implements it.
 */
import type { IntegrationDoc, IntegrationType, StoredIntegration } from '../integrations/document.js';

export type IntegrationSortField = '_createdAt' | '_updatedAt' | 'name' | 'type';

export interface Sort<F extends string> {
  field: F;
  direction: 'asc' | 'desc';
}

/** One term of the `integrations.list` scope (§5): a type, and optionally only one creator's. */
export interface ListScope {
  type: IntegrationType;
  createdBy?: string;
}

export interface IntegrationListQuery {
  /** `all`: every integration; else the union of the terms (an empty list selects nothing) */
  scope: 'all' | readonly ListScope[];
  /** case-insensitive substring of the name */
  name?: string;
  type?: string;
  sort: Sort<IntegrationSortField>;
  offset: number;
  count: number;
}

export interface HistoryRow<R = Record<string, unknown>> {
  id: string;
  workspaceId: string;
  integrationId: string;
  type: 'outgoing-webhook' | 'incoming-webhook';
  integrationCreatedBy: string;
  deliveryId: string | null;
  createdAt: number;
  updatedAt: number;
  record: R;
}

export interface HistoryListQuery {
  integrationId: string;
  type: HistoryRow['type'];
  /** only records of integrations this user created (own permission, §6.6) */
  createdBy?: string;
  sort: Sort<'_createdAt' | '_updatedAt'>;
  offset: number;
  count: number;
}

/**
 * What the domain asks of this storage; implemented in store/ (integration-store.ts).
 */
export interface IntegrationStorage {
  insert(workspaceId: string, doc: IntegrationDoc): Promise<void>;
  /** Writes the whole document (the row's searchable columns follow it). */
  save(workspaceId: string, doc: IntegrationDoc): Promise<void>;
  get(workspaceId: string, id: string): Promise<IntegrationDoc | undefined>;
  /** By id alone: webhook URLs carry no workspace. */
  find(id: string): Promise<StoredIntegration | undefined>;
  /** Deletes the integration and all its history (§6.5); false when there was none. */
  delete(workspaceId: string, id: string): Promise<boolean>;
  list(workspaceId: string, q: IntegrationListQuery): Promise<{
    items: IntegrationDoc[];
    total: number;
  }>;
  /**
   * The workspace's integrations of `type` whose token is `token`, looked up by its SHA-256 (the
   * caller still compares the token itself in constant time).
   */
  byToken(workspaceId: string, type: IntegrationType, token: string): Promise<IntegrationDoc[]>;
  /** A workspace's integrations of one type (and outgoing event), oldest first: what the matcher reads. */
  ofType(workspaceId: string, type: IntegrationType, event?: string): Promise<IntegrationDoc[]>;
  /** Every integration posting as this user (user deleted or deactivated, §4 lifecycle). */
  postingAs(workspaceId: string, userId: string): Promise<IntegrationDoc[]>;
  insertHistory(h: HistoryRow<object>): Promise<void>;
  /** Rewrites a record in place as its attempt progresses. */
  updateHistory(id: string, record: object, updatedAt: number): Promise<void>;
  historyRecord(integrationId: string, id: string): Promise<HistoryRow | undefined>;
  listHistory(workspaceId: string, q: HistoryListQuery): Promise<{
    items: HistoryRow[];
    total: number;
  }>;
  clearHistory(workspaceId: string, integrationId: string): Promise<number>;
  /** Retention (§8.9): deletes records created before `before`. */
  pruneHistory(before: number): Promise<number>;
  /** The permissions this workspace has changed from the defaults. */
  rolePermissions(workspaceId: string): Promise<Map<string, string[]>>;
  setRolePermission(workspaceId: string, permission: string, roles: readonly string[], now: number): Promise<void>;
}
