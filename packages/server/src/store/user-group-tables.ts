/**
 * User groups (docs/pumble-api.md §12.6 `UserGroup`), as tables. Same conventions as
 * schema.ts: times are epoch milliseconds, booleans 0/1 integers.
 */

export interface UserGroupTable {
  id: string;
  workspace_id: string;
  name: string;
  /** lower-case letters, digits, - and _; unique per workspace (what `@handle` mentions name) */
  handle: string;
  description: string;
  disabled: number;
  /** the workspace user who created it; null for groups no person made */
  created_by: string | null;
  created_at: number;
  updated_at: number;
}

export interface UserGroupMemberTable {
  group_id: string;
  user_id: string;
  added_at: number;
}

export interface UserGroupDatabase {
  user_groups: UserGroupTable;
  user_group_members: UserGroupMemberTable;
}
