import type { FastifyError, FastifyPluginAsync, FastifyRequest, RouteOptions } from 'fastify';
import type { Core } from '../../../core/index.js';
import { DomainError, forbidden } from '../../../core/errors.js';
import type { Manifest } from '../../../core/apps/manifest.js';
import { API_KEYS_BUILTIN } from '../../../core/addons/api-keys/manifest.js';
import { localeFromAcceptLanguage, localeOf, translate, type Locale } from '../../../core/addons/api-keys/i18n.js';
import type { RateLimiter } from '../../../limits/rate-limiter.js';
import { AddonRefusal, addonErrorBody, sendAddonError } from './errors.js';
import { buildAddonOpenApi } from './openapi.js';
import { apiKeyRoutes } from './routes.js';

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

/**
 * The API addon's public HTTP surface (api-keys-addon.md §5–§8), registered under
 * `/addon/api-keys`: its own error body, CORS for browser tools, key authentication, the per-user
 * rate limit, and its own OpenAPI document and Swagger UI.
 */
export const apiKeysAddon: FastifyPluginAsync<ApiKeysAddonOptions> = async (app, { core, limiter, requestsPerMinute }) => {
  const localeFor = async (request: FastifyRequest): Promise<Locale> => {
    const actor = request.keyActor;
    if (!actor) return localeFromAcceptLanguage(request.headers['accept-language']);
    return localeOf(actor.user, (await core.store.workspace(actor.user.workspaceId))?.locale);
  };

  app.addHook('onRequest', async (request, reply) => {
    reply.headers(CORS_HEADERS);
    if (request.method === 'OPTIONS') return reply.code(204).send();
  });
  app.setErrorHandler(async (err: FastifyError, request, reply) => sendAddonError(request, reply, err, await localeFor(request)));
  app.setNotFoundHandler(async (request, reply) => {
    const text = `Route ${request.method} ${request.url.split('?')[0]} not found`;
    return reply.code(404).send(addonErrorBody(text, text, 404000));
  });

  // Documentation: no key needed to read it.
  const documented: RouteOptions[] = [];
  app.get('/api-docs/openapi.json', { schema: { hide: true } }, async () => buildAddonOpenApi(documented, API_KEYS_BASE, API_KEYS_BASE));
  app.get('/api-docs', { schema: { hide: true } }, async (_request, reply) => reply.redirect(`${API_KEYS_BASE}/api-docs/`));
  app.get('/api-docs/', { schema: { hide: true } }, async (request, reply) => reply.type('text/html; charset=utf-8').send(swaggerPage(await localeFor(request))));
  app.get('/api-docs/init.js', { schema: { hide: true } }, async (_request, reply) =>
    reply
      .type('application/javascript; charset=utf-8')
      .send(`window.ui = SwaggerUIBundle({ url: '${API_KEYS_BASE}/api-docs/openapi.json', dom_id: '#swagger-ui', persistAuthorization: true, deepLinking: true });\n`),
  );
  app.get('/docs', { schema: { hide: true } }, async (_request, reply) => reply.redirect(`${API_KEYS_BASE}/api-docs/`));
  // §2.1: people who have not allowed the API app yet are sent to the standard consent page.
  app.get('/authorize', { schema: { hide: true } }, async (request, reply) => {
    const { workspaceId } = request.query as { workspaceId?: string };
    const ids = await core.store.workspaceIds();
    const ws = workspaceId && ids.includes(workspaceId) ? workspaceId : ids[0];
    const apiApp = ws ? await core.store.builtinApp(ws, API_KEYS_BUILTIN) : undefined;
    if (!apiApp) return reply.code(404).send(addonErrorBody('API app not found', 'API app not found', 404000));
    const manifest = JSON.parse(apiApp.manifest) as Manifest;
    const scopes = [...manifest.scopes.userScopes, ...manifest.scopes.botScopes.map((sc) => `bot:${sc}`)].join(',');
    const query = new URLSearchParams({ clientId: apiApp.id, scopes, redirectUrl: manifest.redirectUrls[0]!, defaultWorkspaceId: apiApp.workspace_id });
    return reply.redirect(`/access-request?${query}`);
  });
  app.get('/authorized', { schema: { hide: true } }, async (request, reply) => {
    const locale = await localeFor(request);
    const text = translate(locale, 'allowed');
    return reply.type('text/html; charset=utf-8').send(`<!doctype html><html lang="${locale}"><meta charset="utf-8"><title>API</title><p style="font-family:sans-serif;margin:2em">${text}</p></html>`);
  });

  await app.register(async (api) => {
    api.addHook('onRoute', (route) => {
      documented.push(route as RouteOptions);
    });
    api.addHook('onRequest', async (request, reply) => {
      if (request.method === 'OPTIONS') return;
      request.keyActor = await core.apiKeys.authenticate(keyFrom(request));
      // §7: one budget per owner across all their keys; the headers on every answer.
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
  });
};

/** Swagger UI from the assets /docs already serves, pointed at the addon's document; Authorize takes the key. */
function swaggerPage(locale: Locale): string {
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
<script src="${API_KEYS_BASE}/api-docs/init.js"></script>
</body>
</html>`;
}
