import { Suspense, lazy, useState } from 'react';
import { useTranslation } from 'react-i18next';

const NewMessageDialog = lazy(() => import('./NewMessageDialog').then((m) => ({ default: m.NewMessageDialog })));
import '../channels/channelDialogs.css';

/** Under the sidebar's direct messages: start a conversation. */
export function NewMessageButton() {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" className="sidebar-action" onClick={() => setOpen(true)} aria-haspopup="dialog">
        <span aria-hidden="true">+</span>
        {t('chat.dms.new')}
      </button>
      <Suspense fallback={null}>{open && <NewMessageDialog onClose={() => setOpen(false)} />}</Suspense>
    </>
  );
}
