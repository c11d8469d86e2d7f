/**
 * `chat.update`, `chat.delete`, `chat.react` and `chat.getMessage` (docs/integrations.md §12.5): what a
 * Rocket.Chat bot or script does with a message once it is posted. The bodies are checked with
 * upstream's schemas (rest-typings `isChatUpdateProps`, `isChatDeleteProps`, `isChatReactProps`,
 * `isChatGetMessageProps`); the answers and refusals are upstream's (apps/meteor/app/api/server/v1/chat.ts,
 * lib/server/methods/updateMessage.ts, lib/server/functions/deleteMessage.ts, reactions/server/setReaction.ts).
 * Who may edit, delete, react or read is core.messages' rule (the author or an admin; a room the caller
 * sees); this file only translates.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Core } from '../../domain/index.js';
import { isDomainError } from '../../domain/errors.js';
import { codedError, plainError } from '../../domain/integrations/errors.js';
import { slackToSwitchboardMarkup } from '../../domain/integrations/slack-markup.js';
import { GENERAL_ROOM_ID } from '../../domain/integrations/room-ref.js';
import { isAdmin, type Message, type User } from '../../domain/model.js';
import { ok, rcResponses, rcSecurity } from './envelope.js';
import { presentMessage } from './present.js';

/** The core's answer, or undefined where it says not found (a lookup that may miss). */
const unlessNotFound = <T>(found: Promise<T>): Promise<T | undefined> =>
  found.catch((e: unknown) => {
    if (isDomainError(e, 'not_found')) return undefined;
    throw e;
  });

/** Upstream's `ChatUpdateSchema`. */
const UpdateBody = Type.Object(
  {
    roomId: Type.String({ description: 'the room the message is in' }),
    msgId: Type.String({ description: 'the message to edit' }),
    text: Type.String({ description: 'the new text, in Rocket.Chat markup' }),
    previewUrls: Type.Optional(Type.Array(Type.String(), { nullable: true, description: 'accepted; links are previewed as for any message' })),
    customFields: Type.Optional(Type.Object({}, { additionalProperties: true, nullable: true, description: 'refused: Switchboard messages have no custom fields' })),
  },
  { additionalProperties: false },
);

/** Upstream's `ChatDeleteSchema`. */
const DeleteBody = Type.Object(
  {
    msgId: Type.String({ description: 'the message to delete' }),
    roomId: Type.String({ description: 'the room the message is in' }),
    asUser: Type.Optional(Type.Boolean({ nullable: true, description: "delete as the message's author (another's message: admins only)" })),
  },
  { additionalProperties: false },
);

/** Upstream's `ChatReactSchema`: the emoji as `emoji` or (older clients) `reaction`. */
const reactFields = {
  messageId: Type.String({ minLength: 1, description: 'the message to react to' }),
  shouldReact: Type.Optional(Type.Boolean({ nullable: true, description: 'true adds, false removes; absent toggles' })),
};
const ReactBody = {
  oneOf: [
    Type.Object({ emoji: Type.String({ description: 'e.g. :thumbsup: or thumbsup' }), ...reactFields }, { additionalProperties: false, title: 'by emoji' }),
    Type.Object({ reaction: Type.String({ description: 'the same, under its older name' }), ...reactFields }, { additionalProperties: false, title: 'by reaction' }),
  ],
};

/** Upstream's `ChatGetMessageSchema`. */
const GetMessageQuery = Type.Object({ msgId: Type.String({ minLength: 1, description: 'the message' }) }, { additionalProperties: false });

const noMessage = (msgId: string) => plainError(`No message found with the id of "${msgId}".`);
const wrongRoom = () => plainError('The room id provided does not match where the message is from.');
const messageNotFound = () => codedError('error-message-not-found', 'The provided "messageId" does not match any existing message.');

export const chatMessageRoutes: FastifyPluginAsyncTypebox<{ core: Core }> = async (app, { core }) => {
  const tags = ['rocket.chat chat'];
  const config = { rocketChat: { auth: true } };

  /** The message as channels.history shows it: its author and those who reacted, by id. */
  async function present(actor: User, m: Message) {
    const ids = new Set([m.authorId, ...m.reactions.map((r) => r.userId)]);
    const users = new Map<string, User>();
    for (const id of ids) {
      const u = await unlessNotFound(core.accounts.getUser(actor, id));
      if (u) users.set(id, u);
    }
    return presentMessage(m, users);
  }

  /** A message by its id alone, in any room the caller sees (upstream's Messages.findOneById, then its room's access check); deleted ones are not found. */
  const findMessage = (actor: User, msgId: string): Promise<Message | undefined> => unlessNotFound(core.messages.getById(actor, msgId));

  /**
   * The message `msgId` of room `roomId`, as chat.update and chat.delete look it up: a message found
   * nowhere the caller sees is `No message found…`, one in another room `The room id provided does not
   * match…` (both plain errors, as upstream).
   */
  async function messageInRoom(actor: User, roomId: string, msgId: string): Promise<Message> {
    const rid = (roomId === GENERAL_ROOM_ID ? await core.channels.mainId(actor) : roomId) ?? roomId;
    const inRoom = await unlessNotFound(core.messages.get(actor, rid, msgId));
    if (inRoom && !inRoom.deleted) return inRoom;
    if (await findMessage(actor, msgId)) throw wrongRoom();
    throw noMessage(msgId);
  }

  app.post(
    '/chat.update',
    {
      config,
      schema: { tags, ...rcSecurity, summary: "Edit a message's text (its author or an admin) → {message}", body: UpdateBody, response: rcResponses() },
    },
    async (request) => {
      const actor = request.user;
      const { roomId, msgId, text, customFields } = request.body;
      const current = await messageInRoom(actor, roomId, msgId);
      // Upstream validates custom fields whenever the body has them, and Switchboard has none.
      if (customFields) throw plainError('Custom fields not enabled');
      // Upstream's updateMessage does nothing when the text is the same.
      const before = await present(actor, current);
      if (text === before.msg) return ok({ message: before });
      const updated = await core.messages.edit(actor, current.channelId, current.id, { text: slackToSwitchboardMarkup(text) }).catch((e: unknown) => {
        if (isDomainError(e, 'forbidden')) {
          if (/archived/i.test(e.message)) throw plainError('room_is_archived');
          throw codedError('error-action-not-allowed', 'Message editing not allowed', { method: 'updateMessage', action: 'Message_editing' });
        }
        if (isDomainError(e, 'not_found')) throw noMessage(msgId);
        throw e;
      });
      return ok({ message: await present(actor, updated) });
    },
  );

  app.post(
    '/chat.delete',
    {
      config,
      schema: { tags, ...rcSecurity, summary: 'Delete a message (its author or an admin) → {_id, ts, message: {_id, rid, u}}', body: DeleteBody, response: rcResponses() },
    },
    async (request) => {
      const actor = request.user;
      const { roomId, msgId, asUser } = request.body;
      const message = await messageInRoom(actor, roomId, msgId);
      // Upstream: deleting another's message as them needs force-delete-message (admins and owners).
      if (asUser && message.authorId !== actor.id && !isAdmin(actor)) {
        throw plainError('Unauthorized. You must have the permission "force-delete-message" to delete other\'s message as them.');
      }
      const u = (await present(actor, message)).u;
      await core.messages.delete(actor, message.channelId, message.id).catch((e: unknown) => {
        if (isDomainError(e, 'forbidden')) throw codedError('error-action-not-allowed', 'Not allowed');
        if (isDomainError(e, 'not_found')) throw noMessage(msgId);
        throw e;
      });
      // Upstream answers the message as it read it, projected to {u, rid}, and `ts` as a string of epoch milliseconds.
      return ok({ _id: message.id, ts: String(Date.now()), message: { _id: message.id, rid: message.channelId, u } });
    },
  );

  app.post(
    '/chat.react',
    {
      config,
      schema: { tags, ...rcSecurity, summary: 'Add, remove or toggle (shouldReact absent) a reaction → {}', body: ReactBody, response: rcResponses() },
    },
    async (request) => {
      const actor = request.user;
      const body = request.body as { messageId: string; emoji?: string; reaction?: string; shouldReact?: boolean | null };
      const message = await findMessage(actor, body.messageId);
      if (!message) throw messageNotFound();
      const emoji = body.emoji ?? body.reaction;
      if (!emoji) throw codedError('error-emoji-param-not-provided', 'The required "emoji" param is missing.');
      // Upstream's normalisation: `thumbsup`, `:thumbsup:` and `:thumbsup` are one reaction.
      const code = `:${emoji.replace(/:/g, '')}:`;
      const already = message.reactions.some((r) => r.userId === actor.id && r.code === code);
      const add = body.shouldReact ?? !already;
      if (add === already) return ok({});
      await core.messages.react(actor, message.id, code, add).catch((e: unknown) => {
        if (isDomainError(e, 'invalid')) throw codedError('error-not-allowed', 'Invalid emoji provided.', { method: 'setReaction' });
        if (isDomainError(e, 'not_found')) throw messageNotFound();
        if (isDomainError(e, 'forbidden')) throw codedError('error-not-allowed', 'Not allowed', { method: 'setReaction' });
        throw e;
      });
      return ok({});
    },
  );

  app.get(
    '/chat.getMessage',
    {
      config,
      schema: {
        tags,
        ...rcSecurity,
        summary: 'One message by its id → {message}',
        querystring: GetMessageQuery,
        // Upstream's unknown message is `{success: false}`, without an error text; ours says it.
        response: { ...rcResponses(), 400: Type.Object({ success: Type.Literal(false), error: Type.Optional(Type.String()) }, { additionalProperties: true }) },
      },
    },
    async (request, reply) => {
      const message = await findMessage(request.user, request.query.msgId);
      // Upstream answers `{success: false}` alone; the error text is ours (a 4xx says what is wrong):
      // clients read `success`, which is the same.
      if (!message) return reply.code(400).send({ success: false, error: `No message found with the id of "${request.query.msgId}".` });
      return ok({ message: await present(request.user, message) });
    },
  );
};
