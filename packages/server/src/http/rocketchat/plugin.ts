import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { Core } from '../../core/index.js';
import type { RateLimiter } from '../../limits/rate-limiter.js';
import { RouteForbidden, sendRocketChatError } from './envelope.js';
import { authenticateRocketChat, authRoutes } from './auth.js';
import { integrationRoutes } from './integrations.js';
import { roomRoutes } from './rooms.js';
import { userRoutes } from './users.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

export interface RocketChatApiOptions {
  core: Core;
  limiter: RateLimiter;
}

/**
 * Validation as upstream reports it: the first violation per schema branch (Rocket.Chat's validator
 * does not collect all errors, and its messages are joined into the `error` text); bodies strict,
 * query strings coerced from text.
 */
function rocketChatValidator() {
  const make = (coerceTypes: boolean | 'array') => {
    const ajv = new Ajv({ coerceTypes, allErrors: false, useDefaults: true, removeAdditional: false, strict: false });
    addFormats(ajv);
    return ajv;
  };
  const body = make(false);
  const text = make('array');
  return ({ schema, httpPart }: { schema: object; httpPart?: string }) => (httpPart === 'body' ? body : text).compile(schema);
}

/**
 * Rocket.Chat's REST face at /api/v1 (integrations.md §2–§6, §12.5), encapsulated: its own
 * validator, error envelope and 404, none of which leak into `/v1`. Checks run in §3's order —
 * authentication at onRequest (before the body is read), the route-level permission at
 * preValidation, then the schema, then the handler.
 */
export async function rocketChatApi(app: FastifyInstance, opts: RocketChatApiOptions): Promise<void> {
  const { core } = opts;
  app.setValidatorCompiler(rocketChatValidator());
  app.setErrorHandler((err: FastifyError, request, reply) => sendRocketChatError(err, request, reply));
  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ success: false, error: 'Resource not found' }));

  app.addHook('onRequest', authenticateRocketChat(core.accounts));
  app.addHook('preValidation', async (request: FastifyRequest) => {
    const route = request.routeOptions.config?.rocketChat?.permission;
    if (route && !(await core.integrations.routeAllowed(request.user, route))) throw new RouteForbidden();
  });

  await app.register(authRoutes, { core });
  await app.register(integrationRoutes, { core });
  await app.register(userRoutes, { core });
  await app.register(roomRoutes, { core });
}
