import type { ChatStore } from './ports/chat-store.js';
import { commit, type CoreContext } from './context.js';
import { conflict, forbidden, invalid, notFound } from './errors.js';
import type { Notice } from './events.js';
import { isId, newId } from './ids.js';
import { isAdmin, type User } from './model.js';
import type { UserGroupPatch } from './ports/user-groups.js';
import type { UserGroup, UserGroupEvent } from './model.js';

export const GROUP_HANDLE = /^[a-z0-9_-]{1,64}$/;
export const MAX_GROUP_NAME = 100;
export const MAX_GROUP_DESCRIPTION = 250;
export const MAX_GROUP_MEMBERS = 10_000;

export interface CreateUserGroupInput {
  name: string;
  handle: string;
  description?: string;
  workspaceUserIds?: readonly string[];
}

export interface UpdateUserGroupInput {
  name?: string;
  handle?: string;
  description?: string;
  disabled?: boolean;
  /** the complete new member list (replaces the old one) */
  workspaceUserIds?: readonly string[];
}

function checkName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length < 1 || trimmed.length > MAX_GROUP_NAME) throw invalid('name', `must be 1–${MAX_GROUP_NAME} characters`);
  return trimmed;
}

/** Handles are compared lower-cased: `Design` and `design` are one handle. */
function checkHandle(handle: string): string {
  const normalized = handle.trim().toLowerCase();
  if (!GROUP_HANDLE.test(normalized)) throw invalid('handle', 'must be 1–64 lower-case letters, digits, - or _');
  return normalized;
}

function checkDescription(description: string): string {
  if (description.length > MAX_GROUP_DESCRIPTION) throw invalid('description', `must be at most ${MAX_GROUP_DESCRIPTION} characters`);
  return description;
}

/** The distinct ids, each a user of the actor's workspace (any status: a deactivated member stays listed). */
async function checkMembers(tx: ChatStore, workspaceId: string, ids: readonly string[]): Promise<string[]> {
  const distinct = [...new Set(ids)];
  if (distinct.length > MAX_GROUP_MEMBERS) throw invalid('workspaceUserIds', `must list at most ${MAX_GROUP_MEMBERS} users`);
  const found = new Set((await tx.users(workspaceId, distinct.filter(isId))).map((u) => u.id));
  ids.forEach((id, i) => {
    if (!found.has(id)) throw invalid(`workspaceUserIds[${i}]`, 'no workspace user with this id');
  });
  return distinct;
}

export class UserGroups {
  constructor(
    private readonly ctx: CoreContext,
  ) {}

  /** Every group of the actor's workspace, disabled ones included. */
  async list(actor: User): Promise<UserGroup[]> {
    return this.ctx.store.userGroups.groups(actor.workspaceId);
  }

  async get(actor: User, id: string): Promise<UserGroup> {
    const group = isId(id) ? await this.ctx.store.userGroups.group(actor.workspaceId, id) : undefined;
    if (!group) throw notFound('User group');
    return group;
  }

  async create(actor: User, input: CreateUserGroupInput): Promise<UserGroup> {
    if (!isAdmin(actor)) throw forbidden('Only owners and admins can create user groups');
    const name = checkName(input.name);
    const handle = checkHandle(input.handle);
    const description = checkDescription(input.description ?? '');
    return commit(this.ctx, async (tx, notices) => {
      const groups = tx.userGroups;
      const memberIds = await checkMembers(tx, actor.workspaceId, input.workspaceUserIds ?? []);
      const t = this.ctx.now();
      const id = newId(t);
      const inserted = await groups.insertGroup({ id, workspaceId: actor.workspaceId, name, handle, description, createdBy: actor.id, now: t });
      if (!inserted) throw conflict(`A user group with the handle "${handle}" already exists`);
      await groups.setMembers(id, memberIds, t);
      const group = (await groups.group(actor.workspaceId, id))!;
      notices.push(await this.notice(tx, { type: 'user_group.created', group, actorId: actor.id }));
      return group;
    });
  }

  /** Changes only what the input names; an update that changes nothing writes nothing and tells no one. */
  async update(actor: User, id: string, input: UpdateUserGroupInput): Promise<UserGroup> {
    if (!isAdmin(actor)) throw forbidden('Only owners and admins can change user groups');
    const patch: UserGroupPatch = {
      ...(input.name !== undefined && { name: checkName(input.name) }),
      ...(input.handle !== undefined && { handle: checkHandle(input.handle) }),
      ...(input.description !== undefined && { description: checkDescription(input.description) }),
      ...(input.disabled !== undefined && { disabled: input.disabled }),
    };
    return commit(this.ctx, async (tx, notices) => {
      const groups = tx.userGroups;
      const before = isId(id) ? await groups.lockGroup(actor.workspaceId, id) : undefined;
      if (!before) throw notFound('User group');
      const memberIds = input.workspaceUserIds === undefined ? undefined : await checkMembers(tx, actor.workspaceId, input.workspaceUserIds);
      const changed = (Object.keys(patch) as Array<keyof UserGroupPatch>).filter((k) => patch[k] !== before[k]);
      const changes: UserGroupPatch = Object.fromEntries(changed.map((k) => [k, patch[k]]));
      if (changes.handle !== undefined && (await groups.handleTaken(actor.workspaceId, changes.handle, id))) {
        throw conflict(`A user group with the handle "${changes.handle}" already exists`);
      }
      const t = this.ctx.now();
      let membersChanged = false;
      if (memberIds !== undefined) {
        const { added, removed } = await groups.setMembers(id, memberIds, t);
        membersChanged = added.length > 0 || removed.length > 0;
      }
      if (changed.length === 0 && !membersChanged) return before;
      // Bumps updated_at for member changes too: the group as a whole changed.
      if (!(await groups.updateGroup(actor.workspaceId, id, changes, t))) {
        throw conflict(`A user group with the handle "${changes.handle}" already exists`);
      }
      const group = (await groups.group(actor.workspaceId, id))!;
      notices.push(await this.notice(tx, { type: 'user_group.updated', group, actorId: actor.id }));
      return group;
    });
  }

  /** Groups are workspace-wide knowledge: every active user hears of changes. */
  private async notice(tx: ChatStore, event: UserGroupEvent): Promise<Notice> {
    const audience = await tx.activeUserIds(event.group.workspaceId);
    return { workspaceId: event.group.workspaceId, audience, event };
  }
}
