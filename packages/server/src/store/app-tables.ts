/**
 * The app platform's tables (docs/app-platform.md §3–§5). Same conventions as schema.ts: times are
 * epoch milliseconds, booleans 0/1, JSON is text. The domain never sees these rows: app-rows.ts maps
 * them to the records of domain/ports/chat-store.ts (docs/architecture.md §3.2).
 */

/** An app and its manifest. Secrets that must be shown again are sealed with the server key. */
export interface AppTable {
  id: string;
  workspace_id: string;
  owner_id: string;
  name: string;
  /** unique per owner: the name lower-cased, or `builtin:<name>` for a built-in app (app-rows.ts) */
  name_key: string;
  /** the normalized manifest as JSON */
  manifest: string;
  client_secret_sealed: string;
  app_key_sealed: string;
  /** SHA-256 of the appKey, to check `x-app-token` without unsealing */
  app_key_hash: string;
  signing_secret_sealed: string;
  /** the signing secret before the last rotation, still signing Standard Webhooks headers until `previous_signing_until` */
  previous_signing_secret_sealed: string | null;
  previous_signing_until: number | null;
  published: number;
  /** set for apps shipped with the server ('api-keys'): listed everywhere, handled in-process, not editable */
  builtin: string | null;
  created_at: number;
  updated_at: number;
}

/** An app installed in a workspace: its bot (if any) and the bot scopes granted. */
export interface AppInstallationTable {
  id: string;
  app_id: string;
  workspace_id: string;
  bot_user_id: string | null;
  installed_by: string;
  /** JSON string[] */
  bot_scopes: string;
  /** the manifest's default home view at install time (JSON view), shown until replaced */
  home_view: string | null;
  created_at: number;
}

/** A workspace user's grant of user scopes to an app. */
export interface AppAuthorizationTable {
  id: string;
  app_id: string;
  installation_id: string;
  workspace_id: string;
  user_id: string;
  /** JSON string[] */
  user_scopes: string;
  created_at: number;
}

/** Bot and user access tokens, stored hashed; a token acts as `user_id` within `scopes`. */
export interface AppTokenTable {
  token_hash: string;
  app_id: string;
  workspace_id: string;
  installation_id: string;
  /** null for bot tokens */
  authorization_id: string | null;
  kind: 'bot' | 'user';
  user_id: string;
  /** JSON string[] */
  scopes: string;
  created_at: number;
}

/** OAuth authorization codes: single use, 10 minutes, bound to app and redirect URL; stored hashed. */
export interface OAuthCodeTable {
  code_hash: string;
  app_id: string;
  workspace_id: string;
  user_id: string;
  redirect_url: string;
  expires_at: number;
  used_at: number | null;
}

export interface AppDatabase {
  apps: AppTable;
  app_installations: AppInstallationTable;
  app_authorizations: AppAuthorizationTable;
  app_tokens: AppTokenTable;
  oauth_codes: OAuthCodeTable;
}
