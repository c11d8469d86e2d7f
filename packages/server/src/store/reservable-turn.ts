import type { WriteTurn } from '../domain/ports/write-turn.js';

/**
 * The write turn (domain/ports/write-turn.ts) as the driver and the group commit share it. The group
 * commit reserves the turn before it takes its batch: units that arrive while it waits join that
 * batch, and the connection stays free for reads meanwhile. The batch's BEGIN then finds the turn
 * held for it. Any other write (one that commits on its own) that comes first — or that holds the
 * connection while the reservation is on its way — uses the reservation instead, and the BEGIN waits
 * for a turn of its own: slower, never stuck.
 */
export class ReservableTurn implements WriteTurn {
  /** the turn is held for a write that has not started yet */
  private reserved = false;
  /** a write is using the reservation */
  private inUse = false;
  /** a reservation asked for and not yet granted */
  private reserving: Promise<void> | undefined;

  constructor(private readonly turn: WriteTurn) {}

  reserve(): Promise<void> {
    // The state changes before anything waiting on the reservation hears of it (see acquire).
    const reserving: Promise<void> = this.turn.acquire().then(
      () => {
        this.reserving = undefined;
        this.reserved = true;
      },
      (err: unknown) => {
        this.reserving = undefined;
        throw err;
      },
    );
    this.reserving = reserving;
    return reserving;
  }

  /** After the batch: a reservation no write used is given back. */
  unreserve(): void {
    if (!this.reserved || this.inUse) return;
    this.reserved = false;
    this.turn.release();
  }

  acquire(): Promise<void> {
    // A write that holds the connection while the group commit waits for its reservation takes the
    // reservation when it comes: waiting behind it instead would wait for the batch, which waits
    // for the connection this write holds.
    if (this.reserving) return this.reserving.then(() => this.acquire(), () => this.acquire());
    if (this.reserved && !this.inUse) {
      this.inUse = true;
      return Promise.resolve();
    }
    return this.turn.acquire();
  }

  release(): void {
    if (this.inUse) this.reserved = this.inUse = false;
    this.turn.release();
  }
}

const registry = new WeakMap<object, ReservableTurn>();

/** database.ts registers a SQLite database's turn; the group commit on it finds it by the Kysely instance. */
export function registerWriteTurn(db: object, turn: ReservableTurn): void {
  registry.set(db, turn);
}

export function writeTurnOf(db: object): ReservableTurn | undefined {
  return registry.get(db);
}
