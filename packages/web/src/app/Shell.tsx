import { useCallback, useEffect, useState } from 'react';
import { Outlet, useLocation } from 'react-router';
import { useTranslation } from 'react-i18next';
import { Sidebar } from '../channels/Sidebar';
import { useMe } from '../people/usePeople';
import { setLanguage, supportedLanguage } from '../i18n';
import { setDisplayTimeZone } from '../lib/timeZone';
import { AppsLayer } from '../apps/AppsLayer';
import { QuickSwitcher } from '../switcher/QuickSwitcher';
import { MessageAnnouncer } from '../a11y/MessageAnnouncer';
import { ToastRegion } from '../ui/Toast';
import { useUnreadTitle } from '../unread/useUnreadTitle';

export interface ShellContext {
  openDrawer(): void;
}

/** Sidebar | open channel | right panel (the channel view owns its panel). Below 768 px the sidebar is a drawer. */
export function Shell() {
  const { t } = useTranslation();
  const [drawer, setDrawer] = useState(false);
  const location = useLocation();
  const me = useMe().data;
  useUnreadTitle();

  // The person's saved language wins over the browser's.
  useEffect(() => {
    const lang = supportedLanguage(me?.locale);
    if (lang) setLanguage(lang);
  }, [me?.locale]);

  // Times and dates show in the person's saved time zone, the browser's while they have none. The
  // server stores 'UTC' for a person who never chose one (migration 0001's default), so 'UTC' reads
  // as "not chosen": everyone would otherwise see UTC until they set a zone.
  useEffect(() => setDisplayTimeZone(me?.timeZoneId === 'UTC' ? undefined : me?.timeZoneId), [me?.timeZoneId]);

  // Navigating closes the drawer.
  useEffect(() => setDrawer(false), [location.pathname]);

  useEffect(() => {
    if (!drawer) return;
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setDrawer(false);
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [drawer]);

  const openDrawer = useCallback(() => setDrawer(true), []);

  return (
    <div className={`shell${drawer ? ' shell-drawer-open' : ''}`}>
      <a className="skip-link" href="#composer-input">
        {t('shell.skipToComposer')}
      </a>
      <Sidebar onClose={() => setDrawer(false)} />
      <div className="drawer-backdrop" onClick={() => setDrawer(false)} aria-hidden="true" />
      <Outlet context={{ openDrawer } satisfies ShellContext} />
      <AppsLayer />
      <QuickSwitcher />
      <MessageAnnouncer />
      <ToastRegion />
    </div>
  );
}
