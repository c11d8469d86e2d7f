/**
 * Migration 0002_outbox: the domain-event outbox.
 *
 * Frozen: this file is history. It ran on databases that exist; never change what it does — write a
 * new migration instead. It is written against Kysely<any> and imports nothing but 'kysely'.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('domain_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('request_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expanded_at', 'bigint')
    .execute();
  // The dispatcher walks unexpanded events in id (time) order.
  await db.schema.createIndex('domain_events_pending').on('domain_events').columns(['expanded_at', 'id']).execute();
}
