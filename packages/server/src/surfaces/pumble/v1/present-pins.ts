/**
 * Pinned and saved messages as `/v1` clients see them (docs/pumble-api.md §5; docs/web-client.md
 * §6.1). The names follow Pumble's own: a channel's `pinnedMessages` entries are `{workspaceUserId,
 * messageId}` (§12.3 ChannelInfo) and a saved message carries `savedTimestampMilli`.
 */
import type { Pin, SavedMessage } from '../../../domain/ports/pins.js';
import { presentChannel, presentMessage } from './present.js';

export function presentPin(p: Pin) {
  return {
    channelId: p.channelId,
    messageId: p.messageId,
    workspaceUserId: p.pinnedBy,
    pinnedTimestampMilli: p.pinnedAt,
    message: presentMessage(p.message),
  };
}

export function presentSaved(s: SavedMessage) {
  return {
    message: presentMessage(s.message),
    channel: presentChannel(s.channel, s.isMember),
    savedTimestampMilli: s.savedAt,
  };
}
