/**
 * Migration 0023_link_previews: link previews (docs/web-client.md §6.1) — the Open Graph title,
 * description and image of the links a message carries, fetched after the post by a worker.
 *
 * - `link_previews`: the cache, one row per URL (fetched pages are public: one row serves every
 *   workspace), with when it expires; a fetch that found nothing, or failed, is cached too (for less
 *   long), so a dead link is not fetched again for every message naming it.
 * - `link_preview_jobs`: the durable work — one row per message whose links wait to be previewed,
 *   written by the outbox dispatcher's expander (so a committed post never loses it) and leased by
 *   the worker that fetches (`locked_until`, `locked_by`; several nodes may run one).
 * - `messages.link_previews`: JSON, the previews the message shows, in the order of its links;
 *   `messages.link_previews_removed`: JSON, the URLs its author removed (they stay removed).
 * - `workspaces.link_previews`: 1 while the workspace wants previews (the default), 0 when an admin
 *   turned them off.
 * - `files_channel`: an index for a channel's files gallery (`GET /v1/channels/{id}/files`).
 *
 * Frozen: this file is history. It ran on databases that exist; never change what it does — write a
 * new migration instead. It is written against Kysely<any> and imports nothing but 'kysely'.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('link_previews')
    // the URL as the message carried it, normalised (no fragment); at most 2048 characters
    .addColumn('url', 'text', (c) => c.primaryKey())
    // 'ok': a preview to show; 'none': the page has nothing to show; 'failed': it could not be read
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('title', 'text')
    .addColumn('description', 'text')
    .addColumn('image_url', 'text')
    .addColumn('site_name', 'text')
    .addColumn('fetched_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('link_previews_expires').on('link_previews').column('expires_at').execute();

  await db.schema
    .createTable('link_preview_jobs')
    .addColumn('message_id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('channel_id', 'text', (c) => c.notNull())
    // JSON string[]: the links to preview, in the order the message carries them (at most a few)
    .addColumn('urls', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('due_at', 'bigint', (c) => c.notNull())
    .addColumn('locked_until', 'bigint')
    .addColumn('locked_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('link_preview_jobs_due').on('link_preview_jobs').column('due_at').execute();

  await db.schema.alterTable('messages').addColumn('link_previews', 'text').execute();
  await db.schema.alterTable('messages').addColumn('link_previews_removed', 'text').execute();
  await db.schema.alterTable('workspaces').addColumn('link_previews', 'integer', (c) => c.notNull().defaultTo(1)).execute();

  await db.schema.createIndex('files_channel').on('files').columns(['channel_id', 'message_id']).execute();
}
