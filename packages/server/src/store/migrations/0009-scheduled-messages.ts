/**
 * Migration 0009_scheduled_messages: scheduled messages (docs/pumble-api.md §11.2, §12.6;
 * docs/api-keys.md §5.3).
 *
 * Frozen: this file is history. It ran on databases that exist; never change what it does — write a
 * new migration instead. It is written against Kysely<any> and imports nothing but 'kysely'.
 * Its body is a frozen copy of createScheduledTables() (store/scheduled-tables.ts) as it was when
 * the migration shipped; it must not follow later changes to that function.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('scheduled_messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('channel_id', 'text', (c) => c.notNull())
    .addColumn('author_id', 'text', (c) => c.notNull())
    .addColumn('app_id', 'text')
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('blocks', 'text')
    .addColumn('attachments', 'text')
    .addColumn('thread_root_id', 'text')
    .addColumn('also_send_to_channel', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('send_at', 'bigint', (c) => c.notNull())
    .addColumn('recurrence_type', 'text')
    .addColumn('end_after_occurrences', 'integer')
    .addColumn('end_date', 'bigint')
    .addColumn('anchor_at', 'bigint', (c) => c.notNull())
    .addColumn('occurrences_done', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('due_at', 'bigint', (c) => c.notNull())
    .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  // The scheduler: the earliest due first.
  await db.schema.createIndex('scheduled_messages_due').on('scheduled_messages').columns(['due_at', 'id']).execute();
  // An author's list, in sending order (optionally one channel's).
  await db.schema.createIndex('scheduled_messages_author').on('scheduled_messages').columns(['author_id', 'send_at', 'id']).execute();
}
