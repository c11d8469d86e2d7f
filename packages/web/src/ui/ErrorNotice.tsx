import { useTranslation } from 'react-i18next';
import { ApiError } from '../lib/api';
import { AlertIcon } from './icons';

/** What went wrong, in words, and what to do: retry where retrying can help. */
export function describeError(error: unknown, t: (key: string, o?: Record<string, unknown>) => string): string {
  if (error instanceof ApiError) {
    if (error.isNetwork) return t('errors.network');
    if (error.status === 403) return t('errors.forbidden');
    if (error.status === 404) return t('errors.notFound');
    if (error.status === 429) return t('errors.rateLimited');
    if (error.status >= 500) return t('errors.server');
    return t('errors.generic', { message: error.message });
  }
  return t('errors.generic', { message: error instanceof Error ? error.message : String(error) });
}

export function ErrorNotice({ title, error, onRetry }: { title: string; error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  return (
    <div className="error-notice" role="alert">
      <AlertIcon size={20} className="error-notice-icon" />
      <div>
        <p className="error-notice-title">{title}</p>
        <p className="error-notice-detail">{describeError(error, t)}</p>
        {onRetry && (
          <button type="button" className="button button-secondary button-small" onClick={onRetry}>
            {t('common.tryAgain')}
          </button>
        )}
      </div>
    </div>
  );
}
