import type { ChatStore } from '../../ports/chat-store.js';
import { commit, type CoreContext } from '../../context.js';
import { visibleChannel, type ChannelView, type Channels } from '../../channels.js';
import { DomainError, forbidden, invalid, notFound, type ErrorKind } from '../../errors.js';
import { translate, type Locale, type MessageKey } from './i18n.js';
import { isId, newId } from '../../ids.js';
import { isAdmin, type User } from '../../model.js';
import { hashToken, newToken } from '../../secrets.js';
import { API_KEYS_BUILTIN } from './manifest.js';
import type { App, Installation } from '../../ports/chat-store.js';
import type { ApiKeyAuditEntry, ApiKeyRecord } from '../../ports/api-keys.js';

export type { ApiKeyAuditEntry, ApiKeyRecord };

/** §3: `sbk_` + 43 characters of base64url (32 random bytes). */
export const API_KEY_PREFIX = 'sbk_';
export const MAX_KEY_NAME = 64;

/** §3: first 8 and last 4 characters. */
export const keyHint = (key: string) => `${key.slice(0, 8)}…${key.slice(-4)}`;

/**
 * A refusal of the addon worded from its message catalogue (§6, §9): the message is English, the
 * HTTP layer renders it in the key owner's language.
 */
export class AddonRefusal extends DomainError {
  constructor(
    kind: ErrorKind,
    readonly key: MessageKey,
  ) {
    super(kind, AddonRefusal.text('en', key));
  }

  /** Validation messages keep the reference's brackets (§6). */
  static text(locale: Locale, key: MessageKey): string {
    const text = translate(locale, key);
    return key === 'errMustNotBeNull' ? `[${text}]` : text;
  }
}

const keyRefused = (key: MessageKey) => new AddonRefusal('unauthenticated', key);

/** Who a key acts as: its owner within the API app's granted user scopes, and the addon bot for `asBot`. */
export interface KeyActor {
  keyId: string;
  user: User;
  appId: string;
  scopes: ReadonlySet<string>;
  bot: User;
  botScopes: ReadonlySet<string>;
}

export interface GeneratedKey {
  record: ApiKeyRecord;
  /** the key itself: this is the only time anyone sees it */
  key: string;
}

/**
 * The addon's keys (docs/api-keys.md §2–§3): created by their owner, stored as SHA-256 only,
 * listed by name and hint, deleted at once. A key works through its owner's authorization of the
 * workspace's API app: it ends with that authorization, the installation, or the owner's activity.
 */
export class ApiKeys {
  private readonly listeners: Array<(owner: User) => Promise<void>> = [];

  constructor(
    private readonly ctx: CoreContext,
    private readonly channels: Channels,
  ) {}

  /**
   * Called after a key of `owner` was made or deleted, whatever the path (the API page, `/api-keys`,
   * its confirmation button, the REST routes): the addon refreshes the owner's API page with it
   * (docs/api-keys.md §2.2). A listener's failure never undoes the change: it is done and committed.
   */
  onChanged(listener: (owner: User) => Promise<void>): void {
    this.listeners.push(listener);
  }

  private async changed(workspaceId: string, ownerId: string, known?: User): Promise<void> {
    const owner = known?.id === ownerId ? known : await this.ctx.store.user(workspaceId, ownerId);
    if (!owner) return;
    for (const listener of this.listeners) await listener(owner).catch(() => undefined);
  }

  /** The workspace's API app and its installation (undefined when not installed). */
  /** The workspace's API app; `store` is the open transaction's when called inside one. */
  async addon(workspaceId: string, store: ChatStore = this.ctx.store): Promise<{ app: App; installation: Installation | undefined }> {
    const app = await store.builtinApp(workspaceId, API_KEYS_BUILTIN);
    if (!app) throw notFound('API app');
    return { app, installation: await store.installation(app.id, workspaceId) };
  }

  /** The owner must have installed or allowed the API app: keys act through that authorization. */
  private async authorizedApp(owner: User): Promise<App> {
    const { app, installation } = await this.addon(owner.workspaceId);
    if (!installation) throw forbidden('The API addon must be installed first');
    if (!(await this.ctx.store.authorization(app.id, owner.id))) throw forbidden('Allow the API app first (POST /v1/appDirectory/{appId}/install)');
    return app;
  }

  /** `defaultName(n)` names an unnamed key, n being the owner's key count after this one (§2.4 "API key N", localised). */
  /**
   * Where to send someone who has not allowed the API app yet (api-keys.md §2.1): the standard consent
   * page's query for the API app of this workspace (or of the first one, when it names none we know).
   */
  async consentQuery(workspaceId: string | undefined): Promise<{ clientId: string; scopes: string; redirectUrl: string; defaultWorkspaceId: string } | undefined> {
    const ids = await this.ctx.store.workspaceIds();
    const ws = workspaceId && ids.includes(workspaceId) ? workspaceId : ids[0];
    const apiApp = ws ? await this.ctx.store.builtinApp(ws, API_KEYS_BUILTIN) : undefined;
    if (!apiApp) return undefined;
    const { manifest } = apiApp;
    const scopes = [...manifest.scopes.userScopes, ...manifest.scopes.botScopes.map((sc) => `bot:${sc}`)].join(',');
    return { clientId: apiApp.id, scopes, redirectUrl: manifest.redirectUrls[0]!, defaultWorkspaceId: apiApp.workspaceId };
  }

  /** bot user id → app id in a workspace, for the `authorAppId` of messages (docs/api-keys.md §5.4). */
  async appsOfBots(workspaceId: string): Promise<Map<string, string>> {
    const installs = await this.ctx.store.installationsInWorkspace(workspaceId);
    return new Map(installs.filter((i) => i.botUserId).map((i) => [i.botUserId!, i.appId]));
  }

  async generate(owner: User, name: string | undefined, via: string, defaultName = (n: number) => `API key ${n}`): Promise<GeneratedKey> {
    if (owner.isBot) throw forbidden('Bots cannot have API keys');
    const app = await this.authorizedApp(owner);
    const t = this.ctx.now();
    const key = newToken(API_KEY_PREFIX);
    const generated = await commit(this.ctx, async (tx) => {
      const chosen = name?.trim() || defaultName((await tx.apiKeys.countOfUser(owner.workspaceId, owner.id)) + 1);
      if ([...chosen].length > MAX_KEY_NAME) throw invalid('name', `must be 1 to ${MAX_KEY_NAME} characters`);
      const record: ApiKeyRecord = {
        id: newId(t),
        workspaceId: owner.workspaceId,
        userId: owner.id,
        appId: app.id,
        name: chosen,
        hint: keyHint(key),
        createdAt: t,
        lastUsedAt: null,
      };
      await tx.apiKeys.insert({ ...record, keyHash: hashToken(key) });
      await tx.apiKeys.audit(auditEntry(record, owner.id, 'created', via, t));
      return { record, key };
    });
    await this.changed(owner.workspaceId, owner.id, owner);
    return generated;
  }

  async list(owner: User): Promise<ApiKeyRecord[]> {
    return this.ctx.store.apiKeys.ofUser(owner.workspaceId, owner.id);
  }

  /** Deletes one of the actor's keys (an admin may delete anyone's); the next request with it fails. */
  async delete(actor: User, keyId: string, via: string): Promise<ApiKeyRecord> {
    const deleted = await commit(this.ctx, async (tx) => {
      const mine = await tx.apiKeys.ofUser(actor.workspaceId, actor.id);
      let record = mine.find((k) => k.id === keyId);
      if (!record && isAdmin(actor) && isId(keyId)) {
        const { app } = await this.addon(actor.workspaceId, tx);
        record = (await tx.apiKeys.ofApp(app.id, actor.workspaceId)).find((k) => k.id === keyId);
      }
      if (!record) throw notFound('API key');
      await tx.apiKeys.delete(record.id);
      await tx.apiKeys.audit(auditEntry(record, actor.id, 'deleted', via, this.ctx.now()));
      return record;
    });
    // An admin may delete someone else's key: it is the owner's page that changed.
    await this.changed(deleted.workspaceId, deleted.userId, actor);
    return deleted;
  }

  /**
   * `/api-keys delete <arg>` (§2.4): the full key, the exact name, or the hint. Several keys with
   * the same name → ambiguous; nothing → no match.
   */
  async match(owner: User, arg: string): Promise<{ kind: 'one'; key: ApiKeyRecord } | { kind: 'none' | 'ambiguous' }> {
    const keys = await this.list(owner);
    const wanted = arg.trim();
    if (wanted.startsWith(API_KEY_PREFIX)) {
      const hash = hashToken(wanted);
      const byKey = await this.ctx.store.apiKeys.byHash(hash);
      if (byKey && byKey.userId === owner.id && byKey.workspaceId === owner.workspaceId) return { kind: 'one', key: byKey };
    }
    const byHint = keys.filter((k) => k.hint === wanted || k.hint.replace('…', '...') === wanted);
    if (byHint.length === 1) return { kind: 'one', key: byHint[0]! };
    const byName = keys.filter((k) => k.name === wanted);
    if (byName.length === 1) return { kind: 'one', key: byName[0]! };
    return { kind: byName.length > 1 || byHint.length > 1 ? 'ambiguous' : 'none' };
  }

  /** Admins read who created and deleted which keys (§3 audit). */
  async auditLog(actor: User, q: { limit?: number; before?: string }): Promise<ApiKeyAuditEntry[]> {
    if (!isAdmin(actor)) throw forbidden('Only owners and admins can read the API key audit log');
    return this.ctx.store.apiKeys.auditLog(actor.workspaceId, Math.min(Math.max(q.limit ?? 50, 1), 200), q.before);
  }

  /**
   * The key of a request → who it acts as. Checked on every request: the key exists (deleted keys
   * are gone), its owner is active, the owner's authorization and the installation still stand.
   */
  async authenticate(raw: string | undefined): Promise<KeyActor> {
    if (!raw) throw keyRefused('errInvalidKey');
    const record = raw.startsWith(API_KEY_PREFIX) ? await this.ctx.store.apiKeys.byHash(hashToken(raw)) : undefined;
    if (!record) throw keyRefused('errInvalidKey');
    const [user, authorization, installation] = await Promise.all([
      this.ctx.store.user(record.workspaceId, record.userId),
      this.ctx.store.authorization(record.appId, record.userId),
      this.ctx.store.installation(record.appId, record.workspaceId),
    ]);
    if (!user || user.status !== 'ACTIVATED') throw keyRefused('errOwnerDeactivated');
    if (!authorization || !installation?.botUserId) throw keyRefused('errNotAuthorized');
    const bot = await this.ctx.store.user(record.workspaceId, installation.botUserId);
    if (!bot) throw keyRefused('errNotAuthorized');
    await this.ctx.store.apiKeys.touch(record.id, this.ctx.now());
    return {
      keyId: record.id,
      user,
      appId: record.appId,
      scopes: new Set(authorization.userScopes),
      bot,
      botScopes: new Set(installation.botScopes),
    };
  }

  // ---- what a key may do, as its owner or as the bot (§5.2) ----

  /** `channelId` wins; else the name (with or without #) among the owner's channels. */
  async channelIdOf(actor: KeyActor, q: { channelId?: string | undefined; channel?: string | undefined }): Promise<string> {
    if (q.channelId) return q.channelId;
    if (q.channel) {
      const name = q.channel.replace(/^#/, '').toLowerCase();
      const found = (await this.channels.list(actor.user)).find((v) => v.channel.name?.toLowerCase() === name);
      if (!found) throw notFound('Channel');
      return found.channel.id;
    }
    throw new AddonRefusal('invalid', 'errMustNotBeNull');
  }

  /**
   * Who posts: the owner, or with asBot the addon bot. The owner must see the channel either way
   * (the bot must not widen what a key reaches); the bot joins public channels by itself and must
   * already be in private ones.
   */
  async authorIn(actor: KeyActor, channelId: string, asBot: boolean | undefined): Promise<User> {
    const { channel } = await visibleChannel(this.ctx.store, actor.user, channelId);
    if (!asBot) return actor.user;
    if (!actor.botScopes.has('messages:write')) throw forbidden('Missing bot scope: messages:write');
    const botIsMember = await this.botIsMember(actor, channel.id);
    if (channel.type === 'PUBLIC') {
      if (!botIsMember) await this.channels.join(actor.bot, channel.id);
    } else if (!botIsMember) throw new AddonRefusal('forbidden', 'errBotNotMember');
    return actor.bot;
  }

  /** The reference rule for history: a private channel needs the bot as a member, and the owner too (§5.2). */
  async checkHistoryReadable(actor: KeyActor, channelId: string): Promise<void> {
    const { channel } = await visibleChannel(this.ctx.store, actor.user, channelId);
    if (channel.type === 'PRIVATE' && !(await this.botIsMember(actor, channel.id))) throw new AddonRefusal('forbidden', 'errBotNotMember');
  }

  /**
   * The owner, or the bot when it posted this message through the owner's keys (§5.2 edit and
   * delete); the owner must see the channel even when the bot acts.
   */
  async editorOf(actor: KeyActor, channelId: string, messageId: string): Promise<User> {
    await visibleChannel(this.ctx.store, actor.user, channelId);
    return (await this.ctx.store.apiKeys.botMessageOwner(messageId)) === actor.user.id ? actor.bot : actor.user;
  }

  private async botIsMember(actor: KeyActor, channelId: string): Promise<boolean> {
    return (await this.ctx.store.channelFor(actor.user.workspaceId, channelId, actor.bot.id))?.isMember ?? false;
  }

  /** Messages the bot posts for a key's owner are theirs to delete (§5.2). */
  async recordBotMessage(actor: KeyActor, messageId: string): Promise<void> {
    await this.ctx.store.apiKeys.recordBotMessage({ message_id: messageId, workspace_id: actor.user.workspaceId, owner_id: actor.user.id, created_at: this.ctx.now() });
  }

  /**
   * `listChannels` (§5.2): the channels and DMs the owner is a member of, their own SELF channel
   * among them (opened on first use, like any DM, so its id works with sendMessage), each named.
   */
  async listChannels(actor: KeyActor): Promise<NamedChannelView[]> {
    const views = (await this.channels.list(actor.user)).filter((v) => v.isMember);
    if (!views.some((v) => v.channel.type === 'SELF')) views.push(await this.channels.openDirect(actor.user, []));
    return this.named(actor, views);
  }

  /**
   * Every channel carries a string `name` (§5.2; typed clients generated from the reference contract
   * require it): a DM is named after its other participants, the SELF channel after its owner.
   */
  async named(actor: KeyActor, views: readonly ChannelView[]): Promise<NamedChannelView[]> {
    const wanted = new Set(views.filter((v) => v.channel.name === null).flatMap((v) => v.memberIds ?? []));
    const names = new Map((await this.ctx.store.users(actor.user.workspaceId, [...wanted])).map((u) => [u.id, u.name]));
    return views.map((v) => {
      if (v.channel.name !== null) return { ...v, name: v.channel.name };
      const members = v.memberIds ?? [];
      const others = members.filter((id) => id !== actor.user.id);
      const shown = (others.length > 0 ? others : members).map((id) => names.get(id) ?? id);
      return { ...v, name: shown.join(', ') };
    });
  }

  /** `customStatus` with an empty code and status: how clients clear the owner's status (§5.3). */
  async clearCustomStatus(actor: KeyActor): Promise<void> {
    await this.ctx.store.updateUser(actor.user.workspaceId, actor.user.id, { customStatus: null }, this.ctx.now());
  }
}

/** A channel as the addon shows it: always with a name (§5.2). */
export type NamedChannelView = ChannelView & { name: string };

/**
 * When the API app's installation or a user's authorization ends, the keys made through it end in
 * the same transaction (§2.5), each with its audit line: a later reinstall does not revive them.
 */
export async function endKeysOf(tx: ChatStore, appId: string, workspaceId: string, userId: string | null, actorId: string, via: string, at: number): Promise<void> {
  const keys = (await tx.apiKeys.ofApp(appId, workspaceId)).filter((k) => userId === null || k.userId === userId);
  for (const k of keys) {
    await tx.apiKeys.delete(k.id);
    await tx.apiKeys.audit(auditEntry(k, actorId, 'deleted', via, at));
  }
}

function auditEntry(record: ApiKeyRecord, actorId: string, action: 'created' | 'deleted', via: string, at: number): ApiKeyAuditEntry {
  return { id: newId(at), workspaceId: record.workspaceId, actorId, ownerId: record.userId, keyId: record.id, keyName: record.name, action, via, at };
}

