import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Checkpoints the WAL on another thread. SQLite's own checkpoints run inside the commit that
 * crosses `wal_autocheckpoint` (1,000 pages), on the connection that commits: ours, on the event
 * loop. Under load that was a third of all commit time (BENCH_ONLY=posts: 241 of 6,977 commits
 * took ≥ 1 ms, 1.75 ms each, copying the WAL into the database file). Here a second connection, in
 * a worker thread, runs `PRAGMA wal_checkpoint(PASSIVE)` — which never blocks the writer — every
 * `everyCommits` commits, and the connection's own threshold rises to `fallbackPages`, a safety
 * valve should the worker fall behind or fail.
 *
 * It starts only once the database has seen `startAfterCommits` commits: small databases (tests,
 * a fresh install) keep SQLite's own checkpoints and never pay for a thread.
 */
export interface CheckpointerOptions {
  startAfterCommits?: number;
  everyCommits?: number;
  fallbackPages?: number;
  /** how often the commit count is looked at (ms) */
  tickMs?: number;
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
parentPort.on('message', () => {
  let answer;
  try {
    answer = db.pragma('wal_checkpoint(PASSIVE)')[0];
  } catch (err) {
    answer = { error: String(err && err.message || err) };
  }
  parentPort.postMessage(answer);
});
`;

export class WalCheckpointer {
  private worker: Worker | undefined;
  private failed = false;
  private busy = false;
  private askedAt = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly startAfter: number;
  private readonly every: number;
  private readonly fallbackPages: number;
  /** checkpoints the worker has run, and its last answer (busy, WAL frames, frames checkpointed; or the error) */
  checkpoints = 0;
  lastAnswer: unknown;

  constructor(
    private readonly file: string,
    private readonly setAutocheckpoint: (pages: number) => void,
    /** commits so far (WalDurability's generation) */
    private readonly commits: () => number,
    opts: CheckpointerOptions = {},
  ) {
    this.startAfter = opts.startAfterCommits ?? 2_000;
    this.every = opts.everyCommits ?? 50;
    this.fallbackPages = opts.fallbackPages ?? 10_000;
    this.timer = setInterval(() => this.tick(), opts.tickMs ?? 20);
    this.timer.unref();
  }

  get running(): boolean {
    return this.worker !== undefined;
  }

  private tick(): void {
    if (this.failed || this.busy) return;
    const commits = this.commits();
    if (!this.worker) {
      if (commits < this.startAfter) return;
      this.start();
    }
    if (commits - this.askedAt < this.every) return;
    this.askedAt = commits;
    this.busy = true;
    this.worker!.postMessage('checkpoint');
  }

  private start(): void {
    const module = createRequire(import.meta.url).resolve('better-sqlite3');
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file: this.file, module } });
    worker.unref();
    worker.on('message', (answer: unknown) => {
      this.checkpoints++;
      this.lastAnswer = answer;
      this.busy = false;
    });
    // Back to SQLite's own checkpoints: nothing is lost, the commits pay for them again.
    worker.on('error', () => this.fallBack());
    worker.on('exit', () => {
      if (this.worker === worker) this.fallBack();
    });
    this.worker = worker;
    this.setAutocheckpoint(this.fallbackPages);
  }

  private fallBack(): void {
    this.failed = true;
    this.worker = undefined;
    this.busy = false;
    try {
      this.setAutocheckpoint(1000);
    } catch {
      // closed meanwhile
    }
  }

  /** Stops the worker (before the connection closes, so that the last close may delete the WAL). */
  async close(): Promise<void> {
    clearInterval(this.timer);
    const worker = this.worker;
    this.worker = undefined;
    this.failed = true;
    if (worker) await worker.terminate();
  }
}
