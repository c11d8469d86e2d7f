/**
 * What tells, on SQLite, whether something read earlier can have changed since: writes through
 * this connection that touch a watched group of tables (counted by database.ts's statement cache,
 * by the table names in each writing statement's SQL, at once), and the group's count of committed
 * writes in `write_generations`, which triggers keep for every connection (migration 0028: another
 * worker, the admin command) and which database.ts reads once per turn of the event loop. Caches on
 * top of it (session-cache.ts, the app cache below) answer from memory only while neither moved; any
 * doubt reads the database again. A rollback counts as a write to every group: an answer read inside
 * a transaction may hold what it had written. None on PostgreSQL: other nodes write there.
 */
export const WATCHED_TABLES = {
  /** a session's answer (session-cache.ts); no trigger or cascade writes these */
  auth: /\b(sessions|workspace_users)\b/,
  /**
   * apps, their installations and authorizations (each event delivery signs with its app's
   * secrets; each expansion reads who is subscribed); no trigger or cascade writes them
   */
  apps: /\b(apps|app_installations|app_authorizations)\b/,
  /**
   * a channel and who belongs to it (every post reads both): any write naming `channels`, and
   * inserts and deletes of memberships. Updates of a membership (read markers, notification
   * levels) change neither, and come with every read of a channel in the web client.
   */
  channels: /\bchannels\b|\b(insert|delete|replace)\b[\s\S]*\bchannel_members\b/i,
} as const;
export type WatchedGroup = keyof typeof WATCHED_TABLES;

export interface WriteWatch {
  /** writes through this connection that touched the group, so far */
  writes(group: WatchedGroup): number;
  /** the group's committed writes as this turn of the event loop saw them (inside a transaction: as its BEGIN did); undefined where nothing counts them (before migration 0028) */
  committed(group: WatchedGroup): number | undefined;
}

const watches = new WeakMap<object, WriteWatch>();

export function registerWriteWatch(db: object, watch: WriteWatch): void {
  watches.set(db, watch);
}

export function writeWatchOf(db: object): WriteWatch | undefined {
  return watches.get(db);
}

/** Where a cached answer was read: it holds while both are unchanged. */
export interface ReadVersion {
  writes: number;
  committed: number | undefined;
}

/**
 * Answers remembered per key while no write here touched the group's tables and no commit
 * anywhere did. At most `max` entries; past it the cache starts afresh.
 */
export class WatchedCache<V> {
  private readonly entries = new Map<string, { value: V; version: ReadVersion }>();

  constructor(
    private readonly watch: WriteWatch,
    private readonly group: WatchedGroup,
    private readonly max = 10_000,
  ) {}

  /** Taken before the read whose answer `remember` keeps: a write during the read voids it. */
  version(): ReadVersion {
    return { writes: this.watch.writes(this.group), committed: this.watch.committed(this.group) };
  }

  recall(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    const { writes, committed } = entry.version;
    if (committed === undefined || writes !== this.watch.writes(this.group) || committed !== this.watch.committed(this.group)) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  remember(key: string, value: V, version: ReadVersion): void {
    if (this.entries.size >= this.max) this.entries.clear();
    this.entries.set(key, { value, version });
  }
}

const caches = new WeakMap<object, Map<string, WatchedCache<unknown>>>();

/** The database's (by its Kysely instance) cache called `name` over `group`; undefined where there is no watch. */
export function watchedCacheOf<V>(db: object, name: string, group: WatchedGroup): WatchedCache<V> | undefined {
  const watch = watches.get(db);
  if (!watch) return undefined;
  let named = caches.get(db);
  if (!named) caches.set(db, (named = new Map()));
  let cache = named.get(name);
  if (!cache) named.set(name, (cache = new WatchedCache<unknown>(watch, group)));
  return cache as WatchedCache<V>;
}
