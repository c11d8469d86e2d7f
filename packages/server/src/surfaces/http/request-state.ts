import type { FastifyInstance } from 'fastify';
import type { KeyActor } from '../../domain/addons/api-keys/keys.js';
import type { AppActor } from '../../domain/apps/installs.js';
import type { User } from '../../domain/model.js';

/**
 * Everything a request carries besides what Fastify gives it, declared in one place and set up
 * front with `decorateRequest`: every request object then has the same shape from its creation
 * (V8 keeps one hidden class instead of one per combination of later assignments), and a reader
 * finds here what each surface's authentication leaves on the request.
 */
declare module 'fastify' {
  interface FastifyRequest {
    /** the authenticated caller (a person, a bot, or the user an app token acts for); set by each surface's authentication */
    user: User;
    /** `/v1` and OAuth: set when the caller is an app, with its token's kind and scopes */
    app?: AppActor;
    /** the API-keys addon: who the request's key acts as */
    keyActor?: KeyActor;
    /** Rocket.Chat: the X-Auth-Token this request came with (logout ends it) */
    rocketChatToken?: string;
    /** `/v1`: the person's session token this request came with (header or cookie), for the routes that end or keep sessions */
    sessionToken?: string;
  }
}

export function declareRequestState(app: FastifyInstance): void {
  app.decorateRequest('user', null as unknown as User);
  app.decorateRequest('app', undefined);
  app.decorateRequest('keyActor', undefined);
  app.decorateRequest('rocketChatToken', undefined);
  app.decorateRequest('sessionToken', undefined);
}
