import { open, type FileHandle } from 'node:fs/promises';
import type { Kysely } from 'kysely';

/**
 * When a SQLite write is durable, with the fsync off the event loop (docs/decisions.md 1.9).
 *
 * better-sqlite3 runs on the event loop, so with `synchronous = FULL` every COMMIT blocked the whole
 * server for an fsync of the WAL (0.7–0.9 ms on a quiet disk, several ms on a busy one): nothing
 * else ran meanwhile, and the commits of the delivery pipeline (expansion, leases, attempts) paid it
 * too. Instead the connection commits with `synchronous = NORMAL` (the WAL is written, not synced),
 * and this class syncs the WAL file on libuv's thread pool. A caller that must not answer before
 * its write survives power loss awaits `durable(gen)` with the generation its commit was given.
 *
 * Why that is the same guarantee: fdatasync flushes every page of the file, whichever descriptor
 * wrote it, so one sync that starts after a commit covers that commit and all earlier ones. WAL
 * frames carry cumulative checksums, so after a power loss SQLite replays a prefix of the WAL and
 * stops at the first frame that did not reach the disk: a later, unsynced commit can be lost, an
 * earlier, synced one cannot. Checkpoints and WAL restarts keep syncing themselves in NORMAL mode.
 *
 * Syncs never overlap; writes made while one runs are covered by the next, so under load one sync
 * serves many commits (the group commit of the disk, beside GroupCommit's of the connection).
 *
 * A failed sync is fatal, as PostgreSQL's `data_sync_retry = off` makes it: after an fsync error
 * Linux may mark the lost pages clean, so a later sync "succeeds" without them, and the commits
 * after the hole would be answered and then lost on replay. From the first failure on every
 * `durable()` rejects (nobody hears 2xx again) and `onFailure` is told, to end the process.
 */
export class WalDurability {
  /** bumped by every commit and every write outside a transaction */
  private written = 0;
  /** every generation ≤ this is on the disk */
  private synced = 0;
  private running = false;
  private waiters: Array<{ gen: number; resolve(): void; reject(err: unknown): void }> = [];
  /** set by the statement cache when a writing statement is prepared outside a transaction */
  private autocommitWrite = false;
  /** the first sync failure; from then on nothing is durable */
  private failure: unknown;
  private onFailure: ((err: unknown) => void) | undefined;

  constructor(
    private readonly sync: () => Promise<void>,
    /** lets go of what `sync` holds (the WAL's descriptor), when the database closes */
    readonly close: () => Promise<void> = async () => {},
  ) {}

  /**
   * A durability that syncs the WAL file of the database at `dbFile`. The descriptor is kept: this
   * connection holds the WAL open, and SQLite deletes it only when the last connection closes (a
   * checkpoint that truncates it keeps the same file).
   */
  static forFile(dbFile: string): WalDurability {
    const wal = `${dbFile}-wal`;
    let file: FileHandle | undefined;
    return new WalDurability(
      async () => {
        file ??= await open(wal, 'r');
        await file.datasync();
      },
      async () => {
        await file?.close();
        file = undefined;
      },
    );
  }

  /** Told once, at the first failed sync (the server logs it and exits). */
  onFatal(listener: (err: unknown) => void): void {
    this.onFailure = listener;
    if (this.failure !== undefined) listener(this.failure);
  }

  /** A commit (or a write outside a transaction) just happened; returns its generation. */
  markWritten(): number {
    return ++this.written;
  }

  /** The generation of the last write: awaiting it covers everything written so far. */
  get lastWritten(): number {
    return this.written;
  }

  /** Every generation up to this one is on the disk. */
  get lastSynced(): number {
    return this.synced;
  }

  /** The statement cache saw a writing statement prepared outside any transaction. */
  noteAutocommitWrite(): void {
    this.autocommitWrite = true;
  }

  /** Whether the statement just run was a write outside a transaction (and forgets it). */
  takeAutocommitWrite(): boolean {
    const wrote = this.autocommitWrite;
    this.autocommitWrite = false;
    return wrote;
  }

  /** Resolves once every write up to `gen` is on the disk; rejects once any sync has failed. */
  durable(gen: number = this.written): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (gen <= this.synced) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ gen, resolve, reject });
      this.kick();
    });
  }

  private kick(): void {
    if (this.running || this.waiters.length === 0 || this.failure !== undefined) return;
    this.running = true;
    // A sync covers what was written before it starts, and nothing after.
    const covers = this.written;
    this.sync().then(
      () => {
        this.synced = Math.max(this.synced, covers);
        this.settle(covers, (w) => w.resolve());
      },
      (err: unknown) => {
        this.failure = err;
        this.settle(Number.POSITIVE_INFINITY, (w) => w.reject(err));
        this.onFailure?.(err);
      },
    ).finally(() => {
      this.running = false;
      this.kick();
    });
  }

  private settle(covers: number, done: (w: { resolve(): void; reject(err: unknown): void }) => void): void {
    const still: typeof this.waiters = [];
    for (const w of this.waiters) {
      if (w.gen <= covers) done(w);
      else still.push(w);
    }
    this.waiters = still;
  }
}

const registry = new WeakMap<Kysely<any>, WalDurability>();

/** Ties a database handle to its durability (openDatabase does, for SQLite files). */
export function registerDurability(db: Kysely<any>, durability: WalDurability): void {
  registry.set(db, durability);
}

/** The durability of a SQLite file database; undefined for PostgreSQL (its commit is durable) and in-memory SQLite. */
export function durabilityOf(db: Kysely<any>): WalDurability | undefined {
  return registry.get(db);
}
