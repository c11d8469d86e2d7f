/**
 * Domain events as Pumble app events (docs/app-platform.md §8.2): each event type's body with its
 * short keys, in one exhaustive table, and the envelope of §7.6. Who receives a copy is the
 * domain's (domain/apps/app-event-routing.ts).
 */
import { renderWith, type DomainEventType, type EventOf, type EventTable } from '../../domain/events.js';
import { activeCustomStatus, V1_ROLE, type Message, type User } from '../../domain/model.js';
import { EVENTS, type EventName } from '../../domain/apps/catalog.js';
import { presentFiles } from './v1/present.js';
import type { AppEventRenderer, Visibility } from '../../domain/apps/app-event-routing.js';
import type { ChatStore, StoredDomainEvent } from '../../domain/ports/chat-store.js';

/** An event's name, who may see it, and its §8.2 body. */
interface RenderedBody {
  name: EventName;
  visibility: Visibility;
  body: Record<string, unknown>;
}

const iso = (ms: number) => new Date(ms).toISOString();
/** Keys without a value are left out, never sent as null (§8.2). */
const compact = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null));

/**
 * Who and what a message's blocks mention (§8.2 `md`, `mc`, `mu`): the `user`, `channel` and
 * `usergroup` elements of its rich text, each id once, in order of appearance.
 */
function mentionsIn(blocks: unknown[] | null): { md?: string[]; mc?: string[]; mu?: string[] } {
  const found = { md: new Set<string>(), mc: new Set<string>(), mu: new Set<string>() };
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (typeof node !== 'object' || node === null) return;
    const n = node as Record<string, unknown>;
    if (n.type === 'user' && typeof n.user_id === 'string') found.md.add(n.user_id);
    else if (n.type === 'channel' && typeof n.channel_id === 'string') found.mc.add(n.channel_id);
    else if (n.type === 'usergroup' && typeof n.usergroup_id === 'string') found.mu.add(n.usergroup_id);
    else if (Array.isArray(n.elements)) walk(n.elements);
  };
  walk(blocks ?? []);
  const list = (ids: Set<string>) => (ids.size > 0 ? [...ids] : undefined);
  return { md: list(found.md), mc: list(found.mc), mu: list(found.mu) };
}

/**
 * NEW_MESSAGE / UPDATED_MESSAGE (§8.2). `f`: the message's files as §12.1 FileRefs, absent when it
 * has none. What Switchboard's messages do not have is absent: `st` (no subtypes), `lId` (no client local ids), `sm` (no forwarding), `mm` (no
 * meta). `stc`: a reply also sent to the channel.
 * `trMt` is the thread root's text as it is when the event is expanded (absent once the root is deleted).
 */
async function messageBody(
  tx: ChatStore,
  m: Message,
  ty: 'NEW_MESSAGE' | 'UPDATED_MESSAGE',
  rid: string,
  ephemeralTo?: string[],
): Promise<Record<string, unknown>> {
  const root = m.threadRootId ? await tx.message(m.channelId, m.threadRootId) : undefined;
  return compact({
    mId: m.id,
    wId: m.workspaceId,
    cId: m.channelId,
    trId: m.threadRootId ?? '',
    stc: m.sentToChannel,
    // The root's text as `tx` is: always a string, possibly "" (a root of blocks only).
    trMt: root && !root.deleted ? root.text : undefined,
    aId: m.authorId,
    // Always present, even empty: SDK message filters call string methods on it.
    tx: m.text ?? '',
    bl: m.blocks ?? undefined,
    att: m.attachments ?? undefined,
    f: m.files && m.files.length > 0 ? presentFiles(m.files) : undefined,
    ty,
    ts: iso(m.createdAt),
    tsm: m.createdAt,
    rid,
    ...mentionsIn(m.blocks),
    au: ephemeralTo,
    e: ty === 'UPDATED_MESSAGE' ? true : undefined,
    eph: ephemeralTo ? true : undefined,
  });
}

/**
 * WORKSPACE_USER_JOINED / _UPDATED (§8.2). Values Switchboard does not have are absent, never
 * `""`: avatars (`afp`, `asp`), phone (`pp`), activeUntil (`au`), who invited (`ib`), a previous
 * e-mail (`puE`: e-mail addresses do not change); `sts` is omitted by decision. `cs` is the custom
 * status in force when the change was committed (`at`); its text is absent when only an emoji is
 * set, `ea` is 0 for "never", as `/v1` takes it; the expiration preset (`ex`) and paused
 * notifications (`su`) are not kept. On UPDATED, `atz` is true as `/v1`'s `automaticallyTimeZone`
 * (nobody sets a time zone by hand), and `cb` names who made the change when the core says so.
 */
function userBody(u: User, ty: 'WORKSPACE_USER_JOINED' | 'WORKSPACE_USER_UPDATED', rid: string, at: number, changedBy?: string): Record<string, unknown> {
  const cs = activeCustomStatus(u, at);
  const updated = ty === 'WORKSPACE_USER_UPDATED';
  return compact({
    uId: u.id,
    uN: u.name,
    uE: u.email,
    wId: u.workspaceId,
    ty,
    rid,
    tz: u.timeZone || undefined,
    st: u.status,
    ro: V1_ROLE[u.role],
    cs: cs ? compact({ st: cs.status || undefined, co: cs.code, ea: cs.expiresAt }) : undefined,
    pt: u.title || undefined,
    cb: updated ? changedBy : undefined,
    atz: updated ? true : undefined,
  });
}

/** What every app-event renderer reads besides the event: the transaction, and the stored event's request id, workspace and commit time. */
interface RenderContext {
  tx: ChatStore;
  rid: string;
  wId: string;
  at: number;
}

const reactionEvent = async (e: EventOf<'reaction.added' | 'reaction.removed'>, { wId, rid }: RenderContext): Promise<RenderedBody> => {
  const ty = e.type === 'reaction.added' ? 'REACTION_ADDED' : 'REACTION_REMOVED';
  return {
    name: ty,
    visibility: { kind: 'channel', channelId: e.channelId },
    body: { wId, cId: e.channelId, mId: e.messageId, mat: e.messageAuthorId, uId: e.userId, rc: e.code, ty, rid },
  };
};

// §8.2 decision: one event both ways, `v` saying which.
const archiveEvent = async (e: EventOf<'channel.archived' | 'channel.unarchived'>, { tx, wId, rid }: RenderContext): Promise<RenderedBody> => ({
  name: 'CHANNEL_ARCHIVED',
  visibility: { kind: 'channel', channelId: e.channel.id },
  body: { m: await tx.memberIds(e.channel.id), wId, cId: e.channel.id, v: e.type === 'channel.archived', ty: 'CHANNEL_ARCHIVED', rid, uId: e.actorId },
});

const userEvent = async (e: EventOf<'user.created' | 'user.updated'>, { rid, at }: RenderContext): Promise<RenderedBody | undefined> => {
  const user = e.user;
  if (user.isBot) return undefined;
  const ty = e.type === 'user.created' ? 'WORKSPACE_USER_JOINED' : 'WORKSPACE_USER_UPDATED';
  const changedBy = e.type === 'user.updated' ? e.changedBy : undefined;
  return { name: ty, visibility: { kind: 'workspace' }, body: userBody(user, ty, rid, at, changedBy) };
};

const userGroupEvent = async (e: EventOf<'user_group.created' | 'user_group.updated'>, { wId, rid }: RenderContext): Promise<RenderedBody> => {
  const g = e.group;
  const ty = e.type === 'user_group.created' ? 'WORKSPACE_USER_GROUP_CREATED' : 'WORKSPACE_USER_GROUP_UPDATED';
  const body = { wId, cbId: g.createdBy, id: g.id, n: g.name, h: g.handle, d: g.description, di: g.disabled, uIds: g.memberIds, cIds: [], ty, rid };
  return { name: ty, visibility: { kind: 'workspace' }, body: compact(ty === 'WORKSPACE_USER_GROUP_UPDATED' ? { ...body, uId: e.actorId } : body) };
};

/**
 * The app event (§8.1 table) of each domain event type: its §8.2 body, event name and who may see
 * it. A renderer answers undefined for the events of its type apps do not get (bots' user changes,
 * roots whose thread counters changed, ephemeral messages not for apps); `null` is for types apps
 * never get.
 */
export const APP_EVENTS: EventTable<Promise<RenderedBody | undefined>, [ctx: RenderContext]> = {
  'message.created': async (e, { tx, rid }) => ({
    name: 'NEW_MESSAGE',
    visibility: { kind: 'channel', channelId: e.message.channelId },
    body: await messageBody(tx, e.message, 'NEW_MESSAGE', rid),
  }),
  'message.updated': async (e, { tx, rid }) => {
    // A root whose reply count changed was not edited: apps hear of edits only.
    if (e.cause !== 'edit') return undefined;
    return {
      name: 'UPDATED_MESSAGE',
      visibility: { kind: 'channel', channelId: e.message.channelId },
      body: await messageBody(tx, e.message, 'UPDATED_MESSAGE', rid),
    };
  },
  'message.deleted': async (e, { wId, rid }) => ({
    name: 'MESSAGE_DELETED',
    visibility: { kind: 'channel', channelId: e.channelId },
    body: { mId: e.messageId, wId, cId: e.channelId, trId: e.threadRootId ?? '', aId: e.authorId, ty: 'MESSAGE_DELETED', rid, tsm: e.at },
  }),
  'message.ephemeral': async (e, { tx, rid }) => {
    // §8.1 decision: for the apps whose users include a recipient. Only recipients count: the author
    // (a person, or an app's bot) sees it only when among them, as on live sockets.
    if (!e.forApps) return undefined;
    const { recipients } = e.forApps;
    return { name: 'NEW_MESSAGE', visibility: { kind: 'users', userIds: recipients }, body: await messageBody(tx, e.message, 'NEW_MESSAGE', rid, recipients) };
  },
  // §8.1: only a new ephemeral message can be news for apps; its edits and removals are for live sockets.
  'message.ephemeral_updated': null,
  'message.ephemeral_deleted': null,
  'reaction.added': reactionEvent,
  'reaction.removed': reactionEvent,
  'channel.created': async (e, { tx, wId, rid }) => {
    const c = e.channel;
    const members = await tx.memberIds(c.id);
    return {
      name: 'CHANNEL_CREATED',
      // A public channel's creation is everyone's news; a private or direct one only its members'.
      visibility: c.type === 'PUBLIC' ? { kind: 'workspace' } : { kind: 'channel', channelId: c.id },
      body: compact({ wId, cId: c.id, cN: c.name ?? undefined, cU: members, cT: c.type, ty: 'CHANNEL_CREATED', rid }),
    };
  },
  // The §8.1 catalogue has no event for a renamed or re-described channel.
  'channel.updated': null,
  'channel.archived': archiveEvent,
  'channel.unarchived': archiveEvent,
  // Nothing of the channel is left to read: its members are those it had when deleted.
  'channel.deleted': async (e, { wId, rid }) => ({
    name: 'CHANNEL_DELETED',
    visibility: { kind: 'users', userIds: e.memberIds },
    body: { m: e.memberIds, wId, cId: e.channel.id, ty: 'CHANNEL_DELETED', rid },
  }),
  'member.joined': async (e, { wId, rid }) => ({
    name: 'CHANNEL_MEMBER_JOINED',
    visibility: { kind: 'channel', channelId: e.channelId },
    body: compact({ wId, cId: e.channelId, uIds: e.userIds, cb: e.addedBy ?? undefined, ty: 'CHANNEL_MEMBER_JOINED', rid }),
  }),
  'member.left': async (e, { wId, rid }) => ({
    name: 'CHANNEL_MEMBER_LEFT',
    visibility: { kind: 'channel', channelId: e.channelId },
    body: compact({ wId, cId: e.channelId, uIds: [e.userId], cb: e.removedBy ?? undefined, ty: 'CHANNEL_MEMBER_LEFT', rid }),
  }),
  'user.created': userEvent,
  'user.updated': userEvent,
  // A control notice: it ends live connections and is never news for apps.
  'user.sessions_revoked': null,
  // Also control: it closes the app's own sockets (docs/app-platform.md §10.1); no app event says so.
  'app.sockets_revoked': null,
  // A person's views and loading states are their screen, not app events (docs/app-platform.md §8):
  // the app hears of them only through the triggers it answers (§7.3, §7.4).
  'view.opened': null,
  'view.pushed': null,
  'view.updated': null,
  'view.closed': null,
  'view.error': null,
  'interaction.loading': null,
  'interaction.completed': null,
  // A person's read state and typing are theirs and their channel's, never an app's.
  'channel.read': null,
  'user.typing': null,
  // Presence is the web client's (docs/web-client.md §4); Pumble's app events have none.
  'user.presence': null,
  // Pins and saves (docs/web-client.md §6.1): Pumble's app events have none.
  'message.pinned': null,
  'message.unpinned': null,
  'message.saved': null,
  'message.unsaved': null,
  // Pumble has no workspace event for apps: the web client's alone.
  'workspace.updated': null,
  // A person's own notification preference (docs/web-client.md §6.8): no app event.
  'notification_level.updated': null,
  'user_group.created': userGroupEvent,
  'user_group.updated': userGroupEvent,
  'app.uninstalled': async (e, { wId }) => ({
    name: 'APP_UNINSTALLED',
    visibility: { kind: 'app', appId: e.appId, userIds: e.botUserId ? [e.botUserId] : [] },
    body: { id: e.installationId, app: e.appId, workspace: wId, installedBy: e.installedBy, botUser: e.botUserId ?? '', uninstalledAt: e.at },
  }),
  'app.unauthorized': async (e, { wId }) => ({
    name: 'APP_UNAUTHORIZED',
    visibility: { kind: 'app', appId: e.appId, userIds: [e.userId] },
    body: {
      id: e.authorizationId,
      app: e.appId,
      appInstallation: e.installationId,
      workspaceUser: e.userId,
      workspace: wId,
      grantedScopes: e.grantedScopes,
      accessGranted: false,
    },
  }),
};

/** The §8.2 body of a stored domain event, its event name and who may see it; undefined for events apps never get. */
const renderAppEventBody = async (tx: ChatStore, stored: StoredDomainEvent): Promise<RenderedBody | undefined> =>
  renderWith(APP_EVENTS, stored.event, { tx, rid: stored.requestId, wId: stored.workspaceId, at: stored.createdAt });

/** The AppEventRenderer of the Pumble surface: the body, wrapped in the §7.6 envelope for its recipients. */
export const renderAppEvent: AppEventRenderer = Object.assign(
  async (tx: ChatStore, stored: StoredDomainEvent) => {
    const rendered = await renderAppEventBody(tx, stored);
    if (!rendered) return undefined;
    const { name, visibility, body } = rendered;
    const { messageType } = EVENTS[name];
    return {
      name,
      visibility,
      envelope: (workspaceUserIds: string[]) => JSON.stringify({ messageType, eventType: name, workspaceId: stored.workspaceId, workspaceUserIds, body: JSON.stringify(body) }),
    };
  },
  { sends: (type: DomainEventType) => APP_EVENTS[type] !== null },
);
