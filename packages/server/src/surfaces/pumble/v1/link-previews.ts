/**
 * Link previews on the wire (docs/web-client.md §6.1; extensions): the workspace setting that turns
 * fetching on or off (owners and admins change it), and the author removing a preview card from
 * their message. The cards themselves travel in the message (`linkPreviews`, present.ts) and arrive
 * with a `message.updated` frame once fetched.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Core } from '../../../domain/index.js';
import { sessionSecurity } from '../authenticate.js';
import { presentMessage } from './present.js';
import { MessageParams, ref, responses } from './schemas.js';

const Setting = Type.Object({ enabled: Type.Boolean({ description: 'whether posted links get preview cards (on by default)' }) });

export const linkPreviewRoutes: FastifyPluginAsyncTypebox<{ core: Core }> = async (app, { core }) => {
  const security = sessionSecurity;

  app.get(
    '/v1/workspace/linkPreviews',
    {
      config: { scope: 'workspace:read' },
      schema: { tags: ['workspace'], security, summary: 'Extension: whether the workspace fetches link previews', response: responses({ 200: Setting }) },
    },
    async (request) => core.linkPreviews.setting(request.user),
  );

  app.put(
    '/v1/workspace/linkPreviews',
    {
      config: { scope: 'people' },
      schema: {
        tags: ['workspace'],
        security,
        summary: 'Extension: owners and admins turn link previews on or off (previews already shown stay)',
        body: Setting,
        response: responses({ 200: Setting }),
      },
    },
    async (request) => core.linkPreviews.setEnabled(request.user, request.body.enabled),
  );

  app.delete(
    '/v1/channels/:channelId/messages/:messageId/linkPreviews',
    {
      config: { scope: 'messages:write' },
      schema: {
        tags: ['messages'],
        security,
        summary: "Extension: the message's author removes a link preview (`url`), or all of them (no `url`); it stays removed",
        params: MessageParams,
        querystring: Type.Object({ url: Type.Optional(Type.String({ minLength: 1, maxLength: 2048, description: "the preview's `url`, as the message carries it" })) }),
        response: responses({ 200: ref('Message') }),
      },
    },
    async (request) =>
      presentMessage(await core.linkPreviews.remove(request.user, request.params.channelId, request.params.messageId, request.query.url)),
  );
};
