/**
 * Who gets a copy of an event for apps (docs/app-platform.md §8.1): installations subscribed to it,
 * and the bot and users of each who hold the scope and may see the event. How an event looks on
 * the wire is the Pumble surface's (surfaces/pumble/app-events.ts), handed in as an AppEventRenderer.
 */
import type { App, ChatStore, Installation, StoredDomainEvent } from '../ports/chat-store.js';
import type { DomainEventType } from '../events.js';
import { EVENTS, type EventName, type Scope } from './catalog.js';
import type { Manifest } from './manifest.js';
import { SOCKET_URL } from './socket-mode.js';

/** One app's copy of one event (docs/app-platform.md §8.1: one copy per app per event). */
export interface AppEventCopy {
  appId: string;
  eventType: EventName;
  url: string;
  workspaceUserIds: string[];
  /** the envelope of §7.6 as sent: its `body` is itself a JSON string */
  envelope: string;
}

/**
 * Who may see the event: a channel's members, everyone in the workspace, named users (the
 * recipients of an ephemeral message; the members a deleted channel had), or named users of one app.
 */
export type Visibility =
  | { kind: 'channel'; channelId: string }
  | { kind: 'workspace' }
  | { kind: 'users'; userIds: string[] }
  | { kind: 'app'; appId: string; userIds: string[] };

/** Domain events that go to their own app (APP_UNINSTALLED, APP_UNAUTHORIZED), installed or not any more. */
const TO_THEIR_OWN_APP: ReadonlySet<string> = new Set<DomainEventType>(['app.uninstalled', 'app.unauthorized']);

/** An event as an app surface renders it: its name, who may see it, and its envelope for given recipients. */
export interface Rendered {
  name: EventName;
  visibility: Visibility;
  /** the envelope as sent to an app, for these of its users (docs/app-platform.md §7.6) */
  envelope(workspaceUserIds: string[]): string;
}

/**
 * Renders a stored domain event for apps, or undefined for events apps never get. The Pumble
 * surface implements it (surfaces/pumble/app-events.ts); the domain decides who gets a copy.
 */
export interface AppEventRenderer {
  (tx: ChatStore, stored: StoredDomainEvent): Promise<Rendered | undefined>;
  /** Whether events of this type ever reach apps: the others are neither rendered nor routed (nothing is read). */
  sends(type: DomainEventType): boolean;
}

/**
 * Every app copy of one committed event (§8.1): an installed app that subscribes to the event gets
 * one copy when its bot (with the scope as a bot scope) or an authorised user (with it as a user
 * scope) may see the event; `workspaceUserIds` lists exactly those. APP_* events go to their own
 * app, even though it is already uninstalled.
 */
export async function appEventCopies(tx: ChatStore, stored: StoredDomainEvent, render: AppEventRenderer): Promise<AppEventCopy[]> {
  if (!render.sends(stored.type as DomainEventType)) return [];
  // Most events of most workspaces reach no app (the built-in API addon subscribes to none): then
  // nothing is rendered and no audience is read — two reads, not a render per posted message.
  const listening: Array<{ inst: Installation; app: App }> = [];
  for (const inst of await tx.installationsInWorkspace(stored.workspaceId)) {
    const app = await tx.app(inst.appId);
    if (app && app.manifest.eventSubscriptions.events.length > 0) listening.push({ inst, app });
  }
  if (listening.length === 0 && !TO_THEIR_OWN_APP.has(stored.type)) return [];
  const rendered = await render(tx, stored);
  if (!rendered) return [];
  const { name, visibility } = rendered;
  const info = EVENTS[name];
  const copies: AppEventCopy[] = [];

  if (visibility.kind === 'app') {
    const app = await tx.app(visibility.appId);
    const url = app && subscribedUrl(app.manifest, name);
    if (app && url) copies.push({ appId: app.id, eventType: name, url, workspaceUserIds: visibility.userIds, envelope: rendered.envelope(visibility.userIds) });
    return copies;
  }

  if (!listening.some(({ app }) => subscribedUrl(app.manifest, name))) return copies;
  const seers =
    visibility.kind === 'channel' ? new Set(await tx.memberIds(visibility.channelId)) : visibility.kind === 'users' ? new Set(visibility.userIds) : undefined;
  const canSee = (userId: string) => seers === undefined || seers.has(userId);
  for (const { inst, app } of listening) {
    const url = subscribedUrl(app.manifest, name);
    if (!url) continue;
    const entitled = await entitledUsers(tx, inst, info.requiredScope, canSee);
    if (entitled.length > 0) copies.push({ appId: app.id, eventType: name, url, workspaceUserIds: entitled, envelope: rendered.envelope(entitled) });
  }
  return copies;
}

/** The installation's bot and authorised users who hold `scope` (as a bot or a user scope) and may see the event. */
async function entitledUsers(tx: ChatStore, inst: Installation, scope: Scope | null, canSee: (userId: string) => boolean): Promise<string[]> {
  const entitled: string[] = [];
  if (inst.botUserId && (scope === null || inst.botScopes.includes(scope)) && canSee(inst.botUserId)) {
    entitled.push(inst.botUserId);
  }
  for (const auth of await tx.authorizationsOfInstallation(inst.id)) {
    if ((scope === null || auth.userScopes.includes(scope)) && canSee(auth.userId)) entitled.push(auth.userId);
  }
  return entitled;
}

/**
 * Whether an ephemeral message to these recipients is news for some app (§8.1): one subscribed to
 * NEW_MESSAGE whose bot, or a user who authorised it, is a recipient holding messages:read. Asked
 * when the message is posted, so that nobody's private message is written to the outbox for nothing.
 */
export async function ephemeralReachesApps(tx: ChatStore, workspaceId: string, recipients: readonly string[]): Promise<boolean> {
  const to = new Set(recipients);
  for (const inst of await tx.installationsInWorkspace(workspaceId)) {
    const app = await tx.app(inst.appId);
    if (!app || !subscribedUrl(app.manifest, 'NEW_MESSAGE')) continue;
    if ((await entitledUsers(tx, inst, EVENTS.NEW_MESSAGE.requiredScope, (id) => to.has(id))).length > 0) return true;
  }
  return false;
}

/**
 * Where the app's copy of this event goes when it subscribes to it: its events URL, or for a
 * socket-mode app SOCKET_URL — an ordinary delivery the queue writes to one of its sockets
 * (docs/delivery.md §2.7), queued while none is connected.
 */
function subscribedUrl(manifest: Manifest, name: EventName): string | undefined {
  if (!(manifest.eventSubscriptions.events as string[]).includes(name)) return undefined;
  return eventDestination(manifest);
}

/** Where the app's events go: SOCKET_URL in socket mode, else its events URL; undefined: nowhere. */
export function eventDestination(manifest: Manifest): string | undefined {
  if (manifest.socketMode) return SOCKET_URL;
  return manifest.eventSubscriptions.url || undefined;
}
