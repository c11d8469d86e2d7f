import { useTranslation } from 'react-i18next';
import type { ChannelInfo } from '../lib/types';
import { useChannel } from './useChannels';
import { HashIcon, LockIcon, MenuIcon, PeopleIcon } from '../ui/icons';
import { ChannelMenu } from './ChannelMenu';
import { ChannelDescription } from './ChannelDescription';
import { PinsButton } from '../pins/PinsButton';
import { useMe } from '../people/usePeople';
import { useOpenProfile } from '../people/profileContext';

export function ChannelHeader(props: { info: ChannelInfo; label: string; onOpenDrawer(): void; membersOpen: boolean; onToggleMembers(): void }) {
  const { t } = useTranslation();
  const { channel } = props.info;
  const details = useChannel(channel.id).data;
  const count = details?.users?.length;
  const me = useMe().data;
  const openProfile = useOpenProfile();
  // a 1:1 conversation's title is the other person: it opens their profile
  const others = channel.channelType === 'DIRECT' ? (props.info.users ?? details?.users ?? []).filter((id) => id !== me?.id) : [];
  const person = others.length === 1 && openProfile ? others[0] : undefined;
  const icon = channel.channelType === 'PRIVATE' ? <LockIcon size={18} /> : channel.channelType === 'PUBLIC' ? <HashIcon size={18} /> : null;
  return (
    <header className="channel-header">
      <button type="button" className="icon-button drawer-toggle" onClick={props.onOpenDrawer} aria-label={t('shell.openSidebar')}>
        <MenuIcon />
      </button>
      <div className="channel-header-titles">
        <h1 className="channel-header-name">
          {icon}
          {person ? (
            <button type="button" className="channel-header-person" onClick={(e) => openProfile?.(person, e.currentTarget)}>
              <span>{props.label}</span>
            </button>
          ) : (
            <span>{props.label}</span>
          )}
          {channel.channelType === 'PRIVATE' && <span className="visually-hidden">{t('channels.privateSuffix')}</span>}
        </h1>
        {channel.description && <ChannelDescription as="p" className="channel-header-topic" text={channel.description} />}
      </div>
      <button type="button" className="header-button" aria-pressed={props.membersOpen} onClick={props.onToggleMembers} aria-label={t('channel.members', { count: count ?? 0 })}>
        <PeopleIcon size={16} />
        <span aria-hidden="true">{count ?? '–'}</span>
      </button>
      <PinsButton channelId={channel.id} label={props.label} />
      <ChannelMenu info={props.info} label={props.label} />
    </header>
  );
}
