/**
 * Migration 0018_message_search: one full-text index of message text (issue #14 item 5; docs/pumble-api.md
 * §11.2 `POST /v1/messages/search`, docs/api-keys.md §5.3 `searchMessages`), kept by the database
 * itself in the transaction that writes the message — posts, edits, soft deletes and hard deletes —
 * so that no write path of the application has to remember it. Existing messages are indexed here.
 *
 * SQLite: an FTS5 table without its own copy of the text (`content=''`). Its rowid is `doc` of
 * `message_search_docs`, an INTEGER PRIMARY KEY (stable across VACUUM, unlike the implicit rowid of
 * `messages`, whose key is text), which also holds the columns search filters on, so that counting
 * and filtering the matches never reads the (wide) message rows. Triggers keep both: a message is
 * indexed while `deleted = 0`; an edit replaces its text in the index; a soft delete or a hard
 * delete removes it (the FTS5 'delete' command needs the text that was indexed: `old.text`).
 *
 * PostgreSQL: a generated stored `tsvector` column of `messages` (NULL once the message is deleted),
 * with a GIN index. PostgreSQL computes it in every INSERT and UPDATE, and filling it for the
 * existing rows is the backfill.
 *
 * Both engines tokenize alike, without stemming: words are runs of letters and digits, folded to
 * lower case (FTS5 `unicode61` with `remove_diacritics 0`; PostgreSQL's `simple` configuration on the
 * text with its ASCII punctuation made spaces), so
 * that one query finds the same messages on either engine. Diacritics are kept (`café` ≠ `cafe`):
 * folding them on PostgreSQL needs the `unaccent` extension, which cannot be assumed.
 *
 * Frozen: this file is history. It ran on databases that exist; never change what it does — write a
 * new migration instead. It is written against Kysely<any> and imports nothing but 'kysely'.
 */
import { sql, SqliteAdapter, type Kysely } from 'kysely';

/** SQLite or PostgreSQL, from the dialect's adapter (a probing query would abort a PostgreSQL transaction). */
function isSqlite(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof SqliteAdapter;
}

export async function up(db: Kysely<any>): Promise<void> {
  if (isSqlite(db)) await upSqlite(db);
  else await upPostgres(db);
}

async function upSqlite(db: Kysely<any>): Promise<void> {
  await sql`create table message_search_docs (
    doc integer primary key,
    message_id text not null unique,
    channel_id text not null,
    author_id text not null,
    created_at bigint not null
  )`.execute(db);
  await sql`create virtual table message_search using fts5(text, content='', tokenize='unicode61 remove_diacritics 0')`.execute(db);

  // Backfill, in message order: the existing messages that are not deleted.
  await sql`insert into message_search_docs (message_id, channel_id, author_id, created_at)
    select id, channel_id, author_id, created_at from messages where deleted = 0 order by id`.execute(db);
  await sql`insert into message_search (rowid, text)
    select d.doc, m.text from message_search_docs d join messages m on m.id = d.message_id`.execute(db);

  // Inside a trigger, last_insert_rowid() is the rowid the trigger's own last INSERT made (the doc).
  await sql`create trigger message_search_insert after insert on messages when new.deleted = 0 begin
    insert into message_search_docs (message_id, channel_id, author_id, created_at) values (new.id, new.channel_id, new.author_id, new.created_at);
    insert into message_search (rowid, text) values (last_insert_rowid(), new.text);
  end`.execute(db);
  await sql`create trigger message_search_edit after update of text on messages when old.deleted = 0 and new.deleted = 0 and old.text is not new.text begin
    insert into message_search (message_search, rowid, text) select 'delete', doc, old.text from message_search_docs where message_id = old.id;
    insert into message_search (rowid, text) select doc, new.text from message_search_docs where message_id = new.id;
  end`.execute(db);
  await sql`create trigger message_search_soft_delete after update of deleted on messages when old.deleted = 0 and new.deleted <> 0 begin
    insert into message_search (message_search, rowid, text) select 'delete', doc, old.text from message_search_docs where message_id = old.id;
    delete from message_search_docs where message_id = old.id;
  end`.execute(db);
  await sql`create trigger message_search_restore after update of deleted on messages when old.deleted <> 0 and new.deleted = 0 begin
    insert into message_search_docs (message_id, channel_id, author_id, created_at) values (new.id, new.channel_id, new.author_id, new.created_at);
    insert into message_search (rowid, text) values (last_insert_rowid(), new.text);
  end`.execute(db);
  await sql`create trigger message_search_hard_delete after delete on messages when old.deleted = 0 begin
    insert into message_search (message_search, rowid, text) select 'delete', doc, old.text from message_search_docs where message_id = old.id;
    delete from message_search_docs where message_id = old.id;
  end`.execute(db);
}

/**
 * ASCII punctuation and symbols, each turned into a space before PostgreSQL's parser reads the text:
 * its `simple` configuration keeps `v2.1`, `x@y.com`, `a.io/b` or `3.14` as one lexeme (and
 * `e-mail` as three), where FTS5's `unicode61` sees the words `v2 1`, `x y com`… — so the two engines
 * would find different messages. `translate` is immutable, as a generated column needs.
 */
const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

async function upPostgres(db: Kysely<any>): Promise<void> {
  const punctuation = sql.raw(`'${PUNCTUATION.replace(/'/g, "''")}'`);
  const spaces = sql.raw(`'${' '.repeat(PUNCTUATION.length)}'`);
  // Adding a stored generated column rewrites the table once: that is the backfill.
  await sql`alter table messages add column search_vector tsvector
    generated always as (case when deleted = 0 then to_tsvector('simple'::regconfig, translate(text, ${punctuation}, ${spaces})) end) stored`.execute(db);
  await sql`create index messages_search on messages using gin (search_vector)`.execute(db);
}
