import type { Channel, Message, User } from './model.js';
import type { UserGroupEvent } from './user-groups.js';

/** What changed, as the core says it; each face (WebSocket, app events) renders its own wire shape. */
export type DomainEvent =
  | { type: 'message.created'; message: Message }
  /** `cause`: an edit of the message itself, or only its thread counters changing */
  | { type: 'message.updated'; message: Message; cause: 'edit' | 'thread' }
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
  | UserGroupEvent;

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

/**
 * The events third parties can be told about (app events, outgoing webhooks): these go through
 * the outbox. Control notices are for live sockets only, and so are ephemeral messages, except
 * those marked `forApps`.
 */
const DURABLE: ReadonlySet<DomainEvent['type']> = new Set([
  'message.created',
  'message.updated',
  'message.deleted',
  'reaction.added',
  'reaction.removed',
  'channel.created',
  'channel.updated',
  'channel.archived',
  'channel.unarchived',
  'channel.deleted',
  'member.joined',
  'member.left',
  'user.created',
  'user.updated',
  'app.uninstalled',
  'app.unauthorized',
  'user_group.created',
  'user_group.updated',
]);

export const isDurable = (e: DomainEvent): boolean => DURABLE.has(e.type) || (e.type === 'message.ephemeral' && e.forApps !== undefined);
