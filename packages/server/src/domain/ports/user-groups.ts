/**
 * The storage port of user groups. store/user-group-store.ts implements it.
 */
import type { UserGroup } from '../model.js';

export interface NewUserGroup {
  id: string;
  workspaceId: string;
  name: string;
  handle: string;
  description: string;
  createdBy: string | null;
  now: number;
}

export type UserGroupPatch = Partial<Pick<UserGroup, 'name' | 'handle' | 'description' | 'disabled'>>;

/**
 * What the domain asks of this storage; implemented in store/ (user-group-store.ts).
 */
export interface UserGroupStorage {
  /** Inserts a group without members; false when the workspace already has a group with this handle. */
  insertGroup(g: NewUserGroup): Promise<boolean>;
  /** One group of the workspace with its members; undefined when there is none. */
  group(workspaceId: string, id: string): Promise<UserGroup | undefined>;
  /** The group, row-locked on PostgreSQL until the transaction ends (so concurrent updates queue). */
  lockGroup(workspaceId: string, id: string): Promise<UserGroup | undefined>;
  /** Every group of the workspace, oldest first, each with its members. */
  groups(workspaceId: string): Promise<UserGroup[]>;
  /** Member ids of one group, in id order. */
  memberIds(groupId: string): Promise<string[]>;
  /** Whether another group of the workspace (not `exceptId`) has this handle. */
  handleTaken(workspaceId: string, handle: string, exceptId?: string): Promise<boolean>;
  /**
   * Changes the group's own fields; false when the new handle was taken meanwhile (a unique
   * violation: on PostgreSQL the transaction is then aborted, so the caller must end it).
   */
  updateGroup(workspaceId: string, id: string, patch: UserGroupPatch, now: number): Promise<boolean>;
  /** Makes the group's members exactly `userIds`; answers who was added and who removed (id order). */
  setMembers(groupId: string, userIds: readonly string[], now: number): Promise<{
    added: string[];
    removed: string[];
  }>;
}
