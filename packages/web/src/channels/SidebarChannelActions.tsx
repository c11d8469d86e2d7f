import { Suspense, lazy, useState } from 'react';
import { useTranslation } from 'react-i18next';

// loaded when first opened: not part of the first load
const BrowseChannelsDialog = lazy(() => import('./BrowseChannelsDialog').then((m) => ({ default: m.BrowseChannelsDialog })));
const CreateChannelDialog = lazy(() => import('./CreateChannelDialog').then((m) => ({ default: m.CreateChannelDialog })));
import './channelDialogs.css';

/** Under the sidebar's channels: browse (and join) public channels, or create one. */
export function SidebarChannelActions() {
  const { t } = useTranslation();
  const [open, setOpen] = useState<'browse' | 'create' | null>(null);
  return (
    <>
      <button type="button" className="sidebar-action" onClick={() => setOpen('browse')} aria-haspopup="dialog">
        <span aria-hidden="true">#</span>
        {t('chat.browse.button')}
      </button>
      <button type="button" className="sidebar-action" onClick={() => setOpen('create')} aria-haspopup="dialog">
        <span aria-hidden="true">+</span>
        {t('chat.createChannel.open')}
      </button>
      <Suspense fallback={null}>
        {open === 'browse' && <BrowseChannelsDialog onClose={() => setOpen(null)} onCreate={() => setOpen('create')} />}
        {open === 'create' && <CreateChannelDialog onClose={() => setOpen(null)} />}
      </Suspense>
    </>
  );
}
