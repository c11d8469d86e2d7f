import type { KeyboardEvent } from 'react';
import { NavLink } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useChannels, sidebarSections } from './useChannels';
import { useMe, usePeople, useWorkspace } from '../people/usePeople';
import { PersonMenu } from './PersonMenu';
import { HashIcon, LockIcon, CloseIcon } from '../ui/icons';
import { Avatar } from '../ui/Avatar';
import { SkeletonLine } from '../ui/Skeleton';
import { ErrorNotice } from '../ui/ErrorNotice';
import { AppsSection } from '../apps/home/AppsSection';
import { useAppBots } from '../apps/home/useInstalledApps';
import { UnreadBadge } from '../unread/UnreadBadge';
import { SidebarChannelActions } from './SidebarChannelActions';
import { NewMessageButton } from '../dms/NewMessageButton';
import { AdminSidebarEntry } from '../admin/AdminSidebarEntry';
import { SearchBox } from '../search/SearchBox';
import { PresenceAvatar, PresenceText } from '../presence/PresenceDot';
import { SavedSidebarEntry } from '../pins/SavedSidebarEntry';

/**
 * ↑/↓ move the focus between the sidebar's entries (saved, channels, conversations, apps: every
 * link), Home/End to the first/last; Enter opens the link as it would anyway. Each entry stays a Tab
 * stop of its own: arrows are a shortcut, not the only way through.
 */
function moveBetweenEntries(e: KeyboardEvent<HTMLElement>): void {
  if (!['ArrowUp', 'ArrowDown', 'Home', 'End'].includes(e.key) || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
  const entries = [...e.currentTarget.querySelectorAll<HTMLElement>('a.sidebar-item')];
  const at = entries.indexOf(e.target as HTMLElement);
  if (at < 0) return;
  const next = e.key === 'Home' ? entries[0] : e.key === 'End' ? entries.at(-1) : entries[e.key === 'ArrowUp' ? at - 1 : at + 1];
  e.preventDefault();
  next?.focus();
}

export function Sidebar({ onClose }: { onClose(): void }) {
  const { t } = useTranslation();
  const workspace = useWorkspace().data;
  const me = useMe().data;
  const people = usePeople().data;
  const channels = useChannels();
  const appBots = useAppBots();
  const sections = channels.data ? sidebarSections(channels.data, people, me?.id, t('channels.you'), appBots) : undefined;

  return (
    <aside className="sidebar" aria-label={t('sidebar.label')}>
      <header className="sidebar-header">
        <div className="sidebar-workspace">
          <span className="sidebar-workspace-name" title={workspace?.name}>
            {workspace?.name ?? <SkeletonLine width="60%" />}
          </span>
          <button type="button" className="icon-button sidebar-close" onClick={onClose} aria-label={t('sidebar.close')}>
            <CloseIcon />
          </button>
        </div>
        <PersonMenu />
        <SearchBox />
      </header>

      <nav className="sidebar-nav" aria-label={t('sidebar.conversations')} onKeyDown={moveBetweenEntries}>
        <SavedSidebarEntry />
        {channels.isPending && (
          <div className="sidebar-skeleton" aria-hidden="true">
            {['55%', '70%', '45%', '60%'].map((w, i) => (
              <SkeletonLine key={i} width={w} />
            ))}
          </div>
        )}
        {channels.isError && <ErrorNotice title={t('channels.loadFailed')} error={channels.error} onRetry={() => void channels.refetch()} />}
        {sections && (
          <>
            <section className="sidebar-section" aria-labelledby="sidebar-channels">
              <h2 id="sidebar-channels" className="sidebar-section-title">
                {t('sidebar.channels')}
              </h2>
              {sections.channels.length === 0 ? (
                <p className="sidebar-empty">{t('sidebar.noChannels')}</p>
              ) : (
                <ul className="sidebar-list">
                  {sections.channels.map(({ channel }) => (
                    <li key={channel.id}>
                      <NavLink to={`/c/${channel.id}`} className="sidebar-item">
                        {channel.channelType === 'PRIVATE' ? (
                          <LockIcon size={15} className="sidebar-item-icon" aria-label={t('channels.private')} role="img" aria-hidden={undefined} />
                        ) : (
                          <HashIcon size={15} className="sidebar-item-icon" />
                        )}
                        <span className="sidebar-item-label">{channel.name}</span>
                        <UnreadBadge channelId={channel.id} />
                      </NavLink>
                    </li>
                  ))}
                </ul>
              )}
              <SidebarChannelActions />
            </section>
            <section className="sidebar-section" aria-labelledby="sidebar-dms">
              <h2 id="sidebar-dms" className="sidebar-section-title">
                {t('sidebar.directMessages')}
              </h2>
              {sections.directs.length === 0 ? (
                <p className="sidebar-empty">{t('sidebar.noDirects')}</p>
              ) : (
                <ul className="sidebar-list">
                  {sections.directs.map(({ info, label }) => {
                    const others = (info.users ?? []).filter((id) => id !== me?.id);
                    const other = others[0] ?? me?.id ?? info.channel.id;
                    // A 1:1 conversation shows the other person's presence (a group's would say little).
                    const oneOther = others.length === 1 ? others[0] : undefined;
                    return (
                      <li key={info.channel.id}>
                        <NavLink to={`/c/${info.channel.id}`} className="sidebar-item">
                          {oneOther ? <PresenceAvatar id={oneOther} name={label} size={20} /> : <Avatar id={other} name={label} size={20} />}
                          <span className="sidebar-item-label">{label}</span>
                          {oneOther && <PresenceText userId={oneOther} />}
                          <UnreadBadge channelId={info.channel.id} direct />
                        </NavLink>
                      </li>
                    );
                  })}
                </ul>
              )}
              <NewMessageButton />
            </section>
            <AppsSection />
            <AdminSidebarEntry />
          </>
        )}
      </nav>
    </aside>
  );
}
