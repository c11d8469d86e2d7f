import { useCallback, useId, useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, seg } from '../lib/api';
import type { WorkspaceUser } from '../lib/types';
import { PeoplePicker } from '../people/PeoplePicker';
import { describeError } from '../ui/ErrorNotice';
import { Modal } from './Modal';
import { useChannel } from './useChannels';
import './channelDialogs.css';

/**
 * "Add people to #channel" (Slack's and Pumble's): anyone active who is not in it yet — people, and
 * apps' bots, which must be members to hear a channel's messages (docs/app-platform.md §8).
 */
export function AddPeopleDialog({ channelId, label, onClose }: { channelId: string; label: string; onClose(): void }) {
  const { t } = useTranslation();
  const titleId = useId();
  const qc = useQueryClient();
  const [chosen, setChosen] = useState<string[]>([]);
  // the channel's members (the sidebar's list of channels carries none)
  const channel = useChannel(channelId);
  const members = channel.data?.users;
  const offered = useCallback((u: WorkspaceUser) => members !== undefined && !members.includes(u.id), [members]);
  const add = useMutation({
    mutationFn: (userIds: string[]) => api.post<{ addedUserIds: string[] }>(`/v1/channels/${seg(channelId)}/users`, { userIds }),
    onSuccess: () => {
      // the member list at once (the member.joined frame says so too)
      void qc.invalidateQueries({ queryKey: ['channels', channelId, 'info'] });
      onClose();
    },
  });
  const done = () => chosen.length > 0 && !add.isPending && add.mutate(chosen);

  return (
    <Modal title={t('channel.addPeopleTitle', { name: label })} titleId={titleId} onClose={onClose} wide>
      <PeoplePicker offered={offered} chosen={chosen} onChange={setChosen} onDone={done} nobody={channel.isError ? t('channel.membersFailed') : members === undefined ? t('channel.addPeopleLoading') : t('channel.addPeopleNobody')} />
      {add.isError && (
        <p className="form-error" role="alert">
          {t('channel.addPeopleFailed')} {describeError(add.error, t)}
        </p>
      )}
      <div className="dialog-actions">
        <button type="button" className="button button-secondary" onClick={onClose}>
          {t('common.cancel')}
        </button>
        <button type="button" className="button button-primary" disabled={chosen.length === 0 || add.isPending} onClick={done}>
          {t('channel.addPeopleConfirm', { count: chosen.length })}
        </button>
      </div>
    </Modal>
  );
}
