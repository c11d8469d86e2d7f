import type { FastifyInstance } from 'fastify';
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import { DomainError, invalid } from '../../domain/errors.js';
import { refuseUnstorable } from './validation.js';

/**
 * Form bodies (urlencoded and multipart/form-data), read into `{field: value}` like a JSON body, for
 * the routes browsers and the Pumble SDK post forms to (the code exchange, the consent page). A
 * repeated field becomes an array, which string schemas refuse.
 *
 * Multipart is read here rather than with @fastify/multipart's `attachFieldsToBody`: its parser
 * (busboy) throws plain errors for a missing boundary or a truncated or malformed part, and those
 * are the client's (400), not the server's. Its own refusals keep their status (413 over the
 * limits, 400 for a prototype key). Files are not taken: no route here has a use for one. Fields
 * holding NUL are refused, as in JSON bodies.
 */
export async function formBodies(app: FastifyInstance, opts: { maxFields: number }): Promise<void> {
  await app.register(formbody);
  await app.register(multipart, { limits: { fields: opts.maxFields, parts: opts.maxFields, files: 0, fileSize: 0 } });
  app.addHook('preValidation', async (request) => {
    if (!request.isMultipart()) return;
    const body: Record<string, unknown> = Object.create(null);
    try {
      for await (const part of request.parts()) {
        // `files: 0` has the parser refuse a file itself (413); were one to arrive anyway, it is refused here.
        if (part.type === 'file') throw invalid(part.fieldname || 'body', 'file uploads are not accepted here');
        const seen = body[part.fieldname];
        body[part.fieldname] = seen === undefined ? part.value : Array.isArray(seen) ? [...seen, part.value] : [seen, part.value];
      }
    } catch (err) {
      const status = (err as { statusCode?: unknown }).statusCode;
      if (err instanceof DomainError || (typeof status === 'number' && status >= 400 && status < 500)) throw err;
      throw invalid('body', `not a readable multipart/form-data body (${(err as Error).message})`);
    }
    // Read after the server-wide check of bodies has run (this hook is the plugin's, that one the root's): the same check here.
    refuseUnstorable(body, 'body');
    request.body = body;
  });
}
