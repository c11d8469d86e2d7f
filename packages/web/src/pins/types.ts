/** The `/v1` shapes of pins and saved messages (surfaces/pumble/v1/present-pins.ts on the server). */
import type { Channel, Message } from '../lib/types';

/** A message pinned to its channel: who pinned it and when, with the message. */
export interface Pin {
  channelId: string;
  messageId: string;
  workspaceUserId: string;
  pinnedTimestampMilli: number;
  message: Message;
}

/** A message the person saved for themselves, with the channel it is in. */
export interface SavedMessage {
  message: Message;
  channel: Channel;
  savedTimestampMilli: number;
}

export interface SavedPage {
  saved: SavedMessage[];
  hasMore: boolean;
  nextCursor?: string;
}

/** Where a message opens: its place in the channel, or its thread when it lives only there. */
export function messagePath(m: Pick<Message, 'id' | 'channelId' | 'threadReplyInfo'>): string {
  const c = encodeURIComponent(m.channelId);
  const reply = m.threadReplyInfo;
  if (reply && !reply.replySentToChannel) return `/c/${c}/t/${encodeURIComponent(reply.rootId)}`;
  return `/c/${c}/m/${encodeURIComponent(m.id)}`;
}
