/**
 * Migration 0029_search_deferred: a posted message waits for the full-text index instead of being
 * indexed in its own transaction. Indexing there (0018's trigger) was a quarter of what posting cost
 * on SQLite: FTS5 tokenizes the text, writes a row of its own, and at every COMMIT writes its pending
 * terms out as a new segment — one per batch of posts, merged again later. Now the trigger only notes
 * the message's doc in `message_search_pending` (one small row); the server indexes what waits in
 * large batches (workers/search-indexer.ts), and a search first indexes whatever still waits
 * (domain/search.ts), so a message is found as soon as its post is answered, as before.
 *
 * The docs (`message_search_docs`) are still written by the trigger, in the message's transaction:
 * their numbering in write order is what search reads pages by (store/search-store.ts). Only the
 * FTS5 row waits. So an edit, a delete or a restore of a message whose doc waits must not touch
 * FTS5 (the 'delete' command with text that was never indexed would corrupt a contentless index):
 * the triggers below act on FTS5 only for docs that do not wait, and a delete takes the doc out of
 * the waiting list with the doc itself. The indexer reads the text from `messages` when it runs,
 * so an edit made while waiting is what gets indexed.
 *
 * SQLite only: PostgreSQL's generated tsvector column costs no segment per commit and stays as it is.
 *
 * Frozen: this file is history. It ran on databases that exist; never change what it does — write a
 * new migration instead. It is written against Kysely<any> and imports nothing but 'kysely'.
 */
import { sql, SqliteAdapter, type Kysely } from 'kysely';

/** FTS5 rows of the message's doc, for docs that were indexed (not waiting). */
const INDEXED_DOC = (message: 'old' | 'new') =>
  sql.raw(`select d.doc from message_search_docs d where d.message_id = ${message}.id and not exists (select 1 from message_search_pending p where p.doc = d.doc)`);

export async function up(db: Kysely<any>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof SqliteAdapter)) return;
  await sql`create table message_search_pending (doc integer primary key)`.execute(db);
  for (const name of ['message_search_insert', 'message_search_edit', 'message_search_soft_delete', 'message_search_restore', 'message_search_hard_delete']) {
    await sql`drop trigger ${sql.raw(name)}`.execute(db);
  }
  // Inside a trigger, last_insert_rowid() is the rowid the trigger's own last INSERT made (the doc).
  await sql`create trigger message_search_insert after insert on messages when new.deleted = 0 begin
    insert into message_search_docs (message_id, channel_id, author_id, created_at) values (new.id, new.channel_id, new.author_id, new.created_at);
    insert into message_search_pending (doc) values (last_insert_rowid());
  end`.execute(db);
  await sql`create trigger message_search_edit after update of text on messages when old.deleted = 0 and new.deleted = 0 and old.text is not new.text begin
    insert into message_search (message_search, rowid, text) select 'delete', doc, old.text from (${INDEXED_DOC('old')});
    insert into message_search (rowid, text) select doc, new.text from (${INDEXED_DOC('new')});
  end`.execute(db);
  await sql`create trigger message_search_soft_delete after update of deleted on messages when old.deleted = 0 and new.deleted <> 0 begin
    insert into message_search (message_search, rowid, text) select 'delete', doc, old.text from (${INDEXED_DOC('old')});
    delete from message_search_pending where doc in (select doc from message_search_docs where message_id = old.id);
    delete from message_search_docs where message_id = old.id;
  end`.execute(db);
  await sql`create trigger message_search_restore after update of deleted on messages when old.deleted <> 0 and new.deleted = 0 begin
    insert into message_search_docs (message_id, channel_id, author_id, created_at) values (new.id, new.channel_id, new.author_id, new.created_at);
    insert into message_search_pending (doc) values (last_insert_rowid());
  end`.execute(db);
  await sql`create trigger message_search_hard_delete after delete on messages when old.deleted = 0 begin
    insert into message_search (message_search, rowid, text) select 'delete', doc, old.text from (${INDEXED_DOC('old')});
    delete from message_search_pending where doc in (select doc from message_search_docs where message_id = old.id);
    delete from message_search_docs where message_id = old.id;
  end`.execute(db);
}
