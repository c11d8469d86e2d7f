import { lazy, Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';

const FilesGallery = lazy(() => import('./FilesGallery').then((m) => ({ default: m.FilesGallery })));

/** "Files" in a channel's header menu. */
export function FilesMenuItem({ onOpen }: { onOpen(): void }) {
  const { t } = useTranslation();
  return (
    <li role="none">
      <button type="button" role="menuitem" className="channel-menu-item" onClick={onOpen}>
        {t('files.galleryOpen')}
      </button>
    </li>
  );
}

/** The channel's file gallery (loaded on first open) and the switch that opens it. */
export function useFilesGallery(channelId: string, label: string) {
  const [open, setOpen] = useState(false);
  return {
    open: () => setOpen(true),
    dialog: open ? (
      <Suspense fallback={null}>
        <FilesGallery channelId={channelId} label={label} onClose={() => setOpen(false)} />
      </Suspense>
    ) : null,
  };
}
