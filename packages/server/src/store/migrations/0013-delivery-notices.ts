/**
 * Migration 0013_delivery_notices: owner notices waiting to be delivered (docs/delivery.md §5, §7), and an
 * index that lets /metrics count pending deliveries per class without walking the log (§11).
 *
 * Frozen: this file is history. It ran on databases that exist; never change what it does — write a
 * new migration instead. It is written against Kysely<any> and imports nothing but 'kysely'.
 * Its body is a frozen copy of createDeliveryNoticeTables() (store/delivery-tables.ts) as it was when
 * the migration shipped; it must not follow later changes to that function.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('delivery_notices')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('endpoint_id', 'text', (c) => c.notNull())
    .addColumn('endpoint_type', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('last_status_code', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('url', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('delivery_notices_created').on('delivery_notices').column('created_at').execute();
  await db.schema.createIndex('deliveries_status_class').on('deliveries').columns(['status', 'class']).execute();
}
