/**
 * The incoming-webhook URLs (docs/integrations.md §7.1, §10, §11): Rocket.Chat's `/hooks`, Slack's
 * `/services`, Pumble's `/workspaces/…/incomingWebhooks/postMessage`. Senders send bodies of every
 * kind (JSON with any or no content type, `payload=` forms, raw JSON labelled as a form), so this
 * encapsulated plugin reads every body as text itself and leaves parsing to the core (§7.3); none of
 * the server's global parsers run here. Each route translates the request into an IncomingHookRequest
 * and writes out the HookResponse it gets back.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Core } from '../../domain/index.js';
import { hookError, hookErrorResponse, type HookFlavor, type HookResponse } from '../../domain/integrations/hook-errors.js';
import { MAX_INCOMING_BODY_BYTES } from '../../domain/integrations/incoming-body.js';
import type { HookRestAction, IncomingHookRequest } from '../../domain/integrations/incoming-hooks.js';
import { hitIpLimit } from '../../domain/integrations/incoming-rate-limit.js';
import { errorBody } from '../http/errors.js';
import type { RateLimiter } from '../../domain/ports/rate-limiter.js';

export interface IncomingHookRoutesOptions {
  core: Core;
  limiter: RateLimiter;
  rateLimits: boolean;
}

/**
 * The body as text. Kept in a private field: the server's global body inspection walks enumerable
 * properties of parsed bodies, and a webhook body is not parsed (nor refused) until the core reads it.
 */
class RawBody {
  readonly #text: string;
  constructor(text: string) {
    this.#text = text;
  }
  get text(): string {
    return this.#text;
  }
}

/**
 * The token is the last path segment of every hook URL, taken as sent: the core decodes it once
 * (§7.2 `decodeURIComponent`), where the router's already-decoded parameter would be decoded twice.
 */
const lastSegment = (url: string): string => url.split('?', 1)[0]!.split('/').pop() ?? '';

const rawBody = (request: FastifyRequest): string => (request.body instanceof RawBody ? request.body.text : '');

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
function flavorOf(request: FastifyRequest): HookFlavor {
  if (request.url.startsWith('/services/')) return 'slack';
  if (request.url.startsWith('/workspaces/')) return 'pumble';
  return 'hooks';
}

/** The Pumble form answers with the app platform's error body (§11, docs/app-platform.md §4.3). */
function send(reply: FastifyReply, flavor: HookFlavor, response: HookResponse): FastifyReply {
  if (response.headers) for (const [k, v] of Object.entries(response.headers)) reply.header(k, v);
  reply.code(response.status);
  if (flavor === 'pumble' && response.status >= 400) {
    const body = response.body as { error?: unknown };
    const message = typeof body?.error === 'string' ? body.error : 'The webhook could not be processed';
    return reply.type('application/json; charset=utf-8').send(errorBody(response.status, message));
  }
  if (response.type === 'text') return reply.type('text/plain; charset=utf-8').send(String(response.body));
  return reply.type('application/json; charset=utf-8').send(JSON.stringify(response.body));
}

export async function incomingHookRoutes(app: FastifyInstance, opts: IncomingHookRoutesOptions): Promise<void> {
  const { core, limiter, rateLimits } = opts;

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: MAX_INCOMING_BODY_BYTES }, (_request, body, done) => {
    done(null, new RawBody(typeof body === 'string' ? body : body.toString('utf8')));
  });

  // Failures before a handler runs (a body over 1 MiB, a broken stream) in the form's own conventions.
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const flavor = flavorOf(request);
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || err.statusCode === 413) return send(reply, flavor, hookErrorResponse(hookError.bodyTooLarge(), flavor));
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return send(reply, flavor, hookErrorResponse(hookError.invalidPayload(err.message), flavor));
    request.log.error({ err }, 'incoming webhook failed');
    return send(reply, flavor, hookErrorResponse(hookError.serverError(), flavor));
  });

  app.addHook('onSend', async (request, reply) => {
    if (request.url.startsWith('/hooks/')) reply.headers(CORS_HEADERS);
  });

  /** §7.2: a flood from one address is cut before any lookup. */
  const ipLimited = async (request: FastifyRequest, reply: FastifyReply): Promise<boolean> => {
    if (!rateLimits) return false;
    const flavor = flavorOf(request);
    const limited = await hitIpLimit(limiter, request.ip, flavor, Date.now());
    if (!limited) return false;
    const response = hookErrorResponse(limited.refused, flavor);
    send(reply, flavor, { ...response, headers: { ...limited.headers, ...response.headers } });
    return true;
  };

  const hookRequest = (request: FastifyRequest, flavor: HookFlavor, ids: { integrationId?: string; workspaceId?: string }): IncomingHookRequest => ({
    flavor,
    ...ids,
    token: lastSegment(request.url),
    method: request.method,
    url: request.url,
    headers: request.headers,
    rawBody: rawBody(request),
  });

  const execute =
    (flavor: HookFlavor, ids: (params: Record<string, string>) => { integrationId?: string; workspaceId?: string }) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      if (await ipLimited(request, reply)) return reply;
      const response = await core.incomingHooks.execute(hookRequest(request, flavor, ids(request.params as Record<string, string>)));
      return send(reply, flavor, response);
    };

  const rest = (action: HookRestAction) => async (request: FastifyRequest, reply: FastifyReply) => {
    if (await ipLimited(request, reply)) return reply;
    const p = request.params as Record<string, string>;
    const response = await core.incomingHooks.rest(action, hookRequest(request, 'hooks', { integrationId: p.integrationId! }), core.integrations);
    return send(reply, 'hooks', response);
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

  app.post(
    '/services/:integrationId/:token',
    { bodyLimit: MAX_INCOMING_BODY_BYTES, schema: { hide: true, tags: TAGS, summary: 'Slack-compatible incoming webhook' } },
    execute('slack', byId),
  );

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
