import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, seg } from '../lib/api';
import type { Message } from '../lib/types';
import { upsertMessage } from '../messages/cache';

/**
 * The author takes a preview card off their message. The answer is the message without it, put in
 * the cache at once; the `message.updated` frame that follows tells every other tab and person.
 */
export function useRemoveLinkPreview(message: Pick<Message, 'id' | 'channelId'>) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (url: string) =>
      api.delete<Message>(`/v1/channels/${seg(message.channelId)}/messages/${seg(message.id)}/linkPreviews?${new URLSearchParams({ url })}`),
    onSuccess: (updated) => upsertMessage(qc, updated),
  });
}
