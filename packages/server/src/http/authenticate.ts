import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Accounts } from '../core/accounts.js';
import { unauthenticated } from '../core/errors.js';
import type { User } from '../core/model.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** the authenticated caller; set by the `authenticate` hook */
    user: User;
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

export function authenticate(accounts: Accounts) {
  return async function authenticateHook(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
    const token = bearerToken(request.headers);
    if (!token) throw unauthenticated('Missing token: send Authorization: Bearer <token> or a token header');
    const user = await accounts.authenticate(token);
    if (!user) throw unauthenticated('Invalid or expired token');
    request.user = user;
  };
}

/** Security requirement for the OpenAPI document: either form of the session token. */
export const sessionSecurity: Array<Record<string, string[]>> = [{ bearerAuth: [] }, { tokenHeader: [] }];
