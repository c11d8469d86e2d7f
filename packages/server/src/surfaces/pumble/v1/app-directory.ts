import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Core } from '../../../domain/index.js';
import { sessionSecurity } from '../authenticate.js';
import { Empty, Id, responses } from './schemas.js';

const AppParams = Type.Object({ appId: Type.String() });
const KeyParams = Type.Object({ keyId: Type.String() });

const DirectoryEntry = Type.Object({
  id: Id,
  name: Type.String(),
  displayName: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  avatarUrl: Type.Union([Type.String(), Type.Null()]),
  builtin: Type.Boolean({ description: 'shipped with the server (the API addon)' }),
  installed: Type.Boolean(),
  authorized: Type.Boolean({ description: 'the caller has allowed the app' }),
  botUserId: Type.Union([Type.String(), Type.Null()]),
  userScopes: Type.Array(Type.String()),
  botScopes: Type.Array(Type.String()),
  slashCommands: Type.Array(
    Type.Object({ command: Type.String(), description: Type.Union([Type.String(), Type.Null()]), usageHint: Type.Union([Type.String(), Type.Null()]) }),
  ),
});

const ApiKey = Type.Object({
  id: Id,
  name: Type.String(),
  hint: Type.String({ description: 'first 8 and last 4 characters: tells keys apart, cannot be used' }),
  createdAt: Type.Number({ description: 'epoch ms' }),
  lastUsedAt: Type.Union([Type.Number(), Type.Null()], { description: 'epoch ms, to the minute' }),
});

const AuditEntry = Type.Object({
  id: Id,
  actorId: Type.String(),
  ownerId: Type.String(),
  keyId: Type.String(),
  keyName: Type.String(),
  action: Type.Union([Type.Literal('created'), Type.Literal('deleted')]),
  via: Type.String(),
  at: Type.Number(),
});

/**
 * The web client's side of the app directory and of the API addon's page (docs/api-keys.md §2):
 * listing and installing apps, and a person's API keys. People only; apps have no business here.
 */
export const appDirectoryRoutes: FastifyPluginAsyncTypebox<{ core: Core }> = async (app, { core }) => {
  const tags = ['app directory'];
  const security = sessionSecurity;
  const config = { scope: 'people' };

  app.get(
    '/v1/apps/installed',
    {
      config,
      schema: {
        tags,
        security,
        summary: "The apps installed in the workspace, with each one's bot and whether it has a home view for the caller (web client; extension)",
        response: responses({
          200: Type.Array(
            Type.Object({
              id: Id,
              name: Type.String(),
              displayName: Type.String(),
              avatarUrl: Type.Union([Type.String(), Type.Null()]),
              builtin: Type.Boolean(),
              botUserId: Type.Union([Type.String(), Type.Null()], { description: 'the DM with it is the app page’s Messages tab' }),
              authorized: Type.Boolean({ description: 'the caller has allowed the app' }),
              hasHomeView: Type.Boolean(),
            }),
          ),
        }),
      },
    },
    async (request) => core.installs.installedApps(request.user),
  );

  app.get(
    '/v1/appDirectory',
    { config, schema: { tags, security, summary: 'The apps this workspace can add, with whether each is installed', response: responses({ 200: Type.Array(DirectoryEntry) }) } },
    async (request) => core.installs.directory(request.user),
  );

  app.post(
    '/v1/appDirectory/:appId/install',
    {
      config,
      schema: {
        tags,
        security,
        summary: 'Install → Allow: installs the app (admins) or, once installed, allows it for the caller; grants every scope it lists',
        params: AppParams,
        response: responses({ 200: Type.Object({ installed: Type.Boolean(), authorized: Type.Boolean() }) }),
      },
    },
    async (request) => core.installs.installFromDirectory(request.user, request.params.appId),
  );

  app.delete(
    '/v1/appDirectory/:appId/install',
    { config, schema: { tags, security, summary: 'Uninstall the app from the workspace (admins): its tokens and keys end at once', params: AppParams, response: responses({ 200: Empty }) } },
    async (request, reply) => {
      await core.installs.uninstallFromDirectory(request.user, request.params.appId);
      return reply.code(200).send(undefined);
    },
  );

  const keyTags = ['api keys'];
  const presentKey = (k: { id: string; name: string; hint: string; createdAt: number; lastUsedAt: number | null }) => ({
    id: k.id,
    name: k.name,
    hint: k.hint,
    createdAt: k.createdAt,
    lastUsedAt: k.lastUsedAt,
  });

  app.get(
    '/v1/apiKeys',
    { config, schema: { tags: keyTags, security, summary: "The caller's API keys (names and hints; never the keys)", response: responses({ 200: Type.Array(ApiKey) }) } },
    async (request) => (await core.apiKeys.list(request.user)).map(presentKey),
  );

  app.post(
    '/v1/apiKeys',
    {
      config,
      schema: {
        tags: keyTags,
        security,
        summary: 'Add API key: the key is in this response and in an ephemeral message from the API bot, and never shown again',
        body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }) }),
        response: responses({ 200: Type.Object({ ...ApiKey.properties, key: Type.String() }) }),
      },
    },
    async (request) => {
      const { record, key } = await core.apiKeysApp.generateFromPage(request.user, request.body.name);
      return { ...presentKey(record), key };
    },
  );

  app.delete(
    '/v1/apiKeys/:keyId',
    { config, schema: { tags: keyTags, security, summary: 'Delete an API key: the next request with it fails', params: KeyParams, response: responses({ 200: Empty }) } },
    async (request, reply) => {
      await core.apiKeys.delete(request.user, request.params.keyId, 'api');
      return reply.code(200).send(undefined);
    },
  );

  app.get(
    '/v1/apiKeys/audit',
    {
      config,
      schema: {
        tags: keyTags,
        security,
        summary: 'Who created and deleted which API key, newest first (owners and admins)',
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })), before: Type.Optional(Type.String()) }),
        response: responses({ 200: Type.Array(AuditEntry) }),
      },
    },
    async (request) => (await core.apiKeys.auditLog(request.user, request.query)).map(({ workspaceId: _ws, ...e }) => e),
  );
};
