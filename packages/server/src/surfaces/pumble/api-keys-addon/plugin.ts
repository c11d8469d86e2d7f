import Negotiator from 'negotiator';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyPluginAsync, FastifyRequest, RouteOptions } from 'fastify';
import type { Core } from '../../../domain/index.js';
import { DomainError, forbidden } from '../../../domain/errors.js';
import { firstSpoken, localeOf, translate, type Locale } from '../../../domain/addons/api-keys/i18n.js';
import { AddonRefusal, addonErrorBody, sendAddonError } from './errors.js';
import { buildAddonOpenApi } from './openapi.js';
import { apiKeyRoutes } from './routes.js';
import { addonFileRoutes } from './files.js';
import type { RateLimiter } from '../../../domain/ports/rate-limiter.js';

export const API_KEYS_BASE = '/addon/api-keys';
const WINDOW_MS = 60_000;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** the addon's routes: the key's scope this route needs, and its documentation */
    summary?: string;
    tags?: string[];
  }
}

export interface ApiKeysAddonOptions {
  core: Core;
  limiter: RateLimiter;
  requestsPerMinute: number;
}

const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, DELETE, OPTIONS',
  'access-control-allow-headers': 'ApiKey, Api-Key, Content-Type, Accept-Language',
  'access-control-expose-headers': 'Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset',
  'access-control-max-age': '600',
};

/** `Api-Key` or `ApiKey` (§5.1); both present and different is a refusal, not a guess. */
function keyFrom(request: FastifyRequest): string | undefined {
  const one = request.headers['api-key'];
  const other = request.headers.apikey;
  const a = typeof one === 'string' && one.trim() ? one.trim() : undefined;
  const b = typeof other === 'string' && other.trim() ? other.trim() : undefined;
  if (a && b && a !== b) throw new AddonRefusal('unauthenticated', 'errKeyConflict');
  return a ?? b;
}

/** The find-my-way constraints of the root forms (§5.1): a key header present; the dedicated host. */
const KEY_HEADER = 'apiKeyHeader';
const DEDICATED_HOST = 'apiKeysHost';

/** The request carries `Api-Key` or `ApiKey` (an empty one too: it then fails as a missing key would). */
const carriesKey = (headers: IncomingHttpHeaders) => headers['api-key'] !== undefined || headers.apikey !== undefined;

/** The Host header's host name: lower case, without the port or a final dot. */
function hostNameOf(host: string | undefined): string | undefined {
  if (!host) return undefined;
  return host.trim().toLowerCase().replace(/:\d*$/, '').replace(/\.$/, '') || undefined;
}

/** A constraint strategy over one derived string, stored by exact value. */
function exactStrategy(name: string, derive: (headers: IncomingHttpHeaders) => string | undefined) {
  return {
    name,
    storage() {
      const stored = new Map<string, unknown>();
      return { get: (value: string) => (stored.get(value) ?? null) as never, set: (value: string, handler: unknown) => void stored.set(value, handler) };
    },
    // undefined: the constrained routes do not match this request; the others still do.
    deriveConstraint: (req: IncomingMessage) => derive(req.headers) as string,
    mustMatchWhenDerived: false,
  };
}

/** Routes registered after this in `app`'s context also answer only under `constraints`, and stay out of /openapi.json. */
function constrainRoutes(app: FastifyInstance, constraints: Record<string, string>, onEach?: (route: RouteOptions) => void) {
  app.addHook('onRoute', (route) => {
    route.constraints = { ...route.constraints, ...constraints };
    route.schema = { ...route.schema, hide: true };
    onEach?.(route as RouteOptions);
  });
}

/** What every face of the addon shares: CORS for browser tools and the addon's error body (§5.1, §6). */
function addonSurface(app: FastifyInstance, localeFor: (request: FastifyRequest) => Promise<Locale>) {
  app.addHook('onRequest', async (request, reply) => {
    reply.headers(CORS_HEADERS);
    if (request.method === 'OPTIONS') return reply.code(204).send();
  });
  app.setErrorHandler(async (err: FastifyError, request, reply) => sendAddonError(request, reply, err, await localeFor(request)));
}

function localeResolver(core: Core) {
  return async (request: FastifyRequest): Promise<Locale> => {
    const actor = request.keyActor;
    // No known user (a bad key): Accept-Language, by its q-weights (`pt;q=0.2, es` is Spanish).
    if (!actor) return firstSpoken(new Negotiator(request).languages());
    return localeOf(actor.user, (await core.accounts.workspace(actor.user).catch(() => undefined))?.locale);
  };
}

interface OperationsOptions extends ApiKeysAddonOptions {
  /** collects the routes the addon's OpenAPI document describes */
  documented?: RouteOptions[];
}

/** The 26 operations (§5.3) behind key authentication, the per-owner rate limit (§7) and the key's scopes. */
const operations: FastifyPluginAsync<OperationsOptions> = async (api, { core, limiter, requestsPerMinute, documented }) => {
  api.addHook('onRoute', (route) => {
    documented?.push(route as RouteOptions);
    // The addon documents itself (/addon/api-keys/api-docs/): its operations stay out of /openapi.json.
    route.schema = { ...route.schema, hide: true };
  });
  api.addHook('onRequest', async (request, reply) => {
    if (request.method === 'OPTIONS') return;
    request.keyActor = await core.apiKeys.authenticate(keyFrom(request));
    // §7: one budget per owner across all their keys (and every face of the addon); the headers on every answer.
    const window = await limiter.hit(`api-keys:${request.keyActor.user.id}`, WINDOW_MS);
    const resetSeconds = Math.max(1, Math.ceil(window.resetMs / 1000));
    reply.header('x-ratelimit-limit', String(requestsPerMinute));
    reply.header('x-ratelimit-remaining', String(Math.max(0, requestsPerMinute - window.count)));
    reply.header('x-ratelimit-reset', String(resetSeconds));
    if (window.count > requestsPerMinute) {
      throw new DomainError('rate_limited', `Rate limit of ${requestsPerMinute} requests per minute reached`, [], resetSeconds);
    }
  });
  api.addHook('preHandler', async (request) => {
    const scope = request.routeOptions.config.scope;
    if (scope && !request.keyActor!.scopes.has(scope)) throw forbidden(`Missing scope: ${scope}`);
  });
  await api.register(apiKeyRoutes, { core });
  await api.register(addonFileRoutes, { core });
};

/** The addon's Swagger UI and OpenAPI document (§8) for the operations served at `base`. */
function documentation(app: FastifyInstance, base: string, documented: RouteOptions[], localeFor: (request: FastifyRequest) => Promise<Locale>) {
  app.get('/api-docs/openapi.json', { schema: { hide: true } }, async () => buildAddonOpenApi(documented, base, base || '/'));
  app.get('/api-docs', { schema: { hide: true } }, async (_request, reply) => reply.redirect(`${base}/api-docs/`));
  app.get('/api-docs/', { schema: { hide: true } }, async (request, reply) => reply.type('text/html; charset=utf-8').send(swaggerPage(await localeFor(request), base)));
  app.get('/api-docs/init.js', { schema: { hide: true } }, async (_request, reply) =>
    reply
      .type('application/javascript; charset=utf-8')
      .send(`window.ui = SwaggerUIBundle({ url: '${base}/api-docs/openapi.json', dom_id: '#swagger-ui', persistAuthorization: true, deepLinking: true });\n`),
  );
  app.get('/docs', { schema: { hide: true } }, async (_request, reply) => reply.redirect(`${base}/api-docs/`));
}

/**
 * The API addon's public HTTP surface (docs/api-keys.md §5–§8), registered under
 * `/addon/api-keys`: its own error body, CORS for browser tools, key authentication, the per-user
 * rate limit, and its own OpenAPI document and Swagger UI.
 */
export const apiKeysAddon: FastifyPluginAsync<ApiKeysAddonOptions> = async (app, { core, limiter, requestsPerMinute }) => {
  // (not `...options`: Fastify's register options, the prefix among them, would register again)
  const options = { core, limiter, requestsPerMinute };
  const localeFor = localeResolver(core);
  addonSurface(app, localeFor);
  app.setNotFoundHandler(async (request, reply) => {
    const text = `Route ${request.method} ${request.url.split('?')[0]} not found`;
    return reply.code(404).send(addonErrorBody(text, text, 404000));
  });

  // Documentation: no key needed to read it.
  const documented: RouteOptions[] = [];
  documentation(app, API_KEYS_BASE, documented, localeFor);
  // §2.1: people who have not allowed the API app yet are sent to the standard consent page.
  app.get('/authorize', { schema: { hide: true } }, async (request, reply) => {
    const { workspaceId } = request.query as { workspaceId?: string };
    const consent = await core.apiKeys.consentQuery(workspaceId);
    if (!consent) return reply.code(404).send(addonErrorBody('API app not found', 'API app not found', 404000));
    return reply.redirect(`/access-request?${new URLSearchParams({ ...consent })}`);
  });
  app.get('/authorized', { schema: { hide: true } }, async (request, reply) => {
    const locale = await localeFor(request);
    const text = translate(locale, 'allowed');
    return reply.type('text/html; charset=utf-8').send(`<!doctype html><html lang="${locale}"><meta charset="utf-8"><title>API</title><p style="font-family:sans-serif;margin:2em">${text}</p></html>`);
  });

  await app.register(operations, { ...options, documented });
};

export interface ApiKeysRootOptions extends ApiKeysAddonOptions {
  /** API_KEYS_HOST: a host name on which the addon is served at `/` (§5.1) */
  host: string | undefined;
}

/**
 * The addon's root forms (§5.1), registered without a prefix beside {@link apiKeysAddon}:
 *
 * - the 26 operations at `/<operation>` for requests that carry an `Api-Key`/`ApiKey` header,
 *   because clients join the operation to the base URL with `new URL('/op', base)`. A router
 *   constraint keeps them from matching anything else: without the header these paths are unknown
 *   routes, answered by the server's own 404. None of the names is a path of another surface.
 * - CORS preflights for those paths (a preflight carries no key header).
 * - with a dedicated host name, the whole addon at `/` on that host: the operations (the same
 *   authentication, with or without a key header) and the documentation at `/api-docs/`.
 *
 * These copies stay out of /openapi.json; the addon documents itself at `{base}/api-docs/`.
 */
export const apiKeysAddonAtRoot: FastifyPluginAsync<ApiKeysRootOptions> = async (app, { host, core, limiter, requestsPerMinute }) => {
  const options = { core, limiter, requestsPerMinute };
  const localeFor = localeResolver(core);
  addonSurface(app, localeFor);

  if (!app.hasConstraintStrategy(KEY_HEADER)) app.addConstraintStrategy(exactStrategy(KEY_HEADER, (h) => (carriesKey(h) ? 'present' : undefined)));
  const paths = new Set<string>();
  await app.register(async (root) => {
    constrainRoutes(root, { [KEY_HEADER]: 'present' }, (route) => paths.add(route.url));
    await root.register(operations, options);
  });
  for (const path of paths) app.options(path, { schema: { hide: true } }, async (_request, reply) => reply.code(204).send());

  const dedicated = hostNameOf(host);
  if (!dedicated) return;
  if (!app.hasConstraintStrategy(DEDICATED_HOST)) app.addConstraintStrategy(exactStrategy(DEDICATED_HOST, (h) => hostNameOf(h.host)));
  await app.register(async (onHost) => {
    constrainRoutes(onHost, { [DEDICATED_HOST]: dedicated });
    const documented: RouteOptions[] = [];
    documentation(onHost, '', documented, localeFor);
    onHost.get('/', async (_request, reply) => reply.redirect('/api-docs/'));
    await onHost.register(operations, { ...options, documented });
  });
};

/** Swagger UI from the assets /docs already serves, pointed at the addon's document; Authorize takes the key. */
function swaggerPage(locale: Locale, base: string): string {
  const hint = translate(locale, 'swaggerHint').replace(/\*\*(.+?)\*\*/g, '<b>$1</b>');
  return `<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<title>Switchboard API addon</title>
<link rel="stylesheet" href="/docs/static/swagger-ui.css">
</head>
<body>
<p style="font-family:sans-serif;margin:1em 2em" id="hint">${hint}</p>
<div id="swagger-ui"></div>
<script src="/docs/static/swagger-ui-bundle.js"></script>
<script src="${base}/api-docs/init.js"></script>
</body>
</html>`;
}
