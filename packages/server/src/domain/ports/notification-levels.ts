/**
 * The storage port of notification levels (docs/web-client.md §6.8): per membership, how much of the
 * channel reaches the person as a desktop notification. store/notification-level-store.ts implements it.
 */
import type { ChannelType } from '../model.js';

/** Every message, only those that mention the person (or @channel / @here), or none. */
export type NotificationLevel = 'all' | 'mentions' | 'nothing';

/** One membership's level as stored: null when the person never chose one (the default applies). */
export interface StoredNotificationLevel {
  channelId: string;
  channelType: ChannelType;
  level: NotificationLevel | null;
}

export interface NotificationLevelStorage {
  /** The level of every channel the person belongs to. */
  levels(userId: string): Promise<StoredNotificationLevel[]>;
  /** The member's stored level (null: the default); undefined when the person is not a member. */
  level(channelId: string, userId: string): Promise<NotificationLevel | null | undefined>;
  /** Sets (null: clears) the member's level; answers whether the person is a member. */
  setLevel(channelId: string, userId: string, level: NotificationLevel | null): Promise<boolean>;
}
