/**
 * Migration 0012_tooling_login: the tooling login (docs/app-platform.md §4.1): e-mail leads with
 * one-time codes, and exchange tokens. Hashes only.
 *
 * Frozen: this file is history. It ran on databases that exist; never change what it does — write a
 * new migration instead. It is written against Kysely<any> and imports nothing but 'kysely'.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('tooling_leads')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('code_hash', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('activated_at', 'bigint')
    .addColumn('logged_in_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('tooling_leads_by_email').on('tooling_leads').columns(['email', 'created_at']).execute();
  await db.schema.createIndex('tooling_leads_by_expiry').on('tooling_leads').column('expires_at').execute();
  await db.schema
    .createTable('tooling_exchange_tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('lead_hash', 'text', (c) => c.notNull())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('tooling_exchange_tokens_by_lead').on('tooling_exchange_tokens').column('lead_hash').execute();
  await db.schema.createIndex('tooling_exchange_tokens_by_expiry').on('tooling_exchange_tokens').column('expires_at').execute();
}
