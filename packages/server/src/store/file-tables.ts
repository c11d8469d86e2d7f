/**
 * Files' tables (migration 0019_files; docs/pumble-app-platform.md §11.2). Same conventions as
 * schema.ts: times are epoch milliseconds, JSON is text.
 */

export interface FileTable {
  id: string;
  workspace_id: string;
  uploader_id: string;
  app_id: string | null;
  name: string;
  size: number;
  /** sniffed from the bytes */
  mime_type: string;
  width: number | null;
  height: number | null;
  storage_key: string;
  thumb_key: string | null;
  thumb_size: number | null;
  thumb_width: number | null;
  thumb_height: number | null;
  thumb_mime_type: string | null;
  completed_at: number | null;
  message_id: string | null;
  channel_id: string | null;
  public_token: string | null;
  created_at: number;
  orphaned_at: number | null;
}

export interface FileUploadTokenTable {
  token_hash: string;
  product_token_hash: string;
  workspace_id: string;
  user_id: string;
  app_id: string | null;
  filename: string;
  length: number;
  created_at: number;
  expires_at: number;
}

/**
 * The one column of `messages` the file store writes: the message's FileRef list, JSON; and the ones
 * a channel's files gallery reads with it.
 */
export interface MessageFilesColumn {
  id: string;
  files: string | null;
  author_id: string;
  thread_root_id: string | null;
  deleted: number;
  created_at: number;
}

export interface FileDatabase {
  files: FileTable;
  file_upload_tokens: FileUploadTokenTable;
  messages: MessageFilesColumn;
}
