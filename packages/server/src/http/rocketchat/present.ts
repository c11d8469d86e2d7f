/**
 * Switchboard records as Rocket.Chat documents (integrations.md §1 mapping): users with
 * `_id/username/emails/roles`, channels as rooms (`t` c/p/d), messages with `rid/msg/ts/u`.
 * Built field by field: password hashes, session data and the like never reach an answer.
 */
import type { Channel, Message, User } from '../../core/model.js';
import { rolesOf } from '../../core/integrations/roles.js';
import { rcMessage, rcRoom } from '../../core/integrations/outgoing-payload.js';

const iso = (ms: number) => new Date(ms).toISOString();

/** `me` of §2.1, `user` of users.create/users.info. */
export function presentUser(u: User) {
  return {
    _id: u.id,
    username: u.username,
    name: u.name,
    emails: [{ address: u.email, verified: true }],
    roles: rolesOf(u),
    active: u.status === 'ACTIVATED',
    type: u.isBot ? 'bot' : 'user',
    createdAt: iso(u.createdAt),
    _updatedAt: iso(u.updatedAt),
  };
}

/** A member in channels.members / groups.members. */
export const presentMember = (u: User) => ({ _id: u.id, username: u.username, name: u.name, active: u.status === 'ACTIVATED' });

export function presentRoom(channel: Channel, creator: User | undefined, members?: readonly User[]) {
  const room = rcRoom({
    id: channel.id,
    type: channel.type,
    name: channel.name,
    createdBy: creator ? { id: creator.id, username: creator.username } : null,
    createdAt: channel.createdAt,
    isArchived: channel.isArchived,
    ...((channel.type === 'DIRECT' || channel.type === 'SELF') && members && { usernames: members.map((m) => m.username) }),
  });
  return {
    ...room,
    ...(room.t === 'd' && { rid: channel.id }),
    ...(channel.description && { topic: channel.description }),
    ro: false,
    default: channel.isMain,
    ...(members && { usersCount: members.length }),
    _updatedAt: iso(channel.updatedAt),
  };
}

/** A message as channels.messages lists it; `u` is the author (the post-as user), `alias` what it displayed. */
export function presentMessage(m: Message, author: User | undefined) {
  return {
    ...rcMessage({
      id: m.id,
      roomId: m.channelId,
      text: m.text,
      createdAt: m.createdAt,
      author: { id: m.authorId, username: author?.username ?? '', name: author?.name ?? '' },
      threadRootId: m.threadRootId,
      editedAt: m.edited ? m.updatedAt : null,
      alias: m.alias,
      bot: m.bot,
      attachments: m.attachments,
    }),
    ...(m.avatar && { avatar: m.avatar }),
    ...(m.emoji && { emoji: m.emoji }),
    _updatedAt: iso(m.updatedAt),
  };
}
