/**
 * The web client (docs/web-client.md §2): the server serves `packages/web`'s build itself — no
 * second process. Hashed assets under `/assets/` are cached for a year (their names change with
 * their content); `index.html` answers every browser navigation that is not an API path (the client's
 * router takes it from there) and is never cached, so a new build reaches people on their next load.
 * Every page gets the strict CSP of §3: scripts only from this origin, no inline script, no framing.
 */
import { readFileSync, statSync } from 'node:fs';
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

/**
 * index.html as last read, read again when the file's mtime or size changed: a build under a running
 * server (`npm run build -w packages/web`) replaces it together with the hashed assets it names, and
 * the old page would load scripts that no longer exist — a blank page until a restart. One stat per
 * navigation (sync: microseconds, and navigations are page loads, not asset requests); a read only
 * when the build changed.
 */
class IndexPage {
  private cached: { mtimeMs: number; size: number; body: Buffer } | undefined;

  constructor(private readonly path: string) {}

  /** The page, or undefined while the client is not built. */
  current(): Buffer | undefined {
    let stat;
    try {
      stat = statSync(this.path);
    } catch {
      // Missing (not built, or the build is between removing and writing it): nothing to serve.
      this.cached = undefined;
      return undefined;
    }
    const c = this.cached;
    if (c && c.mtimeMs === stat.mtimeMs && c.size === stat.size) return c.body;
    try {
      // Stamped with the stat taken before the read: a write still under way changes the mtime
      // again, so a half-written file read now is replaced at the next navigation.
      this.cached = { mtimeMs: stat.mtimeMs, size: stat.size, body: readFileSync(this.path) };
    } catch {
      return c?.body;
    }
    return this.cached.body;
  }
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
  const index = new IndexPage(join(opts.dist, 'index.html'));
  // Registered even before a first build (no warning then): with `wildcard` each request looks on
  // disk, so assets built while the server runs are served, as the "not built" page promises.
  await app.register(fastifyStatic, {
    root: join(opts.dist, 'assets'),
    prefix: '/assets/',
    wildcard: true,
    index: false,
    cacheControl: false,
    suppressWarning: true,
    setHeaders: (res) => {
      res.header('cache-control', 'public, max-age=31536000, immutable');
      res.header('content-security-policy', WEB_CSP);
      res.header('x-content-type-options', 'nosniff');
    },
  });
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
    const page = index.current();
    secure(reply).header('cache-control', 'no-cache').type('text/html; charset=utf-8').code(page ? 200 : 503).send(page ?? missing);
    return true;
  };
}
