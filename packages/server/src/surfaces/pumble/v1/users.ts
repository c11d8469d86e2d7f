import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { LOGIN_FAILURES, LOGIN_WINDOW_MS, PASSWORD_MIN_LENGTH } from '../../../domain/accounts.js';
import type { Core } from '../../../domain/index.js';
import { sessionSecurity } from '../authenticate.js';
import { presentUser, presentWorkspace } from './present.js';
import { ref, responses } from './schemas.js';

const UserParams = Type.Object({ userId: Type.String() });
const WorkspaceSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  customStatusDefinitions: Type.Array(Type.Unknown()),
  uniqueIdentifier: Type.String(),
  locale: Type.Optional(Type.String({ description: "extension: the workspace's default language" })),
});

export const userRoutes: FastifyPluginAsyncTypebox<{ core: Core }> = async (app, { core }) => {
  const tags = ['workspace'];
  const security = sessionSecurity;

  app.get(
    '/v1/workspaceUsers',
    {
      config: { scope: 'users:list' }, schema: { tags, security, summary: 'Every user of the workspace', response: responses({ 200: Type.Array(ref('WorkspaceUser')) }) } },
    async (request) => (await core.accounts.listUsers(request.user)).map((u) => presentUser(u)),
  );

  app.get(
    '/v1/workspaceUsers/:userId',
    {
      config: { scope: 'user:read' }, schema: { tags, security, summary: 'One workspace user', params: UserParams, response: responses({ 200: ref('WorkspaceUser') }) } },
    async (request) => presentUser(await core.accounts.getUser(request.user, request.params.userId)),
  );

  app.post(
    '/v1/workspaceUsers',
    {
      config: { scope: 'people' },
      schema: {
        tags,
        security,
        summary: 'Create a user (owners and admins)',
        body: Type.Object({
          email: Type.String({ minLength: 3, maxLength: 320 }),
          name: Type.String({ minLength: 1, maxLength: 120 }),
          password: Type.String({ minLength: 8, maxLength: 1024 }),
          role: Type.Optional(Type.Union([Type.Literal('OWNER'), Type.Literal('ADMIN'), Type.Literal('MEMBER'), Type.Literal('GUEST')])),
        }),
        response: responses({ 200: ref('WorkspaceUser') }),
      },
    },
    async (request) => presentUser(await core.accounts.createUser(request.user, request.body)),
  );

  for (const [action, status] of [
    ['deactivate', 'DEACTIVATED'],
    ['activate', 'ACTIVATED'],
  ] as const) {
    app.post(
      `/v1/workspaceUsers/:userId/${action}`,
      {
        config: { scope: 'people' },
        schema: {
          tags,
          security,
          summary: action === 'deactivate' ? "Deactivate a user: their sessions and connections end at once" : 'Reactivate a user',
          params: UserParams,
          response: responses({ 200: ref('WorkspaceUser') }),
        },
      },
      async (request) => presentUser(await core.accounts.setStatus(request.user, request.params.userId, status)),
    );
  }

  app.put(
    '/v1/workspaceUsers/customStatus',
    {
      config: { scope: 'status:write' },
      schema: {
        tags,
        security,
        summary: "Set the caller's custom status",
        body: Type.Object({
          code: Type.String({ description: 'an emoji code such as :palm_tree:' }),
          status: Type.Optional(Type.String({ maxLength: 100 })),
          expiration: Type.Optional(Type.String({ description: 'accepted for compatibility; expiresAt decides' })),
          expiresAt: Type.Integer({ minimum: 0, description: 'epoch ms; 0 = never' }),
          pausedNotifications: Type.Optional(Type.Boolean()),
        }),
        response: responses({ 200: ref('WorkspaceUser') }),
      },
    },
    async (request) => presentUser(await core.accounts.setCustomStatus(request.user, request.body)),
  );

  app.delete(
    '/v1/workspaceUsers/customStatus',
    {
      config: { scope: 'status:write' },
      schema: { tags, security, summary: "Clear the caller's custom status (extension)", response: responses({ 200: ref('WorkspaceUser') }) },
    },
    async (request) => presentUser(await core.accounts.clearCustomStatus(request.user)),
  );

  app.put(
    '/v1/workspaceUsers/me',
    {
      config: { scope: 'people' },
      schema: {
        tags,
        security,
        summary: "Extension: the caller's display name and time zone",
        body: Type.Object({ name: Type.Optional(Type.String({ maxLength: 200 })), timeZone: Type.Optional(Type.String({ maxLength: 64, description: 'an IANA zone such as Europe/Lisbon' })) }),
        response: responses({ 200: ref('WorkspaceUser') }),
      },
    },
    async (request) => presentUser(await core.accounts.updateProfile(request.user, request.body)),
  );

  app.put(
    '/v1/workspaceUsers/:userId/role',
    {
      config: { scope: 'people' },
      schema: {
        tags,
        security,
        summary: "Extension: owners and admins change a person's role (an owner's, or to owner, only by an owner; not one's own)",
        params: UserParams,
        body: Type.Object({ role: Type.Union([Type.Literal('OWNER'), Type.Literal('ADMIN'), Type.Literal('MEMBER'), Type.Literal('GUEST')]) }),
        response: responses({ 200: ref('WorkspaceUser') }),
      },
    },
    async (request) => presentUser(await core.accounts.setRole(request.user, request.params.userId, request.body.role)),
  );

  app.post(
    '/v1/workspaceUsers/:userId/password/reset',
    {
      config: { scope: 'people' },
      schema: {
        tags,
        security,
        summary: "Extension: owners and admins give a person a new generated password, answered once; the person's sessions end",
        params: UserParams,
        response: responses({ 200: Type.Object({ password: Type.String() }) }),
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return core.accounts.resetPasswordOf(request.user, request.params.userId);
    },
  );

  app.put(
    '/v1/workspaceUsers/me/locale',
    {
      config: { scope: 'people' },
      schema: {
        tags,
        security,
        summary: "Extension: the caller's language (en, pt-BR, es …); null follows the workspace",
        body: Type.Object({ locale: Type.Union([Type.String({ maxLength: 35 }), Type.Null()]) }),
        response: responses({ 200: ref('WorkspaceUser') }),
      },
    },
    async (request) => presentUser(await core.accounts.setLocale(request.user, request.body.locale)),
  );

  app.put(
    '/v1/workspaceUsers/me/password',
    {
      // People only: apps and their bots hold tokens, not passwords.
      config: { scope: 'people' },
      schema: {
        tags,
        security,
        summary: "Extension: change the caller's password; the caller's other sessions end, this one stays",
        description:
          'A wrong `currentPassword` is 403 with `field: currentPassword` and counts as a failed login from this address: ' +
          `after ${LOGIN_FAILURES} failures within ${LOGIN_WINDOW_MS / 60_000} minutes both this route and \`POST /auth/login\` answer 429 until the window ends.`,
        body: Type.Object({
          currentPassword: Type.String({ minLength: 1, maxLength: 1024 }),
          newPassword: Type.String({ minLength: PASSWORD_MIN_LENGTH, maxLength: 1024 }),
        }),
        response: responses({ 204: Type.Unsafe<undefined>({ description: 'Changed' }) }),
      },
    },
    async (request, reply) => {
      // /v1 admits people by their session token only (header or cookie), so it is there and a session's.
      await core.accounts.changePassword(request.user, request.sessionToken!, request.body, request.ip);
      return reply.code(204).send();
    },
  );

  app.get(
    '/v1/workspace',
    {
      config: { scope: 'workspace:read' },
      schema: {
        tags,
        security,
        summary: 'The workspace',
        response: responses({
          200: WorkspaceSchema,
        }),
      },
    },
    async (request) => presentWorkspace(await core.accounts.workspace(request.user)),
  );

  app.put(
    '/v1/workspace',
    {
      config: { scope: 'people' },
      schema: {
        tags,
        security,
        summary: "Extension: owners change the workspace's name and default language",
        body: Type.Object({ name: Type.Optional(Type.String({ maxLength: 200 })), locale: Type.Optional(Type.String({ maxLength: 35 })) }),
        response: responses({ 200: WorkspaceSchema }),
      },
    },
    async (request) => presentWorkspace(await core.accounts.updateWorkspace(request.user, request.body)),
  );
};
