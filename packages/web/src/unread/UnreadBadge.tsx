import { useMatch } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useUnread } from './useUnread';
import './unread.css';

/**
 * Goes inside a sidebar link: marks the channel unread (the label turns bold) and counts mentions —
 * every unread message in a direct conversation. Nothing for the open channel.
 */
export function UnreadBadge({ channelId, direct = false }: { channelId: string; direct?: boolean }) {
  const { t } = useTranslation();
  const entry = useUnread().data?.get(channelId);
  const open = useMatch('/c/:channelId/*')?.params.channelId === channelId;
  if (!entry || open || entry.unread === 0) return null;
  const count = direct ? entry.unread : entry.mentions;
  return (
    <>
      <span className="unread-flag visually-hidden">{t('chat.unread.unread')}</span>
      {count > 0 && (
        <span className="unread-badge">
          <span aria-hidden="true">{count > 99 ? '99+' : count}</span>
          <span className="visually-hidden">{direct ? t('chat.unread.messages', { count }) : t('chat.unread.mentions', { count })}</span>
        </span>
      )}
    </>
  );
}
