/**
 * Migration 0025_avatars_retention: people's avatars and the workspace's message retention
 * (docs/web-client.md §6.8, §7).
 *
 * - `workspace_users.avatar_id`: the id of the person's current avatar image (a small square WebP
 *   kept in file storage under `<workspace>/avatars/<user>/<avatar id>`); null: none, initials show.
 *   A new upload gets a new id, so an avatar's URL never changes meaning and may be cached.
 * - `workspaces.message_retention_days`: messages older than this many days are deleted by the
 *   housekeeping; null keeps them forever (the default).
 * - `messages_retention`: finds a workspace's oldest live messages without reading its history.
 *
 * Frozen: this file is history. It ran on databases that exist; never change what it does — write a
 * new migration instead. It is written against Kysely<any> and imports nothing but 'kysely'.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('workspace_users').addColumn('avatar_id', 'text').execute();
  await db.schema.alterTable('workspaces').addColumn('message_retention_days', 'integer').execute();
  await db.schema.createIndex('messages_retention').on('messages').columns(['workspace_id', 'deleted', 'created_at']).execute();
}
