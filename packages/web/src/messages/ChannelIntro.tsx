import { useTranslation } from 'react-i18next';
import type { ChannelInfo } from '../lib/types';
import { HashIcon, LockIcon, ChatIcon } from '../ui/icons';

/** The top of a channel's history: where it starts, and what to do here. */
export function ChannelIntro({ info, label }: { info: ChannelInfo; label: string }) {
  const { t } = useTranslation();
  const type = info.channel.channelType;
  const isChannel = type === 'PUBLIC' || type === 'PRIVATE';
  return (
    <div className="channel-intro">
      <div className="channel-intro-icon">{type === 'PRIVATE' ? <LockIcon size={28} /> : isChannel ? <HashIcon size={28} /> : <ChatIcon size={28} />}</div>
      <h2 className="channel-intro-title">{isChannel ? t('messages.introChannelTitle', { name: label }) : type === 'SELF' ? t('messages.introSelfTitle') : t('messages.introDirectTitle', { name: label })}</h2>
      <p className="channel-intro-body">{isChannel ? t('messages.introChannelBody', { name: label }) : type === 'SELF' ? t('messages.introSelfBody') : t('messages.introDirectBody', { name: label })}</p>
    </div>
  );
}
