import { useNavigate } from 'react-router';
import { useTranslation } from 'react-i18next';
import type { Message } from '../lib/types';
import { ThreadIcon } from './ThreadIcon';
import { threadPath, useInThread } from './ThreadContext';

/** In a message's hover menu: opens its thread (a reply also sent to the channel opens its root's). */
export function ReplyInThreadButton({ message }: { message: Message }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  if (useInThread() || message.isEphemeral) return null;
  const rootId = message.threadReplyInfo?.rootId ?? message.id;
  return (
    <button type="button" className="icon-button" aria-label={t('chat.threads.reply')} title={t('chat.threads.reply')} onClick={() => void navigate(threadPath(message.channelId, rootId))}>
      <ThreadIcon size={16} />
    </button>
  );
}
