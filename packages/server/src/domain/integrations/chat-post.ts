/**
 * Rocket.Chat's `chat.postMessage` and `chat.sendMessage` (docs/integrations.md §12.5): a person posting
 * through the REST API. Upstream runs chat.postMessage through processWebhookMessage — the incoming
 * webhook's destination rules (§7.5) — and chat.sendMessage through its sendMessage method (one room,
 * by id). Here both become an IncomingPostRequest that the IntegrationPoster posts as the caller, with
 * no integration and no bot tag: the same destination, membership, auto-join, DM and content rules as
 * an incoming webhook, and upstream's own checks and words for these two calls. Which failure is a
 * Meteor error (`[code]`, with the code as `errorType`) and which a plain one is upstream's; the
 * Rocket.Chat surface renders the IntegrationErrors these rules throw (surfaces/rocketchat/envelope.ts).
 */
import type { Message } from '../model.js';
import { codedError, plainError } from './errors.js';
import { HookError } from './hook-errors.js';
import type { ChannelResult } from './incoming-script-result.js';
import { MAX_HOOK_TEXT, normalizeIncomingPayload, type IncomingIntegrationConfig, type IncomingPostRequest } from './incoming-payload.js';

/** processWebhookMessage's `defaultValues` when no integration posts: no channel, alias, avatar or emoji of its own. */
const NO_INTEGRATION: IncomingIntegrationConfig = { _id: '', channel: [] };

/**
 * Upstream's `Message_MaxAllowedSize`: Switchboard has no such setting; a posted text has the
 * incoming webhooks' limit (§7.5), the longest text an integration's message may have.
 */
export const CHAT_MAX_TEXT = MAX_HOOK_TEXT;

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Upstream's validateCustomMessageFields while `Message_CustomFields_Enabled` is off — always, here. */
const customFieldsRefused = () => plainError('Custom fields not enabled');

/** chat.sendMessage without a room: upstream's executeSendMessage, word for word. */
export const ridMissing = () => plainError("The 'rid' property on the message object is missing.");

/**
 * chat.postMessage's body (its shape checked by the surface's schema, upstream's
 * `isChatPostMessageProps`) as a post request. Upstream checks the sizes first (`API.v1.failure`: the
 * word alone), then processWebhookMessage's rules apply; custom fields, which Switchboard's messages
 * do not have, are refused as upstream refuses them while they are switched off.
 */
export function chatPostMessageRequest(body: Record<string, unknown>): IncomingPostRequest {
  const tooLong = (v: unknown) => typeof v === 'string' && v.length > CHAT_MAX_TEXT;
  if (tooLong(body.text)) throw plainError('error-message-size-exceeded');
  if (Array.isArray(body.attachments) && body.attachments.some((a) => isPlainObject(a) && tooLong(a.text))) {
    throw plainError('error-message-size-exceeded');
  }
  const request = normalizeIncomingPayload(body, NO_INTEGRATION, { destinationOverride: 'always', bot: null });
  if (body.customFields) throw customFieldsRefused();
  return request;
}

/**
 * What chat.sendMessage refuses before it looks anything up, in upstream's order and words: system
 * messages (any `t`: Switchboard posts no message types), `tshow` without a thread, a text over the
 * limit (a Meteor error there, unlike chat.postMessage's).
 */
export function checkChatSendMessage(message: Record<string, unknown>): void {
  if (typeof message.t === 'string' && message.t !== '') throw plainError("Cannot send system messages using 'chat.sendMessage'");
  if (message.tshow && !message.tmid) throw codedError('invalid-params', 'tshow provided but missing tmid');
  if (typeof message.msg === 'string' && message.msg.length > CHAT_MAX_TEXT) {
    throw codedError('error-message-size-exceeded', 'Message size exceeds Message_MaxAllowedSize');
  }
}

/**
 * chat.sendMessage's `message` as a post request to the room `rid` (a room id only, or `GENERAL`):
 * `msg` is its text (a `text` field is not read, as upstream), `tmid` its thread and `tshow` whether
 * the reply is also shown in the room. `_id`, `blocks` and `previewUrls` are not kept: Switchboard
 * chooses message ids, and previews links itself.
 */
export function chatSendMessageRequest(message: Record<string, unknown>, rid: string): IncomingPostRequest {
  const { msg, alias, emoji, avatar, attachments, tmid } = message;
  const request = normalizeIncomingPayload(
    { msg, alias, emoji, avatar, attachments, tmid },
    NO_INTEGRATION,
    { destinations: [{ kind: 'id', ref: rid, raw: rid }], bot: null },
  );
  if (message.customFields) throw customFieldsRefused();
  return { ...request, ...(message.tshow === true && { tshow: true }) };
}

/**
 * The answer of a post: a destination's failure is the failure (nothing was posted, §7.5); else the
 * first destination's message, as upstream answers `sentData[0]`.
 */
export function firstPosted(results: readonly ChannelResult[]): { channel: string; message: Message } {
  for (const r of results) if ('error' in r) throw r.error;
  const first = results.find((r) => 'message' in r && r.message !== null);
  if (!first || !('message' in first)) throw plainError('unknown-error');
  return { channel: first.channel, message: first.message as Message };
}

/**
 * A refusal met on the way, as upstream's REST API answers these calls: `invalid-channel` is a Meteor
 * error without a reason (`[invalid-channel]`, errorType `invalid-channel`); the other webhook
 * refusals are plain Errors there (`error-not-allowed`, `Not enough permission`, `Invalid href value
 * provided`, `Match error: …`), whose text is the whole answer. A server failure stays one (a 500).
 */
export function toChatError(err: unknown): unknown {
  if (!(err instanceof HookError)) return err;
  if (err.reason === 'server-error') return new Error('Internal server error');
  if (typeof err.error !== 'string') return plainError(err.message);
  if (err.error === 'invalid-channel') return codedError('invalid-channel', '');
  return plainError(err.error);
}
