/**
 * Migration 0017_app_sockets: socket mode (docs/app-platform.md §10, docs/delivery.md §2.7) — the
 * one-time tickets of the handshake, and the registry of live app sockets, which says which node
 * holds each socket so that every node can count them (at most 10 per app) and route an event or a
 * trigger to the node that can write it.
 *
 * Frozen: this file is history. It ran on databases that exist; never change what it does — write a
 * new migration instead. It is written against Kysely<any> and imports nothing but 'kysely'.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // A ticket is stored as the SHA-256 of its text: one use (redeemed by deleting the row), 60 s.
  await db.schema
    .createTable('app_socket_tickets')
    .addColumn('ticket_hash', 'text', (c) => c.primaryKey())
    .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id').onDelete('cascade'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('app_socket_tickets_expires').on('app_socket_tickets').column('expires_at').execute();

  // A socket is live while seen_at is recent (its node refreshes it); a dead node's rows go stale.
  await db.schema
    .createTable('app_sockets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id').onDelete('cascade'))
    .addColumn('node_id', 'text', (c) => c.notNull())
    .addColumn('opened_at', 'bigint', (c) => c.notNull())
    .addColumn('seen_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('app_sockets_app_seen').on('app_sockets').columns(['app_id', 'seen_at']).execute();
  await db.schema.createIndex('app_sockets_node').on('app_sockets').column('node_id').execute();
}
