/**
 * From committed domain events to the outgoing-webhook calls they cause (docs/integrations.md §8.1–§8.4):
 * which Rocket.Chat event a change is, which integrations it fires (outgoing-match.ts) and the body
 * each one gets (outgoing-payload.ts). Runs inside the outbox dispatcher's transaction, so the
 * integrations, rooms and users read here are those of the moment of expansion, and the matching
 * follows create/update/delete immediately (§8.2: no cache to go stale).
 *
 * `fileUploaded` never fires: Switchboard has no file uploads (message attachments are Slack-style
 * cards, not files), so there is no change that is one.
 */
import type { ChatStore } from '../ports/chat-store.js';
import type { Channel, Message, User } from '../model.js';
import { renderWith, type EventOf, type EventTable } from '../events.js';
import { OUTGOING, type IntegrationDoc } from './document.js';
import { isOutgoingEvent, outgoingCalls, type MatchEvent, type MatchMessage, type MatchRoom, type OutgoingEvent } from './outgoing-match.js';
import {
  buildOutgoingPayload,
  rocketChatRoles,
  type OutgoingEventData,
  type OutgoingPayload,
  type PayloadMessage,
  type PayloadRoom,
  type PayloadUser,
} from './outgoing-payload.js';
import type { StoredDomainEvent } from '../ports/chat-store.js';

/** An outgoing integration's document, as the matcher reads it. */
export type OutgoingDoc = IntegrationDoc & { type: typeof OUTGOING; event: OutgoingEvent };
export const isOutgoingDoc = (d: IntegrationDoc): d is OutgoingDoc => d.type === OUTGOING && d.event !== undefined;

/** One call to make: an integration, one of its URLs, and the body rendered for it. */
export interface PlannedCall {
  integration: OutgoingDoc;
  url: string;
  event: OutgoingEvent;
  /**
   * set when one domain event is several Rocket.Chat events (several people joined at once): keeps
   * (event, integration, URL) unique per person, as the delivery table requires (docs/delivery.md §2.2)
   */
  subKey?: string;
  payload: OutgoingPayload;
}

/** One Rocket.Chat event a domain event amounts to, with what matching and the payload need. */
export interface Occurrence {
  event: OutgoingEvent;
  subKey?: string;
  match: () => Promise<MatchEvent | undefined>;
  data: () => Promise<OutgoingEventData | undefined>;
}

/** A workspace user as payloads describe them (§8.4): named fields only, so no secret can come along. */
export function payloadUser(u: User): PayloadUser {
  return {
    id: u.id,
    username: u.username,
    name: u.name,
    isBot: u.isBot,
    active: u.status === 'ACTIVATED',
    roles: [...new Set([...rocketChatRoles(u), ...u.extraRoles])],
    createdAt: u.createdAt,
  };
}

export function payloadMessage(m: Message, author: User): PayloadMessage {
  return {
    id: m.id,
    roomId: m.channelId,
    // Rocket.Chat's `msg` is the text as it was posted; an integration's post keeps it beside ours.
    text: m.postedText ?? m.text,
    createdAt: m.createdAt,
    author: { id: author.id, username: author.username, name: author.name },
    threadRootId: m.threadRootId,
    editedAt: m.edited ? m.updatedAt : null,
    alias: m.alias,
    bot: m.bot ? { i: m.bot.i } : null,
    attachments: m.attachments,
  };
}

export const matchMessage = (m: Message): MatchMessage => ({ text: m.postedText ?? m.text, edited: m.edited, bot: m.bot });

const isDirect = (c: Channel) => c.type === 'DIRECT' || c.type === 'SELF';

/** Reads rooms and users once per expansion, however many integrations look at them. */
export class EventReader {
  private readonly users = new Map<string, Promise<User | undefined>>();
  private readonly members = new Map<string, Promise<User[]>>();

  constructor(
    readonly tx: ChatStore,
    readonly workspaceId: string,
  ) {}

  user(id: string | null | undefined): Promise<User | undefined> {
    if (!id) return Promise.resolve(undefined);
    let u = this.users.get(id);
    if (!u) this.users.set(id, (u = this.tx.user(this.workspaceId, id)));
    return u;
  }

  /** A DM's participants (nobody else's membership matters to matching or payloads). */
  participants(c: Channel): Promise<User[]> {
    if (!isDirect(c)) return Promise.resolve([]);
    let m = this.members.get(c.id);
    if (!m) this.members.set(c.id, (m = this.tx.memberIds(c.id).then((ids) => this.tx.users(this.workspaceId, ids))));
    return m;
  }

  async channel(id: string | null | undefined): Promise<Channel | undefined> {
    return id ? this.tx.channel(this.workspaceId, id) : undefined;
  }

  async matchRoom(c: Channel): Promise<MatchRoom> {
    const people = await this.participants(c);
    return { id: c.id, type: c.type, name: c.name, ...(isDirect(c) && { participants: people.map((p) => ({ id: p.id, username: p.username })) }) };
  }

  async payloadRoom(c: Channel): Promise<PayloadRoom> {
    const creator = await this.user(c.createdBy);
    const people = await this.participants(c);
    return {
      id: c.id,
      type: c.type,
      name: c.name,
      createdBy: creator ? { id: creator.id, username: creator.username } : null,
      createdAt: c.createdAt,
      isArchived: c.isArchived,
      ...(isDirect(c) && { usernames: people.map((p) => p.username) }),
    };
  }

  /** `sendMessage` about a message (posted, or edited), or undefined when its room or author is gone. */
  async messageData(m: Message): Promise<OutgoingEventData | undefined> {
    const [room, author] = await Promise.all([this.channel(m.channelId), this.user(m.authorId)]);
    if (!room || !author) return undefined;
    return { event: 'sendMessage', room: await this.payloadRoom(room), message: payloadMessage(m, author), user: payloadUser(author) };
  }

  /** The room events (§8.4: archived, joined, left) about one person. */
  async roomUserData(event: 'roomArchived' | 'roomJoined' | 'roomLeft', channelId: string, userId: string): Promise<OutgoingEventData | undefined> {
    const [room, user] = await Promise.all([this.channel(channelId), this.user(userId)]);
    if (!room || !user) return undefined;
    return { event, room: await this.payloadRoom(room), user: payloadUser(user) };
  }

  async roomCreatedData(c: Channel, ownerId: string | null): Promise<OutgoingEventData> {
    const owner = await this.user(ownerId);
    return { event: 'roomCreated', room: await this.payloadRoom(c), owner: owner ? payloadUser(owner) : null };
  }
}

/** How a Rocket.Chat event in a room is matched: the room as it is now, who caused it, the message. */
async function roomMatch(r: EventReader, event: OutgoingEvent, channelId: string, userId: string | undefined, message?: Message): Promise<MatchEvent | undefined> {
  const c = await r.channel(channelId);
  if (!c) return undefined;
  return { event, room: await r.matchRoom(c), ...(userId !== undefined && { userId }), ...(message && { message: matchMessage(message) }) };
}

const messageOccurrences = (e: EventOf<'message.created' | 'message.updated'>, r: EventReader): Occurrence[] => {
  // A root whose reply count changed was not edited; deleted messages say nothing.
  if ((e.type === 'message.updated' && e.cause !== 'edit') || e.message.deleted) return [];
  const m = e.message;
  return [{ event: 'sendMessage', match: () => roomMatch(r, 'sendMessage', m.channelId, m.authorId, m), data: () => r.messageData(m) }];
};

/**
 * What each domain event type is in Rocket.Chat's terms (§8.1): most are one event, a join of
 * several people is one each. `null`: Rocket.Chat has no outgoing event for the type (§8.1 lists
 * only these), so no integration ever fires on it.
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
      match: () => roomMatch(r, 'roomArchived', e.channel.id, e.actorId),
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
      match: () => roomMatch(r, 'roomJoined', e.channelId, userId),
      data: () => r.roomUserData('roomJoined', e.channelId, userId),
    })),
  'member.left': (e, r) => [
    {
      event: 'roomLeft',
      match: () => roomMatch(r, 'roomLeft', e.channelId, e.userId),
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
  'app.uninstalled': null,
  'app.unauthorized': null,
  'user_group.created': null,
  'user_group.updated': null,
};

/** The Rocket.Chat events one stored domain event amounts to. */
const occurrences = (r: EventReader, stored: StoredDomainEvent): Occurrence[] => renderWith(OUTGOING_OCCURRENCES, stored.event, r) ?? [];

/**
 * Every call one committed event causes, bodies rendered (§8.4). `timestamp` of the events stamped
 * "now" (archive, join, leave) is the moment the change was committed, so a late expansion (after a
 * restart, say) tells the truth about when it happened.
 */
export async function planOutgoingCalls(tx: ChatStore, stored: StoredDomainEvent, siteUrl: string): Promise<PlannedCall[]> {
  const reader = new EventReader(tx, stored.workspaceId);
  const planned: PlannedCall[] = [];
  const byEvent = new Map<OutgoingEvent, OutgoingDoc[]>();
  for (const o of occurrences(reader, stored)) {
    let integrations = byEvent.get(o.event);
    if (!integrations) byEvent.set(o.event, (integrations = (await tx.integrations.ofType(stored.workspaceId, OUTGOING, o.event)).filter(isOutgoingDoc)));
    // Nearly every message meets no outgoing integration: nothing else is read then.
    if (!integrations.some((i) => i.enabled)) continue;
    const match = await o.match();
    if (!match) continue;
    const calls = outgoingCalls(integrations, match);
    if (calls.length === 0) continue;
    const data = await o.data();
    if (!data) continue;
    for (const call of calls) {
      const body = data.event === 'sendMessage' && call.triggerWord !== undefined ? { ...data, triggerWord: call.triggerWord } : data;
      planned.push({
        integration: call.integration,
        url: call.url,
        event: o.event,
        ...(o.subKey !== undefined && { subKey: o.subKey }),
        payload: buildOutgoingPayload({ token: call.integration.token, siteUrl, now: stored.createdAt }, body),
      });
    }
  }
  return planned;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const idOf = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * §6.8 replay: the payload of a recorded call rendered again from what the ids in its data
 * (`message_id`, `channel_id`, `user_id`, `owner._id`) name today, with the integration's current
 * token. Undefined when the data names nothing (payloads kept out of history leave only a digest)
 * or what it names is gone.
 */
export async function rebuildOutgoingPayload(
  store: ChatStore,
  workspaceId: string,
  integration: IntegrationDoc,
  event: string,
  data: unknown,
  siteUrl: string,
  now: number,
): Promise<OutgoingPayload | undefined> {
  if (!isObject(data) || !isOutgoingEvent(event)) return undefined;
  const r = new EventReader(store, workspaceId);
  const recorded = typeof data.timestamp === 'string' ? Date.parse(data.timestamp) : Number.NaN;
  // The events stamped "now" keep the moment they happened.
  const ctx = { token: integration.token, siteUrl, now: Number.isNaN(recorded) ? now : recorded };
  const channelId = idOf(data.channel_id);
  const userId = idOf(data.user_id);
  let built: OutgoingEventData | undefined;
  switch (event) {
    case 'sendMessage':
    case 'fileUploaded': {
      const messageId = idOf(data.message_id);
      const m = messageId ? await store.messageById(messageId) : undefined;
      if (!m || m.deleted || m.workspaceId !== workspaceId) return undefined;
      const d = await r.messageData(m);
      if (!d || d.event !== 'sendMessage') return undefined;
      const word = idOf(data.trigger_word);
      built = event === 'fileUploaded' ? { ...d, event } : { ...d, ...(word !== undefined && { triggerWord: word }) };
      break;
    }
    case 'roomCreated': {
      const c = await r.channel(channelId);
      const owner = isObject(data.owner) ? idOf(data.owner._id) : undefined;
      built = c && (await r.roomCreatedData(c, owner ?? userId ?? c.createdBy));
      break;
    }
    case 'roomArchived':
    case 'roomJoined':
    case 'roomLeft':
      built = channelId && userId ? await r.roomUserData(event, channelId, userId) : undefined;
      break;
    case 'userCreated': {
      const u = await r.user(userId);
      built = u && { event, user: payloadUser(u) };
      break;
    }
  }
  return built && buildOutgoingPayload(ctx, built);
}
