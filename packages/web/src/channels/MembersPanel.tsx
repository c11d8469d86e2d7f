import { Suspense, lazy, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useChannel } from './useChannels';
import { useMe, usePeople } from '../people/usePeople';
import { canAddPeople } from './channelActions';
import { PresenceAvatar, PresenceText } from '../presence/PresenceDot';
import { CloseIcon } from '../ui/icons';
import { SkeletonLine } from '../ui/Skeleton';
import { ErrorNotice } from '../ui/ErrorNotice';
import { useOpenProfile } from '../people/profileContext';

// a dialog (and its people picker) loaded when first opened
const AddPeopleDialog = lazy(() => import('./AddPeopleDialog').then((m) => ({ default: m.AddPeopleDialog })));

/** The right panel: who is in the channel, and (for who may) a button to add people to it. */
export function MembersPanel({ channelId, label, onClose }: { channelId: string; label: string; onClose(): void }) {
  const { t } = useTranslation();
  const channel = useChannel(channelId);
  const people = usePeople().data;
  const me = useMe().data;
  const [adding, setAdding] = useState(false);
  const openProfile = useOpenProfile();
  const closeRef = useRef<HTMLButtonElement>(null);
  useEffect(() => closeRef.current?.focus(), []);
  useEffect(() => {
    // (Esc in the dialog is the dialog's)
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && !adding && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose, adding]);
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
      {canAddPeople(channel.data, me) && (
        <div className="panel-actions">
          <button type="button" className="button button-secondary" onClick={() => setAdding(true)}>
            {t('channel.addPeople')}
          </button>
        </div>
      )}
      {adding && (
        <Suspense fallback={null}>
          <AddPeopleDialog channelId={channelId} label={label} onClose={() => setAdding(false)} />
        </Suspense>
      )}
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
