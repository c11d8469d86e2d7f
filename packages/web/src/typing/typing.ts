/**
 * Who is typing where: live-only state from `user.typing` frames (pumble-api.md §4.2), kept in the
 * query cache under ['typing', channelId]; each entry expires about 5 s after its last frame.
 */
import { useEffect, useReducer, useRef, useCallback } from 'react';
import { useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useRealtimeSend } from '../realtime/RealtimeProvider';

export interface Typist {
  userId: string;
  threadRootId?: string;
  until: number;
}

const SHOW_MS = 5_000;
const SEND_EVERY_MS = 3_000;

export const typingKey = (channelId: string) => ['typing', channelId] as const;

export function noteTyping(qc: QueryClient, channelId: string, userId: string, threadRootId: string | undefined): void {
  const now = Date.now();
  qc.setQueryData<Typist[]>(typingKey(channelId), (list = []) => [
    ...list.filter((x) => x.until > now && !(x.userId === userId && x.threadRootId === threadRootId)),
    { userId, ...(threadRootId && { threadRootId }), until: now + SHOW_MS },
  ]);
}

/** Their message arrived: they stopped typing there. */
export function stopTyping(qc: QueryClient, channelId: string, userId: string): void {
  const list = qc.getQueryData<Typist[]>(typingKey(channelId));
  if (list?.some((x) => x.userId === userId)) qc.setQueryData<Typist[]>(typingKey(channelId), list.filter((x) => x.userId !== userId));
}

/** The people typing in the channel (or in one of its threads), as long as their frames are fresh. */
export function useTypists(channelId: string, threadRootId?: string): string[] {
  const qc = useQueryClient();
  const { data = [] } = useQuery({
    queryKey: typingKey(channelId),
    queryFn: () => qc.getQueryData<Typist[]>(typingKey(channelId)) ?? [],
    staleTime: Infinity,
    initialData: [] as Typist[],
  });
  const [, tick] = useReducer((n: number) => n + 1, 0);
  const now = Date.now();
  const live = data.filter((x) => x.until > now && x.threadRootId === threadRootId);
  // re-render when the first of them expires
  const next = live.reduce((min, x) => Math.min(min, x.until), Infinity);
  useEffect(() => {
    if (next === Infinity) return;
    const timer = setTimeout(tick, next - Date.now() + 20);
    return () => clearTimeout(timer);
  }, [next]);
  return [...new Set(live.map((x) => x.userId))];
}

/** Call on every keystroke: tells the channel at most once every 3 s. */
export function useTypingNotifier(channelId: string, threadRootId?: string): () => void {
  const send = useRealtimeSend();
  const last = useRef(0);
  return useCallback(() => {
    const now = Date.now();
    if (now - last.current < SEND_EVERY_MS) return;
    if (send({ type: 'typing', channelId, ...(threadRootId && { threadRootId }) })) last.current = now;
  }, [send, channelId, threadRootId]);
}
