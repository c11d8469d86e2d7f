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
import type { Manifest } from './manifest.js';
import { resolveRedirect, withQuery } from './redirects.js';
import { appUnauthorized, appUninstalled } from '../cascades.js';
import type { App, AppToken, Installation } from '../ports/chat-store.js';

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
    if (!app || (app.workspaceId !== actor.workspaceId && !app.published)) throw invalid('clientId', 'no such app');
    const { manifest } = app;
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
    const { manifest } = app;
    const code = newToken();
    let firstInstall: Installation | undefined;
    await commit(this.ctx, async (tx) => {
      const t = this.ctx.now();
      firstInstall = await this.authorize(tx, app, manifest, actor, details.userScopes, details.botScopes, details.isReinstall, t);
      await tx.insertOAuthCode({
        codeHash: hashToken(code),
        appId: app.id,
        workspaceId: actor.workspaceId,
        userId: actor.id,
        redirectUrl: details.redirectUrl,
        expiresAt: t + CODE_LIFETIME_MS,
        usedAt: null,
      });
    });
    if (firstInstall?.botUserId && manifest.welcomeMessage) await this.welcome(firstInstall.botUserId, actor.workspaceId, manifest.welcomeMessage);
    return { code, redirectUrl: withQuery(details.redirectUrl, { code, state: req.state }) };
  }

  /**
   * Grants `actor` the user scopes, installing the app first when it is not installed yet (or
   * reinstalling it): the step behind "Allow" on the consent page and "Install" in the directory.
   * Returns the installation when this call created it.
   */
  private async authorize(
    tx: ChatStore,
    app: App,
    manifest: Manifest,
    actor: User,
    userScopes: string[],
    botScopes: string[],
    isReinstall: boolean,
    t: number,
  ): Promise<Installation | undefined> {
    let firstInstall: Installation | undefined;
    let installation = await tx.installation(app.id, actor.workspaceId);
    if (installation && isReinstall) {
      if (!isAdmin(actor) && installation.installedBy !== actor.id) throw forbidden('Only admins or the user who installed the app may reinstall it');
      await tx.deleteBotTokens(installation.id);
      await tx.updateInstallation(installation.id, { botScopes, installedBy: actor.id });
    }
    if (!installation) {
      installation = await this.install(tx, app, manifest, actor, botScopes, t);
      firstInstall = installation;
    } else if (botScopes.some((s) => !installation!.botScopes.includes(s)) && !isReinstall) {
      // New bot scopes take a reinstall (§4.2): granting them silently would widen an installed bot.
      throw invalid('scopes', 'new bot scopes need a reinstall (isReinstall=true)');
    }
    await tx.upsertAuthorization({
      id: newId(t),
      appId: app.id,
      installationId: installation.id,
      workspaceId: actor.workspaceId,
      userId: actor.id,
      userScopes,
      createdAt: t,
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
    const listed = app && (app.published || (app.builtin !== null && app.workspaceId === actor.workspaceId));
    if (!app || !listed) throw notFound('App');
    if (actor.role === 'GUEST' || actor.isBot) throw forbidden('Guests cannot add apps');
    const { manifest } = app;
    const installed = await this.ctx.store.installation(app.id, actor.workspaceId);
    if (!installed && !isAdmin(actor)) throw forbidden('Only workspace owners and admins can install apps');
    const firstInstall = await commit(this.ctx, (tx) =>
      this.authorize(tx, app, manifest, actor, manifest.scopes.userScopes, manifest.scopes.botScopes, false, this.ctx.now()),
    );
    if (firstInstall?.botUserId && manifest.welcomeMessage) await this.welcome(firstInstall.botUserId, actor.workspaceId, manifest.welcomeMessage);
    return { installed: true, authorized: true };
  }

  /** What the directory lists: each app with whether it is installed here and whether the caller allowed it. */
  async directory(actor: User) {
    const apps = await this.ctx.store.directoryApps(actor.workspaceId);
    const out = [];
    for (const app of apps) {
      const { manifest } = app;
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
        botUserId: installation?.botUserId ?? null,
        userScopes: manifest.scopes.userScopes,
        botScopes: manifest.scopes.botScopes,
        slashCommands: manifest.slashCommands.map((c) => ({ command: c.command, description: c.description, usageHint: c.usageHint })),
      });
    }
    return out;
  }

  /**
   * The apps installed in the caller's workspace, for the web client's sidebar and app pages: each
   * with its bot (the Messages tab is the DM with it) and whether it has a home view for the caller
   * (a built-in app's, the manifest's default, or one the app published for them).
   */
  async installedApps(actor: User) {
    const out = [];
    for (const inst of await this.ctx.store.installationsInWorkspace(actor.workspaceId)) {
      const app = await this.ctx.store.app(inst.appId);
      if (!app) continue;
      const { manifest } = app;
      const published = await this.ctx.store.views.homeView(app.id, actor.id);
      out.push({
        id: app.id,
        name: manifest.name,
        displayName: manifest.displayName,
        avatarUrl: manifest.avatarUrl,
        builtin: app.builtin !== null,
        botUserId: inst.botUserId,
        authorized: (await this.ctx.store.authorization(app.id, actor.id)) !== undefined,
        hasHomeView: app.builtin !== null || manifest.defaultHomeView?.enabled === true || published?.source === 'app',
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

  private async install(tx: ChatStore, app: App, manifest: Manifest, actor: User, botScopes: string[], t: number): Promise<Installation> {
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
    const installation: Installation = {
      id: newId(t),
      appId: app.id,
      workspaceId: actor.workspaceId,
      botUserId,
      installedBy: actor.id,
      botScopes,
      homeView: manifest.defaultHomeView?.enabled ? { type: 'HOME', blocks: manifest.defaultHomeView.blocks } : null,
      createdAt: t,
    };
    await tx.insertInstallation(installation);
    return installation;
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
    if (!app || !constantTimeEqual(clientSecret, this.keyring.decrypt(app.clientSecretSealed))) {
      throw unauthenticated('Invalid client-id or client-secret');
    }
    return commit(this.ctx, async (tx) => {
      const t = this.ctx.now();
      const grant = await tx.consumeOAuthCode(hashToken(code), t);
      if (!grant || grant.appId !== app.id) throw new DomainError('invalid', 'Invalid, expired or already used code', [{ field: 'code', message: 'invalid, expired or already used' }]);
      const installation = await tx.installation(app.id, grant.workspaceId);
      const authorization = await tx.authorization(app.id, grant.userId);
      if (!installation || !authorization) throw new DomainError('invalid', 'The app was uninstalled since this code was issued', [{ field: 'code', message: 'app no longer installed' }]);
      const accessToken = newToken('sbu_');
      await tx.deleteUserTokens(authorization.id);
      await tx.insertAppToken(appToken(accessToken, 'user', installation, authorization.id, grant.userId, authorization.userScopes, t));
      const out: TokenResponse = { accessToken, userId: grant.userId, workspaceId: grant.workspaceId };
      if (installation.botUserId) {
        const botToken = newToken('sbb_');
        await tx.insertAppToken(appToken(botToken, 'bot', installation, null, installation.botUserId, installation.botScopes, t));
        out.botToken = botToken;
        out.botId = installation.botUserId;
      }
      return out;
    });
  }

  /**
   * An app's token with its `x-app-token`: the actor it stands for, or undefined when the token is
   * not an app token. A known app token with a wrong or missing appKey is refused (401).
   */
  async authenticate(token: string, appKey: string | undefined): Promise<AppActor | undefined> {
    const stored = await this.ctx.store.appToken(hashToken(token));
    if (!stored) return undefined;
    const app = await this.ctx.store.app(stored.appId);
    if (!app || !appKey || !constantTimeEqual(hashToken(appKey), app.appKeyHash)) throw unauthenticated('Missing or wrong x-app-token for this token');
    const user = await this.ctx.store.user(stored.workspaceId, stored.userId);
    if (!user || user.status !== 'ACTIVATED') throw unauthenticated('The user of this token is deactivated');
    return {
      user,
      appId: stored.appId,
      kind: stored.kind,
      scopes: new Set(stored.scopes),
      installationId: stored.installationId,
      authorizationId: stored.authorizationId,
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
      await appUninstalled(tx, { appId: installation.appId, workspaceId: installation.workspaceId, actorId: actor.id, at: this.ctx.now() }, notices);
      notices.push({
        workspaceId: installation.workspaceId,
        audience: [],
        event: {
          type: 'app.uninstalled',
          appId: installation.appId,
          installationId: installation.id,
          installedBy: installation.installedBy,
          botUserId: installation.botUserId,
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
      await appUnauthorized(tx, { appId: authorization.appId, workspaceId: authorization.workspaceId, userId: authorization.userId, actorId: actor.user.id, at: this.ctx.now() });
      notices.push({
        workspaceId: authorization.workspaceId,
        audience: [],
        event: {
          type: 'app.unauthorized',
          appId: authorization.appId,
          installationId: authorization.installationId,
          authorizationId: authorization.id,
          userId: authorization.userId,
          grantedScopes: authorization.userScopes,
        },
      });
    });
  }

  /** Apps the user has authorised in this workspace (app management `GET /apps/authorizations`). */
  async authorizationsOf(user: User) {
    const authorizations = await this.ctx.store.authorizationsOfUser(user.workspaceId, user.id);
    const out = [];
    for (const a of authorizations) {
      const app = await this.ctx.store.app(a.appId);
      if (app) out.push({ app: { id: app.id, name: app.name, displayName: app.manifest.displayName } });
    }
    return out;
  }
}

/** The token as stored: its hash only, never the token itself. */
function appToken(token: string, kind: 'bot' | 'user', inst: Installation, authorizationId: string | null, userId: string, scopes: string[], t: number): AppToken {
  return {
    tokenHash: hashToken(token),
    appId: inst.appId,
    workspaceId: inst.workspaceId,
    installationId: inst.id,
    authorizationId,
    kind,
    userId,
    scopes,
    createdAt: t,
  };
}
