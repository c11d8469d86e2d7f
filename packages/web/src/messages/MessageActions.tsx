import { Suspense, lazy, useCallback, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Message } from '../lib/types';
import { ReplyInThreadButton } from '../threads/ReplyInThreadButton';
import { MessageShortcutsButton } from '../apps/shortcuts/ShortcutMenu';
import { PinActions } from '../pins/PinActions';
import { useToggleReaction } from './useMessages';
import { EditIcon, SmileIcon, TrashIcon } from '../ui/icons';

const EmojiPicker = lazy(() => import('../emoji/EmojiPicker'));

/** The hover (and focus) toolbar of a message: react, and edit or delete your own. */
export function MessageActions({ message, mine, meId, onEdit, onDelete }: { message: Message; mine: boolean; meId: string | undefined; onEdit(): void; onDelete(): void }) {
  const { t } = useTranslation();
  const [picking, setPicking] = useState(false);
  const toggle = useToggleReaction(meId);
  const pickButton = useRef<HTMLButtonElement>(null);
  const closePicker = useCallback(() => {
    setPicking(false);
    pickButton.current?.focus();
  }, []);
  const react = (code: string) => {
    setPicking(false);
    const has = message.reactions.some((r) => r.user === meId && r.code === code);
    toggle.mutate({ message, code, add: !has });
  };
  return (
    <div className={`message-actions${picking ? ' is-open' : ''}`} role="toolbar" aria-label={t('messages.actions')}>
      {picking && (
        <Suspense fallback={null}>
          <EmojiPicker onPick={react} onClose={closePicker} />
        </Suspense>
      )}
      <button ref={pickButton} type="button" className="icon-button" aria-label={t('messages.addReaction')} aria-expanded={picking} title={t('messages.addReaction')} onClick={() => setPicking((p) => !p)}>
        <SmileIcon size={16} />
      </button>
      <ReplyInThreadButton message={message} />
      <PinActions message={message} />
      <MessageShortcutsButton channelId={message.channelId} messageId={message.id} />
      {mine && (
        <>
          <button type="button" className="icon-button" aria-label={t('messages.edit')} title={t('messages.edit')} onClick={onEdit}>
            <EditIcon size={16} />
          </button>
          <button type="button" className="icon-button icon-button-danger" aria-label={t('messages.delete')} title={t('messages.delete')} onClick={onDelete}>
            <TrashIcon size={16} />
          </button>
        </>
      )}
    </div>
  );
}
