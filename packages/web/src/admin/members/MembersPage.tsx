import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, seg } from '../../lib/api';
import type { WorkspaceUser } from '../../lib/types';
import { peopleKey, useMe } from '../../people/usePeople';
import { Avatar } from '../../ui/Avatar';
import { ErrorNotice, describeError } from '../../ui/ErrorNotice';
import { SkeletonLine } from '../../ui/Skeleton';
import { AdminSection } from '../AdminPage';
import { CreateMemberForm } from './CreateMemberForm';

/** Everyone in the workspace (the same cache entry as the people list), with create, deactivate and reactivate. */
export function MembersPage() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const me = useMe().data;
  const people = useQuery({ queryKey: peopleKey, queryFn: () => api.get<WorkspaceUser[]>('/v1/workspaceUsers') });
  const [filter, setFilter] = useState('');
  const setStatus = useMutation({
    mutationFn: ({ id, action }: { id: string; action: 'activate' | 'deactivate' }) => api.post<WorkspaceUser>(`/v1/workspaceUsers/${seg(id)}/${action}`),
    onSettled: () => void qc.invalidateQueries({ queryKey: peopleKey }),
  });

  const list = (people.data ?? [])
    .filter((u) => !u.isAddonBot)
    .filter((u) => `${u.name} ${u.email}`.toLowerCase().includes(filter.toLowerCase()))
    .sort((a, b) => a.name.localeCompare(b.name));

  return (
    <>
      <AdminSection
        title={t('admin.members.title')}
        missing={[t('admin.members.missingRole'), t('admin.members.missingReset')]}
      >
        <div className="admin-toolbar">
          <label className="visually-hidden" htmlFor="admin-members-filter">
            {t('admin.members.filter')}
          </label>
          <input id="admin-members-filter" className="admin-input" type="search" placeholder={t('admin.members.filter')} value={filter} onChange={(e) => setFilter(e.target.value)} />
        </div>
        {people.isError && <ErrorNotice title={t('admin.members.loadFailed')} error={people.error} onRetry={() => void people.refetch()} />}
        {setStatus.isError && (
          <p className="form-error" role="alert">
            {describeError(setStatus.error, t)}
          </p>
        )}
        {people.isPending ? (
          <SkeletonLine width="60%" />
        ) : list.length === 0 ? (
          <p className="admin-empty">{t('admin.members.empty')}</p>
        ) : (
          <table className="admin-table">
            <thead>
              <tr>
                <th scope="col">{t('admin.members.name')}</th>
                <th scope="col">{t('admin.members.email')}</th>
                <th scope="col">{t('admin.members.role')}</th>
                <th scope="col">{t('admin.members.status')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('admin.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((u) => {
                const active = u.status !== 'DEACTIVATED';
                return (
                  <tr key={u.id} data-testid={`member-${u.email}`}>
                    <td>
                      <span className="admin-person">
                        <Avatar id={u.id} name={u.name} size={24} />
                        {u.name}
                      </span>
                    </td>
                    <td>{u.email}</td>
                    <td>{t(`admin.roles.${u.workspaceRole}`)}</td>
                    <td>
                      <span className={`admin-status${active ? '' : ' is-off'}`}>{active ? t('admin.members.active') : t('admin.members.deactivated')}</span>
                    </td>
                    <td className="admin-row-actions">
                      {u.id !== me?.id && (
                        <button
                          type="button"
                          className={`button button-small ${active ? 'button-secondary' : 'button-primary'}`}
                          disabled={setStatus.isPending}
                          aria-label={t(active ? 'admin.members.deactivateWho' : 'admin.members.reactivateWho', { name: u.name })}
                          onClick={() => setStatus.mutate({ id: u.id, action: active ? 'deactivate' : 'activate' })}
                        >
                          {active ? t('admin.members.deactivate') : t('admin.members.reactivate')}
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </AdminSection>
      <AdminSection title={t('admin.members.createTitle')}>
        <CreateMemberForm ownerMayCreateOwners={me?.workspaceRole === 'OWNER'} />
      </AdminSection>
    </>
  );
}
