import { useTranslation } from 'react-i18next';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../lib/api';
import type { WorkspaceUser } from '../../lib/types';
import { peopleKey } from '../../people/usePeople';
import { AdminSection } from '../AdminPage';
import { rc } from '../rc';

const PERMISSIONS = ['manage-incoming-integrations', 'manage-own-incoming-integrations', 'manage-outgoing-integrations', 'manage-own-outgoing-integrations'] as const;
const ROLES = ['admin', 'user', 'guest', 'bot'] as const;

/** A person's Rocket.Chat roles as docs/integrations.md §5 maps them (extra roles given through users.create are not listed by /v1). */
const rolesOf = (u: WorkspaceUser): string[] => {
  const base = u.workspaceRole === 'OWNER' || u.workspaceRole === 'ADMIN' ? ['admin'] : u.workspaceRole === 'GUEST' ? ['guest'] : ['user'];
  return u.isAddonBot ? [...base, 'bot'] : base;
};

/** Which roles hold the four integration permissions (`permissions.listAll` / `.update`), and so which people. */
export function PermissionsPage() {
  const { t } = useTranslation();
  return (
    <AdminSection title={t('admin.permissions.title')} intro={t('admin.permissions.intro')}>
      <PermissionTable />
    </AdminSection>
  );
}

function PermissionTable() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const key = ['admin', 'permissions'];
  const perms = useQuery({ queryKey: key, queryFn: () => rc<{ update: { _id: string; roles: string[] }[] }>('GET', 'permissions.listAll').then((r) => r.update) });
  const people = useQuery({ queryKey: peopleKey, queryFn: () => api.get<WorkspaceUser[]>('/v1/workspaceUsers') });
  const update = useMutation({
    mutationFn: (p: { _id: string; roles: string[] }) => rc('POST', 'permissions.update', { permissions: [p] }),
    onSettled: () => void qc.invalidateQueries({ queryKey: key }),
  });
  const error = perms.error ?? update.error;
  const active = (people.data ?? []).filter((u) => u.status !== 'DEACTIVATED');
  return (
    <>
      {error && (
        <p className="form-error" role="alert">
          {error.message}
        </p>
      )}
      <table className="admin-table">
        <thead>
          <tr>
            <th scope="col">{t('admin.permissions.permission')}</th>
            {ROLES.map((r) => (
              <th scope="col" key={r}>
                {r}
              </th>
            ))}
            <th scope="col">{t('admin.permissions.holders')}</th>
          </tr>
        </thead>
        <tbody>
          {PERMISSIONS.map((p) => {
            const roles = perms.data?.find((x) => x._id === p)?.roles ?? [];
            const holders = active.filter((u) => rolesOf(u).some((r) => roles.includes(r)));
            return (
              <tr key={p}>
                <th scope="row">
                  <code>{p}</code>
                  <div className="admin-muted">{t(`admin.permissions.about.${p}`)}</div>
                </th>
                {ROLES.map((r) => (
                  <td key={r}>
                    <input
                      type="checkbox"
                      aria-label={t('admin.permissions.toggle', { role: r, permission: p })}
                      checked={roles.includes(r)}
                      disabled={!perms.data || update.isPending}
                      onChange={(e) => update.mutate({ _id: p, roles: e.target.checked ? [...roles, r] : roles.filter((x) => x !== r) })}
                    />
                  </td>
                ))}
                <td>{holders.length === 0 ? <span className="admin-muted">{t('admin.permissions.nobody')}</span> : holders.map((u) => u.name).join(', ')}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}
