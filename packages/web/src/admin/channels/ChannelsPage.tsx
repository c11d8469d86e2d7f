import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, seg } from '../../lib/api';
import type { Channel } from '../../lib/types';
import { channelsKey, useChannels } from '../../channels/useChannels';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { ErrorNotice, describeError } from '../../ui/ErrorNotice';
import { SkeletonLine } from '../../ui/Skeleton';
import { HashIcon, LockIcon } from '../../ui/icons';
import { AdminSection } from '../AdminPage';

/** Every public channel and every private one the admin belongs to: archive, unarchive, delete. */
export function ChannelsPage() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const channels = useChannels();
  const [deleting, setDeleting] = useState<Channel | null>(null);
  const done = () => void qc.invalidateQueries({ queryKey: channelsKey });
  const archive = useMutation({
    mutationFn: ({ id, action }: { id: string; action: 'archive' | 'unarchive' }) => api.post<unknown>(`/v1/channels/${seg(id)}/${action}`),
    onSettled: done,
  });
  const remove = useMutation({
    mutationFn: (id: string) => api.delete<unknown>(`/v1/channels/${seg(id)}`),
    onSuccess: () => setDeleting(null),
    onSettled: done,
  });
  const list = (channels.data ?? [])
    .map((c) => c.channel)
    .filter((c) => c.channelType === 'PUBLIC' || c.channelType === 'PRIVATE')
    .sort((a, b) => (a.name ?? '').localeCompare(b.name ?? ''));
  const error = archive.error ?? remove.error;

  return (
    <AdminSection title={t('admin.channels.title')} missing={[t('admin.channels.missingPrivacy'), t('admin.channels.missingAll')]}>
      {channels.isError && <ErrorNotice title={t('channels.loadFailed')} error={channels.error} onRetry={() => void channels.refetch()} />}
      {error && (
        <p className="form-error" role="alert">
          {describeError(error, t)}
        </p>
      )}
      {channels.isPending ? (
        <SkeletonLine width="50%" />
      ) : list.length === 0 ? (
        <p className="admin-empty">{t('admin.channels.empty')}</p>
      ) : (
        <table className="admin-table">
          <thead>
            <tr>
              <th scope="col">{t('admin.channels.name')}</th>
              <th scope="col">{t('admin.channels.privacy')}</th>
              <th scope="col">{t('admin.channels.state')}</th>
              <th scope="col">
                <span className="visually-hidden">{t('admin.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map((c) => (
              <tr key={c.id} data-testid={`channel-${c.name}`}>
                <td>
                  <span className="admin-person">
                    {c.channelType === 'PRIVATE' ? <LockIcon size={15} /> : <HashIcon size={15} />}
                    {c.name}
                  </span>
                </td>
                <td>{c.channelType === 'PRIVATE' ? t('admin.channels.private') : t('admin.channels.public')}</td>
                <td>
                  <span className={`admin-status${c.isArchived ? ' is-off' : ''}`}>{c.isArchived ? t('admin.channels.archived') : t('admin.channels.active')}</span>
                </td>
                <td className="admin-row-actions">
                  {!c.isMain && (
                    <>
                      <button
                        type="button"
                        className="button button-small button-secondary"
                        disabled={archive.isPending}
                        aria-label={t(c.isArchived ? 'admin.channels.unarchiveWho' : 'admin.channels.archiveWho', { name: c.name })}
                        onClick={() => archive.mutate({ id: c.id, action: c.isArchived ? 'unarchive' : 'archive' })}
                      >
                        {c.isArchived ? t('admin.channels.unarchive') : t('admin.channels.archive')}
                      </button>
                      <button
                        type="button"
                        className="button button-small button-danger"
                        aria-label={t('admin.channels.deleteWho', { name: c.name })}
                        onClick={() => setDeleting(c)}
                      >
                        {t('admin.channels.delete')}
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {deleting && (
        <ConfirmDialog
          title={t('admin.channels.deleteTitle', { name: deleting.name })}
          confirmLabel={t('admin.channels.delete')}
          cancelLabel={t('common.cancel')}
          danger
          busy={remove.isPending}
          onConfirm={() => remove.mutate(deleting.id)}
          onCancel={() => setDeleting(null)}
        >
          <p>{t('admin.channels.deleteBody')}</p>
        </ConfirmDialog>
      )}
    </AdminSection>
  );
}
