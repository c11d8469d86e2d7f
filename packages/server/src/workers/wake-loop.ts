/**
 * The run loop every worker shares: `wake()` asks for a run soon; runs never overlap; a wake-up
 * during a run makes it go round again (as does a round that says more work is waiting); a run's
 * failure is reported and the next wake-up tries again. `poll(ms)` adds the fallback every worker
 * needs (work another node made, a retry falling due): a wake-up every `ms` until stop().
 */
export interface WakeLoopRun {
  /** once, at the start of each run */
  before?(): Promise<void>;
  /** one round of work; true when more is waiting at once (a full batch) */
  round(): Promise<boolean | void>;
  /** once, after the last round of each run */
  after?(): Promise<void>;
  /** a run that threw: nothing is lost, the next wake-up tries again */
  onError(err: unknown): void;
}

export class WakeLoop {
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly run: WakeLoopRun) {}

  get isStopped(): boolean {
    return this.stopped;
  }

  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    // setImmediate, not an unref'd timer: stop() awaits this run, and an unref'd timer may never
    // fire once nothing else keeps the process alive — stop() would then hang.
    this.running = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.runOnce());
  }

  /** Wakes now and then every `everyMs` (an unref'd timer: it never holds the process open) until stop(). */
  poll(everyMs: number): void {
    if (this.stopped || this.timer) return;
    this.timer = setInterval(() => this.wake(), everyMs);
    this.timer.unref();
    this.wake();
  }

  /** Resolves when the run in flight (if any) has ended. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** No run starts after this; resolves when the one in flight has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.idle();
  }

  private async runOnce(): Promise<void> {
    try {
      await this.run.before?.();
      do {
        this.again = false;
        if ((await this.run.round()) === true) this.again = true;
      } while (this.again && !this.stopped);
      await this.run.after?.();
    } catch (err) {
      this.run.onError(err);
    } finally {
      this.running = undefined;
      // A wake-up during `after` (or a failed round) came too late for the loop above: it starts the next run.
      if (this.again && !this.stopped) {
        this.again = false;
        this.wake();
      }
    }
  }
}
