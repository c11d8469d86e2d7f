import { renderWith, type EventOf, type EventTable, type Notice } from '../../../domain/events.js';
import { presentChannel, presentMessage, presentWorkspace } from './present.js';
import { presentLoad, presentView } from './present-views.js';
import { presentPin } from './present-pins.js';

/**
 * A notice as the JSON frame WebSocket clients receive: `type` plus the `/v1` shapes. Rendered
 * once per notice, whatever the number of recipients. Control notices render to nothing.
 */
export function renderFrame(notice: Notice): string | undefined {
  const frame = renderWith(FRAMES, notice.event);
  return frame && JSON.stringify({ ...frame, workspaceId: notice.workspaceId });
}

type Frame = Record<string, unknown>;

const messageFrame = (e: EventOf<'message.created' | 'message.updated'>): Frame => ({
  type: e.type,
  channelId: e.message.channelId,
  message: presentMessage(e.message),
});
const ephemeralFrame = (e: EventOf<'message.ephemeral' | 'message.ephemeral_updated'>): Frame => ({
  type: e.type,
  channelId: e.message.channelId,
  message: presentMessage(e.message, true),
});
const reactionFrame = (e: EventOf<'reaction.added' | 'reaction.removed'>): Frame => ({
  type: e.type,
  channelId: e.channelId,
  messageId: e.messageId,
  reaction: { user: e.userId, code: e.code },
});
// isMember is per user; clients learn their own membership from member.joined / member.left.
const channelFrame = (e: EventOf<'channel.created' | 'channel.updated' | 'channel.archived' | 'channel.unarchived'>): Frame => ({
  type: e.type,
  channelId: e.channel.id,
  channel: presentChannel(e.channel, false),
});
const viewFrame = (e: EventOf<'view.opened' | 'view.pushed' | 'view.updated'>): Frame => ({ type: e.type, view: presentView(e.view) });
const userFrame = (e: EventOf<'user.created' | 'user.updated'>): Frame => ({ type: e.type, userId: e.userId });

/**
 * The `/v1` frame of each event type (pumble-api.md §4.2). `null`: no frame — the control notice
 * (it closes sockets instead, see the protocol's `closesOn`), app uninstalls and unauthorisations
 * (news for the app alone, told through app events) and user-group changes (§4.2 has no frame for them).
 */
export const FRAMES: EventTable<Frame> = {
  'message.created': messageFrame,
  'message.updated': messageFrame,
  'message.deleted': (e) => ({ type: e.type, channelId: e.channelId, messageId: e.messageId, ...(e.threadRootId && { threadRootId: e.threadRootId }) }),
  'message.ephemeral': ephemeralFrame,
  'message.ephemeral_updated': ephemeralFrame,
  'message.ephemeral_deleted': (e) => ({ type: e.type, channelId: e.channelId, messageId: e.messageId }),
  'reaction.added': reactionFrame,
  'reaction.removed': reactionFrame,
  'channel.created': channelFrame,
  'channel.updated': channelFrame,
  'channel.archived': channelFrame,
  'channel.unarchived': channelFrame,
  // The channel, its history and memberships are gone: clients drop it (no member.left follows).
  'channel.deleted': (e) => ({ type: e.type, channelId: e.channel.id }),
  'member.joined': (e) => ({ type: e.type, channelId: e.channelId, userIds: e.userIds, ...(e.addedBy && { addedBy: e.addedBy }) }),
  'member.left': (e) => ({ type: e.type, channelId: e.channelId, userId: e.userId, ...(e.removedBy && { removedBy: e.removedBy }) }),
  'user.created': userFrame,
  'user.updated': userFrame,
  'user.sessions_revoked': null,
  // Closes app sockets (surfaces/pumble/socket-mode/protocol.ts); never a frame for people.
  'app.sockets_revoked': null,
  'app.uninstalled': null,
  'app.unauthorized': null,
  'user_group.created': null,
  'user_group.updated': null,
  // Views and loading states (docs/pumble-api.md §4.2; docs/app-platform.md §9.3, §9.4): the one person's.
  'view.opened': viewFrame,
  'view.pushed': viewFrame,
  'view.updated': viewFrame,
  'view.closed': (e) => ({ type: e.type, viewId: e.viewId, appId: e.appId, viewType: e.viewType, reason: e.reason }),
  'view.error': (e) => ({ type: e.type, viewId: e.viewId, appId: e.appId, message: e.message }),
  'interaction.loading': (e) => ({ type: e.type, ...presentLoad(e.load) }),
  'interaction.completed': (e) => {
    const { endsAt: _endsAt, ...load } = presentLoad(e.load);
    return { type: e.type, ...load, by: e.by };
  },
  'channel.read': (e) => ({ type: e.type, channelId: e.channelId, lastReadMessageId: e.lastReadMessageId }),
  'user.typing': (e) => ({ type: e.type, channelId: e.channelId, userId: e.userId, ...(e.threadRootId && { threadRootId: e.threadRootId }) }),
  // Who came online and who went offline since the last presence frame (docs/web-client.md §4).
  'user.presence': (e) => ({ type: e.type, online: e.online, offline: e.offline }),
  // Pins (everyone who may see the channel) and saves (the person's own tabs): docs/web-client.md §6.1.
  'message.pinned': (e) => ({ type: e.type, channelId: e.pin.channelId, messageId: e.pin.messageId, pin: presentPin(e.pin) }),
  'message.unpinned': (e) => ({ type: e.type, channelId: e.channelId, messageId: e.messageId, ...(e.userId && { userId: e.userId }) }),
  'message.saved': (e) => ({ type: e.type, channelId: e.channelId, messageId: e.messageId, savedTimestampMilli: e.savedAt }),
  'message.unsaved': (e) => ({ type: e.type, channelId: e.channelId, messageId: e.messageId }),
  // docs/web-client.md §7: every open tab of the workspace shows the new name at once.
  'workspace.updated': (e) => ({ type: e.type, workspace: presentWorkspace(e.workspace) }),
  // docs/web-client.md §6.8: the person's other tabs show the level they chose, as GET notificationLevel answers it.
  'notification_level.updated': (e) => ({ type: e.type, channelId: e.channelId, level: e.level, isDefault: e.isDefault }),
};
