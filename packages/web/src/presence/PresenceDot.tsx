import { useTranslation } from 'react-i18next';
import { Avatar } from '../ui/Avatar';
import { useIsOnline } from './usePresence';
import './strings';
import './presence.css';

/**
 * A person's avatar with their presence dot in its corner (drawn only, aria-hidden like the avatar:
 * the state is said in words by {@link PresenceText} beside the name).
 */
export function PresenceAvatar({ id, name, size = 36 }: { id: string; name: string; size?: number }) {
  const online = useIsOnline(id);
  return (
    <span className="presence-avatar">
      <Avatar id={id} name={name} size={size} />
      {online !== undefined && <span className={`presence-dot${size <= 24 ? ' presence-dot-small' : ''}`} data-presence={online ? 'online' : 'offline'} aria-hidden="true" />}
    </span>
  );
}

/** ", online" / ", offline" for screen readers, after the person's name. */
export function PresenceText({ userId }: { userId: string }) {
  const { t } = useTranslation();
  const online = useIsOnline(userId);
  if (online === undefined) return null;
  return <span className="visually-hidden">{online ? t('presence.srOnline') : t('presence.srOffline')}</span>;
}
