/**
 * Link previews' tables (migration 0023_link_previews; docs/web-client.md §6.1). Same conventions as
 * schema.ts: times are epoch milliseconds, booleans 0/1, JSON is text.
 */

export interface LinkPreviewCacheTable {
  url: string;
  /** 'ok' | 'none' | 'failed' */
  status: string;
  title: string | null;
  description: string | null;
  image_url: string | null;
  site_name: string | null;
  fetched_at: number;
  expires_at: number;
}

export interface LinkPreviewJobTable {
  message_id: string;
  workspace_id: string;
  channel_id: string;
  /** JSON string[] */
  urls: string;
  attempts: number;
  due_at: number;
  locked_until: number | null;
  locked_by: string | null;
  created_at: number;
}

/** The columns of `messages` the link preview store writes: JSON LinkPreview[] and JSON string[]. */
export interface MessageLinkPreviewColumns {
  id: string;
  link_previews: string | null;
  link_previews_removed: string | null;
}

/** The one column of `workspaces` the link preview store reads and writes: 1 on, 0 off. */
export interface WorkspaceLinkPreviewColumn {
  id: string;
  link_previews: number;
}

export interface LinkPreviewDatabase {
  link_previews: LinkPreviewCacheTable;
  link_preview_jobs: LinkPreviewJobTable;
  messages: MessageLinkPreviewColumns;
  workspaces: WorkspaceLinkPreviewColumn;
}
