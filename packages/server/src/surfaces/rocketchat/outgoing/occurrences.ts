/**
 * What each domain event is in Rocket.Chat's outgoing-webhook terms (docs/integrations.md §8.1): the
 * Rocket.Chat events it amounts to, each with how it is matched and what it is about, read through
 * the domain's EventReader. Which integrations fire is the domain's (planOutgoingCalls in
 * domain/integrations/outgoing-events.ts); this table says what an event is here
 * (docs/architecture.md §5: one exhaustive table per surface).
 *
 * `fileUploaded` fires for a new message that carries files: Rocket.Chat's FileUpload trigger runs
 * once an uploaded file's message is saved, with that message, its room and its user (the payload
 * of §8.4, which payload.ts renders). It comes out of the same `message.created` outbox row as
 * `sendMessage`, written in the post's own transaction (docs/delivery.md §2.1).
 */
import { renderWith, type EventOf, type EventTable } from '../../../domain/events.js';
import type { StoredDomainEvent } from '../../../domain/ports/chat-store.js';
import { payloadUser, type EventReader, type Occurrence } from '../../../domain/integrations/outgoing-events.js';

const messageOccurrences = (e: EventOf<'message.created' | 'message.updated'>, r: EventReader): Occurrence[] => {
  // A root whose reply count changed was not edited; deleted messages say nothing.
  if ((e.type === 'message.updated' && e.cause !== 'edit') || e.message.deleted) return [];
  const m = e.message;
  const occurrences: Occurrence[] = [{ event: 'sendMessage', match: () => r.matchInRoom('sendMessage', m.channelId, m.authorId, m), data: () => r.messageData(m) }];
  if (e.type === 'message.created' && (m.files?.length ?? 0) > 0) {
    occurrences.push({
      event: 'fileUploaded',
      match: () => r.matchInRoom('fileUploaded', m.channelId, m.authorId, m),
      data: async () => {
        const d = await r.messageData(m);
        return d && d.event === 'sendMessage' ? { event: 'fileUploaded', room: d.room, message: d.message, user: d.user } : undefined;
      },
    });
  }
  return occurrences;
};

/**
 * Most event types are one Rocket.Chat event, a join of several people is one each. `null`:
 * Rocket.Chat has no outgoing event for the type (§8.1 lists only these), so no integration ever
 * fires on it.
 */
export const OUTGOING_OCCURRENCES: EventTable<Occurrence[], [r: EventReader]> = {
  'message.created': messageOccurrences,
  'message.updated': messageOccurrences,
  // Deleted messages fire nothing.
  'message.deleted': null,
  // Ephemeral messages are not messages of the room's history.
  'message.ephemeral': null,
  'message.ephemeral_updated': null,
  'message.ephemeral_deleted': null,
  'reaction.added': null,
  'reaction.removed': null,
  'channel.created': (e, r) => {
    const c = e.channel;
    return [
      {
        event: 'roomCreated',
        match: async () => ({ event: 'roomCreated', room: await r.matchRoom(c), ...(c.createdBy && { userId: c.createdBy }) }),
        data: () => r.roomCreatedData(c, c.createdBy),
      },
    ];
  },
  'channel.updated': null,
  'channel.archived': (e, r) => [
    {
      event: 'roomArchived',
      match: () => r.matchInRoom('roomArchived', e.channel.id, e.actorId),
      data: () => r.roomUserData('roomArchived', e.channel.id, e.actorId),
    },
  ],
  // §8.1 lists roomArchived only: an unarchived room fires nothing.
  'channel.unarchived': null,
  // A deleted room's messages no longer exist to point at.
  'channel.deleted': null,
  'member.joined': (e, r) =>
    e.userIds.map((userId) => ({
      event: 'roomJoined' as const,
      subKey: userId,
      match: () => r.matchInRoom('roomJoined', e.channelId, userId),
      data: () => r.roomUserData('roomJoined', e.channelId, userId),
    })),
  'member.left': (e, r) => [
    {
      event: 'roomLeft',
      match: () => r.matchInRoom('roomLeft', e.channelId, e.userId),
      data: () => r.roomUserData('roomLeft', e.channelId, e.userId),
    },
  ],
  'user.created': (e) => [
    {
      event: 'userCreated',
      match: async () => ({ event: 'userCreated', userId: e.user.id }),
      data: async () => ({ event: 'userCreated', user: payloadUser(e.user) }),
    },
  ],
  'user.updated': null,
  // A control notice, for live sockets only.
  'user.sessions_revoked': null,
  // A control notice for Pumble app sockets: nothing Rocket.Chat sends.
  'app.sockets_revoked': null,
  // Pumble app views and loading states: Rocket.Chat has no outgoing event for them.
  'view.opened': null,
  'view.pushed': null,
  'view.updated': null,
  'view.closed': null,
  'view.error': null,
  'interaction.loading': null,
  'interaction.completed': null,
  'channel.read': null,
  'user.typing': null,
  // Presence (docs/web-client.md §4): Rocket.Chat's outgoing webhooks have no event for it.
  'user.presence': null,
  // Pins and saved messages (docs/web-client.md §6.1): Rocket.Chat's outgoing webhooks have no event for them.
  'message.pinned': null,
  'message.unpinned': null,
  'message.saved': null,
  'message.unsaved': null,
  'workspace.updated': null,
  'notification_level.updated': null,
  'app.uninstalled': null,
  'app.unauthorized': null,
  'user_group.created': null,
  'user_group.updated': null,
};

/** The Rocket.Chat events one stored domain event amounts to. */
export const outgoingOccurrences = (reader: EventReader, stored: StoredDomainEvent): Occurrence[] =>
  renderWith(OUTGOING_OCCURRENCES, stored.event, reader) ?? [];
