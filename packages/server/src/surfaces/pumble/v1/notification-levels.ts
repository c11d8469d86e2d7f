/**
 * Per-channel notification levels for people (docs/web-client.md §6.8): all, mentions or nothing,
 * kept per membership so they follow the person across tabs and devices; the client decides which
 * desktop notifications to show by them. Extensions of `/v1`; people only.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Core } from '../../../domain/index.js';
import { sessionSecurity } from '../authenticate.js';
import { IdParam, responses } from './schemas.js';

const tags = ['channels'];
const security = sessionSecurity;

const Level = Type.Union([Type.Literal('all'), Type.Literal('mentions'), Type.Literal('nothing')], {
  description: 'all: every message; mentions: those that mention the person, @channel or @here; nothing: none',
});

const ChannelNotificationLevel = Type.Object({
  channelId: Type.String(),
  level: Level,
  isDefault: Type.Boolean({ description: 'the person has not chosen: direct conversations default to all, channels to mentions' }),
});

export const notificationLevelRoutes: FastifyPluginAsyncTypebox<{ core: Core }> = async (app, { core }) => {
  app.get(
    '/v1/channels/notificationLevels',
    {
      config: { scope: 'people' },
      schema: {
        tags,
        security,
        summary: "The person's notification level in every channel they belong to (web client; extension)",
        response: responses({ 200: Type.Array(ChannelNotificationLevel) }),
      },
    },
    async (request) => core.notificationLevels.list(request.user),
  );

  app.get(
    '/v1/channels/:channelId/notificationLevel',
    {
      config: { scope: 'people' },
      schema: {
        tags,
        security,
        summary: "The person's notification level in one channel; a member's only (web client; extension)",
        params: Type.Object({ channelId: IdParam }),
        response: responses({ 200: ChannelNotificationLevel }),
      },
    },
    async (request) => core.notificationLevels.get(request.user, request.params.channelId),
  );

  app.put(
    '/v1/channels/:channelId/notificationLevel',
    {
      config: { scope: 'people' },
      schema: {
        tags,
        security,
        summary: "Set the person's notification level in a channel, or `default` to go back to the default; a member's only (web client; extension)",
        params: Type.Object({ channelId: IdParam }),
        body: Type.Object({ level: Type.Union([Level, Type.Literal('default')]) }),
        response: responses({ 200: ChannelNotificationLevel }),
      },
    },
    async (request) => {
      const { level } = request.body;
      return core.notificationLevels.set(request.user, request.params.channelId, level === 'default' ? null : level);
    },
  );
};
