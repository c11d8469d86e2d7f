/**
 * The storage port of scheduled messages. store/scheduled-store.ts implements it.
 */
import type { ScheduledMessage } from '../model.js';

/** A scheduled message with the scheduler's bookkeeping. */
export interface StoredScheduledMessage extends ScheduledMessage {
  /** the sendAt the series was last set with: later occurrences keep its time of day and day of month */
  anchorAt: number;
  /** occurrences of the series already behind `sendAt` */
  occurrencesDone: number;
  /** when the scheduler takes it: `sendAt`, or later after a failed attempt */
  dueAt: number;
  /** failed attempts at the pending occurrence */
  failures: number;
}

/** What a write of the message's content sets; the bookkeeping comes with it. */
export type ScheduledFields = Omit<StoredScheduledMessage, 'id' | 'workspaceId' | 'authorId' | 'createdAt'>;

/**
 * What the domain asks of this storage; implemented in store/ (scheduled-store.ts).
 */
export interface ScheduledStorage {
  /**
   * Runs `work` inside a savepoint of the current transaction: when it throws, what it wrote is
   * rolled back and the transaction goes on (on PostgreSQL too, where a failed statement would
   * otherwise abort the whole transaction).
   */
  savepoint<T>(work: () => Promise<T>): Promise<T>;
  insert(m: StoredScheduledMessage): Promise<void>;
  get(id: string): Promise<StoredScheduledMessage | undefined>;
  /** An author's scheduled messages in sending order, after (sendAt, id) when given. */
  listByAuthor(q: {
    workspaceId: string;
    authorId: string;
    channelId?: string;
    after?: {
        sendAt: number;
        id: string;
    };
    limit: number;
  }): Promise<StoredScheduledMessage[]>;
  /** Changes the author's scheduled message; false when there is none (any more). */
  update(id: string, authorId: string, fields: Partial<ScheduledFields>): Promise<boolean>;
  /** Deletes the author's scheduled message; false when there is none. */
  delete(id: string, authorId: string): Promise<boolean>;
  /**
   * The earliest message due at `now`. Call inside a transaction: on PostgreSQL the row stays
   * locked until it ends and other nodes skip it; SQLite has one writer.
   */
  claimDue(now: number): Promise<StoredScheduledMessage | undefined>;
  /** Moves the row on to its next occurrence, with a clean slate of failures. */
  advance(id: string, next: {
    sendAt: number;
    occurrencesDone: number;
  }): Promise<void>;
  remove(id: string): Promise<void>;
  /**
   * Outside the claiming transaction (it was rolled back): changes the row only while it is still
   * at the occurrence that failed (`sendAt`) and was not edited since (`updatedAt`).
   */
  updateIfUnchanged(id: string, seen: {
    sendAt: number;
    updatedAt: number;
  }, set: {
    dueAt: number;
    failures: number;
  }): Promise<boolean>;
  advanceIfUnchanged(id: string, seen: {
    sendAt: number;
    updatedAt: number;
  }, next: {
    sendAt: number;
    occurrencesDone: number;
  } | null): Promise<boolean>;
}
