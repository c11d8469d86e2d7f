import { lazy, Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { FileRef } from '../lib/types';
import { formatSize, isImage, isVideo, localPath, thumbnailPath } from './upload';
import { DownloadIcon, FileIcon } from './icons';
import './files.css';

const Lightbox = lazy(() => import('./Lightbox').then((m) => ({ default: m.Lightbox })));

/** An image's thumbnail (falling back to the original when the server made none); opens the lightbox. */
export function ImageThumb({ file, onOpen }: { file: FileRef; onOpen(): void }) {
  const { t } = useTranslation();
  const [src, setSrc] = useState(() => thumbnailPath(file.path));
  return (
    <button type="button" className="file-image" onClick={onOpen} aria-label={t('files.openImage', { name: file.name })}>
      <img src={src} alt={file.name} loading="lazy" decoding="async" onError={() => setSrc((s) => (s === localPath(file.path) ? s : localPath(file.path)))} />
    </button>
  );
}

/** A non-media file: its name, type and size, and a download link. */
export function FileCard({ file }: { file: FileRef }) {
  const { t, i18n } = useTranslation();
  const ext = /\.([a-z0-9]{1,8})$/i.exec(file.name)?.[1]?.toUpperCase();
  return (
    <div className="file-card">
      <FileIcon size={28} className="file-card-icon" />
      <div className="file-card-text">
        <span className="file-card-name" title={file.name}>
          {file.name}
        </span>
        <span className="file-card-meta">
          {ext ?? file.mimeType} · {formatSize(file.size, i18n.language)}
        </span>
      </div>
      <a className="icon-button file-card-download" href={localPath(file.path)} download={file.name} aria-label={t('files.download', { name: file.name })} title={t('files.downloadShort')}>
        <DownloadIcon size={18} />
      </a>
    </div>
  );
}

/** A message's files: images and videos inline, other files as cards. */
export function MessageFiles({ files }: { files: FileRef[] }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState<FileRef | null>(null);
  if (files.length === 0) return null;
  return (
    <ul className="message-files" aria-label={t('files.inMessage', { count: files.length })}>
      {files.map((f) => (
        <li key={f.id} className="message-file">
          {isImage(f.mimeType) ? (
            <ImageThumb file={f} onOpen={() => setOpen(f)} />
          ) : isVideo(f.mimeType) ? (
            <video className="file-video" src={localPath(f.path)} controls preload="metadata" aria-label={f.name} />
          ) : (
            <FileCard file={f} />
          )}
        </li>
      ))}
      {open && (
        <Suspense fallback={null}>
          <Lightbox file={open} onClose={() => setOpen(null)} />
        </Suspense>
      )}
    </ul>
  );
}
