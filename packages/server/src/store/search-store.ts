/**
 * SQL of message search (domain/ports/search.ts) on the full-text index of migration 0018: FTS5 on
 * SQLite (`message_search`, whose rowids are the `doc`s of `message_search_docs`), a generated
 * `tsvector` column with a GIN index on PostgreSQL. The database keeps the index in the message's
 * own transaction (triggers, a generated column), so nothing here writes.
 *
 * A search is two reads: the page of matching ids with the number of matches (one pass:
 * `count(*) over ()`), then those messages. On SQLite the first read touches only the index and the
 * narrow `message_search_docs` rows, however many messages match; the wide message rows are read for
 * the page alone. Channel and author lists are bound as ONE parameter (a JSON array on SQLite, a
 * text[] on PostgreSQL), so that a person who can read thousands of channels stays far below either
 * engine's parameter limit and the statement text stays the same (SQLite's statement cache).
 */
import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { Engine } from './engine.js';
import type { Message } from '../domain/model.js';
import type { MessageSearchSpec, SearchStorage, SearchTerm } from '../domain/ports/search.js';

/**
 * FTS5's query syntax: each term a quoted string (a phrase; tokens are letters and digits only, so
 * nothing in them needs escaping), `*` after the string for a prefix, all of them ANDed.
 */
export function fts5Query(terms: readonly SearchTerm[]): string {
  return terms.map((t) => `"${t.tokens.join(' ')}"${t.prefix ? '*' : ''}`).join(' AND ');
}

/**
 * PostgreSQL's tsquery syntax: each token quoted as a lexeme, the tokens of a phrase joined by
 * `<->` (followed by), `:*` on the last one for a prefix, the terms joined by `&`.
 */
export function tsQuery(terms: readonly SearchTerm[]): string {
  return terms
    .map((t) => {
      const lexemes = t.tokens.map((tok, i) => `'${tok}'${t.prefix && i === t.tokens.length - 1 ? ':*' : ''}`);
      return lexemes.length === 1 ? lexemes[0]! : `(${lexemes.join(' <-> ')})`;
    })
    .join(' & ');
}

const EMPTY = sql``;

export class SearchStore implements SearchStorage {
  private readonly db: Kysely<any> | Transaction<any>;

  constructor(
    db: Kysely<any> | Transaction<any>,
    readonly engine: Engine,
    /** the messages with these ids (any order): the chat store's own mapping, reactions included */
    private readonly load: (ids: readonly string[]) => Promise<Message[]>,
  ) {
    this.db = db;
  }

  async searchMessages(q: MessageSearchSpec): Promise<{ messages: Message[]; total: number }> {
    if (q.channelIds.length === 0 || q.authorIds?.length === 0) return { messages: [], total: 0 };
    const { from, order } = q.terms.length === 0 ? this.filtersOnly(q) : this.engine === 'sqlite' ? this.sqliteText(q) : this.postgresText(q);
    const page = await sql<{ id: string; total: number | string }>`select ${from.id} as id, count(*) over () as total ${from.body} order by ${order} limit ${q.limit} offset ${q.offset}`.execute(this.db);
    let total = page.rows.length > 0 ? Number(page.rows[0]!.total) : 0;
    // Past the last match the page is empty and carries no count: count alone.
    if (page.rows.length === 0 && q.offset > 0) {
      const counted = await sql<{ n: number | string }>`select count(*) as n ${from.body}`.execute(this.db);
      total = Number(counted.rows[0]?.n ?? 0);
    }
    const ids = page.rows.map((r) => r.id);
    const byId = new Map((await this.load(ids)).map((m) => [m.id, m]));
    // A message deleted between the two reads is left out of the page (the total stays as counted).
    const messages = ids.map((id) => byId.get(id)).filter((m): m is Message => m !== undefined && !m.deleted);
    return { messages, total };
  }

  /** `column IN (the list)`, the list bound as one parameter. */
  private inList(column: RawBuilder<unknown>, values: readonly string[]): RawBuilder<unknown> {
    return this.engine === 'sqlite'
      ? sql`${column} in (select value from json_each(${JSON.stringify(values)}))`
      : sql`${column} = any(${values as string[]}::text[])`;
  }

  /** The conditions every search has besides the text: channels, authors, time range. */
  private filters(channel: RawBuilder<unknown>, author: RawBuilder<unknown>, created: RawBuilder<unknown>, q: MessageSearchSpec): RawBuilder<unknown> {
    return sql`${this.inList(channel, q.channelIds)}
      ${q.authorIds ? sql`and ${this.inList(author, q.authorIds)}` : EMPTY}
      ${q.beforeTs !== undefined ? sql`and ${created} < ${q.beforeTs}` : EMPTY}
      ${q.afterTs !== undefined ? sql`and ${created} > ${q.afterTs}` : EMPTY}`;
  }

  private byId(column: RawBuilder<unknown>, q: MessageSearchSpec): RawBuilder<unknown> {
    return q.order === 'oldest' ? sql`${column} asc` : sql`${column} desc`;
  }

  /** No words: the messages of the channels, by the filters (the channel history indexes serve it). */
  private filtersOnly(q: MessageSearchSpec) {
    const body = sql`from messages m where m.deleted = 0 and ${this.filters(sql.ref('m.channel_id'), sql.ref('m.author_id'), sql.ref('m.created_at'), q)}`;
    return { from: { id: sql.ref('m.id'), body }, order: this.byId(sql.ref('m.id'), q) };
  }

  /** FTS5 finds the docs; their own columns filter them; bm25 (FTS5's `rank`) orders by relevance. */
  private sqliteText(q: MessageSearchSpec) {
    const body = sql`from message_search join message_search_docs d on d.doc = message_search.rowid
      where message_search match ${fts5Query(q.terms)}
      and ${this.filters(sql.ref('d.channel_id'), sql.ref('d.author_id'), sql.ref('d.created_at'), q)}`;
    const id = sql.ref('d.message_id');
    // rank: bm25, lower is better.
    const order = q.order === 'relevance' ? sql`message_search.rank, d.message_id desc` : this.byId(id, q);
    return { from: { id, body }, order };
  }

  /** The GIN index finds the rows; ts_rank orders by relevance. Deleted rows have no vector. */
  private postgresText(q: MessageSearchSpec) {
    const body = sql`from messages m, to_tsquery('simple'::regconfig, ${tsQuery(q.terms)}) as query
      where m.search_vector @@ query
      and ${this.filters(sql.ref('m.channel_id'), sql.ref('m.author_id'), sql.ref('m.created_at'), q)}`;
    const order = q.order === 'relevance' ? sql`ts_rank(m.search_vector, query) desc, m.id desc` : this.byId(sql.ref('m.id'), q);
    return { from: { id: sql.ref('m.id'), body }, order };
  }
}
