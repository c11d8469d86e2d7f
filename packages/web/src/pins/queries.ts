/**
 * Pins and saved messages in the query cache: a channel's pins (`['pins', channelId]`, newest pin
 * first), which of a channel's messages the person saved (`['saved-ids', channelId]`), and the Saved
 * view's pages (`['saved']`). Mutation results and realtime frames (frames.ts) change them through
 * the functions here, and nothing else holds a copy.
 */
import { useInfiniteQuery, useQuery, type InfiniteData, type QueryClient } from '@tanstack/react-query';
import { api, seg } from '../lib/api';
import type { Message } from '../lib/types';
import type { Pin, SavedMessage, SavedPage } from './types';

export const pinsKey = (channelId: string) => ['pins', channelId] as const;
export const savedIdsKey = (channelId: string) => ['saved-ids', channelId] as const;
export const savedKey = ['saved'] as const;

const SAVED_PAGE = 30;

type SavedData = InfiniteData<SavedPage, string | undefined>;

const fetchPins = (channelId: string) => api.get<Pin[]>(`/v1/channels/${seg(channelId)}/pins`);
const fetchSavedIds = async (channelId: string) => (await api.get<{ messageIds: string[] }>(`/v1/channels/${seg(channelId)}/saved`)).messageIds;

/** The channel's pins, newest pin first. */
export function usePins(channelId: string) {
  return useQuery({ queryKey: pinsKey(channelId), queryFn: () => fetchPins(channelId) });
}

/** Which of the channel's messages the person saved (the channel view keeps it loaded for its rows). */
export function useSavedIds(channelId: string) {
  return useQuery({ queryKey: savedIdsKey(channelId), queryFn: () => fetchSavedIds(channelId) });
}

/** The Saved view: newest save first, older pages by cursor. */
export function useSavedList() {
  return useInfiniteQuery({
    queryKey: savedKey,
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => {
      const q = new URLSearchParams({ limit: String(SAVED_PAGE) });
      if (pageParam) q.set('cursor', pageParam);
      return api.get<SavedPage>(`/v1/saved?${q}`);
    },
    getNextPageParam: (last) => (last.hasMore ? last.nextCursor : undefined),
  });
}

// ---- cache changes (mutations and frames) -------------------------------------------------------

export function addPin(qc: QueryClient, pin: Pin): void {
  qc.setQueryData<Pin[]>(pinsKey(pin.channelId), (pins) => {
    if (!pins) return pins;
    const rest = pins.filter((p) => p.messageId !== pin.messageId);
    return [pin, ...rest].sort((a, b) => b.pinnedTimestampMilli - a.pinnedTimestampMilli || (a.messageId < b.messageId ? 1 : -1));
  });
}

export function removePin(qc: QueryClient, channelId: string, messageId: string): void {
  qc.setQueryData<Pin[]>(pinsKey(channelId), (pins) => pins?.filter((p) => p.messageId !== messageId));
}

export function setSaved(qc: QueryClient, channelId: string, messageId: string, saved: boolean): void {
  qc.setQueryData<string[]>(savedIdsKey(channelId), (ids) => {
    if (!ids) return ids;
    const has = ids.includes(messageId);
    if (has === saved) return ids;
    return saved ? [...ids, messageId] : ids.filter((id) => id !== messageId);
  });
  if (saved) void qc.invalidateQueries({ queryKey: savedKey });
  else {
    qc.setQueryData<SavedData>(savedKey, (data) =>
      data && { ...data, pages: data.pages.map((p) => ({ ...p, saved: p.saved.filter((s) => s.message.id !== messageId) })) },
    );
  }
}

/** An edited message (or a thread's new counts) shows as such in the pins and the Saved view. */
export function updatePinnedOrSaved(qc: QueryClient, m: Message): void {
  qc.setQueryData<Pin[]>(pinsKey(m.channelId), (pins) => (pins?.some((p) => p.messageId === m.id) ? pins.map((p) => (p.messageId === m.id ? { ...p, message: m } : p)) : pins));
  qc.setQueryData<SavedData>(savedKey, (data) =>
    data?.pages.some((p) => p.saved.some((s) => s.message.id === m.id))
      ? { ...data, pages: data.pages.map((p) => ({ ...p, saved: p.saved.map((s) => (s.message.id === m.id ? { ...s, message: m } : s)) })) }
      : data,
  );
}

// ---- changes ----------------------------------------------------------------------------------------
// Plain functions rather than mutation hooks: the buttons live in every message row (rowState.ts).

/** Pins or unpins the message; the cache follows the answer (the frame says the same to other tabs). */
export async function pinMessage(qc: QueryClient, message: Pick<Message, 'id' | 'channelId'>, pin: boolean): Promise<void> {
  const path = `/v1/channels/${seg(message.channelId)}/messages/${seg(message.id)}/pin`;
  if (pin) addPin(qc, await api.put<Pin>(path));
  else {
    await api.delete<unknown>(path);
    removePin(qc, message.channelId, message.id);
  }
}

/** Saves the message for the person, or removes it from their saved messages. */
export async function saveMessage(qc: QueryClient, message: Pick<Message, 'id' | 'channelId'>, save: boolean): Promise<void> {
  const path = `/v1/messages/${seg(message.id)}/saved`;
  if (save) await api.put<SavedMessage>(path);
  else await api.delete<unknown>(path);
  setSaved(qc, message.channelId, message.id, save);
}
