/**
 * Pinned and saved messages for people (docs/web-client.md §6.1): extensions of `/v1` — Pumble's
 * public API has no route for either, so the names are plain REST ones in Pumble's vocabulary. People
 * only: an app token gets 403. Who may do what is the domain's (domain/pins.ts).
 *
 * - `GET /v1/channels/{c}/pins`, `PUT|DELETE /v1/channels/{c}/messages/{m}/pin`: the channel's pins;
 * - `GET /v1/saved`, `PUT|DELETE /v1/messages/{m}/saved`, `GET /v1/channels/{c}/saved`: the person's.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Core } from '../../../domain/index.js';
import { MAX_SAVED_PAGE, DEFAULT_SAVED_PAGE } from '../../../domain/pins.js';
import { sessionSecurity } from '../authenticate.js';
import { presentPin, presentSaved } from './present-pins.js';
import { Empty, IdParam, ref, responses } from './schemas.js';

const security = sessionSecurity;

const Pin = Type.Object({
  channelId: Type.String(),
  messageId: Type.String(),
  workspaceUserId: Type.String({ description: 'who pinned it' }),
  pinnedTimestampMilli: Type.Number({ description: 'when it was pinned (epoch ms)' }),
  message: ref('Message'),
});

const SavedMessage = Type.Object({
  message: ref('Message'),
  channel: ref('Channel'),
  savedTimestampMilli: Type.Number({ description: 'when the person saved it (epoch ms)' }),
});

const ChannelPathParams = Type.Object({ channelId: IdParam });
const MessagePathParams = Type.Object({ channelId: IdParam, messageId: IdParam });
const MessageOnlyParams = Type.Object({ messageId: IdParam });

export const pinRoutes: FastifyPluginAsyncTypebox<{ core: Core }> = async (app, { core }) => {
  app.get(
    '/v1/channels/:channelId/pins',
    {
      config: { scope: 'people' },
      schema: {
        tags: ['channels'],
        security,
        summary: "The channel's pinned messages, newest pin first (web client; extension)",
        params: ChannelPathParams,
        response: responses({ 200: Type.Array(Pin) }),
      },
    },
    async (request) => (await core.pins.list(request.user, request.params.channelId)).map(presentPin),
  );

  app.put(
    '/v1/channels/:channelId/messages/:messageId/pin',
    {
      config: { scope: 'people' },
      schema: {
        tags: ['messages'],
        security,
        summary: 'Pin a message to its channel (members; not in an archived channel; at most 100 a channel); pinning again answers the pin that stands (extension)',
        params: MessagePathParams,
        response: responses({ 200: Pin }),
      },
    },
    async (request) => presentPin(await core.pins.pin(request.user, request.params.channelId, request.params.messageId)),
  );

  app.delete(
    '/v1/channels/:channelId/messages/:messageId/pin',
    {
      config: { scope: 'people' },
      schema: {
        tags: ['messages'],
        security,
        summary: 'Unpin a message (members, whoever pinned it; not in an archived channel); a message not pinned is left as it is (extension)',
        params: MessagePathParams,
        response: responses({ 200: Empty }),
      },
    },
    async (request, reply) => {
      await core.pins.unpin(request.user, request.params.channelId, request.params.messageId);
      return reply.code(200).send(undefined);
    },
  );

  app.get(
    '/v1/saved',
    {
      config: { scope: 'people' },
      schema: {
        tags: ['messages'],
        security,
        summary: "The person's saved messages, newest save first, with their channels; deleted ones and those of channels the person can no longer see are left out (extension)",
        querystring: Type.Object({
          cursor: Type.Optional(Type.String({ maxLength: 64, description: "the previous page's nextCursor" })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_SAVED_PAGE, default: DEFAULT_SAVED_PAGE })),
        }),
        response: responses({
          200: Type.Object({
            saved: Type.Array(SavedMessage),
            hasMore: Type.Boolean(),
            nextCursor: Type.Optional(Type.String({ description: 'pass as cursor for the next (older) page' })),
          }),
        }),
      },
    },
    async (request) => {
      const page = await core.saved.list(request.user, request.query);
      return { saved: page.saved.map(presentSaved), hasMore: page.nextCursor !== undefined, ...(page.nextCursor && { nextCursor: page.nextCursor }) };
    },
  );

  app.put(
    '/v1/messages/:messageId/saved',
    {
      config: { scope: 'people' },
      schema: {
        tags: ['messages'],
        security,
        summary: 'Save a message for yourself (one you can read); saving again keeps the first save (extension)',
        params: MessageOnlyParams,
        response: responses({ 200: SavedMessage }),
      },
    },
    async (request) => presentSaved(await core.saved.save(request.user, request.params.messageId)),
  );

  app.delete(
    '/v1/messages/:messageId/saved',
    {
      config: { scope: 'people' },
      schema: {
        tags: ['messages'],
        security,
        summary: 'Remove a message from your saved messages; one not saved is left as it is (extension)',
        params: MessageOnlyParams,
        response: responses({ 200: Empty }),
      },
    },
    async (request, reply) => {
      await core.saved.unsave(request.user, request.params.messageId);
      return reply.code(200).send(undefined);
    },
  );

  app.get(
    '/v1/channels/:channelId/saved',
    {
      config: { scope: 'people' },
      schema: {
        tags: ['channels'],
        security,
        summary: "Which of the channel's messages the person saved (web client; extension)",
        params: ChannelPathParams,
        response: responses({ 200: Type.Object({ messageIds: Type.Array(Type.String()) }) }),
      },
    },
    async (request) => ({ messageIds: await core.saved.idsIn(request.user, request.params.channelId) }),
  );
};
