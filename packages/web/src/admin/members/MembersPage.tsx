import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, seg } from '../../lib/api';
import type { WorkspaceUser } from '../../lib/types';
import { peopleKey, useMe } from '../../people/usePeople';
import { Avatar } from '../../ui/Avatar';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { SkeletonLine } from '../../ui/Skeleton';
import { AdminSection } from '../AdminPage';
import { reasonOf } from '../reason';
import { CreateMemberForm } from './CreateMemberForm';
import { ResetPasswordDialog } from './ResetPasswordDialog';

type Role = WorkspaceUser['workspaceRole'];
const ROLES: Role[] = ['OWNER', 'ADMIN', 'MEMBER', 'GUEST'];

/**
 * Everyone in the workspace (the same cache entry as the people list): change a role, reset a
 * password, deactivate and reactivate; create a member below. The server's rules are mirrored so
 * that nobody is offered what would be refused: one's own row has no actions, and an owner's row,
 * or making an owner, is an owner's.
 */
export function MembersPage() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const me = useMe().data;
  const people = useQuery({ queryKey: peopleKey, queryFn: () => api.get<WorkspaceUser[]>('/v1/workspaceUsers') });
  const [filter, setFilter] = useState('');
  const [resetting, setResetting] = useState<WorkspaceUser | null>(null);
  const [makingOwner, setMakingOwner] = useState<WorkspaceUser | null>(null);
  const [deactivating, setDeactivating] = useState<WorkspaceUser | null>(null);
  const refresh = () => void qc.invalidateQueries({ queryKey: peopleKey });
  const setStatus = useMutation({
    mutationFn: ({ user, action }: { user: WorkspaceUser; action: 'activate' | 'deactivate' }) => api.post<WorkspaceUser>(`/v1/workspaceUsers/${seg(user.id)}/${action}`),
    onSettled: () => {
      setDeactivating(null);
      refresh();
    },
  });
  const setRole = useMutation({
    mutationFn: ({ user, role }: { user: WorkspaceUser; role: Role }) => api.put<WorkspaceUser>(`/v1/workspaceUsers/${seg(user.id)}/role`, { role }),
    onSuccess: () => setMakingOwner(null),
    onSettled: refresh,
  });
  const iAmOwner = me?.workspaceRole === 'OWNER';
  const mayManage = (u: WorkspaceUser) => u.id !== me?.id && (iAmOwner || u.workspaceRole !== 'OWNER');
  const chooseRole = (user: WorkspaceUser, role: Role) => {
    setStatus.reset();
    if (role === 'OWNER') setMakingOwner(user);
    else setRole.mutate({ user, role });
  };

  const list = (people.data ?? [])
    .filter((u) => !u.isAddonBot)
    .filter((u) => `${u.name} ${u.email}`.toLowerCase().includes(filter.toLowerCase()))
    .sort((a, b) => a.name.localeCompare(b.name));

  return (
    <>
      <AdminSection title={t('admin.members.title')} intro={t('admin.members.intro')}>
        <div className="admin-toolbar">
          <label className="visually-hidden" htmlFor="admin-members-filter">
            {t('admin.members.filter')}
          </label>
          <input id="admin-members-filter" className="admin-input" type="search" placeholder={t('admin.members.filter')} value={filter} onChange={(e) => setFilter(e.target.value)} />
        </div>
        {people.isError && <ErrorNotice title={t('admin.members.loadFailed')} error={people.error} onRetry={() => void people.refetch()} />}
        {setStatus.isError && (
          <p className="form-error" role="alert">
            {t(setStatus.variables.action === 'deactivate' ? 'admin.members.deactivateFailed' : 'admin.members.reactivateFailed', {
              name: setStatus.variables.user.name,
              reason: reasonOf(setStatus.error, t),
            })}
          </p>
        )}
        {setRole.isError && (
          <p className="form-error" role="alert">
            {t('admin.members.roleFailed', { name: setRole.variables.user.name, reason: reasonOf(setRole.error, t) })}
          </p>
        )}
        {setRole.isSuccess && (
          <p className="admin-ok" role="status">
            {t('admin.members.roleChanged', { name: setRole.data.name, role: t(`admin.roles.${setRole.data.workspaceRole}`) })}
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
                const manage = mayManage(u);
                return (
                  <tr key={u.id} data-testid={`member-${u.email}`}>
                    <td>
                      <span className="admin-person">
                        <Avatar id={u.id} name={u.name} size={24} />
                        {u.name}
                        {u.id === me?.id && <span className="admin-muted">{t('admin.members.you')}</span>}
                      </span>
                    </td>
                    <td>{u.email}</td>
                    <td>
                      {manage ? (
                        <select
                          className="select admin-select"
                          aria-label={t('admin.members.roleOf', { name: u.name })}
                          value={u.workspaceRole}
                          disabled={setRole.isPending}
                          onChange={(e) => chooseRole(u, e.target.value as Role)}
                        >
                          {ROLES.filter((r) => iAmOwner || r !== 'OWNER').map((r) => (
                            <option key={r} value={r}>
                              {t(`admin.roles.${r}`)}
                            </option>
                          ))}
                        </select>
                      ) : (
                        t(`admin.roles.${u.workspaceRole}`)
                      )}
                    </td>
                    <td>
                      <span className={`admin-status${active ? '' : ' is-off'}`}>{active ? t('admin.members.active') : t('admin.members.deactivated')}</span>
                    </td>
                    <td className="admin-row-actions">
                      {manage && (
                        <>
                          <button
                            type="button"
                            className="button button-small button-secondary"
                            aria-label={t('admin.members.resetWho', { name: u.name })}
                            onClick={() => setResetting(u)}
                          >
                            {t('admin.members.reset')}
                          </button>
                          <button
                            type="button"
                            className={`button button-small ${active ? 'button-secondary' : 'button-primary'}`}
                            disabled={setStatus.isPending}
                            aria-label={t(active ? 'admin.members.deactivateWho' : 'admin.members.reactivateWho', { name: u.name })}
                            onClick={() => {
                              setRole.reset();
                              // deactivating signs them out everywhere: asked first; reactivating is not
                              if (active) setDeactivating(u);
                              else setStatus.mutate({ user: u, action: 'activate' });
                            }}
                          >
                            {active ? t('admin.members.deactivate') : t('admin.members.reactivate')}
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
      </AdminSection>
      <AdminSection title={t('admin.members.createTitle')} intro={t('admin.members.createIntro')}>
        <CreateMemberForm ownerMayCreateOwners={iAmOwner} />
      </AdminSection>
      {resetting && <ResetPasswordDialog person={resetting} onClose={() => setResetting(null)} />}
      {deactivating && (
        <ConfirmDialog
          title={t('admin.members.deactivateTitle', { name: deactivating.name })}
          confirmLabel={t('admin.members.deactivate')}
          cancelLabel={t('common.cancel')}
          danger
          busy={setStatus.isPending}
          onConfirm={() => setStatus.mutate({ user: deactivating, action: 'deactivate' })}
          onCancel={() => setDeactivating(null)}
        >
          <p>{t('admin.members.deactivateBody', { name: deactivating.name })}</p>
        </ConfirmDialog>
      )}
      {makingOwner && (
        <ConfirmDialog
          title={t('admin.members.ownerTitle', { name: makingOwner.name })}
          confirmLabel={t('admin.members.ownerConfirm')}
          cancelLabel={t('common.cancel')}
          danger
          busy={setRole.isPending}
          onConfirm={() => setRole.mutate({ user: makingOwner, role: 'OWNER' })}
          onCancel={() => setMakingOwner(null)}
        >
          <p>{t('admin.members.ownerBody', { name: makingOwner.name })}</p>
        </ConfirmDialog>
      )}
    </>
  );
}
