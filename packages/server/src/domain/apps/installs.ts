import type { ChatStore } from '../ports/chat-store.js';
import { commit, type CoreContext } from '../context.js';
import { DomainError, forbidden, invalid, notFound, unauthenticated } from '../errors.js';
import { isId, newId } from '../ids.js';
import type { Keyring } from '../keyring.js';
import { isAdmin, type User, type Workspace } from '../model.js';
import { constantTimeEqual, hashToken, newToken } from '../secrets.js';
import type { Channels } from '../channels.js';
import type { Messages } from '../messages.js';
import { BOT_SCOPE_PREFIX, isScope } from './catalog.js';
import { manifestOf, type Manifest } from './manifest.js';
import { resolveRedirect, withQuery } from './redirects.js';
import { appUnauthorized, appUninstalled } from '../cascades.js';
import type { AppRow, AppTokenRow, InstallationRow } from '../ports/chat-store.js';

const CODE_LIFETIME_MS = 10 * 60_000;

/** Who an app token acts as, and within which scopes. */
export interface AppActor {
  user: User;
  appId: string;
  kind: 'bot' | 'user';
  scopes: ReadonlySet<string>;
  installationId: string;
  authorizationId: string | null;
}

export interface GrantRequest {
  clientId: string;
  /** comma list: user scopes as-is, bot scopes with the `bot:` prefix */
  scopes: string;
  redirectUrl?: string | undefined;
  state?: string | undefined;
  isReinstall?: boolean | undefined;
}

/** What the consent page shows. */
export interface ConsentDetails {
  app: { id: string; name: string; displayName: string; avatarUrl: string | null };
  workspace: Workspace;
  userScopes: string[];
  botScopes: string[];
  redirectUrl: string;
  isReinstall: boolean;
}

export interface TokenResponse {
  accessToken: string;
  botToken?: string;
  userId: string;
  botId?: string;
  workspaceId: string;
}

const scopesOf = (json: string) => JSON.parse(json) as string[];

/**
 * OAuth2 and installation (docs/app-platform.md §5): consent, single-use codes, the code
 * exchange, app tokens (stored hashed), uninstall and unauthorize.
 */
export class Installs {
  constructor(
    private readonly ctx: CoreContext,
    private readonly keyring: Keyring,
    private readonly channels: Channels,
    private readonly messages: Messages,
  ) {}

  /** Checks a consent request and says what it asks for; refused requests never redirect. */
  async consent(actor: User, req: GrantRequest): Promise<ConsentDetails> {
    const app = isId(req.clientId) ? await this.ctx.store.app(req.clientId) : undefined;
    if (!app || (app.workspace_id !== actor.workspaceId && app.published !== 1)) throw invalid('clientId', 'no such app');
    const manifest = manifestOf(app);
    const requested = req.scopes.split(',').map((s) => s.trim()).filter(Boolean);
    const userScopes: string[] = [];
    const botScopes: string[] = [];
    requested.forEach((scope, i) => {
      const bot = scope.startsWith(BOT_SCOPE_PREFIX);
      const name = bot ? scope.slice(BOT_SCOPE_PREFIX.length) : scope;
      const allowed = bot ? manifest.scopes.botScopes : manifest.scopes.userScopes;
      if (!isScope(name) || !(allowed as string[]).includes(name)) {
        throw invalid(`scopes[${i}]`, `"${scope}" is not among the app's ${bot ? 'bot' : 'user'} scopes`);
      }
      (bot ? botScopes : userScopes).push(name);
    });
    // A relative redirectUrl (the SDK's default link has `/redirect`) resolves against the registered ones.
    const redirectUrl = resolveRedirect(req.redirectUrl, manifest.redirectUrls);
    if (!redirectUrl) throw invalid('redirectUrl', 'does not match any of the app\'s redirect URLs');
    if (actor.role === 'GUEST') throw forbidden('Guests cannot add apps');
    const workspace = (await this.ctx.store.workspace(actor.workspaceId))!;
    return {
      app: { id: app.id, name: manifest.name, displayName: manifest.displayName, avatarUrl: manifest.avatarUrl },
      workspace,
      userScopes: [...new Set(userScopes)],
      botScopes: [...new Set(botScopes)],
      redirectUrl,
      isReinstall: req.isReinstall === true,
    };
  }

  /**
   * "Allow": grants the user scopes, installs the app on first use (or reinstalls it), and
   * returns a single-use code bound to the app and the redirect URL.
   */
  async grant(actor: User, req: GrantRequest): Promise<{ code: string; redirectUrl: string }> {
    const details = await this.consent(actor, req);
    const app = (await this.ctx.store.app(details.app.id))!;
    const manifest = manifestOf(app);
    const code = newToken();
    let firstInstall: InstallationRow | undefined;
    await commit(this.ctx, async (tx) => {
      const t = this.ctx.now();
      firstInstall = await this.authorize(tx, app, manifest, actor, details.userScopes, details.botScopes, details.isReinstall, t);
      await tx.insertOAuthCode({
        code_hash: hashToken(code),
        app_id: app.id,
        workspace_id: actor.workspaceId,
        user_id: actor.id,
        redirect_url: details.redirectUrl,
        expires_at: t + CODE_LIFETIME_MS,
        used_at: null,
      });
    });
    if (firstInstall?.bot_user_id && manifest.welcomeMessage) await this.welcome(firstInstall.bot_user_id, actor.workspaceId, manifest.welcomeMessage);
    return { code, redirectUrl: withQuery(details.redirectUrl, { code, state: req.state }) };
  }

  /**
   * Grants `actor` the user scopes, installing the app first when it is not installed yet (or
   * reinstalling it): the step behind "Allow" on the consent page and "Install" in the directory.
   * Returns the installation when this call created it.
   */
  private async authorize(
    tx: ChatStore,
    app: AppRow,
    manifest: Manifest,
    actor: User,
    userScopes: string[],
    botScopes: string[],
    isReinstall: boolean,
    t: number,
  ): Promise<InstallationRow | undefined> {
    let firstInstall: InstallationRow | undefined;
    let installation = await tx.installation(app.id, actor.workspaceId);
    if (installation && isReinstall) {
      if (!isAdmin(actor) && installation.installed_by !== actor.id) throw forbidden('Only admins or the user who installed the app may reinstall it');
      await tx.deleteBotTokens(installation.id);
      await tx.updateInstallation(installation.id, { bot_scopes: JSON.stringify(botScopes), installed_by: actor.id });
    }
    if (!installation) {
      installation = await this.install(tx, app, manifest, actor, botScopes, t);
      firstInstall = installation;
    } else if (botScopes.some((s) => !scopesOf(installation!.bot_scopes).includes(s)) && !isReinstall) {
      // New bot scopes take a reinstall (§4.2): granting them silently would widen an installed bot.
      throw invalid('scopes', 'new bot scopes need a reinstall (isReinstall=true)');
    }
    await tx.upsertAuthorization({
      id: newId(t),
      app_id: app.id,
      installation_id: installation.id,
      workspace_id: actor.workspaceId,
      user_id: actor.id,
      user_scopes: JSON.stringify(userScopes),
      created_at: t,
    });
    return firstInstall;
  }

  /**
   * The app directory's "Install" (docs/api-keys.md §2.1; `POST /v1/appDirectory/{appId}/install`):
   * the consent step with every scope the manifest lists. An admin installs; once installed, any
   * member allows the app for themselves the same way.
   */
  async installFromDirectory(actor: User, appId: string): Promise<{ installed: boolean; authorized: boolean }> {
    const app = isId(appId) ? await this.ctx.store.app(appId) : undefined;
    const listed = app && (app.published === 1 || (app.builtin !== null && app.workspace_id === actor.workspaceId));
    if (!app || !listed) throw notFound('App');
    if (actor.role === 'GUEST' || actor.isBot) throw forbidden('Guests cannot add apps');
    const manifest = manifestOf(app);
    const installed = await this.ctx.store.installation(app.id, actor.workspaceId);
    if (!installed && !isAdmin(actor)) throw forbidden('Only workspace owners and admins can install apps');
    const firstInstall = await commit(this.ctx, (tx) =>
      this.authorize(tx, app, manifest, actor, manifest.scopes.userScopes, manifest.scopes.botScopes, false, this.ctx.now()),
    );
    if (firstInstall?.bot_user_id && manifest.welcomeMessage) await this.welcome(firstInstall.bot_user_id, actor.workspaceId, manifest.welcomeMessage);
    return { installed: true, authorized: true };
  }

  /** What the directory lists: each app with whether it is installed here and whether the caller allowed it. */
  async directory(actor: User) {
    const apps = await this.ctx.store.directoryApps(actor.workspaceId);
    const out = [];
    for (const app of apps) {
      const manifest = manifestOf(app);
      const installation = await this.ctx.store.installation(app.id, actor.workspaceId);
      const authorization = installation ? await this.ctx.store.authorization(app.id, actor.id) : undefined;
      out.push({
        id: app.id,
        name: manifest.name,
        displayName: manifest.displayName,
        description: manifest.botTitle,
        avatarUrl: manifest.avatarUrl,
        builtin: app.builtin !== null,
        installed: installation !== undefined,
        authorized: authorization !== undefined,
        botUserId: installation?.bot_user_id ?? null,
        userScopes: manifest.scopes.userScopes,
        botScopes: manifest.scopes.botScopes,
        slashCommands: manifest.slashCommands.map((c) => ({ command: c.command, description: c.description, usageHint: c.usageHint })),
      });
    }
    return out;
  }

  /** An admin removes an app from the workspace from the directory: as `DELETE /v1/app/installation`. */
  async uninstallFromDirectory(actor: User, appId: string): Promise<void> {
    if (!isAdmin(actor)) throw forbidden('Only workspace owners and admins can uninstall apps');
    const installation = isId(appId) ? await this.ctx.store.installation(appId, actor.workspaceId) : undefined;
    if (!installation) throw notFound('Installation');
    await this.endInstallation(actor, appId);
  }

  private async install(tx: ChatStore, app: AppRow, manifest: Manifest, actor: User, botScopes: string[], t: number): Promise<InstallationRow> {
    let botUserId: string | null = null;
    const botEmail = `${app.id}.bot@apps.switchboard.invalid`;
    // A reinstall after an uninstall gets the bot it had: its messages stay its own.
    const earlierBot = manifest.bot ? (await tx.credentialsByEmail(botEmail)).find((c) => c.user.workspaceId === actor.workspaceId && c.user.isBot) : undefined;
    if (earlierBot) {
      botUserId = earlierBot.user.id;
      await tx.updateUser(actor.workspaceId, botUserId, { status: 'ACTIVATED', name: manifest.displayName }, t);
    } else if (manifest.bot) {
      botUserId = newId(t);
      await tx.insertUser({
        id: botUserId,
        workspaceId: actor.workspaceId,
        email: botEmail,
        name: manifest.displayName,
        role: 'MEMBER',
        passwordHash: null,
        isBot: true,
        title: manifest.botTitle ?? '',
        now: t,
      });
    }
    const row: InstallationRow = {
      id: newId(t),
      app_id: app.id,
      workspace_id: actor.workspaceId,
      bot_user_id: botUserId,
      installed_by: actor.id,
      bot_scopes: JSON.stringify(botScopes),
      home_view: manifest.defaultHomeView?.enabled ? JSON.stringify({ type: 'HOME', blocks: manifest.defaultHomeView.blocks }) : null,
      created_at: t,
    };
    await tx.insertInstallation(row);
    return row;
  }

  /** The welcome message, once, as a DM from the bot to every active person in the workspace. */
  private async welcome(botUserId: string, workspaceId: string, text: string): Promise<void> {
    const bot = (await this.ctx.store.user(workspaceId, botUserId))!;
    const people = (await this.ctx.store.users(workspaceId)).filter((u) => !u.isBot && u.status === 'ACTIVATED');
    for (const person of people) {
      const dm = await this.channels.openDirect(bot, [person.id]);
      await this.messages.post(bot, dm.channel.id, { text });
    }
  }

  /** `POST /oauth2/access`: the code for tokens. Every exchange mints fresh tokens; earlier bot tokens stay valid. */
  async exchange(clientId: string, clientSecret: string, code: string): Promise<TokenResponse> {
    const app = isId(clientId) ? await this.ctx.store.app(clientId) : undefined;
    if (!app || !constantTimeEqual(clientSecret, this.keyring.decrypt(app.client_secret_sealed))) {
      throw unauthenticated('Invalid client-id or client-secret');
    }
    return commit(this.ctx, async (tx) => {
      const t = this.ctx.now();
      const grant = await tx.consumeOAuthCode(hashToken(code), t);
      if (!grant || grant.app_id !== app.id) throw new DomainError('invalid', 'Invalid, expired or already used code', [{ field: 'code', message: 'invalid, expired or already used' }]);
      const installation = await tx.installation(app.id, grant.workspace_id);
      const authorization = await tx.authorization(app.id, grant.user_id);
      if (!installation || !authorization) throw new DomainError('invalid', 'The app was uninstalled since this code was issued', [{ field: 'code', message: 'app no longer installed' }]);
      const accessToken = newToken('sbu_');
      await tx.deleteUserTokens(authorization.id);
      await tx.insertAppToken(tokenRow(accessToken, 'user', installation, authorization.id, grant.user_id, authorization.user_scopes, t));
      const out: TokenResponse = { accessToken, userId: grant.user_id, workspaceId: grant.workspace_id };
      if (installation.bot_user_id) {
        const botToken = newToken('sbb_');
        await tx.insertAppToken(tokenRow(botToken, 'bot', installation, null, installation.bot_user_id, installation.bot_scopes, t));
        out.botToken = botToken;
        out.botId = installation.bot_user_id;
      }
      return out;
    });
  }

  /**
   * An app's token with its `x-app-token`: the actor it stands for, or undefined when the token is
   * not an app token. A known app token with a wrong or missing appKey is refused (401).
   */
  async authenticate(token: string, appKey: string | undefined): Promise<AppActor | undefined> {
    const row = await this.ctx.store.appToken(hashToken(token));
    if (!row) return undefined;
    const app = await this.ctx.store.app(row.app_id);
    if (!app || !appKey || !constantTimeEqual(hashToken(appKey), app.app_key_hash)) throw unauthenticated('Missing or wrong x-app-token for this token');
    const user = await this.ctx.store.user(row.workspace_id, row.user_id);
    if (!user || user.status !== 'ACTIVATED') throw unauthenticated('The user of this token is deactivated');
    return {
      user,
      appId: row.app_id,
      kind: row.kind,
      scopes: new Set(scopesOf(row.scopes)),
      installationId: row.installation_id,
      authorizationId: row.authorization_id,
    };
  }

  async me(actor: AppActor) {
    const ws = (await this.ctx.store.workspace(actor.user.workspaceId))!;
    return { workspaceId: ws.id, workspaceName: ws.name, workspaceUserId: actor.user.id, workspaceUserName: actor.user.name };
  }

  /** `DELETE /v1/app/installation`: the bot's token, or an admin's user token; every token of the installation ends. */
  async uninstall(actor: AppActor): Promise<void> {
    if (actor.kind === 'user' && !isAdmin(actor.user)) throw forbidden('Only the bot or a workspace admin can uninstall the app');
    await this.endInstallation(actor.user, actor.appId);
  }

  private async endInstallation(actor: User, appId: string): Promise<void> {
    await commit(this.ctx, async (tx, notices) => {
      const installation = await tx.installation(appId, actor.workspaceId);
      if (!installation) throw notFound('Installation');
      await tx.deleteInstallation(installation.id);
      await appUninstalled(tx, { appId: installation.app_id, workspaceId: installation.workspace_id, actorId: actor.id, at: this.ctx.now() });
      notices.push({
        workspaceId: installation.workspace_id,
        audience: [],
        event: {
          type: 'app.uninstalled',
          appId: installation.app_id,
          installationId: installation.id,
          installedBy: installation.installed_by,
          botUserId: installation.bot_user_id,
          at: this.ctx.now(),
        },
      });
    });
  }

  /** `DELETE /v1/app/authorization`: the user's grant and tokens end. */
  async unauthorize(actor: AppActor): Promise<void> {
    if (actor.kind !== 'user' || !actor.authorizationId) throw forbidden('Only a user token can remove its authorization');
    await commit(this.ctx, async (tx, notices) => {
      const authorization = await tx.authorization(actor.appId, actor.user.id);
      if (!authorization) throw notFound('Authorization');
      await tx.deleteAuthorization(authorization.id);
      await appUnauthorized(tx, { appId: authorization.app_id, workspaceId: authorization.workspace_id, userId: authorization.user_id, actorId: actor.user.id, at: this.ctx.now() });
      notices.push({
        workspaceId: authorization.workspace_id,
        audience: [],
        event: {
          type: 'app.unauthorized',
          appId: authorization.app_id,
          installationId: authorization.installation_id,
          authorizationId: authorization.id,
          userId: authorization.user_id,
          grantedScopes: scopesOf(authorization.user_scopes),
        },
      });
    });
  }

  /** Apps the user has authorised in this workspace (app management `GET /apps/authorizations`). */
  async authorizationsOf(user: User) {
    const rows = await this.ctx.store.authorizationsOfUser(user.workspaceId, user.id);
    const out = [];
    for (const r of rows) {
      const app = await this.ctx.store.app(r.app_id);
      if (app) out.push({ app: { id: app.id, name: app.name, displayName: manifestOf(app).displayName } });
    }
    return out;
  }
}

function tokenRow(token: string, kind: 'bot' | 'user', inst: InstallationRow, authorizationId: string | null, userId: string, scopes: string, t: number): AppTokenRow {
  return {
    token_hash: hashToken(token),
    app_id: inst.app_id,
    workspace_id: inst.workspace_id,
    installation_id: inst.id,
    authorization_id: authorizationId,
    kind,
    user_id: userId,
    scopes,
    created_at: t,
  };
}
