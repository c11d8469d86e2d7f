import { useEffect, useState } from 'react';
import { useNavigate, useOutletContext } from 'react-router';
import { useTranslation } from 'react-i18next';
import type { ShellContext } from '../../app/Shell';
import { useDirectory, useInstallApp } from '../queries';
import type { DirectoryEntry } from '../types';
import { EmptyState } from '../../ui/EmptyState';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { MessageSkeletons } from '../../ui/Skeleton';
import { MenuIcon } from '../../ui/icons';
import { AppIcon } from '../home/AppIcon';
import { ConsentDialog } from './ConsentDialog';
import '../apps.css';
import { setTitle } from '../../unread/useUnreadTitle';

function Entry({ app, onInstall }: { app: DirectoryEntry; onInstall(): void }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const headingId = `app-${app.id}`;
  return (
    <li className="directory-entry">
      <section aria-labelledby={headingId} className="directory-card">
        <AppIcon name={app.displayName} size={40} />
        <div className="directory-main">
          <h2 id={headingId} className="directory-name">
            {app.displayName}
            {app.builtin && <span className="badge">{t('apps.directory.builtin')}</span>}
          </h2>
          {app.description && <p className="directory-description">{app.description}</p>}
          {app.slashCommands.length > 0 && (
            <p className="directory-commands">
              {app.slashCommands.map((c) => (
                <code key={c.command}>{c.command}</code>
              ))}
            </p>
          )}
          <p className="directory-scopes">{t('apps.directory.scopes', { count: app.userScopes.length + app.botScopes.length })}</p>
        </div>
        <div className="directory-action">
          {!app.installed ? (
            <button type="button" className="button button-primary" onClick={onInstall} aria-describedby={headingId}>
              {t('apps.directory.install')}
            </button>
          ) : !app.authorized ? (
            <button type="button" className="button button-primary" onClick={onInstall} aria-describedby={headingId}>
              {t('apps.directory.authorize')}
            </button>
          ) : (
            <button type="button" className="button button-secondary" onClick={() => navigate(`/app/${app.id}`)} aria-describedby={headingId}>
              {t('apps.directory.open')}
            </button>
          )}
        </div>
      </section>
    </li>
  );
}

/** + Add apps (web-client.md §6.5): the directory, Install / Authorize through the consent screen, Open. */
export function AppDirectory() {
  const { t } = useTranslation();
  const { openDrawer } = useOutletContext<ShellContext>();
  const navigate = useNavigate();
  const directory = useDirectory();
  const install = useInstallApp();
  const [consent, setConsent] = useState<DirectoryEntry | null>(null);

  useEffect(() => {
    setTitle(`${t('apps.directory.title')} · Switchboard`);
  }, [t]);

  return (
    <main className="main app-page" id="main">
      <div className="channel-header">
        <button type="button" className="icon-button drawer-toggle" onClick={openDrawer} aria-label={t('shell.openSidebar')}>
          <MenuIcon />
        </button>
        <h1 className="channel-header-name">{t('apps.directory.title')}</h1>
      </div>
      <div className="directory">
        <p className="directory-intro">{t('apps.directory.intro')}</p>
        {directory.isPending ? (
          <MessageSkeletons count={3} />
        ) : directory.isError ? (
          <ErrorNotice title={t('apps.directory.loadFailed')} error={directory.error} onRetry={() => void directory.refetch()} />
        ) : directory.data.length === 0 ? (
          <EmptyState title={t('apps.directory.emptyTitle')}>
            <p>{t('apps.directory.emptyBody')}</p>
          </EmptyState>
        ) : (
          <ul className="directory-list">
            {directory.data.map((app) => (
              <Entry
                key={app.id}
                app={app}
                onInstall={() => {
                  install.reset();
                  setConsent(app);
                }}
              />
            ))}
          </ul>
        )}
      </div>
      {consent && (
        <ConsentDialog
          app={consent}
          busy={install.isPending}
          error={install.error}
          onCancel={() => setConsent(null)}
          onAllow={() =>
            install.mutate(consent.id, {
              onSuccess: () => {
                setConsent(null);
                navigate(`/app/${consent.id}`);
              },
            })
          }
        />
      )}
    </main>
  );
}
