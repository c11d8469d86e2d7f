import type { DomainEvent, Notice } from '../../../domain/events.js';
import { presentChannel, presentMessage } from './present.js';

/**
 * A notice as the JSON frame WebSocket clients receive: `type` plus the `/v1` shapes. Rendered
 * once per notice, whatever the number of recipients. Control notices render to nothing.
 */
export function renderFrame(notice: Notice): string | undefined {
  const frame = frameOf(notice.event);
  return frame && JSON.stringify({ ...frame, workspaceId: notice.workspaceId });
}

function frameOf(e: DomainEvent): Record<string, unknown> | undefined {
  switch (e.type) {
    case 'message.created':
    case 'message.updated':
      return { type: e.type, channelId: e.message.channelId, message: presentMessage(e.message) };
    case 'message.ephemeral':
    case 'message.ephemeral_updated':
      return { type: e.type, channelId: e.message.channelId, message: presentMessage(e.message, true) };
    case 'message.deleted':
      return { type: e.type, channelId: e.channelId, messageId: e.messageId, ...(e.threadRootId && { threadRootId: e.threadRootId }) };
    case 'message.ephemeral_deleted':
      return { type: e.type, channelId: e.channelId, messageId: e.messageId };
    case 'reaction.added':
    case 'reaction.removed':
      return { type: e.type, channelId: e.channelId, messageId: e.messageId, reaction: { user: e.userId, code: e.code } };
    case 'channel.created':
    case 'channel.updated':
    case 'channel.archived':
    case 'channel.unarchived':
      // isMember is per user; clients learn their own membership from member.joined / member.left.
      return { type: e.type, channelId: e.channel.id, channel: presentChannel(e.channel, false) };
    case 'channel.deleted':
      // The channel, its history and memberships are gone: clients drop it (no member.left follows).
      return { type: e.type, channelId: e.channel.id };
    case 'member.joined':
      return { type: e.type, channelId: e.channelId, userIds: e.userIds, ...(e.addedBy && { addedBy: e.addedBy }) };
    case 'member.left':
      return { type: e.type, channelId: e.channelId, userId: e.userId, ...(e.removedBy && { removedBy: e.removedBy }) };
    case 'user.created':
    case 'user.updated':
      return { type: e.type, userId: e.userId };
    case 'user.sessions_revoked':
    case 'app.uninstalled':
    case 'app.unauthorized':
      return undefined;
  }
}
