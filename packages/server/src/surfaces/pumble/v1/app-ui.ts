import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Core } from '../../../domain/index.js';
import { BLOCK_LIMITS } from '../../../domain/blocks.js';
import { Empty, IdParam, responses } from './schemas.js';

const Loose = Type.Object({}, { additionalProperties: true });
const appSecurity = [{ tokenHeader: [], appKey: [] }];

/**
 * What apps do to people's screens (docs/app-platform.md §9.4, §11.2): publish a home view, end a
 * loading state. App tokens only (`token` + `x-app-token`).
 */
export const appUiRoutes: FastifyPluginAsyncTypebox<{ core: Core }> = async (app, { core }) => {
  const tags = ['apps: views'];

  app.post(
    '/v1/app/homeView/workspaceUsers/:workspaceUserId',
    {
      config: { scope: 'app', appLimit: 'publishHomeView' },
      schema: {
        tags,
        security: appSecurity,
        summary: "Publish a person's home view of the app (bot token: any person; user token: its own user); 20 per minute per app and person",
        params: Type.Object({ workspaceUserId: IdParam }),
        body: Type.Object(
          { blocks: Type.Array(Loose, { maxItems: BLOCK_LIMITS.viewBlocks }), title: Type.Optional(Loose), state: Type.Optional(Loose) },
          { additionalProperties: true, description: 'SDK V1.PublishHomeViewRequest; unknown keys are kept with the view' },
        ),
        response: responses({ 200: Empty }),
      },
    },
    async (request, reply) => {
      await core.views.publishHome(request.app!, request.params.workspaceUserId, request.body as Record<string, unknown>);
      return reply.code(200).send(undefined);
    },
  );

  app.post(
    '/v1/interactions/complete',
    {
      config: { scope: 'app' },
      schema: {
        tags,
        security: appSecurity,
        summary: "End a block interaction's loading state, with the interacting person's user token (within 60 s)",
        body: Type.Object({
          triggerId: Type.String({ minLength: 1, maxLength: 64 }),
          sourceType: Type.String({ minLength: 1, maxLength: 40 }),
          sourceId: Type.String({ minLength: 1, maxLength: 64 }),
          channelId: Type.Optional(Type.String({ maxLength: 64 })),
        }),
        response: responses({ 200: Type.Object({}) }),
      },
    },
    async (request) => {
      // `scope: 'app'`: checkScope has refused every caller that is not an app token.
      await core.interactions.complete(request.app!, request.body);
      return {};
    },
  );
};
