/**
 * Migration 0007_signing_grace: an app's previous signing secret, valid for a grace period after rotation.
 *
 * Frozen: this file is history. It ran on databases that exist; never change what it does — write a
 * new migration instead. It is written against Kysely<any> and imports nothing but 'kysely'.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('apps').addColumn('previous_signing_secret_sealed', 'text').execute();
  await db.schema.alterTable('apps').addColumn('previous_signing_until', 'bigint').execute();
}
