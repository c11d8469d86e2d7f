import type { FastifyRequest } from 'fastify';
import { invalid } from '../../domain/errors.js';

/**
 * One cookie's value from the request, percent-decoded. The first of several with that name wins
 * (browsers send the most specific first). A value that is not valid percent-encoding was not set
 * by this server: a 400 naming the cookie, never a URIError (which would be a 500).
 */
export function readCookie(request: Pick<FastifyRequest, 'headers'>, name: string): string | undefined {
  const header = request.headers.cookie;
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at < 0 || part.slice(0, at).trim() !== name) continue;
    const raw = part.slice(at + 1).trim();
    try {
      return decodeURIComponent(raw);
    } catch {
      throw invalid(name, 'cookie value is not valid percent-encoding');
    }
  }
  return undefined;
}
