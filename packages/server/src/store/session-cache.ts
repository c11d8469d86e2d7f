import type { User } from '../domain/model.js';
import { watchedCacheOf, type ReadVersion, type WatchedCache } from './write-watch.js';

/** The session cache of a SQLite database (by its Kysely instance, which its transactions' stores also pass); none on PostgreSQL. */
export function sessionCacheOf(db: object): SessionCache | undefined {
  const cache = watchedCacheOf<Entry>(db, 'sessions', 'auth');
  return cache && new SessionCache(cache);
}

interface Entry {
  user: User;
  /** the session's creation: it expires by the clock, which the watch does not see */
  createdAt: number;
}

/**
 * Who each session token is, remembered while nothing could have changed it (write-watch.ts): a
 * remembered answer is used only if no write here touched sessions or people since it was read, no
 * other connection committed anything, and the session has not expired since. Any doubt reads the
 * database again, so a session ended by a logout, a password reset (even by the admin command) or
 * a deactivation is refused at once, as before. Reading the session was the largest single
 * statement of a post (a profile of BENCH_ONLY=posts: 34 µs of SQL, more than inserting the
 * message's event).
 */
export class SessionCache {
  constructor(private readonly cache: WatchedCache<Entry>) {}

  version(): ReadVersion {
    return this.cache.version();
  }

  recall(tokenHash: string, createdAfter: number): User | undefined {
    const entry = this.cache.recall(tokenHash);
    if (!entry || entry.createdAt <= createdAfter) return undefined;
    // A copy: callers may shape the person they were given.
    return { ...entry.user };
  }

  remember(tokenHash: string, user: User, createdAt: number, version: ReadVersion): void {
    this.cache.remember(tokenHash, { user: { ...user }, createdAt }, version);
  }
}
