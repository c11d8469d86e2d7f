import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { FileRef } from '../lib/types';
import { formatSize, localPath } from './upload';
import { CloseIcon } from '../ui/icons';
import { DownloadIcon } from './icons';

/** One image at full size in a modal <dialog> (Esc and the backdrop close it). */
export function Lightbox({ file, onClose }: { file: FileRef; onClose(): void }) {
  const { t, i18n } = useTranslation();
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);
  return (
    <dialog
      ref={ref}
      className="lightbox"
      aria-label={file.name}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      onClick={(e) => e.target === e.currentTarget && onClose()}
    >
      <div className="lightbox-bar">
        <span className="lightbox-name">
          {file.name} <span className="lightbox-size">{formatSize(file.size, i18n.language)}</span>
        </span>
        <a className="icon-button lightbox-button" href={localPath(file.path)} download={file.name} aria-label={t('files.download', { name: file.name })}>
          <DownloadIcon />
        </a>
        <button type="button" className="icon-button lightbox-button" onClick={onClose} aria-label={t('common.close')} autoFocus>
          <CloseIcon />
        </button>
      </div>
      <img className="lightbox-image" src={localPath(file.path)} alt={file.name} />
    </dialog>
  );
}
