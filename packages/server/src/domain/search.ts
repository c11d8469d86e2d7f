/**
 * Message search (issue #14 item 5): `POST /v1/messages/search` (docs/pumble-api.md §11.2), the API
 * addon's `searchMessages` (docs/api-keys.md §5.3) and the web client's search box
 * (docs/web-client.md §6.6) all come here. This module decides everything about a search — what the
 * text asks for (words, "phrases", prefixes*, and the `in:` `from:` `before:` `after:` `on:`
 * filters), which channels the caller may read, how the JSON filters combine with those in the
 * text, the order and the page — and hands the store one typed query (domain/ports/search.ts),
 * which it runs on the full-text index of migration 0018.
 */
import { unitOfWork, type CoreContext } from './context.js';
import { invalid } from './errors.js';
import { isId } from './ids.js';
import type { Channel, Message, User } from './model.js';
import type { SearchOrder, SearchTerm } from './ports/search.js';

export type { SearchTerm } from './ports/search.js';

/** §11.2 notes: the strategies of the reference. */
export const SEARCH_STRATEGIES = ['MOST_RELEVANT', 'MOST_RECENT', 'NEWEST', 'OLDEST'] as const;
export type SearchStrategy = (typeof SEARCH_STRATEGIES)[number];

/** The longest search text (docs/api-keys.md §5.3: `text` ≤ 1000). */
export const MAX_SEARCH_TEXT = 1000;
/** At most this many words and phrases in one text: each is one more index lookup. */
export const MAX_SEARCH_TERMS = 20;
/** docs/api-keys.md §5.3: default 20, at most 100 (/v1 narrows it to 20, §11.2). */
export const MAX_SEARCH_PAGE = 100;
export const DEFAULT_SEARCH_PAGE = 20;

export interface SearchRequest {
  /** words, "phrases", prefix*, and in: from: before: after: on: filters */
  text?: string;
  /** author user ids */
  from?: string[];
  /** channel ids or names (with or without #) */
  in?: string[];
  /** default: newest first (MOST_RECENT); MOST_RELEVANT: best match first, then newest */
  strategy?: SearchStrategy;
  /** created strictly before / after (epoch ms) — milliseconds, not seconds (docs/api-keys.md §10) */
  beforeTs?: number;
  afterTs?: number;
  /** YYYY-MM-DD days, as `before:` and `after:` in the text (the Pumble SDK's deprecated `before`/`after`) */
  before?: string;
  after?: string;
  /** only the channels the actor is a member of, not every public one (the SDK's `fromMyChannelsOnly`) */
  myChannelsOnly?: boolean;
  offset?: number;
  limit?: number;
}

export interface SearchResult {
  messages: Message[];
  total: number;
  hasMore: boolean;
  /** the text's words and phrases, for highlighting what matched (matchRanges) */
  terms: SearchTerm[];
}

// ---- the query language -----------------------------------------------------------------------------

/**
 * The unit both engines index (migration 0018): runs of letters and digits, in lower case. Anything
 * else — punctuation, symbols, combining marks — separates words, as FTS5's `unicode61` does.
 */
export function tokens(text: string): string[] {
  return text.normalize('NFC').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

const FILTERS = ['in', 'from', 'before', 'after', 'on'] as const;
type FilterKey = (typeof FILTERS)[number];
const FILTER_PREFIX = /^(in|from|before|after|on):/i;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export interface ParsedSearchText {
  /** every one must match */
  terms: SearchTerm[];
  /** `in:` values, without a leading `#` */
  channels: string[];
  /** `from:` values, without a leading `@` */
  people: string[];
  /** the last `before:` / `after:` / `on:` date of the text (YYYY-MM-DD, checked) */
  before?: string;
  after?: string;
  on?: string;
  /** the text held words or phrases, even if none of them had a letter or digit (`%%%`) */
  askedForWords: boolean;
}

/**
 * Reads a search text: words (all required), `"exact phrases"`, `prefix*` (also `"a phra"*`),
 * and the filters `in:#channel` `from:@person` `before:YYYY-MM-DD` `after:YYYY-MM-DD` `on:YYYY-MM-DD`
 * (keys case-insensitive; a value may be quoted: `in:"team room"`). Unknown `key:value` is text.
 * A filter without a value, or a date that is not a real YYYY-MM-DD day, is refused (field `text`).
 */
export function parseSearchText(text: string): ParsedSearchText {
  const out: ParsedSearchText = { terms: [], channels: [], people: [], askedForWords: false };
  let i = 0;
  /** A quoted run from the opening quote at i: its body, and where reading goes on. */
  const quoted = (at: number) => {
    const end = text.indexOf('"', at + 1);
    return end < 0 ? { body: text.slice(at + 1), next: text.length } : { body: text.slice(at + 1, end), next: end + 1 };
  };
  const untilSpace = (at: number) => {
    let end = at;
    while (end < text.length && !/\s/.test(text[end]!)) end++;
    return { body: text.slice(at, end), next: end };
  };
  const addTerm = (words: string, prefix: boolean) => {
    out.askedForWords = true;
    const toks = tokens(words);
    if (toks.length === 0) return;
    out.terms.push({ tokens: toks, prefix });
    if (out.terms.length > MAX_SEARCH_TERMS) throw invalid('text', `at most ${MAX_SEARCH_TERMS} words and phrases`);
  };

  while (i < text.length) {
    if (/\s/.test(text[i]!)) {
      i++;
      continue;
    }
    if (text[i] === '"') {
      const { body, next } = quoted(i);
      const prefix = text[next] === '*';
      addTerm(body, prefix);
      i = prefix ? next + 1 : next;
      continue;
    }
    const filter = FILTER_PREFIX.exec(text.slice(i, i + 8));
    if (filter) {
      const key = filter[1]!.toLowerCase() as FilterKey;
      const at = i + filter[0].length;
      const { body, next } = text[at] === '"' ? quoted(at) : untilSpace(at);
      i = next;
      addFilter(out, key, body.trim());
      continue;
    }
    const { body, next } = untilSpace(i);
    i = next;
    addTerm(body, body.endsWith('*'));
  }
  return out;
}

function addFilter(out: ParsedSearchText, key: FilterKey, value: string): void {
  if (key === 'in' || key === 'from') {
    const name = key === 'in' ? value.replace(/^#/, '') : value.replace(/^@/, '');
    if (!name) throw invalid('text', `${key}: needs a ${key === 'in' ? 'channel' : 'person'}`);
    (key === 'in' ? out.channels : out.people).push(name);
    return;
  }
  if (!isDate(value)) throw invalid('text', `${key}: must be a date, YYYY-MM-DD (got "${value}")`);
  out[key] = value;
}

/** A real calendar day written YYYY-MM-DD (2026-02-30 is not). */
export function isDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

/**
 * When the day `date` (YYYY-MM-DD) begins in `timeZone` (an IANA name; UTC when unknown), plus
 * `days`: dates in a search are the person's own days, as their client shows them.
 */
export function startOfDay(date: string, timeZone: string, days = 0): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d + days);
  // The zone's offset at that wall time; again at the instant found, in case a DST change lies between.
  let at = wall - zoneOffset(wall, timeZone);
  const second = wall - zoneOffset(at, timeZone);
  if (second !== at) at = second;
  return at;
}

/** How far `timeZone`'s wall clock is ahead of UTC at `at` (ms). */
function zoneOffset(at: number, timeZone: string): number {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-US', {
      timeZone: timeZone || 'UTC',
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    }).formatToParts(new Date(at));
  } catch {
    return 0; // not a zone Intl knows: UTC
  }
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wall = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'));
  return wall - (at - (((at % 1000) + 1000) % 1000));
}

/**
 * Where the terms match in `text` ([start, end) character ranges, in order, not overlapping): each
 * word of the text (tokens() as the index sees them) that equals a term's token, or begins its
 * prefix; a phrase only where its tokens follow each other. For highlighting results.
 */
export function matchRanges(text: string, terms: readonly SearchTerm[]): Array<[number, number]> {
  if (terms.length === 0) return [];
  const words: Array<{ word: string; start: number; end: number }> = [];
  for (const m of text.matchAll(/[\p{L}\p{N}]+/gu)) words.push({ word: m[0].normalize('NFC').toLowerCase(), start: m.index, end: m.index + m[0].length });
  const hit = new Array<boolean>(words.length).fill(false);
  for (const term of terms) {
    const n = term.tokens.length;
    for (let i = 0; i + n <= words.length; i++) {
      const all = term.tokens.every((tok, k) => (term.prefix && k === n - 1 ? words[i + k]!.word.startsWith(tok) : words[i + k]!.word === tok));
      if (all) for (let k = 0; k < n; k++) hit[i + k] = true;
    }
  }
  const ranges: Array<[number, number]> = [];
  words.forEach((w, i) => {
    if (!hit[i]) return;
    const last = ranges[ranges.length - 1];
    // Adjacent hit words of one phrase highlight as one run ("exact words").
    if (last && i > 0 && hit[i - 1] && /^\s*$/.test(text.slice(last[1], w.start))) last[1] = w.end;
    else ranges.push([w.start, w.end]);
  });
  return ranges;
}

// ---- the index ------------------------------------------------------------------------------------

/**
 * How many waiting messages one transaction indexes (SQLite, migration 0029): the FTS5 insert runs
 * on the event loop, so a batch is a few milliseconds at most; large enough that FTS5 writes one
 * segment for hundreds of messages instead of one per batch of posts.
 */
export const INDEX_BATCH = 256;

/**
 * Indexes up to `limit` messages that wait for the full-text index, in one transaction; how many.
 * Nothing waits on PostgreSQL (its index is a generated column). workers/search-indexer.ts calls
 * this soon after posts, and every search before it looks (MessageSearch.search).
 */
export async function indexWaitingMessages(ctx: Pick<CoreContext, 'store'>, limit = INDEX_BATCH): Promise<number> {
  return (await ctx.store.search.unindexed()) === 0 ? 0 : indexBatch(ctx, limit);
}

/** One transaction of indexing: up to `limit` of the waiting messages, oldest first; how many. */
function indexBatch(ctx: Pick<CoreContext, 'store'>, limit = INDEX_BATCH): Promise<number> {
  // Not awaited to the disk: the index and its waiting list commit together, so a power loss that
  // takes this commit back leaves those messages waiting again, not lost to search.
  return unitOfWork(ctx.store, (tx) => tx.search.indexWaiting(limit), { awaitDurable: false });
}

// ---- the search -----------------------------------------------------------------------------------

const ORDER: Record<SearchStrategy, SearchOrder> = {
  MOST_RELEVANT: 'relevance',
  MOST_RECENT: 'newest',
  NEWEST: 'newest',
  OLDEST: 'oldest',
};

export class MessageSearch {
  constructor(private readonly ctx: CoreContext) {}

  /**
   * The messages `actor` may read that match: PUBLIC channels (not for guests) and the channels they
   * belong to (docs/pumble-api.md §11.1 visibility; channels.ts), narrowed by `in` and `in:`, by
   * `from` and `from:`, and by the time range (the tighter of the JSON bound and the text's date).
   * Each filter given narrows; several values of one filter widen (`in:#a in:#b`: either channel).
   * A channel or person that cannot be found — or a channel the actor cannot read — matches nothing,
   * so the answer never tells a private channel's name from a made-up one.
   */
  async search(actor: User, q: SearchRequest): Promise<SearchResult> {
    const text = q.text ?? '';
    if (text.length > MAX_SEARCH_TEXT) throw invalid('text', `size must be between 0 and ${MAX_SEARCH_TEXT}`);
    for (const [field, date] of [['before', q.before], ['after', q.after]] as const) {
      if (date !== undefined && !isDate(date)) throw invalid(field, 'must be a date, YYYY-MM-DD');
    }
    const parsed = parseSearchText(text);
    const hasFilter = parsed.channels.length + parsed.people.length > 0 || parsed.before || parsed.after || parsed.on;
    if (!parsed.askedForWords && !hasFilter && !q.from?.length && !q.in?.length) throw invalid('text', 'one of text, from or in is required');
    const limit = Math.min(Math.max(q.limit ?? DEFAULT_SEARCH_PAGE, 1), MAX_SEARCH_PAGE);
    const offset = Math.max(q.offset ?? 0, 0);
    const none: SearchResult = { messages: [], total: 0, hasMore: false, terms: parsed.terms };
    // Words were asked for but none has a letter or digit ("%%%"): nothing can match them.
    if (parsed.askedForWords && parsed.terms.length === 0) return none;

    const { store } = this.ctx;
    const visible = await store.channelsVisibleTo(actor.workspaceId, actor.id, actor.role !== 'GUEST' && q.myChannelsOnly !== true);
    let channels = visible;
    if (q.in?.length) channels = pick(channels, q.in);
    if (parsed.channels.length) channels = pick(channels, parsed.channels);

    let authorIds: string[] | undefined = q.from?.length ? [...new Set(q.from)] : undefined;
    if (parsed.people.length) {
      const people = await this.people(actor, parsed.people);
      authorIds = authorIds ? authorIds.filter((id) => people.has(id)) : [...people];
    }

    const zone = actor.timeZone;
    const day = (date: string | undefined, days = 0) => (date === undefined ? undefined : startOfDay(date, zone, days));
    const befores = [q.beforeTs, day(q.before), day(parsed.before), day(parsed.on, 1)];
    // `after:D` is after the whole day D: from the next day on (an exclusive bound: one ms before it).
    const dayAfters = [day(q.after, 1), day(parsed.after, 1), day(parsed.on)].map((t) => (t === undefined ? undefined : t - 1));
    const afters = [q.afterTs, ...dayAfters];
    const beforeTs = tightest(befores, Math.min);
    const afterTs = tightest(afters, Math.max);
    if (beforeTs !== undefined && afterTs !== undefined && beforeTs <= afterTs + 1) return none;

    if (parsed.terms.length > 0) await this.indexWhatWaits();

    const order: SearchOrder = parsed.terms.length === 0 && q.strategy === 'MOST_RELEVANT' ? 'newest' : ORDER[q.strategy ?? 'MOST_RECENT'];
    const found = await store.search.searchMessages({
      terms: parsed.terms,
      channelIds: channels.map((c) => c.id),
      ...(authorIds && { authorIds }),
      ...(beforeTs !== undefined && { beforeTs }),
      ...(afterTs !== undefined && { afterTs }),
      order,
      offset,
      limit,
    });
    return { ...found, hasMore: offset + found.messages.length < found.total, terms: parsed.terms };
  }

  /**
   * A message is found as soon as its post was answered: what waits for the index now is indexed
   * first, a batch a transaction — as many batches as waited when the search began, however fast
   * others post meanwhile. A failure to write (the database busy past its timeout) does not fail the
   * search: it finds what is indexed, and the indexer (workers/search-indexer.ts) reports and retries.
   */
  private async indexWhatWaits(): Promise<void> {
    try {
      const waiting = await this.ctx.store.search.unindexed();
      for (let batches = Math.ceil(waiting / INDEX_BATCH); batches > 0; batches--) {
        if ((await indexBatch(this.ctx)) < INDEX_BATCH) return;
      }
    } catch {
      // Searched as indexed; see above.
    }
  }

  /** `from:` people by id, `@username` (as typed, then in lower case), or `me`. */
  private async people(actor: User, names: readonly string[]): Promise<Set<string>> {
    const { store } = this.ctx;
    const ids = new Set<string>();
    for (const name of names) {
      if (name.toLowerCase() === 'me') {
        ids.add(actor.id);
        continue;
      }
      const user =
        (isId(name) ? await store.user(actor.workspaceId, name) : undefined) ??
        (await store.userByUsername(actor.workspaceId, name)) ??
        (await store.userByUsername(actor.workspaceId, name.toLowerCase()));
      if (user) ids.add(user.id);
    }
    return ids;
  }
}

/** The channels of `from` named by id, or by name case-insensitively with or without `#`. */
function pick(from: readonly Channel[], wanted: readonly string[]): Channel[] {
  const keys = new Set(wanted.map((w) => w.replace(/^#/, '').toLowerCase()));
  return from.filter((c) => keys.has(c.id) || (c.name !== null && keys.has(c.name.toLowerCase())));
}

/** The tightest of the bounds given (min for "before", max for "after"), undefined when none is. */
function tightest(bounds: ReadonlyArray<number | undefined>, pickOne: (...xs: number[]) => number): number | undefined {
  const given = bounds.filter((b): b is number => b !== undefined);
  return given.length === 0 ? undefined : pickOne(...given);
}
