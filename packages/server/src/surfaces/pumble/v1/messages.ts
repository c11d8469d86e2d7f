import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger } from 'fastify';
import { Type } from 'typebox';
import type { Core } from '../../../domain/index.js';
import type { Message, User } from '../../../domain/model.js';
import { sessionSecurity } from '../authenticate.js';
import { forbidden } from '../../../domain/errors.js';
import { presentMessage } from './present.js';
import { parseCommand } from '../../../domain/apps/commands.js';
import { detach } from './detach.js';
import { ChannelParams, EditMessageBody, Empty, MessageParams, PageQuery, PostMessageBody, ref, responses } from './schemas.js';

type PostBody = { text?: string; commandAppId?: string; blocks?: unknown[]; attachments?: unknown[]; files?: string[]; alsoSendToChannel?: boolean; ephemeral?: { sendToUsers: string[] } };

export const messageRoutes: FastifyPluginAsyncTypebox<{ core: Core }> = async (app, { core }) => {
  const tags = ['messages'];
  const security = sessionSecurity;
  const present = (m: Message, body?: PostBody) => presentMessage(m, body?.ephemeral !== undefined);
  const postInput = (body: PostBody, threadRootId?: string) => ({
    ...(body.text !== undefined && { text: body.text }),
    ...(body.blocks !== undefined && { blocks: body.blocks }),
    ...(body.attachments !== undefined && { attachments: body.attachments }),
    ...(body.files !== undefined && body.files.length > 0 && { files: body.files }),
    ...(body.ephemeral && { ephemeralTo: body.ephemeral.sendToUsers }),
    ...(threadRootId !== undefined && { threadRootId }),
    ...(threadRootId !== undefined && body.alsoSendToChannel === true && { alsoSendToChannel: true }),
  });

  /**
   * A person typing `/command text` runs a command; apps posting such text just post it. `appId`:
   * the app whose token sent it (dropped blocks leave a warning in its delivery log).
   */
  const postOrRunCommand = async (log: FastifyBaseLogger, appId: string | undefined, user: User, channelId: string, body: PostBody, threadRootId?: string, app?: { scopes: ReadonlySet<string> }) => {
    // §11.2: messages:write, and files:write as well for a message with files.
    if (app && (body.files?.length ?? 0) > 0 && !app.scopes.has('files:write')) throw forbidden('Missing scope: files:write');
    if (appId === undefined && !body.ephemeral && parseCommand(body.text)) {
      const { echo, settled } = await core.commands.run(user, channelId, body.text!, threadRootId, body.commandAppId);
      detach(settled, log, 'slash command');
      return presentMessage(echo, true);
    }
    return present(await core.messages.post(user, channelId, postInput(body, threadRootId), appId !== undefined ? { appId } : undefined), body);
  };

  app.get(
    '/v1/channels/:channelId/messages',
    {
      config: { scope: 'channels:read' },
      schema: {
        tags,
        security,
        summary: 'A page of channel history, newest first, from a cursor (a message id)',
        params: ChannelParams,
        querystring: PageQuery,
        response: responses({
          200: Type.Object({ messages: Type.Array(ref('Message')), hasMoreBefore: Type.Boolean(), hasMoreAfter: Type.Boolean() }),
        }),
      },
    },
    async (request) => {
      const page = await core.messages.list(request.user, request.params.channelId, request.query);
      return { ...page, messages: page.messages.map((m) => presentMessage(m)) };
    },
  );

  app.post(
    '/v1/channels/:channelId/messages',
    {
      config: { scope: 'messages:write', appLimit: 'postMessage' },
      schema: {
        tags,
        security,
        summary: 'Post a message (with `ephemeral.sendToUsers`, only those users ever see it)',
        params: ChannelParams,
        body: PostMessageBody,
        response: responses({ 200: ref('Message') }),
      },
    },
    async (request) => postOrRunCommand(request.log, request.app?.appId, request.user, request.params.channelId, request.body, undefined, request.app),
  );

  app.get(
    '/v1/channels/:channelId/messages/:messageId',
    {
      config: { scope: 'messages:read' }, schema: { tags, security, summary: 'One message', params: MessageParams, response: responses({ 200: ref('Message') }) } },
    async (request) => presentMessage(await core.messages.get(request.user, request.params.channelId, request.params.messageId)),
  );

  app.post(
    '/v1/channels/:channelId/messages/:messageId',
    {
      config: { scope: 'messages:write', appLimit: 'postMessage' },
      schema: {
        tags,
        security,
        summary: 'Reply in the thread of a message',
        params: MessageParams,
        body: PostMessageBody,
        response: responses({ 200: ref('Message') }),
      },
    },
    async (request) => postOrRunCommand(request.log, request.app?.appId, request.user, request.params.channelId, request.body, request.params.messageId, request.app),
  );

  app.get(
    '/v1/channels/:channelId/messages/:messageId/replies',
    {
      config: { scope: 'channels:read' },
      schema: {
        tags,
        security,
        summary: "A thread's replies, oldest first",
        params: MessageParams,
        querystring: PageQuery,
        response: responses({ 200: Type.Array(ref('Message')) }),
      },
    },
    async (request) =>
      (await core.messages.replies(request.user, request.params.channelId, request.params.messageId, request.query)).map((m) => presentMessage(m)),
  );

  app.put(
    '/v1/channels/:channelId/messages/:messageId',
    {
      config: { scope: 'messages:edit' },
      schema: {
        tags,
        security,
        summary: 'Edit a message (its author or an admin)',
        params: MessageParams,
        body: EditMessageBody,
        response: responses({ 200: ref('Message') }),
      },
    },
    async (request) => {
      const { ephemeral, ...content } = request.body;
      const source = request.app && { appId: request.app.appId };
      if (ephemeral) return presentMessage(await core.messages.editEphemeral(request.user, request.params.channelId, request.params.messageId, content, source), true);
      return presentMessage(await core.messages.edit(request.user, request.params.channelId, request.params.messageId, content, source));
    },
  );

  app.delete(
    '/v1/channels/:channelId/messages/:messageId',
    {
      config: { scope: 'messages:delete' },
      schema: { tags, security, summary: 'Delete a message (its author or an admin)', params: MessageParams, response: responses({ 200: Empty }) },
    },
    async (request, reply) => {
      await core.messages.delete(request.user, request.params.channelId, request.params.messageId);
      return reply.code(200).send(undefined);
    },
  );

  app.delete(
    '/v1/channels/:channelId/messages/:messageId/ephemeral',
    {
      config: { scope: 'messages:delete' },
      schema: {
        tags,
        security,
        summary: 'Take an ephemeral message away from the users who see it',
        params: MessageParams,
        body: Type.Object({ threadRootId: Type.Optional(Type.String()), deleteForUsers: Type.Array(Type.String(), { minItems: 1 }) }),
        response: responses({ 200: Empty }),
      },
    },
    async (request, reply) => {
      await core.messages.deleteEphemeral(request.user, request.params.channelId, request.params.messageId, request.body.deleteForUsers);
      return reply.code(200).send(undefined);
    },
  );

  const Reaction = Type.Object({
    code: Type.String({ description: 'an emoji code such as :thumbsup:' }),
    skinTone: Type.Optional(Type.Integer({ minimum: 1, maximum: 6 })),
  });
  const MessageIdParams = Type.Object({ messageId: Type.String() });

  app.post(
    '/v1/messages/:messageId/reactions',
    {
      config: { scope: 'reaction:write', appLimit: 'addReaction' }, schema: { tags, security, summary: 'Add a reaction', params: MessageIdParams, body: Reaction, response: responses({ 200: Empty }) } },
    async (request, reply) => {
      await core.messages.react(request.user, request.params.messageId, request.body.code, true);
      return reply.code(200).send(undefined);
    },
  );

  app.delete(
    '/v1/messages/:messageId/reactions',
    {
      config: { scope: 'reaction:write' }, schema: { tags, security, summary: 'Remove a reaction', params: MessageIdParams, body: Reaction, response: responses({ 200: Empty }) } },
    async (request, reply) => {
      await core.messages.react(request.user, request.params.messageId, request.body.code, false);
      return reply.code(200).send(undefined);
    },
  );
};
