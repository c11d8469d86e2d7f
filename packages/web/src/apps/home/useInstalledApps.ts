import { useMemo } from 'react';
import { useQuery } from '@tanstack/react-query';
import { api } from '../../lib/api';
import type { ChannelInfo } from '../../lib/types';
import { useChannels } from '../../channels/useChannels';
import { useMe, usePeople } from '../../people/usePeople';
import { useAppActions, useDirectory } from '../queries';

export interface InstalledApp {
  id: string;
  name: string;
  botUserId: string | null;
  builtin: boolean;
}

/**
 * The workspace's installed apps as the sidebar lists them (web-client.md §4): those of the
 * directory that are installed (the API addon among them) and those whose commands or shortcuts
 * `/v1/appActions` lists (a workspace's own apps are not in the directory). Their bot is the
 * directory's, else the bot user named after the app.
 */
export function useInstalledApps() {
  const directory = useDirectory();
  const actions = useAppActions();
  const people = usePeople().data;
  const apps = useMemo(() => {
    const out = new Map<string, InstalledApp>();
    for (const d of directory.data ?? []) if (d.installed) out.set(d.id, { id: d.id, name: d.displayName, botUserId: d.botUserId, builtin: d.builtin });
    for (const a of [...(actions.data?.slashCommands ?? []), ...(actions.data?.shortcuts ?? [])]) {
      if (out.has(a.appId)) continue;
      const bot = [...(people?.values() ?? [])].find((u) => u.isAddonBot && u.name === a.appName && u.status !== 'DEACTIVATED');
      out.set(a.appId, { id: a.appId, name: a.appName, botUserId: bot?.id ?? null, builtin: false });
    }
    return [...out.values()].sort((a, b) => a.name.localeCompare(b.name));
  }, [directory.data, actions.data, people]);
  return { apps, isPending: directory.isPending && actions.isPending, error: directory.error ?? actions.error };
}

/** The bots of the installed apps: the sidebar shows a DM with one under Apps, not Direct messages. */
export function useAppBots(): ReadonlySet<string> {
  const { apps } = useInstalledApps();
  return useMemo(() => new Set(apps.flatMap((a) => (a.botUserId ? [a.botUserId] : []))), [apps]);
}

/** Is this the 1:1 conversation between the person and the bot (and nobody else)? */
export function isBotDirect(c: ChannelInfo, meId: string | undefined, botUserId: string | null): boolean {
  return !!botUserId && !!meId && c.channel.channelType === 'DIRECT' && c.users?.length === 2 && c.users.includes(botUserId) && c.users.includes(meId);
}

/** The person's DM with an app's bot: the one in the channel list, else opened (get or create). */
export function useBotDirect(botUserId: string | null) {
  const me = useMe().data;
  const channels = useChannels().data;
  const known = channels?.find((c) => isBotDirect(c, me?.id, botUserId));
  const opened = useQuery({
    queryKey: ['apps', 'dm', botUserId],
    queryFn: () => api.post<ChannelInfo>('/v1/channels/direct', { participantIds: [me!.id, botUserId!] }),
    enabled: !known && !!botUserId && !!me && !!channels,
    staleTime: Infinity,
  });
  return { info: known ?? opened.data, isPending: !known && opened.isPending && !!botUserId, error: opened.error };
}
