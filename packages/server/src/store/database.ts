import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type SqliteDatabase } from 'kysely';
import type { Database } from './schema.js';
import { migrationProvider } from './migrations/index.js';
import { registerChangeCounter } from './group-commit.js';
import { registerWriteWatch, WATCHED_TABLES, type WatchedGroup } from './write-watch.js';
import { guardedDialect, registerStallWatch, scopeGuard, StallWatch } from './transaction-guard.js';
import { WalDurability, registerDurability } from './wal-durability.js';
import { WalCheckpointer } from './wal-checkpointer.js';
import { ReservableTurn, registerWriteTurn } from './reservable-turn.js';
import { ConfigError } from '../domain/config-error.js';
import type { WriteTurn } from '../domain/ports/write-turn.js';

export type { Engine } from './engine.js';
import type { Engine } from './engine.js';

export interface DatabaseHandle {
  db: Kysely<Database>;
  engine: Engine;
  /** where the data lives, for the start-up banner (no credentials) */
  location: string;
  close(): Promise<void>;
}

/**
 * `sqlite:<path>` (or `sqlite::memory:`) selects SQLite; `postgres://` / `postgresql://` selects PostgreSQL.
 * `writeTurn`: where several processes share a SQLite file (WORKERS > 1), the turn they write in
 * (domain/ports/write-turn.ts); PostgreSQL needs none.
 */
export async function openDatabase(url: string, onIdleError?: (err: Error) => void, writeTurn?: WriteTurn): Promise<DatabaseHandle> {
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return openPostgres(url, onIdleError);
  if (url.startsWith('sqlite:')) return openSqlite(url.slice('sqlite:'.length), writeTurn);
  throw new ConfigError(`DATABASE_URL must start with sqlite: or postgres:// (got ${url.split(':')[0]}:)`);
}

async function openSqlite(path: string, writeTurn?: WriteTurn): Promise<DatabaseHandle> {
  const { default: SQLite } = await import('better-sqlite3');
  if (path === '') throw new ConfigError('DATABASE_URL=sqlite: needs a path (sqlite:./data/switchboard.db), or sqlite::memory: for a database that is lost at exit');
  const memory = path === ':memory:';
  const file = memory ? ':memory:' : resolve(path);
  if (!memory) mkdirSync(dirname(file), { recursive: true });
  const sqlite = new SQLite(file);
  const journal = memory ? 'memory' : String(sqlite.pragma('journal_mode = WAL', { simple: true })).toLowerCase();
  // Only a WAL can be synced by WalDurability; where WAL mode is refused, every commit syncs itself.
  const wal = journal === 'wal';
  // A commit we answered 2xx to survives power loss, not only a process crash: NORMAL writes the WAL
  // without syncing it on the event loop, and WalDurability syncs it on the thread pool before
  // anyone is answered (wal-durability.ts). In memory there is nothing to sync.
  sqlite.pragma(wal ? 'synchronous = NORMAL' : 'synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const durability = wal ? WalDurability.forFile(file) : undefined;
  // Checkpoints on a worker thread once the database is busy (wal-checkpointer.ts).
  const checkpointer = durability ? new WalCheckpointer(file, (pages) => sqlite.pragma(`wal_autocheckpoint = ${pages}`), () => durability.lastWritten) : undefined;
  const stalls = scopeGuard ? undefined : new StallWatch();
  const statements = withStatementCache(sqlite, durability);
  const reservable = writeTurn && new ReservableTurn(writeTurn);
  const turns = reservable && { turn: reservable, isWrite: (text: string) => statements.isWrite(text) };
  const committed = committedWritesReader(sqlite, writeTurn !== undefined);
  const db = new Kysely<Database>({ dialect: guardedDialect(new SqliteDialect({ database: statements }), 'sqlite', { durability, stalls, turns, hooks: committed }) });

  registerWriteWatch(db, { writes: (group) => statements.writes[group], committed: (group) => committed.committed(group) });
  if (durability) registerDurability(db, durability);
  if (reservable) registerWriteTurn(db, reservable);
  if (stalls) registerStallWatch(db, stalls);
  const totalChanges = sqlite.prepare('select total_changes()').pluck();
  registerChangeCounter(db, () => totalChanges.get() as number);
  return {
    db,
    engine: 'sqlite',
    location: file,
    close: async () => {
      await checkpointer?.close();
      await db.destroy();
      await durability?.close();
    },
  };
}

/**
 * Each watched group's count of committed writes (write_generations, kept by triggers: migration
 * 0028). Outside a transaction they are read once per turn of the event loop: a commit by another
 * connection during the turn is seen by the next one, as if it had come a moment later
 * (write-watch.ts). Inside one they are the counts read right after its BEGIN, before it wrote:
 * under the write lock no other connection commits, and its own uncommitted bumps (a rollback
 * could take them back) are never taken for commits. Undefined until the migration has run (the
 * database is opened before it is migrated), and inside a transaction not begun through the driver.
 */
function committedWritesReader(sqlite: import('better-sqlite3').Database, othersWriteOften: boolean) {
  let read: import('better-sqlite3').Statement | undefined;
  const readCounts = (): Map<string, number> | undefined => {
    try {
      read ??= sqlite.prepare('select grp, n from write_generations').raw();
      return new Map(read.all() as Array<[string, number]>);
    } catch {
      return undefined; // not migrated yet
    }
  };
  // Alone on the file, another connection rarely commits (the admin command): `PRAGMA data_version`
  // (half the cost of the read) says whether the counts can have moved. Beside other workers it
  // nearly always has, and the counts are read every turn.
  const dataVersion = othersWriteOften ? undefined : sqlite.prepare('pragma data_version').pluck();
  let counts: Map<string, number> | undefined;
  let countedAt: number | undefined;
  const current = () => {
    const version = dataVersion?.get() as number | undefined;
    if (!counts || version === undefined || version !== countedAt) {
      counts = readCounts();
      countedAt = version;
    }
    return counts;
  };
  let fresh = false;
  const stale = () => (fresh = false);
  let inTransaction: Map<string, number> | undefined;
  return {
    committed(group: WatchedGroup): number | undefined {
      if (sqlite.inTransaction) return inTransaction?.get(group);
      if (!fresh) {
        fresh = true;
        setImmediate(stale);
        current();
      }
      return counts?.get(group);
    },
    /** right after BEGIN, before the transaction writes */
    begun(): void {
      inTransaction = current();
    },
    ended(): void {
      inTransaction = undefined;
      fresh = false; // its own commit, and what others committed meanwhile, from now on
    },
  };
}

/** BEGIN counts as a write (sqlite3_stmt_readonly), but it commits nothing: the COMMIT does. */
const TRANSACTION_CONTROL = /^\s*(begin|commit|end|rollback|savepoint|release)\b/i;
/** What a rollback took back may have been read inside the transaction and remembered: every group counts it. */
const ROLLBACK = /^\s*rollback\b/i;
const WATCHED_GROUPS = Object.keys(WATCHED_TABLES) as WatchedGroup[];

/**
 * Kysely prepares every query anew; preparing costs more than running most of ours. Statements
 * are keyed by their SQL text (parameters are bound, so the set is small) and reused. Safe: the
 * driver runs one statement at a time and never iterates lazily. It also counts the writes run
 * here that touch each watched group of tables (write-watch.ts).
 */
function withStatementCache(
  sqlite: import('better-sqlite3').Database,
  durability?: WalDurability,
): SqliteDatabase & { readonly writes: Record<WatchedGroup, number>; isWrite(text: string): boolean } {
  // What each statement is, worked out once: `readonly` is a call into the addon, the rest regexes.
  const cache = new Map<string, { stmt: import('better-sqlite3').Statement; touches: WatchedGroup[]; autocommitWrite: boolean }>();
  const writes = Object.fromEntries(WATCHED_GROUPS.map((g) => [g, 0])) as Record<WatchedGroup, number>;
  const entryOf = (text: string) => {
    let entry = cache.get(text);
    if (!entry) {
      const prepared = sqlite.prepare(text);
      const writing = !prepared.readonly;
      const control = TRANSACTION_CONTROL.test(text);
      const touches = ROLLBACK.test(text) ? WATCHED_GROUPS : writing && !control ? WATCHED_GROUPS.filter((g) => WATCHED_TABLES[g].test(text)) : [];
      entry = { stmt: prepared, touches, autocommitWrite: writing && !control };
      if (cache.size >= 1000) cache.clear();
      cache.set(text, entry);
    }
    return entry;
  };
  return {
    close: () => sqlite.close(),
    writes,
    /** whether the statement writes (the driver asks before it runs one outside a transaction: the write turn) */
    isWrite: (text: string) => entryOf(text).autocommitWrite,
    prepare(text: string) {
      const entry = entryOf(text);
      const stmt = entry.stmt;
      for (const group of entry.touches) writes[group]++;
      // Kysely prepares right before it runs: a writing statement prepared outside a transaction is
      // a write that commits on its own, and its caller must wait until it is durable (the driver asks).
      if (durability && entry.autocommitWrite && !sqlite.inTransaction) durability.noteAutocommitWrite();
      return stmt as unknown as ReturnType<SqliteDatabase['prepare']>;
    },
  };
}

async function openPostgres(url: string, onIdleError?: (err: Error) => void): Promise<DatabaseHandle> {
  const pg = await import('pg');
  // BIGINT (our millisecond times) comes back as a string by default; these fit a double.
  pg.default.types.setTypeParser(20, (v: string) => Number.parseInt(v, 10));
  const pool = new pg.default.Pool({ connectionString: url, max: Number(process.env.PG_POOL_SIZE ?? 10) });
  // An idle connection can fail (the server restarts, an admin ends it); the pool replaces it.
  // Without a listener that error would end the whole process.
  pool.on('error', (err) => onIdleError?.(err));
  const stalls = scopeGuard ? undefined : new StallWatch();
  const db = new Kysely<Database>({ dialect: guardedDialect(new PostgresDialect({ pool }), 'postgres', { stalls }) });
  if (stalls) registerStallWatch(db, stalls);
  const u = new URL(url);
  return { db, engine: 'postgres', location: `${u.host}${u.pathname}`, close: () => db.destroy() };
}

/** Runs pending migrations; safe to call on every start and from several nodes at once. */
export async function migrate(db: Kysely<Database>): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`migration${failed ? ` ${failed}` : 's'} failed: ${(error as Error).message ?? String(error)}`);
  }
}

export async function ping(db: Kysely<Database>): Promise<void> {
  await sql`select 1`.execute(db);
}
