import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, seg } from '../../lib/api';
import { useDirectory } from '../../apps/queries';
import type { DirectoryEntry } from '../../apps/types';
import { useSession } from '../../auth/session';
import type { Session } from '../../lib/types';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { SkeletonLine } from '../../ui/Skeleton';
import { AdminSection } from '../AdminPage';
import { dev } from '../devToken';
import { reasonOf } from '../reason';
import { DeliveryLog } from './DeliveryLog';

/** An app as the developer routes show it to its owner: its manifest's fields, `id`, `published`. */
interface OwnApp {
  id: string;
  name: string;
  displayName?: string;
  published?: boolean;
  scopes?: { botScopes?: string[]; userScopes?: string[] };
}

/** `GET /v1/apps/installed`: every app installed here, published or not. */
interface InstalledApp {
  id: string;
  name: string;
  displayName: string;
  builtin: boolean;
  botUserId: string | null;
}

/** Under the apps key: installing or uninstalling anywhere (which invalidates ['apps']) refreshes it. */
const installedKey = ['apps', 'installed'] as const;
const myAppsKey = (userId: string | undefined) => ['admin', 'myApps', userId] as const;

/** The person's own apps (developer routes, with a developer token kept in memory). */
function useMyApps(session: Session | undefined) {
  return useQuery({ queryKey: myAppsKey(session?.workspaceUserId), queryFn: () => dev<OwnApp[]>(session!, 'GET', '/mine'), enabled: !!session });
}

/**
 * Installed apps with their scopes and Uninstall — the directory's and the workspace's own
 * unpublished ones alike — and the person's own apps, published or not, with their delivery log.
 */
export function AppsPage() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const session = useSession().data ?? undefined;
  const installed = useQuery({ queryKey: installedKey, queryFn: () => api.get<InstalledApp[]>('/v1/apps/installed') });
  const directory = useDirectory();
  const mine = useMyApps(session);
  const [uninstalling, setUninstalling] = useState<{ id: string; name: string } | null>(null);
  const uninstall = useMutation({
    mutationFn: (id: string) => api.delete<unknown>(`/v1/appDirectory/${seg(id)}/install`),
    onSuccess: () => setUninstalling(null),
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: ['apps'] });
      void qc.invalidateQueries({ queryKey: ['users'] }); // the app's bot is deactivated
    },
  });
  const listed = new Map((directory.data ?? []).map((a) => [a.id, a]));
  const own = new Map((mine.data ?? []).map((a) => [a.id, a]));
  /** Scopes from the directory (published and built-in apps), else from the manifest the owner sees; unknown otherwise. */
  const scopesOf = (id: string): { bot: string[]; user: string[] } | undefined => {
    const entry: DirectoryEntry | undefined = listed.get(id);
    if (entry) return { bot: entry.botScopes, user: entry.userScopes };
    const app = own.get(id);
    return app ? { bot: app.scopes?.botScopes ?? [], user: app.scopes?.userScopes ?? [] } : undefined;
  };
  const apps = [...(installed.data ?? [])].sort((a, b) => a.displayName.localeCompare(b.displayName));

  return (
    <>
      <AdminSection title={t('admin.apps.installedTitle')} intro={t('admin.apps.installedIntro')}>
        {installed.isError && <ErrorNotice title={t('admin.apps.loadFailed')} error={installed.error} onRetry={() => void installed.refetch()} />}
        {uninstall.isError && !uninstalling && (
          <p className="form-error" role="alert">
            {t('admin.apps.uninstallFailed', { reason: reasonOf(uninstall.error, t) })}
          </p>
        )}
        {installed.isPending ? (
          <SkeletonLine width="50%" />
        ) : apps.length === 0 ? (
          <p className="admin-empty">{t('admin.apps.empty')}</p>
        ) : (
          <ul className="admin-cards">
            {apps.map((a) => {
              const scopes = scopesOf(a.id);
              const entry = listed.get(a.id);
              return (
                <li key={a.id} className="admin-card" data-testid={`installed-${a.name}`}>
                  <div className="admin-card-head">
                    <strong>{a.displayName}</strong>
                    {a.builtin ? <span className="badge">{t('admin.apps.builtin')}</span> : !entry && <span className="badge">{t('admin.apps.unpublished')}</span>}
                    {own.has(a.id) && <span className="badge">{t('admin.apps.yours')}</span>}
                    <button
                      type="button"
                      className="button button-small button-danger admin-card-action"
                      aria-label={t('admin.apps.uninstallWho', { name: a.displayName })}
                      onClick={() => {
                        uninstall.reset();
                        setUninstalling({ id: a.id, name: a.displayName });
                      }}
                    >
                      {t('admin.apps.uninstall')}
                    </button>
                  </div>
                  {entry?.description && <p className="admin-intro">{entry.description}</p>}
                  {scopes ? (
                    <>
                      <Scopes label={t('admin.apps.botScopes')} scopes={scopes.bot} />
                      <Scopes label={t('admin.apps.userScopes')} scopes={scopes.user} />
                    </>
                  ) : (
                    <p className="admin-muted">{t('admin.apps.scopesUnknown')}</p>
                  )}
                </li>
              );
            })}
          </ul>
        )}
      </AdminSection>
      <AdminSection title={t('admin.apps.mineTitle')} intro={t('admin.apps.mineIntro')}>
        {session && <OwnApps session={session} apps={mine} installedIds={new Set(apps.map((a) => a.id))} />}
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
          {uninstall.isError && (
            <p className="form-error" role="alert">
              {t('admin.apps.uninstallFailed', { reason: reasonOf(uninstall.error, t) })}
            </p>
          )}
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

/** The apps the person created, published or not, each with its delivery log and replay. */
function OwnApps({ session, apps, installedIds }: { session: Session; apps: ReturnType<typeof useMyApps>; installedIds: Set<string> }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState<string | null>(null);
  if (apps.isError) return <ErrorNotice title={t('admin.apps.mineFailed')} error={apps.error} onRetry={() => void apps.refetch()} />;
  if (apps.isPending) return <SkeletonLine width="40%" />;
  if (apps.data.length === 0) return <p className="admin-empty">{t('admin.apps.mineEmpty')}</p>;
  return (
    <ul className="admin-cards">
      {apps.data.map((a) => (
        <li key={a.id} className="admin-card" data-testid={`own-${a.name}`}>
          <div className="admin-card-head">
            <strong>{a.displayName ?? a.name}</strong>
            <span className="badge">{a.published ? t('admin.apps.published') : t('admin.apps.unpublished')}</span>
            <span className="admin-muted">{installedIds.has(a.id) ? t('admin.apps.installedHere') : t('admin.apps.notInstalled')}</span>
            <button type="button" className="button button-small button-secondary admin-card-action" aria-expanded={open === a.id} onClick={() => setOpen(open === a.id ? null : a.id)}>
              {open === a.id ? t('admin.apps.hideDeliveries') : t('admin.apps.showDeliveries')}
            </button>
          </div>
          <Scopes label={t('admin.apps.botScopes')} scopes={a.scopes?.botScopes ?? []} />
          <Scopes label={t('admin.apps.userScopes')} scopes={a.scopes?.userScopes ?? []} />
          {open === a.id && <DeliveryLog session={session} appId={a.id} />}
        </li>
      ))}
    </ul>
  );
}
