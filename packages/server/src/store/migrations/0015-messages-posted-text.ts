/**
 * Migration 0015_messages_posted_text: the text of a message exactly as an integration posted it,
 * in the sender's own markup, kept beside Switchboard's converted `text` when the two differ (null
 * otherwise). Rocket.Chat clients read `msg` back and compare it with what they sent; the
 * conversion to Switchboard markup cannot always be undone (`<https://x>`, a mention's label).
 *
 * Frozen: this file is history. It ran on databases that exist; never change what it does — write a
 * new migration instead. It is written against Kysely<any> and imports nothing but 'kysely'.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('messages').addColumn('posted_text', 'text').execute();
}
