/**
 * The body of an outgoing webhook for each event (docs/integrations.md §8.4), as Rocket.Chat sends it —
 * the full mapping for every event, not the reference's bare `{token, bot}` for the non-message ones
 * (§13, §12.3 #45) — rendered from what the domain says the event is about
 * (domain/integrations/outgoing-event-data.ts); and, read back, what a recorded body refers to
 * (§6.8 replay, §8.8 replies). The `/hooks/sample` payloads (§7.1) are the same shape.
 */
import type { ChannelType } from '../../../domain/model.js';
import type { OutgoingEventData, PayloadMessage, PayloadRoom, PayloadUser } from '../../../domain/integrations/outgoing-event-data.js';
import type { HookSample } from '../../../domain/integrations/incoming-hooks.js';
import type { PayloadContext, PayloadReferences } from '../../../domain/integrations/outgoing-events.js';

/** `user`/`owner` objects of §8.4 — exactly these fields. */
export interface RcUser {
  _id: string;
  username: string;
  name: string;
  type: 'user' | 'bot';
  active: boolean;
  roles: string[];
  createdAt: string;
}

export interface RcRoom {
  _id: string;
  t: 'c' | 'p' | 'd';
  name?: string;
  fname?: string;
  u?: { _id: string; username: string };
  ts: string;
  archived?: boolean;
  usernames?: string[];
}

export interface RcMessage {
  _id: string;
  rid: string;
  msg: string;
  ts: string;
  u: { _id: string; username: string; name: string };
  tmid?: string;
  editedAt?: string;
  alias?: string;
  bot?: { i: string };
  file?: unknown;
  files?: unknown[];
  attachments?: unknown[];
}

const iso = (ms: number) => new Date(ms).toISOString();

/** §1: `t:'c'` public, `'p'` private, `'d'` direct and self. */
export const roomTypeLetter = (t: ChannelType): 'c' | 'p' | 'd' => (t === 'PUBLIC' ? 'c' : t === 'PRIVATE' ? 'p' : 'd');

export function rcUser(u: PayloadUser): RcUser {
  return { _id: u.id, username: u.username, name: u.name, type: u.isBot ? 'bot' : 'user', active: u.active, roles: [...u.roles], createdAt: iso(u.createdAt) };
}

export function rcRoom(r: PayloadRoom): RcRoom {
  return {
    _id: r.id,
    t: roomTypeLetter(r.type),
    ...(r.name !== null && { name: r.name, fname: r.name }),
    ...(r.createdBy && { u: { _id: r.createdBy.id, username: r.createdBy.username } }),
    ts: iso(r.createdAt),
    ...(r.isArchived && { archived: true }),
    ...(r.usernames && { usernames: [...r.usernames] }),
  };
}

export function rcMessage(m: PayloadMessage): RcMessage {
  return {
    _id: m.id,
    rid: m.roomId,
    msg: m.text,
    ts: iso(m.createdAt),
    u: { _id: m.author.id, username: m.author.username, name: m.author.name },
    ...(m.threadRootId && { tmid: m.threadRootId }),
    ...(m.editedAt != null && { editedAt: iso(m.editedAt) }),
    ...(m.alias && { alias: m.alias }),
    ...(m.bot && { bot: { i: m.bot.i } }),
    ...(m.file !== undefined && { file: m.file }),
    ...(m.files !== undefined && { files: m.files }),
    ...(m.attachments && m.attachments.length > 0 && { attachments: m.attachments }),
  };
}

/** The body: `token` and `bot` first, then the event's fields. */
export type RocketChatPayload = Record<string, unknown> & { token: string; bot: boolean };

/** The fields shared by `sendMessage` and `fileUploaded`, in the reference's order. */
function messageFields(
  ctx: PayloadContext,
  d: { room: PayloadRoom; message: PayloadMessage; user: PayloadUser },
  triggerWord: string | undefined,
  withSiteUrl: boolean,
): RocketChatPayload {
  const isDm = d.room.type === 'DIRECT' || d.room.type === 'SELF';
  const m = d.message;
  return {
    token: ctx.token,
    bot: Boolean(m.bot) || d.user.isBot,
    ...(triggerWord !== undefined && { trigger_word: triggerWord }),
    channel_id: d.room.id,
    ...(!isDm && d.room.name !== null && { channel_name: d.room.name }),
    message_id: m.id,
    timestamp: iso(m.createdAt),
    user_id: m.author.id,
    user_name: m.author.username,
    text: m.text,
    ...(withSiteUrl && { siteUrl: ctx.siteUrl }),
    ...(m.alias && { alias: m.alias }),
    ...(m.editedAt != null && { isEdited: true }),
    ...(m.threadRootId && { tmid: m.threadRootId }),
  };
}

/** §8.4: the payload of one event for one integration. */
export function buildOutgoingPayload(ctx: PayloadContext, d: OutgoingEventData): RocketChatPayload {
  switch (d.event) {
    case 'sendMessage':
      return messageFields(ctx, d, d.triggerWord, true);
    case 'fileUploaded':
      return { ...messageFields(ctx, d, undefined, false), user: rcUser(d.user), room: rcRoom(d.room), message: rcMessage(d.message) };
    case 'roomCreated':
      return {
        token: ctx.token,
        bot: false,
        channel_id: d.room.id,
        ...(d.room.name !== null && { channel_name: d.room.name }),
        timestamp: iso(d.room.createdAt),
        ...(d.owner && { user_id: d.owner.id, user_name: d.owner.username, owner: rcUser(d.owner) }),
        room: rcRoom(d.room),
      };
    case 'roomArchived':
    case 'roomJoined':
    case 'roomLeft':
      return {
        token: ctx.token,
        bot: d.user.isBot,
        timestamp: iso(ctx.now),
        channel_id: d.room.id,
        ...(d.room.name !== null && { channel_name: d.room.name }),
        user_id: d.user.id,
        user_name: d.user.username,
        user: rcUser(d.user),
        room: rcRoom(d.room),
      };
    case 'userCreated':
      return {
        token: ctx.token,
        bot: d.user.isBot,
        timestamp: iso(d.user.createdAt),
        user_id: d.user.id,
        user_name: d.user.username,
        user: rcUser(d.user),
      };
  }
}

/** §7.1 `/hooks/sample`: three example outgoing-style payloads. */
export function samplePayloads(s: HookSample): Record<string, unknown>[] {
  return [1, 2, 3].map((n) => ({
    token: s.token,
    channel_id: s.channelId,
    channel_name: 'general',
    timestamp: iso(s.now),
    user_id: s.userId,
    user_name: 'rocket.cat',
    text: `Sample text ${n}`,
    trigger_word: 'Sample',
  }));
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const idOf = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * What a body (as sent, or as recorded in history) refers to, by its §8.4 fields: `message_id`,
 * `channel_id`, `user_id`, `owner._id`, `trigger_word` and `timestamp`.
 */
export function payloadReferences(payload: Record<string, unknown>): PayloadReferences {
  const messageId = idOf(payload.message_id);
  const channelId = idOf(payload.channel_id);
  const userId = idOf(payload.user_id);
  const ownerId = isObject(payload.owner) ? idOf(payload.owner._id) : undefined;
  const at = typeof payload.timestamp === 'string' ? Date.parse(payload.timestamp) : Number.NaN;
  return {
    ...(messageId !== undefined && { messageId }),
    ...(channelId !== undefined && { channelId }),
    ...(userId !== undefined && { userId }),
    ...(ownerId !== undefined && { ownerId }),
    ...(typeof payload.trigger_word === 'string' && { triggerWord: payload.trigger_word }),
    ...(!Number.isNaN(at) && { at }),
  };
}
