/**
 * Scheduled messages (docs/pumble-api.md §11.2, §12.6; docs/api-keys.md §5.3), as a table.
 * Same conventions as schema.ts: times are epoch milliseconds, booleans 0/1 integers, JSON is text.
 */
import type { RecurrenceType } from '../domain/model.js';

/** One scheduled message: a one-off, or a recurring series whose pending occurrence is `send_at`. */
export interface ScheduledMessageTable {
  id: string;
  workspace_id: string;
  channel_id: string;
  /** who it is posted as; only they see, edit or delete it */
  author_id: string;
  /** the app whose token scheduled it, if any */
  app_id: string | null;
  text: string;
  /** JSON Block[] */
  blocks: string | null;
  /** JSON Attachment[] */
  attachments: string | null;
  thread_root_id: string | null;
  also_send_to_channel: number;
  /** the pending occurrence, as the author sees it */
  send_at: number;
  recurrence_type: RecurrenceType | null;
  end_after_occurrences: number | null;
  end_date: number | null;
  /** the sendAt the series was last set with: later occurrences keep its time of day and day of month */
  anchor_at: number;
  /** occurrences of the series already behind `send_at` (posted, skipped or given up) */
  occurrences_done: number;
  /** when the scheduler takes it: `send_at`, or later after a failed attempt */
  due_at: number;
  /** failed attempts at the pending occurrence */
  failures: number;
  created_at: number;
  updated_at: number;
}

export interface ScheduledDatabase {
  scheduled_messages: ScheduledMessageTable;
}
