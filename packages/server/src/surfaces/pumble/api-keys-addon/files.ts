/**
 * The addon's `makeFilePublic` (docs/api-keys-addon.md §10: used by real clients, not among the
 * published 26): a public, unguessable, revocable link to a file the key's owner can see — 404 for
 * an unknown or invisible file. The link ends when revoked (`DELETE /v1/files/{id}/public`) or when
 * the message that holds the file is deleted.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Core } from '../../../domain/index.js';
import { ErrorBody } from './schemas.js';
import { addonErrorBody } from './errors.js';
import { DomainError } from '../../../domain/errors.js';

export const addonFileRoutes: FastifyPluginAsyncTypebox<{ core: Core }> = async (app, { core }) => {
  app.get(
    '/makeFilePublic',
    {
      // Not among the 26 the addon documents (§10): no summary, so its OpenAPI document leaves it out.
      config: { scope: 'messages:read' },
      schema: {
        querystring: Type.Object({ fileId: Type.String({ minLength: 1, maxLength: 64 }) }),
        response: { 200: Type.Object({ publicPath: Type.String() }), 403: ErrorBody, 404: ErrorBody, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      try {
        return await core.files.makePublic(request.keyActor!.user, request.query.fileId);
      } catch (e) {
        // §10: a plain 404 here (the addon's other refusals are 403s carrying their code).
        if (e instanceof DomainError && e.kind === 'not_found') return reply.code(404).send(addonErrorBody(e.message, e.message, 404000));
        throw e;
      }
    },
  );
};
