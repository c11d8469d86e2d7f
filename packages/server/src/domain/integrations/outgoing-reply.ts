/**
 * Replies of outgoing integrations (docs/integrations.md §8.6 step 3–4, §8.8): who posts, where, and the
 * post request built from a target's answer or a script's message. Replies go through the incoming
 * message builder (§7.5–§7.6), tagged with the integration so the loop guard (§8.3) recognises them.
 */
import type { ChannelType } from '../model.js';
import { normalizeIncomingPayload, type IncomingPostRequest, type NormalizeOptions } from './incoming-payload.js';
import type { MatchMessage, OutgoingIntegrationConfig } from './outgoing-match.js';
import { replyHops } from './outgoing-match.js';
import type { PreparedRequest } from './outgoing-request.js';
import type { OutgoingHistoryStep } from './history-redaction.js';

/**
 * §8.8 / §12.3 #14: the triggering user when `impersonateUser` is set and that user exists, else the
 * integration's post-as user; undefined when neither exists (nothing is posted, history records an error).
 */
export function choosePostingUser<U>(
  integration: Pick<OutgoingIntegrationConfig, 'impersonateUser'>,
  users: { triggeringUser?: U | null; integrationUser?: U | null },
): U | undefined {
  if (integration.impersonateUser === true && users.triggeringUser) return users.triggeringUser;
  return users.integrationUser ?? undefined;
}

/** The room the event happened in, for the default destination. */
export interface TriggerRoom {
  id: string;
  type: ChannelType;
}

/** The default destination of a reply: `@<rid>` for DMs, `#<rid>` otherwise (§8.8). `@<rid>` names the DM room by its id. */
export function defaultReplyDestination(room: TriggerRoom): string {
  return room.type === 'DIRECT' || room.type === 'SELF' ? `@${room.id}` : `#${room.id}`;
}

const nonBlank = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

/**
 * §8.8 / §12.3 #15: an explicit target (if the caller has one) → the message's `channel` → the
 * integration's `targetRoom` → the triggering room. Undefined when there is nowhere to post
 * (`userCreated` without `targetRoom`, which create-time validation prevents).
 */
export function replyDestination(s: {
  explicit?: string;
  messageChannel?: unknown;
  targetRoom?: string;
  room?: TriggerRoom;
}): string | undefined {
  const fromMessage = Array.isArray(s.messageChannel) ? s.messageChannel.map(nonBlank).find(Boolean) : nonBlank(s.messageChannel);
  return nonBlank(s.explicit) ?? fromMessage ?? nonBlank(s.targetRoom) ?? (s.room ? defaultReplyDestination(s.room) : undefined);
}

export interface ReplyContext {
  integration: Pick<OutgoingIntegrationConfig, '_id' | 'alias' | 'avatar' | 'emoji' | 'targetRoom'>;
  room?: TriggerRoom;
  /** the message that triggered the call, for the hop counter */
  trigger?: MatchMessage;
  explicit?: string;
  attachmentOptions?: Omit<NormalizeOptions, 'flavor' | 'bot' | 'destinationOverride'>;
}

/**
 * The post request of a reply `{text, attachments, username/alias, icon_url/avatar, icon_emoji/emoji, channel?}`:
 * destination chosen as above, integration defaults for alias/avatar/emoji, tag `bot: {i, hops}`.
 * Throws the builder's HookError (e.g. `unknown-error` for nothing to post) or `invalid-channel` when
 * there is nowhere to post.
 */
export function buildReplyRequest(message: Record<string, unknown>, ctx: ReplyContext): IncomingPostRequest {
  const destination = replyDestination({
    ...(ctx.explicit !== undefined && { explicit: ctx.explicit }),
    messageChannel: message.channel,
    ...(ctx.integration.targetRoom !== undefined && { targetRoom: ctx.integration.targetRoom }),
    ...(ctx.room && { room: ctx.room }),
  });
  const { roomId: _ignored, ...rest } = message;
  return normalizeIncomingPayload(
    { ...rest, channel: destination ?? [] },
    { _id: ctx.integration._id, channel: [], alias: ctx.integration.alias ?? '', avatar: ctx.integration.avatar ?? '', emoji: ctx.integration.emoji ?? '' },
    { ...ctx.attachmentOptions, flavor: 'hooks', destinationOverride: 'always', bot: { i: ctx.integration._id, hops: replyHops(ctx.trigger) } },
  );
}

/** §8.6 step 3: the argument of `process_outgoing_response` (`content` is the raw text, as current upstream). */
export function processResponseArgument(
  request: PreparedRequest,
  response: { status: number; text: string; headers: Record<string, string> },
): { request: PreparedRequest; response: { error: null; status_code: number; content: string; content_raw: string; headers: Record<string, string> } } {
  return { request, response: { error: null, status_code: response.status, content: response.text, content_raw: response.text, headers: response.headers } };
}

export type ProcessResponseOutcome =
  | { kind: 'post'; message: Record<string, unknown>; step: 'after-process-send-message' }
  | { kind: 'stop'; step: 'after-process-false-result' }
  | { kind: 'continue' };

/** §8.6 step 3 / §12.3 #31–#32: `{content: msg}` → post it and stop; exactly `false` → stop; anything else → go on. */
export function interpretProcessResponseResult(result: unknown): ProcessResponseOutcome {
  if (result === false) return { kind: 'stop', step: 'after-process-false-result' };
  if (typeof result === 'object' && result !== null && !Array.isArray(result)) {
    const content = (result as Record<string, unknown>).content;
    if (typeof content === 'object' && content !== null && !Array.isArray(content)) {
      return { kind: 'post', message: content as Record<string, unknown>, step: 'after-process-send-message' };
    }
  }
  return { kind: 'continue' };
}

/** Where a reply came from, and the history step of its success or failure (§8.9 vocabulary). */
export type ReplySource = 'prepare' | 'process' | 'response';
export function replyStep(source: ReplySource, posted: boolean): OutgoingHistoryStep {
  if (source === 'prepare') return posted ? 'after-prepare-send-message' : 'after-prepare-send-message-failed';
  if (source === 'process') return posted ? 'after-process-send-message' : 'after-process-send-message-failed';
  return posted ? 'url-response-sent-message' : 'after-http-call-send-message-failed';
}
