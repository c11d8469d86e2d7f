/**
 * Read state lives on the server (web-client.md §5): a read marker per membership, with unread and
 * mention counts. This is its one copy in the tab — the query cache — and the ways it changes.
 */
import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { api, seg } from '../lib/api';

export interface UnreadState {
  channelId: string;
  /** the newest message read; null when nothing was read since joining */
  lastReadMessageId: string | null;
  unread: number;
  mentions: number;
}

export const unreadKey = ['unread'] as const;

const byChannel = (list: UnreadState[]) => new Map(list.map((u) => [u.channelId, u]));

export function useUnread() {
  return useQuery({ queryKey: unreadKey, queryFn: () => api.get<UnreadState[]>('/v1/channels/unread'), select: byChannel });
}

/** The channel is read up to `lastReadMessageId` (an answer of ours, or a `channel.read` frame from any tab). */
export function setRead(qc: QueryClient, channelId: string, lastReadMessageId: string | null): void {
  qc.setQueryData<UnreadState[]>(unreadKey, (list) => {
    if (!list) return list;
    const found = list.some((u) => u.channelId === channelId);
    const next = { channelId, lastReadMessageId, unread: 0, mentions: 0 };
    return found ? list.map((u) => (u.channelId === channelId ? next : u)) : [...list, next];
  });
}

let refreshTimer: ReturnType<typeof setTimeout> | undefined;

/** New messages somewhere: the counts are refetched once the burst is over. */
export function refreshUnreadSoon(qc: QueryClient, delayMs = 400): void {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => void qc.invalidateQueries({ queryKey: unreadKey }), delayMs);
}

export function useMarkRead() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { channelId: string; messageId?: string }) =>
      api.post<{ channelId: string; lastReadMessageId: string | null }>(`/v1/channels/${seg(v.channelId)}/read`, v.messageId ? { messageId: v.messageId } : {}),
    onSuccess: (r) => setRead(qc, r.channelId, r.lastReadMessageId),
  });
}
