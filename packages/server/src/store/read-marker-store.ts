/**
 * SQL for read markers (docs/web-client.md §5). A marker only moves forward: message ids sort by
 * creation time (ULIDs), so "newer" is a string comparison in both engines.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { ReadMarkerStorage, UnreadState } from '../domain/ports/read-markers.js';

interface ReadMarkerDatabase {
  channel_members: { channel_id: string; user_id: string; joined_at: number; last_read_id: string | null };
  messages: { id: string; channel_id: string; author_id: string; thread_root_id: string | null; deleted: number; created_at: number; text: string };
}

type Db = Kysely<ReadMarkerDatabase> | Transaction<ReadMarkerDatabase>;

export class ReadMarkerStore implements ReadMarkerStorage {
  private readonly db: Db;

  constructor(db: Kysely<any> | Transaction<any>) {
    this.db = db as Db;
  }

  async markRead(channelId: string, userId: string, messageId: string): Promise<boolean> {
    const r = await this.db
      .updateTable('channel_members')
      .set({ last_read_id: messageId })
      .where('channel_id', '=', channelId)
      .where('user_id', '=', userId)
      .where((eb) => eb.or([eb('last_read_id', 'is', null), eb('last_read_id', '<', messageId)]))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async marker(channelId: string, userId: string): Promise<string | null> {
    const row = await this.db.selectFrom('channel_members').select('last_read_id').where('channel_id', '=', channelId).where('user_id', '=', userId).executeTakeFirst();
    return row?.last_read_id ?? null;
  }

  async unreads(userId: string): Promise<UnreadState[]> {
    // One statement for every channel: two correlated counts per membership, each walking the
    // history index (channel_id, thread_root_id, id) from the marker on.
    const after = sql`m.channel_id = cm.channel_id and m.thread_root_id is null and m.deleted = 0 and m.author_id <> cm.user_id
      and m.created_at > cm.joined_at and (cm.last_read_id is null or m.id > cm.last_read_id)`;
    const mention = sql`(m.text like ${'%<@'} || cm.user_id || ${'>%'} or m.text like ${'%@channel%'} or m.text like ${'%@here%'})`;
    const rows = await this.db
      .selectFrom('channel_members as cm')
      .select([
        'cm.channel_id',
        'cm.last_read_id',
        sql<number>`(select count(*) from messages m where ${after})`.as('unread'),
        sql<number>`(select count(*) from messages m where ${after} and ${mention})`.as('mentions'),
      ])
      .where('cm.user_id', '=', userId)
      .orderBy('cm.channel_id')
      .execute();
    return rows.map((r) => ({ channelId: r.channel_id, lastReadMessageId: r.last_read_id, unread: Number(r.unread), mentions: Number(r.mentions) }));
  }

  async latestMessageId(channelId: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('messages')
      .select('id')
      .where('channel_id', '=', channelId)
      .where('thread_root_id', 'is', null)
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row?.id;
  }
}
