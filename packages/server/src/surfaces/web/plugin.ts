/**
 * The web client (docs/web-client.md §2): the server serves `packages/web`'s build itself — no
 * second process. Hashed assets under `/assets/` are cached for a year (their names change with
 * their content); `index.html` answers every browser navigation that is not an API path (the client's
 * router takes it from there) and is never cached, so a new build reaches people on their next load.
 * Every page gets the strict CSP of §3: scripts only from this origin, no inline script, no framing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';

/** Paths that belong to the APIs: a miss there is the API's 404, never the client's page. */
const API_PREFIXES = ['/v1/', '/api/', '/auth/', '/hooks/', '/services/', '/apps/', '/workspaces/', '/oauth2/', '/upload/', '/access-request', '/docs', '/openapi.json', '/healthz', '/readyz', '/metrics', '/lead', '/files/'];

export const WEB_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  // React sets style attributes; no <style> from messages reaches the DOM (sanitised markdown).
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: https:",
  "media-src 'self' https:",
  "connect-src 'self'",
  "font-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export interface WebClientOptions {
  /** the client's build (packages/web/dist) */
  dist: string;
}

/** Security headers of every client page and asset. */
function secure(reply: FastifyReply): FastifyReply {
  return reply.header('content-security-policy', WEB_CSP).header('x-frame-options', 'DENY').header('x-content-type-options', 'nosniff').header('referrer-policy', 'same-origin');
}

/**
 * Registers `/assets/*` and answers whether a request the router did not match is a navigation to
 * the client (then it has been answered with index.html).
 */
export async function registerWebClient(app: FastifyInstance, opts: WebClientOptions): Promise<(request: FastifyRequest, reply: FastifyReply) => boolean> {
  const index = join(opts.dist, 'index.html');
  if (existsSync(join(opts.dist, 'assets'))) {
    await app.register(fastifyStatic, {
      root: join(opts.dist, 'assets'),
      prefix: '/assets/',
      wildcard: true,
      index: false,
      cacheControl: false,
      setHeaders: (res) => {
        res.header('cache-control', 'public, max-age=31536000, immutable');
        res.header('content-security-policy', WEB_CSP);
        res.header('x-content-type-options', 'nosniff');
      },
    });
  }
  // Read once at start; `npm start` rebuilds before the server starts when the sources changed.
  const page = existsSync(index) ? readFileSync(index) : undefined;
  const missing = Buffer.from(
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Switchboard</title></head><body><h1>The web client is not built</h1><p>Run <code>npm start</code> (it builds it), or <code>npm run build -w packages/web</code>, then reload. The APIs and <a href="/docs">/docs</a> work meanwhile.</p></body></html>',
  );
  return (request, reply) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return false;
    const path = request.url.split('?')[0]!;
    if (API_PREFIXES.some((p) => path === p.replace(/\/$/, '') || path.startsWith(p))) return false;
    // Navigations only: a script's or tool's miss keeps its JSON 404.
    const accept = request.headers.accept;
    if (path !== '/' && !(typeof accept === 'string' && accept.includes('text/html'))) return false;
    secure(reply).header('cache-control', 'no-cache').type('text/html; charset=utf-8').code(page ? 200 : 503).send(page ?? missing);
    return true;
  };
}
