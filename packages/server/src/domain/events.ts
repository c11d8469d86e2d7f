import type { Channel, Message, User, UserGroupEvent, Workspace } from './model.js';
import type { InteractionLoad, LoadEnd, View, ViewType } from './ports/views.js';
import type { Pin } from './ports/pins.js';
import type { NotificationLevel } from './ports/notification-levels.js';

/** What changed, as the core says it; each face (WebSocket, app events) renders its own wire shape. */
export type DomainEvent =
  | { type: 'message.created'; message: Message }
  /**
   * `cause`: an edit of the message itself, only its thread counters changing, or its link previews
   * (attached after the post, or removed by its author: docs/web-client.md §6.1)
   */
  | { type: 'message.updated'; message: Message; cause: 'edit' | 'thread' | 'preview' }
  | { type: 'message.deleted'; channelId: string; messageId: string; threadRootId: string | null; authorId: string; at: number }
  /**
   * `forApps`: set when the author posted it through the API (not the system's or a bot's answer to
   * a trigger, which may carry secrets such as a new API key) and an app subscribed to NEW_MESSAGE
   * holds one of the recipients (§8.1): only then is it an event for apps, through the outbox.
   */
  | { type: 'message.ephemeral'; message: Message; forApps?: { recipients: string[] } }
  | { type: 'message.ephemeral_updated'; message: Message }
  | { type: 'message.ephemeral_deleted'; channelId: string; messageId: string }
  | { type: 'reaction.added'; channelId: string; messageId: string; messageAuthorId: string; userId: string; code: string }
  | { type: 'reaction.removed'; channelId: string; messageId: string; messageAuthorId: string; userId: string; code: string }
  | { type: 'channel.created'; channel: Channel }
  | { type: 'channel.updated'; channel: Channel }
  | { type: 'channel.archived'; channel: Channel; actorId: string }
  | { type: 'channel.unarchived'; channel: Channel; actorId: string }
  /**
   * The channel, its messages and memberships are gone (hard delete). `channel` and `memberIds`
   * are as they were just before, since nothing is left to read when the event is expanded.
   */
  | { type: 'channel.deleted'; channel: Channel; memberIds: string[]; actorId: string }
  | { type: 'member.joined'; channelId: string; userIds: string[]; addedBy: string | null }
  | { type: 'member.left'; channelId: string; userId: string; removedBy: string | null }
  /** `user`: the user as the change left them (apps are told of that state, not a later one) */
  | { type: 'user.created'; userId: string; user: User }
  /** `changedBy`: who made the change (the user themselves for their own custom status) */
  | { type: 'user.updated'; userId: string; user: User; changedBy?: string }
  | { type: 'app.uninstalled'; appId: string; installationId: string; installedBy: string; botUserId: string | null; at: number }
  | {
      type: 'app.unauthorized';
      appId: string;
      installationId: string;
      authorizationId: string;
      userId: string;
      grantedScopes: string[];
    }
  /** control: live connections of the user end — all of them, or those of one session (logout) */
  | { type: 'user.sessions_revoked'; userId: string; tokenHash?: string }
  /**
   * control: an app's live sockets end on every node (docs/app-platform.md §10.1): its secrets were
   * rotated, socket mode was turned off, or the app is gone. Each node closes every socket of the app
   * it holds, whether or not the registry still lists it; the app's SDK reconnects with a new
   * handshake, which the old key no longer passes.
   */
  | { type: 'app.sockets_revoked'; appId: string; socketIds: string[]; reason: SocketRevokeReason }
  /**
   * Views (docs/app-platform.md §9.3, §11.2): live for their one person only, never durable. A view
   * opened as a new stack, pushed onto one, or changed (an app's UPDATE, a home view published).
   */
  | { type: 'view.opened' | 'view.pushed' | 'view.updated'; view: View }
  | { type: 'view.closed'; viewId: string; appId: string; userId: string; viewType: ViewType; reason: ViewCloseReason }
  /** the banner of a modal whose submit the app refused (nack) or did not answer */
  | { type: 'view.error'; viewId: string; appId: string; userId: string; message: string }
  /** docs/app-platform.md §9.4: a loading state begins, and ends (once) */
  | { type: 'interaction.loading'; load: InteractionLoad }
  | { type: 'interaction.completed'; load: InteractionLoad; by: LoadEnd }
  /** docs/web-client.md §5: the person's read marker moved (their other tabs follow); live only */
  | { type: 'channel.read'; channelId: string; userId: string; lastReadMessageId: string }
  /** docs/web-client.md §5: someone is typing in a channel or thread; live only, never stored */
  | { type: 'user.typing'; channelId: string; userId: string; threadRootId: string | null }
  /**
   * docs/web-client.md §4, §5: people who came online (a first realtime connection on any node) or
   * went offline (their last one closed, or their node died), told to the workspace; live only
   */
  | { type: 'user.presence'; online: string[]; offline: string[] }
  /** docs/web-client.md §6.1: a message pinned to its channel (everyone who may see the channel follows); live only */
  | { type: 'message.pinned'; pin: Pin }
  /** the pin went: `userId` unpinned it, or null when the message was deleted; live only */
  | { type: 'message.unpinned'; channelId: string; messageId: string; userId: string | null }
  /** docs/web-client.md §6.1: the person saved a message for themselves (their tabs follow); live only */
  | { type: 'message.saved'; channelId: string; messageId: string; savedAt: number }
  /** a save went: removed by its person, or the message was deleted (its savers' tabs follow); live only */
  | { type: 'message.unsaved'; channelId: string; messageId: string }
  /** docs/web-client.md §7: an owner changed the workspace's name, language or retention (open tabs follow); live only */
  | { type: 'workspace.updated'; workspace: Workspace }
  /** docs/web-client.md §6.8: the person changed a channel's notification level (their other tabs follow); live only */
  | { type: 'notification_level.updated'; channelId: string; level: NotificationLevel; isDefault: boolean }
  | UserGroupEvent;

/** Why a modal went away: submitted (ack), closed by the person, replaced by an OPEN, app gone, expired. */
export type ViewCloseReason = 'submitted' | 'closed' | 'replaced' | 'app' | 'uninstalled' | 'expired';

/** Why an app's sockets were closed. */
export type SocketRevokeReason = 'secrets_rotated' | 'socket_mode_off' | 'app_gone';

/** An event and exactly the users allowed to see it. */
export interface Notice {
  workspaceId: string;
  audience: string[];
  event: DomainEvent;
}

/** Where committed changes go: the realtime bus (local or across nodes through Redis). */
export interface NoticeSink {
  publish(notices: readonly Notice[]): void;
}

/** Every domain event type, by name. */
type EventsByType = { [E in DomainEvent as E['type']]: E };

/** The name of a domain event type (`'message.created'`…). */
export type DomainEventType = keyof EventsByType;

/** The domain event of type `K` (of any of them, when `K` is a union). */
export type EventOf<K extends DomainEventType> = EventsByType[K];

/** What one surface makes of one event type; `A` is whatever else every renderer of a table is given. */
export type Renderer<K extends DomainEventType, R, A extends unknown[] = []> = (e: EventOf<K>, ...args: A) => R;

/**
 * How one surface treats every domain event type: a renderer, or an explicit `null` for "this
 * surface never sends it". A table must name every type, so adding an event type does not compile
 * until each surface has decided. A renderer may still send nothing for some events of its type
 * (it returns `undefined`, `[]`…): `null` is for the type as a whole.
 */
export type EventTable<R, A extends unknown[] = []> = { readonly [K in DomainEventType]: Renderer<K, R, A> | null };

/** The event through its type's renderer in `table`; undefined when the table says `null` for the type. */
export function renderWith<R, A extends unknown[], K extends DomainEventType = DomainEventType>(
  table: EventTable<R, A>,
  e: EventOf<K>,
  ...args: A
): R | undefined {
  const render = table[e.type as K];
  return render === null ? undefined : render(e, ...args);
}

const always = (): boolean => true;

/**
 * The events third parties can be told about (app events, outgoing webhooks): these go through
 * the outbox. Control notices are for live sockets only (`null`), and so are ephemeral messages,
 * except those marked `forApps`.
 */
export const DURABLE: EventTable<boolean> = {
  'message.created': always,
  // Link previews are the web client's (apps hear of edits only): live only, no outbox row per card.
  'message.updated': (e) => e.cause !== 'preview',
  'message.deleted': always,
  'message.ephemeral': (e) => e.forApps !== undefined,
  'message.ephemeral_updated': null,
  'message.ephemeral_deleted': null,
  'reaction.added': always,
  'reaction.removed': always,
  'channel.created': always,
  'channel.updated': always,
  'channel.archived': always,
  'channel.unarchived': always,
  'channel.deleted': always,
  'member.joined': always,
  'member.left': always,
  'user.created': always,
  'user.updated': always,
  'app.uninstalled': always,
  'app.unauthorized': always,
  'user.sessions_revoked': null,
  'app.sockets_revoked': null,
  // Views and loading states are one person's screen, not news for third parties: live only.
  'view.opened': null,
  'view.pushed': null,
  'view.updated': null,
  'view.closed': null,
  'view.error': null,
  'interaction.loading': null,
  'interaction.completed': null,
  'channel.read': null,
  'user.typing': null,
  'user.presence': null,
  // Pins and saves are the web client's, with no app event or outgoing webhook: live only.
  'message.pinned': null,
  'message.unpinned': null,
  'message.saved': null,
  'message.unsaved': null,
  // The web client's sidebar follows it; apps read the workspace when they need it (no Pumble event).
  'workspace.updated': null,
  // One person's preference, for their own tabs: no app event or outgoing webhook.
  'notification_level.updated': null,
  'user_group.created': always,
  'user_group.updated': always,
};

export const isDurable = (e: DomainEvent): boolean => renderWith(DURABLE, e) ?? false;
