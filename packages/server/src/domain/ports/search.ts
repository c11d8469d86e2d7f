/**
 * The storage port of message search (docs/pumble-api.md §11.2 `POST /v1/messages/search`,
 * docs/api-keys.md §5.3 `searchMessages`). store/search-store.ts implements it on the full-text index
 * of migration 0018 (FTS5 on SQLite, a `tsvector` column with a GIN index on PostgreSQL).
 *
 * The domain (domain/search.ts) decides what is asked — which words, which channels the caller may
 * read, which authors, the time range, the order and the page; the store only runs it.
 */
import type { Message } from '../model.js';

/**
 * One condition on the text: these tokens next to each other, in this order (a single word is a
 * phrase of one token). `prefix`: the last token matches any word it begins (`deplo*`). Tokens are
 * runs of letters and digits in lower case (domain/search.ts `tokens`), the unit both engines index:
 * nothing in them needs quoting in either engine's query syntax.
 */
export interface SearchTerm {
  tokens: string[];
  prefix: boolean;
}

/** Newest first, oldest first, or best match first (then newest). Message ids sort by time (ULIDs). */
export type SearchOrder = 'newest' | 'oldest' | 'relevance';

export interface MessageSearchSpec {
  /** every term must match; none: no condition on the text (filters only) */
  terms: readonly SearchTerm[];
  /** the channels to look in: already only those the caller may read */
  channelIds: readonly string[];
  /** only messages by these authors */
  authorIds?: readonly string[];
  /** created strictly before / after these times (epoch ms) */
  beforeTs?: number;
  afterTs?: number;
  order: SearchOrder;
  offset: number;
  limit: number;
}

/**
 * What the domain asks of this storage; implemented in store/ (search-store.ts). Deleted messages
 * are never found; thread replies are.
 */
export interface SearchStorage {
  /** One page of the matching messages in `order`, and how many match in all. */
  searchMessages(q: MessageSearchSpec): Promise<{ messages: Message[]; total: number }>;
  /**
   * How many written messages wait to be indexed. SQLite indexes them in batches after their commit
   * (migration 0029): searchMessages finds them only once `indexWaiting` ran. Always 0 on
   * PostgreSQL, which indexes in the message's own transaction.
   */
  unindexed(): Promise<number>;
  /** Indexes up to `limit` of the waiting messages, oldest first; how many it indexed. In a transaction. */
  indexWaiting(limit: number): Promise<number>;
}
