import type { ChannelView } from '../../../domain/channels.js';
import { activeCustomStatus, V1_ROLE, type Channel, type FileRef, type LinkPreview, type Message, type User, type Workspace } from '../../../domain/model.js';

/** Model → the `/v1` JSON shapes of the spec (§12); used by HTTP responses and WebSocket frames alike. */

const iso = (ms: number) => new Date(ms).toISOString();

/** §12.1 FileRef: `{id, name, path, size, mimeType}`; `path` is the absolute URL to GET with the caller's credentials. */
export function presentFiles(files: readonly FileRef[] | undefined) {
  return (files ?? []).map((f) => ({ id: f.id, name: f.name, path: f.path, size: f.size, mimeType: f.mimeType, ...(f.width !== undefined && { width: f.width }), ...(f.height !== undefined && { height: f.height }) }));
}

export function presentMessage(m: Message, ephemeral = false) {
  return {
    id: m.id,
    workspaceId: m.workspaceId,
    channelId: m.channelId,
    author: m.authorId,
    text: m.text,
    timestamp: iso(m.createdAt),
    timestampMilli: m.createdAt,
    reactions: m.reactions.map((r) => ({ user: r.userId, code: r.code })),
    files: presentFiles(m.files),
    edited: m.edited,
    deleted: m.deleted,
    ...(m.blocks && { blocks: m.blocks }),
    ...(m.attachments && { attachments: m.attachments }),
    ...(m.threadRootId === null &&
      m.replyCount > 0 && {
        threadRootInfo: {
          repliesCount: m.replyCount,
          repliers: m.repliers,
          ...(m.lastReplyAt !== null && { lastReplyTimestamp: iso(m.lastReplyAt), lastReplyTimestampMilli: m.lastReplyAt }),
        },
      }),
    ...(m.threadRootId !== null && { threadReplyInfo: { rootId: m.threadRootId, replySentToChannel: m.sentToChannel } }),
    ...(ephemeral && { isEphemeral: true }),
    ...(m.alias !== null && { alias: m.alias }),
    ...(m.avatar !== null && { avatar: m.avatar }),
    ...(m.emoji !== null && { emoji: m.emoji }),
    ...(m.bot !== null && { integrationId: m.bot.i }),
    ...(m.linkPreviews && m.linkPreviews.length > 0 && { linkPreviews: presentLinkPreviews(m.linkPreviews) }),
  };
}

/** Extension (docs/web-client.md §6.1): a message's link previews, plain text and an https image URL, fields left out when empty. */
export function presentLinkPreviews(previews: readonly LinkPreview[]) {
  return previews.map((p) => ({
    url: p.url,
    ...(p.title !== null && { title: p.title }),
    ...(p.description !== null && { description: p.description }),
    ...(p.imageUrl !== null && { imageUrl: p.imageUrl }),
    ...(p.siteName !== null && { siteName: p.siteName }),
  }));
}

export function presentChannel(c: Channel, isMember: boolean) {
  return {
    id: c.id,
    workspaceId: c.workspaceId,
    channelType: c.type,
    ...(c.name !== null && { name: c.name }),
    description: c.description,
    isMember,
    isMuted: false,
    isHidden: false,
    isArchived: c.isArchived,
    isMain: c.isMain,
    isInitial: c.isMain,
    postingPermissions: { allowThreads: true, allowMentions: true },
    desktopNotificationPreferences: 'ALL',
    mobileNotificationPreferences: 'ALL',
    notifyAboutRepliesInThreads: true,
    ...(c.createdBy !== null && { addedById: c.createdBy }),
    createdAt: iso(c.createdAt),
  };
}

export function presentChannelInfo(v: ChannelView) {
  return { channel: presentChannel(v.channel, v.isMember), ...(v.memberIds && { users: v.memberIds }) };
}

export function presentUser(u: User, now = Date.now()) {
  const customStatus = activeCustomStatus(u, now);
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    workspaceId: u.workspaceId,
    role: V1_ROLE[u.role],
    /** extension: the role as Switchboard keeps it (OWNER, ADMIN, MEMBER, GUEST) */
    workspaceRole: u.role,
    status: u.status,
    // docs/web-client.md §6.8: one small square image serves both sizes; '' when the person has none
    avatar: u.avatarId ? { fullPath: avatarPath(u.id, u.avatarId), scaledPath: avatarPath(u.id, u.avatarId) } : { fullPath: '', scaledPath: '' },
    timeZoneId: u.timeZone,
    automaticallyTimeZone: true,
    title: u.title,
    phone: '',
    isPumbleBot: false,
    isAddonBot: u.isBot,
    timeFormat: 'H24',
    ...(customStatus && { customStatus }),
    /** extension: the user's language, null when it follows the workspace's */
    locale: u.locale,
  };
}

/**
 * A person's avatar image, relative to the server (the web client is served from it): a new upload
 * has a new id, so the URL of one image never changes and may be cached for long.
 */
export const avatarPath = (userId: string, avatarId: string): string => `/v1/workspaceUsers/${userId}/avatar/${avatarId}`;

export function presentWorkspace(w: Workspace) {
  return {
    id: w.id,
    name: w.name,
    customStatusDefinitions: [] as unknown[],
    uniqueIdentifier: w.id,
    locale: w.locale,
    messageRetentionDays: w.messageRetentionDays ?? null,
  };
}
