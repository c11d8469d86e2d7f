/**
 * Migration 0006_deliveries: the delivery engine's queue, attempt log and endpoint health
 * (docs/delivery.md §2–§8).
 *
 * Frozen: this file is history. It ran on databases that exist; never change what it does — write a
 * new migration instead. It is written against Kysely<any> and imports nothing but 'kysely'.
 * Its body is a frozen copy of createDeliveryTables() (store/delivery-tables.ts) as it was when the
 * migration shipped; it must not follow later changes to that function.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('class', 'text', (c) => c.notNull())
    .addColumn('endpoint_type', 'text', (c) => c.notNull())
    .addColumn('endpoint_id', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('payload', 'text')
    .addColumn('payload_size', 'integer', (c) => c.notNull())
    .addColumn('payload_sha256', 'text', (c) => c.notNull())
    .addColumn('keep_payload', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('signing_key_ref', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('attempt_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('sequence_offset', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('manual', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_status_code', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('locked_until', 'bigint')
    .addColumn('locked_by', 'text')
    .execute();
  // Re-expanding an event after a crash inserts nothing new (§2.2).
  await db.schema.createIndex('deliveries_event_endpoint_url').on('deliveries').columns(['event_id', 'endpoint_id', 'url']).unique().execute();
  // Claiming: an endpoint's due deliveries in order; the backlog count.
  await db.schema.createIndex('deliveries_due').on('deliveries').columns(['endpoint_id', 'status', 'next_attempt_at']).execute();
  // Claiming: how many attempts to an endpoint are in flight (leased) right now.
  await db.schema.createIndex('deliveries_leased').on('deliveries').columns(['endpoint_id', 'locked_until']).execute();
  // The log, newest first per endpoint (ids are ULIDs, so they sort by creation).
  await db.schema.createIndex('deliveries_log').on('deliveries').columns(['endpoint_id', 'id']).execute();
  await db.schema.createIndex('deliveries_created').on('deliveries').column('created_at').execute();

  await db.schema
    .createTable('delivery_attempts')
    .addColumn('delivery_id', 'text', (c) => c.notNull().references('deliveries.id').onDelete('cascade'))
    .addColumn('n', 'integer', (c) => c.notNull())
    .addColumn('manual', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('request_headers', 'text', (c) => c.notNull())
    .addColumn('response_status', 'integer')
    .addColumn('response_headers', 'text', (c) => c.notNull())
    .addColumn('response_body', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('error_message', 'text')
    .addPrimaryKeyConstraint('delivery_attempts_pk', ['delivery_id', 'n'])
    .execute();

  await db.schema
    .createTable('delivery_endpoints')
    .addColumn('endpoint_id', 'text', (c) => c.primaryKey())
    .addColumn('endpoint_type', 'text', (c) => c.notNull())
    .addColumn('paused_until', 'bigint')
    .addColumn('backoff_ms', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('backoff_until', 'bigint')
    .addColumn('failing_since', 'bigint')
    .addColumn('last_failure_at', 'bigint')
    .addColumn('last_success_at', 'bigint')
    .addColumn('last_status_code', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('disabled_reason', 'text')
    .addColumn('disabled_at', 'bigint')
    .addColumn('failing_notice_at', 'bigint')
    .execute();
}
