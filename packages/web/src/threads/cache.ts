/**
 * An open thread in the query cache: its root and replies (oldest first) under
 * ['messages', channelId, 'thread', rootId] — inside the channel's key, so a resync or a deleted
 * channel takes it along. Frames and mutations change it through these functions.
 */
import type { QueryClient } from '@tanstack/react-query';
import type { Message, Reaction } from '../lib/types';

export interface ThreadData {
  root: Message;
  replies: Message[];
}

export const threadKey = (channelId: string, rootId: string) => ['messages', channelId, 'thread', rootId] as const;
const channelThreads = (channelId: string) => ['messages', channelId, 'thread'] as const;

function each(qc: QueryClient, channelId: string, fn: (t: ThreadData) => ThreadData): void {
  for (const [key, data] of qc.getQueriesData<ThreadData>({ queryKey: channelThreads(channelId) })) {
    if (data) qc.setQueryData<ThreadData>(key, fn(data));
  }
}

/**
 * A reply lands in its thread; a root's new counters or an edit replace what is shown. `ifAbsent`:
 * only adds (the answer to one's own reply must not undo a later state a frame brought).
 */
export function upsertThreadMessage(qc: QueryClient, m: Message, opts?: { ifAbsent?: boolean }): void {
  if (m.isEphemeral) return;
  const rootId = m.threadReplyInfo?.rootId;
  each(qc, m.channelId, (t) => {
    if (t.root.id === m.id) return opts?.ifAbsent ? t : { ...t, root: m };
    if (rootId !== t.root.id) return t;
    const has = t.replies.some((r) => r.id === m.id);
    if (has && opts?.ifAbsent) return t;
    const replies = has ? t.replies.map((r) => (r.id === m.id ? m : r)) : [...t.replies, m].sort((a, b) => a.timestampMilli - b.timestampMilli);
    return { ...t, replies };
  });
}

export function removeThreadMessage(qc: QueryClient, channelId: string, messageId: string): void {
  each(qc, channelId, (t) => (t.replies.some((r) => r.id === messageId) ? { ...t, replies: t.replies.filter((r) => r.id !== messageId) } : t.root.id === messageId ? { ...t, root: { ...t.root, deleted: true } } : t));
}

export function changeThreadReaction(qc: QueryClient, channelId: string, messageId: string, reaction: Reaction, added: boolean): void {
  const apply = (m: Message): Message => {
    if (m.id !== messageId) return m;
    const has = m.reactions.some((r) => r.user === reaction.user && r.code === reaction.code);
    if (added === has) return m;
    return { ...m, reactions: added ? [...m.reactions, reaction] : m.reactions.filter((r) => r.user !== reaction.user || r.code !== reaction.code) };
  };
  each(qc, channelId, (t) => ({ root: apply(t.root), replies: t.replies.map(apply) }));
}
