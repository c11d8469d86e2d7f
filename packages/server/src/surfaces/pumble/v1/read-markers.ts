/**
 * Read state for people (docs/web-client.md §5): the unread and mention counts of each of the
 * person's channels, and marking a channel read. Extensions of `/v1` (Pumble keeps this state in its
 * own client); people only — apps keep no read state.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Core } from '../../../domain/index.js';
import { sessionSecurity } from '../authenticate.js';
import { IdParam, responses } from './schemas.js';

const tags = ['channels'];
const security = sessionSecurity;

const UnreadState = Type.Object({
  channelId: Type.String(),
  lastReadMessageId: Type.Union([Type.String(), Type.Null()], { description: 'the newest message read; null when nothing was read since joining' }),
  unread: Type.Integer({ description: "top-level messages of others after the marker (deleted ones left out)" }),
  mentions: Type.Integer({ description: 'of those, the ones that mention the person, or @channel / @here' }),
});

export const readMarkerRoutes: FastifyPluginAsyncTypebox<{ core: Core }> = async (app, { core }) => {
  app.get(
    '/v1/channels/unread',
    {
      config: { scope: 'people' },
      schema: {
        tags,
        security,
        summary: "The person's unread and mention counts in every channel they belong to (web client; extension)",
        response: responses({ 200: Type.Array(UnreadState) }),
      },
    },
    async (request) => core.reads.unreads(request.user),
  );

  app.post(
    '/v1/channels/:channelId/read',
    {
      config: { scope: 'people' },
      schema: {
        tags,
        security,
        summary: 'Mark the channel read up to a message (default: its newest); the marker only moves forward (web client; extension)',
        params: Type.Object({ channelId: IdParam }),
        body: Type.Object({ messageId: Type.Optional(IdParam) }),
        response: responses({ 200: Type.Object({ channelId: Type.String(), lastReadMessageId: Type.Union([Type.String(), Type.Null()]) }) }),
      },
    },
    async (request) => core.reads.markRead(request.user, request.params.channelId, request.body.messageId),
  );
};
