/**
 * Socket mode's handshake (docs/app-platform.md §10.1): `GET /apps/{appId}/websocket-connection
 * ?appKey=` (older SDKs send `appSecret=`, the same value) answers the WebSocket URL with a one-time
 * ticket valid 60 s. No token header: the appKey is the credential.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Core } from '../../../domain/index.js';
import { ErrorRef } from '../../http/errors.js';
import { APP_SOCKET_PATH } from './protocol.js';

export const socketModeRoutes: FastifyPluginAsyncTypebox<{ core: Core; publicUrl: () => string }> = async (app, { core, publicUrl }) => {
  app.get(
    '/apps/:appId/websocket-connection',
    {
      schema: {
        tags: ['apps'],
        summary: "Socket mode: a one-time WebSocket URL for the app (query appKey, or appSecret as older SDKs send it)",
        // An id's characters only: a NUL must not reach PostgreSQL (a 500); see v1/schemas.ts IdParam.
        params: Type.Object({ appId: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }) }),
        querystring: Type.Object({ appKey: Type.Optional(Type.String({ maxLength: 256 })), appSecret: Type.Optional(Type.String({ maxLength: 256 })) }),
        response: { 200: Type.Object({ url: Type.String() }), 400: ErrorRef, 401: ErrorRef, 429: ErrorRef },
      },
    },
    async (request) => {
      const ticket = await core.socketMode.handshake(request.params.appId, request.query.appKey ?? request.query.appSecret);
      const url = new URL(APP_SOCKET_PATH, publicUrl());
      url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
      url.searchParams.set('ticket', ticket);
      return { url: url.toString() };
    },
  );
};
