import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Core } from '../../../domain/index.js';
import { forbidden } from '../../../domain/errors.js';
import { responses } from '../v1/schemas.js';

const Email = Type.String({ maxLength: 320 });
const Secret = Type.String({ minLength: 1, maxLength: 200 });

/**
 * The tooling login (docs/app-platform.md §4.1) with the request shapes `pumble-cli login`
 * sends (pumble-cli/src/services/PumbleApiClient.ts): an e-mail gets a code, the code proves it,
 * the proven lead lists the workspaces with an exchange token each, and one exchange token
 * becomes developer tokens. No header authenticates these calls: the code and the tokens do.
 */
export const toolingLoginRoutes: FastifyPluginAsyncTypebox<{ core: Core }> = async (app, { core }) => {
  const tags = ['tooling login'];

  app.post(
    '/lead',
    {
      schema: {
        tags,
        summary: 'Mail a one-time login code (10 min, 5 tries) to this address; answers the lead id',
        description: 'Answers alike whether or not the address has an account (only then is a mail sent). At most 5 per address and client, and 20 per address, in 15 min (then 429 with Retry-After).',
        body: Type.Object({ email: Email }),
        response: responses({ 200: Type.Object({ id: Type.String({ description: 'the lead id' }) }) }),
      },
    },
    async (request) => core.toolingLogin.start(request.body.email, request.ip),
  );

  app.post(
    '/lead/activate',
    {
      schema: {
        tags,
        summary: 'Prove the address with the mailed code',
        body: Type.Object({
          email: Email,
          code: Type.String({ maxLength: 32 }),
          leadId: Type.Optional(Type.String({ maxLength: 200, description: 'sent by current tooling; without it the newest lead of the address' })),
        }),
        response: responses({ 200: Type.Object({}) }),
      },
    },
    async (request) => {
      await core.toolingLogin.activate(request.body);
      return {};
    },
  );

  app.post(
    '/lead/login',
    {
      schema: {
        tags,
        summary: "Once per proven lead: the address's workspaces, each with a single-use exchange token (5 min)",
        body: Type.Object({ leadId: Secret }),
        response: responses({
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                workspace: Type.Object({ id: Type.String(), name: Type.String() }),
                workspaceUser: Type.Object({ id: Type.String() }),
                exchangeToken: Type.String(),
              }),
            ),
          }),
        }),
      },
    },
    async (request) => core.toolingLogin.login(request.body.leadId),
  );

  app.post(
    '/workspaces/:workspaceId/exchange',
    {
      schema: {
        tags,
        summary: 'An exchange token for developer tokens (as POST /auth/developer-token gives)',
        params: Type.Object({ workspaceId: Type.String() }),
        body: Type.Object({ exchangeToken: Secret }),
        response: responses({ 200: Type.Object({ token: Type.String(), refreshToken: Type.String() }) }),
      },
    },
    async (request) => core.toolingLogin.exchange(request.params.workspaceId, request.body.exchangeToken),
  );

  // pumble-cli offers "Create a new workspace" after the list; here workspaces are made by their
  // administrators, so the choice gets a reason the CLI prints (it shows the body's `message`).
  app.post(
    '/createWorkspace',
    {
      schema: {
        tags,
        summary: 'Not offered: answers 403 with the reason',
        body: Type.Optional(Type.Object({}, { additionalProperties: true })),
        response: responses({}),
      },
    },
    async () => {
      throw forbidden('This server does not create workspaces from developer tooling: choose one of your workspaces, or ask an administrator for an account');
    },
  );
};
