/**
 * Switchboard records as Rocket.Chat documents (docs/integrations.md §1 mapping), in the shapes of
 * Rocket.Chat's core-typings (IUser, IRoom, IMessage) as its REST API serializes them: dates as
 * ISO strings, `_id`s, `u: {_id, username, name}`, rooms with `t` c/p/d. Built field by field:
 * password hashes, session data and the like never reach an answer.
 */
import type { Channel, Message, User } from '../../domain/model.js';
import { rolesOf } from '../../domain/integrations/roles.js';
import { rcMessage, roomTypeLetter } from './outgoing/payload.js';
import { rocketChatMarkup } from './markup.js';

const iso = (ms: number) => new Date(ms).toISOString();

/** `me` of §2.1, `user` of users.create / users.info / users.list. */
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

/** A member in channels.members / groups.members / im.members. */
export const presentMember = (u: User) => ({ _id: u.id, username: u.username, name: u.name, active: u.status === 'ACTIVATED' });

/** The people a message names, by id: its author and those who reacted. */
export type UsersById = ReadonlyMap<string, User>;

/**
 * IMessage: `msg` in Rocket.Chat's markup (the text as an incoming webhook posted it), `u` the
 * author (an integration's post-as user), and what an integration posted with: `alias`, `emoji`,
 * `avatar`, `attachments`, `bot: {i: <integration id>}` (with `groupable: false`, as upstream
 * posts them). Thread roots carry `tcount`/`tlm`/`replies`, replies `tmid` (and `tshow` when also
 * sent to the channel); reactions are
 * `{":code:": {usernames}}`.
 */
export function presentMessage(m: Message, users: UsersById) {
  const author = users.get(m.authorId);
  const reactions = new Map<string, string[]>();
  for (const r of m.reactions) {
    const list = reactions.get(r.code) ?? [];
    list.push(users.get(r.userId)?.username ?? r.userId);
    reactions.set(r.code, list);
  }
  return {
    ...rcMessage({
      id: m.id,
      roomId: m.channelId,
      // The text as the sender wrote it when Switchboard keeps it; otherwise Switchboard's, in Rocket.Chat's markup.
      text: m.postedText ?? rocketChatMarkup(m.text),
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
    ...(m.bot && { groupable: false as const }),
    // A reply also sent to the channel: Rocket.Chat's "also send to channel" (tshow).
    ...(m.sentToChannel && { tshow: true as const }),
    ...(m.replyCount > 0 && { tcount: m.replyCount, replies: [...m.repliers] }),
    ...(m.replyCount > 0 && m.lastReplyAt !== null && { tlm: iso(m.lastReplyAt) }),
    ...(reactions.size > 0 && { reactions: Object.fromEntries([...reactions].map(([code, usernames]) => [code, { usernames }])) }),
    _updatedAt: iso(m.updatedAt),
  };
}

export type PresentedMessage = ReturnType<typeof presentMessage>;

/** What a room document says beyond the channel itself. */
export interface RoomFacts {
  /** who created it (`u` of public and private rooms) */
  creator?: User;
  /** its members: `usersCount`, and a direct room's `usernames`/`uids` */
  members: readonly User[];
  /** how many messages it holds */
  msgs: number;
  /** its newest message, presented */
  lastMessage?: PresentedMessage;
}

/**
 * IRoom: `t` c/p/d, `name` and `fname` (both the channel name), `u` the creator, `msgs`,
 * `usersCount`, `ts` (created), `_updatedAt`, `ro`/`sysMes`/`default`, `lm` and `lastMessage` once
 * something was posted. Direct rooms (IDirectMessageRoom) have no name, owner or `default`, but
 * `usernames` and `uids`.
 */
export function presentRoom(channel: Channel, facts: RoomFacts) {
  const t = roomTypeLetter(channel.type);
  const last = facts.lastMessage;
  const updatedAt = Math.max(channel.updatedAt, last ? Date.parse(last._updatedAt) : 0);
  return {
    _id: channel.id,
    t,
    ...(t !== 'd' && channel.name !== null && { name: channel.name, fname: channel.name }),
    ...(t !== 'd' && facts.creator && { u: { _id: facts.creator.id, username: facts.creator.username } }),
    ...(t === 'd' && { usernames: facts.members.map((u) => u.username), uids: facts.members.map((u) => u.id) }),
    ts: iso(channel.createdAt),
    _updatedAt: iso(updatedAt),
    msgs: facts.msgs,
    usersCount: facts.members.length,
    ro: false,
    sysMes: true,
    ...(t !== 'd' && { default: channel.isMain }),
    ...(channel.isArchived && { archived: true }),
    ...(channel.description && { topic: channel.description, description: channel.description }),
    ...(last && { lm: last.ts, lastMessage: last }),
  };
}

export type PresentedRoom = ReturnType<typeof presentRoom>;
