/**
 * `GET /api/info` (docs/integrations.md §12.5): the public server information Rocket.Chat clients and
 * SDKs read before anything else (upstream's misc.ts `info` route and lib/getServerInfo.ts). Without
 * the `get-server-info` permission upstream answers only its version, major and minor
 * (`removePatchInfo`); so does this, for everyone: there is no build information to add.
 *
 * The route lives beside `/api/v1`, not under it, so it is a plugin of its own, registered at the
 * prefix `/api` (server.ts).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';

/**
 * The Rocket.Chat version this face answers as: the last 6.x minor, whose REST shapes (the ajv schemas
 * of chat.postMessage, chat.sendMessage, chat.react and chat.update, `tshow`, rooms.info) are the ones
 * the surface follows. Clients gate features on it; a 7.x version would send them to endpoints this
 * face does not have.
 */
export const ROCKET_CHAT_VERSION = '6.13';

export const rocketChatInfo: FastifyPluginAsyncTypebox = async (app) => {
  // Exactly `application/json`, as upstream sends it (plugin.ts).
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('content-type', 'application/json');
    return payload;
  });
  app.get(
    '/info',
    {
      schema: {
        tags: ['rocket.chat'],
        summary: 'The Rocket.Chat version this server answers as → {version, success}',
        response: { 200: Type.Object({ version: Type.String(), success: Type.Literal(true) }) },
      },
    },
    async () => ({ version: ROCKET_CHAT_VERSION, success: true as const }),
  );
};
