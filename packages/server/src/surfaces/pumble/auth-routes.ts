import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { unauthenticated } from '../../domain/errors.js';
import type { Core } from '../../domain/index.js';
import { bearerToken, sessionSecurity } from './authenticate.js';
import { ErrorRef } from '../http/errors.js';

/** `/auth`: e-mail and password in, a session token out. */
export const authRoutes: FastifyPluginAsyncTypebox<{ core: Core }> = async (app, { core }) => {
  app.post(
    '/auth/login',
    {
      schema: {
        tags: ['auth'],
        summary: 'Log in with e-mail and password',
        body: Type.Object({
          email: Type.String({ minLength: 1, maxLength: 320 }),
          password: Type.String({ minLength: 1, maxLength: 1024 }),
          workspaceId: Type.Optional(Type.String({ description: 'which workspace, when the e-mail belongs to several' })),
        }),
        response: {
          200: Type.Object({ token: Type.String(), workspaceId: Type.String(), workspaceUserId: Type.String() }),
          400: ErrorRef,
          401: ErrorRef,
          413: ErrorRef,
          415: ErrorRef,
          429: ErrorRef,
        },
      },
    },
    async (request) => {
      const { token, user } = await core.accounts.login(request.body.email, request.body.password, request.body.workspaceId, request.ip);
      return { token, workspaceId: user.workspaceId, workspaceUserId: user.id };
    },
  );

  app.post(
    '/auth/logout',
    {
      schema: {
        tags: ['auth'],
        summary: 'End this session; the token stops working at once',
        security: sessionSecurity,
        response: { 200: Type.Object({}), 401: ErrorRef },
      },
    },
    async (request) => {
      const token = bearerToken(request.headers);
      const user = token ? await core.accounts.authenticate(token) : undefined;
      if (!token || !user) throw unauthenticated();
      await core.accounts.logout(user, token);
      return {};
    },
  );
};
