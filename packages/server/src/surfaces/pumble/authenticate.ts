import type { FastifyReply, FastifyRequest } from 'fastify';
import { SESSION_TOKEN_PREFIX, type Accounts } from '../../domain/accounts.js';
import type { Installs } from '../../domain/apps/installs.js';
import { forbidden, unauthenticated } from '../../domain/errors.js';
import { cookieSession } from '../http/session-cookie.js';

// The request state this sets (user, app) is declared in request-state.ts.
declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The scope an app token needs on this route (docs/pumble-api.md §11.2); `'people'` for
     * routes no app may call; `'app'` for routes only app tokens call (no scope).
     */
    scope?: string;
  }
}

/** `Authorization: Bearer <token>`, else the `token` header (the form Pumble apps send). */
export function bearerToken(headers: FastifyRequest['headers']): string | undefined {
  const auth = headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(\S+)$/i.exec(auth.trim());
    if (m) return m[1];
  }
  const token = headers.token;
  return typeof token === 'string' && token.length > 0 ? token : undefined;
}

/** A person's session token only (routes outside `/v1`): a header, else the web client's cookie (same Origin rule as `/v1`). */
export function authenticate(accounts: Accounts, publicUrl?: string) {
  return async function authenticateHook(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
    const token = bearerToken(request.headers) ?? cookieSession(request, publicUrl);
    if (!token) throw unauthenticated('Missing token: send Authorization: Bearer <token> or a token header');
    const user = await accounts.authenticate(token);
    if (!user) throw unauthenticated('Invalid or expired token');
    request.user = user;
  };
}

/**
 * `/v1`: a person's session token, or an app's token with its `x-app-token` (§11.1). An app
 * token without its appKey is refused, as is a wrong appKey. Without a token header, the web
 * client's session cookie (docs/web-client.md §3): a person's only, and a change only from this
 * server's own origin (403 otherwise — CSRF cannot ride the cookie).
 */
export function authenticatePersonOrApp(accounts: Accounts, installs: Installs, publicUrl?: string) {
  return async function authenticateHook(request: FastifyRequest): Promise<void> {
    const token = bearerToken(request.headers);
    if (!token) {
      const session = cookieSession(request, publicUrl);
      if (!session) throw unauthenticated('Missing token: send Authorization: Bearer <token> or a token header');
      const user = await accounts.authenticate(session);
      if (!user) throw unauthenticated('Invalid or expired session');
      request.user = user;
      request.sessionToken = session;
      return;
    }
    // Session tokens carry the sbs_ prefix: a person's request costs one lookup, not two.
    if (!token.startsWith(SESSION_TOKEN_PREFIX)) {
      const appKey = typeof request.headers['x-app-token'] === 'string' ? request.headers['x-app-token'] : undefined;
      const app = await installs.authenticate(token, appKey);
      if (app) {
        request.user = app.user;
        request.app = app;
        return;
      }
    }
    const user = await accounts.authenticate(token);
    if (!user) throw unauthenticated('Invalid or expired token');
    request.user = user;
    request.sessionToken = token;
  };
}

/** After authentication: an app must hold the route's scope; people are limited by their rights alone. */
export async function checkScope(request: FastifyRequest): Promise<void> {
  const scope = request.routeOptions.config.scope;
  if (request.app) {
    if (scope === undefined || scope === 'people') throw forbidden('Apps cannot call this route');
    if (scope !== 'app' && !request.app.scopes.has(scope)) throw forbidden(`Missing scope: ${scope}`);
  } else if (scope === 'app') {
    throw forbidden('Only app tokens can call this route');
  }
}

/** Security requirement for the OpenAPI document: either form of the session token. */
export const sessionSecurity: Array<Record<string, string[]>> = [{ bearerAuth: [] }, { tokenHeader: [] }];
