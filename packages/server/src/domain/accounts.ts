import type { ChatStore } from './ports/chat-store.js';
import { commit, type CoreContext } from './context.js';
import { conflict, DomainError, forbidden, invalid, notFound, unauthenticated, UniqueViolation } from './errors.js';
import { isId, newId } from './ids.js';
import { EMOJI_CODE, isAdmin, V1_ROLE, type CustomStatus, type Role, type User, type Workspace } from './model.js';
import { userDeactivated } from './cascades.js';
import { MAX_RETENTION_DAYS } from './retention.js';
import { generatePassword, hashPassword, hashToken, newToken, verifyPassword } from './secrets.js';

const EMAIL = /^[^\s@]+@[^\s@]+$/;
/** Rocket.Chat's default username rule (UTF8_User_Names_Validation); no `@`, so a login name is never mistaken for an e-mail */
const USERNAME = /^[0-9a-zA-Z._-]{1,64}$/;
const ROLE_NAME = /^[a-z][a-z0-9_-]{0,31}$/;
/** Every session token starts so; app tokens never do. */
export const SESSION_TOKEN_PREFIX = 'sbs_';
/** docs/delivery.md §10: 10 failures per 5 minutes per user and address */
export const LOGIN_FAILURES = 10;
export const LOGIN_WINDOW_MS = 5 * 60_000;
/** A login with the right password of a deactivated person: 401, with this message (the web client shows it). */
export const DEACTIVATED_LOGIN = 'This account is deactivated; a workspace admin can reactivate it';
/** docs/integrations.md §2.2: a login token (either face's) works for 90 days, then the person logs in again. */
export const SESSION_LIFETIME_MS = 90 * 24 * 3600_000;
/** The one password rule, wherever a password is set: creation, change, reset. */
export const PASSWORD_MIN_LENGTH = 8;

const LOCALE_TAG = /^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$/;
/** Every role, from the one table that must name them all (model.ts V1_ROLE). */
const ROLES = Object.keys(V1_ROLE) as Role[];

/** An IANA time zone this runtime knows (Intl throws a RangeError for any other). */
function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return zone.length <= 64;
  } catch {
    return false;
  }
}

function checkPassword(field: string, password: string): void {
  if (password.length < PASSWORD_MIN_LENGTH) throw invalid(field, `must be at least ${PASSWORD_MIN_LENGTH} characters`);
}

/**
 * The failure counter of one e-mail from one address. Logins and password changes share it, so
 * neither can be used to try more passwords than the other allows.
 */
const lockoutKey = (email: string, clientAddress: string) => `login:${email}:${clientAddress}`;

export interface Bootstrap {
  workspace: Workspace;
  owner: User;
  /** set only when the password was generated, to be shown once */
  generatedPassword?: string;
}

export class Accounts {
  constructor(private readonly ctx: CoreContext) {}

  /**
   * On an empty database: a workspace, its owner and its `general` channel. Does nothing
   * when a workspace exists, so every start may call it.
   */
  async bootstrap(opts: { workspaceName?: string; email?: string; password?: string }): Promise<Bootstrap | undefined> {
    const { store, now } = this.ctx;
    if ((await store.countWorkspaces()) > 0) return undefined;
    if (opts.password !== undefined && opts.password.length < PASSWORD_MIN_LENGTH) {
      throw new Error(`SWITCHBOARD_ADMIN_PASSWORD must be at least ${PASSWORD_MIN_LENGTH} characters`);
    }
    if (opts.email !== undefined && !EMAIL.test(opts.email.trim())) throw new Error('SWITCHBOARD_ADMIN_EMAIL must be an e-mail address');
    const password = opts.password || generatePassword();
    const passwordHash = await hashPassword(password);
    const email = (opts.email || 'admin@localhost').trim().toLowerCase();
    return commit(this.ctx, async (tx) => {
      if ((await tx.countWorkspaces()) > 0) return undefined;
      const t = now();
      const workspace: Workspace = { id: newId(t), name: opts.workspaceName || 'Switchboard', locale: 'en', createdAt: t };
      await tx.insertWorkspace(workspace);
      const ownerId = newId(t);
      await tx.insertUser({ id: ownerId, workspaceId: workspace.id, email, name: email.split('@')[0]!, role: 'OWNER', passwordHash, now: t });
      const generalId = newId(t);
      await tx.insertChannel({
        id: generalId,
        workspaceId: workspace.id,
        type: 'PUBLIC',
        name: 'general',
        directKey: null,
        description: 'Everyone in the workspace',
        isMain: true,
        createdBy: ownerId,
        now: t,
      });
      const general = (await tx.channel(workspace.id, generalId))!;
      await tx.addMembers(general, [ownerId], null, t);
      const owner = (await tx.user(workspace.id, ownerId))!;
      return { workspace, owner, ...(opts.password ? {} : { generatedPassword: password }) };
    });
  }

  /**
   * E-mail and password to a session token. With several workspaces for one e-mail, `workspaceId`
   * picks. After LOGIN_FAILURES failures for one e-mail from one address within the window, that
   * pair is refused (429) until the window ends: brute force meets a wall, and refused attempts
   * cost no scrypt time.
   */
  async login(email: string, password: string, workspaceId?: string, clientAddress = 'unknown') {
    const normalized = email.trim().toLowerCase();
    return this.passwordLogin(normalized, await this.ctx.store.credentialsByEmail(normalized), password, workspaceId, clientAddress);
  }

  /**
   * The same with a username (docs/integrations.md §2.1: Rocket.Chat clients log in by username). A
   * known person's failures count once whichever name they were tried under.
   */
  async loginByUsername(username: string, password: string, workspaceId?: string, clientAddress = 'unknown') {
    const name = username.trim();
    return this.passwordLogin(`username:${name}`, await this.ctx.store.credentialsByUsername(name), password, workspaceId, clientAddress);
  }

  private async passwordLogin(
    identity: string,
    candidates: Array<{ user: User; passwordHash: string | null }>,
    password: string,
    workspaceId: string | undefined,
    clientAddress: string,
  ): Promise<{ token: string; user: User }> {
    const match = candidates.find((c) => (workspaceId ? c.user.workspaceId === workspaceId : true));
    const key = lockoutKey(match?.user.email ?? identity, clientAddress);
    await this.refuseWhileLockedOut(key);
    const ok = await verifyPassword(password, match?.passwordHash ?? null);
    if (!match || !ok || match.user.status !== 'ACTIVATED' || match.user.isBot) {
      await this.ctx.limiter.hit(key, LOGIN_WINDOW_MS);
      // Said only to whoever knows the password (no one learns from it that an address has an
      // account): the person is told why, instead of checking a password that is right.
      if (match && ok && !match.user.isBot) throw unauthenticated(DEACTIVATED_LOGIN);
      throw unauthenticated('Invalid e-mail or password');
    }
    const token = newToken(SESSION_TOKEN_PREFIX);
    await this.ctx.store.insertSession(hashToken(token), match.user, this.ctx.now());
    return { token, user: match.user };
  }

  async logout(user: User, token: string): Promise<void> {
    const tokenHash = hashToken(token);
    await this.ctx.store.deleteSession(tokenHash);
    this.ctx.sink.publish([{ workspaceId: user.workspaceId, audience: [user.id], event: { type: 'user.sessions_revoked', userId: user.id, tokenHash } }]);
  }

  /** Refuses (429) once the key has LOGIN_FAILURES failures in the window; refused attempts cost no scrypt time. */
  private async refuseWhileLockedOut(key: string): Promise<void> {
    const window = await this.ctx.limiter.peek(key);
    if (window.count >= LOGIN_FAILURES) {
      const seconds = Math.max(1, Math.ceil(window.resetMs / 1000));
      throw new DomainError('rate_limited', `Too many failed logins; try again in ${seconds} s`, [], seconds);
    }
  }

  /**
   * A person changes their own password, proving the current one. `token` is the session the
   * change is made from: it stays, every other session of the person ends. A password is changed
   * because it may be known to someone else, who may have logged in with it; ending only the
   * others keeps the one who just proved the current password from being logged out mid-action
   * (the usual behaviour of Slack, GitHub, Google). App and API-key credentials are not sessions
   * and stay: they were granted, not logged into. A wrong current password counts toward the
   * same lockout as a failed login from that address, so a stolen session cannot be used to
   * guess the password faster than the login form allows.
   */
  async changePassword(
    actor: User,
    token: string,
    input: { currentPassword: string; newPassword: string },
    clientAddress = 'unknown',
  ): Promise<void> {
    if (actor.isBot) throw forbidden('Bots have no password to change');
    checkPassword('newPassword', input.newPassword);
    if (input.newPassword === input.currentPassword) throw invalid('newPassword', 'must differ from the current password');
    const key = lockoutKey(actor.email, clientAddress);
    await this.refuseWhileLockedOut(key);
    const stored = await this.ctx.store.passwordHash(actor.workspaceId, actor.id);
    const ok = await verifyPassword(input.currentPassword, stored ?? null);
    if (!ok || !stored) {
      await this.ctx.limiter.hit(key, LOGIN_WINDOW_MS);
      // 403, not 401: the session is valid (a 401 would tell clients to drop it); the proof is not.
      throw new DomainError('forbidden', 'currentPassword: is not correct', [{ field: 'currentPassword', message: 'is not correct' }]);
    }
    const passwordHash = await hashPassword(input.newPassword);
    const keep = hashToken(token);
    await commit(this.ctx, async (tx, notices) => {
      // Only over the hash just verified: two changes racing from one old password cannot both win.
      if (!(await tx.setPasswordHash(actor.workspaceId, actor.id, passwordHash, this.ctx.now(), stored))) {
        throw conflict('The password was changed meanwhile; try again with the new one');
      }
      // One notice per ended session: live connections of those sessions close, this one's stays.
      for (const tokenHash of await tx.deleteOtherSessionsOf(actor.id, keep)) {
        notices.push({ workspaceId: actor.workspaceId, audience: [actor.id], event: { type: 'user.sessions_revoked', userId: actor.id, tokenHash } });
      }
    });
  }

  /**
   * The operator's way back in (`admin reset-password`), e.g. when the first start's generated
   * password was lost. No actor: whoever can run commands against the server's database holds
   * everything already. Sets `password`, else a generated one, and ends every session of the
   * person, as after any password change made because the old one is lost or may be known.
   * With the e-mail in several workspaces, `workspace` (an id or a name) picks one.
   */
  async resetPassword(
    email: string,
    opts: { workspace?: string; password?: string } = {},
  ): Promise<{ user: User; workspace: Workspace; password: string; generated: boolean }> {
    const { store } = this.ctx;
    const normalized = email.trim().toLowerCase();
    // Bots share the table but log in with app tokens only: a password would be no use to them.
    const people = (await store.credentialsByEmail(normalized)).filter((c) => !c.user.isBot).map((c) => c.user);
    if (people.length === 0) throw new DomainError('not_found', `No user has the e-mail address ${normalized}`);
    const accounts = await Promise.all(people.map(async (user) => ({ user, workspace: (await store.workspace(user.workspaceId))! })));
    const chosen = opts.workspace === undefined ? accounts : accounts.filter((a) => a.workspace.id === opts.workspace || a.workspace.name === opts.workspace);
    if (chosen.length === 0) throw new DomainError('not_found', `${normalized} has no account in a workspace with the id or name "${opts.workspace}"`);
    if (chosen.length > 1) {
      const list = chosen.map((a) => `${a.workspace.id} ("${a.workspace.name}")`).join(', ');
      throw invalid('workspace', `${normalized} has accounts in ${chosen.length} workspaces: ${list}; name one by its id`);
    }
    const { user, workspace } = chosen[0]!;
    if (opts.password !== undefined) checkPassword('password', opts.password);
    const password = await this.replacePassword(user, opts.password);
    return { user, workspace, password, generated: opts.password === undefined };
  }

  /** A new password for the user (given, else generated), every session of theirs ended; answers it. */
  private async replacePassword(user: User, given?: string): Promise<string> {
    const password = given ?? generatePassword();
    const passwordHash = await hashPassword(password);
    await commit(this.ctx, async (tx, notices) => {
      await tx.setPasswordHash(user.workspaceId, user.id, passwordHash, this.ctx.now());
      await tx.deleteSessionsOf(user.id);
      notices.push({ workspaceId: user.workspaceId, audience: [user.id], event: { type: 'user.sessions_revoked', userId: user.id } });
    });
    return password;
  }

  /**
   * An owner or admin gives a person a new generated password, shown once to them to hand over; the
   * person's sessions end. An owner's only by an owner; one's own through the password change, which
   * asks for the current one.
   */
  async resetPasswordOf(actor: User, userId: string): Promise<{ password: string }> {
    if (!isAdmin(actor)) throw forbidden("Only owners and admins can reset a person's password");
    const target = isId(userId) ? await this.ctx.store.user(actor.workspaceId, userId) : undefined;
    if (!target || target.isBot) throw notFound('Workspace user');
    if (target.id === actor.id) throw forbidden('Change your own password with your current one (PUT /v1/workspaceUsers/me/password)');
    if (target.role === 'OWNER' && actor.role !== 'OWNER') throw forbidden("Only an owner can reset an owner's password");
    return { password: await this.replacePassword(target) };
  }

  /**
   * Owners and admins change a person's role. Making or unmaking an owner is an owner's; nobody
   * changes their own role; the last owner stays an owner. Every user hears of it (user.updated).
   */
  async setRole(actor: User, userId: string, role: User['role']): Promise<User> {
    if (!isAdmin(actor)) throw forbidden("Only owners and admins can change a person's role");
    if (!ROLES.includes(role)) throw invalid('role', `must be one of ${ROLES.join(', ')}`);
    return commit(this.ctx, async (tx, notices) => {
      const target = isId(userId) ? await tx.user(actor.workspaceId, userId) : undefined;
      if (!target || target.isBot) throw notFound('Workspace user');
      if (target.id === actor.id) throw forbidden('You cannot change your own role');
      if ((target.role === 'OWNER' || role === 'OWNER') && actor.role !== 'OWNER') throw forbidden('Only an owner can make or unmake an owner');
      if (target.role === role) return target;
      await tx.updateUser(actor.workspaceId, userId, { role }, this.ctx.now());
      const updated = (await tx.user(actor.workspaceId, userId))!;
      notices.push({ workspaceId: actor.workspaceId, audience: await this.activeUserIds(tx, actor.workspaceId), event: { type: 'user.updated', userId, user: updated, changedBy: actor.id } });
      return updated;
    });
  }

  /** The person's own display name and time zone (an IANA zone such as Europe/Lisbon). */
  async updateProfile(actor: User, input: { name?: string; timeZone?: string }): Promise<User> {
    const patch: { name?: string; timeZone?: string } = {};
    if (input.name !== undefined) {
      const name = input.name.trim();
      if (name.length === 0 || name.length > 80) throw invalid('name', 'must be 1 to 80 characters, not blank');
      patch.name = name;
    }
    if (input.timeZone !== undefined) {
      if (!isTimeZone(input.timeZone)) throw invalid('timeZone', 'must be an IANA time zone such as Europe/Lisbon or UTC');
      patch.timeZone = input.timeZone;
    }
    return this.changeSelf(actor, patch);
  }

  /** Removes the person's custom status. */
  async clearCustomStatus(actor: User): Promise<User> {
    return this.changeSelf(actor, { customStatus: null });
  }

  /**
   * docs/web-client.md §6.8: the person's avatar now points at `avatarId` (null: none). Answers the
   * one it pointed at before, read in the same transaction, for Avatars to remove its image.
   */
  async setAvatarId(actor: User, avatarId: string | null): Promise<{ user: User; previous: string | null }> {
    let previous: string | null = null;
    const user = await this.changeSelf(actor, { avatarId }, (before) => {
      previous = before.avatarId ?? null;
    });
    return { user, previous };
  }

  /** A user of the actor's workspace, or undefined. */
  async userOf(actor: User, userId: string): Promise<User | undefined> {
    return isId(userId) ? this.ctx.store.user(actor.workspaceId, userId) : undefined;
  }

  /** One change to the actor's own record; every active user hears of it (apps too, WORKSPACE_USER_UPDATED). */
  private async changeSelf(
    actor: User,
    patch: { name?: string; timeZone?: string; customStatus?: CustomStatus | null; avatarId?: string | null },
    seeBefore?: (before: User) => void,
  ): Promise<User> {
    return commit(this.ctx, async (tx, notices) => {
      if (seeBefore) seeBefore((await tx.user(actor.workspaceId, actor.id)) ?? actor);
      await tx.updateUser(actor.workspaceId, actor.id, patch, this.ctx.now());
      const updated = (await tx.user(actor.workspaceId, actor.id))!;
      notices.push({ workspaceId: actor.workspaceId, audience: await this.activeUserIds(tx, actor.workspaceId), event: { type: 'user.updated', userId: actor.id, user: updated, changedBy: actor.id } });
      return updated;
    });
  }

  /**
   * Owners change the workspace's name, default language and message retention (docs/web-client.md
   * §7: days, null or 0 keeping messages forever). Every open tab of the workspace follows (workspace.updated).
   */
  async updateWorkspace(actor: User, input: { name?: string; locale?: string; messageRetentionDays?: number | null }): Promise<Workspace> {
    if (actor.role !== 'OWNER') throw forbidden('Only owners can change the workspace');
    const patch: { name?: string; locale?: string; messageRetentionDays?: number | null } = {};
    if (input.name !== undefined) {
      const name = input.name.trim();
      if (name.length === 0 || name.length > 80) throw invalid('name', 'must be 1 to 80 characters, not blank');
      patch.name = name;
    }
    if (input.locale !== undefined) {
      if (!LOCALE_TAG.test(input.locale)) throw invalid('locale', 'must be a language tag such as en, pt-BR or es');
      patch.locale = input.locale;
    }
    if (input.messageRetentionDays !== undefined) {
      const days = input.messageRetentionDays;
      if (days !== null && (!Number.isInteger(days) || days < 0 || days > MAX_RETENTION_DAYS)) {
        throw invalid('messageRetentionDays', `must be a whole number of days from 1 to ${MAX_RETENTION_DAYS}, or 0 or null to keep messages forever`);
      }
      patch.messageRetentionDays = days === 0 ? null : days;
    }
    return commit(this.ctx, async (tx, notices) => {
      await tx.updateWorkspace(actor.workspaceId, patch);
      const workspace = await tx.workspace(actor.workspaceId);
      if (!workspace) throw notFound('Workspace');
      notices.push({ workspaceId: actor.workspaceId, audience: await this.activeUserIds(tx, actor.workspaceId), event: { type: 'workspace.updated', workspace } });
      return workspace;
    });
  }

  /** The active user behind a session token, or undefined. */
  async authenticate(token: string): Promise<User | undefined> {
    if (!token) return undefined;
    return this.ctx.store.sessionUser(hashToken(token), this.ctx.now() - SESSION_LIFETIME_MS);
  }

  /**
   * `extra` is what the Rocket.Chat face adds (docs/integrations.md §12.5): a chosen username, unique in
   * the workspace (else one is derived from the e-mail address), and Rocket.Chat roles beyond those
   * the Switchboard role gives (`bot`…). Kept apart from `input` so that no other surface passes them by accident.
   */
  async createUser(
    actor: User,
    input: { email: string; name: string; password: string; role?: Role },
    extra: { username?: string; extraRoles?: readonly string[] } = {},
  ): Promise<User> {
    if (!isAdmin(actor)) throw forbidden('Only owners and admins can create users');
    const email = input.email.trim().toLowerCase();
    if (!EMAIL.test(email)) throw invalid('email', 'must be an e-mail address');
    const name = input.name.trim();
    if (name.length === 0) throw invalid('name', 'must not be empty');
    checkPassword('password', input.password);
    const username = extra.username?.trim();
    if (username !== undefined && !USERNAME.test(username)) throw invalid('username', 'must be 1–64 letters, digits, ".", "_" or "-"');
    const extraRoles = [...new Set(extra.extraRoles ?? [])];
    if (extraRoles.some((r) => !ROLE_NAME.test(r))) throw invalid('roles', 'must be role names such as bot or app');
    const role = input.role ?? 'MEMBER';
    if (role === 'OWNER' && actor.role !== 'OWNER') throw forbidden('Only an owner can create another owner');
    const passwordHash = await hashPassword(input.password);
    try {
      return await commit(this.ctx, async (tx, notices) => {
        if (username !== undefined && (await tx.userByUsername(actor.workspaceId, username))) throw invalid('username', `${username} is already in use`);
        const t = this.ctx.now();
        const id = newId(t);
        await tx.insertUser({ id, workspaceId: actor.workspaceId, email, name, role, passwordHash, ...(username !== undefined && { username }), now: t });
        if (extraRoles.length > 0) await tx.setExtraRoles(actor.workspaceId, id, extraRoles, t);
        const created = (await tx.user(actor.workspaceId, id))!;
        const everyone = await this.activeUserIds(tx, actor.workspaceId);
        notices.push({ workspaceId: actor.workspaceId, audience: everyone, event: { type: 'user.created', userId: id, user: created } });
        // Every new member joins the workspace's general channel (guests are added to channels one by one).
        const general = await tx.mainChannel(actor.workspaceId);
        if (general && role !== 'GUEST') {
          await tx.addMembers(general, [id], null, t);
          notices.push({
            workspaceId: actor.workspaceId,
            audience: await tx.memberIds(general.id),
            event: { type: 'member.joined', channelId: general.id, userIds: [id], addedBy: null },
          });
        }
        return created;
      });
    } catch (e) {
      // Two creations raced for one username: the check above passed for both, the index refused one.
      if (e instanceof UniqueViolation) throw conflict(`A user with e-mail ${email}${username !== undefined ? ` or username ${username}` : ''} already exists in this workspace`);
      throw e;
    }
  }

  /** Deactivation ends every session and live connection of the user at once. */
  async setStatus(actor: User, userId: string, status: User['status']): Promise<User> {
    if (!isAdmin(actor)) throw forbidden('Only owners and admins can change a user\'s status');
    return commit(this.ctx, async (tx, notices) => {
      const target = isId(userId) ? await tx.user(actor.workspaceId, userId) : undefined;
      if (!target) throw notFound('Workspace user');
      if (target.role === 'OWNER' && actor.role !== 'OWNER') throw forbidden('Only an owner can deactivate an owner');
      if (target.id === actor.id && status === 'DEACTIVATED') throw forbidden('You cannot deactivate yourself');
      await tx.updateUser(actor.workspaceId, userId, { status }, this.ctx.now());
      if (status === 'DEACTIVATED') {
        await tx.deleteSessionsOf(userId);
        await userDeactivated(tx, actor.workspaceId, userId, this.ctx.now());
        notices.push({ workspaceId: actor.workspaceId, audience: [userId], event: { type: 'user.sessions_revoked', userId } });
      }
      const updated = (await tx.user(actor.workspaceId, userId))!;
      notices.push({
        workspaceId: actor.workspaceId,
        audience: await this.activeUserIds(tx, actor.workspaceId),
        event: { type: 'user.updated', userId, user: updated, changedBy: actor.id },
      });
      return updated;
    });
  }

  async listUsers(actor: User): Promise<User[]> {
    return this.ctx.store.users(actor.workspaceId);
  }

  async getUser(actor: User, userId: string): Promise<User> {
    const user = isId(userId) ? await this.ctx.store.user(actor.workspaceId, userId) : undefined;
    if (!user) throw notFound('Workspace user');
    return user;
  }

  /** A user of the caller's workspace by username (Rocket.Chat addresses people so). */
  async getUserByUsername(actor: User, username: string): Promise<User> {
    const user = await this.ctx.store.userByUsername(actor.workspaceId, username);
    if (!user) throw notFound('Workspace user');
    return user;
  }

  /** Name only, for callers without a token (developer tooling): no e-mail disclosed. */
  async publicProfile(workspaceId: string, userId: string): Promise<Pick<User, 'id' | 'name'>> {
    const user = isId(userId) && isId(workspaceId) ? await this.ctx.store.user(workspaceId, userId) : undefined;
    if (!user) throw notFound('Workspace user');
    return { id: user.id, name: user.name };
  }

  /** The user's language for what the server itself writes to them (built-in apps); null: the workspace's. */
  async setLocale(actor: User, locale: string | null): Promise<User> {
    if (locale !== null && !LOCALE_TAG.test(locale)) throw invalid('locale', 'must be a language tag such as en, pt-BR or es');
    await this.ctx.store.updateUser(actor.workspaceId, actor.id, { locale }, this.ctx.now());
    return (await this.ctx.store.user(actor.workspaceId, actor.id))!;
  }

  /** docs/pumble-api.md §11 `PUT /v1/workspaceUsers/customStatus`: an emoji, a text, an end (0 = never). */
  async setCustomStatus(actor: User, input: { code: string; status?: string; expiresAt: number }): Promise<User> {
    if (!EMOJI_CODE.test(input.code)) throw invalid('code', 'must look like :emoji_name:');
    if ((input.status ?? '').length > 100) throw invalid('status', 'must be at most 100 characters');
    if (!Number.isSafeInteger(input.expiresAt) || input.expiresAt < 0) throw invalid('expiresAt', 'must be epoch milliseconds, or 0 for never');
    if (input.expiresAt !== 0 && input.expiresAt <= this.ctx.now()) throw invalid('expiresAt', 'must be in the future, or 0 for never');
    // Apps with user:read hear of it (WORKSPACE_USER_UPDATED), as of every change to a person.
    return this.changeSelf(actor, { customStatus: { code: input.code, status: input.status ?? '', expiresAt: input.expiresAt } });
  }

  async workspace(actor: User): Promise<Workspace> {
    const ws = await this.ctx.store.workspace(actor.workspaceId);
    if (!ws) throw notFound('Workspace');
    return ws;
  }

  private async activeUserIds(tx: ChatStore, workspaceId: string): Promise<string[]> {
    return tx.activeUserIds(workspaceId);
  }
}
