import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { useChannel } from './useChannels';
import { usePeople } from '../people/usePeople';
import { PresenceAvatar, PresenceText } from '../presence/PresenceDot';
import { CloseIcon } from '../ui/icons';
import { SkeletonLine } from '../ui/Skeleton';
import { ErrorNotice } from '../ui/ErrorNotice';
import { useOpenProfile } from '../people/profileContext';

/** The right panel: who is in the channel. */
export function MembersPanel({ channelId, onClose }: { channelId: string; onClose(): void }) {
  const { t } = useTranslation();
  const channel = useChannel(channelId);
  const people = usePeople().data;
  const openProfile = useOpenProfile();
  const closeRef = useRef<HTMLButtonElement>(null);
  useEffect(() => closeRef.current?.focus(), []);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  const members = (channel.data?.users ?? [])
    .map((id) => people?.get(id) ?? { id, name: '…', email: '', title: '' })
    .sort((a, b) => a.name.localeCompare(b.name));
  return (
    <aside className="panel" aria-labelledby="panel-title">
      <header className="panel-header">
        <h2 id="panel-title" className="panel-title">
          {t('channel.membersTitle')}
        </h2>
        <button ref={closeRef} type="button" className="icon-button" onClick={onClose} aria-label={t('common.close')}>
          <CloseIcon />
        </button>
      </header>
      {channel.isPending && (
        <div className="panel-body">
          <SkeletonLine width="70%" />
          <SkeletonLine width="50%" />
        </div>
      )}
      {channel.isError && <ErrorNotice title={t('channel.membersFailed')} error={channel.error} onRetry={() => void channel.refetch()} />}
      {channel.data && (
        <ul className="member-list">
          {members.map((m) => (
            <li key={m.id}>
              {/* the whole entry opens the person's profile (the name is the button's accessible name) */}
              <button type="button" className="member member-button" disabled={!openProfile} onClick={(e) => openProfile?.(m.id, e.currentTarget)}>
                <PresenceAvatar id={m.id} name={m.name} size={32} />
                <span className="member-text">
                  <span className="member-name">
                    {m.name}
                    <PresenceText userId={m.id} />
                  </span>
                  {m.title && <span className="member-title">{m.title}</span>}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </aside>
  );
}
