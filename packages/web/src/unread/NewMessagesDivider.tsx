import { useTranslation } from 'react-i18next';
import './unread.css';

/** The line above the first message that was unread when the channel was opened. */
export function NewMessagesDivider() {
  const { t } = useTranslation();
  return (
    <div className="new-messages-divider" role="separator" aria-label={t('chat.unread.newMessages')}>
      <span className="new-messages-divider-label" aria-hidden="true">
        {t('chat.unread.newMessages')}
      </span>
    </div>
  );
}
