import type { FastifyInstance } from 'fastify';
import sjson from 'secure-json-parse';
import { invalid } from '../core/errors.js';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/**
 * Bodies are validated strictly (a number where a string belongs is a 400, not coerced);
 * query strings and path parameters arrive as text, so they are coerced. `allErrors`: every
 * violation is reported, or (Rocket.Chat's way) only the first per schema branch.
 */
export function validatorCompiler(opts: { allErrors: boolean }) {
  const make = (coerceTypes: boolean | 'array') => {
    const ajv = new Ajv({ coerceTypes, allErrors: opts.allErrors, useDefaults: true, removeAdditional: false, strict: false });
    addFormats(ajv);
    return ajv;
  };
  const strict = make(false);
  const coercing = make('array');
  return ({ schema, httpPart }: { schema: object; httpPart?: string }) => (httpPart === 'body' ? strict : coercing).compile(schema);
}

export function installValidation(app: FastifyInstance): void {
  app.setValidatorCompiler(validatorCompiler({ allErrors: true }));
}

/** Deeper JSON than this is refused: no chat payload needs it, and deep trees hurt every client that reads them back. */
export const MAX_BODY_DEPTH = 32;

/**
 * One walk over the body, without recursion (a crafted body must not exhaust the stack):
 * the path of the first NUL-holding string, or of the first value nested too deeply.
 */
function inspectBody(body: unknown): { field: string; message: string } | undefined {
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value: body, path: '', depth: 0 }];
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return { field: path || 'body', message: 'must not contain NUL (\\u0000) characters' };
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_BODY_DEPTH) return { field: path || 'body', message: `nested too deeply (at most ${MAX_BODY_DEPTH} levels)` };
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], path: `${path}[${i}]`, depth: depth + 1 });
    } else {
      for (const [k, v] of Object.entries(value).reverse()) stack.push({ value: v, path: path ? `${path}.${k}` : k, depth: depth + 1 });
    }
  }
  return undefined;
}

/**
 * Before schema validation: NUL characters are refused (PostgreSQL cannot store them in text, so
 * every engine refuses them alike) and so is JSON nested deeper than MAX_BODY_DEPTH.
 */
export function inspectBodies(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const problem = inspectBody(request.body);
    if (problem) throw invalid(problem.field, problem.message);
  });
}

/**
 * JSON bodies, with one difference from Fastify's parser: an empty body with a JSON content type
 * means "no body" (many clients send the header on every request), not a 400. `__proto__` and
 * `constructor.prototype` keys are refused, as Fastify does.
 */
export function parseJsonBodies(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, sjson.parse(text, { protoAction: 'error', constructorAction: 'error' }));
    } catch (err) {
      done(Object.assign(new Error(`Body is not valid JSON: ${(err as Error).message}`), { statusCode: 400 }), undefined);
    }
  });
}
