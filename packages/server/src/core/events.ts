import type { Channel, Message, User } from './model.js';
import type { UserGroupEvent } from './user-groups.js';

/** What changed, as the core says it; each face (WebSocket, app events) renders its own wire shape. */
export type DomainEvent =
  | { type: 'message.created'; message: Message }
  /** `cause`: an edit of the message itself, or only its thread counters changing */
  | { type: 'message.updated'; message: Message; cause: 'edit' | 'thread' }
  | { type: 'message.deleted'; channelId: string; messageId: string; threadRootId: string | null; authorId: string; at: number }
  | { type: 'message.ephemeral'; message: Message }
  | { type: 'message.ephemeral_updated'; message: Message }
  | { type: 'message.ephemeral_deleted'; channelId: string; messageId: string }
  | { type: 'reaction.added'; channelId: string; messageId: string; messageAuthorId: string; userId: string; code: string }
  | { type: 'reaction.removed'; channelId: string; messageId: string; messageAuthorId: string; userId: string; code: string }
  | { type: 'channel.created'; channel: Channel }
  | { type: 'channel.updated'; channel: Channel }
  | { type: 'channel.archived'; channel: Channel; actorId: string }
  | { type: 'member.joined'; channelId: string; userIds: string[]; addedBy: string | null }
  | { type: 'member.left'; channelId: string; userId: string; removedBy: string | null }
  /** `user`: the user as the change left them (apps are told of that state, not a later one) */
  | { type: 'user.created'; userId: string; user: User }
  | { type: 'user.updated'; userId: string; user: User }
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
 * the outbox. Ephemeral messages and control notices are for live sockets only.
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
  'member.joined',
  'member.left',
  'user.created',
  'user.updated',
  'app.uninstalled',
  'app.unauthorized',
  'user_group.created',
  'user_group.updated',
]);

export const isDurable = (e: DomainEvent): boolean => DURABLE.has(e.type);
