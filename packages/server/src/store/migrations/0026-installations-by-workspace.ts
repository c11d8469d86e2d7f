/**
 * Migration 0026_installations_by_workspace: the outbox dispatcher reads a workspace's app
 * installations for every event it expands (domain/apps/app-event-routing.ts); without an index
 * starting with the workspace that read scanned every installation of the database (bench (scale)).
 *
 * Frozen: this file is history. It ran on databases that exist; never change what it does — write a
 * new migration instead. It is written against Kysely<any> and imports nothing but 'kysely'.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('app_installations_workspace').on('app_installations').columns(['workspace_id', 'id']).execute();
}
