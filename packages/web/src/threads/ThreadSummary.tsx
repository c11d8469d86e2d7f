import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import type { Message, WorkspaceUser } from '../lib/types';
import { formatTime, sameDay } from '../lib/format';
import { formatMediumCached } from '../lib/dateFormatters';
import { useDisplayTimeZone } from '../lib/timeZone';
import { Avatar } from '../ui/Avatar';
import { useQueryClient } from '@tanstack/react-query';
import { threadPath, useInThread } from './ThreadContext';
import { ThreadIcon } from './ThreadIcon';
import { threadKey, type ThreadData } from './cache';
import { messagesKey, type MessagesData } from '../messages/cache';
import { cachedNames, plainText } from '../lib/plainText';
import './threads.css';

function when(ms: number, lang: string, zone: string): string {
  return sameDay(ms, Date.now(), zone) ? formatTime(ms, lang, zone) : formatMediumCached(ms, lang, zone);
}

/** Under a thread's root: who replied, how many replies, when the last came; opens the thread. */
export function ThreadSummary({ message, people }: { message: Message; people: Map<string, WorkspaceUser> | undefined }) {
  const { t, i18n } = useTranslation();
  const inThread = useInThread();
  const zone = useDisplayTimeZone();
  const info = message.threadRootInfo;
  if (!info || info.repliesCount === 0 || inThread) return null;
  const last = info.lastReplyTimestampMilli;
  return (
    <Link className="thread-summary" to={threadPath(message.channelId, message.id)}>
      <span className="thread-summary-avatars" aria-hidden="true">
        {info.repliers.slice(0, 3).map((id) => (
          <Avatar key={id} id={id} name={people?.get(id)?.name ?? '?'} size={20} />
        ))}
      </span>
      <span className="thread-summary-count">{t('messages.replies', { count: info.repliesCount })}</span>
      {last !== undefined && <span className="thread-summary-last">{t('chat.threads.lastReply', { time: when(last, i18n.language, zone) })}</span>}
    </Link>
  );
}

/**
 * On a reply also sent to the channel, in the channel: which thread it answers, with the first words
 * of its first message when that is loaded; opens the thread.
 */
export function ThreadReplyContext({ message }: { message: Message }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const inThread = useInThread();
  const rootId = message.threadReplyInfo?.rootId;
  if (!rootId || inThread) return null;
  const root =
    qc.getQueryData<ThreadData>(threadKey(message.channelId, rootId))?.root ??
    qc
      .getQueryData<MessagesData>(messagesKey(message.channelId))
      ?.pages.flatMap((p) => p.messages)
      .find((m) => m.id === rootId);
  const snippet = root && !root.deleted ? plainText(root.text, cachedNames(qc), 120) : '';
  return (
    <Link className="thread-reply-context" to={threadPath(message.channelId, rootId)}>
      <ThreadIcon size={12} />
      <span>{t('chat.threads.repliedTo')}</span>
      {snippet && <span className="thread-reply-snippet">“{snippet}”</span>}
    </Link>
  );
}
