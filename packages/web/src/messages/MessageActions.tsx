import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Message } from '../lib/types';
import { QUICK_REACTIONS, emojiOf } from '../lib/emoji';
import { useToggleReaction } from './useMessages';
import { EditIcon, SmileIcon, TrashIcon } from '../ui/icons';

/** The hover (and focus) toolbar of a message: react, and edit or delete your own. */
export function MessageActions({ message, mine, meId, onEdit, onDelete }: { message: Message; mine: boolean; meId: string | undefined; onEdit(): void; onDelete(): void }) {
  const { t } = useTranslation();
  const [picking, setPicking] = useState(false);
  const toggle = useToggleReaction(meId);
  const react = (code: string) => {
    setPicking(false);
    const has = message.reactions.some((r) => r.user === meId && r.code === code);
    toggle.mutate({ message, code, add: !has });
  };
  return (
    <div className={`message-actions${picking ? ' is-open' : ''}`} role="toolbar" aria-label={t('messages.actions')}>
      {picking && (
        <div className="quick-reactions" role="group" aria-label={t('reactions.pick')} onKeyDown={(e) => e.key === 'Escape' && setPicking(false)}>
          {QUICK_REACTIONS.map((code) => (
            <button key={code} type="button" className="quick-reaction" aria-label={t('reactions.react', { emoji: code })} onClick={() => react(code)}>
              <span aria-hidden="true">{emojiOf(code)}</span>
            </button>
          ))}
        </div>
      )}
      <button type="button" className="icon-button" aria-label={t('messages.addReaction')} aria-expanded={picking} title={t('messages.addReaction')} onClick={() => setPicking((p) => !p)}>
        <SmileIcon size={16} />
      </button>
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
