import { NavLink, useOutletContext, useParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import type { ShellContext } from '../app/Shell';
import { useMe } from '../people/usePeople';
import { MenuIcon } from '../ui/icons';
import { EmptyState } from '../ui/EmptyState';
import { MessageSkeletons } from '../ui/Skeleton';
import { MembersPage } from './members/MembersPage';
import { ChannelsPage } from './channels/ChannelsPage';
import { AppsPage } from './apps/AppsPage';
import { IntegrationsPage } from './integrations/IntegrationsPage';
import { PermissionsPage } from './permissions/PermissionsPage';
import { WorkspacePage } from './workspace/WorkspacePage';
import { isAdmin } from './isAdmin';
import './strings';
import './admin.css';

export const ADMIN_SECTIONS = ['members', 'channels', 'apps', 'integrations', 'permissions', 'workspace'] as const;
type Section = (typeof ADMIN_SECTIONS)[number];

const PAGES: Record<Section, () => React.JSX.Element> = {
  members: MembersPage,
  channels: ChannelsPage,
  apps: AppsPage,
  integrations: IntegrationsPage,
  permissions: PermissionsPage,
  workspace: WorkspacePage,
};

/** `/admin/:section`: owners and admins only (everyone else gets the 403 page). */
export function AdminPage() {
  const { t } = useTranslation();
  const { openDrawer } = useOutletContext<ShellContext>();
  const params = useParams();
  const me = useMe();
  const section: Section = (ADMIN_SECTIONS as readonly string[]).includes(params.section ?? '') ? (params.section as Section) : 'members';
  const Page = PAGES[section];

  let body: React.ReactNode;
  if (me.isPending) body = <MessageSkeletons count={3} />;
  else if (!isAdmin(me.data?.workspaceRole))
    body = (
      <EmptyState title={t('admin.forbidden.title')}>
        <p>{t('admin.forbidden.body')}</p>
      </EmptyState>
    );
  else
    body = (
      <>
        <nav className="admin-tabs" aria-label={t('admin.sections')}>
          {ADMIN_SECTIONS.map((s) => (
            <NavLink key={s} to={`/admin/${s}`} className={({ isActive }) => `admin-tab${isActive || (s === section && !params.section) ? ' is-active' : ''}`}>
              {t(`admin.nav.${s}`)}
            </NavLink>
          ))}
        </nav>
        <div className="admin-body">
          <Page />
        </div>
      </>
    );

  return (
    <main className="main admin-page" id="main">
      <div className="channel-header">
        <button type="button" className="icon-button drawer-toggle" onClick={openDrawer} aria-label={t('shell.openSidebar')}>
          <MenuIcon />
        </button>
        <h1 className="channel-header-name">{t('admin.title')}</h1>
      </div>
      {body}
    </main>
  );
}

/** Section heading with a short explanation; `missing` lists what the server lacks for this page. */
export function AdminSection({ title, intro, missing, children }: { title: string; intro?: string; missing?: string[]; children: React.ReactNode }) {
  const { t } = useTranslation();
  return (
    <section className="admin-section" aria-label={title}>
      <h2 className="admin-section-title">{title}</h2>
      {intro && <p className="admin-intro">{intro}</p>}
      {missing && missing.length > 0 && (
        <div className="admin-missing" role="note">
          <strong>{t('admin.missing.title')}</strong>
          <ul>
            {missing.map((m) => (
              <li key={m}>{m}</li>
            ))}
          </ul>
        </div>
      )}
      {children}
    </section>
  );
}
