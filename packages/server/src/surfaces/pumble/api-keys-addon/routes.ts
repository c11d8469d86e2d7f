import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Core } from '../../../domain/index.js';
import { AddonRefusal, type KeyActor } from '../../../domain/addons/api-keys/keys.js';
import type { User } from '../../../domain/model.js';
import { presentUserGroup } from '../v1/user-groups.js';
import { presentScheduledMessage } from '../v1/scheduled.js';
import { highlightedBlocks } from '../v1/search.js';
import { presentAddonChannel, presentAddonMessage, presentAddonUser } from './present.js';
import { bodies, Channel, Empty, ErrorBody, Message, Posted, queries, ScheduledMessage, StatusOk, User as UserSchema, UserGroup } from './schemas.js';

const errors = { 403: ErrorBody, 429: ErrorBody };

/**
 * The addon's public API (docs/api-keys.md §5.3): thin translations onto the core, acting as the
 * key's owner, or as the addon bot with `asBot`. Every read is the owner's view.
 */
export const apiKeyRoutes: FastifyPluginAsyncTypebox<{ core: Core }> = async (app, { core }) => {
  const actorOf = (request: { keyActor?: KeyActor }) => request.keyActor!;
  const route = (summary: string, scope: string, tags: string[]) => ({ summary, tags, scope });

  async function posted(actor: KeyActor, author: User, message: { id: string; channelId: string }) {
    if (author.id === actor.bot.id) await core.apiKeys.recordBotMessage(actor, message.id);
    return { id: message.id, channelId: message.channelId };
  }

  const appsOfBots = (workspaceId: string) => core.apiKeys.appsOfBots(workspaceId);

  const channelsTags = ['channels'];
  const messageTags = ['messages'];
  const userTags = ['users'];
  const scheduledTags = ['scheduled messages'];

  app.get(
    '/listChannels',
    {
      config: route('The channels and DMs of the key owner', 'channels:list', channelsTags),
      schema: { response: { 200: Type.Array(Type.Object({ channel: Channel, users: Type.Optional(Type.Array(Type.String())) })), ...errors } },
    },
    async (request) => {
      const views = await core.apiKeys.listChannels(actorOf(request));
      return views.map((v) => ({ channel: presentAddonChannel(v), ...(v.memberIds && { users: v.memberIds }) }));
    },
  );

  app.get(
    '/getChannel',
    { config: route('One channel, by id or name', 'channels:read', channelsTags), schema: { querystring: queries.channel, response: { 200: Type.Object({ channel: Channel }), ...errors } } },
    async (request) => {
      const actor = actorOf(request);
      const view = await core.channels.get(actor.user, await core.apiKeys.channelIdOf(actor, request.query));
      return { channel: presentAddonChannel((await core.apiKeys.named(actor, [view]))[0]!) };
    },
  );

  app.post(
    '/createChannel',
    {
      config: route('Create a channel; the name is lower-cased and spaces become -', 'channels:write', channelsTags),
      schema: { body: bodies.createChannel, response: { 200: Type.Object({ id: Type.String(), name: Type.String() }), ...errors } },
    },
    async (request) => {
      const name = request.body.name.trim().toLowerCase().replace(/\s+/g, '-');
      const view = await core.channels.create(actorOf(request).user, { name, type: request.body.type, ...(request.body.description !== undefined && { description: request.body.description }) });
      return { id: view.channel.id, name: view.channel.name ?? name };
    },
  );

  app.post(
    '/addUsersToChannel',
    { config: route('Add users to a channel', 'channels:write', channelsTags), schema: { body: bodies.addUsersToChannel, response: { 200: Empty, ...errors } } },
    async (request, reply) => {
      await core.channels.addMembers(actorOf(request).user, request.body.channelId, request.body.userIds);
      return reply.code(200).send(undefined);
    },
  );

  app.post(
    '/removeUserFromChannel',
    { config: route('Remove a user from a channel', 'channels:write', channelsTags), schema: { body: bodies.removeUserFromChannel, response: { 200: Empty, ...errors } } },
    async (request, reply) => {
      await core.channels.removeMember(actorOf(request).user, request.body.channelId, request.body.userId);
      return reply.code(200).send(undefined);
    },
  );

  app.post(
    '/sendMessage',
    { config: route('Send a message (as the key owner, or as the API bot with asBot)', 'messages:write', messageTags), schema: { body: bodies.sendMessage, response: { 200: Posted, ...errors } } },
    async (request) => {
      const actor = actorOf(request);
      const { text, blocks, threadRootId, asBot } = request.body;
      const channelId = await core.apiKeys.channelIdOf(actor, request.body);
      const author = await core.apiKeys.authorIn(actor, channelId, asBot);
      const message = await core.messages.post(author, channelId, { text, ...(blocks && { blocks }), ...(threadRootId && { threadRootId }) });
      return posted(actor, author, message);
    },
  );

  app.post(
    '/sendReply',
    { config: route('Reply in the thread of a message', 'messages:write', messageTags), schema: { body: bodies.sendReply, response: { 200: Posted, ...errors } } },
    async (request) => {
      const actor = actorOf(request);
      const channelId = await core.apiKeys.channelIdOf(actor, request.body);
      const author = await core.apiKeys.authorIn(actor, channelId, request.body.asBot);
      const message = await core.messages.post(author, channelId, {
        text: request.body.text,
        threadRootId: request.body.messageId,
        ...(request.body.alsoSendToChannel !== undefined && { alsoSendToChannel: request.body.alsoSendToChannel }),
      });
      return posted(actor, author, message);
    },
  );

  app.post(
    '/dmUser',
    { config: route('Send a direct message to a user (opens or reuses the DM)', 'messages:write', messageTags), schema: { body: bodies.dmUser, response: { 200: Posted, ...errors } } },
    async (request) => {
      const actor = actorOf(request);
      const author = request.body.asBot ? actor.bot : actor.user;
      const dm = await core.channels.openDirect(author, [request.body.userId]);
      return posted(actor, author, await core.messages.post(author, dm.channel.id, { text: request.body.text }));
    },
  );

  app.post(
    '/dmGroup',
    { config: route('Send a message to a group DM of the key owner (or the bot) and these users', 'messages:write', messageTags), schema: { body: bodies.dmGroup, response: { 200: Posted, ...errors } } },
    async (request) => {
      const actor = actorOf(request);
      const author = request.body.asBot ? actor.bot : actor.user;
      const dm = await core.channels.openDirect(author, request.body.userIds);
      return posted(actor, author, await core.messages.post(author, dm.channel.id, { text: request.body.text }));
    },
  );

  app.get(
    '/fetchMessage',
    { config: route('One message', 'messages:read', messageTags), schema: { querystring: queries.message, response: { 200: Message, ...errors } } },
    async (request) => {
      const actor = actorOf(request);
      const message = await core.messages.get(actor.user, await core.apiKeys.channelIdOf(actor, request.query), request.query.messageId);
      return presentAddonMessage(message, await appsOfBots(actor.user.workspaceId));
    },
  );

  app.get(
    '/fetchThreadReplies',
    { config: route("A thread's replies, oldest first", 'messages:read', messageTags), schema: { querystring: queries.threadReplies, response: { 200: Type.Array(Message), ...errors } } },
    async (request) => {
      const actor = actorOf(request);
      const { rootMessageId, cursor, limit } = request.query;
      const replies = await core.messages.replies(actor.user, await core.apiKeys.channelIdOf(actor, request.query), rootMessageId, { ...(cursor && { cursor }), ...(limit && { limit }) });
      const bots = await appsOfBots(actor.user.workspaceId);
      return replies.map((m) => presentAddonMessage(m, bots));
    },
  );

  app.get(
    '/listMessages',
    {
      config: route('A page of channel history (newest first); a private channel needs the API bot as a member', 'messages:read', messageTags),
      schema: {
        querystring: queries.listMessages,
        response: { 200: Type.Object({ messages: Type.Array(Message), hasMoreBefore: Type.Optional(Type.Boolean()), hasMoreAfter: Type.Optional(Type.Boolean()) }), ...errors },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const channelId = await core.apiKeys.channelIdOf(actor, request.query);
      await core.apiKeys.checkHistoryReadable(actor, channelId);
      const { cursor, limit, strategy } = request.query;
      const page = await core.messages.list(actor.user, channelId, { ...(cursor && { cursor }), ...(limit && { limit }), ...(strategy && { strategy }) });
      const bots = await appsOfBots(actor.user.workspaceId);
      return { messages: page.messages.map((m) => presentAddonMessage(m, bots)), hasMoreBefore: page.hasMoreBefore, hasMoreAfter: page.hasMoreAfter };
    },
  );

  app.post(
    '/searchMessages',
    {
      config: route('Search messages the key owner can read (one of text, from, in is required)', 'messages:read', messageTags),
      schema: {
        body: bodies.searchMessages,
        response: { 200: Type.Object({ content: Type.Array(Message), totalElements: Type.Integer(), hasMore: Type.Boolean() }), ...errors },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const found = await core.messages.search(actor.user, request.body);
      const bots = await appsOfBots(actor.user.workspaceId);
      // §5.3: `(Message & {highlightedBlocks?})[]`, as on /v1 (the full-text index, domain/search.ts).
      const hit = (m: (typeof found.messages)[number]) => {
        const blocks = highlightedBlocks(m.text, found.terms);
        return { ...presentAddonMessage(m, bots), ...(blocks && { highlightedBlocks: blocks }) };
      };
      return { content: found.messages.map(hit), totalElements: found.total, hasMore: found.hasMore };
    },
  );

  app.post(
    '/editMessage',
    { config: route('Edit a message', 'messages:edit', messageTags), schema: { body: bodies.editMessage, response: { 200: Empty, ...errors } } },
    async (request, reply) => {
      const actor = actorOf(request);
      const { messageId, channelId, text, blocks } = request.body;
      await core.messages.edit(await core.apiKeys.editorOf(actor, channelId, messageId), channelId, messageId, { text, ...(blocks && { blocks }) });
      return reply.code(200).send(undefined);
    },
  );

  app.delete(
    '/deleteMessage',
    {
      config: route("Delete a message: the owner's own, the bot's sent through the owner's keys, or what the owner's role allows", 'messages:delete', messageTags),
      schema: { querystring: queries.message, response: { 200: Empty, ...errors } },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const channelId = await core.apiKeys.channelIdOf(actor, request.query);
      await core.messages.delete(await core.apiKeys.editorOf(actor, channelId, request.query.messageId), channelId, request.query.messageId);
      return reply.code(200).send(undefined);
    },
  );

  app.post(
    '/addReaction',
    { config: route('Add a reaction (":name:", with colons)', 'reaction:write', messageTags), schema: { body: bodies.addReaction, response: { 200: StatusOk, ...errors } } },
    async (request) => {
      await core.messages.react(actorOf(request).user, request.body.messageId, request.body.reaction, true);
      return { status: 'ok' };
    },
  );

  app.delete(
    '/removeReaction',
    { config: route('Remove a reaction', 'reaction:write', messageTags), schema: { querystring: queries.removeReaction, response: { 200: StatusOk, ...errors } } },
    async (request) => {
      await core.messages.react(actorOf(request).user, request.query.messageId, request.query.reaction, false);
      return { status: 'ok' };
    },
  );

  app.post(
    '/createScheduledMessage',
    { config: route('Schedule a message (sendAt in the future, epoch ms)', 'messages:write', scheduledTags), schema: { body: bodies.createScheduledMessage, response: { 200: Posted, ...errors } } },
    async (request) => {
      const { blocks, threadRootId, alsoSendToChannel, recurrence, ...rest } = request.body;
      const s = await core.scheduled.create(actorOf(request).user, {
        ...rest,
        ...(blocks && { blocks }),
        ...(threadRootId && { threadRootId }),
        ...(alsoSendToChannel !== undefined && { alsoSendToChannel }),
        ...(recurrence && { recurrence }),
      });
      return { id: s.id, channelId: s.channelId };
    },
  );

  app.get(
    '/fetchScheduledMessages',
    {
      config: route("The key owner's scheduled messages", 'messages:read', scheduledTags),
      schema: { querystring: queries.scheduledList, response: { 200: Type.Object({ scheduledMessages: Type.Array(ScheduledMessage), hasMore: Type.Boolean() }), ...errors } },
    },
    async (request) => {
      const { channelId, cursor, limit } = request.query;
      const page = await core.scheduled.list(actorOf(request).user, { ...(channelId && { channelId }), ...(cursor && { cursor }), ...(limit && { limit }) });
      return { scheduledMessages: page.scheduledMessages.map(presentScheduledMessage), hasMore: page.hasMore };
    },
  );

  app.get(
    '/fetchScheduledMessage',
    { config: route('One scheduled message', 'messages:read', scheduledTags), schema: { querystring: queries.scheduledOne, response: { 200: ScheduledMessage, ...errors } } },
    async (request) => presentScheduledMessage(await core.scheduled.get(actorOf(request).user, request.query.scheduledMessageId)),
  );

  app.post(
    '/editScheduledMessage',
    { config: route('Change a scheduled message', 'messages:edit', scheduledTags), schema: { body: bodies.editScheduledMessage, response: { 200: ScheduledMessage, ...errors } } },
    async (request) => {
      const { scheduledMessageId, blocks, recurrence, ...rest } = request.body;
      const s = await core.scheduled.update(actorOf(request).user, scheduledMessageId, { ...rest, ...(blocks && { blocks }), ...(recurrence && { recurrence }) });
      return presentScheduledMessage(s);
    },
  );

  app.delete(
    '/deleteScheduledMessage',
    { config: route('Delete a scheduled message', 'messages:delete', scheduledTags), schema: { querystring: queries.scheduledOne, response: { 200: Empty, ...errors } } },
    async (request, reply) => {
      await core.scheduled.delete(actorOf(request).user, request.query.scheduledMessageId);
      return reply.code(200).send(undefined);
    },
  );

  app.get(
    '/listUsers',
    { config: route('Every user of the workspace', 'users:list', userTags), schema: { response: { 200: Type.Array(UserSchema), ...errors } } },
    async (request) => {
      const actor = actorOf(request);
      const now = Date.now();
      return (await core.accounts.listUsers(actor.user)).map((u) => presentAddonUser(u, actor.bot.id, now));
    },
  );

  app.get(
    '/listUserGroups',
    { config: route('The user groups of the workspace', 'users:list', userTags), schema: { response: { 200: Type.Array(UserGroup), ...errors } } },
    async (request) => (await core.userGroups.list(actorOf(request).user)).map(presentUserGroup),
  );

  app.get(
    '/myInfo',
    { config: route('The key owner', 'user:read', userTags), schema: { response: { 200: UserSchema, ...errors } } },
    async (request) => presentAddonUser(actorOf(request).user, actorOf(request).bot.id, Date.now()),
  );

  app.post(
    '/customStatus',
    {
      config: route("Set the key owner's custom status; an empty code and status clear it", 'status:write', userTags),
      schema: { body: bodies.customStatus, response: { 200: Empty, ...errors } },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const { code, status, expiresAt } = request.body;
      if (code === '' && !status) await core.apiKeys.clearCustomStatus(actor);
      else {
        if (expiresAt === undefined) throw new AddonRefusal('invalid', 'errMustNotBeNull');
        await core.accounts.setCustomStatus(actor.user, { code, expiresAt, ...(status !== undefined && { status }) });
      }
      return reply.code(200).send(undefined);
    },
  );
};


