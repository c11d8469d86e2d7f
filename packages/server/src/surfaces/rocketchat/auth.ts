/**
 * Rocket.Chat authentication (docs/integrations.md §2): `POST /login` gives a Switchboard session token
 * as `authToken`; later requests send it as `X-Auth-Token` beside `X-User-Id`.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { LOGIN_FAILURES, type Accounts } from '../../domain/accounts.js';
import { DomainError, unauthenticated } from '../../domain/errors.js';
import type { Core } from '../../domain/index.js';
import type { User } from '../../domain/model.js';
import { loginFailedBody, ok, rcResponses, rcSecurity } from './envelope.js';
import { presentUser } from './present.js';
import { cookieSession } from '../http/session-cookie.js';

const header = (request: FastifyRequest, name: string): string | undefined => {
  const v = request.headers[name];
  return typeof v === 'string' && v.length > 0 ? v : undefined;
};

/**
 * onRequest, before anything is read: both headers, a live session, and the session's user is the
 * one X-User-Id names (a token must not act under another user's id). Without either header, the
 * web client's session cookie (its administration pages; docs/pumble-api.md §2.3's Origin rule).
 */
export function authenticateRocketChat(accounts: Accounts, publicUrl?: string) {
  return async function rocketChatAuth(request: FastifyRequest): Promise<void> {
    if (!request.routeOptions.config?.rocketChat?.auth) return;
    const userId = header(request, 'x-user-id');
    const token = header(request, 'x-auth-token');
    if (!userId && !token) {
      const session = cookieSession(request, publicUrl);
      const user = session ? await accounts.authenticate(session) : undefined;
      if (!user || !session) throw unauthenticated();
      request.user = user;
      request.rocketChatToken = session;
      return;
    }
    if (!userId || !token) throw unauthenticated();
    const user = await accounts.authenticate(token);
    if (!user || user.id !== userId) throw unauthenticated();
    request.user = user;
    request.rocketChatToken = token;
  };
}

const LoginBody = Type.Object(
  {
    user: Type.Optional(Type.String({ minLength: 1, maxLength: 320, description: 'username or e-mail address' })),
    username: Type.Optional(Type.String({ minLength: 1, maxLength: 320 })),
    email: Type.Optional(Type.String({ minLength: 1, maxLength: 320 })),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
    code: Type.Optional(Type.String({ description: 'TOTP code; Switchboard accounts have no 2FA yet, so it is ignored' })),
    workspaceId: Type.Optional(Type.String({ description: 'extension: which workspace, when the person belongs to several' })),
  },
  { additionalProperties: true },
);

const meOf = (u: User) => presentUser(u);

export const authRoutes: FastifyPluginAsyncTypebox<{ core: Core }> = async (app, { core }) => {
  const tags = ['rocket.chat'];

  app.post(
    '/login',
    {
      // Upstream checks the login with Meteor's `check`, which names the wrong field (`… in field user`).
      config: { rocketChat: { rateLimit: LOGIN_FAILURES, checkWords: true } },
      schema: {
        tags,
        summary: 'Log in with username or e-mail and password; answers userId and authToken',
        body: LoginBody,
        response: rcResponses(),
      },
    },
    async (request, reply) => {
      const { user, username, email, password, workspaceId } = request.body;
      const login = user ?? username ?? email;
      try {
        if (login === undefined) throw unauthenticated();
        // Usernames never contain "@" (accounts.ts), so this cannot mistake one for the other.
        const session = login.includes('@')
          ? await core.accounts.login(login, password, workspaceId, request.ip)
          : await core.accounts.loginByUsername(login, password, workspaceId, request.ip);
        return ok({ status: 'success', data: { userId: session.user.id, authToken: session.token, me: meOf(session.user) } });
      } catch (e) {
        if (e instanceof DomainError && e.kind === 'unauthenticated') return reply.code(401).send(loginFailedBody);
        throw e;
      }
    },
  );

  const logout = async (request: FastifyRequest) => {
    await core.accounts.logout(request.user, request.rocketChatToken!);
    return ok({ status: 'success', data: { message: "You've been logged out!" } });
  };
  for (const method of ['GET', 'POST'] as const) {
    app.route({
      method,
      url: '/logout',
      config: { rocketChat: { auth: true } },
      schema: { tags, ...rcSecurity, summary: 'End this session: the token stops working at once', response: rcResponses() },
      handler: logout,
    });
  }

  app.get(
    '/me',
    { config: { rocketChat: { auth: true } }, schema: { tags, ...rcSecurity, summary: 'The caller', response: rcResponses() } },
    async (request) => ok(meOf(request.user)),
  );
};
