import type { WriteTurn } from './ports/write-turn.js';

/**
 * One holder at a time, the others in the order they asked (a fair mutex keyed by who holds it).
 * The primary hands the write turn out to its workers with one (realtime/ipc-relay.ts); a process
 * keeps its own callers in line with another (LocalWriteTurn).
 */
export class TurnQueue<H> {
  private holder: { who: H } | undefined;
  private readonly waiting: Array<{ who: H; grant: () => void }> = [];

  /** `grant` is called — at once, or when the turns before it are done — once `who` holds the turn. */
  ask(who: H, grant: () => void): void {
    if (this.holder) {
      this.waiting.push({ who, grant });
      return;
    }
    this.holder = { who };
    grant();
  }

  /** The holder is done; anyone else saying so changes nothing. */
  done(who: H): void {
    if (!this.holder || this.holder.who !== who) return;
    this.passOn();
  }

  /** `who` is gone (a worker that died): its turn passes on and its waits are dropped. */
  forget(who: H): void {
    for (let i = this.waiting.length - 1; i >= 0; i--) if (this.waiting[i]!.who === who) this.waiting.splice(i, 1);
    if (this.holder?.who === who) this.passOn();
  }

  private passOn(): void {
    const next = this.waiting.shift();
    this.holder = next && { who: next.who };
    next?.grant();
  }
}

/** The write turn among the callers of one process (in order), or of two databases in one test. */
export class LocalWriteTurn implements WriteTurn {
  private readonly queue = new TurnQueue<object>();
  private current: object | undefined;

  acquire(): Promise<void> {
    const me = {};
    return new Promise((resolve) =>
      this.queue.ask(me, () => {
        this.current = me;
        resolve();
      }),
    );
  }

  release(): void {
    const me = this.current;
    this.current = undefined;
    if (me) this.queue.done(me);
  }
}
