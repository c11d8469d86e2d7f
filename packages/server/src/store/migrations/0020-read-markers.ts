/**
 * Migration 0020_read_markers: unread state kept on the server (docs/web-client.md §5), so it follows
 * a person across tabs and devices — each membership remembers the newest message its member has
 * read. Null: nothing read since joining (the unread count starts at `joined_at`).
 *
 * Frozen: this file is history. It ran on databases that exist; never change what it does — write a
 * new migration instead. It is written against Kysely<any> and imports nothing but 'kysely'.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('channel_members').addColumn('last_read_id', 'text').execute();
}
