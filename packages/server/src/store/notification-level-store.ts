/**
 * SQL for notification levels (docs/web-client.md §6.8): a column of the membership (migration 0022),
 * so a level goes with the membership when the person leaves the channel.
 */
import type { Kysely, Transaction } from 'kysely';
import type { ChannelType } from '../domain/model.js';
import type { NotificationLevel, NotificationLevelStorage, StoredNotificationLevel } from '../domain/ports/notification-levels.js';

interface NotificationLevelDatabase {
  channel_members: { channel_id: string; user_id: string; notify_level: string | null };
  channels: { id: string; type: string };
}

type Db = Kysely<NotificationLevelDatabase> | Transaction<NotificationLevelDatabase>;

const LEVELS: ReadonlySet<string> = new Set<NotificationLevel>(['all', 'mentions', 'nothing']);

/** A stored value this version does not know (written by a later one) reads as the default. */
const levelOf = (stored: string | null): NotificationLevel | null => (stored !== null && LEVELS.has(stored) ? (stored as NotificationLevel) : null);

export class NotificationLevelStore implements NotificationLevelStorage {
  private readonly db: Db;

  constructor(db: Kysely<any> | Transaction<any>) {
    this.db = db as Db;
  }

  async levels(userId: string): Promise<StoredNotificationLevel[]> {
    const rows = await this.db
      .selectFrom('channel_members as cm')
      .innerJoin('channels as c', 'c.id', 'cm.channel_id')
      .select(['cm.channel_id', 'c.type', 'cm.notify_level'])
      .where('cm.user_id', '=', userId)
      .orderBy('cm.channel_id')
      .execute();
    return rows.map((r) => ({ channelId: r.channel_id, channelType: r.type as ChannelType, level: levelOf(r.notify_level) }));
  }

  async level(channelId: string, userId: string): Promise<NotificationLevel | null | undefined> {
    const row = await this.db.selectFrom('channel_members').select('notify_level').where('channel_id', '=', channelId).where('user_id', '=', userId).executeTakeFirst();
    return row && levelOf(row.notify_level);
  }

  async setLevel(channelId: string, userId: string, level: NotificationLevel | null): Promise<boolean> {
    const r = await this.db.updateTable('channel_members').set({ notify_level: level }).where('channel_id', '=', channelId).where('user_id', '=', userId).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }
}
