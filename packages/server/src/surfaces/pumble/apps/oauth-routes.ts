import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Core } from '../../../domain/index.js';
import { DomainError, forbidden } from '../../../domain/errors.js';
import { authenticatePersonOrApp } from '../authenticate.js';
import { ErrorRef } from '../../http/errors.js';
import { formBodies } from '../../http/forms.js';
import { consentRoutes } from './consent.js';

const TokenResponse = Type.Object({
  accessToken: Type.String(),
  botToken: Type.Optional(Type.String()),
  userId: Type.String(),
  botId: Type.Optional(Type.String()),
  workspaceId: Type.String(),
});

const CODE_EXCHANGE_FIELDS = ['client-id', 'client-secret', 'code'] as const;

/** `/oauth2/access` and `/oauth2/me` (docs/app-platform.md §5.2–§5.3). */
export const oauthRoutes: FastifyPluginAsyncTypebox<{ core: Core }> = async (app, { core }) => {
  // The SDK sends the code exchange as multipart/form-data; urlencoded and JSON work too (and the consent page posts forms).
  await formBodies(app, { maxFields: 10 });
  consentRoutes(app, core);

  app.post(
    '/oauth2/access',
    {
      schema: {
        tags: ['oauth'],
        summary: 'Exchange an authorization code for tokens (multipart fields client-id, client-secret, code)',
        consumes: ['multipart/form-data', 'application/x-www-form-urlencoded', 'application/json'],
        response: { 200: TokenResponse, 400: ErrorRef, 401: ErrorRef },
      },
    },
    async (request) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      // Missing (or empty) is `required`; present but not one string — a number or object in JSON, a
      // field repeated in a form — is said as such, not as missing.
      const problems = CODE_EXCHANGE_FIELDS.flatMap((field) => {
        const v = body[field];
        if (v === undefined || v === null || v === '') return [{ field, message: 'required' }];
        if (typeof v !== 'string') return [{ field, message: Array.isArray(v) ? 'must be a string, not a list (a form field sent twice is a list)' : 'must be a string' }];
        return [];
      });
      if (problems.length > 0) throw new DomainError('invalid', `${problems[0]!.field}: ${problems[0]!.message}`, problems);
      const [clientId, clientSecret, code] = CODE_EXCHANGE_FIELDS.map((f) => body[f] as string) as [string, string, string];
      return core.installs.exchange(clientId, clientSecret, code);
    },
  );

  app.get(
    '/oauth2/me',
    {
      onRequest: authenticatePersonOrApp(core.accounts, core.installs),
      schema: {
        tags: ['oauth'],
        summary: "The token's user and workspace (headers token + x-app-token)",
        security: [{ tokenHeader: [], appKey: [] }],
        response: {
          200: Type.Object({ workspaceId: Type.String(), workspaceName: Type.String(), workspaceUserId: Type.String(), workspaceUserName: Type.String() }),
          401: ErrorRef,
          403: ErrorRef,
        },
      },
    },
    async (request) => {
      if (!request.app) throw forbidden('Only app tokens can call /oauth2/me');
      return core.installs.me(request.app);
    },
  );
};

/** `DELETE /v1/app/authorization` and `/v1/app/installation` (§5.4); registered inside `/v1`. */
export const appSelfRoutes: FastifyPluginAsyncTypebox<{ core: Core }> = async (app, { core }) => {
  const security = [{ tokenHeader: [], appKey: [] }];
  app.delete(
    '/v1/app/authorization',
    { config: { scope: 'app' }, schema: { tags: ['oauth'], security, summary: "Remove this user token's authorization", response: { 200: Type.Unsafe<undefined>({}), 401: ErrorRef, 403: ErrorRef } } },
    async (request, reply) => {
      await core.installs.unauthorize(request.app!);
      return reply.code(200).send(undefined);
    },
  );
  app.delete(
    '/v1/app/installation',
    { config: { scope: 'app' }, schema: { tags: ['oauth'], security, summary: 'Uninstall the app from the workspace (bot token, or an admin user token)', response: { 200: Type.Unsafe<undefined>({}), 401: ErrorRef, 403: ErrorRef } } },
    async (request, reply) => {
      await core.installs.uninstall(request.app!);
      return reply.code(200).send(undefined);
    },
  );
};
