import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../lib/api';
import type { ChannelInfo } from '../lib/types';
import { channelsKey } from '../channels/useChannels';

/** Opens the DM of exactly these people (and me), creating it the first time (POST /v1/channels/direct). */
export function useOpenDirect() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (participantIds: string[]) => api.post<ChannelInfo>('/v1/channels/direct', { participantIds }),
    onSuccess: (info) => {
      qc.setQueryData<ChannelInfo[]>(channelsKey, (list) => (list && !list.some((c) => c.channel.id === info.channel.id) ? [...list, info] : list));
      void qc.invalidateQueries({ queryKey: channelsKey });
    },
  });
}

/** At most 8 people in a direct conversation, me included. */
export const MAX_OTHERS = 7;
