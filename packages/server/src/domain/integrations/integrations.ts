/**
 * Integration management (docs/integrations.md §4–§6): create, update, get, list, remove, history,
 * clearHistory, replayOutgoing, with Rocket.Chat's permission rules and exact error codes. The
 * Rocket.Chat face validates the request schema; everything after that is decided here.
 */
import { randomInt } from 'node:crypto';
import { commit, type CoreContext } from '../context.js';
import { newId, newWebhookSecret } from '../ids.js';
import type { User } from '../model.js';
import type { ChatStore } from '../ports/chat-store.js';
import { isAlwaysBlockedAddress, isAlwaysBlockedHostName, type OutboundPolicy } from '../outbound-policy.js';
import { outboundWarnings, type OutboundWarning } from '../outbound-urls.js';
import { INCOMING, OUTGOING, type IntegrationDoc, type IntegrationType, type OutgoingReplay, type StoredIntegration, type UserStamp } from './document.js';
import { codedError, notAuthorized, plainError } from './errors.js';
import { CHANNEL_SCOPES, EVENT_TRAITS, isOutgoingEvent } from './outgoing-match.js';
import { normalizeRetrySettings } from './retry-strategy.js';
import { PERMISSIONS, type Permission, type RolePermissions } from './roles.js';
import type { IntegrationScripts } from './scripts-port.js';
import { roomByRef } from './room-ref.js';
import type { IntegrationSortField, Sort } from '../ports/integrations.js';

/** docs/integrations.md §4: the incoming token alphabet (URL-safe, no look-alike characters). */
const TOKEN_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz';
export const TOKEN_LENGTH = 48;
/** §7.2: the previous webhook secret still signs this long after a rotation (docs/delivery.md §4.1). */
const SECRET_GRACE_MS = 24 * 3600_000;

export function newIntegrationToken(): string {
  let out = '';
  for (let i = 0; i < TOKEN_LENGTH; i++) out += TOKEN_ALPHABET[randomInt(TOKEN_ALPHABET.length)];
  return out;
}

/** The permission pair ("all", "own") of each direction. */
const PAIR: Record<IntegrationType, { all: Permission; own: Permission }> = {
  [INCOMING]: { all: PERMISSIONS.manageIncoming, own: PERMISSIONS.manageOwnIncoming },
  [OUTGOING]: { all: PERMISSIONS.manageOutgoing, own: PERMISSIONS.manageOwnOutgoing },
};
const ALL_FOUR: Permission[] = [PERMISSIONS.manageIncoming, PERMISSIONS.manageOwnIncoming, PERMISSIONS.manageOutgoing, PERMISSIONS.manageOwnOutgoing];

type Body = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const blank = (v: unknown) => typeof v !== 'string' || v.trim() === '';
const stamp = (u: User): UserStamp => ({ _id: u.id, username: u.username });
const isType = (t: unknown): t is IntegrationType => t === INCOMING || t === OUTGOING;

/** The stored fields of a create or update, and the post-as user to give the `bot` role. */
interface SavedFields {
  doc: Partial<IntegrationDoc>;
  postAs: User;
}

/** What a caller may do with one direction: any integration ("all"), only their own, or nothing. */
interface Reach {
  all: boolean;
  own: boolean;
}

export interface ListQuery {
  offset: number;
  count: number;
  sort?: Sort<IntegrationSortField>;
  name?: string;
  type?: string;
}

export class Integrations {
  constructor(
    private readonly ctx: CoreContext,
    private readonly roles: RolePermissions,
    private readonly scripts: IntegrationScripts,
    private readonly outgoing: OutgoingReplay,
    /** the policy outbound calls obey, to warn about URLs it will refuse; without one, no warnings */
    private readonly outbound?: OutboundPolicy,
  ) {}

  /**
   * The outgoing integration's URLs that will not be called although they were saved: the outbound
   * policy will refuse them (loopback, private networks...), so that a receiver on this machine does
   * not just fail silently; or they are no http(s) URL at all, which Rocket.Chat saves too (only its
   * script's `prepare_outgoing_request` could still call something). Addresses no setting allows are
   * refused at save time instead (docs/integrations.md §6.1).
   */
  outboundWarnings(doc: IntegrationDoc): OutboundWarning[] {
    if (!this.outbound || doc.type !== OUTGOING) return [];
    const warnings = outboundWarnings((doc.urls ?? []).map((url, i) => [`urls[${i}]`, url] as const), this.outbound);
    const scripted = doc.scriptEnabled === true && typeof doc.script === 'string' && doc.script.trim() !== '';
    return warnings.map((w) => (w.reason === 'invalid-url' && scripted ? { ...w, message: `${w.message}, unless the script's prepare_outgoing_request gives another URL` } : w));
  }

  private async reach(actor: User): Promise<Record<IntegrationType, Reach>> {
    const held = await this.roles.held(actor, ALL_FOUR);
    return {
      [INCOMING]: { all: held.has(PAIR[INCOMING].all), own: held.has(PAIR[INCOMING].own) },
      [OUTGOING]: { all: held.has(PAIR[OUTGOING].all), own: held.has(PAIR[OUTGOING].own) },
    };
  }

  /** docs/integrations.md §3: the route-level permission of `list`, `remove`, `history` and `incomingHistory` (403 when false). */
  async routeAllowed(actor: User, route: 'list' | 'remove' | 'history' | 'incomingHistory'): Promise<boolean> {
    const r = await this.reach(actor);
    if (route === 'history') return r[OUTGOING].all || r[OUTGOING].own;
    if (route === 'incomingHistory') return r[INCOMING].all || r[INCOMING].own;
    return r[INCOMING].all || r[INCOMING].own || r[OUTGOING].all || r[OUTGOING].own;
  }

  // ---- create / update ---------------------------------------------------------------------

  async create(actor: User, body: Body): Promise<IntegrationDoc> {
    if (!isType(body.type)) throw plainError('Invalid integration type.');
    const type = body.type;
    const reach = (await this.reach(actor))[type];
    if (!reach.all && !reach.own) throw notAuthorized();
    const now = new Date(this.ctx.now()).toISOString();
    const base = {
      _id: newId(this.ctx.now()),
      type,
      _createdAt: now,
      _updatedAt: now,
      _createdBy: stamp(actor),
    };
    const fields = type === INCOMING ? await this.incomingFields(actor, reach, body) : await this.outgoingFields(actor, reach, body, undefined);
    const doc: IntegrationDoc = {
      ...base,
      ...fields.doc,
      token: type === INCOMING ? newIntegrationToken() : blank(body.token) ? newIntegrationToken() : String(body.token),
      ...(type === OUTGOING && { webhookSecret: newWebhookSecret() }),
    } as IntegrationDoc;
    await commit(this.ctx, async (tx) => {
      await this.roles.grantRole(fields.postAs, 'bot', tx);
      await tx.integrations.insert(actor.workspaceId, doc);
    });
    return doc;
  }

  /**
   * §6.2. `opts.requireToken` (the REST face): an outgoing update must carry a non-blank `token`, as
   * upstream's; internal callers may update some fields only and keep the rest.
   */
  async update(actor: User, body: Body, opts: { requireToken?: boolean } = {}): Promise<IntegrationDoc> {
    if (!isType(body.type)) throw plainError('Invalid integration type.');
    const type = body.type;
    // As upstream's REST route: the integration is looked up first (whoever made it), then the method
    // checks the input and the permissions, then looks it up again within what the caller may manage.
    const found =
      type === INCOMING
        ? blank(body.integrationId)
          ? undefined
          : await this.ctx.store.integrations.get(actor.workspaceId, String(body.integrationId))
        : await this.findOutgoing(actor.workspaceId, str(body.integrationId), str(body.target_url));
    if (!found || found.type !== type) throw plainError('No integration found.');
    const reach = (await this.reach(actor))[type];
    // Incoming: the channel input, then the permissions. Outgoing: the whole input, then the token,
    // then the permissions.
    let outgoing: SavedFields | undefined;
    if (type === INCOMING) parseChannelList(body.channel, false);
    else {
      outgoing = await this.outgoingFields(actor, reach, body, found);
      if ((opts.requireToken || body.token !== undefined) && blank(body.token)) throw codedError('error-invalid-token', 'Invalid token');
    }
    if (!reach.all && !reach.own) throw notAuthorized();
    const current = reach.all || found._createdBy._id === actor.id ? found : undefined;
    if (!current) {
      throw type === INCOMING
        ? codedError('error-invalid-integration', 'Invalid integration')
        : codedError('invalid_integration', '[methods] updateOutgoingIntegration -> integration not found');
    }
    const fields = outgoing ?? (await this.incomingFields(actor, reach, { username: current.username, ...body }, current));
    const next: IntegrationDoc = {
      ...current,
      ...fields.doc,
      _updatedAt: new Date(this.ctx.now()).toISOString(),
      _updatedBy: stamp(actor),
    };
    // docs/integrations.md §4: re-enabling clears the reason the server disabled it for.
    if (next.enabled) delete next.disabledReason;
    if (type === OUTGOING && !blank(body.token)) next.token = String(body.token);
    if (type === OUTGOING && body.rotateWebhookSecret === true) {
      if (current.webhookSecret) {
        next.previousWebhookSecret = current.webhookSecret;
        next.previousWebhookSecretUntil = this.ctx.now() + SECRET_GRACE_MS;
      }
      next.webhookSecret = newWebhookSecret();
    }
    await commit(this.ctx, async (tx) => {
      await this.roles.grantRole(fields.postAs, 'bot', tx);
      await tx.integrations.save(actor.workspaceId, next);
      // Re-enabled (docs/delivery.md §7): its deliveries flow again from now on.
      if (next.enabled && !current.enabled && (await tx.deliveries.endpoint(next._id))?.disabled) await tx.deliveries.enableEndpoint(next._id);
    });
    this.scripts.forget(next._id);
    return next;
  }

  /** docs/integrations.md §6.1/docs/integrations.md §6.2 incoming: channel, post-as user, script; membership per §5. */
  private async incomingFields(actor: User, reach: Reach, body: Body, current?: IntegrationDoc): Promise<SavedFields> {
    const channel = parseChannelList(body.channel, false);
    // Create refuses a blank username first; update only looks the post-as user up (`Invalid Post As User`).
    if (!current && blank(body.username)) throw codedError('error-invalid-username', 'Invalid username');
    const found = blank(body.username) ? undefined : await this.ctx.store.userByUsername(actor.workspaceId, String(body.username).trim());
    const postAs = found && found.status === 'ACTIVATED' ? found : undefined;
    // The reference's order: create checks the user before the rooms, update after them.
    if (!postAs && !current) throw codedError('error-invalid-user', 'Invalid user');
    const script = await this.scriptFields(body, current);
    await this.checkDestinations(actor, reach, channel);
    if (!postAs) throw codedError('error-invalid-post-as-user', 'Invalid Post As User');
    return {
      doc: {
        name: String(body.name ?? current?.name ?? ''),
        enabled: body.enabled === undefined ? (current?.enabled ?? true) : body.enabled === true,
        username: postAs.username,
        userId: postAs.id,
        channel,
        alias: str(body.alias) ?? current?.alias ?? '',
        avatar: str(body.avatar) ?? current?.avatar ?? '',
        emoji: str(body.emoji) ?? current?.emoji ?? '',
        overrideDestinationChannelEnabled:
          body.overrideDestinationChannelEnabled === undefined ? (current?.overrideDestinationChannelEnabled ?? false) : body.overrideDestinationChannelEnabled === true,
        ...script,
        ...this.extensionFields(body),
      },
      postAs,
    };
  }

  /** docs/integrations.md §6.1 outgoing validation table, in order. */
  private async outgoingFields(actor: User, reach: Reach, body: Body, current?: IntegrationDoc): Promise<SavedFields> {
    const event = body.event ?? current?.event;
    if (!isOutgoingEvent(event)) throw codedError('error-invalid-event-type', 'Invalid event type');
    const traits = EVENT_TRAITS[event];
    const username = body.username ?? current?.username;
    if (blank(username)) throw codedError('error-invalid-username', 'Invalid username');
    const targetRoom = str(body.targetRoom ?? current?.targetRoom)?.trim();
    if (traits.needsTargetRoom && !targetRoom) throw codedError('error-invalid-targetRoom', 'Invalid Target Room');
    const urls = body.urls ?? current?.urls;
    if (!Array.isArray(urls) || !urls.some((u) => typeof u === 'string' && u.trim() !== '')) throw codedError('error-invalid-urls', 'Invalid URLs');
    const cleanUrls = urls.filter((u): u is string => typeof u === 'string' && u.trim() !== '').map((u) => u.trim());
    for (const u of cleanUrls) if (blockedLiteral(u)) throw codedError('error-invalid-urls', `Invalid URL (blocked address): ${u}`);

    let channel: string[] = [];
    if (traits.usesChannel) {
      const raw = body.channel ?? current?.channel;
      channel = parseChannelList(Array.isArray(raw) ? raw.join(',') : raw, true);
      const scoped = channel.filter((c) => c === 'all_private_groups' || c === 'all_direct_messages');
      if (scoped.length > 0 && !reach.all) throw codedError('error-invalid-channel', 'Invalid Channel');
    } else if (!reach.all) {
      throw codedError('error-invalid-permissions', 'Invalid permission for required Integration creation.');
    }
    await this.checkDestinations(actor, reach, channel.filter((c) => !(CHANNEL_SCOPES as readonly string[]).includes(c)));

    const triggerWords = body.triggerWords ?? current?.triggerWords;
    if (triggerWords !== undefined && (!Array.isArray(triggerWords) || triggerWords.some((w) => typeof w !== 'string'))) {
      throw codedError('error-invalid-triggerWords', 'Invalid triggerWords');
    }
    const postAs = await this.ctx.store.userByUsername(actor.workspaceId, String(username).trim());
    if (!postAs || postAs.status !== 'ACTIVATED') throw codedError('error-invalid-user', 'Invalid user (did you delete the `rocket.cat` user?)');
    const script = await this.scriptFields(body, current);
    const pick = <K extends keyof IntegrationDoc>(k: K): IntegrationDoc[K] | undefined => (body[k] !== undefined ? (body[k] as IntegrationDoc[K]) : current?.[k]);
    const retry = normalizeRetrySettings({ retryFailedCalls: pick('retryFailedCalls'), retryCount: pick('retryCount'), retryDelay: pick('retryDelay') });
    return {
      doc: {
        name: String(body.name ?? current?.name ?? ''),
        enabled: body.enabled === undefined ? (current?.enabled ?? true) : body.enabled === true,
        event,
        username: postAs.username,
        userId: postAs.id,
        channel,
        urls: cleanUrls,
        ...(traits.usesTriggerWords && Array.isArray(triggerWords) && { triggerWords: (triggerWords as string[]).filter((w) => w.trim() !== '') }),
        ...(pick('triggerWordAnywhere') !== undefined && { triggerWordAnywhere: pick('triggerWordAnywhere') === true }),
        ...(targetRoom && { targetRoom }),
        runOnEdits: pick('runOnEdits') === true,
        ...retry,
        ...(pick('impersonateUser') !== undefined && { impersonateUser: pick('impersonateUser') === true }),
        alias: str(body.alias) ?? current?.alias ?? '',
        avatar: str(body.avatar) ?? current?.avatar ?? '',
        emoji: str(body.emoji) ?? current?.emoji ?? '',
        ...script,
        ...this.extensionFields(body),
      },
      postAs,
    };
  }

  /** The Switchboard extensions a client may set (docs/integrations.md §4, docs/integrations.md §7.2, docs/integrations.md §8.9). */
  private extensionFields(body: Body): Partial<IntegrationDoc> {
    const out: Partial<IntegrationDoc> = {};
    if (typeof body.storePayloadsInHistory === 'boolean') out.storePayloadsInHistory = body.storePayloadsInHistory;
    if (typeof body.historyEnabled === 'boolean') out.historyEnabled = body.historyEnabled;
    if (body.rateLimitPerSecond !== undefined) {
      const n = body.rateLimitPerSecond;
      if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) throw codedError('error-invalid-rate-limit', 'rateLimitPerSecond must be a number ≥ 0');
      out.rateLimitPerSecond = n;
    }
    return out;
  }

  /** docs/integrations.md §9.4: compile on save; a syntax error is stored (the save still succeeds) and execution fails closed. */
  private async scriptFields(body: Body, current?: IntegrationDoc): Promise<Partial<IntegrationDoc>> {
    const scriptEnabled = body.scriptEnabled === undefined ? (current?.scriptEnabled ?? false) : body.scriptEnabled === true;
    const script = str(body.script) ?? current?.script ?? '';
    const skipTranspile = body.skipTranspile === undefined ? (current?.skipTranspile ?? false) : body.skipTranspile === true;
    const fields: Partial<IntegrationDoc> = { scriptEnabled, script, scriptEngine: 'isolated-vm', skipTranspile };
    if (!scriptEnabled || script.trim() === '') return { ...fields, scriptCompiled: undefined, scriptError: undefined };
    const carriesScript = typeof body.script === 'string' && body.script !== (current?.script ?? '');
    if (this.scripts.setting === 'frozen' && carriesScript) throw codedError('integration-scripts-disabled', 'Integration scripts are disabled');
    const compiled = await this.scripts.compile(script, { skipTranspile });
    return compiled.ok ? { ...fields, scriptCompiled: compiled.compiled, scriptError: undefined } : { ...fields, scriptCompiled: undefined, scriptError: compiled.error };
  }

  /**
   * docs/integrations.md §6.1 step 5: `#x` names a room by id or name, `@x` a user by id or username; the caller must be
   * a member of each named room unless they hold both the "all" and the "own" permission (docs/integrations.md §5).
   */
  private async checkDestinations(actor: User, reach: Reach, channel: readonly string[]): Promise<void> {
    const store = this.ctx.store;
    for (const entry of channel) {
      const ref = entry.slice(1);
      if (entry.startsWith('#')) {
        const room = await roomByRef(store, actor.workspaceId, ref);
        if (!room) throw codedError('error-invalid-room', 'Invalid room');
        if (!(reach.all && reach.own) && !(await store.isMember(room.id, actor.id))) throw codedError('error-invalid-channel', 'Invalid Channel');
      } else if (entry.startsWith('@')) {
        const user = (await store.user(actor.workspaceId, ref)) ?? (await store.userByUsername(actor.workspaceId, ref));
        if (!user) throw codedError('error-invalid-room', 'Invalid room');
      }
    }
  }

  private async findOutgoing(workspaceId: string, integrationId: string | undefined, targetUrl: string | undefined): Promise<IntegrationDoc | undefined> {
    if (integrationId) {
      const doc = await this.ctx.store.integrations.get(workspaceId, integrationId);
      return doc?.type === OUTGOING ? doc : undefined;
    }
    if (!targetUrl) return undefined;
    return (await this.ctx.store.integrations.ofType(workspaceId, OUTGOING)).find((d) => (d.urls ?? []).includes(targetUrl));
  }

  // ---- read ---------------------------------------------------------------------------------

  async get(actor: User, q: { integrationId: string; createdBy?: string }): Promise<IntegrationDoc> {
    const doc = await this.ctx.store.integrations.get(actor.workspaceId, q.integrationId);
    if (!doc || (q.createdBy !== undefined && doc._createdBy._id !== q.createdBy)) throw plainError('The integration does not exists.');
    const reach = (await this.reach(actor))[doc.type];
    if (!reach.all && !(reach.own && doc._createdBy._id === actor.id)) throw plainError('not-authorized');
    return doc;
  }

  /** docs/integrations.md §5 list scoping: each direction's "all" lists every integration of it, "own" only the caller's. */
  async list(actor: User, q: ListQuery): Promise<{ items: IntegrationDoc[]; total: number }> {
    const reach = await this.reach(actor);
    const terms: Array<{ type: IntegrationType; createdBy?: string }> = [];
    for (const type of [INCOMING, OUTGOING] as const) {
      if (reach[type].all) terms.push({ type });
      else if (reach[type].own) terms.push({ type, createdBy: actor.id });
    }
    const everything = terms.length === 2 && terms.every((t) => t.createdBy === undefined);
    return this.ctx.store.integrations.list(actor.workspaceId, {
      scope: everything ? 'all' : terms,
      ...(q.name && { name: q.name }),
      ...(q.type && { type: q.type }),
      sort: q.sort ?? { field: '_createdAt', direction: 'desc' },
      offset: q.offset,
      count: q.count,
    });
  }

  // ---- remove -------------------------------------------------------------------------------

  async remove(actor: User, body: { type: string; integrationId?: string; target_url?: string }): Promise<IntegrationDoc> {
    if (!isType(body.type)) throw plainError('Invalid integration type.');
    if (body.type === OUTGOING && !body.integrationId && !body.target_url) throw plainError('An integrationId or target_url needs to be provided.');
    // As upstream's REST route: looked up first (whoever made it), then the delete method's permission
    // check and its lookup within what the caller may manage.
    const found =
      body.type === OUTGOING
        ? await this.findOutgoing(actor.workspaceId, body.integrationId, body.target_url)
        : await this.ctx.store.integrations.get(actor.workspaceId, body.integrationId ?? '');
    if (!found || found.type !== body.type) throw plainError('No integration found.');
    const reach = (await this.reach(actor))[body.type];
    if (!reach.all && !reach.own) throw notAuthorized();
    if (!reach.all && found._createdBy._id !== actor.id) throw codedError('error-invalid-integration', 'Invalid integration');
    await this.delete(actor.workspaceId, found);
    return found;
  }

  private async delete(workspaceId: string, doc: IntegrationDoc): Promise<void> {
    await commit(this.ctx, async (tx) => {
      await tx.integrations.delete(workspaceId, doc._id);
      // Deliveries still waiting would go to an integration that no longer exists (docs/integrations.md §12.3 #4).
      await tx.deliveries.cancelPending(doc._id);
    });
    this.scripts.forget(doc._id);
  }

  // ---- history ------------------------------------------------------------------------------

  async history(
    actor: User,
    q: { id: string; offset: number; count: number; sort?: Sort<'_createdAt' | '_updatedAt'> },
    kind: 'outgoing-webhook' | 'incoming-webhook',
  ): Promise<{ items: Record<string, unknown>[]; total: number }> {
    const reach = (await this.reach(actor))[kind === 'outgoing-webhook' ? OUTGOING : INCOMING];
    if (!reach.all && !reach.own) throw notAuthorized();
    const page = await this.ctx.store.integrations.listHistory(actor.workspaceId, {
      integrationId: q.id,
      type: kind,
      ...(!reach.all && { createdBy: actor.id }),
      sort: q.sort ?? { field: '_updatedAt', direction: 'desc' },
      offset: q.offset,
      count: q.count,
    });
    return { items: page.items.map((h) => ({ _id: h.id, ...h.record })), total: page.total };
  }

  /**
   * docs/integrations.md §6.7, as upstream's: the outgoing permissions reach any integration's history ("all") or the
   * caller's own; extension: the incoming ones reach incoming integrations the same way (they have
   * history here too).
   */
  async clearHistory(actor: User, integrationId: string): Promise<void> {
    const reach = await this.reach(actor);
    const outgoing = reach[OUTGOING].all || reach[OUTGOING].own;
    if (!outgoing && !reach[INCOMING].all && !reach[INCOMING].own) throw notAuthorized();
    const doc = await this.ctx.store.integrations.get(actor.workspaceId, integrationId);
    // Only the extension's incoming case gets past without an outgoing permission.
    if (!outgoing && doc?.type !== INCOMING) throw notAuthorized();
    const mine = doc?._createdBy._id === actor.id;
    const allowed = doc && (reach[OUTGOING].all || (reach[OUTGOING].own && mine) || (doc.type === INCOMING && (reach[INCOMING].all || (reach[INCOMING].own && mine))));
    if (!doc || !allowed) throw codedError('error-invalid-integration', 'Invalid integration');
    await this.ctx.store.integrations.clearHistory(actor.workspaceId, doc._id);
  }

  /** docs/integrations.md §6.8, with the reference's codes and reasons (`replayOutgoingIntegrationMethod`, `triggerHandler.replay`). */
  async replayOutgoing(actor: User, integrationId: string, historyId: string): Promise<void> {
    const reach = (await this.reach(actor))[OUTGOING];
    if (!reach.all && !reach.own) throw notAuthorized();
    const doc = await this.ctx.store.integrations.get(actor.workspaceId, integrationId);
    // With the own permission only, upstream finds the caller's outgoing integrations alone.
    if (!doc || !(reach.all || (doc._createdBy._id === actor.id && doc.type === OUTGOING))) throw codedError('error-invalid-integration', 'Invalid integration');
    const history = await this.ctx.store.integrations.historyRecord(doc._id, historyId);
    if (!history) throw codedError('error-invalid-integration-history', 'Invalid Integration History');
    if (doc.type !== OUTGOING) throw codedError('integration-type-must-be-outgoing', 'The integration type to replay must be an outgoing webhook.');
    if (history.record.data === undefined || history.record.data === null) {
      throw codedError('history-data-must-be-defined', 'The history data must be defined to replay an integration.');
    }
    await this.outgoing.replay(actor.workspaceId, doc, history);
  }

  // ---- REST hooks (docs/integrations.md §7.1 /hooks/add, /hooks/remove) ---------------------------------------------

  /** Creates an outgoing `sendMessage` integration owned by the hook's post-as user (Zapier-style "REST hooks"). */
  async addRestHook(hook: StoredIntegration, body: Body): Promise<IntegrationDoc> {
    const owner = await this.ctx.store.user(hook.workspaceId, hook.doc.userId);
    if (!owner || owner.status !== 'ACTIVATED') throw codedError('error-invalid-user', 'Invalid user');
    const data = (typeof body.data === 'object' && body.data !== null ? body.data : {}) as Body;
    let channel: string;
    if (body.event === 'newMessageOnChannel') channel = blank(data.channel_name) ? '' : `#${String(data.channel_name).replace(/^#/, '')}`;
    else if (body.event === 'newMessageToUser') channel = `@${String(data.username ?? '').replace(/^@/, '')}`;
    else throw codedError('error-invalid-event-type', 'Invalid event type');
    const words = data.trigger_words;
    return this.create(owner, {
      type: OUTGOING,
      name: String(body.name ?? 'REST hook'),
      enabled: true,
      event: 'sendMessage',
      username: owner.username,
      urls: [String(body.target_url ?? '')],
      channel,
      scriptEnabled: false,
      ...(Array.isArray(words) ? { triggerWords: words } : typeof words === 'string' && words !== '' ? { triggerWords: words.split(',').map((w) => w.trim()) } : {}),
    });
  }

  /** Deletes the outgoing integrations of the hook's workspace whose `urls` contain `targetUrl` (docs/integrations.md §13: the reference looked up a missing field). */
  async removeRestHook(hook: StoredIntegration, targetUrl: string): Promise<void> {
    const owner = await this.ctx.store.user(hook.workspaceId, hook.doc.userId);
    if (!owner) throw codedError('error-invalid-user', 'Invalid user');
    const reach = (await this.reach(owner))[OUTGOING];
    const matches = (await this.ctx.store.integrations.ofType(hook.workspaceId, OUTGOING)).filter(
      (d) => (d.urls ?? []).includes(targetUrl) && (reach.all || (reach.own && d._createdBy._id === owner.id)),
    );
    for (const doc of matches) await this.delete(hook.workspaceId, doc);
  }

  // ---- lifecycle (docs/integrations.md §4) ----------------------------------------------------------------------

  /**
   * A channel renamed: `#from` in every integration's `channel` list, and an outgoing one's
   * `targetRoom`, become `#to`; call inside that transaction.
   */
  static async channelRenamed(tx: ChatStore, workspaceId: string, from: string, to: string, now: number): Promise<void> {
    const old = `#${from}`.toLowerCase();
    const renamed = (ref: string) => (ref.toLowerCase() === old ? `#${to}` : ref);
    for (const type of [INCOMING, OUTGOING] as const) {
      for (const doc of await tx.integrations.ofType(workspaceId, type)) {
        const names = doc.channel.some((c) => c.toLowerCase() === old);
        const targets = typeof doc.targetRoom === 'string' && doc.targetRoom.toLowerCase() === old;
        if (!names && !targets) continue;
        await tx.integrations.save(workspaceId, {
          ...doc,
          channel: doc.channel.map(renamed),
          ...(targets && { targetRoom: renamed(doc.targetRoom!) }),
          _updatedAt: new Date(now).toISOString(),
        });
      }
    }
  }

  /** Deactivating a user disables the integrations that post as them (`post-as-user-deleted`); call inside that transaction. */
  static async postAsUserGone(tx: ChatStore, workspaceId: string, userId: string, now: number): Promise<void> {
    for (const doc of await tx.integrations.postingAs(workspaceId, userId)) {
      if (!doc.enabled) continue;
      await tx.integrations.save(workspaceId, { ...doc, enabled: false, disabledReason: 'post-as-user-deleted', _updatedAt: new Date(now).toISOString() });
    }
  }
}

/**
 * docs/integrations.md §6.1: the comma-separated `channel` input as entries; each must start with `#` or `@` (outgoing
 * also takes the scope keywords, and an empty value means `all_public_channels`).
 */
function parseChannelList(value: unknown, outgoing: boolean): string[] {
  // The reference's two wordings: incoming says `Invalid channel`, outgoing `Invalid Channel`.
  if (typeof value !== 'string' || (!outgoing && value.trim() === '')) throw codedError('error-invalid-channel', outgoing ? 'Invalid Channel' : 'Invalid channel');
  const entries = value
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '');
  if (outgoing && entries.length === 0) return [];
  for (const c of entries) {
    if (outgoing && (CHANNEL_SCOPES as readonly string[]).includes(c)) continue;
    if (!c.startsWith('#') && !c.startsWith('@')) throw codedError('error-invalid-channel-start-with-chars', 'Invalid channel. Start with @ or #');
  }
  return entries;
}

/** docs/integrations.md §6.1: a URL whose host is a literal address in an always-blocked range (metadata, link-local) is refused at once. */
function blockedLiteral(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return false; // not a URL at all: the delivery records `invalid-url`
  }
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return isAlwaysBlockedAddress(bare) || isAlwaysBlockedHostName(bare);
}

