/**
 * Views and loading states as tables (docs/app-platform.md §9.3, §9.4, §11.2). Same conventions as
 * schema.ts: times are epoch milliseconds, booleans 0/1, JSON as text. Made by migration
 * 0016_interactive_apps.
 */
export interface ViewTable {
  id: string;
  workspace_id: string;
  app_id: string;
  user_id: string;
  /** MODAL | HOME */
  type: string;
  /** `<app_id>:<user_id>` for home views (one per app and person), null for modals */
  home_key: string | null;
  stack_parent_id: string | null;
  depth: number;
  callback_id: string | null;
  notify_on_close: number;
  channel_id: string | null;
  thread_root_id: string | null;
  /** app | default | builtin */
  source: string;
  /** JSON: the app's view document minus id, type and state */
  document: string;
  /** JSON: {values: …} */
  state: string;
  version: number;
  created_at: number;
  updated_at: number;
}

export interface InteractionLoadTable {
  trigger_id: string;
  app_id: string;
  workspace_id: string;
  user_id: string;
  channel_id: string | null;
  block_id: string | null;
  source_type: string;
  source_id: string;
  on_action: string;
  started_at: number;
  ends_at: number;
  complete_until: number;
  completed_at: number | null;
  completed_by: string | null;
}

export interface ViewDatabase {
  views: ViewTable;
  interaction_loads: InteractionLoadTable;
}
