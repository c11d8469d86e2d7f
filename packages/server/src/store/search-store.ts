/**
 * SQL of message search (domain/ports/search.ts) on the full-text index of migration 0018: FTS5 on
 * SQLite (`message_search`, whose rowids are the `doc`s of `message_search_docs`), a generated
 * `tsvector` column with a GIN index on PostgreSQL. PostgreSQL keeps the index in the message's own
 * transaction (a generated column). On SQLite a written message's doc waits in
 * `message_search_pending` (migration 0029) until `indexWaiting` indexes it, in large batches; the
 * only writes here.
 *
 * A search reads the page of matching ids with the number of matches, then those messages (their
 * wide rows are read for the page alone). On PostgreSQL, and on SQLite for best-match-first, the
 * first read is one pass: `count(*) over ()`. The newest- and oldest-first pages on SQLite — what
 * almost every search asks for — avoid sorting every match; see `sqliteByTime`. Channel and author
 * lists are bound as ONE parameter (a JSON array on SQLite, a text[] on PostgreSQL), so that a
 * person who can read thousands of channels stays far below either engine's parameter limit and the
 * statement text stays the same (SQLite's statement cache).
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

/**
 * `sqliteByTime` reads the doc rows of a range in id order when there are at most this many per
 * match (plus the slack) — a doc row of the range costs a step in an index (twice) and a probe of a
 * Bloom filter, a fraction of what sorting a match costs — else it sorts the matches.
 */
const RANGE_PER_MATCH = 4;
const RANGE_SLACK = 1000;
/** Deeper pages (offset + limit past this) sort the matches: twice as many candidates would be many rows. */
const MAX_CANDIDATE_PAGE = 1000;

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

  async unindexed(): Promise<number> {
    if (this.engine !== 'sqlite') return 0;
    const r = await sql<{ n: number }>`select count(*) as n from message_search_pending`.execute(this.db);
    return Number(r.rows[0]?.n ?? 0);
  }

  /**
   * Indexes the oldest `limit` waiting docs with the text their messages have now (an edit made
   * while waiting included): one FTS5 insert of them all, one segment at the commit. Only inside a
   * transaction: a doc taken off the list and not yet in FTS5 when another commit edits or deletes
   * its message would have that commit's trigger delete text FTS5 never held.
   */
  async indexWaiting(limit: number): Promise<number> {
    if (this.engine !== 'sqlite') return 0;
    if (!this.db.isTransaction) throw new Error('SearchStore.indexWaiting runs inside a transaction');
    const taken = await sql<{ doc: number }>`delete from message_search_pending
      where doc in (select doc from message_search_pending order by doc limit ${limit}) returning doc`.execute(this.db);
    if (taken.rows.length === 0) return 0;
    await sql`insert into message_search (rowid, text)
      select d.doc, m.text from message_search_docs d join messages m on m.id = d.message_id
      where d.doc in (select value from json_each(${JSON.stringify(taken.rows.map((r) => r.doc))}))`.execute(this.db);
    return taken.rows.length;
  }

  async searchMessages(q: MessageSearchSpec): Promise<{ messages: Message[]; total: number }> {
    if (q.channelIds.length === 0 || q.authorIds?.length === 0) return { messages: [], total: 0 };
    if (this.engine === 'sqlite' && q.terms.length > 0 && q.order !== 'relevance') return this.sqliteByTime(q);
    const { from, order } = q.terms.length === 0 ? this.filtersOnly(q) : this.engine === 'sqlite' ? this.sqliteText(q) : this.postgresText(q);
    const page = await sql<{ id: string; total: number | string }>`select ${from.id} as id, count(*) over () as total ${from.body} order by ${order} limit ${q.limit} offset ${q.offset}`.execute(this.db);
    let total = page.rows.length > 0 ? Number(page.rows[0]!.total) : 0;
    // Past the last match the page is empty and carries no count: count alone.
    if (page.rows.length === 0 && q.offset > 0) {
      const counted = await sql<{ n: number | string }>`select count(*) as n ${from.body}`.execute(this.db);
      total = Number(counted.rows[0]?.n ?? 0);
    }
    return { messages: await this.messages(page.rows.map((r) => r.id)), total };
  }

  /** The page's messages in the page's order. */
  private async messages(ids: readonly string[]): Promise<Message[]> {
    const byId = new Map((await this.load(ids)).map((m) => [m.id, m]));
    // A message deleted between the two reads is left out of the page (the total stays as counted).
    return ids.map((id) => byId.get(id)).filter((m): m is Message => m !== undefined && !m.deleted);
  }

  /**
   * Words, newest or oldest first, on SQLite. Sorting every match by message id (as the one pass
   * with `count(*) over ()` must) costs a doc row read at random and a place in the sorter per
   * match — thousands for a common word — where the page needs 20. Instead (newest first; oldest
   * first is the mirror image):
   *
   * 1. The total (`sqliteCount`).
   * 2. Candidates (`fromCandidates`): FTS5 walks its matches in rowid (doc) order, newest doc
   *    first, and stops after 2 × (offset + limit) that pass the filters. Docs are numbered as
   *    messages are written, so that is nearly id order — but not exactly (posts that overtake
   *    each other, a restored message). It need not be: the candidates are offset + limit matching
   *    messages or more, so every message of the page has an id at or past the bound, the
   *    (offset + limit)-th best id among them. `reach` is the oldest doc of the doc rows with such
   *    ids (read in the unique index of `message_search_docs.message_id`). When the oldest
   *    candidate is no newer than `reach` — FTS5 walked past every match from `reach` on — each
   *    match of the range is a candidate, and the page is the candidates' best.
   * 3. Else (`rangedPage`): the doc rows of that range in id order, each kept if FTS5 matched it
   *    (FTS5 lists its matches from `reach` on) and it passes the filters.
   *
   * Both read about as many index entries as docs were written since the bound: few for a common
   * word. When that would be many (a word used often, but long ago), for the last, short page and
   * for deep pages, the matches are sorted as before (`sortedPage`).
   */
  private async sqliteByTime(q: MessageSearchSpec): Promise<{ messages: Message[]; total: number }> {
    const match = fts5Query(q.terms);
    const total = await this.sqliteCount(q, match);
    if (total <= q.offset) return { messages: [], total };
    const wanted = q.offset + q.limit;
    const ids = (total >= wanted && wanted <= MAX_CANDIDATE_PAGE ? await this.fromCandidates(q, match, total) : undefined) ?? (await this.sortedPage(q, match));
    return { messages: await this.messages(ids), total };
  }

  /** Step 2 of `sqliteByTime` (and 3 when needed); undefined: sort instead. */
  private async fromCandidates(q: MessageSearchSpec, match: string, total: number): Promise<string[] | undefined> {
    const newest = q.order === 'newest';
    const dir = newest ? sql`desc` : sql`asc`;
    const wanted = q.offset + q.limit;
    const taken = 2 * wanted;
    // How many doc rows the range may hold (about: docs are nearly in id order) for reading them to
    // beat sorting the matches; past that, `reach` is not looked for.
    const steps = RANGE_PER_MATCH * total + RANGE_SLACK;
    const found = await sql<{ id: string; doc: number; reach: number | null }>`with candidates as materialized (
        select d.doc, d.message_id from message_search join message_search_docs d on d.doc = message_search.rowid
        where message_search match ${match} and ${this.docFilters(q)}
        order by message_search.rowid ${dir} limit ${taken}),
      bound as (select message_id, doc from candidates order by message_id ${dir} limit 1 offset ${wanted - 1})
      select c.message_id as id, c.doc,
        case when abs((select ${newest ? sql`max(doc)` : sql`min(doc)`} from message_search_docs) - (select doc from bound)) <= ${steps}
          then ${
            newest
              ? sql`(select min(doc + 0) from message_search_docs where message_id >= (select message_id from bound))`
              : sql`(select max(doc + 0) from message_search_docs where message_id <= (select message_id from bound))`
          } end as reach
      from candidates c order by c.message_id ${dir}`.execute(this.db);
    const rows = found.rows;
    // Fewer than counted: messages deleted in between.
    if (rows.length < wanted) return undefined;
    const page = rows.slice(q.offset, wanted).map((r) => r.id);
    // Every match that passes the filters is a candidate.
    if (rows.length < taken) return page;
    const reach = rows[0]!.reach;
    if (reach === null) return undefined;
    const farthest = rows.reduce((far, r) => (newest ? Math.min(far, r.doc) : Math.max(far, r.doc)), rows[0]!.doc);
    // The farthest candidate lies at or beyond `reach`: FTS5 walked past every match of the range.
    if (newest ? reach >= farthest : reach <= farthest) return page;
    return this.rangedPage(q, match, rows[wanted - 1]!.id, reach);
  }

  /**
   * The page among the doc rows from `bound` on (ids at or after it for `newest`, at or before it
   * for `oldest`), whose docs lie from `reach` on. FTS5 gathers only its matches from `reach` on.
   * `+d.doc`: SQLite must walk the id index, not look the matches' docs up one by one.
   */
  private async rangedPage(q: MessageSearchSpec, match: string, bound: string, reach: number): Promise<string[]> {
    const newest = q.order === 'newest';
    const page = await sql<{ id: string }>`select d.message_id as id from message_search_docs d
      where d.message_id ${newest ? sql`>=` : sql`<=`} ${bound}
      and +d.doc in (select rowid from message_search where message_search match ${match} and rowid ${newest ? sql`>=` : sql`<=`} ${reach})
      and ${this.docFilters(q)}
      order by ${this.byId(sql.ref('d.message_id'), q)} limit ${q.limit} offset ${q.offset}`.execute(this.db);
    return page.rows.map((r) => r.id);
  }

  /** The page of all the matches sorted by id. */
  private async sortedPage(q: MessageSearchSpec, match: string): Promise<string[]> {
    const page = await sql<{ id: string }>`select d.message_id as id from message_search join message_search_docs d on d.doc = message_search.rowid
      where message_search match ${match} and ${this.docFilters(q)}
      order by ${this.byId(sql.ref('d.message_id'), q)} limit ${q.limit} offset ${q.offset}`.execute(this.db);
    return page.rows.map((r) => r.id);
  }

  /**
   * How many match, on SQLite. When the only filter is the channel list, it may leave out no
   * channel that has messages — one workspace whose reader sees all of it: then every match of the
   * index counts, and FTS5 counts them alone. That is found by walking the distinct channel ids
   * of `messages` (its history index, one seek each, deleted messages included: it errs towards
   * filtering) until one that is not in the list: at most one step more than the list is long.
   */
  private async sqliteCount(q: MessageSearchSpec, match: string): Promise<number> {
    const filtered = sql`select count(*) as n from message_search join message_search_docs d on d.doc = message_search.rowid
      where message_search match ${match} and ${this.docFilters(q)}`;
    const onlyChannels = q.authorIds === undefined && q.beforeTs === undefined && q.afterTs === undefined;
    const counted = onlyChannels
      ? await sql<{ n: number }>`with recursive listed(id) as (select value from json_each(${JSON.stringify(q.channelIds)})),
          walk(channel_id) as (
            select (select min(channel_id) from messages)
            union all
            select (select min(m.channel_id) from messages m where m.channel_id > walk.channel_id) from walk where walk.channel_id in listed)
        select case when exists (select 1 from walk where channel_id not in listed)
          then (${filtered})
          else (select count(*) from message_search where message_search match ${match}) end as n`.execute(this.db)
      : await sql<{ n: number }>`${filtered}`.execute(this.db);
    return Number(counted.rows[0]?.n ?? 0);
  }

  /** The filters on a `message_search_docs d` row. */
  private docFilters(q: MessageSearchSpec): RawBuilder<unknown> {
    return this.filters(sql.ref('d.channel_id'), sql.ref('d.author_id'), sql.ref('d.created_at'), q);
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
