import { useTranslation } from 'react-i18next';
import { useRealtimeStatus } from './RealtimeProvider';

/** Shown while the live connection is down: what is on screen may be behind. */
export function ConnectionBanner() {
  const { t } = useTranslation();
  const status = useRealtimeStatus();
  if (status !== 'offline') return null;
  return (
    <div className="connection-banner" role="status">
      {t('realtime.reconnecting')}
    </div>
  );
}
