import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { MAX_GROUP_DESCRIPTION, MAX_GROUP_MEMBERS, MAX_GROUP_NAME,  type UserGroups } from '../../../domain/user-groups.js';
import { sessionSecurity } from '../authenticate.js';
import { Id, responses } from './schemas.js';
import type { UserGroup } from '../../../domain/model.js';

/** docs/pumble-api.md §12.6 `UserGroup`. */
export const UserGroupSchema = Type.Object({
  id: Id,
  name: Type.String(),
  handle: Type.String({ description: 'lower-case letters, digits, - and _; unique in the workspace' }),
  description: Type.Optional(Type.String()),
  disabled: Type.Optional(Type.Boolean()),
  createdBy: Type.Optional(Type.String({ description: 'workspace user id of the creator' })),
  workspaceId: Id,
  workspaceUserIds: Type.Optional(Type.Array(Type.String())),
});

export function presentUserGroup(g: UserGroup) {
  return {
    id: g.id,
    name: g.name,
    handle: g.handle,
    description: g.description,
    disabled: g.disabled,
    ...(g.createdBy !== null && { createdBy: g.createdBy }),
    workspaceId: g.workspaceId,
    workspaceUserIds: g.memberIds,
  };
}

const GroupParams = Type.Object({ groupId: Type.String() });
const Name = Type.String({ minLength: 1, maxLength: MAX_GROUP_NAME });
// Case and the pattern are the core's to check: it lower-cases the handle first.
const Handle = Type.String({ minLength: 1, maxLength: 64, description: 'lower-case letters, digits, - and _ (1–64)' });
const Description = Type.String({ maxLength: MAX_GROUP_DESCRIPTION });
const Members = Type.Array(Type.String(), { maxItems: MAX_GROUP_MEMBERS, description: 'workspace user ids' });

export const userGroupRoutes: FastifyPluginAsyncTypebox<{ userGroups: UserGroups }> = async (app, { userGroups }) => {
  const tags = ['workspace'];
  const security = sessionSecurity;

  app.get(
    '/v1/workspaceUsers/groups',
    {
      config: { scope: 'users:list' },
      schema: { tags, security, summary: "The workspace's user groups, each with its members", response: responses({ 200: Type.Array(UserGroupSchema) }) },
    },
    async (request) => (await userGroups.list(request.user)).map(presentUserGroup),
  );

  app.get(
    '/v1/workspaceUsers/groups/:groupId',
    {
      config: { scope: 'people' },
      schema: { tags, security, summary: 'One user group (extension)', params: GroupParams, response: responses({ 200: UserGroupSchema }) },
    },
    async (request) => presentUserGroup(await userGroups.get(request.user, request.params.groupId)),
  );

  app.post(
    '/v1/workspaceUsers/groups',
    {
      config: { scope: 'people' },
      schema: {
        tags,
        security,
        summary: 'Create a user group (owners and admins; extension)',
        body: Type.Object({ name: Name, handle: Handle, description: Type.Optional(Description), workspaceUserIds: Type.Optional(Members) }),
        response: responses({ 200: UserGroupSchema }),
      },
    },
    async (request) => presentUserGroup(await userGroups.create(request.user, request.body)),
  );

  app.put(
    '/v1/workspaceUsers/groups/:groupId',
    {
      config: { scope: 'people' },
      schema: {
        tags,
        security,
        summary: 'Change a user group; `workspaceUserIds` replaces the member list (owners and admins; extension)',
        params: GroupParams,
        body: Type.Object({
          name: Type.Optional(Name),
          handle: Type.Optional(Handle),
          description: Type.Optional(Description),
          disabled: Type.Optional(Type.Boolean()),
          workspaceUserIds: Type.Optional(Members),
        }),
        response: responses({ 200: UserGroupSchema }),
      },
    },
    async (request) => presentUserGroup(await userGroups.update(request.user, request.params.groupId, request.body)),
  );
};
