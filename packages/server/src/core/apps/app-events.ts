import type { Store, StoredDomainEvent } from '../../store/store.js';
import type { DomainEvent } from '../events.js';
import { V1_ROLE, type Message, type User } from '../model.js';
import { EVENTS, type EventName } from './catalog.js';
import type { Manifest } from './manifest.js';

/** One app's copy of one event (pumble-app-platform.md §8.1: one copy per app per event). */
export interface AppEventCopy {
  appId: string;
  eventType: EventName;
  url: string;
  workspaceUserIds: string[];
  /** the envelope of §7.6 as sent: its `body` is itself a JSON string */
  envelope: string;
}

/** Who may see the event: a channel's members, everyone in the workspace, or named users of one app. */
type Visibility = { kind: 'channel'; channelId: string } | { kind: 'workspace' } | { kind: 'app'; appId: string; userIds: string[] };

interface Rendered {
  name: EventName;
  visibility: Visibility;
  body: Record<string, unknown>;
}

const iso = (ms: number) => new Date(ms).toISOString();
/** Keys without a value are left out, never sent as null (§8.2). */
const compact = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null));

function messageBody(m: Message, ty: 'NEW_MESSAGE' | 'UPDATED_MESSAGE', rid: string): Record<string, unknown> {
  return compact({
    mId: m.id,
    wId: m.workspaceId,
    cId: m.channelId,
    trId: m.threadRootId ?? '',
    stc: false,
    aId: m.authorId,
    // Always present, even empty: SDK message filters call string methods on it.
    tx: m.text ?? '',
    bl: m.blocks ?? undefined,
    att: m.attachments ?? undefined,
    ty,
    ts: iso(m.createdAt),
    tsm: m.createdAt,
    rid,
    e: ty === 'UPDATED_MESSAGE' ? true : undefined,
  });
}

function userBody(u: User, ty: string, rid: string): Record<string, unknown> {
  return compact({
    uId: u.id,
    uN: u.name,
    uE: u.email,
    wId: u.workspaceId,
    ty,
    rid,
    afp: '',
    asp: '',
    tz: u.timeZone,
    st: u.status,
    ro: V1_ROLE[u.role],
    pt: u.title || undefined,
  });
}

/** The §8.2 body of a domain event, its event name and who may see it; undefined for events apps never get. */
async function render(tx: Store, stored: StoredDomainEvent): Promise<Rendered | undefined> {
  const e: DomainEvent = stored.event;
  const rid = stored.requestId;
  const wId = stored.workspaceId;
  switch (e.type) {
    case 'message.created':
      return { name: 'NEW_MESSAGE', visibility: { kind: 'channel', channelId: e.message.channelId }, body: messageBody(e.message, 'NEW_MESSAGE', rid) };
    case 'message.updated':
      // A root whose reply count changed was not edited: apps hear of edits only.
      if (e.cause !== 'edit') return undefined;
      return { name: 'UPDATED_MESSAGE', visibility: { kind: 'channel', channelId: e.message.channelId }, body: messageBody(e.message, 'UPDATED_MESSAGE', rid) };
    case 'message.deleted':
      return {
        name: 'MESSAGE_DELETED',
        visibility: { kind: 'channel', channelId: e.channelId },
        body: { mId: e.messageId, wId, cId: e.channelId, trId: e.threadRootId ?? '', aId: e.authorId, ty: 'MESSAGE_DELETED', rid, tsm: e.at },
      };
    case 'reaction.added':
    case 'reaction.removed': {
      const ty = e.type === 'reaction.added' ? 'REACTION_ADDED' : 'REACTION_REMOVED';
      return {
        name: ty,
        visibility: { kind: 'channel', channelId: e.channelId },
        body: { wId, cId: e.channelId, mId: e.messageId, mat: e.messageAuthorId, uId: e.userId, rc: e.code, ty, rid },
      };
    }
    case 'channel.created': {
      const c = e.channel;
      const members = await tx.memberIds(c.id);
      return {
        name: 'CHANNEL_CREATED',
        // A public channel's creation is everyone's news; a private or direct one only its members'.
        visibility: c.type === 'PUBLIC' ? { kind: 'workspace' } : { kind: 'channel', channelId: c.id },
        body: compact({ wId, cId: c.id, cN: c.name ?? undefined, cU: members, cT: c.type, ty: 'CHANNEL_CREATED', rid }),
      };
    }
    case 'channel.archived':
      return {
        name: 'CHANNEL_ARCHIVED',
        visibility: { kind: 'channel', channelId: e.channel.id },
        body: { m: await tx.memberIds(e.channel.id), wId, cId: e.channel.id, v: true, ty: 'CHANNEL_ARCHIVED', rid, uId: e.actorId },
      };
    case 'member.joined':
      return {
        name: 'CHANNEL_MEMBER_JOINED',
        visibility: { kind: 'channel', channelId: e.channelId },
        body: compact({ wId, cId: e.channelId, uIds: e.userIds, cb: e.addedBy ?? undefined, ty: 'CHANNEL_MEMBER_JOINED', rid }),
      };
    case 'member.left':
      return {
        name: 'CHANNEL_MEMBER_LEFT',
        visibility: { kind: 'channel', channelId: e.channelId },
        body: compact({ wId, cId: e.channelId, uIds: [e.userId], cb: e.removedBy ?? undefined, ty: 'CHANNEL_MEMBER_LEFT', rid }),
      };
    case 'user.created':
    case 'user.updated': {
      const user = e.user;
      if (user.isBot) return undefined;
      const ty = e.type === 'user.created' ? 'WORKSPACE_USER_JOINED' : 'WORKSPACE_USER_UPDATED';
      return { name: ty, visibility: { kind: 'workspace' }, body: userBody(user, ty, rid) };
    }
    case 'user_group.created':
    case 'user_group.updated': {
      const g = e.group;
      const ty = e.type === 'user_group.created' ? 'WORKSPACE_USER_GROUP_CREATED' : 'WORKSPACE_USER_GROUP_UPDATED';
      const body = { wId, cbId: g.createdBy, id: g.id, n: g.name, h: g.handle, d: g.description, di: g.disabled, uIds: g.memberIds, cIds: [], ty, rid };
      return { name: ty, visibility: { kind: 'workspace' }, body: compact(ty === 'WORKSPACE_USER_GROUP_UPDATED' ? { ...body, uId: e.actorId } : body) };
    }
    case 'app.uninstalled':
      return {
        name: 'APP_UNINSTALLED',
        visibility: { kind: 'app', appId: e.appId, userIds: e.botUserId ? [e.botUserId] : [] },
        body: { id: e.installationId, app: e.appId, workspace: wId, installedBy: e.installedBy, botUser: e.botUserId ?? '', uninstalledAt: e.at },
      };
    case 'app.unauthorized':
      return {
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
      };
    default:
      return undefined;
  }
}

/**
 * Every app copy of one committed event (§8.1): an installed app that subscribes to the event gets
 * one copy when its bot (with the scope as a bot scope) or an authorised user (with it as a user
 * scope) may see the event; `workspaceUserIds` lists exactly those. APP_* events go to their own
 * app, even though it is already uninstalled.
 */
export async function appEventCopies(tx: Store, stored: StoredDomainEvent): Promise<AppEventCopy[]> {
  const rendered = await render(tx, stored);
  if (!rendered) return [];
  const { name, visibility, body } = rendered;
  const info = EVENTS[name];
  const copies: AppEventCopy[] = [];
  const envelope = (workspaceUserIds: string[]) =>
    JSON.stringify({ messageType: info.messageType, eventType: name, workspaceId: stored.workspaceId, workspaceUserIds, body: JSON.stringify(body) });

  if (visibility.kind === 'app') {
    const app = await tx.app(visibility.appId);
    const url = app && subscribedUrl(JSON.parse(app.manifest) as Manifest, name);
    if (app && url) copies.push({ appId: app.id, eventType: name, url, workspaceUserIds: visibility.userIds, envelope: envelope(visibility.userIds) });
    return copies;
  }

  const members = visibility.kind === 'channel' ? new Set(await tx.memberIds(visibility.channelId)) : undefined;
  const canSee = (userId: string) => members === undefined || members.has(userId);
  for (const inst of await tx.installationsInWorkspace(stored.workspaceId)) {
    const app = await tx.app(inst.app_id);
    if (!app) continue;
    const url = subscribedUrl(JSON.parse(app.manifest) as Manifest, name);
    if (!url) continue;
    const scope = info.requiredScope;
    const entitled: string[] = [];
    if (inst.bot_user_id && (scope === null || (JSON.parse(inst.bot_scopes) as string[]).includes(scope)) && canSee(inst.bot_user_id)) {
      entitled.push(inst.bot_user_id);
    }
    for (const auth of await tx.authorizationsOfInstallation(inst.id)) {
      if ((scope === null || (JSON.parse(auth.user_scopes) as string[]).includes(scope)) && canSee(auth.user_id)) entitled.push(auth.user_id);
    }
    if (entitled.length > 0) copies.push({ appId: app.id, eventType: name, url, workspaceUserIds: entitled, envelope: envelope(entitled) });
  }
  return copies;
}

/** The URL events go to when the app subscribes to this one (socket-mode apps have none yet). */
function subscribedUrl(manifest: Manifest, name: EventName): string | undefined {
  const subs = manifest.eventSubscriptions;
  if (manifest.socketMode || !subs.url || !(subs.events as string[]).includes(name)) return undefined;
  return subs.url;
}
