/**
 * The storage port of link previews (docs/web-client.md §6.1): the workspace setting, the per-URL
 * cache, the durable jobs the worker leases, and the previews a message shows (with the ones its
 * author removed). store/link-preview-store.ts implements it.
 */
import type { LinkPreview } from '../model.js';

/** What a fetch of one URL found: a preview, nothing to show, or no answer worth keeping long. */
export type PreviewStatus = 'ok' | 'none' | 'failed';

export interface CachedPreview {
  url: string;
  status: PreviewStatus;
  /** set when `status` is 'ok' */
  preview: LinkPreview | null;
  fetchedAt: number;
  expiresAt: number;
}

/** A message whose links wait to be previewed, as the worker leased it. */
export interface LinkPreviewJob {
  messageId: string;
  workspaceId: string;
  channelId: string;
  /** in the order the message carries them */
  urls: string[];
  /** how many times it was leased, this lease included */
  attempts: number;
  lockedBy: string | null;
}

/** The previews a message shows, and the URLs its author removed (they stay removed). */
export interface MessagePreviews {
  shown: LinkPreview[];
  removed: string[];
}

export interface LinkPreviewStorage {
  /** Whether the workspace wants link previews (on unless an admin turned them off). */
  enabled(workspaceId: string): Promise<boolean>;
  setEnabled(workspaceId: string, enabled: boolean): Promise<void>;

  /**
   * The message's job, due at `now`: a new one, or the waiting one replaced (an edit changed the
   * links; a lease held on the old one no longer counts, so its holder's result is dropped).
   */
  enqueue(job: { messageId: string; workspaceId: string; channelId: string; urls: readonly string[]; now: number }): Promise<void>;
  /**
   * Leases up to `limit` due jobs (due, and not leased or their lease ran out) to `lockedBy` until
   * `now + leaseMs`, oldest first. One statement: two workers never lease the same job.
   */
  claim(now: number, leaseMs: number, lockedBy: string, limit: number): Promise<LinkPreviewJob[]>;
  /** Deletes the job while `lockedBy` still holds it; false when it does not (replaced, or taken over). */
  finish(messageId: string, lockedBy: string): Promise<boolean>;
  /** Hands the job back for another attempt at `dueAt`, while `lockedBy` still holds it. */
  retry(messageId: string, lockedBy: string, dueAt: number): Promise<void>;

  /** The cached result for `url`, unless it expired by `now`. */
  cached(url: string, now: number): Promise<CachedPreview | undefined>;
  /** Stores (or replaces) the result for its URL. */
  saveCache(entry: CachedPreview): Promise<void>;
  /** Deletes cache rows that expired before `before`; how many. */
  pruneCache(before: number): Promise<number>;

  /** The message's previews (empty lists when it has none, or does not exist). */
  ofMessage(messageId: string): Promise<MessagePreviews>;
  /** Replaces the message's previews and removed URLs. */
  setForMessage(messageId: string, previews: MessagePreviews): Promise<void>;
}
