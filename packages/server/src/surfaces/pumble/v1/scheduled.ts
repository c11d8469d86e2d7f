import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from 'typebox';
import { RECURRENCE_TYPES,  type ScheduledMessages } from '../../../domain/scheduled-messages.js';
import { sessionSecurity } from '../authenticate.js';
import { AttachmentsInput, Empty, Id, responses } from './schemas.js';
import type { ScheduledMessage } from '../../../domain/model.js';

const Loose = Type.Object({}, { additionalProperties: true });
const Blocks = Type.Array(Loose, { maxItems: 100 });
const Attachments = AttachmentsInput;

/** docs/pumble-api.md §11.2 `recurrence`. */
export const RecurrenceSchema = Type.Object({
  recurrenceType: Type.Union(RECURRENCE_TYPES.map((t) => Type.Literal(t))),
  endAfterOccurrences: Type.Optional(Type.Integer({ minimum: 1, description: 'occurrences in all, the first included' })),
  endDate: Type.Optional(Type.Integer({ minimum: 0, description: 'epoch ms: no occurrence after it' })),
});

/** docs/pumble-api.md §12.6 `ScheduledMessage`. */
export const ScheduledMessageSchema = Type.Object({
  id: Id,
  workspaceId: Id,
  channelId: Id,
  author: Type.String({ description: 'author workspace user id' }),
  text: Type.String(),
  blocks: Type.Optional(Type.Array(Loose)),
  attachments: Type.Optional(Type.Array(Loose)),
  files: Type.Array(Loose),
  sendAt: Type.Number({ description: 'the pending occurrence, epoch ms' }),
  recurrence: Type.Optional(RecurrenceSchema),
  threadRootId: Type.Optional(Type.String()),
  alsoSendToChannel: Type.Optional(Type.Boolean()),
});

/** The `/v1` wire shape (`author`, not `authorId`); the API-key addon shows the same. */
export function presentScheduledMessage(m: ScheduledMessage) {
  return {
    id: m.id,
    workspaceId: m.workspaceId,
    channelId: m.channelId,
    author: m.authorId,
    text: m.text,
    ...(m.blocks && { blocks: m.blocks }),
    ...(m.attachments && { attachments: m.attachments }),
    files: [] as unknown[],
    sendAt: m.sendAt,
    ...(m.recurrence && { recurrence: m.recurrence }),
    ...(m.threadRootId !== null && { threadRootId: m.threadRootId, alsoSendToChannel: m.alsoSendToChannel }),
  };
}

const ScheduleBody = Type.Object({
  channelId: Type.String(),
  text: Type.Optional(Type.String({ maxLength: 100_000 })),
  sendAt: Type.Integer({ minimum: 0, description: 'epoch ms, in the future' }),
  blocks: Type.Optional(Blocks),
  attachments: Type.Optional(Attachments),
  recurrence: Type.Optional(Type.Union([RecurrenceSchema, Type.Null()], { description: 'on PUT: omitted keeps the recurrence, null ends it' })),
  threadRootId: Type.Optional(Type.String({ description: 'extension: post as a reply under this root message' })),
  alsoSendToChannel: Type.Optional(Type.Boolean()),
  files: Type.Optional(Type.Array(Type.String(), { maxItems: 0, description: 'file uploads arrive with the app platform' })),
});

const IdParams = Type.Object({ id: Type.String() });
const ListQuery = Type.Object({
  channelId: Type.Optional(Type.String()),
  cursor: Type.Optional(Type.String({ description: 'the id of the last scheduled message seen' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
});

export const scheduledRoutes: FastifyPluginAsyncTypebox<{ scheduled: ScheduledMessages }> = async (app, { scheduled }) => {
  const tags = ['messages'];
  const security = sessionSecurity;
  const input = (body: Static<typeof ScheduleBody>, appId: string | undefined) => ({
    channelId: body.channelId,
    sendAt: body.sendAt,
    ...(body.text !== undefined && { text: body.text }),
    ...(body.blocks !== undefined && { blocks: body.blocks }),
    ...(body.attachments !== undefined && { attachments: body.attachments }),
    ...(body.recurrence !== undefined && { recurrence: body.recurrence }),
    ...(body.threadRootId !== undefined && { threadRootId: body.threadRootId }),
    ...(body.alsoSendToChannel !== undefined && { alsoSendToChannel: body.alsoSendToChannel }),
    ...(appId !== undefined && { appId }),
  });

  app.get(
    '/v1/messages/scheduled/:id',
    {
      config: { scope: 'messages:read' },
      schema: { tags, security, summary: 'One of your scheduled messages', params: IdParams, response: responses({ 200: ScheduledMessageSchema }) },
    },
    async (request) => presentScheduledMessage(await scheduled.get(request.user, request.params.id)),
  );

  app.get(
    '/v1/messages/scheduled',
    {
      config: { scope: 'messages:read' },
      schema: {
        tags,
        security,
        summary: 'Your scheduled messages in sending order, optionally of one channel',
        querystring: ListQuery,
        response: responses({ 200: Type.Object({ scheduledMessages: Type.Array(ScheduledMessageSchema), hasMore: Type.Boolean() }) }),
      },
    },
    async (request) => {
      const page = await scheduled.list(request.user, request.query);
      return { scheduledMessages: page.scheduledMessages.map(presentScheduledMessage), hasMore: page.hasMore };
    },
  );

  app.post(
    '/v1/messages/scheduled',
    {
      config: { scope: 'messages:write' },
      schema: {
        tags,
        security,
        summary: 'Schedule a message (once, or on a recurrence); it is posted as you at sendAt',
        body: ScheduleBody,
        response: responses({ 200: ScheduledMessageSchema }),
      },
    },
    async (request) => presentScheduledMessage(await scheduled.create(request.user, input(request.body, request.app?.appId))),
  );

  app.put(
    '/v1/messages/scheduled/:id',
    {
      config: { scope: 'messages:edit' },
      schema: {
        tags,
        security,
        summary: 'Change a scheduled message: text and time as given; blocks, attachments and recurrence kept when omitted',
        params: IdParams,
        body: ScheduleBody,
        response: responses({ 200: ScheduledMessageSchema }),
      },
    },
    async (request) => {
      const { appId: _appId, ...changes } = input(request.body, undefined);
      return presentScheduledMessage(await scheduled.update(request.user, request.params.id, changes));
    },
  );

  app.put(
    '/v1/messages/scheduled/:id/attachments',
    {
      config: { scope: 'attachments:write' },
      schema: {
        tags,
        security,
        summary: "Replace a scheduled message's attachments",
        params: IdParams,
        body: Type.Object({ attachments: Attachments }),
        response: responses({ 200: ScheduledMessageSchema }),
      },
    },
    async (request) => presentScheduledMessage(await scheduled.replaceAttachments(request.user, request.params.id, request.body.attachments)),
  );

  app.delete(
    '/v1/messages/scheduled/:id',
    {
      config: { scope: 'messages:delete' },
      schema: { tags, security, summary: 'Delete a scheduled message', params: IdParams, response: responses({ 200: Empty }) },
    },
    async (request, reply) => {
      await scheduled.delete(request.user, request.params.id);
      return reply.code(200).send(undefined);
    },
  );
};
