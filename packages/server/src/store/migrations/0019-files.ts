/**
 * Migration 0019_files: files (docs/pumble-app-platform.md §11.2, §12.1 FileRef; docs/api-keys-addon.md
 * §5 makeFilePublic) — the uploaded files and their thumbnails, the app flow's single-use upload
 * tokens, and the file references a message carries.
 *
 * A file is stored as an object (on disk or in an S3-compatible store) under `storage_key`; the row
 * says what it is (the sniffed type, never the client's), who uploaded it, and which message holds
 * it. A file no message holds (never attached, or its message deleted) is an orphan: the
 * housekeeping sweep removes its object and row a day after it became one (`orphaned_at`).
 *
 * `messages.files` is the message's FileRef list as JSON, written with the message, so that every
 * read of a message (history, search, events) carries its files without another query.
 *
 * Frozen: this file is history. It ran on databases that exist; never change what it does — write a
 * new migration instead. It is written against Kysely<any> and imports nothing but 'kysely'.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('files')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
    .addColumn('uploader_id', 'text', (c) => c.notNull().references('workspace_users.id'))
    // the app whose token uploaded it (app flow), else null
    .addColumn('app_id', 'text')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('mime_type', 'text', (c) => c.notNull())
    .addColumn('width', 'integer')
    .addColumn('height', 'integer')
    .addColumn('storage_key', 'text', (c) => c.notNull())
    .addColumn('thumb_key', 'text')
    .addColumn('thumb_size', 'bigint')
    .addColumn('thumb_width', 'integer')
    .addColumn('thumb_height', 'integer')
    .addColumn('thumb_mime_type', 'text')
    // the app flow: set by /v1/files/upload/complete; a person's upload is complete at once
    .addColumn('completed_at', 'bigint')
    // the message that holds the file, and its channel (who may download it)
    .addColumn('message_id', 'text')
    .addColumn('channel_id', 'text')
    // an unguessable token of the public link (makeFilePublic); null: no public link
    .addColumn('public_token', 'text', (c) => c.unique())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    // when it last lost (or never had) a message: the sweep counts a day from here
    .addColumn('orphaned_at', 'bigint')
    .execute();
  await db.schema.createIndex('files_message').on('files').column('message_id').execute();
  await db.schema.createIndex('files_orphaned').on('files').column('orphaned_at').execute();

  // Upload tokens (§11.2): single use, 10 minutes, bound to a filename and a length; stored hashed.
  await db.schema
    .createTable('file_upload_tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('product_token_hash', 'text', (c) => c.notNull())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('workspace_users.id'))
    .addColumn('app_id', 'text')
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('length', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('file_upload_tokens_expires').on('file_upload_tokens').column('expires_at').execute();

  await db.schema.alterTable('messages').addColumn('files', 'text').execute();
}
