/**
 * Which outgoing integrations an event fires (docs/integrations.md §8.1–§8.3): channel scoping, trigger
 * words, edits and the loop guard. Pure so that the matching index (rebuilt on every create, update
 * and delete) and the ported engine cases (§12.3 #1–#9, #17–#20) share one definition.
 */
import type { ChannelType } from '../model.js';

/** §8.1, names exactly as Rocket.Chat spells them. */
export const OUTGOING_EVENTS = ['sendMessage', 'fileUploaded', 'roomArchived', 'roomCreated', 'roomJoined', 'roomLeft', 'userCreated'] as const;
export type OutgoingEvent = (typeof OUTGOING_EVENTS)[number];

export interface EventTraits {
  /** filtered by the integration's `channel` */
  usesChannel: boolean;
  usesTriggerWords: boolean;
  /** replies have no triggering room to go to */
  needsTargetRoom: boolean;
}

/** §8.1's table. */
export const EVENT_TRAITS: Readonly<Record<OutgoingEvent, EventTraits>> = {
  sendMessage: { usesChannel: true, usesTriggerWords: true, needsTargetRoom: false },
  fileUploaded: { usesChannel: true, usesTriggerWords: false, needsTargetRoom: false },
  roomArchived: { usesChannel: false, usesTriggerWords: false, needsTargetRoom: false },
  roomCreated: { usesChannel: false, usesTriggerWords: false, needsTargetRoom: false },
  roomJoined: { usesChannel: true, usesTriggerWords: false, needsTargetRoom: false },
  roomLeft: { usesChannel: true, usesTriggerWords: false, needsTargetRoom: false },
  userCreated: { usesChannel: false, usesTriggerWords: false, needsTargetRoom: true },
};

export const isOutgoingEvent = (v: unknown): v is OutgoingEvent => typeof v === 'string' && (OUTGOING_EVENTS as readonly string[]).includes(v);

/** The scope keywords of `channel` (§6.1, §8.2). */
export const CHANNEL_SCOPES = ['all_public_channels', 'all_private_groups', 'all_direct_messages'] as const;

/** §8.3 decision: messages produced by this many chained webhook replies trigger nothing more. */
export const MAX_WEBHOOK_HOPS = 5;

/** An outgoing integration (§4), the fields the engine reads. */
export interface OutgoingIntegrationConfig {
  _id: string;
  type?: 'webhook-outgoing';
  name?: string;
  enabled: boolean;
  event: string;
  /** stored as an array; a comma-separated string (older documents, §12.3 #3) is read the same way */
  channel?: readonly string[] | string;
  urls?: readonly string[];
  triggerWords?: readonly string[];
  triggerWordAnywhere?: boolean;
  runOnEdits?: boolean;
  targetRoom?: string;
  token: string;
  username: string;
  userId?: string;
  alias?: string;
  avatar?: string;
  emoji?: string;
  impersonateUser?: boolean;
  retryFailedCalls?: boolean;
  retryCount?: number;
  retryDelay?: string;
  scriptEnabled?: boolean;
  script?: string;
  _createdBy?: { _id: string; username?: string };
}

/** A room as matching sees it; `participants` only for DMs. */
export interface MatchRoom {
  id: string;
  type: ChannelType;
  name: string | null;
  participants?: readonly { id: string; username: string }[];
}

/** The message of `sendMessage`/`fileUploaded`. `bot` is the integration tag of bot-posted messages. */
export interface MatchMessage {
  text: string;
  edited: boolean;
  bot?: { i: string; hops?: number } | null;
}

export interface MatchEvent {
  event: OutgoingEvent;
  /** absent for `userCreated` */
  room?: MatchRoom;
  /** the sender / the user who joined, left, archived or created */
  userId?: string;
  message?: MatchMessage;
}

export type MatchResult =
  | { fires: true; triggerWord?: string }
  | { fires: false; reason: 'disabled' | 'event' | 'no-urls' | 'room-type' | 'channel' | 'edit' | 'loop-guard' | 'hop-limit' | 'trigger-word' };

/** `channel` as a list: CSV strings split, entries trimmed, blanks dropped (§6.1). */
export function channelList(channel: readonly string[] | string | undefined): string[] {
  const parts = typeof channel === 'string' ? channel.split(',') : (channel ?? []).flatMap((c) => c.split(','));
  return parts.map((c) => c.trim()).filter((c) => c !== '');
}

/** `urls` without blanks (§4: ≥ 1 non-blank), in order. */
export const urlList = (urls: readonly string[] | undefined): string[] => (urls ?? []).map((u) => u.trim()).filter((u) => u !== '');

/** Trigger words without blanks (§4). */
export const triggerWordList = (words: readonly string[] | undefined): string[] => (words ?? []).filter((w) => typeof w === 'string' && w.trim() !== '');

/**
 * §8.2: the `channel` entries that select this room. DMs: `all_direct_messages`, `@<id>` of every
 * participant and `@<username>` of every participant except the sender; channels: their scope
 * keyword, `#<id>`, `#<name>`.
 */
export function roomKeys(room: MatchRoom, senderId?: string): string[] {
  if (room.type === 'DIRECT' || room.type === 'SELF') {
    const people = room.participants ?? [];
    return ['all_direct_messages', ...people.map((p) => `@${p.id}`), ...people.filter((p) => p.id !== senderId).map((p) => `@${p.username}`)];
  }
  const scope = room.type === 'PUBLIC' ? 'all_public_channels' : 'all_private_groups';
  return [scope, `#${room.id}`, ...(room.name ? [`#${room.name}`] : [])];
}

/** Whether an integration's channel filter selects the room; an empty filter means `all_public_channels` (§8.2). */
export function channelSelects(channel: OutgoingIntegrationConfig['channel'], room: MatchRoom, senderId?: string): boolean {
  const wanted = channelList(channel);
  const filter = wanted.length > 0 ? wanted : ['all_public_channels'];
  const keys = new Set(roomKeys(room, senderId));
  return filter.some((c) => keys.has(c));
}

/**
 * §8.3: the first configured word (array order) the text starts with — or contains, with
 * `triggerWordAnywhere`. Case-sensitive. `null` when words are configured and none matches;
 * undefined when there are none.
 */
export function matchTriggerWord(text: string, words: readonly string[] | undefined, anywhere = false): string | null | undefined {
  const list = triggerWordList(words);
  if (list.length === 0) return undefined;
  return list.find((w) => (anywhere ? text.includes(w) : text.startsWith(w))) ?? null;
}

/** The hop count a webhook reply to this message carries (§8.3 decision). */
export const replyHops = (trigger: MatchMessage | undefined): number => (trigger?.bot?.hops ?? 0) + 1;

/** Whether one integration fires for one event, and with which trigger word (§8.1–§8.3). */
export function matchOutgoing(integration: OutgoingIntegrationConfig, ev: MatchEvent): MatchResult {
  if (integration.enabled !== true) return { fires: false, reason: 'disabled' };
  if (integration.event !== ev.event) return { fires: false, reason: 'event' };
  if (urlList(integration.urls).length === 0) return { fires: false, reason: 'no-urls' };
  const traits = EVENT_TRAITS[ev.event];
  // roomCreated is about channels (§8.1): a DM coming into being is not one.
  if (ev.event === 'roomCreated' && ev.room && (ev.room.type === 'DIRECT' || ev.room.type === 'SELF')) return { fires: false, reason: 'room-type' };
  if (traits.usesChannel && (!ev.room || !channelSelects(integration.channel, ev.room, ev.userId))) return { fires: false, reason: 'channel' };
  const message = ev.message;
  if (message && (ev.event === 'sendMessage' || ev.event === 'fileUploaded')) {
    if (message.bot?.i === integration._id) return { fires: false, reason: 'loop-guard' };
    if ((message.bot?.hops ?? 0) >= MAX_WEBHOOK_HOPS) return { fires: false, reason: 'hop-limit' };
    if (message.edited && integration.runOnEdits !== true) return { fires: false, reason: 'edit' };
  }
  if (!traits.usesTriggerWords) return { fires: true };
  const word = matchTriggerWord(message?.text ?? '', integration.triggerWords, integration.triggerWordAnywhere === true);
  if (word === null) return { fires: false, reason: 'trigger-word' };
  return word === undefined ? { fires: true } : { fires: true, triggerWord: word };
}

/** One call to make: an integration, one of its URLs, and the matched trigger word. */
export interface OutgoingCall<I extends OutgoingIntegrationConfig = OutgoingIntegrationConfig> {
  integration: I;
  url: string;
  triggerWord?: string;
}

/**
 * §8.2: the calls an event makes — each matching integration once (however many of its `channel`
 * entries select the room), once per URL, in order; integrations in the order given.
 */
export function outgoingCalls<I extends OutgoingIntegrationConfig>(integrations: readonly I[], ev: MatchEvent): OutgoingCall<I>[] {
  const seen = new Set<string>();
  const calls: OutgoingCall<I>[] = [];
  for (const integration of integrations) {
    if (seen.has(integration._id)) continue;
    seen.add(integration._id);
    const m = matchOutgoing(integration, ev);
    if (!m.fires) continue;
    for (const url of urlList(integration.urls)) {
      calls.push({ integration, url, ...(m.triggerWord !== undefined && { triggerWord: m.triggerWord }) });
    }
  }
  return calls;
}
