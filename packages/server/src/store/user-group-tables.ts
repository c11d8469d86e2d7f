/**
 * User groups (docs/pumble-api.md §12.6 `UserGroup`), as tables. Same conventions as
 * schema.ts: times are epoch milliseconds, booleans 0/1 integers.
 */
import type { Kysely } from 'kysely';

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

/** The body of migration 0010_user_groups. */
export async function createUserGroupTables(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('user_groups')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('handle', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  // One handle per workspace; also serves listing a workspace's groups.
  await db.schema.createIndex('user_groups_handle').on('user_groups').columns(['workspace_id', 'handle']).unique().execute();

  await db.schema
    .createTable('user_group_members')
    .addColumn('group_id', 'text', (c) => c.notNull().references('user_groups.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('workspace_users.id'))
    .addColumn('added_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('user_group_members_pk', ['group_id', 'user_id'])
    .execute();
  // The groups a user belongs to.
  await db.schema.createIndex('user_group_members_user').on('user_group_members').column('user_id').execute();
}
