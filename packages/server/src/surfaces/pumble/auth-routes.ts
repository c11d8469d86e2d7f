import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { FastifyRequest } from 'fastify';
import { forbidden, unauthenticated } from '../../domain/errors.js';
import { clearedSessionCookie, expectedOrigin, fromOrigin, sessionCookie, sessionFromCookie } from '../http/session-cookie.js';
import type { Core } from '../../domain/index.js';
import { bearerToken, sessionSecurity } from './authenticate.js';
import { ErrorRef } from '../http/errors.js';

/**
 * `/auth`: e-mail and password in, a session token out (`/auth/login`, for API clients); or, for
 * the web client, the same session in an HttpOnly cookie (`/auth/session`, docs/web-client.md §3).
 */
export const authRoutes: FastifyPluginAsyncTypebox<{ core: Core; publicUrl?: string }> = async (app, { core, publicUrl }) => {
  const Credentials = Type.Object({
    email: Type.String({ minLength: 1, maxLength: 320 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
    workspaceId: Type.Optional(Type.String({ description: 'which workspace, when the e-mail belongs to several' })),
  });
  const SessionBody = Type.Object({ workspaceId: Type.String(), workspaceUserId: Type.String() });
  const secure = (request: FastifyRequest) => (publicUrl ? publicUrl.startsWith('https:') : request.protocol === 'https');
  /** Signing in or out through the cookie only from this server's own pages: no login CSRF either. */
  const ownPage = (request: FastifyRequest) => {
    if (!fromOrigin(request.headers, expectedOrigin(publicUrl, request.headers, request.protocol))) {
      throw forbidden("Cross-site request refused: the session cookie is set and cleared only from this server's own pages (Origin)");
    }
  };

  app.post(
    '/auth/session',
    {
      schema: {
        tags: ['auth'],
        summary: 'Sign in for the web client: the session goes into an HttpOnly cookie, never to scripts',
        description: 'Same credentials and lockout as `POST /auth/login`. Needs an `Origin` equal to the server\'s own (403 otherwise).',
        body: Credentials,
        response: { 200: SessionBody, 400: ErrorRef, 401: ErrorRef, 403: ErrorRef, 413: ErrorRef, 415: ErrorRef, 429: ErrorRef },
      },
    },
    async (request, reply) => {
      ownPage(request);
      const { token, user } = await core.accounts.login(request.body.email, request.body.password, request.body.workspaceId, request.ip);
      reply.header('set-cookie', sessionCookie(token, secure(request))).header('cache-control', 'no-store');
      return { workspaceId: user.workspaceId, workspaceUserId: user.id };
    },
  );

  app.get(
    '/auth/session',
    {
      schema: {
        tags: ['auth'],
        summary: "The web client's session: who is signed in (401 when nobody)",
        response: { 200: SessionBody, 401: ErrorRef },
      },
    },
    async (request, reply) => {
      const token = sessionFromCookie(request);
      const user = token ? await core.accounts.authenticate(token) : undefined;
      if (!user) throw unauthenticated('Not signed in');
      reply.header('cache-control', 'no-store');
      return { workspaceId: user.workspaceId, workspaceUserId: user.id };
    },
  );

  app.delete(
    '/auth/session',
    {
      schema: {
        tags: ['auth'],
        summary: 'Sign out of the web client: the session ends on the server and the cookie is cleared',
        response: { 204: Type.Unsafe<undefined>({ description: 'Signed out' }), 403: ErrorRef },
      },
    },
    async (request, reply) => {
      ownPage(request);
      const token = sessionFromCookie(request);
      const user = token ? await core.accounts.authenticate(token) : undefined;
      if (user && token) await core.accounts.logout(user, token);
      return reply.header('set-cookie', clearedSessionCookie(secure(request))).code(204).send();
    },
  );

  app.post(
    '/auth/login',
    {
      schema: {
        tags: ['auth'],
        summary: 'Log in with e-mail and password',
        body: Credentials,
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
