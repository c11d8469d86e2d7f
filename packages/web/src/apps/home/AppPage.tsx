import { useEffect, useId, useState } from 'react';
import { useNavigate, useOutletContext, useParams, useSearchParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useQueryClient } from '@tanstack/react-query';
import type { ShellContext } from '../../app/Shell';
import { MessageList } from '../../messages/MessageList';
import { Composer } from '../../composer/Composer';
import { ConnectionBanner } from '../../realtime/ConnectionBanner';
import { EmptyState } from '../../ui/EmptyState';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { MessageSkeletons } from '../../ui/Skeleton';
import { MenuIcon } from '../../ui/icons';
import { HomeView } from './HomeView';
import { isBotDirect, useBotDirect, useInstalledApps, type InstalledApp } from './useInstalledApps';
import { AppIcon } from './AppIcon';
import { frameListeners } from '../../realtime/applyFrame';
import { channelsKey } from '../../channels/useChannels';
import { useMe } from '../../people/usePeople';
import { showToast } from '../../ui/Toast';
import type { ChannelInfo, Message } from '../../lib/types';
import '../apps.css';
import './strings';
import { setTitle } from '../../unread/useUnreadTitle';
import { useDirectory, useInstallApp } from '../queries';
import { ConsentDialog } from '../directory/ConsentDialog';

/**
 * While the Home tab shows, what arrives in the DM with the app's bot (the API key's ephemeral
 * message among them: api-keys-addon.md §2.2) is counted for the Messages tab and announced in a
 * toast whose "View" opens that tab — the person would not see it otherwise. The count goes when
 * Messages opens.
 */
function useUnseenInDirect(app: InstalledApp | undefined, onHome: boolean): number {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const meId = useMe().data?.id;
  const [unseen, setUnseen] = useState(0);
  const appId = app?.id;
  const name = app?.name;
  const botUserId = app?.botUserId ?? null;
  useEffect(() => {
    if (!onHome) {
      setUnseen(0);
      return;
    }
    if (!appId || !botUserId || !meId) return;
    const listen = (frame: { type: string; message?: unknown }) => {
      if (frame.type !== 'message.created' && frame.type !== 'message.ephemeral') return;
      const m = frame.message as Message | undefined;
      if (!m || m.author === meId || (m.threadReplyInfo && !m.threadReplyInfo.replySentToChannel)) return;
      const c = qc.getQueryData<ChannelInfo[]>(channelsKey)?.find((x) => x.channel.id === m.channelId);
      // a DM the list does not know yet is the bot's when the bot wrote it
      if (c ? !isBotDirect(c, meId, botUserId) : m.author !== botUserId) return;
      setUnseen((n) => n + 1);
      showToast(t('appPage.newMessage', { name }), 10_000, { label: t('appPage.view'), run: () => void navigate(`/app/${encodeURIComponent(appId)}?tab=messages`) });
    };
    frameListeners.add(listen);
    return () => void frameListeners.delete(listen);
  }, [onHome, appId, name, botUserId, meId, qc, navigate, t]);
  return unseen;
}

function AppMessages({ app }: { app: InstalledApp }) {
  const { t } = useTranslation();
  const dm = useBotDirect(app.botUserId);
  if (!app.botUserId)
    return (
      <EmptyState title={t('apps.page.noBotTitle')}>
        <p>{t('apps.page.noBotBody', { name: app.name })}</p>
      </EmptyState>
    );
  if (dm.error) return <ErrorNotice title={t('apps.page.dmFailed')} error={dm.error} />;
  if (!dm.info) return <MessageSkeletons />;
  return (
    <>
      <MessageList key={dm.info.channel.id} info={dm.info} label={app.name} />
      <Composer key={dm.info.channel.id} channelId={dm.info.channel.id} placeholder={t('composer.placeholderDirect', { name: app.name })} />
    </>
  );
}

/**
 * An installed app the person has not allowed yet (api-keys-addon.md §2.1: "shown the consent page
 * first"): the consent screen opens as the page does; cancelled, a line offers it again. Allowing
 * reloads the home view, which then is the person's own.
 */
function AllowApp({ appId }: { appId: string }) {
  const { t } = useTranslation();
  const entry = useDirectory().data?.find((a) => a.id === appId);
  const allow = useInstallApp();
  const [open, setOpen] = useState(true);
  if (!entry || !entry.installed || entry.authorized) return null;
  return (
    <>
      <p className="app-allow" role="status">
        {t('appPage.notAllowed', { name: entry.displayName })}{' '}
        <button type="button" className="link-button" onClick={() => (allow.reset(), setOpen(true))}>
          {t('appPage.allow')}
        </button>
      </p>
      {open && <ConsentDialog app={entry} busy={allow.isPending} error={allow.error} onCancel={() => setOpen(false)} onAllow={() => allow.mutate(entry.id, { onSuccess: () => setOpen(false) })} />}
    </>
  );
}

/** An app's page (web-client.md §6.4): Home (its home view) and Messages (the DM with its bot). */
export function AppPage() {
  const { appId = '' } = useParams();
  const { t } = useTranslation();
  const { openDrawer } = useOutletContext<ShellContext>();
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') === 'messages' ? 'messages' : 'home';
  const { apps, isPending } = useInstalledApps();
  const app = apps.find((a) => a.id === appId);
  const id = useId();
  const unseen = useUnseenInDirect(app, tab === 'home');

  useEffect(() => {
    setTitle(app ? `${app.name} · Switchboard` : 'Switchboard');
  }, [app]);

  const select = (next: 'home' | 'messages') => setParams(next === 'home' ? {} : { tab: next }, { replace: true });

  return (
    <main className="main app-page" id="main">
      <div className="channel-header app-page-header">
        <button type="button" className="icon-button drawer-toggle" onClick={openDrawer} aria-label={t('shell.openSidebar')}>
          <MenuIcon />
        </button>
        {app && <AppIcon name={app.name} botUserId={app.botUserId} />}
        <h1 className="channel-header-name">{app?.name ?? ''}</h1>
        {app && (
          <div className="app-tabs" role="tablist" aria-label={t('apps.page.tabs', { name: app.name })}>
            {(['home', 'messages'] as const).map((k) => (
              <button
                key={k}
                type="button"
                role="tab"
                id={`${id}-${k}`}
                aria-selected={tab === k}
                aria-controls={`${id}-panel`}
                tabIndex={tab === k ? 0 : -1}
                className={`tab app-tab${tab === k ? ' is-active' : ''}`}
                onClick={() => select(k)}
                onKeyDown={(e) => {
                  if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
                    const next = tab === 'home' ? 'messages' : 'home';
                    select(next);
                    document.getElementById(`${id}-${next}`)?.focus();
                  }
                }}
              >
                {k === 'home' ? t('apps.page.home') : t('apps.page.messages')}
                {k === 'messages' && unseen > 0 && (
                  <span className="unread-badge app-tab-badge">
                    <span aria-hidden="true">{unseen > 99 ? '99+' : unseen}</span>
                    <span className="visually-hidden">{t('appPage.unseen', { count: unseen })}</span>
                  </span>
                )}
              </button>
            ))}
          </div>
        )}
      </div>
      <ConnectionBanner />
      {!app ? (
        isPending ? (
          <MessageSkeletons />
        ) : (
          <EmptyState title={t('apps.page.notFoundTitle')}>
            <p>{t('apps.page.notFoundBody')}</p>
          </EmptyState>
        )
      ) : (
        <div className={`app-tabpanel app-tabpanel-${tab}`} role="tabpanel" id={`${id}-panel`} aria-labelledby={`${id}-${tab}`}>
          <AllowApp appId={app.id} />
          {tab === 'home' ? <HomeView appId={app.id} /> : <AppMessages app={app} />}
        </div>
      )}
    </main>
  );
}
