/**
 * The chat frames of the second slice, as changes to the query cache: read markers and unread
 * counts, typing, threads (ephemeral messages are the app surfaces' frames: apps/frames.ts). applyFrame hands every frame here first.
 */
import type { QueryClient } from '@tanstack/react-query';
import type { Message, Reaction, Session } from '../lib/types';
import type { Frame } from '../realtime/socket';
import { sessionKey } from '../auth/session';
import { refreshUnreadSoon, setRead, unreadKey } from '../unread/useUnread';
import { noteTyping, stopTyping } from '../typing/typing';
import { changeThreadReaction, removeThreadMessage, upsertThreadMessage } from '../threads/cache';

export function applyChatFrame(qc: QueryClient, frame: Frame): void {
  const meId = qc.getQueryData<Session | null>(sessionKey)?.workspaceUserId;
  switch (frame.type) {
    case 'message.created': {
      const m = frame.message as Message;
      upsertThreadMessage(qc, m);
      stopTyping(qc, m.channelId, m.author);
      if (m.author !== meId) refreshUnreadSoon(qc);
      break;
    }
    case 'message.updated':
      upsertThreadMessage(qc, frame.message as Message);
      break;
    case 'message.deleted':
      removeThreadMessage(qc, frame.channelId as string, frame.messageId as string);
      refreshUnreadSoon(qc);
      break;
    case 'reaction.added':
    case 'reaction.removed':
      changeThreadReaction(qc, frame.channelId as string, frame.messageId as string, frame.reaction as Reaction, frame.type === 'reaction.added');
      break;
    case 'channel.read':
      setRead(qc, frame.channelId as string, (frame.lastReadMessageId as string | null) ?? null);
      break;
    case 'user.typing':
      if (frame.userId !== meId) noteTyping(qc, frame.channelId as string, frame.userId as string, frame.threadRootId as string | undefined);
      break;
    case 'member.joined':
    case 'member.left':
    case 'channel.created':
    case 'channel.deleted':
      void qc.invalidateQueries({ queryKey: unreadKey });
      break;
    default:
      break;
  }
}
