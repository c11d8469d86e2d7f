import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import type { Core } from '../../domain/index.js';
import { validatorCompiler } from '../http/validation.js';
import type { LazySchemas } from '../http/lazy-schemas.js';
import { RouteForbidden, sendRocketChatError } from './envelope.js';
import { authenticateRocketChat, authRoutes } from './auth.js';
import { chatRoutes } from './chat.js';
import { chatMessageRoutes } from './chat-messages.js';
import { integrationRoutes } from './integrations.js';
import { roomRoutes } from './rooms.js';
import { userRoutes } from './users.js';

export interface RocketChatApiOptions {
  core: Core;
  /** the server's route schemas, compiled at first use (http/lazy-schemas.ts) */
  schemas: LazySchemas;
  /** PUBLIC_URL, when set: the origin the web client's cookie-authenticated changes must come from */
  publicUrl?: string;
}

/**
 * Rocket.Chat's REST face at /api/v1 (docs/integrations.md §2–§6, §12.5), encapsulated: its own
 * validator, error envelope and 404, none of which leak into `/v1`. Checks run in §3's order —
 * authentication at onRequest (before the body is read), the route-level permission at
 * preValidation, then the schema, then the handler.
 */
export async function rocketChatApi(app: FastifyInstance, opts: RocketChatApiOptions): Promise<void> {
  const { core } = opts;
  // Validation as upstream reports it: the first violation per schema branch (its messages are joined into `error`).
  app.setValidatorCompiler(validatorCompiler({ allErrors: false, schemas: opts.schemas }));
  app.setErrorHandler((err: FastifyError, request, reply) => sendRocketChatError(err, request, reply));
  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ success: false, error: 'Resource not found' }));

  // Rocket.Chat answers `Content-Type: application/json` exactly, no charset: its own end-to-end
  // tests compare the header as a string, so every one of them would fail at its first request.
  app.addHook('onSend', async (_request, reply, payload) => {
    const type = reply.getHeader('content-type');
    if (typeof type === 'string' && type.startsWith('application/json')) reply.header('content-type', 'application/json');
    return payload;
  });
  app.addHook('onRequest', authenticateRocketChat(core.accounts, opts.publicUrl));
  app.addHook('preValidation', async (request: FastifyRequest) => {
    const route = request.routeOptions.config?.rocketChat?.permission;
    if (route && !(await core.integrations.routeAllowed(request.user, route))) throw new RouteForbidden();
  });

  await app.register(authRoutes, { core });
  await app.register(integrationRoutes, { core });
  await app.register(userRoutes, { core });
  await app.register(roomRoutes, { core });
  await app.register(chatRoutes, { core });
  await app.register(chatMessageRoutes, { core });
}
