import { Suspense, lazy } from 'react';
import { useTranslation } from 'react-i18next';
import type { Attachments } from './useAttachments';
import { formatSize } from './upload';
import { describeError } from '../ui/ErrorNotice';
import { ApiError } from '../lib/api';
import { CloseIcon } from '../ui/icons';
import { FileIcon } from './icons';

// not needed at first paint: its own chunk (the first load's budget)
const Thumbnail = lazy(() => import('./Thumbnail'));

/** The composer's attachments: name, size, a progress bar while uploading, cancel or remove. */
export function AttachmentTray({ attachments }: { attachments: Attachments }) {
  const { t, i18n } = useTranslation();
  const { items, remove } = attachments;
  if (items.length === 0) return null;
  return (
    <ul className="attach-tray" aria-label={t('files.attached')}>
      {items.map((a) => {
        const size = formatSize(a.size, i18n.language);
        const tooLarge = a.status === 'tooLarge' || (a.error instanceof ApiError && a.error.status === 413);
        return (
          <li key={a.key} className={`attach-item attach-${tooLarge ? 'error' : a.status}`}>
            {a.image ? (
              <Suspense fallback={<span className="attach-thumb" />}>
                <Thumbnail file={a.image} />
              </Suspense>
            ) : (
              <FileIcon size={18} className="attach-icon" />
            )}
            <div className="attach-text">
              <span className="attach-name" title={a.name}>
                {a.name}
              </span>
              {a.status === 'uploading' && (
                <progress className="attach-progress" max={1} value={a.progress} aria-label={t('files.uploading', { name: a.name })}>
                  {Math.round(a.progress * 100)}%
                </progress>
              )}
              {a.status === 'done' && <span className="attach-meta">{size}</span>}
              {tooLarge ? (
                <span className="attach-meta attach-problem" role="alert">
                  {a.maxBytes !== undefined ? t('files.tooLarge', { size, max: formatSize(a.maxBytes, i18n.language) }) : t('files.tooLargeUnknown', { size })}
                </span>
              ) : (
                a.status === 'error' && (
                  <span className="attach-meta attach-problem" role="alert">
                    {t('files.uploadFailed')} {describeError(a.error, t)}
                  </span>
                )
              )}
            </div>
            <button
              type="button"
              className="icon-button attach-remove"
              onClick={() => remove(a.key)}
              aria-label={a.status === 'uploading' ? t('files.cancelUpload', { name: a.name }) : t('files.remove', { name: a.name })}
              title={a.status === 'uploading' ? t('files.cancel') : t('files.removeShort')}
            >
              <CloseIcon size={14} />
            </button>
          </li>
        );
      })}
    </ul>
  );
}
