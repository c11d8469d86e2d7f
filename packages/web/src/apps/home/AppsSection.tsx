import { NavLink } from 'react-router';
import { useTranslation } from 'react-i18next';
import { isBotDirect, useInstalledApps } from './useInstalledApps';
import { AppIcon } from './AppIcon';
import { useChannels } from '../../channels/useChannels';
import { useMe } from '../../people/usePeople';
import { UnreadBadge } from '../../unread/UnreadBadge';
import '../apps.css';

/**
 * The sidebar's Apps section (web-client.md §4): installed apps, then "+ Add apps". The DM with an
 * app's bot is its Messages tab, not an entry of Direct messages: its unread messages count here.
 */
export function AppsSection() {
  const { t } = useTranslation();
  const { apps } = useInstalledApps();
  const meId = useMe().data?.id;
  const channels = useChannels().data;
  return (
    <section className="sidebar-section" aria-labelledby="sidebar-apps">
      <h2 id="sidebar-apps" className="sidebar-section-title">
        {t('apps.sidebar.title')}
      </h2>
      <ul className="sidebar-list">
        {apps.map((a) => (
          <li key={a.id}>
            <NavLink to={`/app/${a.id}`} className="sidebar-item">
              <AppIcon name={a.name} botUserId={a.botUserId} size={20} />
              <span className="sidebar-item-label">{a.name}</span>
              <AppUnread channelId={channels?.find((c) => isBotDirect(c, meId, a.botUserId))?.channel.id} />
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

function AppUnread({ channelId }: { channelId: string | undefined }) {
  return channelId ? <UnreadBadge channelId={channelId} direct /> : null;
}
