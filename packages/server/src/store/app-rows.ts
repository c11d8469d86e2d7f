/**
 * The app platform's rows (app-tables.ts) and the records the domain reads (domain/ports/chat-store.ts),
 * mapped both ways: the manifest, scopes and home view are JSON text in the tables and parsed
 * models in the domain (docs/architecture.md §3.2).
 */
import { sql, type Insertable, type Selectable, type UpdateObject } from 'kysely';
import type { App, AppPatch, AppToken, Authorization, HomeView, Installation, OAuthCode } from '../domain/ports/chat-store.js';
import type { Manifest } from '../domain/apps/manifest.js';
import { num, numOrNull } from './columns.js';
import type { AppAuthorizationTable, AppDatabase, AppInstallationTable, AppTable, AppTokenTable, OAuthCodeTable } from './app-tables.js';

const scopes = (json: string) => JSON.parse(json) as string[];

/**
 * What makes an app's name unique per owner (the apps_owner_name index): its name, case-insensitively.
 * A built-in app's row names the workspace owner as owner, so its key is `builtin:<name>` instead and
 * never clashes with the owner's own apps (domain/apps/apps.ts `ensureBuiltin`).
 */
const nameKey = (name: string, builtin: string | null) => (builtin !== null ? `builtin:${builtin}` : name.toLowerCase());

export function toApp(r: Selectable<AppTable>): App {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    ownerId: r.owner_id,
    name: r.name,
    manifest: JSON.parse(r.manifest) as Manifest,
    clientSecretSealed: r.client_secret_sealed,
    appKeySealed: r.app_key_sealed,
    appKeyHash: r.app_key_hash,
    signingSecretSealed: r.signing_secret_sealed,
    previousSigningSecretSealed: r.previous_signing_secret_sealed,
    previousSigningUntil: numOrNull(r.previous_signing_until),
    published: num(r.published) === 1,
    builtin: r.builtin,
    createdAt: num(r.created_at),
    updatedAt: num(r.updated_at),
  };
}

export function appRow(a: App): Insertable<AppTable> {
  return {
    id: a.id,
    workspace_id: a.workspaceId,
    owner_id: a.ownerId,
    name: a.name,
    name_key: nameKey(a.name, a.builtin),
    manifest: JSON.stringify(a.manifest),
    client_secret_sealed: a.clientSecretSealed,
    app_key_sealed: a.appKeySealed,
    app_key_hash: a.appKeyHash,
    signing_secret_sealed: a.signingSecretSealed,
    previous_signing_secret_sealed: a.previousSigningSecretSealed,
    previous_signing_until: a.previousSigningUntil,
    published: a.published ? 1 : 0,
    builtin: a.builtin,
    created_at: a.createdAt,
    updated_at: a.updatedAt,
  };
}

/** The columns an AppPatch sets; a rename keeps a built-in app's key as it is (see nameKey). */
export function appPatchColumns(p: AppPatch): UpdateObject<AppDatabase, 'apps'> {
  return {
    ...(p.name !== undefined && { name: p.name, name_key: sql<string>`case when builtin is null then ${nameKey(p.name, null)} else name_key end` }),
    ...(p.manifest !== undefined && { manifest: JSON.stringify(p.manifest) }),
    ...(p.clientSecretSealed !== undefined && { client_secret_sealed: p.clientSecretSealed }),
    ...(p.appKeySealed !== undefined && { app_key_sealed: p.appKeySealed }),
    ...(p.appKeyHash !== undefined && { app_key_hash: p.appKeyHash }),
    ...(p.signingSecretSealed !== undefined && { signing_secret_sealed: p.signingSecretSealed }),
    ...(p.previousSigningSecretSealed !== undefined && { previous_signing_secret_sealed: p.previousSigningSecretSealed }),
    ...(p.previousSigningUntil !== undefined && { previous_signing_until: p.previousSigningUntil }),
    ...(p.published !== undefined && { published: p.published ? 1 : 0 }),
    ...(p.updatedAt !== undefined && { updated_at: p.updatedAt }),
  };
}

export function toInstallation(r: Selectable<AppInstallationTable>): Installation {
  return {
    id: r.id,
    appId: r.app_id,
    workspaceId: r.workspace_id,
    botUserId: r.bot_user_id,
    installedBy: r.installed_by,
    botScopes: scopes(r.bot_scopes),
    homeView: r.home_view === null ? null : (JSON.parse(r.home_view) as HomeView),
    createdAt: num(r.created_at),
  };
}

export function installationRow(i: Installation): Insertable<AppInstallationTable> {
  return {
    id: i.id,
    app_id: i.appId,
    workspace_id: i.workspaceId,
    bot_user_id: i.botUserId,
    installed_by: i.installedBy,
    bot_scopes: JSON.stringify(i.botScopes),
    home_view: i.homeView === null ? null : JSON.stringify(i.homeView),
    created_at: i.createdAt,
  };
}

export function toAuthorization(r: Selectable<AppAuthorizationTable>): Authorization {
  return {
    id: r.id,
    appId: r.app_id,
    installationId: r.installation_id,
    workspaceId: r.workspace_id,
    userId: r.user_id,
    userScopes: scopes(r.user_scopes),
    createdAt: num(r.created_at),
  };
}

export function authorizationRow(a: Authorization): Insertable<AppAuthorizationTable> {
  return {
    id: a.id,
    app_id: a.appId,
    installation_id: a.installationId,
    workspace_id: a.workspaceId,
    user_id: a.userId,
    user_scopes: JSON.stringify(a.userScopes),
    created_at: a.createdAt,
  };
}

export function toAppToken(r: Selectable<AppTokenTable>): AppToken {
  return {
    tokenHash: r.token_hash,
    appId: r.app_id,
    workspaceId: r.workspace_id,
    installationId: r.installation_id,
    authorizationId: r.authorization_id,
    kind: r.kind,
    userId: r.user_id,
    scopes: scopes(r.scopes),
    createdAt: num(r.created_at),
  };
}

export function appTokenRow(t: AppToken): Insertable<AppTokenTable> {
  return {
    token_hash: t.tokenHash,
    app_id: t.appId,
    workspace_id: t.workspaceId,
    installation_id: t.installationId,
    authorization_id: t.authorizationId,
    kind: t.kind,
    user_id: t.userId,
    scopes: JSON.stringify(t.scopes),
    created_at: t.createdAt,
  };
}

export function toOAuthCode(r: Selectable<OAuthCodeTable>): OAuthCode {
  return {
    codeHash: r.code_hash,
    appId: r.app_id,
    workspaceId: r.workspace_id,
    userId: r.user_id,
    redirectUrl: r.redirect_url,
    expiresAt: num(r.expires_at),
    usedAt: numOrNull(r.used_at),
  };
}

export function oauthCodeRow(c: OAuthCode): Insertable<OAuthCodeTable> {
  return {
    code_hash: c.codeHash,
    app_id: c.appId,
    workspace_id: c.workspaceId,
    user_id: c.userId,
    redirect_url: c.redirectUrl,
    expires_at: c.expiresAt,
    used_at: c.usedAt,
  };
}
