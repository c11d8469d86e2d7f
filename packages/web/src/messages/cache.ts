/**
 * The open channels' messages live in the query cache as TanStack infinite queries: page 0 is the
 * newest, each next page older (a BEFORE cursor). Realtime frames and mutation results change
 * that cache through these functions, and nothing else holds a copy.
 */
import type { InfiniteData, QueryClient } from '@tanstack/react-query';
import type { Message, MessagePage, Reaction } from '../lib/types';

export type MessagesData = InfiniteData<MessagePage, string | undefined>;

export const messagesKey = (channelId: string) => ['messages', channelId] as const;

/** Is this message part of the channel's own history (not a thread reply kept in its thread)? */
export function shownInChannel(m: Message): boolean {
  return !m.threadReplyInfo || m.threadReplyInfo.replySentToChannel;
}

function update(qc: QueryClient, channelId: string, fn: (data: MessagesData) => MessagesData): void {
  qc.setQueryData<MessagesData>(messagesKey(channelId), (data) => (data ? fn(data) : data));
}

/**
 * Replaces a message wherever it is loaded, or adds a new one to the newest page in time order.
 * `ifAbsent`: only adds. The answer to one's own post is the message as it was created; a frame
 * may already have brought a later state (its link preview, a reaction) that it must not undo.
 */
export function upsertMessage(qc: QueryClient, m: Message, opts?: { ifAbsent?: boolean }): void {
  if (!shownInChannel(m) || m.isEphemeral) return;
  update(qc, m.channelId, (data) => {
    const found = data.pages.some((p) => p.messages.some((x) => x.id === m.id));
    if (found && opts?.ifAbsent) return data;
    if (found) {
      return { ...data, pages: data.pages.map((p) => ({ ...p, messages: p.messages.map((x) => (x.id === m.id ? m : x)) })) };
    }
    const [first, ...rest] = data.pages;
    if (!first) return data;
    // newest first: before the first message that is not newer than this one
    const at = first.messages.findIndex((x) => x.timestampMilli <= m.timestampMilli);
    const messages = at === -1 ? [...first.messages, m] : [...first.messages.slice(0, at), m, ...first.messages.slice(at)];
    return { ...data, pages: [{ ...first, messages }, ...rest] };
  });
}

export function removeMessage(qc: QueryClient, channelId: string, messageId: string): void {
  update(qc, channelId, (data) => ({
    ...data,
    pages: data.pages.map((p) => (p.messages.some((x) => x.id === messageId) ? { ...p, messages: p.messages.filter((x) => x.id !== messageId) } : p)),
  }));
}

export function changeReaction(qc: QueryClient, channelId: string, messageId: string, reaction: Reaction, added: boolean): void {
  update(qc, channelId, (data) => ({
    ...data,
    pages: data.pages.map((p) => ({
      ...p,
      messages: p.messages.map((m) => {
        if (m.id !== messageId) return m;
        const has = m.reactions.some((r) => r.user === reaction.user && r.code === reaction.code);
        if (added === has) return m;
        return { ...m, reactions: added ? [...m.reactions, reaction] : m.reactions.filter((r) => r.user !== reaction.user || r.code !== reaction.code) };
      }),
    })),
  }));
}

/** Oldest first, the order the list shows. */
export function flatten(data: { pages: MessagePage[] } | undefined): Message[] {
  if (!data) return [];
  const out: Message[] = [];
  for (let i = data.pages.length - 1; i >= 0; i--) {
    const page = data.pages[i]!;
    for (let j = page.messages.length - 1; j >= 0; j--) {
      const m = page.messages[j]!;
      if (!m.deleted) out.push(m);
    }
  }
  return out;
}

/** How many loaded messages came with older pages: the list's prepend anchor. */
export function olderCount(data: { pages: MessagePage[] } | undefined): number {
  if (!data) return 0;
  let n = 0;
  for (let i = 1; i < data.pages.length; i++) n += data.pages[i]!.messages.filter((m) => !m.deleted).length;
  return n;
}
