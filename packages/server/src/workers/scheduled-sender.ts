import type { FastifyBaseLogger } from 'fastify';
import type { RunReport, ScheduledMessages } from '../domain/scheduled-messages.js';
import { WakeLoop } from './wake-loop.js';

export interface ScheduledSenderOptions {
  log: Pick<FastifyBaseLogger, 'warn' | 'error'>;
  /** how often due messages are looked for; sendAt is kept to about this precision */
  pollMs?: number;
  /** due messages taken per round; a full round goes round again at once */
  batchSize?: number;
}

/**
 * Posts scheduled messages when they fall due: polls ScheduledMessages.runDue about once a
 * second (an unref'd timer: it never holds the process open), and can be woken early. Runs never
 * overlap; stop() waits for the one in flight. Several nodes may each run one: the claim in
 * runDue makes each occurrence go out once.
 */
export class ScheduledSender {
  private readonly loop: WakeLoop;
  private readonly pollMs: number;
  private readonly batchSize: number;

  constructor(
    private readonly scheduled: Pick<ScheduledMessages, 'runDueReport'>,
    private readonly opts: ScheduledSenderOptions,
  ) {
    this.pollMs = opts.pollMs ?? 1000;
    this.batchSize = opts.batchSize ?? 100;
    this.loop = new WakeLoop({
      round: async () => {
        const report = await this.scheduled.runDueReport(this.batchSize);
        this.logReport(report);
        return report.handled >= this.batchSize;
      },
      // Nothing was lost: the due messages are still due at the next poll.
      onError: (err) => this.opts.log.error({ err }, 'scheduled messages: run failed'),
    });
  }

  start(): void {
    this.loop.poll(this.pollMs);
  }

  /** Ask for a run soon; a wake-up during a run makes it go round again. */
  wake(): void {
    this.loop.wake();
  }

  /** Resolves when the run in flight (if any) has ended: for tests and shutdown. */
  idle(): Promise<void> {
    return this.loop.idle();
  }

  private logReport(report: RunReport): void {
    for (const d of report.dropped) {
      this.opts.log.warn({ scheduledMessageId: d.id, authorId: d.authorId, channelId: d.channelId, reason: d.reason }, 'scheduled message dropped: it can no longer be posted');
    }
    for (const f of report.failed) {
      this.opts.log.error(
        { scheduledMessageId: f.id, attempt: f.attempt, err: f.error },
        f.gaveUp ? 'scheduled message: occurrence given up after repeated failures' : 'scheduled message: attempt failed, will retry',
      );
    }
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }
}
