import { useQuery } from '@tanstack/react-query';
import { api, seg } from '../lib/api';
import type { ChannelInfo, WorkspaceUser } from '../lib/types';

export const channelsKey = ['channels'] as const;

export function useChannels() {
  return useQuery({ queryKey: channelsKey, queryFn: () => api.get<ChannelInfo[]>('/v1/channels') });
}

/** One channel with its member ids (the member list). */
export function useChannel(channelId: string | undefined) {
  return useQuery({
    queryKey: ['channels', channelId, 'info'],
    queryFn: () => api.get<ChannelInfo>(`/v1/channels/${seg(channelId!)}`),
    enabled: channelId !== undefined,
  });
}

const NO_BOTS: ReadonlySet<string> = new Set();

export const isDirect = (c: ChannelInfo) => c.channel.channelType === 'DIRECT' || c.channel.channelType === 'SELF';

/**
 * A sidebar's worth: joined, unarchived channels by name (the main one first); DMs by name — but
 * for the 1:1 ones with `appBots` (the installed apps' bots: each app's entry under Apps opens that
 * conversation, as Pumble's sidebar does). A group conversation with a bot in it is a DM still.
 */
export function sidebarSections(list: ChannelInfo[], people: Map<string, WorkspaceUser> | undefined, meId: string | undefined, you: string, appBots: ReadonlySet<string> = NO_BOTS) {
  const joined = list.filter((c) => c.channel.isMember && !c.channel.isArchived);
  const channels = joined
    .filter((c) => !isDirect(c))
    .sort((a, b) => Number(b.channel.isMain) - Number(a.channel.isMain) || (a.channel.name ?? '').localeCompare(b.channel.name ?? ''));
  const withAppBot = (c: ChannelInfo) => {
    const others = (c.users ?? []).filter((id) => id !== meId);
    return others.length === 1 && appBots.has(others[0]!);
  };
  const directs = joined
    .filter((c) => isDirect(c) && !withAppBot(c))
    .map((c) => ({ info: c, label: directLabel(c, people, meId, you) }))
    .sort((a, b) => a.label.localeCompare(b.label));
  return { channels, directs };
}

/** A DM is named after the other people in it; the self DM after oneself. */
export function directLabel(c: ChannelInfo, people: Map<string, WorkspaceUser> | undefined, meId: string | undefined, you: string): string {
  const others = (c.users ?? []).filter((id) => id !== meId);
  if (others.length === 0) {
    const me = meId ? people?.get(meId)?.name : undefined;
    return me ? `${me} ${you}` : you;
  }
  return others.map((id) => people?.get(id)?.name ?? '…').join(', ');
}

export function channelLabel(c: ChannelInfo, people: Map<string, WorkspaceUser> | undefined, meId: string | undefined, you: string): string {
  return isDirect(c) ? directLabel(c, people, meId, you) : (c.channel.name ?? '');
}
