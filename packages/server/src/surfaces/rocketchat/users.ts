/**
 * `users.*` and `permissions.*` (docs/integrations.md §5, §12.5). Rocket.Chat roles map onto Switchboard's
 * model: `admin` makes a workspace admin, everyone else is a member; other role names (`bot`, `app`…)
 * are kept as extra roles, which is what the permission mapping reads.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Core } from '../../domain/index.js';
import type { User } from '../../domain/model.js';
import { DomainError } from '../../domain/errors.js';
import { plainError } from '../../domain/integrations/errors.js';
import { ok, rcResponses, rcSecurity } from './envelope.js';
import { page, paging, PaginationQuery } from './pagination.js';
import { presentUser } from './present.js';

/** Roles the Switchboard role already expresses; they are not stored as extra roles. */
const BASE_ROLES = new Set(['admin', 'user']);

const UserCreateBody = Type.Object(
  {
    email: Type.String({ minLength: 3, maxLength: 320 }),
    name: Type.String({ minLength: 1, maxLength: 120 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
    username: Type.String({ minLength: 1, maxLength: 64 }),
    roles: Type.Optional(Type.Array(Type.String(), { description: "default ['user']; 'admin' makes a workspace admin" })),
    active: Type.Optional(Type.Boolean()),
    verified: Type.Optional(Type.Boolean({ description: 'accepted; addresses count as verified' })),
    joinDefaultChannels: Type.Optional(Type.Boolean({ description: 'accepted; members always join general' })),
    requirePasswordChange: Type.Optional(Type.Boolean()),
    sendWelcomeEmail: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const userRoutes: FastifyPluginAsyncTypebox<{ core: Core }> = async (app, { core }) => {
  const tags = ['rocket.chat users'];
  const security = rcSecurity;
  const config = { rocketChat: { auth: true } };

  /**
   * `userId` or `username`, as upstream's users.info takes either; its two failures are plain
   * 400s: `Invalid search query.` (neither given) and `User not found.`.
   */
  async function userOf(actor: User, q: { userId?: string; username?: string }): Promise<User> {
    const lookup = q.userId ? core.accounts.getUser(actor, q.userId) : q.username ? core.accounts.getUserByUsername(actor, q.username) : undefined;
    if (!lookup) throw plainError('Invalid search query.');
    return lookup.catch((e: unknown) => {
      if (e instanceof DomainError && e.kind === 'not_found') throw plainError('User not found.');
      throw e;
    });
  }

  app.post(
    '/users.create',
    { config, schema: { tags, ...security, summary: 'Create a user (workspace admins) → {user}', body: UserCreateBody, response: rcResponses() } },
    async (request) => {
      const { email, name, password, username, roles = ['user'], active } = request.body;
      const created = await core.accounts.createUser(
        request.user,
        { email, name, password, role: roles.includes('admin') ? 'ADMIN' : 'MEMBER' },
        { username, extraRoles: roles.filter((r) => !BASE_ROLES.has(r)) },
      );
      const user = active === false ? await core.accounts.setStatus(request.user, created.id, 'DEACTIVATED') : created;
      return ok({ user: presentUser(user) });
    },
  );

  app.post(
    '/users.delete',
    {
      config,
      schema: {
        tags,
        ...security,
        summary: 'Remove a user: Switchboard deactivates them (sessions end at once; their messages stay)',
        body: Type.Object({ userId: Type.String({ minLength: 1 }), confirmRelinquish: Type.Optional(Type.Boolean()) }),
        response: rcResponses(),
      },
    },
    async (request) => {
      await core.accounts.setStatus(request.user, request.body.userId, 'DEACTIVATED');
      return ok({});
    },
  );

  app.get(
    '/users.info',
    {
      config,
      schema: {
        tags,
        ...security,
        summary: 'One user, by userId or username → {user}',
        querystring: Type.Object({ userId: Type.Optional(Type.String()), username: Type.Optional(Type.String()) }),
        response: rcResponses(),
      },
    },
    async (request) => ok({ user: presentUser(await userOf(request.user, request.query)) }),
  );

  app.get(
    '/users.list',
    {
      config,
      schema: {
        tags,
        ...security,
        summary: 'The workspace users, by username → {users, offset, count, total}',
        querystring: Type.Object(PaginationQuery),
        response: rcResponses(),
      },
    },
    async (request) => {
      const p = paging(request.query, ['username', 'name'] as const, { field: 'username', direction: 'asc' });
      const users = await core.accounts.listUsers(request.user);
      const dir = p.sort.direction === 'asc' ? 1 : -1;
      users.sort((a, b) => dir * a[p.sort.field].localeCompare(b[p.sort.field]));
      return ok(page('users', users.slice(p.offset, p.offset + p.count).map(presentUser), p.offset, users.length));
    },
  );

  app.post(
    '/permissions.update',
    {
      config,
      schema: {
        tags,
        ...security,
        summary: 'Set which roles hold each permission (workspace admins) → {permissions}',
        body: Type.Object({
          permissions: Type.Array(Type.Object({ _id: Type.String({ minLength: 1 }), roles: Type.Array(Type.String()) }), { minItems: 1 }),
        }),
        response: rcResponses(),
      },
    },
    async (request) => ok({ permissions: await core.roles.update(request.user, request.body.permissions) }),
  );

  app.get(
    '/permissions.listAll',
    { config, schema: { tags, ...security, summary: 'Every permission with its roles → {update, remove}', response: rcResponses() } },
    async (request) => ok({ update: await core.roles.list(request.user.workspaceId), remove: [] }),
  );
};
