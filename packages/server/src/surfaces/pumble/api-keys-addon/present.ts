import type { NamedChannelView } from '../../../domain/addons/api-keys/keys.js';
import { activeCustomStatus, type Message, type User } from '../../../domain/model.js';
import { presentChannel, presentFiles } from '../v1/present.js';

/** Model → the addon's JSON shapes (docs/api-keys.md §5.4), which differ from `/v1` in places. */

const iso = (ms: number) => new Date(ms).toISOString();

/** `replyCount` here, `repliesCount` on /v1 (§5.4); `authorAppId` when an app's bot wrote it. */
export function presentAddonMessage(m: Message, appOfBot: ReadonlyMap<string, string>) {
  const authorAppId = appOfBot.get(m.authorId);
  return {
    id: m.id,
    channelId: m.channelId,
    workspaceId: m.workspaceId,
    author: m.authorId,
    ...(authorAppId && { authorAppId }),
    text: m.text,
    ...(m.blocks && { blocks: m.blocks }),
    ...(m.attachments && { attachments: m.attachments }),
    files: presentFiles(m.files),
    reactions: m.reactions.map((r) => ({ user: r.userId, code: r.code })),
    ...(m.threadRootId === null &&
      m.replyCount > 0 && {
        threadRootInfo: { replyCount: m.replyCount, ...(m.lastReplyAt !== null && { lastReplyTimestampMilli: m.lastReplyAt }) },
      }),
    ...(m.threadRootId !== null && { threadReplyInfo: { rootId: m.threadRootId, replySentToChannel: m.sentToChannel } }),
    deleted: m.deleted,
    edited: m.edited,
    timestamp: iso(m.createdAt),
    timestampMilli: m.createdAt,
  };
}

/** The /v1 Channel plus the addon's extra fields; always a string `name`, DMs included (§5.2). */
export function presentAddonChannel(v: NamedChannelView) {
  const c = v.channel;
  return {
    ...presentChannel(c, v.isMember),
    name: v.name,
    ...(c.createdBy !== null && { creatorId: c.createdBy }),
    timestamp: iso(c.createdAt),
    timestampMilli: c.createdAt,
  };
}

/** §5.4 User: the role as Switchboard keeps it (OWNER, ADMIN, MEMBER, GUEST). */
export function presentAddonUser(u: User, addonBotId: string | undefined, now: number) {
  const customStatus = activeCustomStatus(u, now);
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    title: u.title,
    role: u.role,
    status: u.status,
    workspaceId: u.workspaceId,
    avatar: { fullPath: '', scaledPath: '' },
    ...(customStatus && { customStatus }),
    timeZoneId: u.timeZone,
    automaticallyTimeZone: true,
    isAddonBot: u.id === addonBotId,
    isPumbleBot: false,
  };
}
