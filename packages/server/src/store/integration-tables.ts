/**
 * Rocket.Chat-compatible integrations (docs/integrations.md §4, §5, §8.9), as tables; and what the
 * integrations need of users and messages: a username per workspace user, extra Rocket.Chat roles
 * (`bot`, given to post-as users), and a message's alias, avatar, emoji and bot tag.
 * Same conventions as schema.ts: times are epoch milliseconds, booleans 0/1 integers, JSON is text.
 */

export interface IntegrationTable {
  id: string;
  workspace_id: string;
  /** `webhook-incoming` | `webhook-outgoing` */
  type: string;
  /** the outgoing event (§8.1); null for incoming */
  event: string | null;
  enabled: number;
  name: string;
  /** lower-cased name, for the case-insensitive `name` filter of `integrations.list` */
  name_key: string;
  created_by: string;
  created_at: number;
  updated_at: number;
  /** SHA-256 (hex) of the token: Pumble's hook URL form names an integration by its token alone (§11) */
  token_hash: string;
  /** the integration document of §4 as JSON (its token included; the store is the only reader) */
  doc: string;
}

export interface IntegrationHistoryTable {
  id: string;
  workspace_id: string;
  integration_id: string;
  /** `outgoing-webhook` | `incoming-webhook` */
  type: string;
  /** the creator of the integration when the record was written (own-permission scoping, §6.6) */
  integration_created_by: string;
  /** outgoing: the delivery it belongs to (every retry of one delivery shares it) */
  delivery_id: string | null;
  created_at: number;
  updated_at: number;
  /** the record of §8.9 as JSON, already redacted */
  record: string;
}

/** §5: which Rocket.Chat roles hold a permission, per workspace; absent rows fall back to the defaults. */
export interface RolePermissionTable {
  workspace_id: string;
  permission: string;
  /** JSON string[] */
  roles: string;
  updated_at: number;
}

export interface IntegrationDatabase {
  integrations: IntegrationTable;
  integration_history: IntegrationHistoryTable;
  role_permissions: RolePermissionTable;
}

/** A username from an e-mail address or a name: lower-case letters, digits, `.`, `_` and `-`. */
export function usernameBase(source: string): string {
  const base = source
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9._-]+/g, '.')
    .replace(/^[.]+|[.]+$/g, '')
    .slice(0, 40);
  return base || 'user';
}
