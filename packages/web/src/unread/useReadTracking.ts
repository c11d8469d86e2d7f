import { useEffect, useMemo, useRef, useState } from 'react';
import type { Message } from '../lib/types';
import { useMarkRead, useUnread } from './useUnread';
import { usePageVisible } from './usePageVisible';

interface Snapshot {
  lastRead: string | null;
  count: number;
}

/** Where the "new messages" line goes: after the marker as it was on opening, at the first message of someone else. */
function firstUnread(messages: Message[], snap: Snapshot, meId: string | undefined): string | undefined {
  if (snap.count <= 0) return undefined;
  if (snap.lastRead) {
    const at = messages.findIndex((m) => m.id === snap.lastRead);
    if (at !== -1) return messages.slice(at + 1).find((m) => m.author !== meId)?.id;
  }
  // the marker is older than what is loaded (or there is none yet): count back the unread ones
  let left = snap.count;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.author === meId || m.threadReplyInfo) continue;
    if (--left === 0) return m.id;
  }
  return undefined;
}

/**
 * While a channel is open and the tab visible, what arrives is read: the marker moves to the newest
 * message. Returns the id of the first message that was unread when the channel was opened (the
 * "new messages" divider stays there while the channel is open).
 */
export function useReadTracking(channelId: string, messages: Message[], meId: string | undefined): string | undefined {
  const entry = useUnread().data?.get(channelId);
  const [snap, setSnap] = useState<Snapshot | null>(null);
  const visible = usePageVisible();
  const mark = useMarkRead();
  const posted = useRef<string | undefined>(undefined);

  useEffect(() => {
    if (!snap && entry) setSnap({ lastRead: entry.lastReadMessageId, count: entry.unread });
  }, [entry, snap]);

  const newest = messages[messages.length - 1];
  const newestOther = useMemo(() => [...messages].reverse().find((m) => m.author !== meId), [messages, meId]);
  const { mutate } = mark;
  useEffect(() => {
    if (!snap || !entry || !visible || !newest) return;
    const behind = entry.unread > 0 || (newestOther !== undefined && newestOther.id !== entry.lastReadMessageId);
    if (!behind || posted.current === newest.id) return;
    posted.current = newest.id;
    mutate({ channelId, messageId: newest.id });
  }, [snap, entry, visible, newest, newestOther, channelId, mutate]);

  return useMemo(() => (snap && messages.length > 0 ? firstUnread(messages, snap, meId) : undefined), [snap, messages, meId]);
}
