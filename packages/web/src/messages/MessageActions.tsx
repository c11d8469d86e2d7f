import { Suspense, lazy, useCallback, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Message } from '../lib/types';
import { ReplyInThreadButton } from '../threads/ReplyInThreadButton';
import { MessageShortcutsButton, type BuiltinItem } from '../apps/shortcuts/ShortcutMenu';
import { PinActions } from '../pins/PinActions';
import { messagePath } from '../pins/types';
import { useMe } from '../people/usePeople';
import { isAdmin } from '../admin/isAdmin';
import { copyText } from '../lib/clipboard';
import { showToast } from '../ui/Toast';
import { useToggleReaction } from './useMessages';
import { EditIcon, LinkIcon, SmileIcon, TrashIcon } from '../ui/icons';

const EmojiPicker = lazy(() => import('../emoji/EmojiPicker'));

/**
 * The hover (and focus) toolbar of a message: react, reply in thread, pin and save, More actions
 * (Copy link, the apps' message shortcuts), edit your own, and delete your own — or anyone's for
 * workspace admins and owners, as the server allows (web-client.md §6.1).
 */
export function MessageActions({ message, mine, meId, onEdit, onDelete }: { message: Message; mine: boolean; meId: string | undefined; onEdit(): void; onDelete(): void }) {
  const { t } = useTranslation();
  // useMe unconditionally: a hook behind `mine ||` would run or not as `mine` changes (React's rules of hooks).
  const myRole = useMe().data?.workspaceRole;
  const mayDelete = mine || isAdmin(myRole);
  const copyLink = useCallback(() => {
    // the address the client itself opens: the message in its channel, or its thread
    const link = new URL(messagePath(message), window.location.origin).href;
    copyText(link).then(
      () => showToast(t('messages.linkCopied')),
      () => showToast(t('messages.linkCopyFailed', { link }), 15_000),
    );
  }, [message, t]);
  // Copy link is a hover action of its own (web-client.md §6.1) and, as in Slack, also in More actions.
  const more = useMemo<BuiltinItem[]>(() => [{ id: 'copy-link', label: t('messages.copyLink'), onSelect: copyLink }], [copyLink, t]);
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
      <button type="button" className="icon-button" aria-label={t('messages.copyLink')} title={t('messages.copyLink')} onClick={copyLink}>
        <LinkIcon size={16} />
      </button>
      <MessageShortcutsButton channelId={message.channelId} messageId={message.id} builtins={more} />
      {mine && (
        <button type="button" className="icon-button" aria-label={t('messages.edit')} title={t('messages.edit')} onClick={onEdit}>
          <EditIcon size={16} />
        </button>
      )}
      {mayDelete && (
        <button type="button" className="icon-button icon-button-danger" aria-label={t('messages.delete')} title={t('messages.delete')} onClick={onDelete}>
          <TrashIcon size={16} />
        </button>
      )}
    </div>
  );
}
