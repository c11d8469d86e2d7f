import { NavLink } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useInstalledApps } from './useInstalledApps';
import { AppIcon } from './AppIcon';
import '../apps.css';

/** The sidebar's Apps section (web-client.md §4): installed apps, then "+ Add apps". */
export function AppsSection() {
  const { t } = useTranslation();
  const { apps } = useInstalledApps();
  return (
    <section className="sidebar-section" aria-labelledby="sidebar-apps">
      <h2 id="sidebar-apps" className="sidebar-section-title">
        {t('apps.sidebar.title')}
      </h2>
      <ul className="sidebar-list">
        {apps.map((a) => (
          <li key={a.id}>
            <NavLink to={`/app/${a.id}`} className="sidebar-item">
              <AppIcon name={a.name} size={20} />
              <span className="sidebar-item-label">{a.name}</span>
            </NavLink>
          </li>
        ))}
        <li>
          <NavLink to="/add-apps" end className="sidebar-item sidebar-add-apps">
            <span className="app-add-icon" aria-hidden="true">
              +
            </span>
            <span className="sidebar-item-label">{t('apps.sidebar.addApps')}</span>
          </NavLink>
        </li>
      </ul>
    </section>
  );
}
