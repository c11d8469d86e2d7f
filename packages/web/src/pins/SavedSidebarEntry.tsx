import { NavLink } from 'react-router';
import { useTranslation } from 'react-i18next';
import { BookmarkIcon } from './icons';

/** "Saved" in the sidebar: the person's saved messages (`/saved`). */
export function SavedSidebarEntry() {
  const { t } = useTranslation();
  return (
    <section className="sidebar-section" aria-label={t('pins.saved')}>
      <ul className="sidebar-list">
        <li>
          <NavLink to="/saved" className="sidebar-item">
            <BookmarkIcon size={15} className="sidebar-item-icon" />
            <span className="sidebar-item-label">{t('pins.saved')}</span>
          </NavLink>
        </li>
      </ul>
    </section>
  );
}
