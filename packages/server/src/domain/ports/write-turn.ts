/**
 * The turn to write to a SQLite file that several processes share (WORKERS > 1; docs/operations.md
 * §8.2). SQLite lets one connection write at a time; a process that finds the lock taken waits
 * inside SQLite (busy_timeout), its event loop blocked meanwhile: it serves no request, sends no
 * frame, and its next batch cannot even gather. Taking the turn first — handed out by the primary,
 * in the order asked — makes that wait asynchronous: the process goes on serving while it waits,
 * and its write then finds the lock free. SQLite's own lock still guards the file (the admin
 * command, another program): the turn only keeps our own workers from blocking on each other.
 */
export interface WriteTurn {
  /** Settles when this process may write; every acquire that settled is followed by one release. */
  acquire(): Promise<void>;
  /** The write is over (committed or rolled back): the next in line may write. */
  release(): void;
}
