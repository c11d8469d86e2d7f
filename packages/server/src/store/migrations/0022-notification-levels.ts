/**
 * Migration 0022_notification_levels: each membership's notification level (docs/web-client.md §6.8),
 * kept on the server so it follows the person across tabs and devices — `all`, `mentions` or
 * `nothing`. Null: the default (every message in a direct conversation, mentions elsewhere).
 *
 * Frozen: this file is history. It ran on databases that exist; never change what it does — write a
 * new migration instead. It is written against Kysely<any> and imports nothing but 'kysely'.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('channel_members').addColumn('notify_level', 'text').execute();
}
