/** Joining, creating, editing, archiving and leaving channels; the channel list is refetched after each. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, seg } from '../lib/api';
import type { ChannelInfo, WorkspaceUser } from '../lib/types';
import { isAdmin } from '../admin/isAdmin';
import { channelsKey } from './useChannels';

/** What a channel's name may be (the server's rule, domain/channels.ts). */
export const CHANNEL_NAME = /^[\p{L}\p{N}_.\- ]{1,80}$/u;

/** Puts (or replaces) a channel in the cached list at once; the refetch confirms it. */
export function remember(qc: ReturnType<typeof useQueryClient>, info: ChannelInfo) {
  qc.setQueryData<ChannelInfo[]>(channelsKey, (list) => (list ? [...list.filter((c) => c.channel.id !== info.channel.id), info] : list));
  void qc.invalidateQueries({ queryKey: channelsKey });
  void qc.invalidateQueries({ queryKey: ['unread'] });
}

/** Archives or unarchives a channel (the channel menu's dialog and the admin console's list). */
export function setArchived(channelId: string, archived: boolean): Promise<ChannelInfo> {
  return api.post<ChannelInfo>(`/v1/channels/${seg(channelId)}/${archived ? 'archive' : 'unarchive'}`);
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

/**
 * Who may manage a channel, as the server decides (domain channels.ts mayManage): owners and admins,
 * and the person who created it; a public or private channel.
 */
function mayManage(info: ChannelInfo, me: WorkspaceUser | undefined): me is WorkspaceUser {
  const { channel } = info;
  if (!me || (channel.channelType !== 'PUBLIC' && channel.channelType !== 'PRIVATE')) return false;
  return isAdmin(me.workspaceRole) || (channel.addedById !== undefined && channel.addedById === me.id);
}

/** Archiving and unarchiving (domain channels.setArchived): not the general channel. */
export const canArchive = (info: ChannelInfo, me: WorkspaceUser | undefined) => !info.channel.isMain && mayManage(info, me);

/**
 * Renaming a channel or changing its description (`PATCH /v1/channels/{channelId}`, domain
 * channels.update): not while archived; the general channel's description only (its dialog shows
 * the name read-only).
 */
export const canEditChannel = (info: ChannelInfo, me: WorkspaceUser | undefined) => !info.channel.isArchived && mayManage(info, me);

/**
 * Who may add people to this channel from the web client: as the server decides (domain
 * channels.addMembers) — a member (or an admin) who is not a guest, in a channel that is not a DM
 * and not archived. The button is not offered to the others, who would only be refused.
 */
export function canAddPeople(info: ChannelInfo | undefined, me: WorkspaceUser | undefined): boolean {
  if (!info || !me) return false;
  const { channel } = info;
  if (channel.channelType !== 'PUBLIC' && channel.channelType !== 'PRIVATE') return false;
  if (channel.isArchived || me.workspaceRole === 'GUEST') return false;
  return channel.isMember || isAdmin(me.workspaceRole);
}
