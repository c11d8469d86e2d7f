import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import multipart from '@fastify/multipart';
import { Type } from 'typebox';
import { contentDisposition, filePart, refuseOversizedBodies } from './files.js';
import { LOGIN_FAILURES, LOGIN_WINDOW_MS, PASSWORD_MIN_LENGTH } from '../../../domain/accounts.js';
import type { Core } from '../../../domain/index.js';
import { sessionSecurity } from '../authenticate.js';
import { presentUser, presentWorkspace } from './present.js';
import { IdParam, ref, responses } from './schemas.js';

const UserParams = Type.Object({ userId: Type.String() });
const WorkspaceSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  customStatusDefinitions: Type.Array(Type.Unknown()),
  uniqueIdentifier: Type.String(),
  locale: Type.Optional(Type.String({ description: "extension: the workspace's default language" })),
  messageRetentionDays: Type.Optional(Type.Union([Type.Integer(), Type.Null()], { description: 'extension: messages older than this many days are deleted; null keeps them forever' })),
});

export const userRoutes: FastifyPluginAsyncTypebox<{ core: Core }> = async (app, { core }) => {
  const tags = ['workspace'];
  const security = sessionSecurity;
  const avatarMaxBytes = core.avatars.maxBytes;
  // Multipart for this plugin's avatar upload only; the limit is checked on the stream (filePart).
  await app.register(multipart, { limits: { fileSize: avatarMaxBytes + 1 } });

  app.put(
    '/v1/workspaceUsers/me/avatar',
    {
      config: { scope: 'people' },
      onRequest: refuseOversizedBodies(avatarMaxBytes),
      schema: {
        tags,
        security,
        summary: "Extension (docs/web-client.md §6.8): the caller's avatar, from an image in the multipart field `file`",
        description:
          `A JPEG, PNG, GIF or WebP image of at most ${avatarMaxBytes} bytes, kept as a ${256}-pixel square WebP; the user's \`avatar\` paths point at it. ` +
          'Anything else is 400 (`field: file`); a larger body is 413. Every user hears of it (user.updated).',
        consumes: ['multipart/form-data'],
        response: responses({ 200: ref('WorkspaceUser') }),
      },
    },
    async (request) => presentUser(await core.avatars.set(request.user, await filePart(request, avatarMaxBytes))),
  );

  app.delete(
    '/v1/workspaceUsers/me/avatar',
    {
      config: { scope: 'people' },
      schema: { tags, security, summary: "Extension: remove the caller's avatar (initials show again)", response: responses({ 200: ref('WorkspaceUser') }) },
    },
    async (request) => presentUser(await core.avatars.remove(request.user)),
  );

  app.get(
    '/v1/workspaceUsers/:userId/avatar/:avatarId',
    {
      config: { scope: 'user:read' },
      schema: {
        tags,
        security,
        summary: "Extension: a user's avatar image (the path in their `avatar`); an earlier avatar's is 404",
        params: Type.Object({ userId: IdParam, avatarId: IdParam }),
        response: responses({ 200: Type.Unsafe<unknown>({ description: 'the image (image/webp)' }) }),
      },
    },
    async (request, reply) => {
      const avatar = await core.avatars.open(request.user, request.params.userId, request.params.avatarId);
      // The headers every file is served with (files.ts): never a page, whatever the bytes hold.
      reply.header('x-content-type-options', 'nosniff');
      reply.header('content-security-policy', "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'");
      reply.header('content-disposition', contentDisposition('inline', 'avatar.webp'));
      // A new avatar has a new URL: this one's bytes never change.
      reply.header('cache-control', 'private, max-age=86400, immutable');
      reply.header('content-length', String(avatar.size));
      reply.type(avatar.mimeType);
      return reply.send(await avatar.open());
    },
  );

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
        summary: "Extension: owners change the workspace's name, default language and message retention",
        body: Type.Object({
          name: Type.Optional(Type.String({ maxLength: 200 })),
          locale: Type.Optional(Type.String({ maxLength: 35 })),
          messageRetentionDays: Type.Optional(
            Type.Union([Type.Integer({ minimum: 0, maximum: 36_500 }), Type.Null()], { description: 'days; 0 or null keeps messages forever (docs/web-client.md §7)' }),
          ),
        }),
        response: responses({ 200: WorkspaceSchema }),
      },
    },
    async (request) => presentWorkspace(await core.accounts.updateWorkspace(request.user, request.body)),
  );
};
