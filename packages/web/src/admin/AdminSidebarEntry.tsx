import { NavLink } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useMe } from '../people/usePeople';
import { isAdmin } from './isAdmin';

/** "Administration" in the sidebar, for owners and admins only. */
export function AdminSidebarEntry() {
  const { t } = useTranslation();
  const me = useMe().data;
  if (!isAdmin(me?.workspaceRole)) return null;
  return (
    <section className="sidebar-section" aria-label={t('admin.title')}>
      <ul className="sidebar-list">
        <li>
          <NavLink to="/admin/members" className="sidebar-item">
            <svg width={15} height={15} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={2} strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" focusable="false" className="sidebar-item-icon">
              <path d="M12 3 4 6v6c0 4.5 3.4 8.3 8 9 4.6-.7 8-4.5 8-9V6l-8-3z" />
            </svg>
            <span className="sidebar-item-label">{t('admin.title')}</span>
          </NavLink>
        </li>
      </ul>
    </section>
  );
}
