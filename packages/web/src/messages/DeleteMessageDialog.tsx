import { useTranslation } from 'react-i18next';
import type { Message } from '../lib/types';
import { ConfirmDialog } from '../ui/ConfirmDialog';
import { describeError } from '../ui/ErrorNotice';
import { useDeleteMessage } from './useMessages';
import { MessageText } from './MessageRow';

/** "Delete this message?" — `authorName` when it is someone else's (an admin deleting it). */
export function DeleteMessageDialog({ message, authorName, onClose }: { message: Message; authorName?: string | undefined; onClose(): void }) {
  const { t } = useTranslation();
  const del = useDeleteMessage();
  return (
    <ConfirmDialog
      title={t('messages.deleteTitle')}
      confirmLabel={t('messages.delete')}
      cancelLabel={t('common.cancel')}
      danger
      busy={del.isPending}
      onCancel={onClose}
      onConfirm={() => del.mutate(message, { onSuccess: onClose })}
    >
      <p>{authorName === undefined ? t('messages.deleteBody') : t('messages.deleteOthersBody', { name: authorName })}</p>
      <blockquote className="dialog-quote">
        <MessageText text={message.text} />
      </blockquote>
      {del.isError && (
        <p className="form-error" role="alert">
          {t('messages.deleteFailed')} {describeError(del.error, t)}
        </p>
      )}
    </ConfirmDialog>
  );
}
