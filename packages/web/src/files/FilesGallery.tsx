import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Modal } from '../channels/Modal';
import { useChannelFiles } from './useChannelFiles';
import { FileCard, ImageThumb } from './MessageFiles';
import { Lightbox } from './Lightbox';
import { isImage, isVideo, localPath } from './upload';
import { usePeople } from '../people/usePeople';
import { formatFull } from '../lib/format';
import { useDisplayTimeZone } from '../lib/timeZone';
import { ErrorNotice } from '../ui/ErrorNotice';
import type { FileRef } from '../lib/types';
import './files.css';

/** The channel's files (from its channel menu): images as a grid of thumbnails, the rest as cards. */
export function FilesGallery({ channelId, label, onClose }: { channelId: string; label: string; onClose(): void }) {
  const { t, i18n } = useTranslation();
  const zone = useDisplayTimeZone();
  const titleId = useId();
  const query = useChannelFiles(channelId);
  const people = usePeople().data;
  const [open, setOpen] = useState<FileRef | null>(null);
  const all = query.data?.pages.flatMap((p) => p.files) ?? [];
  const media = all.filter((f) => isImage(f.file.mimeType) || isVideo(f.file.mimeType));
  const others = all.filter((f) => !isImage(f.file.mimeType) && !isVideo(f.file.mimeType));

  return (
    <Modal title={t('files.galleryTitle', { name: label })} titleId={titleId} onClose={onClose} wide>
      <div className="gallery" aria-busy={query.isFetching}>
        {query.isPending && <p className="gallery-note">{t('files.galleryLoading')}</p>}
        {query.isError && <ErrorNotice title={t('files.galleryFailed')} error={query.error} onRetry={() => void query.refetch()} />}
        {query.isSuccess && all.length === 0 && !query.hasNextPage && <p className="gallery-note">{t('files.galleryEmpty')}</p>}
        {media.length > 0 && (
          <section aria-label={t('files.galleryMedia')}>
            <ul className="gallery-grid">
              {media.map(({ file, author, at }) => (
                <li key={file.id} title={`${people?.get(author)?.name ?? ''} · ${formatFull(at, i18n.language, zone)}`}>
                  {isImage(file.mimeType) ? <ImageThumb file={file} onOpen={() => setOpen(file)} /> : <video className="file-video" src={localPath(file.path)} controls preload="metadata" aria-label={file.name} />}
                </li>
              ))}
            </ul>
          </section>
        )}
        {others.length > 0 && (
          <section aria-label={t('files.galleryOther')}>
            <ul className="gallery-list">
              {others.map(({ file }) => (
                <li key={file.id}>
                  <FileCard file={file} />
                </li>
              ))}
            </ul>
          </section>
        )}
        <div className="dialog-actions">
          {query.hasNextPage && (
            <button type="button" className="button button-secondary" disabled={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()}>
              {query.isFetchingNextPage ? t('files.galleryLoading') : t('files.galleryMore')}
            </button>
          )}
          <button type="button" className="button button-primary" onClick={onClose}>
            {t('common.close')}
          </button>
        </div>
      </div>
      {open && <Lightbox file={open} onClose={() => setOpen(null)} />}
    </Modal>
  );
}
