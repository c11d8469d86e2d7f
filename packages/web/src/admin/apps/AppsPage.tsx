import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, seg } from '../../lib/api';
import { useDirectory } from '../../apps/queries';
import { useSession } from '../../auth/session';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { ErrorNotice, describeError } from '../../ui/ErrorNotice';
import { SkeletonLine } from '../../ui/Skeleton';
import { AdminSection } from '../AdminPage';
import { dev } from '../devToken';
import { DeliveryLog } from './DeliveryLog';

interface OwnApp {
  id: string;
  name: string;
  displayName?: string;
  published?: boolean;
}

/** Installed apps with their scopes (uninstall), and the person's own apps with their delivery log. */
export function AppsPage() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const directory = useDirectory();
  const [uninstalling, setUninstalling] = useState<{ id: string; name: string } | null>(null);
  const uninstall = useMutation({
    mutationFn: (id: string) => api.delete<unknown>(`/v1/appDirectory/${seg(id)}/install`),
    onSuccess: () => setUninstalling(null),
    onSettled: () => void qc.invalidateQueries({ queryKey: ['apps'] }),
  });
  const installed = (directory.data ?? []).filter((a) => a.installed);

  return (
    <>
      <AdminSection title={t('admin.apps.installedTitle')} missing={[t('admin.apps.missingOwnInstalled')]}>
        {directory.isError && <ErrorNotice title={t('admin.apps.loadFailed')} error={directory.error} onRetry={() => void directory.refetch()} />}
        {uninstall.isError && (
          <p className="form-error" role="alert">
            {describeError(uninstall.error, t)}
          </p>
        )}
        {directory.isPending ? (
          <SkeletonLine width="50%" />
        ) : installed.length === 0 ? (
          <p className="admin-empty">{t('admin.apps.empty')}</p>
        ) : (
          <ul className="admin-cards">
            {installed.map((a) => (
              <li key={a.id} className="admin-card">
                <div className="admin-card-head">
                  <strong>{a.displayName}</strong>
                  {a.builtin && <span className="badge">{t('admin.apps.builtin')}</span>}
                  <button type="button" className="button button-small button-danger admin-card-action" onClick={() => setUninstalling({ id: a.id, name: a.displayName })}>
                    {t('admin.apps.uninstall')}
                  </button>
                </div>
                {a.description && <p className="admin-intro">{a.description}</p>}
                <Scopes label={t('admin.apps.botScopes')} scopes={a.botScopes} />
                <Scopes label={t('admin.apps.userScopes')} scopes={a.userScopes} />
              </li>
            ))}
          </ul>
        )}
      </AdminSection>
      <AdminSection title={t('admin.apps.mineTitle')} intro={t('admin.apps.mineIntro')}>
        <OwnApps />
      </AdminSection>
      {uninstalling && (
        <ConfirmDialog
          title={t('admin.apps.uninstallTitle', { name: uninstalling.name })}
          confirmLabel={t('admin.apps.uninstall')}
          cancelLabel={t('common.cancel')}
          danger
          busy={uninstall.isPending}
          onConfirm={() => uninstall.mutate(uninstalling.id)}
          onCancel={() => setUninstalling(null)}
        >
          <p>{t('admin.apps.uninstallBody')}</p>
        </ConfirmDialog>
      )}
    </>
  );
}

function Scopes({ label, scopes }: { label: string; scopes: string[] }) {
  const { t } = useTranslation();
  return (
    <div className="admin-scopes">
      <span className="admin-scopes-label">{label}</span>
      {scopes.length === 0 ? <span className="admin-muted">{t('admin.apps.noScopes')}</span> : scopes.map((s) => <code key={s}>{s}</code>)}
    </div>
  );
}

/** The apps the person created (developer routes, with a developer token kept in memory), each with its delivery log. */
function OwnApps() {
  const { t } = useTranslation();
  const session = useSession().data;
  const [open, setOpen] = useState<string | null>(null);
  const mine = useQuery({
    queryKey: ['admin', 'myApps', session?.workspaceUserId],
    queryFn: () => dev<OwnApp[]>(session!, 'GET', '/mine'),
    enabled: !!session,
  });
  if (!session) return null;
  return (
    <>
      {mine.isError && <ErrorNotice title={t('admin.apps.loadFailed')} error={mine.error} onRetry={() => void mine.refetch()} />}
      {mine.isPending ? (
        <SkeletonLine width="40%" />
      ) : (mine.data ?? []).length === 0 ? (
        <p className="admin-empty">{t('admin.apps.mineEmpty')}</p>
      ) : (
        <ul className="admin-cards">
          {mine.data!.map((a) => (
            <li key={a.id} className="admin-card">
              <div className="admin-card-head">
                <strong>{a.displayName ?? a.name}</strong>
                <button type="button" className="button button-small button-secondary admin-card-action" aria-expanded={open === a.id} onClick={() => setOpen(open === a.id ? null : a.id)}>
                  {open === a.id ? t('admin.apps.hideDeliveries') : t('admin.apps.showDeliveries')}
                </button>
              </div>
              {open === a.id && <DeliveryLog session={session} appId={a.id} />}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
