import { useCallback, useId, useState } from 'react';
import { useNavigate } from 'react-router';
import { useTranslation } from 'react-i18next';
import type { WorkspaceUser } from '../lib/types';
import { useMe } from '../people/usePeople';
import { PeoplePicker } from '../people/PeoplePicker';
import { describeError } from '../ui/ErrorNotice';
import { Modal } from '../channels/Modal';
import { MAX_OTHERS, useOpenDirect } from './useOpenDirect';
import '../channels/channelDialogs.css';

/** "New message": pick one or more people, open (or start) the conversation with them. */
export function NewMessageDialog({ onClose }: { onClose(): void }) {
  const { t } = useTranslation();
  const titleId = useId();
  const meId = useMe().data?.id;
  const [chosen, setChosen] = useState<string[]>([]);
  const open = useOpenDirect();
  const navigate = useNavigate();
  // people, not apps: an app's DM is on its page (Apps in the sidebar)
  const offered = useCallback((u: WorkspaceUser) => u.id !== meId && !u.isAddonBot, [meId]);

  const start = () => {
    if (chosen.length === 0) return;
    open.mutate(chosen, {
      onSuccess: (info) => {
        onClose();
        void navigate(`/c/${info.channel.id}`);
      },
    });
  };

  return (
    <Modal title={t('chat.dms.newTitle')} titleId={titleId} onClose={onClose} wide>
      <p className="field-hint">{t('chat.dms.newHint', { count: MAX_OTHERS })}</p>
      <PeoplePicker offered={offered} chosen={chosen} onChange={setChosen} max={MAX_OTHERS} onDone={start} nobody={t('chat.dms.nobody')} />
      {open.isError && (
        <p className="form-error" role="alert">
          {t('chat.dms.openFailed')} {describeError(open.error, t)}
        </p>
      )}
      <div className="dialog-actions">
        <button type="button" className="button button-secondary" onClick={onClose}>
          {t('common.cancel')}
        </button>
        <button type="button" className="button button-primary" disabled={chosen.length === 0 || open.isPending} onClick={start}>
          {chosen.length > 1 ? t('chat.dms.startGroup') : t('chat.dms.start')}
        </button>
      </div>
    </Modal>
  );
}
