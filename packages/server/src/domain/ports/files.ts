/**
 * The storage port of files' records (docs/pumble-app-platform.md §11.2): what was uploaded, by whom,
 * which message holds it, and the app flow's upload tokens. store/file-store.ts implements it. The
 * bytes themselves are FileStorage's (file-storage.ts).
 */
import type { FileRef } from '../model.js';

export interface StoredFile {
  id: string;
  workspaceId: string;
  uploaderId: string;
  /** the app whose token uploaded it (the app flow), else null */
  appId: string | null;
  name: string;
  size: number;
  /** sniffed from the bytes, never the client's word */
  mimeType: string;
  width: number | null;
  height: number | null;
  storageKey: string;
  thumbnail: { key: string; size: number; width: number; height: number; mimeType: string } | null;
  /** null until /v1/files/upload/complete (the app flow); a person's upload is complete at once */
  completedAt: number | null;
  messageId: string | null;
  channelId: string | null;
  publicToken: string | null;
  createdAt: number;
  /** since when no message holds it (null while one does) */
  orphanedAt: number | null;
}

/** A file a message in a channel holds, with that message: the channel's files gallery (docs/web-client.md §6.7). */
export interface ChannelFile {
  file: StoredFile;
  messageId: string;
  authorId: string;
  /** when the message was posted */
  postedAt: number;
  threadRootId: string | null;
}

/** Where a page of a channel's files goes on from: after this message's file (newest first). */
export interface ChannelFileCursor {
  messageId: string;
  fileId: string;
}

/** An upload token (§11.2): single use, 10 minutes, bound to a filename and a length. */
export interface UploadToken {
  tokenHash: string;
  productTokenHash: string;
  workspaceId: string;
  userId: string;
  appId: string | null;
  filename: string;
  length: number;
  createdAt: number;
  expiresAt: number;
}

export interface FileRecordStorage {
  insert(f: StoredFile): Promise<void>;
  get(id: string): Promise<StoredFile | undefined>;
  /** These files, in the order of `ids` (unknown ids left out); a PostgreSQL transaction locks them. */
  forUpdate(ids: readonly string[]): Promise<StoredFile[]>;
  markCompleted(id: string, now: number): Promise<boolean>;
  /** Attaches the files to the message and writes its FileRef list (messages.files), in one go. */
  attach(messageId: string, channelId: string, refs: readonly FileRef[]): Promise<void>;
  /** The message's files lose it (deleted message): its list is emptied, they become orphans from `now`. */
  detachMessage(messageId: string, now: number): Promise<void>;
  setPublicToken(id: string, token: string | null): Promise<void>;
  byPublicToken(token: string): Promise<StoredFile | undefined>;
  /** Orphans since before `before`, oldest first, at most `limit`. */
  orphansBefore(before: number, limit: number): Promise<StoredFile[]>;
  /** Deletes the row if it is still an orphan (a post may have claimed it meanwhile); true when deleted. */
  deleteOrphan(id: string): Promise<boolean>;
  /**
   * The files of the channel's messages that are not deleted, newest message first (a message's own
   * files by id, newest first), after `after` when given; at most `limit`.
   */
  channelFiles(channelId: string, after: ChannelFileCursor | undefined, limit: number): Promise<ChannelFile[]>;
  insertUploadToken(t: UploadToken): Promise<void>;
  /** Takes the token (single use: only one caller gets it), expired or not; undefined when unknown. */
  redeemUploadToken(tokenHash: string): Promise<UploadToken | undefined>;
  /** Deletes upload tokens that expired before `now`; how many. */
  pruneUploadTokens(now: number): Promise<number>;
}
