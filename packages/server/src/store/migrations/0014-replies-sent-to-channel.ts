/**
 * Migration 0014_replies_sent_to_channel: a reply may also be shown in its channel's history
 * ("also send to channel", Pumble's `stc` and `replySentToChannel`, Slack's thread broadcast).
 * The partial index serves the channel history, which now reads top-level messages and those replies.
 *
 * Frozen: this file is history. It ran on databases that exist; never change what it does — write a
 * new migration instead. It is written against Kysely<any> and imports nothing but 'kysely'.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('messages')
    .addColumn('sent_to_channel', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createIndex('messages_channel_shown')
    .on('messages')
    .columns(['channel_id', 'id'])
    .where(sql<boolean>`thread_root_id is null or sent_to_channel = 1`)
    .execute();
}
