/**
 * From an incoming-webhook payload (docs/integrations.md §7.5, §10, §11) to a normalized post request:
 * every sender alias (`username`/`alias`, `icon_url`/`avatar`, `text`/`msg`, Slack blocks) is resolved
 * here, attachments are sanitized (§7.6) and destinations parsed; only what needs the database
 * (resolving rooms and users, permissions, posting) is left to the caller.
 */
import { sanitizeAttachments, isValidHref, SLACK_MAX_ATTACHMENTS, type Attachment, type AttachmentOptions } from './attachments.js';
import { hookError, type HookFlavor } from './hook-errors.js';
import { slackToSwitchboardMarkup, textFromBlocks } from './slack-markup.js';

/** §7.5: longer texts are refused with `error-message-size-exceeded` (Pumble §11: the same 10,000). */
export const MAX_HOOK_TEXT = 10_000;

/** What of an incoming integration (§4) the payload rules read. */
export interface IncomingIntegrationConfig {
  _id: string;
  /** `#name`/`#id`, `@username`/`@id` entries */
  channel: readonly string[];
  alias?: string;
  avatar?: string;
  emoji?: string;
  overrideDestinationChannelEnabled?: boolean;
}

/**
 * One destination as written (§7.5): `room` (`#name` or `#id`: a channel), `user` (`@username` or
 * `@id`: the DM with that user), `bare` (channel id or name, then DM by user id); `id` is a room id
 * and nothing else (chat.sendMessage's `rid`, chat-post.ts), never written with a sigil.
 */
export interface Destination {
  kind: 'room' | 'user' | 'bare' | 'id';
  /** the name or id, without its sigil */
  ref: string;
  /** as written, trimmed; the `channel` of `separateResponse` results */
  raw: string;
}

/** Marks a message as posted by an integration (§7.4 step 6); `hops` counts webhook replies in a chain (§8.3). */
export interface BotTag {
  i: string;
  hops?: number;
}

export interface IncomingPostRequest {
  /** trimmed text as sent (Rocket.Chat/Slack markup); what the length limit applies to */
  text: string;
  /** `text` in Switchboard's markup (§7.5 decision) */
  formattedText: string;
  attachments: Attachment[];
  /** display-name override; absent when neither payload nor integration sets one */
  alias?: string;
  /** avatar URL; at most one of `avatar` and `emoji` is set (§7.5 precedence) */
  avatar?: string;
  emoji?: string;
  /** deduplicated, in order; never empty */
  destinations: Destination[];
  tmid?: string;
  /** a reply also shown in its channel (Rocket.Chat's `tshow`; only chat.sendMessage sends it) */
  tshow?: boolean;
  /** Slack `thread_ts`: a `tmid` only if it names a message in the destination (checked by the caller) */
  threadTs?: string;
  parseUrls: boolean;
  groupable: boolean;
  /** to be validated against the message custom-field settings by the caller */
  customFields?: Record<string, unknown>;
  separateResponse: boolean;
  /** the integration's tag; null for a person's own post (chat.postMessage, chat-post.ts) */
  bot: BotTag | null;
}

export interface NormalizeOptions extends AttachmentOptions {
  /** `hooks` (default) refuses a destination override that is not enabled; `slack` and `pumble` ignore it (§10, §11) */
  flavor?: HookFlavor;
  /** the tag to post with; default `{i: integration._id}`; null: none (a person's own post) */
  bot?: BotTag | null;
  /**
   * replies of outgoing integrations (§8.8) choose their own room: the override rule does not apply
   * and `channel` is always honoured
   */
  destinationOverride?: 'by-setting' | 'always';
  /**
   * destinations already known (chat.sendMessage's room id, chat-post.ts): the payload's `channel`
   * and `roomId` are not read, and no override rule applies
   */
  destinations?: Destination[];
  /**
   * `/hooks` (§7.4): a payload with neither text nor attachments is not refused. Rocket.Chat answers
   * it like any other (it posts an empty message); Switchboard has no empty messages, so the caller
   * checks the destinations as for a post, answers the same and posts nothing (see `isEmptyPost`).
   * Off by default: Slack's `no_text`, Pumble's 400 and outgoing replies keep refusing it.
   */
  allowEmpty?: boolean;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A non-empty string, or undefined: the reference's `_.isEmpty` tests, without its number quirks. */
const nonEmpty = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Whether a payload asks for its own destination (the reference tests `channel || roomId`, truthiness). */
export function requestsDestination(payload: Record<string, unknown>): boolean {
  return Boolean(payload.channel) || Boolean(payload.roomId);
}

/**
 * Destinations from `channel`/`roomId` (string or array) or the integration's `channel` list:
 * trimmed, blanks dropped, deduplicated by what was written. None, a non-string entry, or a lone
 * `#`/`@` → `invalid-channel`.
 */
export function parseDestinations(source: unknown): Destination[] {
  const entries = Array.isArray(source) ? source : [source];
  const seen = new Set<string>();
  const out: Destination[] = [];
  for (const entry of entries) {
    if (typeof entry !== 'string') throw hookError.invalidChannel();
    const raw = entry.trim();
    if (raw === '' || seen.has(raw)) continue;
    seen.add(raw);
    const sigil = raw[0];
    const kind = sigil === '#' ? 'room' : sigil === '@' ? 'user' : 'bare';
    const ref = kind === 'bare' ? raw : raw.slice(1).trim();
    if (ref === '') throw hookError.invalidChannel();
    out.push({ kind, ref, raw });
  }
  if (out.length === 0) throw hookError.invalidChannel();
  return out;
}

/** The message text: `text`, else `msg`, else the text of Slack `blocks`; scalars are stringified as the reference's `trim` does. */
function payloadText(payload: Record<string, unknown>): string {
  const pick = (key: 'text' | 'msg'): string | undefined => {
    const v = payload[key];
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    throw hookError.matchError('string', v, key);
  };
  return (pick('text') ?? pick('msg') ?? textFromBlocks(payload.blocks)).trim();
}

/**
 * §7.5 precedence: alias `username || alias || integration.alias`; avatar `icon_url || avatar`, then
 * emoji `icon_emoji || emoji`, then the integration's avatar, then its emoji — only one of the two is set.
 */
export function displayOverrides(
  payload: Record<string, unknown>,
  integration: Pick<IncomingIntegrationConfig, 'alias' | 'avatar' | 'emoji'>,
): { alias?: string; avatar?: string; emoji?: string } {
  const alias = nonEmpty(payload.username) ?? nonEmpty(payload.alias) ?? nonEmpty(integration.alias);
  const avatarOverride = nonEmpty(payload.icon_url) ?? nonEmpty(payload.avatar);
  const emojiOverride = nonEmpty(payload.icon_emoji) ?? nonEmpty(payload.emoji);
  const look = avatarOverride
    ? { avatar: avatarOverride }
    : emojiOverride
      ? { emoji: emojiOverride }
      : nonEmpty(integration.avatar)
        ? { avatar: integration.avatar! }
        : nonEmpty(integration.emoji)
          ? { emoji: integration.emoji! }
          : {};
  return { ...(alias !== undefined && { alias }), ...look };
}

/** A request with nothing to show: answered as a post would be, nothing stored (NormalizeOptions.allowEmpty). */
export function isEmptyPost(req: Pick<IncomingPostRequest, 'text' | 'attachments'>): boolean {
  return req.text === '' && req.attachments.length === 0;
}

/** §7.5: alias, avatar and emoji need `message-impersonate` on the posting user (else `Not enough permission`). */
export function needsImpersonation(req: Pick<IncomingPostRequest, 'alias' | 'avatar' | 'emoji'>): boolean {
  return Boolean(req.alias || req.avatar || req.emoji);
}

/**
 * A person's own post (chat.postMessage, chat.sendMessage; §12.5) follows upstream's `validateMessage`:
 * only an alias or an avatar needs `message-impersonate`; an emoji needs nothing.
 */
export function personNeedsImpersonation(req: Pick<IncomingPostRequest, 'alias' | 'avatar'>): boolean {
  return Boolean(req.alias || req.avatar);
}

/**
 * The post request of a payload (after any script), or a HookError with the exact upstream text.
 * Order follows the reference: destination override (§7.4 step 5), then the message's own checks.
 */
export function normalizeIncomingPayload(
  payload: Record<string, unknown>,
  integration: IncomingIntegrationConfig,
  opts: NormalizeOptions = {},
): IncomingPostRequest {
  const flavor = opts.flavor ?? 'hooks';
  const wantsOwn = opts.destinations === undefined && requestsDestination(payload);
  const mayOverride = opts.destinationOverride === 'always' || integration.overrideDestinationChannelEnabled === true;
  if (wantsOwn && !mayOverride && flavor === 'hooks') throw hookError.overrideDisabled();
  const destinations = opts.destinations ?? parseDestinations(wantsOwn && mayOverride ? payload.channel || payload.roomId : integration.channel);

  const text = payloadText(payload);
  if (text.length > MAX_HOOK_TEXT) throw hookError.messageTooLong();
  const attachments =
    sanitizeAttachments(payload.attachments, { ...opts, ...(flavor === 'slack' && { max: SLACK_MAX_ATTACHMENTS }) }) ?? [];
  if (text === '' && attachments.length === 0 && !opts.allowEmpty) throw hookError.nothingToPost();

  const look = displayOverrides(payload, integration);
  if (look.avatar !== undefined && !isValidHref(look.avatar, { ...opts, allowDataImage: true })) throw hookError.invalidHref();

  const tmid = nonEmpty(payload.tmid);
  const threadTs = typeof payload.thread_ts === 'number' ? String(payload.thread_ts) : nonEmpty(payload.thread_ts);
  const parseUrls =
    typeof payload.parseUrls === 'boolean' ? payload.parseUrls : payload.unfurl_links === false ? false : !Array.isArray(payload.attachments);

  return {
    text,
    formattedText: slackToSwitchboardMarkup(text),
    attachments,
    ...look,
    destinations,
    ...(tmid !== undefined && { tmid }),
    ...(tmid === undefined && threadTs !== undefined && { threadTs }),
    parseUrls,
    groupable: payload.groupable === true,
    ...(isPlainObject(payload.customFields) && { customFields: payload.customFields }),
    separateResponse: payload.separateResponse === true,
    bot: opts.bot !== undefined ? opts.bot : { i: integration._id },
  };
}
