/**
 * Migration 0016_interactive_apps (docs/app-platform.md §9.3, §9.4, §11.2; issue 13):
 *   - `views`: modals and home views, stored durably so a modal survives a restart and every node
 *     agrees on it. One home view per app and person (`home_key` unique, null for modals);
 *   - `interaction_loads`: loading states of block interactions and the 60-s validity of a
 *     `triggerId` for POST /v1/interactions/complete;
 *   - `ephemeral_messages.blocks`: an ephemeral message's blocks (and its attachments' blocks), so a
 *     block interaction can be checked against the element it names. Null for older rows.
 *
 * Frozen: this file is history. It ran on databases that exist; never change what it does — write a
 * new migration instead. It is written against Kysely<any> and imports nothing but 'kysely'.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('views')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('home_key', 'text', (c) => c.unique())
    .addColumn('stack_parent_id', 'text')
    .addColumn('depth', 'integer', (c) => c.notNull())
    .addColumn('callback_id', 'text')
    .addColumn('notify_on_close', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('channel_id', 'text')
    .addColumn('thread_root_id', 'text')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('document', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  // A person's modal stack (type, depth) and home views; an app's views on uninstall; housekeeping.
  await db.schema.createIndex('views_user').on('views').columns(['user_id', 'type', 'depth']).execute();
  await db.schema.createIndex('views_app').on('views').column('app_id').execute();
  await db.schema.createIndex('views_updated').on('views').column('updated_at').execute();

  await db.schema
    .createTable('interaction_loads')
    .addColumn('trigger_id', 'text', (c) => c.primaryKey())
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('channel_id', 'text')
    .addColumn('block_id', 'text')
    .addColumn('source_type', 'text', (c) => c.notNull())
    .addColumn('source_id', 'text', (c) => c.notNull())
    .addColumn('on_action', 'text', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('ends_at', 'bigint', (c) => c.notNull())
    .addColumn('complete_until', 'bigint', (c) => c.notNull())
    .addColumn('completed_at', 'bigint')
    .addColumn('completed_by', 'text')
    .execute();
  await db.schema.createIndex('interaction_loads_started').on('interaction_loads').column('started_at').execute();
  await db.schema.createIndex('interaction_loads_user').on('interaction_loads').columns(['user_id', 'ends_at']).execute();

  await db.schema.alterTable('ephemeral_messages').addColumn('blocks', 'text').execute();
}
