import { useEffect, useLayoutEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { ChannelInfo } from '../lib/types';
import { ApiError } from '../lib/api';
import { useMe, usePeople } from '../people/usePeople';
import { MessageRow } from '../messages/MessageRow';
import { MessageSkeletons } from '../ui/Skeleton';
import { ErrorNotice } from '../ui/ErrorNotice';
import { EmptyState } from '../ui/EmptyState';
import { CloseIcon } from '../ui/icons';
import { useThread } from './useThread';
import { InThreadContext } from './ThreadContext';
import { ThreadComposer } from './ThreadComposer';
import { ThreadIcon } from './ThreadIcon';
import './threads.css';

const GROUP_MS = 5 * 60_000;

/** The right panel: a thread's root, its replies (live), and a composer for replying. */
export function ThreadPanel({ info, label, rootId, onClose }: { info: ChannelInfo; label: string; rootId: string; onClose(): void }) {
  const { t } = useTranslation();
  const channelId = info.channel.id;
  const thread = useThread(channelId, rootId);
  const people = usePeople().data;
  const meId = useMe().data?.id;
  const panelRef = useRef<HTMLElement>(null);
  const bodyRef = useRef<HTMLDivElement>(null);
  const isChannel = info.channel.channelType === 'PUBLIC' || info.channel.channelType === 'PRIVATE';
  const canReply = !!thread.data && !info.channel.isArchived;

  // Opened ("Reply in thread", a reply count, a link): the focus goes to the reply box, as in Slack
  // and Mattermost, so typing goes there — once the thread has loaded and the box is there; where
  // no keyboard is likely (a touch screen: no on-screen keyboard popping up), or there is no box,
  // to the panel itself. Not if the person has meanwhile put the focus somewhere else.
  const openedFrom = useRef<Element | null>(document.activeElement);
  const focused = useRef(false);
  useEffect(() => {
    if (focused.current || thread.isPending) return;
    focused.current = true;
    const active = document.activeElement;
    if (active && active !== openedFrom.current && active !== document.body && !panelRef.current?.contains(active)) return;
    const box = canReply && window.matchMedia('(pointer: fine)').matches ? panelRef.current?.querySelector<HTMLTextAreaElement>('.thread-composer textarea') : null;
    (box ?? panelRef.current)?.focus();
  }, [thread.isPending, canReply]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || e.defaultPrevented) return;
      const target = e.target as HTMLElement | null;
      // Esc in a box with text is the box's (cancel an edit, close a list), not the panel's
      if ((target instanceof HTMLTextAreaElement || target instanceof HTMLInputElement) && target.value) return;
      if (target?.closest('dialog, .emoji-picker')) return;
      onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  // follow new replies when the reader is at the bottom
  const replies = thread.data?.replies;
  const count = replies?.length ?? 0;
  const atBottom = useRef(true);
  useLayoutEffect(() => {
    const el = bodyRef.current;
    if (el && atBottom.current) el.scrollTop = el.scrollHeight;
  }, [count, thread.isSuccess]);

  const notFound = thread.error instanceof ApiError && thread.error.status === 404;

  return (
    <aside ref={panelRef} className="panel thread-panel" aria-labelledby="thread-title" tabIndex={-1}>
      <header className="panel-header">
        <div className="thread-panel-titles">
          <h2 id="thread-title" className="panel-title">
            {t('chat.threads.title')}
          </h2>
          <p className="thread-panel-channel">{isChannel ? `#${label}` : label}</p>
        </div>
        <button type="button" className="icon-button" onClick={onClose} aria-label={t('chat.threads.close')}>
          <CloseIcon />
        </button>
      </header>
      <div
        ref={bodyRef}
        className="thread-body"
        role="log"
        aria-label={t('chat.threads.repliesLabel')}
        onScroll={(e) => {
          const el = e.currentTarget;
          atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
        }}
      >
        {thread.isPending && <MessageSkeletons count={3} />}
        {notFound && (
          <EmptyState icon={<ThreadIcon size={32} />} title={t('chat.threads.notFoundTitle')}>
            <p>{t('chat.threads.notFoundBody')}</p>
          </EmptyState>
        )}
        {thread.isError && !notFound && <ErrorNotice title={t('chat.threads.loadFailed')} error={thread.error} onRetry={() => void thread.refetch()} />}
        {thread.data && (
          <InThreadContext.Provider value={true}>
            {thread.data.root.deleted ? (
              <p className="thread-tombstone">{t('chat.threads.rootDeleted')}</p>
            ) : (
              <MessageRow message={thread.data.root} grouped={false} people={people} meId={meId} />
            )}
            <div className="thread-divider">
              <span>{count === 0 ? t('chat.threads.noReplies') : t('messages.replies', { count })}</span>
            </div>
            {thread.data.replies
              .filter((m) => !m.deleted)
              .map((m, i, list) => {
                const prev = list[i - 1];
                const grouped = !!prev && prev.author === m.author && m.timestampMilli - prev.timestampMilli < GROUP_MS;
                return <MessageRow key={m.id} message={m} grouped={grouped} people={people} meId={meId} />;
              })}
          </InThreadContext.Provider>
        )}
      </div>
      {thread.data && !info.channel.isArchived && <ThreadComposer key={rootId} channelId={channelId} rootId={rootId} channelLabel={label} isChannel={isChannel} />}
    </aside>
  );
}
