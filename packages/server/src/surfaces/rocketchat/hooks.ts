/**
 * The incoming-webhook URLs of Rocket.Chat (`/hooks`, docs/integrations.md §7.1) and Pumble's
 * `/workspaces/…/incomingWebhooks/postMessage` (§11). This encapsulated plugin reads every body as
 * text itself and parses it only when the pipeline asks (surfaces/http/incoming-webhooks.ts, §7.3);
 * none of the server's global parsers run here. Each route translates the request into an
 * IncomingHookRequest and answers the outcome in its form's conventions (hook-answers.ts). Slack's
 * `/services` form is surfaces/slack/.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Core } from '../../domain/index.js';
import { hookError } from '../../domain/integrations/hook-errors.js';
import type { HookRestAction } from '../../domain/integrations/incoming-hooks.js';
import { hitIpLimit } from '../../domain/integrations/incoming-rate-limit.js';
import type { RateLimiter } from '../../domain/ports/rate-limiter.js';
import { MAX_INCOMING_BODY_BYTES, incomingHookRequest, readBodiesAsText, sendHookResponse, withHeaders } from '../http/incoming-webhooks.js';
import { hookAnswer, hookErrorResponse, hookRateLimitHeaders, restHookAnswer, type HookForm } from './hook-answers.js';

export interface IncomingHookRoutesOptions {
  core: Core;
  limiter: RateLimiter;
  rateLimits: boolean;
}

/**
 * §7.1: `/hooks` is CORS-enabled (browser-side senders); no credentials are involved. The limit's
 * headers (docs/delivery.md §10) are exposed so that a browser-side sender can read them and pace itself.
 */
const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-allow-headers': 'Origin, X-Requested-With, Content-Type, Accept',
  'access-control-expose-headers': 'Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset',
};

const TAGS = ['Incoming webhooks'];
// Kept out of /docs (hide): webhook URLs are capabilities, not calls to try out with Authorize — and
// with them listed, Swagger UI (5.x) stopped rendering the page after its sixth operation (found by
// docs-browser.test.ts; cause not pinned down). README documents these URLs.

/** Which URL form a request came through, for answers given before its handler runs. */
const formOf = (request: FastifyRequest): HookForm => (request.url.startsWith('/workspaces/') ? 'pumble' : 'hooks');

export async function incomingHookRoutes(app: FastifyInstance, opts: IncomingHookRoutesOptions): Promise<void> {
  const { core, limiter, rateLimits } = opts;

  readBodiesAsText(app);

  // Failures before a handler runs (a body over 1 MiB, a broken stream) in the form's own conventions.
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const form = formOf(request);
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || err.statusCode === 413) return sendHookResponse(reply, hookErrorResponse(hookError.bodyTooLarge(), form));
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return sendHookResponse(reply, hookErrorResponse(hookError.invalidPayload(err.message), form));
    request.log.error({ err }, 'incoming webhook failed');
    return sendHookResponse(reply, hookErrorResponse(hookError.serverError(), form));
  });

  app.addHook('onSend', async (request, reply) => {
    if (!request.url.startsWith('/hooks/')) return;
    reply.headers(CORS_HEADERS);
    // Rocket.Chat serves /hooks from its REST layer: `application/json` exactly, as /api/v1 (plugin.ts).
    const type = reply.getHeader('content-type');
    if (typeof type === 'string' && type.startsWith('application/json')) reply.header('content-type', 'application/json');
  });

  /** §7.2: a flood from one address is cut before any lookup. */
  const ipLimited = async (request: FastifyRequest, reply: FastifyReply): Promise<boolean> => {
    if (!rateLimits) return false;
    const form = formOf(request);
    const limited = await hitIpLimit(limiter, request.ip, Date.now());
    if (!limited) return false;
    sendHookResponse(reply, withHeaders(hookErrorResponse(limited.refused, form), hookRateLimitHeaders(limited.quota, form)));
    return true;
  };

  const execute =
    (form: HookForm, ids: (params: Record<string, string>) => { integrationId?: string; workspaceId?: string }) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      if (await ipLimited(request, reply)) return reply;
      const hookRequest = incomingHookRequest(request, form, ids(request.params as Record<string, string>));
      return sendHookResponse(reply, await core.incomingHooks.execute(hookRequest, hookAnswer(form)));
    };

  const rest = (action: HookRestAction) => async (request: FastifyRequest, reply: FastifyReply) => {
    if (await ipLimited(request, reply)) return reply;
    const p = request.params as Record<string, string>;
    const outcome = await core.incomingHooks.rest(action, incomingHookRequest(request, 'hooks', { integrationId: p.integrationId! }), core.integrations);
    return sendHookResponse(reply, restHookAnswer(outcome));
  };

  const hooks = {
    bodyLimit: MAX_INCOMING_BODY_BYTES,
    schema: { hide: true, tags: TAGS, summary: 'Rocket.Chat incoming webhook' },
  };
  const byId = (p: Record<string, string>) => ({ integrationId: p.integrationId! });

  // Static segments (`info`, `sample`, `add`, `remove`) take precedence over the legacy `/:integrationId/:userId/:token`.
  app.get('/hooks/info/:integrationId/:token', { ...hooks, schema: { hide: true, tags: TAGS, summary: 'Checks a hook URL' } }, rest('info'));
  for (const path of ['/hooks/sample/:integrationId/:token', '/hooks/sample/:integrationId/:userId/:token']) {
    app.get(path, { ...hooks, schema: { hide: true, tags: TAGS, summary: 'Sample outgoing payloads' } }, rest('sample'));
  }
  app.post('/hooks/add/:integrationId/:token', { ...hooks, schema: { hide: true, tags: TAGS, summary: 'REST hooks: subscribe' } }, rest('add'));
  app.post('/hooks/remove/:integrationId/:token', { ...hooks, schema: { hide: true, tags: TAGS, summary: 'REST hooks: unsubscribe' } }, rest('remove'));
  // `userId` of the legacy form is ignored (§7.1).
  for (const path of ['/hooks/:integrationId/:token', '/hooks/:integrationId/:userId/:token']) {
    app.route({ method: ['GET', 'POST'], url: path, ...hooks, handler: execute('hooks', byId) });
  }
  app.options('/hooks/*', { schema: { hide: true } }, async (_request, reply) => reply.code(204).send());

  const pumble = { bodyLimit: MAX_INCOMING_BODY_BYTES, schema: { hide: true, tags: TAGS, summary: 'Pumble incoming webhook' } };
  app.post(
    '/workspaces/:workspaceId/incomingWebhooks/postMessage/:code',
    pumble,
    execute('pumble', (p) => ({ workspaceId: p.workspaceId! })),
  );
  app.post(
    '/workspaces/:workspaceId/incomingWebhooks/postMessage/:id/:secret',
    pumble,
    execute('pumble', (p) => ({ workspaceId: p.workspaceId!, integrationId: p.id! })),
  );
}
