import type { RouteOptions } from 'fastify';
import type { TSchema } from 'typebox';
import { ErrorBody } from './schemas.js';

/**
 * The addon's OpenAPI 3.0 document (docs/api-keys.md §8), built from the routes as registered:
 * the schemas the server validates with are the ones documented.
 */
export function buildAddonOpenApi(routes: RouteOptions[], prefix: string, serverUrl: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const methods = (Array.isArray(r.method) ? r.method : [r.method]).map((m) => m.toLowerCase()).filter((m) => m !== 'head' && m !== 'options');
    const config = (r.config ?? {}) as { summary?: string; tags?: string[]; scope?: string };
    if (!config.summary) continue;
    const schema = (r.schema ?? {}) as { body?: TSchema; querystring?: TSchema; response?: Record<string, TSchema> };
    const path = r.url.slice(prefix.length) || '/';
    for (const method of methods) {
      const query = schema.querystring as { properties?: Record<string, TSchema & { description?: string }>; required?: string[] } | undefined;
      const ok = schema.response?.[200] as (TSchema & { description?: string }) | undefined;
      (paths[path] ??= {})[method] = {
        operationId: path.slice(1),
        summary: config.summary,
        tags: config.tags ?? [],
        ...(config.scope && { description: `Needs the \`${config.scope}\` scope (granted when the API app is allowed).` }),
        parameters: Object.entries(query?.properties ?? {}).map(([name, s]) => ({
          name,
          in: 'query',
          required: query?.required?.includes(name) ?? false,
          schema: strip(s),
          ...(s.description && { description: s.description }),
        })),
        ...(schema.body && { requestBody: { required: true, content: { 'application/json': { schema: strip(schema.body) } } } }),
        responses: {
          200: ok && !('type' in ok) && !('properties' in ok)
            ? { description: ok.description ?? '200 with an empty body' }
            : { description: 'OK', content: { 'application/json': { schema: strip(ok ?? {}) } } },
          403: { description: 'Every client error (validation, key, permission, not found)', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
          429: { description: 'Rate limited: see Retry-After', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
        },
      };
    }
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'Switchboard API addon',
      version: '1.0.0',
      description:
        'Personal API keys (Pumble API-addon compatible). Generate a key with `/api-keys generate <name>` or on the API page, ' +
        'then send it in an `ApiKey` (or `Api-Key`) header. Enter your API key in **Authorize** to try every call here. ' +
        'Every client error answers 403 with `{error, message, localizedMessage, code}`; `code` tells the cases apart.',
    },
    servers: [{ url: serverUrl }],
    security: [{ ApiKeyAuth: [] }],
    components: {
      securitySchemes: { ApiKeyAuth: { type: 'apiKey', in: 'header', name: 'ApiKey' } },
      schemas: { Error: strip(ErrorBody) },
    },
    paths,
  };
}

/** TypeBox adds symbol keys and `$id`s; OpenAPI wants plain JSON Schema. */
function strip(schema: unknown): unknown {
  return JSON.parse(JSON.stringify(schema, (key, value) => (key === '$id' ? undefined : value)));
}
