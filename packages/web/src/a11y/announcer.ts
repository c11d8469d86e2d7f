/**
 * Screen-reader announcements of new messages in the open channel (web-client.md §8). applyFrame
 * hands every frame here; a message of someone else in the channel on screen goes to the live region
 * that is listening ({@link MessageAnnouncer}), which says it politely and at most every few seconds.
 */
import type { QueryClient } from '@tanstack/react-query';
import type { ChannelInfo, Message, Session, WorkspaceUser } from '../lib/types';
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
  const people = qc.getQueryData<WorkspaceUser[]>(['users']);
  const channels = qc.getQueryData<ChannelInfo[]>(['channels']);
  const names: Names = {
    user: (id) => people?.find((u) => u.id === id)?.name,
    channel: (id) => channels?.find((c) => c.channel.id === id)?.channel.name,
  };
  listener({ author: m.alias || names.user(m.author) || '…', text: spoken(m.text, names) });
}

interface Names {
  user(id: string): string | undefined;
  channel(id: string): string | undefined;
}

/** Mentions by name, links as their words, code blocks and markup characters left out, whitespace folded, cut at MAX_CHARS. */
function spoken(text: string, names: Names): string {
  const plain = text
    .replace(/<@([A-Za-z0-9_-]+)>/g, (_, id: string) => `@${names.user(id) ?? ''}`)
    .replace(/<#([A-Za-z0-9_-]+)>/g, (_, id: string) => `#${names.channel(id) ?? ''}`)
    .replace(/```[\s\S]*?```/g, ' … ')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[*_~`>]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return plain.length > MAX_CHARS ? `${plain.slice(0, MAX_CHARS - 1)}…` : plain;
}
