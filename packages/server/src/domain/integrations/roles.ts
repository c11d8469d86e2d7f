/**
 * The Rocket.Chat permission model integrations use (docs/integrations.md §5): permissions held by
 * roles, the mapping per workspace and changeable by its admins (`permissions.update`), read on
 * every check so that a change takes effect at once on every node.
 */
import type { CoreContext } from '../context.js';
import type { ChatStore } from '../ports/chat-store.js';
import { commit } from '../context.js';
import { forbidden } from '../errors.js';
import { failureError } from './errors.js';
import { isAdmin, type Role, type User } from '../model.js';

export const PERMISSIONS = {
  manageIncoming: 'manage-incoming-integrations',
  manageOwnIncoming: 'manage-own-incoming-integrations',
  manageOutgoing: 'manage-outgoing-integrations',
  manageOwnOutgoing: 'manage-own-outgoing-integrations',
  impersonate: 'message-impersonate',
} as const;
export type Permission = (typeof PERMISSIONS)[keyof typeof PERMISSIONS];

/** §5 defaults: the four integration permissions to `admin` only; impersonation to `bot` and `app`. */
export const DEFAULT_PERMISSION_ROLES: Readonly<Record<Permission, readonly string[]>> = {
  'manage-incoming-integrations': ['admin'],
  'manage-own-incoming-integrations': ['admin'],
  'manage-outgoing-integrations': ['admin'],
  'manage-own-outgoing-integrations': ['admin'],
  'message-impersonate': ['bot', 'app'],
};

export const KNOWN_ROLES = ['admin', 'user', 'guest', 'bot', 'app'] as const;

const isPermission = (p: string): p is Permission => Object.prototype.hasOwnProperty.call(DEFAULT_PERMISSION_ROLES, p);

/** §5's role names for a workspace user: owners and admins are `admin`, members `user`, guests `guest`; bots add `bot`. */
export function rocketChatRoles(user: { role: Role; isBot: boolean }): string[] {
  const base = user.role === 'OWNER' || user.role === 'ADMIN' ? 'admin' : user.role === 'GUEST' ? 'guest' : 'user';
  return user.isBot ? [base, 'bot'] : [base];
}

/** A user's Rocket.Chat roles: from their Switchboard role, bot flag, and the extra roles they were given. */
export function rolesOf(user: Pick<User, 'role' | 'isBot' | 'extraRoles'>): string[] {
  return [...new Set([...rocketChatRoles(user), ...user.extraRoles])];
}

export interface PermissionEntry {
  _id: Permission;
  roles: string[];
}

export class RolePermissions {
  constructor(private readonly ctx: CoreContext) {}

  /** Every permission of §5 with the roles that hold it in this workspace. */
  async list(workspaceId: string): Promise<PermissionEntry[]> {
    const changed = await this.ctx.store.integrations.rolePermissions(workspaceId);
    return (Object.keys(DEFAULT_PERMISSION_ROLES) as Permission[]).map((p) => ({ _id: p, roles: [...(changed.get(p) ?? DEFAULT_PERMISSION_ROLES[p])] }));
  }

  /** Which of `permissions` the user holds. */
  async held(user: User, permissions: readonly Permission[]): Promise<Set<Permission>> {
    const mine = new Set(rolesOf(user));
    const changed = await this.ctx.store.integrations.rolePermissions(user.workspaceId);
    return new Set(permissions.filter((p) => (changed.get(p) ?? DEFAULT_PERMISSION_ROLES[p]).some((r) => mine.has(r))));
  }

  async has(user: User, permission: Permission): Promise<boolean> {
    return (await this.held(user, [permission])).has(permission);
  }

  /**
   * `permissions.update`: workspace admins only; unknown permissions and roles that do not exist are
   * refused, not ignored — first the permissions, then the roles, in the reference's words
   * (`Invalid permission` / `error-invalid-permission`, `Invalid role` / `error-invalid-role`), with
   * which entry and value in `details`. A role granted to nobody would otherwise be saved silently,
   * and a typo would leave the permission with fewer holders than the admin meant.
   */
  async update(actor: User, entries: ReadonlyArray<{ _id: string; roles: readonly string[] }>): Promise<PermissionEntry[]> {
    if (!isAdmin(actor)) throw forbidden('Only workspace admins can change permissions');
    for (const [i, e] of entries.entries()) {
      if (!isPermission(e._id)) throw failureError('error-invalid-permission', 'Invalid permission', { field: `permissions[${i}]._id`, permission: e._id });
    }
    const roles = await this.existingRoles(actor.workspaceId, entries.flatMap((e) => e.roles));
    for (const [i, e] of entries.entries()) {
      const unknown = e.roles.find((r) => typeof r !== 'string' || !roles.has(r));
      if (unknown !== undefined) throw failureError('error-invalid-role', 'Invalid role', { field: `permissions[${i}].roles`, role: unknown });
    }
    await commit(this.ctx, async (tx) => {
      for (const e of entries) await tx.integrations.setRolePermission(actor.workspaceId, e._id, [...new Set(e.roles)], this.ctx.now());
    });
    const all = await this.list(actor.workspaceId);
    const touched = new Set(entries.map((e) => e._id));
    return all.filter((p) => touched.has(p._id));
  }

  /**
   * The roles of the workspace that `wanted` may name: the built-in ones (KNOWN_ROLES) and every
   * extra role one of its people holds (`users.create` with `roles`, §5) — Switchboard has no role
   * list of its own, a role exists once someone was given it. The people are read only when a
   * wanted role is not built in.
   */
  private async existingRoles(workspaceId: string, wanted: readonly string[]): Promise<ReadonlySet<string>> {
    const roles = new Set<string>(KNOWN_ROLES);
    if (wanted.every((r) => roles.has(r))) return roles;
    for (const user of await this.ctx.store.users(workspaceId)) for (const r of user.extraRoles) roles.add(r);
    return roles;
  }

  /** Gives the user a role (post-as users get `bot`, §5); a no-op when they hold it already. */
  async grantRole(user: User, role: string, tx: ChatStore = this.ctx.store): Promise<void> {
    if (rolesOf(user).includes(role)) return;
    await tx.setExtraRoles(user.workspaceId, user.id, [...user.extraRoles, role], this.ctx.now());
  }
}
