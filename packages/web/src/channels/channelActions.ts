/** Joining, creating and leaving channels; the channel list is refetched after each. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, seg } from '../lib/api';
import type { ChannelInfo } from '../lib/types';
import { channelsKey } from './useChannels';

/** Puts (or replaces) a channel in the cached list at once; the refetch confirms it. */
function remember(qc: ReturnType<typeof useQueryClient>, info: ChannelInfo) {
  qc.setQueryData<ChannelInfo[]>(channelsKey, (list) => (list ? [...list.filter((c) => c.channel.id !== info.channel.id), info] : list));
  void qc.invalidateQueries({ queryKey: channelsKey });
  void qc.invalidateQueries({ queryKey: ['unread'] });
}

export function useJoinChannel() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (channelId: string) => api.post<ChannelInfo>(`/v1/channels/${seg(channelId)}/join`),
    onSuccess: (info) => remember(qc, info),
  });
}

export function useCreateChannel() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { name: string; type: 'PUBLIC' | 'PRIVATE'; description: string }) =>
      api.post<ChannelInfo>('/v1/channels', { name: v.name, type: v.type, ...(v.description && { description: v.description }) }),
    onSuccess: (info) => remember(qc, info),
  });
}

/**
 * Leaving shows at once (the list says so before the server answers, and is put back if it refuses):
 * the channel's details, which a private channel no longer shows to a leaver, are not asked again.
 */
export function useLeaveChannel(onLeft: () => void) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (channelId: string) => api.post<void>(`/v1/channels/${seg(channelId)}/leave`),
    onMutate: async (channelId) => {
      await qc.cancelQueries({ queryKey: channelsKey, exact: true });
      const before = qc.getQueryData<ChannelInfo[]>(channelsKey);
      qc.setQueryData<ChannelInfo[]>(channelsKey, (list) =>
        list
          ?.map((c) => (c.channel.id === channelId ? { ...c, channel: { ...c.channel, isMember: false } } : c))
          // a private channel one has left is no longer visible
          .filter((c) => c.channel.isMember || c.channel.channelType === 'PUBLIC'),
      );
      return { before };
    },
    onError: (_e, _id, ctx) => {
      if (ctx?.before) qc.setQueryData(channelsKey, ctx.before);
    },
    // here rather than in mutate's options: the menu that asked may be gone by now (a private channel vanishes)
    onSuccess: (_r, channelId) => {
      onLeft();
      qc.removeQueries({ queryKey: ['channels', channelId, 'info'], exact: true });
      void qc.invalidateQueries({ queryKey: channelsKey, exact: true });
      void qc.invalidateQueries({ queryKey: ['unread'] });
    },
  });
}
