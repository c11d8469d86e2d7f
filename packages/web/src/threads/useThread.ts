import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, seg } from '../lib/api';
import type { Message } from '../lib/types';
import { upsertMessage } from '../messages/cache';
import { threadKey, upsertThreadMessage, type ThreadData } from './cache';

/** A thread's root and its replies (oldest first; the first 100, which is what a thread panel shows). */
export function useThread(channelId: string, rootId: string) {
  return useQuery({
    queryKey: threadKey(channelId, rootId),
    queryFn: async (): Promise<ThreadData> => {
      const [root, replies] = await Promise.all([
        api.get<Message>(`/v1/channels/${seg(channelId)}/messages/${seg(rootId)}`),
        api.get<Message[]>(`/v1/channels/${seg(channelId)}/messages/${seg(rootId)}/replies?limit=100`),
      ]);
      return { root, replies };
    },
  });
}

export interface ReplyVars {
  text: string;
  alsoSendToChannel: boolean;
}

export function useSendReply(channelId: string, rootId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: ReplyVars) =>
      api.post<Message>(`/v1/channels/${seg(channelId)}/messages/${seg(rootId)}`, { text: v.text, ...(v.alsoSendToChannel && { alsoSendToChannel: true }) }),
    // a frame may have brought a later state of the reply first (its link preview)
    onSuccess: (m) => {
      upsertThreadMessage(qc, m, { ifAbsent: true });
      upsertMessage(qc, m, { ifAbsent: true }); // shown in the channel too when also sent there
    },
  });
}
