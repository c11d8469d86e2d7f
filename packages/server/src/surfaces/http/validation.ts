import type { FastifyInstance } from 'fastify';
import sjson from 'secure-json-parse';
import { invalid } from '../../domain/errors.js';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { LazySchemas } from './lazy-schemas.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/**
 * Bodies are validated strictly (a number where a string belongs is a 400, not coerced);
 * query strings and path parameters arrive as text, so they are coerced. `allErrors`: every
 * violation is reported, or (Rocket.Chat's way) only the first per schema branch.
 * Numbers are bounded (see boundedNumbers). `verbose`: each error carries its schema and the value
 * that failed, which validation-errors.ts reads to say what a union wanted (nothing of it is sent).
 */
export function validatorCompiler(opts: { allErrors: boolean; schemas: LazySchemas }) {
  const make = (coerceTypes: boolean | 'array') => {
    const ajv = new Ajv({ coerceTypes, allErrors: opts.allErrors, verbose: true, useDefaults: true, removeAdditional: false, strict: false });
    addFormats(ajv);
    return ajv;
  };
  const strict = make(false);
  const coercing = make('array');
  // compiled at the route's first request (lazy-schemas.ts)
  return ({ schema, httpPart, method, url }: { schema: object; httpPart?: string; method?: string; url?: string }) =>
    opts.schemas.validator(`${method} ${url} ${httpPart}`, () => (httpPart === 'body' ? strict : coercing).compile(boundedNumbers(schema)));
}

const SUBSCHEMA_LISTS = ['anyOf', 'oneOf', 'allOf', 'prefixItems'] as const;
const SUBSCHEMAS = ['items', 'additionalProperties', 'not', 'if', 'then', 'else', 'contains'] as const;
const SUBSCHEMA_MAPS = ['properties', 'patternProperties'] as const;
const boundedCopies = new WeakMap<object, object>();

/**
 * The schema with every number bounded where it says no tighter: an `integer` to ±(2^53 − 1),
 * past which a JSON number is no longer the integer that was sent (`until: 1e21` reached
 * PostgreSQL as a bigint out of range, a 500); a `number` to the finite ones (`1e999` parses to
 * Infinity, in a body or in `?n=1e999` once coerced, and Ajv's `strict: false` lets Infinity pass
 * as a number). A copy (the route's schema is the one OpenAPI documents), the same copy for the
 * same schema, so Ajv compiles each once.
 */
export function boundedNumbers<T extends object>(schema: T): T {
  const known = boundedCopies.get(schema);
  if (known) return known as T;
  const s = schema as Record<string, unknown>;
  const copy: Record<string, unknown> = { ...s };
  const types = Array.isArray(s.type) ? s.type : [s.type];
  const limit = types.includes('integer') ? Number.MAX_SAFE_INTEGER : types.includes('number') ? Number.MAX_VALUE : undefined;
  if (limit !== undefined) {
    copy.maximum = typeof s.maximum === 'number' ? Math.min(s.maximum, limit) : limit;
    copy.minimum = typeof s.minimum === 'number' ? Math.max(s.minimum, -limit) : -limit;
  }
  const sub = (v: unknown) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? boundedNumbers(v) : v);
  for (const k of SUBSCHEMA_LISTS) if (Array.isArray(s[k])) copy[k] = (s[k] as unknown[]).map(sub);
  for (const k of SUBSCHEMAS) if (k in s) copy[k] = Array.isArray(s[k]) ? (s[k] as unknown[]).map(sub) : sub(s[k]);
  for (const k of SUBSCHEMA_MAPS) {
    const map = s[k];
    if (map !== null && typeof map === 'object') copy[k] = Object.fromEntries(Object.entries(map).map(([name, v]) => [name, sub(v)]));
  }
  boundedCopies.set(schema, copy);
  return copy as T;
}

export function installValidation(app: FastifyInstance, schemas: LazySchemas): void {
  app.setValidatorCompiler(validatorCompiler({ allErrors: true, schemas }));
}

/** Deeper JSON than this is refused: no chat payload needs it, and deep trees hurt every client that reads them back. */
export const MAX_BODY_DEPTH = 32;

const NUL = 'must not contain NUL (\\u0000) characters';

/**
 * One walk over a value, without recursion (a crafted body must not exhaust the stack): the path
 * of the first NUL-holding string or key, or of the first value nested too deeply; `root` when it
 * is the value itself.
 */
function inspect(input: unknown, root: string): { field: string; message: string } | undefined {
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value: input, path: '', depth: 0 }];
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return { field: path || root, message: NUL };
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_BODY_DEPTH) return { field: path || root, message: `nested too deeply (at most ${MAX_BODY_DEPTH} levels)` };
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], path: `${path}[${i}]`, depth: depth + 1 });
    } else {
      for (const [k, v] of Object.entries(value).reverse()) {
        if (k.includes('\u0000')) return { field: path || root, message: `keys ${NUL}` };
        stack.push({ value: v, path: path ? `${path}.${k}` : k, depth: depth + 1 });
      }
    }
  }
  return undefined;
}

/**
 * Refuses input holding a NUL character (PostgreSQL cannot store one in text, so every engine
 * refuses it alike) or nested deeper than MAX_BODY_DEPTH. The field named is the offending one,
 * else `where` (body, query). The 400 carries a statusCode as well as its kind, so that surfaces
 * whose handlers know only Fastify's client errors (the incoming-webhook URLs) answer 400 too.
 */
export function refuseUnstorable(value: unknown, where: string): void {
  const problem = inspect(value, where);
  if (problem) throw Object.assign(invalid(problem.field, problem.message), { statusCode: 400 });
}

/**
 * Before schema validation, on every route: the body and the query string go through
 * refuseUnstorable (a NUL in `?id=a%00b` would otherwise reach the database as one). Path
 * parameters are ids, and one holding a NUL names nothing: each lookup answers 404 for it.
 */
export function inspectBodies(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    refuseUnstorable(request.body, 'body');
    refuseUnstorable(request.query, 'query');
  });
}

/**
 * An empty body is no body, whatever Content-Type comes with it: axios sends
 * `application/x-www-form-urlencoded` with a `null` body (pumble-cli's `rotate-secrets` does), and a
 * route that reads no body must not answer 415 to it. Fastify picks a parser from the header alone,
 * so the header goes when the request says it has nothing to parse.
 */
export function acceptEmptyBodies(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    const { headers } = request.raw;
    if (headers['content-type'] !== undefined && headers['content-length'] === '0' && headers['transfer-encoding'] === undefined) {
      delete headers['content-type'];
    }
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
