import { useTranslation } from 'react-i18next';
import type { ChannelInfo } from '../lib/types';
import { HashIcon, LockIcon, ChatIcon } from '../ui/icons';
import { useMe, usePeople } from '../people/usePeople';

/** The top of a channel's history: where it starts, and what to do here. */
export function ChannelIntro({ info, label }: { info: ChannelInfo; label: string }) {
  const { t, i18n } = useTranslation();
  const people = usePeople().data;
  const meId = useMe().data?.id;
  const type = info.channel.channelType;
  const isChannel = type === 'PUBLIC' || type === 'PRIVATE';
  // a group DM: "Only the 3 of you…", the others named as a list ("Ann and Bob")
  const others = (info.users ?? []).filter((id) => id !== meId);
  const group = type === 'DIRECT' && others.length > 1;
  const name = group ? new Intl.ListFormat(i18n.language, { type: 'conjunction' }).format(others.map((id) => people?.get(id)?.name ?? '…')) : label;
  return (
    <div className="channel-intro">
      <div className="channel-intro-icon">{type === 'PRIVATE' ? <LockIcon size={28} /> : isChannel ? <HashIcon size={28} /> : <ChatIcon size={28} />}</div>
      <h2 className="channel-intro-title">{isChannel ? t('messages.introChannelTitle', { name }) : type === 'SELF' ? t('messages.introSelfTitle') : t('messages.introDirectTitle', { name })}</h2>
      <p className="channel-intro-body">
        {isChannel ? t('messages.introChannelBody', { name }) : type === 'SELF' ? t('messages.introSelfBody') : group ? t('messages.introGroupBody', { count: others.length + 1, name }) : t('messages.introDirectBody', { name })}
      </p>
    </div>
  );
}
