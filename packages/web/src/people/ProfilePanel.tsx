import { useEffect, useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import { useTranslation } from 'react-i18next';
import type { WorkspaceUser } from '../lib/types';
import { useMe, usePeople } from './usePeople';
import { useOpenDirect } from '../dms/useOpenDirect';
import { PresenceAvatar } from '../presence/PresenceDot';
import { useIsOnline } from '../presence/usePresence';
import { statusActive } from '../profile/StatusEmoji';
import { emojiOf } from '../lib/emoji';
import { lookupEmoji, useEmojiData } from '../emoji/data';
import { dayKey, formatMediumCached, formatTimeCached } from '../lib/dateFormatters';
import { useDisplayTimeZone } from '../lib/timeZone';
import { CloseIcon } from '../ui/icons';
import { SkeletonLine } from '../ui/Skeleton';
import { ErrorNotice } from '../ui/ErrorNotice';
import './strings';

/** The current time, ticking each minute (the local time shown must not stand still while the panel is open). */
function useNow(): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(id);
  }, []);
  return now;
}

/**
 * The person's saved time zone, or undefined when they have none: the server stores 'UTC' for a person
 * who never chose one (as app/Shell.tsx reads it), and a zone this browser does not know cannot be shown.
 */
function personZone(person: WorkspaceUser): string | undefined {
  const zone = person.timeZoneId;
  if (!zone || zone === 'UTC') return undefined;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return zone;
  } catch {
    return undefined;
  }
}

/** The right panel: one person's profile (web-client.md §4), opened from a name, an avatar or a DM header. */
export function ProfilePanel({ userId, onClose }: { userId: string; onClose(): void }) {
  const { t } = useTranslation();
  const people = usePeople();
  const person = people.data?.get(userId);
  const closeRef = useRef<HTMLButtonElement>(null);
  useEffect(() => closeRef.current?.focus(), []);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && !e.defaultPrevented && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  return (
    <aside className="panel profile-panel" aria-labelledby="profile-panel-title">
      <header className="panel-header">
        <h2 id="profile-panel-title" className="panel-title">
          {t('people.profile.title')}
        </h2>
        <button ref={closeRef} type="button" className="icon-button" onClick={onClose} aria-label={t('people.profile.close')}>
          <CloseIcon />
        </button>
      </header>
      {people.isPending ? (
        <div className="panel-body" aria-busy="true" aria-label={t('people.profile.loading')}>
          <SkeletonLine width="70%" />
          <SkeletonLine width="50%" />
        </div>
      ) : people.isError ? (
        <ErrorNotice title={t('people.profile.loading')} error={people.error} onRetry={() => void people.refetch()} />
      ) : person ? (
        <ProfileCard person={person} />
      ) : (
        <p className="panel-body">{t('people.profile.notFound')}</p>
      )}
    </aside>
  );
}

function ProfileCard({ person }: { person: WorkspaceUser }) {
  const { t, i18n } = useTranslation();
  const me = useMe().data;
  const online = useIsOnline(person.id);
  const now = useNow();
  const zone = personZone(person);
  const isMe = person.id === me?.id;
  const deactivated = person.status === 'DEACTIVATED';
  const role = person.isAddonBot ? 'bot' : person.workspaceRole === 'MEMBER' ? undefined : person.workspaceRole;
  return (
    <div className="profile-card">
      <PresenceAvatar id={person.id} name={person.name} size={96} />
      <div className="profile-card-who">
        <h3 className="profile-card-name">
          {person.name} {isMe && <span className="profile-card-you">{t('people.profile.you')}</span>}
        </h3>
        <div className="profile-card-badges">
          {role && <span className="badge">{t(`people.profile.roles.${role}`)}</span>}
          {deactivated && <span className="badge">{t('people.profile.deactivated')}</span>}
        </div>
        {person.title && <p className="profile-card-title">{person.title}</p>}
        {online !== undefined && (
          <p className="profile-card-presence" data-presence={online ? 'online' : 'offline'}>
            <span className="presence-dot profile-card-presence-dot" data-presence={online ? 'online' : 'offline'} aria-hidden="true" />
            {online ? t('people.profile.online') : t('people.profile.offline')}
          </p>
        )}
      </div>
      <dl className="profile-card-facts">
        {statusActive(person.customStatus, now) && <StatusFact status={person.customStatus!} lang={i18n.language} now={now} />}
        <div className="profile-card-fact">
          <dt>{t('people.profile.localTime')}</dt>
          <dd data-testid="profile-local-time">{zone ? t('people.profile.localTimeValue', { time: formatTimeCached(now, i18n.language, zone), zone }) : t('people.profile.localTimeUnset')}</dd>
        </div>
        {person.email && (
          <div className="profile-card-fact">
            <dt>{t('people.profile.email')}</dt>
            <dd>
              <a href={`mailto:${person.email}`}>{person.email}</a>
            </dd>
          </div>
        )}
      </dl>
      {!isMe && !deactivated && <MessageButton userId={person.id} />}
    </div>
  );
}

function StatusFact({ status, lang, now }: { status: NonNullable<WorkspaceUser['customStatus']>; lang: string; now: number }) {
  const { t } = useTranslation();
  const zone = useDisplayTimeZone();
  const data = useEmojiData(!emojiOf(status.code)).data;
  const emoji = lookupEmoji(data, status.code) ?? status.code;
  // the end in the reader's own zone: the time alone when it is today, else the date too
  const until = status.expiresAt ? (dayKey(status.expiresAt, zone) === dayKey(now, zone) ? formatTimeCached(status.expiresAt, lang, zone) : formatMediumCached(status.expiresAt, lang, zone)) : undefined;
  return (
    <div className="profile-card-fact">
      <dt>{t('people.profile.status')}</dt>
      <dd data-testid="profile-status">
        <span className="profile-card-status-emoji" aria-hidden="true">
          {emoji}
        </span>{' '}
        {status.status || status.code}
        {until && <span className="profile-card-status-until"> · {t('people.profile.statusUntil', { time: until })}</span>}
      </dd>
    </div>
  );
}

function MessageButton({ userId }: { userId: string }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const openDirect = useOpenDirect();
  return (
    <div className="profile-card-actions">
      <button type="button" className="button button-primary button-block" disabled={openDirect.isPending} onClick={() => openDirect.mutate([userId], { onSuccess: (info) => void navigate(`/c/${encodeURIComponent(info.channel.id)}`) })}>
        {t('people.profile.message')}
      </button>
      {openDirect.isError && (
        <p className="form-error" role="alert">
          {t('people.profile.messageFailed')}
        </p>
      )}
    </div>
  );
}
