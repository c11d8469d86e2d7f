/**
 * From committed domain events to the outgoing-webhook calls they cause (docs/integrations.md §8.1–§8.4):
 * which integrations an event fires (outgoing-match.ts), read through an EventReader. Which
 * outgoing events a domain event amounts to, and the body of each call, are the surface's
 * (`OutgoingRenderer`: the Rocket.Chat surface's, surfaces/rocketchat/outgoing/, handed in by the
 * composition root, docs/architecture.md §3.4, §5). Runs inside the outbox dispatcher's transaction,
 * so the integrations, rooms and users read here are those of the moment of expansion, and the
 * matching follows create/update/delete immediately (§8.2: no cache to go stale).
 */
import type { ChatStore, StoredDomainEvent } from '../ports/chat-store.js';
import type { Channel, FileRef, Message, User } from '../model.js';
import { OUTGOING, type IntegrationDoc } from './document.js';
import { isOutgoingEvent, outgoingCalls, type MatchEvent, type MatchMessage, type MatchRoom, type OutgoingEvent } from './outgoing-match.js';
import type { OutgoingEventData, PayloadMessage, PayloadRoom, PayloadUser } from './outgoing-event-data.js';
import type { HttpCallResult, PreparedRequest } from './outgoing-request.js';
import { rolesOf } from './roles.js';

/** An outgoing integration's document, as the matcher reads it. */
export type OutgoingDoc = IntegrationDoc & { type: typeof OUTGOING; event: OutgoingEvent };
export const isOutgoingDoc = (d: IntegrationDoc): d is OutgoingDoc => d.type === OUTGOING && d.event !== undefined;

/** One call to make: an integration, one of its URLs, and the body rendered for it. */
export interface PlannedCall {
  integration: OutgoingDoc;
  url: string;
  event: OutgoingEvent;
  /**
   * set when one domain event is several outgoing events (several people joined at once): keeps
   * (event, integration, URL) unique per person, as the delivery table requires (docs/delivery.md §2.2)
   */
  subKey?: string;
  payload: OutgoingPayload;
}

/** The body of a call, as the surface rendered it: opaque here, handed to scripts and sent as JSON (§8.4, §8.8). */
export type OutgoingPayload = Record<string, unknown>;

/** What a payload is rendered with, besides what the event is about. */
export interface PayloadContext {
  /** the integration's token */
  token: string;
  /** `PUBLIC_URL` */
  siteUrl: string;
  /** the "now" of events stamped with the delivery time (archive, join, leave) */
  now: number;
}

/** What a rendered body refers to: the ids a replay renders it again from (§6.8), and the room and people a reply concerns (§8.8). */
export interface PayloadReferences {
  messageId?: string;
  channelId?: string;
  userId?: string;
  ownerId?: string;
  triggerWord?: string;
  /** the moment the body says the event happened (epoch ms) */
  at?: number;
}

/** One outgoing event a domain event amounts to, with what matching and the payload need. */
export interface Occurrence {
  event: OutgoingEvent;
  subKey?: string;
  match: () => Promise<MatchEvent | undefined>;
  data: () => Promise<OutgoingEventData | undefined>;
}

/**
 * How outgoing webhooks look on the wire (docs/integrations.md §8.1, §8.4, §8.5): which outgoing
 * events a committed domain event amounts to (an exhaustive event table, docs/architecture.md §5),
 * the body each call carries, what a body refers to once sent or recorded, and the HTTP call of a
 * prepared request. The Rocket.Chat surface implements it (surfaces/rocketchat/outgoing/); the
 * composition root hands it to the outgoing expander and to the core.
 */
export interface OutgoingRenderer {
  occurrences(reader: EventReader, stored: StoredDomainEvent): Occurrence[];
  payload(ctx: PayloadContext, data: OutgoingEventData): OutgoingPayload;
  references(payload: OutgoingPayload): PayloadReferences;
  /** a delivery's stored body read back (what `payload` rendered, as sent); undefined when it is not one */
  readPayload(stored: string): OutgoingPayload | undefined;
  httpCall(request: PreparedRequest): HttpCallResult;
}

/** A workspace user as payloads describe them (§8.4): named fields only, so no secret can come along. */
export function payloadUser(u: User): PayloadUser {
  return {
    id: u.id,
    username: u.username,
    name: u.name,
    isBot: u.isBot,
    active: u.status === 'ACTIVATED',
    roles: rolesOf(u),
    createdAt: u.createdAt,
  };
}

export function payloadMessage(m: Message, author: User): PayloadMessage {
  return {
    id: m.id,
    roomId: m.channelId,
    // §8.4: the text as it was posted; an integration's post keeps it beside ours.
    text: m.postedText ?? m.text,
    createdAt: m.createdAt,
    author: { id: author.id, username: author.username, name: author.name },
    threadRootId: m.threadRootId,
    editedAt: m.edited ? m.updatedAt : null,
    alias: m.alias,
    bot: m.bot ? { i: m.bot.i } : null,
    attachments: m.attachments,
    // Rocket.Chat's message carries its first file as `file` and all of them as `files` ({_id, name, type, size}).
    ...(m.files && m.files.length > 0 && {
      file: payloadFile(m.files[0]!),
      files: m.files.map(payloadFile),
    }),
  };
}

const payloadFile = (f: FileRef) => ({ _id: f.id, name: f.name, type: f.mimeType, size: f.size });

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

  /** How an event in a room is matched: the room as it is now, who caused it, the message. */
  async matchInRoom(event: OutgoingEvent, channelId: string, userId: string | undefined, message?: Message): Promise<MatchEvent | undefined> {
    const c = await this.channel(channelId);
    if (!c) return undefined;
    return { event, room: await this.matchRoom(c), ...(userId !== undefined && { userId }), ...(message && { message: matchMessage(message) }) };
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

/**
 * Every call one committed event causes, bodies rendered (§8.4). `timestamp` of the events stamped
 * "now" (archive, join, leave) is the moment the change was committed, so a late expansion (after a
 * restart, say) tells the truth about when it happened.
 */
export async function planOutgoingCalls(tx: ChatStore, stored: StoredDomainEvent, siteUrl: string, renderer: OutgoingRenderer): Promise<PlannedCall[]> {
  const reader = new EventReader(tx, stored.workspaceId);
  const planned: PlannedCall[] = [];
  const byEvent = new Map<OutgoingEvent, OutgoingDoc[]>();
  for (const o of renderer.occurrences(reader, stored)) {
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
        payload: renderer.payload({ token: call.integration.token, siteUrl, now: stored.createdAt }, body),
      });
    }
  }
  return planned;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * §6.8 replay: the payload of a recorded call rendered again from what the ids in its data name
 * today (the renderer reads them back), with the integration's current token. Undefined when the
 * data names nothing (payloads kept out of history leave only a digest) or what it names is gone.
 */
export async function rebuildOutgoingPayload(
  store: ChatStore,
  workspaceId: string,
  integration: IntegrationDoc,
  event: string,
  data: unknown,
  siteUrl: string,
  now: number,
  renderer: OutgoingRenderer,
): Promise<OutgoingPayload | undefined> {
  if (!isObject(data) || !isOutgoingEvent(event)) return undefined;
  const r = new EventReader(store, workspaceId);
  const refs = renderer.references(data);
  // The events stamped "now" keep the moment they happened.
  const ctx = { token: integration.token, siteUrl, now: refs.at ?? now };
  const { channelId, userId } = refs;
  let built: OutgoingEventData | undefined;
  switch (event) {
    case 'sendMessage':
    case 'fileUploaded': {
      const m = refs.messageId ? await store.messageById(refs.messageId) : undefined;
      if (!m || m.deleted || m.workspaceId !== workspaceId) return undefined;
      const d = await r.messageData(m);
      if (!d || d.event !== 'sendMessage') return undefined;
      const word = refs.triggerWord || undefined;
      built = event === 'fileUploaded' ? { ...d, event } : { ...d, ...(word !== undefined && { triggerWord: word }) };
      break;
    }
    case 'roomCreated': {
      const c = await r.channel(channelId);
      built = c && (await r.roomCreatedData(c, refs.ownerId ?? userId ?? c.createdBy));
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
  return built && renderer.payload(ctx, built);
}
