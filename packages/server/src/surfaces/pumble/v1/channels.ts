import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Core } from '../../../domain/index.js';
import type { ChannelType } from '../../../domain/model.js';
import { invalid } from '../../../domain/errors.js';
import { sessionSecurity } from '../authenticate.js';
import { mustBe } from '../../http/validation-errors.js';
import { presentChannelInfo } from './present.js';
import { ChannelParams, Empty, ref, responses } from './schemas.js';

const CHANNEL_TYPES: readonly ChannelType[] = ['PUBLIC', 'PRIVATE', 'DIRECT', 'SELF'];
const ParticipantIds = Type.Array(Type.String(), { minItems: 1, maxItems: 8 });

export const channelRoutes: FastifyPluginAsyncTypebox<{ core: Core }> = async (app, { core }) => {
  const tags = ['channels'];
  const security = sessionSecurity;

  app.get(
    '/v1/channels',
    {
      config: { scope: 'channels:list' },
      schema: {
        tags,
        security,
        summary: 'Every PUBLIC channel, and the PRIVATE / DIRECT / SELF channels the caller belongs to',
        querystring: Type.Object({ types: Type.Optional(Type.String({ description: 'comma list of PUBLIC,PRIVATE,DIRECT,SELF' })) }),
        response: responses({ 200: Type.Array(ref('ChannelInfo')) }),
      },
    },
    async (request) => {
      let types: ChannelType[] | undefined;
      if (request.query.types) {
        types = request.query.types.split(',').map((t) => t.trim().toUpperCase()) as ChannelType[];
        types.forEach((t, i) => {
          if (!CHANNEL_TYPES.includes(t)) throw invalid(`types[${i}]`, mustBe(CHANNEL_TYPES));
        });
      }
      return (await core.channels.list(request.user, types)).map(presentChannelInfo);
    },
  );

  app.post(
    '/v1/channels',
    {
      config: { scope: 'channels:write', appLimit: 'createChannel' },
      schema: {
        tags,
        security,
        summary: 'Create a channel',
        body: Type.Object({
          name: Type.String({ minLength: 1, maxLength: 80 }),
          type: Type.Optional(Type.Union([Type.Literal('PUBLIC'), Type.Literal('PRIVATE')])),
          description: Type.Optional(Type.String({ maxLength: 250 })),
          creatorSectionId: Type.Optional(Type.String()),
        }),
        response: responses({ 200: ref('ChannelInfo') }),
      },
    },
    async (request) => presentChannelInfo(await core.channels.create(request.user, request.body)),
  );

  app.get(
    '/v1/channels/direct',
    {
      config: { scope: 'channels:read' },
      schema: {
        tags,
        security,
        summary: 'The direct channel of exactly these people, or 404',
        querystring: Type.Object({ participantIds: Type.String({ description: 'comma list of user ids, the caller included' }) }),
        response: responses({ 200: ref('ChannelInfo') }),
      },
    },
    async (request) => {
      const ids = request.query.participantIds.split(',').map((s) => s.trim()).filter(Boolean);
      return presentChannelInfo(await core.channels.findDirect(request.user, ids));
    },
  );

  app.post(
    '/v1/channels/direct',
    {
      config: { scope: 'channels:write' },
      schema: {
        tags,
        security,
        summary: 'Get or create the direct channel of these people (1:1, a group of up to 8, or yourself)',
        body: Type.Object({ participantIds: ParticipantIds, hiddenFor: Type.Optional(Type.Array(Type.String())) }),
        response: responses({ 200: ref('ChannelInfo') }),
      },
    },
    async (request) => presentChannelInfo(await core.channels.openDirect(request.user, request.body.participantIds)),
  );

  app.get(
    '/v1/channels/:channelId',
    {
      config: { scope: 'channels:read' }, schema: { tags, security, summary: 'Channel details', params: ChannelParams, response: responses({ 200: ref('ChannelInfo') }) } },
    async (request) => presentChannelInfo(await core.channels.get(request.user, request.params.channelId)),
  );

  app.post(
    '/v1/channels/:channelId/users',
    {
      config: { scope: 'channels:write' },
      schema: {
        tags,
        security,
        summary: 'Add members',
        params: ChannelParams,
        body: Type.Object({
          userIds: Type.Array(Type.String(), { minItems: 1, maxItems: 1000 }),
          inviteMessageId: Type.Optional(Type.String()),
          addEachWorkspaceUser: Type.Optional(Type.Boolean()),
        }),
        response: responses({ 200: Type.Object({ channelId: Type.String(), addedUserIds: Type.Array(Type.String()) }) }),
      },
    },
    async (request) => core.channels.addMembers(request.user, request.params.channelId, request.body.userIds),
  );

  app.delete(
    '/v1/channels/:channelId/users/:userId',
    {
      config: { scope: 'channels:write' },
      schema: {
        tags,
        security,
        summary: 'Remove a member',
        params: Type.Object({ channelId: Type.String(), userId: Type.String() }),
        response: responses({ 200: Empty }),
      },
    },
    async (request, reply) => {
      await core.channels.removeMember(request.user, request.params.channelId, request.params.userId);
      return reply.code(200).send(undefined);
    },
  );

  app.post(
    '/v1/channels/:channelId/join',
    {
      config: { scope: 'channels:write' }, schema: { tags, security, summary: 'Join a public channel', params: ChannelParams, response: responses({ 200: ref('ChannelInfo') }) } },
    async (request) => presentChannelInfo(await core.channels.join(request.user, request.params.channelId)),
  );

  app.post(
    '/v1/channels/:channelId/leave',
    {
      config: { scope: 'channels:write' }, schema: { tags, security, summary: 'Leave a channel', params: ChannelParams, response: responses({ 200: Empty }) } },
    async (request, reply) => {
      await core.channels.leave(request.user, request.params.channelId);
      return reply.code(200).send(undefined);
    },
  );

  app.post(
    '/v1/channels/:channelId/archive',
    {
      config: { scope: 'channels:write' },
      schema: { tags, security, summary: 'Archive a channel (it then refuses posts)', params: ChannelParams, response: responses({ 200: ref('ChannelInfo') }) },
    },
    async (request) => presentChannelInfo(await core.channels.archive(request.user, request.params.channelId)),
  );

  app.patch(
    '/v1/channels/:channelId',
    {
      config: { scope: 'channels:write' },
      schema: {
        tags,
        security,
        summary: "Extension: rename a channel or change its description (admins and the channel's creator; not while archived; the general channel keeps its name)",
        params: ChannelParams,
        body: Type.Object({ name: Type.Optional(Type.String({ maxLength: 80 })), description: Type.Optional(Type.String({ maxLength: 250 })) }, { additionalProperties: false }),
        response: responses({ 200: ref('ChannelInfo') }),
      },
    },
    async (request) => presentChannelInfo(await core.channels.update(request.user, request.params.channelId, request.body)),
  );

  app.post(
    '/v1/channels/:channelId/unarchive',
    {
      config: { scope: 'channels:write' },
      schema: { tags, security, summary: 'Unarchive a channel (it takes posts again)', params: ChannelParams, response: responses({ 200: ref('ChannelInfo') }) },
    },
    async (request) => presentChannelInfo(await core.channels.unarchive(request.user, request.params.channelId)),
  );

  app.get(
    '/v1/admin/channels',
    {
      // People only: an app acting for an admin has no business listing private channels it cannot read.
      config: { scope: 'people' },
      schema: {
        tags,
        security,
        summary: "Extension: every PUBLIC and PRIVATE channel of the workspace, private ones the caller is not in included (owners and admins)",
        response: responses({ 200: Type.Array(ref('ChannelInfo')) }),
      },
    },
    async (request) => (await core.channels.listAll(request.user)).map(presentChannelInfo),
  );

  app.put(
    '/v1/channels/:channelId/type',
    {
      config: { scope: 'people' },
      schema: {
        tags,
        security,
        summary: "Extension: owners and admins turn a channel PUBLIC or PRIVATE (not the general channel nor direct channels); its members stay",
        params: ChannelParams,
        body: Type.Object({ type: Type.Union([Type.Literal('PUBLIC'), Type.Literal('PRIVATE')]) }),
        response: responses({ 200: ref('ChannelInfo') }),
      },
    },
    async (request) => presentChannelInfo(await core.channels.setPrivacy(request.user, request.params.channelId, request.body.type)),
  );

  app.delete(
    '/v1/channels/:channelId',
    {
      config: { scope: 'channels:write' },
      schema: {
        tags,
        security,
        summary: 'Delete a channel for good, with its messages (owners and admins; not the general channel nor direct channels)',
        params: ChannelParams,
        response: responses({ 200: Empty }),
      },
    },
    async (request, reply) => {
      await core.channels.delete(request.user, request.params.channelId);
      return reply.code(200).send(undefined);
    },
  );
};
