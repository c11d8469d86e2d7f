import { Suspense, lazy, useCallback, useEffect, useState } from 'react';
import { useNavigate, useOutletContext, useParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useChannels, channelLabel } from './useChannels';
import { useMe, usePeople } from '../people/usePeople';
import { ChannelHeader } from './ChannelHeader';
import { MembersPanel } from './MembersPanel';
import { MessageList } from '../messages/MessageList';
import { Composer } from '../composer/Composer';
import { ConnectionBanner } from '../realtime/ConnectionBanner';
import { EmptyState } from '../ui/EmptyState';
import { MessageSkeletons } from '../ui/Skeleton';
import { ErrorNotice } from '../ui/ErrorNotice';
import { HashIcon, MenuIcon } from '../ui/icons';
import type { ShellContext } from '../app/Shell';
import { JoinBar } from './JoinBar';

const ThreadPanel = lazy(() => import('../threads/ThreadPanel').then((m) => ({ default: m.ThreadPanel })));

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
  // a thread (its deep link) takes the right panel; the member list comes back when it closes
  const toggleMembers = () => {
    if (rootId) {
      setPanel('members');
      closeThread();
    } else setPanel((p) => (p ? null : 'members'));
  };

  useEffect(() => {
    document.title = label ? `${info?.channel.channelType === 'PUBLIC' || info?.channel.channelType === 'PRIVATE' ? '#' : ''}${label} · Switchboard` : 'Switchboard';
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
    <>
      <main className="main" id="main">
        <ChannelHeader info={info} label={label} onOpenDrawer={openDrawer} membersOpen={!rootId && panel === 'members'} onToggleMembers={toggleMembers} />
        <ConnectionBanner />
        <MessageList key={channelId} info={info} label={label} />
        {info.channel.isArchived ? (
          <p className="composer-archived">{t('composer.archived')}</p>
        ) : !info.channel.isMember && info.channel.channelType === 'PUBLIC' ? (
          <JoinBar channelId={channelId} label={label} />
        ) : (
          <Composer key={channelId} channelId={channelId} placeholder={info.channel.channelType === 'PUBLIC' || info.channel.channelType === 'PRIVATE' ? t('composer.placeholderChannel', { name: label }) : t('composer.placeholderDirect', { name: label })} />
        )}
      </main>
      {rootId ? (
        <Suspense fallback={<aside className="panel" aria-busy="true" />}>
          <ThreadPanel key={rootId} info={info} label={label} rootId={rootId} onClose={closeThread} />
        </Suspense>
      ) : (
        panel === 'members' && <MembersPanel channelId={channelId} onClose={() => setPanel(null)} />
      )}
    </>
  );
}
