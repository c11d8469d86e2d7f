/**
 * Migration 0030_deliveries_due_order: the claim leases an endpoint's due deliveries oldest first,
 * `order by next_attempt_at, id` (store/delivery-store.ts leaseDue). 0006's index stops at
 * `next_attempt_at`, so deliveries due at the same moment were sorted by id on every claim: all of
 * them, to take 32. A whole backlog is due at the same moment after a socket-mode app reconnects
 * (dueNow) or a range recovery, and each claim of it then sorted the backlog — 10,000 deliveries,
 * about 2 ms a claim, the costliest statement of a socket-mode drain (bench (e), per-statement
 * timings). With `id` in the index the claim reads them in order and stops at its limit.
 *
 * Frozen: this file is history. It ran on databases that exist; never change what it does — write a
 * new migration instead. It is written against Kysely<any> and imports nothing but 'kysely'.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('deliveries_due_order').on('deliveries').columns(['endpoint_id', 'status', 'next_attempt_at', 'id']).execute();
  // Its prefix serves every query 0006's served.
  await db.schema.dropIndex('deliveries_due').execute();
}
