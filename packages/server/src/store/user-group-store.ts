/**
 * SQL for user groups (docs/pumble-api.md §12.6). Like Store, a transaction's UserGroupStore is
 * bound to the transaction's connection; on SQLite the standalone store groups its transactions
 * into shared commits (GroupCommit), queued behind the server's own on the one connection.
 *
 * Lock order on PostgreSQL: a group row (lockGroup) before its member rows.
 */
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Engine } from './database.js';
import { isUniqueViolation } from './sql-errors.js';
import type { UserGroupDatabase, UserGroupTable } from './user-group-tables.js';
import type { NewUserGroup, UserGroupPatch, UserGroupStorage } from '../domain/ports/user-groups.js';
import type { UserGroup } from '../domain/model.js';

type Db = Kysely<UserGroupDatabase> | Transaction<UserGroupDatabase>;

/** Rows per INSERT / ids per IN list: far below SQLite's and PostgreSQL's bound-parameter limits. */
const CHUNK = 500;

const num = (v: number | string) => Number(v);

function toGroup(r: Selectable<UserGroupTable>, memberIds: string[]): UserGroup {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    name: r.name,
    handle: r.handle,
    description: r.description,
    disabled: r.disabled === 1 || (r.disabled as unknown) === true,
    createdBy: r.created_by,
    createdAt: num(r.created_at),
    updatedAt: num(r.updated_at),
    memberIds,
  };
}

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

export class UserGroupStore implements UserGroupStorage {
  private readonly db: Db;

  constructor(
    db: Kysely<any> | Transaction<any>,
    readonly engine: Engine,
  ) {
    this.db = db as Db;
  }

  /** Inserts a group without members; false when the workspace already has a group with this handle. */
  async insertGroup(g: NewUserGroup): Promise<boolean> {
    const inserted = await this.db
      .insertInto('user_groups')
      .values({
        id: g.id,
        workspace_id: g.workspaceId,
        name: g.name,
        handle: g.handle,
        description: g.description,
        disabled: 0,
        created_by: g.createdBy,
        created_at: g.now,
        updated_at: g.now,
      })
      // ON CONFLICT rather than catching: a failed insert would abort a PostgreSQL transaction.
      .onConflict((oc) => oc.columns(['workspace_id', 'handle']).doNothing())
      .returning('id')
      .executeTakeFirst();
    return inserted !== undefined;
  }

  /** One group of the workspace with its members; undefined when there is none. */
  async group(workspaceId: string, id: string): Promise<UserGroup | undefined> {
    return this.readGroup(workspaceId, id, false);
  }

  /** The group, row-locked on PostgreSQL until the transaction ends (so concurrent updates queue). */
  async lockGroup(workspaceId: string, id: string): Promise<UserGroup | undefined> {
    return this.readGroup(workspaceId, id, true);
  }

  private async readGroup(workspaceId: string, id: string, lock: boolean): Promise<UserGroup | undefined> {
    let q = this.db.selectFrom('user_groups').selectAll().where('id', '=', id).where('workspace_id', '=', workspaceId);
    if (lock && this.engine === 'postgres') q = q.forUpdate();
    const r = await q.executeTakeFirst();
    return r && toGroup(r, await this.memberIds(r.id));
  }

  /** Every group of the workspace, oldest first, each with its members. */
  async groups(workspaceId: string): Promise<UserGroup[]> {
    const rows = await this.db.selectFrom('user_groups').selectAll().where('workspace_id', '=', workspaceId).orderBy('id').execute();
    if (rows.length === 0) return [];
    const members = await this.db
      .selectFrom('user_group_members as m')
      .innerJoin('user_groups as g', 'g.id', 'm.group_id')
      .select(['m.group_id', 'm.user_id'])
      .where('g.workspace_id', '=', workspaceId)
      .orderBy('m.group_id')
      .orderBy('m.user_id')
      .execute();
    const byGroup = new Map<string, string[]>();
    for (const m of members) {
      const list = byGroup.get(m.group_id) ?? [];
      list.push(m.user_id);
      byGroup.set(m.group_id, list);
    }
    return rows.map((r) => toGroup(r, byGroup.get(r.id) ?? []));
  }

  /** Member ids of one group, in id order. */
  async memberIds(groupId: string): Promise<string[]> {
    const rows = await this.db.selectFrom('user_group_members').select('user_id').where('group_id', '=', groupId).orderBy('user_id').execute();
    return rows.map((r) => r.user_id);
  }

  /** Whether another group of the workspace (not `exceptId`) has this handle. */
  async handleTaken(workspaceId: string, handle: string, exceptId?: string): Promise<boolean> {
    let q = this.db.selectFrom('user_groups').select('id').where('workspace_id', '=', workspaceId).where('handle', '=', handle);
    if (exceptId !== undefined) q = q.where('id', '!=', exceptId);
    return (await q.executeTakeFirst()) !== undefined;
  }

  /**
   * Changes the group's own fields; false when the new handle was taken meanwhile (a unique
   * violation: on PostgreSQL the transaction is then aborted, so the caller must end it).
   */
  async updateGroup(workspaceId: string, id: string, patch: UserGroupPatch, now: number): Promise<boolean> {
    try {
      await this.db
        .updateTable('user_groups')
        .set({
          ...(patch.name !== undefined && { name: patch.name }),
          ...(patch.handle !== undefined && { handle: patch.handle }),
          ...(patch.description !== undefined && { description: patch.description }),
          ...(patch.disabled !== undefined && { disabled: patch.disabled ? 1 : 0 }),
          updated_at: now,
        })
        .where('id', '=', id)
        .where('workspace_id', '=', workspaceId)
        .execute();
      return true;
    } catch (e) {
      if (isUniqueViolation(e)) return false;
      throw e;
    }
  }

  /** Makes the group's members exactly `userIds`; answers who was added and who removed (id order). */
  async setMembers(groupId: string, userIds: readonly string[], now: number): Promise<{ added: string[]; removed: string[] }> {
    const wanted = new Set(userIds);
    const current = await this.memberIds(groupId);
    const have = new Set(current);
    const added = [...wanted].filter((id) => !have.has(id)).sort();
    const removed = current.filter((id) => !wanted.has(id));
    for (const part of chunks(removed)) {
      await this.db.deleteFrom('user_group_members').where('group_id', '=', groupId).where('user_id', 'in', part).execute();
    }
    for (const part of chunks(added)) {
      await this.db
        .insertInto('user_group_members')
        .values(part.map((userId) => ({ group_id: groupId, user_id: userId, added_at: now })))
        .onConflict((oc) => oc.columns(['group_id', 'user_id']).doNothing())
        .execute();
    }
    return { added, removed };
  }
}
