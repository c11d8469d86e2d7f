import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, seg } from '../../lib/api';
import type { Channel, ChannelInfo } from '../../lib/types';
import { channelsKey } from '../../channels/useChannels';
import { setArchived } from '../../channels/channelActions';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { SkeletonLine } from '../../ui/Skeleton';
import { HashIcon, LockIcon } from '../../ui/icons';
import { AdminSection } from '../AdminPage';
import { reasonOf } from '../reason';

/** Under the chat's channels key: every channel frame (applyFrame invalidates ['channels']) refreshes this list too. */
export const adminChannelsKey = ['channels', 'admin-all'] as const;

type Pending = { kind: 'delete'; channel: Channel } | { kind: 'privacy'; channel: Channel; to: 'PUBLIC' | 'PRIVATE' };

/**
 * Every public and private channel (`GET /v1/admin/channels`), private ones the admin is not in
 * included: change privacy, archive, unarchive, delete. A private channel exists only for its
 * members, admins included, so one the admin is not in is listed without actions.
 */
export function ChannelsPage() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const channels = useQuery({ queryKey: adminChannelsKey, queryFn: () => api.get<ChannelInfo[]>('/v1/admin/channels') });
  const [pending, setPending] = useState<Pending | null>(null);
  const [filter, setFilter] = useState('');
  const done = () => void qc.invalidateQueries({ queryKey: channelsKey });
  const archive = useMutation({
    mutationFn: ({ channel, action }: { channel: Channel; action: 'archive' | 'unarchive' }) => setArchived(channel.id, action === 'archive'),
    onSettled: done,
  });
  const privacy = useMutation({
    mutationFn: ({ channel, to }: { channel: Channel; to: 'PUBLIC' | 'PRIVATE' }) => api.put<ChannelInfo>(`/v1/channels/${seg(channel.id)}/type`, { type: to }),
    onSuccess: () => setPending(null),
    onSettled: done,
  });
  const remove = useMutation({
    mutationFn: (channel: Channel) => api.delete<unknown>(`/v1/channels/${seg(channel.id)}`),
    onSuccess: () => setPending(null),
    onSettled: done,
  });
  const clearErrors = () => [archive, privacy, remove].forEach((m) => m.reset());
  const list = (channels.data ?? [])
    .map((c) => c.channel)
    .filter((c) => (c.name ?? '').toLowerCase().includes(filter.trim().toLowerCase().replace(/^#/, '')))
    .sort((a, b) => (a.name ?? '').localeCompare(b.name ?? ''));
  const failure = archive.isError
    ? t(archive.variables.action === 'archive' ? 'admin.channels.archiveFailed' : 'admin.channels.unarchiveFailed', { name: archive.variables.channel.name, reason: reasonOf(archive.error, t) })
    : privacy.isError
      ? t('admin.channels.privacyFailed', { name: privacy.variables.channel.name, reason: reasonOf(privacy.error, t) })
      : remove.isError
        ? t('admin.channels.deleteFailed', { name: remove.variables.name, reason: reasonOf(remove.error, t) })
        : null;

  return (
    <AdminSection title={t('admin.channels.title')} intro={t('admin.channels.intro')}>
      <div className="admin-toolbar">
        <label className="visually-hidden" htmlFor="admin-channels-filter">
          {t('admin.channels.filter')}
        </label>
        <input id="admin-channels-filter" className="admin-input" type="search" placeholder={t('admin.channels.filter')} value={filter} onChange={(e) => setFilter(e.target.value)} />
      </div>
      {channels.isError && <ErrorNotice title={t('admin.channels.loadFailed')} error={channels.error} onRetry={() => void channels.refetch()} />}
      {failure && !pending && (
        <p className="form-error" role="alert">
          {failure}
        </p>
      )}
      {channels.isPending ? (
        <SkeletonLine width="50%" />
      ) : list.length === 0 ? (
        <p className="admin-empty">{filter ? t('admin.channels.noMatch') : t('admin.channels.empty')}</p>
      ) : (
        <table className="admin-table">
          <thead>
            <tr>
              <th scope="col">{t('admin.channels.name')}</th>
              <th scope="col">{t('admin.channels.privacy')}</th>
              <th scope="col">{t('admin.channels.state')}</th>
              <th scope="col">{t('admin.channels.membership')}</th>
              <th scope="col">
                <span className="visually-hidden">{t('admin.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map((c) => {
              const isPrivate = c.channelType === 'PRIVATE';
              const closed = isPrivate && !c.isMember;
              return (
                <tr key={c.id} data-testid={`channel-${c.name}`}>
                  <td>
                    <span className="admin-person">
                      {isPrivate ? <LockIcon size={15} /> : <HashIcon size={15} />}
                      {c.name}
                    </span>
                  </td>
                  <td>{isPrivate ? t('admin.channels.private') : t('admin.channels.public')}</td>
                  <td>
                    <span className={`admin-status${c.isArchived ? ' is-off' : ''}`}>{c.isArchived ? t('admin.channels.archived') : t('admin.channels.active')}</span>
                  </td>
                  <td>{c.isMember ? t('admin.channels.member') : <span className="admin-muted">{t('admin.channels.notMember')}</span>}</td>
                  <td className="admin-row-actions">
                    {c.isMain ? (
                      <span className="admin-muted">{t('admin.channels.mainFixed')}</span>
                    ) : closed ? (
                      <span className="admin-muted">{t('admin.channels.membersOnly')}</span>
                    ) : (
                      <>
                        <button
                          type="button"
                          className="button button-small button-secondary"
                          aria-label={t(isPrivate ? 'admin.channels.makePublicWho' : 'admin.channels.makePrivateWho', { name: c.name })}
                          onClick={() => {
                            clearErrors();
                            setPending({ kind: 'privacy', channel: c, to: isPrivate ? 'PUBLIC' : 'PRIVATE' });
                          }}
                        >
                          {isPrivate ? t('admin.channels.makePublic') : t('admin.channels.makePrivate')}
                        </button>
                        <button
                          type="button"
                          className="button button-small button-secondary"
                          disabled={archive.isPending}
                          aria-label={t(c.isArchived ? 'admin.channels.unarchiveWho' : 'admin.channels.archiveWho', { name: c.name })}
                          onClick={() => {
                            clearErrors();
                            archive.mutate({ channel: c, action: c.isArchived ? 'unarchive' : 'archive' });
                          }}
                        >
                          {c.isArchived ? t('admin.channels.unarchive') : t('admin.channels.archive')}
                        </button>
                        <button
                          type="button"
                          className="button button-small button-danger"
                          aria-label={t('admin.channels.deleteWho', { name: c.name })}
                          onClick={() => {
                            clearErrors();
                            setPending({ kind: 'delete', channel: c });
                          }}
                        >
                          {t('admin.channels.delete')}
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {pending?.kind === 'delete' && (
        <ConfirmDialog
          title={t('admin.channels.deleteTitle', { name: pending.channel.name })}
          confirmLabel={t('admin.channels.delete')}
          cancelLabel={t('common.cancel')}
          danger
          busy={remove.isPending}
          onConfirm={() => remove.mutate(pending.channel)}
          onCancel={() => setPending(null)}
        >
          <p>{t('admin.channels.deleteBody')}</p>
          {failure && (
            <p className="form-error" role="alert">
              {failure}
            </p>
          )}
        </ConfirmDialog>
      )}
      {pending?.kind === 'privacy' && (
        <ConfirmDialog
          title={t(pending.to === 'PRIVATE' ? 'admin.channels.makePrivateTitle' : 'admin.channels.makePublicTitle', { name: pending.channel.name })}
          confirmLabel={pending.to === 'PRIVATE' ? t('admin.channels.makePrivate') : t('admin.channels.makePublic')}
          cancelLabel={t('common.cancel')}
          busy={privacy.isPending}
          onConfirm={() => privacy.mutate({ channel: pending.channel, to: pending.to })}
          onCancel={() => setPending(null)}
        >
          <p>{t(pending.to === 'PRIVATE' ? 'admin.channels.makePrivateBody' : 'admin.channels.makePublicBody')}</p>
          {failure && (
            <p className="form-error" role="alert">
              {failure}
            </p>
          )}
        </ConfirmDialog>
      )}
    </AdminSection>
  );
}
