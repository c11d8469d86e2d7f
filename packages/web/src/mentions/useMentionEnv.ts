import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useMe, usePeople } from '../people/usePeople';
import { useChannels } from '../channels/useChannels';
import type { MentionEnv } from './markdownMentions';
import './mentions.css';

/** What message rendering needs to show mentions by name. */
export function useMentionEnv(): MentionEnv {
  const { t } = useTranslation();
  const people = usePeople().data;
  const channels = useChannels().data;
  const meId = useMe().data?.id;
  return useMemo(
    () => ({
      userName: (id: string) => people?.get(id)?.name,
      channelName: (id: string) => channels?.find((c) => c.channel.id === id)?.channel.name,
      meId,
      unknownUser: t('chat.mentions.unknownUser'),
      unknownChannel: t('chat.mentions.unknownChannel'),
    }),
    [people, channels, meId, t],
  );
}
