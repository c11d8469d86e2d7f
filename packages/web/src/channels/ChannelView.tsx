import { Suspense, lazy, useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useNavigate, useOutletContext, useParams, useSearchParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useChannels, channelLabel } from './useChannels';
import { useMe, usePeople } from '../people/usePeople';
import { ChannelHeader } from './ChannelHeader';
import { MessageList } from '../messages/MessageList';
import { Composer } from '../composer/Composer';
import { ConnectionBanner } from '../realtime/ConnectionBanner';
import { EmptyState } from '../ui/EmptyState';
import { MessageSkeletons } from '../ui/Skeleton';
import { ErrorNotice } from '../ui/ErrorNotice';
import { HashIcon, MenuIcon } from '../ui/icons';
import type { ShellContext } from '../app/Shell';
import { JoinBar } from './JoinBar';
import { OpenProfileContext, PROFILE_PARAM, type OpenProfile } from '../people/profileContext';
import { setTitle } from '../unread/useUnreadTitle';

const ThreadPanel = lazy(() => import('../threads/ThreadPanel').then((m) => ({ default: m.ThreadPanel })));
const MembersPanel = lazy(() => import('./MembersPanel').then((m) => ({ default: m.MembersPanel })));
const ProfilePanel = lazy(() => import('../people/ProfilePanel').then((m) => ({ default: m.ProfilePanel })));

/** The centre column for one channel or DM, and its right panel when open. */
export function ChannelView() {
  const { channelId = '', rootId } = useParams();
  const navigate = useNavigate();
  const { t } = useTranslation();
  const { openDrawer } = useOutletContext<ShellContext>();
  const channels = useChannels();
  const people = usePeople().data;
  const me = useMe().data;
  const [panel, setPanel] = useState<'members' | null>(null);
  const info = channels.data?.find((c) => c.channel.id === channelId);
  const label = info ? channelLabel(info, people, me?.id, t('channels.you')) : '';
  const closeThread = useCallback(() => void navigate(`/c/${encodeURIComponent(channelId)}`), [navigate, channelId]);
  const { profileId, openProfile, closeProfile } = useProfileParam();
  // a profile (?profile=) takes the right panel over a thread (its deep link), a thread over the
  // member list; each comes back when what covered it closes
  const toggleMembers = () => {
    if (rootId) {
      setPanel('members');
      closeThread();
    } else if (profileId) {
      setPanel('members');
      closeProfile();
    } else setPanel((p) => (p ? null : 'members'));
  };

  useEffect(() => {
    setTitle(label ? `${info?.channel.channelType === 'PUBLIC' || info?.channel.channelType === 'PRIVATE' ? '#' : ''}${label} · Switchboard` : 'Switchboard');
  }, [label, info?.channel.channelType]);

  if (!info) {
    return (
      <main className="main" id="main">
        <div className="channel-header">
          <button type="button" className="icon-button drawer-toggle" onClick={openDrawer} aria-label={t('shell.openSidebar')}>
            <MenuIcon />
          </button>
        </div>
        {channels.isPending ? (
          <MessageSkeletons />
        ) : channels.isError ? (
          <ErrorNotice title={t('channels.loadFailed')} error={channels.error} onRetry={() => void channels.refetch()} />
        ) : (
          <EmptyState icon={<HashIcon size={32} />} title={t('channels.notFoundTitle')}>
            <p>{t('channels.notFoundBody')}</p>
          </EmptyState>
        )}
      </main>
    );
  }

  return (
    <OpenProfileContext.Provider value={openProfile}>
      <main className="main" id="main">
        <ChannelHeader info={info} label={label} onOpenDrawer={openDrawer} membersOpen={!rootId && !profileId && panel === 'members'} onToggleMembers={toggleMembers} />
        <ConnectionBanner />
        {/* Keys unique among these siblings: with the composer's key equal to the list's, React's
            reconciliation lost track of the old list, and each switch left one more on the page. */}
        <MessageList key={`list-${channelId}`} info={info} label={label} />
        {info.channel.isArchived ? (
          <p className="composer-archived">{t('composer.archived')}</p>
        ) : !info.channel.isMember && info.channel.channelType === 'PUBLIC' ? (
          <JoinBar channelId={channelId} label={label} />
        ) : (
          <Composer key={`composer-${channelId}`} channelId={channelId} placeholder={info.channel.channelType === 'PUBLIC' || info.channel.channelType === 'PRIVATE' ? t('composer.placeholderChannel', { name: label }) : t('composer.placeholderDirect', { name: label })} />
        )}
      </main>
      {profileId ? (
        <Suspense fallback={<aside className="panel" aria-busy="true" />}>
          <ProfilePanel key={profileId} userId={profileId} onClose={closeProfile} />
        </Suspense>
      ) : rootId ? (
        <Suspense fallback={<aside className="panel" aria-busy="true" />}>
          <ThreadPanel key={rootId} info={info} label={label} rootId={rootId} onClose={closeThread} />
        </Suspense>
      ) : (
        panel === 'members' && (
          <Suspense fallback={<aside className="panel" aria-busy="true" />}>
            <MembersPanel channelId={channelId} label={label} onClose={() => setPanel(null)} />
          </Suspense>
        )
      )}
    </OpenProfileContext.Provider>
  );
}

/**
 * The open profile as `?profile=<userId>` (a deep link, dropped by any navigation to another channel
 * or a thread). The opener keeps one identity for the view's life, so the rows reading it do not
 * render again on each navigation; the focus goes back to what opened the panel when it closes.
 */
function useProfileParam(): { profileId: string | null; openProfile: OpenProfile; closeProfile(): void } {
  const [params, setParams] = useSearchParams();
  const profileId = params.get(PROFILE_PARAM);
  const setParamsRef = useRef(setParams);
  useLayoutEffect(() => {
    setParamsRef.current = setParams;
  });
  const opener = useRef<HTMLElement | null>(null);
  const setProfile = useCallback((userId: string | null) => {
    setParamsRef.current(
      (current) => {
        const next = new URLSearchParams(current);
        if (userId) next.set(PROFILE_PARAM, userId);
        else next.delete(PROFILE_PARAM);
        return next;
      },
      { replace: true },
    );
  }, []);
  const openProfile = useCallback<OpenProfile>(
    (userId, from) => {
      opener.current = from ?? (document.activeElement as HTMLElement | null);
      setProfile(userId);
    },
    [setProfile],
  );
  const closeProfile = useCallback(() => setProfile(null), [setProfile]);
  // after the panel that comes back (the member list) has taken the focus: this effect runs after its
  useEffect(() => {
    if (profileId || !opener.current) return;
    if (opener.current.isConnected) opener.current.focus();
    opener.current = null;
  }, [profileId]);
  return { profileId, openProfile, closeProfile };
}
