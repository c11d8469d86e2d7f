import type { User } from '../domain/model.js';

/**
 * What tells, on SQLite, whether a remembered session can have changed: writes through this
 * connection that touch `sessions` or `workspace_users` (counted by database.ts's statement cache),
 * and `PRAGMA data_version`, which moves whenever another connection commits (the admin command,
 * another worker).
 */
export interface AuthWatch {
  authWrites(): number;
  dataVersion(): number;
}

const watches = new WeakMap<object, AuthWatch>();
const caches = new WeakMap<object, SessionCache>();

export function registerAuthWatch(db: object, watch: AuthWatch): void {
  watches.set(db, watch);
}

/** The session cache of a SQLite database (by its Kysely instance); none on PostgreSQL or inside a transaction. */
export function sessionCacheOf(db: object): SessionCache | undefined {
  let cache = caches.get(db);
  if (!cache) {
    const watch = watches.get(db);
    if (!watch) return undefined;
    caches.set(db, (cache = new SessionCache(watch)));
  }
  return cache;
}

interface Entry {
  user: User;
  /** the session's creation: it expires by the clock, which the watch does not see */
  createdAt: number;
  authWrites: number;
  dataVersion: number;
}

/** At most this many sessions are remembered; past it the cache starts afresh. */
const MAX_ENTRIES = 10_000;

/**
 * Who each session token is, remembered while nothing could have changed it: a remembered answer
 * is used only if no write here touched sessions or people since it was read, no other connection
 * committed anything, and the session has not expired since. Any doubt reads the database again,
 * so a session ended by a logout, a password reset (even by the admin command) or a deactivation
 * is refused at once, as before. Reading the session was the largest single statement of a post
 * (a profile of BENCH_ONLY=posts: 34 µs of SQL, more than inserting the message's event).
 */
export class SessionCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly watch: AuthWatch) {}

  /** Taken before the read whose answer `remember` keeps: a write during the read voids it. */
  version(): { authWrites: number; dataVersion: number } {
    return { authWrites: this.watch.authWrites(), dataVersion: this.watch.dataVersion() };
  }

  recall(tokenHash: string, createdAfter: number): User | undefined {
    const entry = this.entries.get(tokenHash);
    if (!entry) return undefined;
    if (entry.createdAt <= createdAfter || entry.authWrites !== this.watch.authWrites() || entry.dataVersion !== this.watch.dataVersion()) {
      this.entries.delete(tokenHash);
      return undefined;
    }
    // A copy: callers may shape the person they were given.
    return { ...entry.user };
  }

  remember(tokenHash: string, user: User, createdAt: number, version: { authWrites: number; dataVersion: number }): void {
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(tokenHash, { user: { ...user }, createdAt, ...version });
  }
}
