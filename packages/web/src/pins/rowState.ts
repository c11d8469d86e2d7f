/**
 * What one message row asks of pins and saves — is it pinned, is it saved, may the person pin in its
 * channel — read from the query cache without a query observer per row: the list mounts rows as it
 * scrolls, and an observer each would cost every row. The channel view's header keeps the channel's
 * pins and saved ids loaded (PinsButton); rows subscribe to one cache listener and re-render only
 * when their own answer changes.
 */
import { useSyncExternalStore } from 'react';
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { ChannelInfo } from '../lib/types';
import { pinsKey, savedIdsKey } from './queries';
import type { Pin } from './types';

const WATCHED_KEYS = new Set<unknown>(['pins', 'saved-ids', 'channels']);
const listeners = new Set<() => void>();
const watching = new WeakSet<QueryClient>();

function watch(qc: QueryClient): void {
  if (watching.has(qc)) return;
  watching.add(qc);
  qc.getQueryCache().subscribe((e) => {
    if (WATCHED_KEYS.has(e.query.queryKey[0])) for (const l of listeners) l();
  });
}

const subscribe = (l: () => void) => {
  listeners.add(l);
  return () => void listeners.delete(l);
};

function useCacheAnswer<T>(read: (qc: QueryClient) => T): T {
  const qc = useQueryClient();
  watch(qc);
  return useSyncExternalStore(subscribe, () => read(qc));
}

/** The message's pin, if it is pinned (undefined until the channel's pins are loaded). */
export function usePinOfRow(channelId: string, messageId: string): Pin | undefined {
  return useCacheAnswer((qc) => qc.getQueryData<Pin[]>(pinsKey(channelId))?.find((p) => p.messageId === messageId));
}

export function useIsSavedRow(channelId: string, messageId: string): boolean {
  return useCacheAnswer((qc) => qc.getQueryData<string[]>(savedIdsKey(channelId))?.includes(messageId) ?? false);
}

/** Pinning is for the channel's members while it takes changes. */
export function useMayPinIn(channelId: string): boolean {
  return useCacheAnswer((qc) => {
    const channel = qc.getQueryData<ChannelInfo[]>(['channels'])?.find((c) => c.channel.id === channelId)?.channel;
    return !!channel && channel.isMember && !channel.isArchived;
  });
}
