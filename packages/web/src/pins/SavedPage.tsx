import { useEffect } from 'react';
import { useOutletContext } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useQueryClient } from '@tanstack/react-query';
import type { ShellContext } from '../app/Shell';
import { channelLabel, useChannels } from '../channels/useChannels';
import { useMe, usePeople } from '../people/usePeople';
import { EmptyState } from '../ui/EmptyState';
import { ErrorNotice, describeError } from '../ui/ErrorNotice';
import { MessageSkeletons } from '../ui/Skeleton';
import { MenuIcon } from '../ui/icons';
import { saveMessage, useSavedList } from './queries';
import type { SavedMessage } from './types';
import { useRunning } from './useRunning';
import { MessageCard } from './MessageCard';
import { BookmarkIcon } from './icons';
import './strings';
import { setTitle } from '../unread/useUnreadTitle';

/** Where a saved message is: the channel as the sidebar names it, or as the server sent it. */
function useWhere(item: SavedMessage): string {
  const { t } = useTranslation();
  const info = useChannels().data?.find((c) => c.channel.id === item.channel.id);
  const people = usePeople().data;
  const meId = useMe().data?.id;
  const named = item.channel.channelType === 'PUBLIC' || item.channel.channelType === 'PRIVATE';
  const label = info ? channelLabel(info, people, meId, t('channels.you')) : (item.channel.name ?? t('pins.someChannel'));
  return named && (info || item.channel.name) ? `#${label}` : label;
}

function SavedItem({ item, running, onRemove }: { item: SavedMessage; running: boolean; onRemove(): void }) {
  const { t } = useTranslation();
  const where = useWhere(item);
  return (
    <MessageCard
      message={item.message}
      extra={item.message.threadReplyInfo ? t('pins.inThreadOf', { name: where }) : t('pins.inChannel', { name: where })}
      actions={
        <button type="button" className="button button-secondary button-small" disabled={running} onClick={onRemove}>
          {t('pins.unsave')}
        </button>
      }
    />
  );
}

/** The Saved view (`/saved`): the person's saved messages, newest save first; each jumps to its message. */
export function SavedPage() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const { openDrawer } = useOutletContext<ShellContext>();
  const saved = useSavedList();
  const { running, error, run } = useRunning<string>();
  const items = saved.data?.pages.flatMap((p) => p.saved) ?? [];

  useEffect(() => {
    setTitle(`${t('pins.savedTitle')} · Switchboard`);
  }, [t]);

  return (
    <main className="main" id="main">
      <header className="channel-header">
        <button type="button" className="icon-button drawer-toggle" onClick={openDrawer} aria-label={t('shell.openSidebar')}>
          <MenuIcon />
        </button>
        <div className="channel-header-titles">
          <h1 className="channel-header-name">
            <BookmarkIcon size={18} />
            <span>{t('pins.savedTitle')}</span>
          </h1>
          <p className="channel-header-topic">{t('pins.savedTopic')}</p>
        </div>
      </header>
      <div className="saved-results">
        {error !== null && (
          <p className="pin-list-error" role="alert">
            {t('pins.failed', { reason: describeError(error, t) })}
          </p>
        )}
        {saved.isPending ? (
          <MessageSkeletons count={3} />
        ) : saved.isError && !saved.data ? (
          <ErrorNotice title={t('pins.savedFailed')} error={saved.error} onRetry={() => void saved.refetch()} />
        ) : items.length === 0 ? (
          <EmptyState icon={<BookmarkIcon size={32} />} title={t('pins.savedEmptyTitle')}>
            <p>{t('pins.savedEmptyBody')}</p>
          </EmptyState>
        ) : (
          <>
            <ul className="pin-list saved-list" aria-label={t('pins.savedTitle')}>
              {items.map((item) => (
                <SavedItem key={item.message.id} item={item} running={running === item.message.id} onRemove={() => run(item.message.id, () => saveMessage(qc, item.message, false))} />
              ))}
            </ul>
            {saved.hasNextPage && (
              <button type="button" className="button button-secondary saved-more" disabled={saved.isFetchingNextPage} onClick={() => void saved.fetchNextPage()}>
                {saved.isFetchingNextPage ? t('pins.loadingMore') : t('pins.more')}
              </button>
            )}
          </>
        )}
      </div>
    </main>
  );
}
