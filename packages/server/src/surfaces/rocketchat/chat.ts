/**
 * `chat.postMessage` and `chat.sendMessage` (docs/integrations.md §12.5): the calls Rocket.Chat bots and
 * scripts post with. The bodies are checked with upstream's schemas (`isChatPostMessageProps`,
 * `isChatSendMessageProps`: a wrong shape is `invalid-params` in the validator's words); every rule
 * after that — destinations, auto-join, DMs, membership, impersonation, attachments, sizes — is the
 * domain's (core.integrationPoster, domain/integrations/chat-post.ts), as for an incoming webhook.
 * The message comes back as channels.history shows it (present.ts).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type TSchema } from 'typebox';
import type { Core } from '../../domain/index.js';
import type { Message, User } from '../../domain/model.js';
import { ok, rcResponses, rcSecurity } from './envelope.js';
import { presentMessage } from './present.js';

/** A string, or null (upstream's `nullable: true`: null is as good as absent). */
const nullable = (description: string) => Type.String({ nullable: true, description });
const NullableAttachments = Type.Array(Type.Object({}, { additionalProperties: true }), {
  nullable: true,
  description: 'Rocket.Chat / Slack message attachments (docs/integrations.md §7.6)',
});
const NullableObject = (description: string) => Type.Object({}, { additionalProperties: true, nullable: true, description });

/** One destination or several: `#name`, `@username`, a room id or name, a user id. */
const Destinations = (description: string) =>
  Type.Unsafe<string | string[]>({ oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }], description });

/** What both forms of chat.postMessage take beside their destination (upstream: `tmid` only with `roomId`). */
const postFields = {
  text: Type.Optional(nullable('the message, in Rocket.Chat markup')),
  alias: Type.Optional(nullable('a display name instead of the poster\'s (needs message-impersonate)')),
  emoji: Type.Optional(nullable('an emoji as the avatar, e.g. :robot:')),
  avatar: Type.Optional(nullable('an avatar URL (needs message-impersonate)')),
  attachments: Type.Optional(NullableAttachments),
  customFields: Type.Optional(NullableObject('refused: Switchboard messages have no custom fields')),
  parseUrls: Type.Optional(Type.Boolean({ description: 'accepted; links are previewed as for any message' })),
};

/** Upstream's `ChatPostMessageSchema`: exactly one of the two forms, nothing beside their fields. */
const PostMessageBody = {
  oneOf: [
    Type.Object(
      {
        roomId: Destinations('room id(s), or #name / @username as for channel'),
        ...postFields,
        tmid: Type.Optional(Type.String({ description: 'the thread to reply in (a message of that room)' })),
      },
      { additionalProperties: false, title: 'by roomId' },
    ),
    Type.Object(
      { channel: Destinations('#name, @username, a room id or name, or a user id; or a list of them'), ...postFields },
      { additionalProperties: false, title: 'by channel' },
    ),
  ],
} satisfies { oneOf: TSchema[] };

/** Upstream's `chatSendMessageSchema`: the message's own fields are typed, others are let through (and not kept). */
const SendMessageBody = Type.Object(
  {
    message: Type.Object(
      {
        _id: Type.Optional(nullable('accepted; Switchboard chooses message ids')),
        rid: Type.Optional(Type.String({ description: 'the room id (`GENERAL`: the default channel)' })),
        tmid: Type.Optional(nullable('the thread to reply in; its room is the one posted to')),
        msg: Type.Optional(nullable('the message, in Rocket.Chat markup')),
        alias: Type.Optional(nullable('a display name instead of the poster\'s (needs message-impersonate)')),
        emoji: Type.Optional(nullable('an emoji as the avatar')),
        tshow: Type.Optional(Type.Boolean({ nullable: true, description: 'a thread reply also shown in the room' })),
        avatar: Type.Optional(nullable('an avatar URL (needs message-impersonate)')),
        attachments: Type.Optional(NullableAttachments),
        blocks: Type.Optional(Type.Array(Type.Object({}, { additionalProperties: true }), { nullable: true, description: 'accepted; not kept' })),
        customFields: Type.Optional(NullableObject('refused: Switchboard messages have no custom fields')),
      },
      { additionalProperties: true },
    ),
    previewUrls: Type.Optional(Type.Array(Type.String(), { nullable: true, description: 'accepted; links are previewed as for any message' })),
  },
  { additionalProperties: false },
);

/** The message as channels.history shows it; its author is the caller. */
const presented = (actor: User, m: Message) => presentMessage(m, new Map([[actor.id, actor]]));

export const chatRoutes: FastifyPluginAsyncTypebox<{ core: Core }> = async (app, { core }) => {
  const tags = ['rocket.chat chat'];
  const config = { rocketChat: { auth: true } };

  app.post(
    '/chat.postMessage',
    {
      config,
      schema: {
        tags,
        ...rcSecurity,
        summary: 'Post a message to one or more rooms or people, as processWebhookMessage does → {ts, channel, message}',
        body: PostMessageBody,
        response: rcResponses(),
      },
    },
    async (request) => {
      const posted = await core.integrationPoster.chatPostMessage(request.user, request.body as Record<string, unknown>);
      return ok({ ts: Date.now(), channel: posted.channel, message: presented(request.user, posted.message) });
    },
  );

  app.post(
    '/chat.sendMessage',
    {
      config,
      schema: { tags, ...rcSecurity, summary: 'Send one message to a room by its id → {message}', body: SendMessageBody, response: rcResponses() },
    },
    async (request) => {
      const message = await core.integrationPoster.chatSendMessage(request.user, request.body.message as Record<string, unknown>);
      return ok({ message: presented(request.user, message) });
    },
  );
};
