/**
 * Per-channel notification levels (docs/web-client.md §6.8): how much of a channel reaches the person
 * as a desktop notification — every message, mentions only, or nothing. Kept per membership on the
 * server so that it follows the person across tabs and devices; the client decides what to show.
 * Unread and mention counts do not depend on it (a muted channel still counts its mentions).
 */
import { commit, type CoreContext } from './context.js';
import { forbidden } from './errors.js';
import type { ChannelType, User } from './model.js';
import { visibleChannel } from './channels.js';
import type { NotificationLevel } from './ports/notification-levels.js';

export type { NotificationLevel } from './ports/notification-levels.js';

/** A membership's level as clients read it: the level in force, and whether the person chose it. */
export interface ChannelNotificationLevel {
  channelId: string;
  level: NotificationLevel;
  /** true while the person has not chosen: the default for the channel's kind applies */
  isDefault: boolean;
}

/** Direct conversations notify of every message by default (they are addressed to the person), channels of mentions. */
export function defaultNotificationLevel(type: ChannelType): NotificationLevel {
  return type === 'DIRECT' || type === 'SELF' ? 'all' : 'mentions';
}

export class NotificationLevels {
  constructor(private readonly ctx: CoreContext) {}

  /** The level of every channel the person belongs to (apps get no desktop notifications: refused). */
  async list(actor: User): Promise<ChannelNotificationLevel[]> {
    if (actor.isBot) throw forbidden('Bots have no notification levels');
    const stored = await this.ctx.store.notificationLevels.levels(actor.id);
    return stored.map((s) => ({ channelId: s.channelId, level: s.level ?? defaultNotificationLevel(s.channelType), isDefault: s.level === null }));
  }

  /** One channel's level. Not a member: 403 (a level is a member's); a channel the person cannot see: 404. */
  async get(actor: User, channelId: string): Promise<ChannelNotificationLevel> {
    const channel = await this.memberChannel(actor, channelId);
    const level = (await this.ctx.store.notificationLevels.level(channel.id, actor.id)) ?? null;
    return { channelId: channel.id, level: level ?? defaultNotificationLevel(channel.type), isDefault: level === null };
  }

  /** Sets the person's level in the channel; `null` goes back to the default. */
  async set(actor: User, channelId: string, level: NotificationLevel | null): Promise<ChannelNotificationLevel> {
    const channel = await this.memberChannel(actor, channelId);
    return commit(this.ctx, async (tx, notices) => {
      if (!(await tx.notificationLevels.setLevel(channel.id, actor.id, level))) throw forbidden('Only members of the channel have a notification level in it');
      const result = { channelId: channel.id, level: level ?? defaultNotificationLevel(channel.type), isDefault: level === null };
      // The person's other tabs follow (their channel menus and desktop notifications); nobody else hears of it.
      notices.push({ workspaceId: actor.workspaceId, audience: [actor.id], event: { type: 'notification_level.updated', ...result } });
      return result;
    });
  }

  private async memberChannel(actor: User, channelId: string) {
    if (actor.isBot) throw forbidden('Bots have no notification levels');
    const { channel, isMember } = await visibleChannel(this.ctx.store, actor, channelId);
    if (!isMember) throw forbidden('Only members of the channel have a notification level in it');
    return channel;
  }
}
