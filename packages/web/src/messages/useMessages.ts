import { useInfiniteQuery, useMutation, useMutationState, useQueryClient } from '@tanstack/react-query';
import { api, seg } from '../lib/api';
import type { Message, MessagePage } from '../lib/types';
import { changeReaction, messagesKey, removeMessage, upsertMessage } from './cache';
import { changeThreadReaction, removeThreadMessage, upsertThreadMessage } from '../threads/cache';
import { addEphemeral } from '../apps/ephemeral';

export const PAGE_SIZE = 50;

export function useMessages(channelId: string) {
  return useInfiniteQuery({
    queryKey: messagesKey(channelId),
    queryFn: ({ pageParam }) => {
      const q = new URLSearchParams({ limit: String(PAGE_SIZE) });
      if (pageParam) {
        q.set('cursor', pageParam);
        q.set('strategy', 'BEFORE');
      }
      return api.get<MessagePage>(`/v1/channels/${seg(channelId)}/messages?${q}`);
    },
    initialPageParam: undefined as string | undefined,
    // "next" pages are older ones: the cursor is the oldest message loaded
    getNextPageParam: (last) => (last.hasMoreBefore ? last.messages[last.messages.length - 1]?.id : undefined),
  });
}

export interface SendVars {
  channelId: string;
  text: string;
  /** when it was typed: where the pending message sits */
  at: number;
  /** uploaded file ids (files/) */
  files?: string[];
}

const sendKey = (channelId: string) => ['send', channelId] as const;

/** Posting: the message shows as "sending" (the mutation's variables) until the server's copy is in the cache. */
export function useSendMessage(channelId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationKey: sendKey(channelId),
    mutationFn: (vars: SendVars) => api.post<Message>(`/v1/channels/${seg(vars.channelId)}/messages`, { text: vars.text, ...(vars.files?.length && { files: vars.files }) }),
    // a slash command answers with an ephemeral echo; a frame may have brought a later state first
    onSuccess: (message) => (message.isEphemeral ? addEphemeral(qc, message) : upsertMessage(qc, message, { ifAbsent: true })),
  });
}

export interface Outgoing {
  mutationId: number;
  status: 'pending' | 'error';
  vars: SendVars;
}

/** The channel's sends still in flight or failed, oldest first. */
export function useOutgoing(channelId: string): Outgoing[] {
  return useMutationState({
    filters: { mutationKey: sendKey(channelId), predicate: (m) => m.state.status === 'pending' || m.state.status === 'error' },
    select: (m) => ({ mutationId: m.mutationId, status: m.state.status as 'pending' | 'error', vars: m.state.variables as SendVars }),
  });
}

/** Forgets a failed send (before retrying it as a new one, or when the person discards it). */
export function useDiscardOutgoing() {
  const qc = useQueryClient();
  return (mutationId: number) => {
    const cache = qc.getMutationCache();
    const m = cache.getAll().find((x) => x.mutationId === mutationId);
    if (m) cache.remove(m);
  };
}

export function useEditMessage() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { message: Message; text: string }) =>
      api.put<Message>(`/v1/channels/${seg(v.message.channelId)}/messages/${seg(v.message.id)}`, { text: v.text }),
    onSuccess: (message) => {
      upsertMessage(qc, message);
      upsertThreadMessage(qc, message);
    },
  });
}

export function useDeleteMessage() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (m: Message) => api.delete<void>(`/v1/channels/${seg(m.channelId)}/messages/${seg(m.id)}`),
    onSuccess: (_r, m) => {
      removeMessage(qc, m.channelId, m.id);
      removeThreadMessage(qc, m.channelId, m.id);
    },
  });
}

export function useToggleReaction(meId: string | undefined) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { message: Message; code: string; add: boolean }) =>
      v.add ? api.post<void>(`/v1/messages/${seg(v.message.id)}/reactions`, { code: v.code }) : api.delete<void>(`/v1/messages/${seg(v.message.id)}/reactions`, { code: v.code }),
    onSuccess: (_r, v) => {
      if (!meId) return;
      changeReaction(qc, v.message.channelId, v.message.id, { user: meId, code: v.code }, v.add);
      changeThreadReaction(qc, v.message.channelId, v.message.id, { user: meId, code: v.code }, v.add);
    },
  });
}
