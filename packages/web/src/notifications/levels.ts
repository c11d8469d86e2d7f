/**
 * Per-channel notification levels (web-client.md §6.8), kept by the server per membership:
 * GET /v1/channels/notificationLevels and PUT /v1/channels/{id}/notificationLevel. The key sits under
 * ['channels'], so whatever refreshes the channel list (membership frames, a reconnect) reads them again.
 */
import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { api, seg } from '../lib/api';

export type NotificationLevel = 'all' | 'mentions' | 'nothing';
export const NOTIFICATION_LEVELS: readonly NotificationLevel[] = ['all', 'mentions', 'nothing'];

export interface ChannelNotificationLevel {
  channelId: string;
  level: NotificationLevel;
  isDefault: boolean;
}

export const notificationLevelsKey = ['channels', 'notificationLevels'] as const;

/** The server's default: every message of a direct conversation, mentions elsewhere. */
export const defaultLevel = (direct: boolean): NotificationLevel => (direct ? 'all' : 'mentions');

const fetchLevels = () => api.get<ChannelNotificationLevel[]>('/v1/channels/notificationLevels');

const byChannel = (list: ChannelNotificationLevel[]) => new Map(list.map((l) => [l.channelId, l.level]));

/** The person's level in every channel they belong to, by channel id. */
export function useNotificationLevels() {
  return useQuery({ queryKey: notificationLevelsKey, queryFn: fetchLevels, select: byChannel });
}

export function useSetNotificationLevel() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ channelId, level }: { channelId: string; level: NotificationLevel }) =>
      api.put<ChannelNotificationLevel>(`/v1/channels/${seg(channelId)}/notificationLevel`, { level }),
    onSuccess: (saved) => storeNotificationLevel(qc, saved),
  });
}

/**
 * One channel's level into the cached list: the answer to this tab's PUT, or a
 * `notification_level.updated` frame from another of the person's tabs (realtime/applyFrame.ts).
 * A list not read yet stays unread: whoever needs it reads it whole, this level included.
 */
export function storeNotificationLevel(qc: QueryClient, saved: ChannelNotificationLevel): void {
  qc.setQueryData<ChannelNotificationLevel[]>(notificationLevelsKey, (list) => (list ? [...list.filter((l) => l.channelId !== saved.channelId), saved] : list));
}

/**
 * The level in force for a channel (desktop notifications ask outside React): from the cache, read
 * from the server when nothing holds it (no channel menu on screen); the default if that fails.
 */
export async function notificationLevelOf(qc: QueryClient, channelId: string, direct: boolean): Promise<NotificationLevel> {
  const levels = await qc.ensureQueryData({ queryKey: notificationLevelsKey, queryFn: fetchLevels }).catch(() => undefined);
  return levels?.find((l) => l.channelId === channelId)?.level ?? defaultLevel(direct);
}
