/**
 * The channel menu's settings dialogs, one lazy chunk with their strings: "Edit channel" (name and
 * description) and "Archive #channel?" / "Unarchive #channel?". Who is offered them:
 * channelActions.ts (canEditChannel, canArchive).
 */
import { useId, useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ApiError, api, seg } from '../lib/api';
import type { ChannelInfo } from '../lib/types';
import { ConfirmDialog } from '../ui/ConfirmDialog';
import { describeError } from '../ui/ErrorNotice';
import { remember, setArchived } from './channelActions';
import { ChannelDescriptionField, ChannelNameField, useChannelNameError } from './ChannelFields';
import { Modal } from './Modal';
import './channelDialogs.css';
import './strings';

export type ChannelSetting = 'edit' | 'archive';

export function ChannelSettingsDialog({ kind, info, label, onClose }: { kind: ChannelSetting; info: ChannelInfo; label: string; onClose(): void }) {
  return kind === 'edit' ? <EditChannelDialog info={info} onClose={onClose} /> : <ArchiveChannelDialog info={info} label={label} onClose={onClose} />;
}

/** A change to the channel answered with its ChannelInfo: in the list at once (its frame follows). */
function useChannelChange<V>(call: (v: V) => Promise<ChannelInfo>) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: call,
    onSuccess: (info) => {
      remember(qc, info);
      void qc.invalidateQueries({ queryKey: ['channels', info.channel.id, 'info'], exact: true });
    },
  });
}

/** "Archive #channel?" (or unarchive, for an archived one): what it means, then it is done. */
function ArchiveChannelDialog({ info, label, onClose }: { info: ChannelInfo; label: string; onClose(): void }) {
  const { t } = useTranslation();
  // what it was asked to do: the list says "archived" a moment before the dialog closes
  const [archive] = useState(!info.channel.isArchived);
  const set = useChannelChange(() => setArchived(info.channel.id, archive));
  const key = archive ? 'archive' : 'unarchive';
  return (
    <ConfirmDialog
      title={t(`channelSettings.${key}Title`, { name: label })}
      confirmLabel={t(`chat.channelMenu.${key}`)}
      cancelLabel={t('common.cancel')}
      danger={archive}
      busy={set.isPending}
      onCancel={onClose}
      onConfirm={() => set.mutate(undefined, { onSuccess: onClose })}
    >
      <p>{t(`channelSettings.${key}Body`)}</p>
      {set.isError && (
        <p className="form-error" role="alert">
          {t(`channelSettings.${key}Failed`)} {describeError(set.error, t)}
        </p>
      )}
    </ConfirmDialog>
  );
}

/**
 * "Edit channel": its name and its description (the header's topic), with the create dialog's rules,
 * through `PATCH /v1/channels/{id}` (the general channel keeps its name: the server refuses it).
 */
function EditChannelDialog({ info, onClose }: { info: ChannelInfo; onClose(): void }) {
  const { t } = useTranslation();
  const { channel } = info;
  const ids = { title: useId(), name: useId(), nameHint: useId(), description: useId() };
  const [name, setName] = useState(channel.name ?? '');
  const [description, setDescription] = useState(channel.description);
  const [touched, setTouched] = useState(false);
  const update = useChannelChange((v: { name?: string; description?: string }) => api.patch<ChannelInfo>(`/v1/channels/${seg(channel.id)}`, v));
  const trimmed = name.trim();
  const nameError = useChannelNameError(trimmed);
  const taken = update.error instanceof ApiError && update.error.status === 409;

  return (
    <Modal title={t('channelSettings.editTitle', { name: channel.name })} titleId={ids.title} onClose={onClose}>
      <form
        className="form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          setTouched(true);
          if (nameError || update.isPending) return;
          // Only what changed: a name sent unchanged would undo someone's rename made since the dialog opened.
          const changes = { ...(trimmed !== channel.name && { name: trimmed }), ...(description.trim() !== channel.description && { description: description.trim() }) };
          if (Object.keys(changes).length === 0) return onClose();
          update.mutate(changes, { onSuccess: onClose });
        }}
      >
        <ChannelNameField id={ids.name} hintId={ids.nameHint} value={name} onChange={setName} error={nameError} touched={touched} taken={taken} readOnly={channel.isMain} />
        <ChannelDescriptionField id={ids.description} value={description} onChange={setDescription} />
        {update.isError && !taken && (
          <p className="form-error" role="alert">
            {t('channelSettings.editFailed')} {describeError(update.error, t)}
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" className="button button-secondary" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="button button-primary" disabled={update.isPending}>
            {t('common.save')}
          </button>
        </div>
      </form>
    </Modal>
  );
}
