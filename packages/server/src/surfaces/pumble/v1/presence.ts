/**
 * Presence for people (docs/web-client.md §4, §5): who of the workspace is online now — read after
 * (re)connecting to `/v1/realtime`, whose `user.presence` frames tell the changes from then on.
 * An extension of `/v1` (Pumble has no presence route for apps); people only.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Core } from '../../../domain/index.js';
import { sessionSecurity } from '../authenticate.js';
import { responses } from './schemas.js';

const Presence = Type.Object({
  online: Type.Array(Type.String(), { description: 'the workspace users with an open realtime connection (on any node); everyone else is offline' }),
});

export const presenceRoutes: FastifyPluginAsyncTypebox<{ core: Core }> = async (app, { core }) => {
  app.get(
    '/v1/presence',
    {
      config: { scope: 'people' },
      schema: {
        tags: ['workspace'],
        security: sessionSecurity,
        summary: 'Who of the workspace is online now: a person is online while one of their /v1/realtime connections is open (web client; extension)',
        response: responses({ 200: Presence }),
      },
    },
    async (request) => ({ online: await core.presence.online(request.user) }),
  );
};
