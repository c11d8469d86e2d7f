/**
 * Ephemeral messages (docs/pumble-api.md §4.2 `message.ephemeral*`): only their recipients get them,
 * as frames (and a command's echo as the answer to its POST); the server keeps no history of them
 * for people, so they live in the query cache for this tab's life, per channel, and the list merges
 * them in time order. Dismissing one forgets it here.
 */
import { useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { Message } from '../lib/types';

export const ephemeralKey = (channelId: string) => ['apps', 'ephemeral', channelId] as const;

export function addEphemeral(qc: QueryClient, m: Message): void {
  qc.setQueryData<Message[]>(ephemeralKey(m.channelId), (list = []) => {
    const message = { ...m, isEphemeral: true };
    return list.some((x) => x.id === m.id) ? list.map((x) => (x.id === m.id ? message : x)) : [...list, message];
  });
}

export function removeEphemeral(qc: QueryClient, channelId: string, messageId: string): void {
  qc.setQueryData<Message[]>(ephemeralKey(channelId), (list) => list?.filter((x) => x.id !== messageId));
}

/** The channel's ephemeral messages (none until one arrives: nothing to fetch). */
export function useEphemerals(channelId: string): Message[] {
  const { data } = useQuery({ queryKey: ephemeralKey(channelId), queryFn: () => [] as Message[], staleTime: Infinity, gcTime: Infinity });
  return data ?? EMPTY;
}
const EMPTY: Message[] = [];

/** The channel's messages (oldest first) with its ephemeral ones in time order. */
export function withEphemerals(messages: Message[], ephemerals: Message[]): Message[] {
  if (ephemerals.length === 0) return messages;
  const shown = ephemerals.filter((e) => !e.threadReplyInfo || e.threadReplyInfo.replySentToChannel);
  return [...messages, ...shown].sort((a, b) => a.timestampMilli - b.timestampMilli || (a.id < b.id ? -1 : 1));
}

export function useDismissEphemeral() {
  const qc = useQueryClient();
  return (m: Message) => removeEphemeral(qc, m.channelId, m.id);
}
