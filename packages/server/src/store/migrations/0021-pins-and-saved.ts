/**
 * Migration 0021_pins_and_saved: pinned messages and saved messages (docs/web-client.md §6.1, "pin a
 * message to the channel … save messages for yourself").
 *
 * `message_pins`: a message pinned to its channel, who pinned it and when; one pin per message.
 * `saved_messages`: a person's own bookmark of a message, when they saved it; private to them.
 *
 * Both hang off their message with ON DELETE CASCADE, so a channel's hard delete (which deletes its
 * messages) takes them along. A message's soft delete removes them in the deletion's own transaction
 * (domain/cascades.ts), since the tombstone row stays. `channel_id` is kept beside the message id so
 * that a channel's pins, and a person's saves in channels they may still see, are read without a join
 * on `messages` first.
 *
 * Frozen: this file is history. It ran on databases that exist; never change what it does — write a
 * new migration instead. It is written against Kysely<any> and imports nothing but 'kysely'.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('message_pins')
    .addColumn('message_id', 'text', (c) => c.primaryKey().references('messages.id').onDelete('cascade'))
    .addColumn('channel_id', 'text', (c) => c.notNull().references('channels.id').onDelete('cascade'))
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('pinned_by', 'text', (c) => c.notNull().references('workspace_users.id'))
    .addColumn('pinned_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('message_pins_channel').on('message_pins').columns(['channel_id', 'pinned_at']).execute();

  await db.schema
    .createTable('saved_messages')
    .addColumn('user_id', 'text', (c) => c.notNull().references('workspace_users.id'))
    .addColumn('message_id', 'text', (c) => c.notNull().references('messages.id').onDelete('cascade'))
    .addColumn('channel_id', 'text', (c) => c.notNull().references('channels.id').onDelete('cascade'))
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('saved_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('saved_messages_pk', ['user_id', 'message_id'])
    .execute();
  // The Saved view: newest first, walking back from a cursor; a channel's saved ids for the client.
  await db.schema.createIndex('saved_messages_user_time').on('saved_messages').columns(['user_id', 'saved_at', 'message_id']).execute();
  await db.schema.createIndex('saved_messages_user_channel').on('saved_messages').columns(['user_id', 'channel_id']).execute();
  // The message's deletion removes every person's save of it.
  await db.schema.createIndex('saved_messages_message').on('saved_messages').column('message_id').execute();
}
