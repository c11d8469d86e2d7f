/**
 * Screen-reader announcements of new messages in the open channel (web-client.md §8). applyFrame
 * hands every frame here; a message of someone else in the channel on screen goes to the live region
 * that is listening ({@link MessageAnnouncer}), which says it politely and at most every few seconds.
 */
import type { QueryClient } from '@tanstack/react-query';
import type { Message, Session } from '../lib/types';
import { cachedNames, plainText } from '../lib/plainText';
import type { Frame } from '../realtime/socket';

export interface Announcement {
  author: string;
  /** the message as words: mentions by name, markup left out, cut short */
  text: string;
}

let channelOnScreen: string | undefined;
let listener: ((a: Announcement) => void) | undefined;

/** The live region listens for messages of one channel (the open one) until the returned function runs. */
export function listenForMessages(channelId: string, onMessage: (a: Announcement) => void): () => void {
  channelOnScreen = channelId;
  listener = onMessage;
  return () => {
    if (listener !== onMessage) return;
    channelOnScreen = undefined;
    listener = undefined;
  };
}

const MAX_CHARS = 160;

export function announceFrame(qc: QueryClient, frame: Frame): void {
  if (frame.type !== 'message.created' || !listener) return;
  const m = frame.message as Message;
  if (m.channelId !== channelOnScreen || m.isEphemeral || (m.threadReplyInfo && !m.threadReplyInfo.replySentToChannel)) return;
  if (m.author === qc.getQueryData<Session | null>(['session'])?.workspaceUserId) return;
  const names = cachedNames(qc);
  listener({ author: m.alias || names.user(m.author) || '…', text: plainText(m.text, names, MAX_CHARS) });
}
