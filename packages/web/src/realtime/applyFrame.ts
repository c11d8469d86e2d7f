/** Each frame the server sends, as a change to the query cache. */
import type { QueryClient } from '@tanstack/react-query';
import type { Message, Reaction, Workspace } from '../lib/types';
import { changeReaction, messagesKey, removeMessage, upsertMessage } from '../messages/cache';
import { channelsKey } from '../channels/useChannels';
import { peopleKey, workspaceKey } from '../people/usePeople';
import type { Frame } from './socket';
import { applyChatFrame } from '../live/chatFrames';
import { applyAppFrame } from '../apps/frames';
import { notifyFrame } from '../profile/notify';
import { applyPinFrame } from '../pins/frames';
import { applyPresenceFrame } from '../presence/usePresence';
import { announceFrame } from '../a11y/announcer';
import { storeNotificationLevel, type ChannelNotificationLevel } from '../notifications/levels';

/** Lazy parts that follow frames themselves while mounted (an app page's Home tab counting its DM's messages). */
export const frameListeners = new Set<(frame: Frame) => void>();

export function applyFrame(qc: QueryClient, frame: Frame): void {
  applyChatFrame(qc, frame); // unread, typing, threads
  applyAppFrame(qc, frame); // ephemeral messages, views, loading states
  notifyFrame(qc, frame); // desktop notifications while the tab is hidden
  applyPinFrame(qc, frame); // pins and saved messages
  applyPresenceFrame(qc, frame); // who is online
  announceFrame(qc, frame); // screen-reader announcements of new messages in the open channel
  switch (frame.type) {
    case 'message.created':
    case 'message.updated': {
      const m = frame.message as Message;
      upsertMessage(qc, m);
      // a message in a channel the list does not know yet (a new DM): the list is stale
      const known = qc.getQueryData<{ channel: { id: string } }[]>(channelsKey)?.some((c) => c.channel.id === m.channelId);
      if (!known) void qc.invalidateQueries({ queryKey: channelsKey, exact: true });
      break;
    }
    case 'message.deleted':
      removeMessage(qc, frame.channelId as string, frame.messageId as string);
      break;
    case 'reaction.added':
    case 'reaction.removed':
      changeReaction(qc, frame.channelId as string, frame.messageId as string, frame.reaction as Reaction, frame.type === 'reaction.added');
      break;
    case 'channel.created':
    case 'channel.updated':
    case 'channel.archived':
    case 'channel.unarchived':
    case 'member.joined':
    case 'member.left':
      void qc.invalidateQueries({ queryKey: channelsKey });
      break;
    case 'channel.deleted':
      qc.removeQueries({ queryKey: messagesKey(frame.channelId as string) });
      void qc.invalidateQueries({ queryKey: channelsKey });
      break;
    case 'user.created':
    case 'user.updated':
      void qc.invalidateQueries({ queryKey: peopleKey });
      break;
    // An owner renamed the workspace (or changed its language or retention): the sidebar follows.
    case 'workspace.updated':
      if (frame.workspace) qc.setQueryData(workspaceKey, frame.workspace as Workspace);
      else void qc.invalidateQueries({ queryKey: workspaceKey });
      break;
    case 'notification_level.updated':
      // another of the person's tabs chose a level: channel menus and desktop notifications follow
      storeNotificationLevel(qc, { channelId: frame.channelId, level: frame.level, isDefault: frame.isDefault } as ChannelNotificationLevel);
      break;
    default:
      // ephemeral messages, views and loading states belong to later slices
      break;
  }
  for (const listen of frameListeners) listen(frame);
}
