/**
 * Route schemas compiled when a route is first used, not all at start.
 *
 * Fastify compiles every route's validators (Ajv) and response serializers (fast-json-stringify)
 * while it starts: about 2.5 s of CPU for this server's few hundred routes, paid by every start —
 * `npm start`, each worker, each restart, and each of the test suite's ~150 servers, which use a
 * handful of routes each (profiled: fast-json-stringify, Ajv and the schema resolver were 60% of a
 * test server's start). Here each compiler hands Fastify a function that compiles on its first call
 * and keeps the result; the first request of a route pays its few milliseconds once.
 *
 * A schema that cannot compile would then fail at its first request instead of at start:
 * `compileAll()` compiles whatever is still pending and returns the failures, which a test asserts
 * empty for a server with every surface (test/api/lazy-schemas.test.ts).
 */
import type { FastifySchemaValidationError } from 'fastify/types/schema.js';
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';

type Compile<F> = () => F;
/** Ajv's compiled function, as Fastify calls it: true, or false with `.errors` set */
// (context: Ajv's DataValidationCxt, which Fastify builds and Ajv reads; passed through untouched)
type Validate = ((data: unknown, context?: any) => boolean) & { errors?: FastifySchemaValidationError[] | null | undefined; schemaEnv?: unknown };

export interface LazySchemas {
  /** Fastify's `schemaController.compilersFactory.buildSerializer` */
  buildSerializer: ReturnType<typeof SerializerSelector>;
  /** A validator that compiles on its first call (Fastify reads `.errors` off the function it was given). */
  validator(what: string, compile: Compile<Validate>): Validate;
  /** How many are not compiled yet. */
  pendingCount(): number;
  /** Compiles every schema not compiled yet; the failures, by what they were for. */
  compileAll(): Array<{ what: string; error: unknown }>;
}

export function lazySchemas(): LazySchemas {
  // Thunks not run yet; each removes itself once it has compiled.
  const pending = new Map<object, { what: string; run: () => void }>();
  const eagerSerializers = SerializerSelector();

  const lazy = <F>(what: string, compile: Compile<F>) => {
    let compiled: F | undefined;
    const key = {};
    const get = (): F => {
      if (compiled === undefined) {
        compiled = compile();
        pending.delete(key);
      }
      return compiled;
    };
    pending.set(key, { what, run: get });
    return get;
  };

  return {
    buildSerializer: (externalSchemas, serializerOpts) => {
      const compile = eagerSerializers(externalSchemas, serializerOpts);
      return (route) => {
        const get = lazy(`${route.method} ${route.url} response ${route.httpStatus}`, () => compile(route));
        return (data) => get()(data);
      };
    },
    validator(what, compile) {
      const get = lazy(what, compile);
      const validate: Validate = (data: unknown, context?: unknown) => {
        const fn = get();
        const ok = fn(data, context);
        // Fastify reads the errors off the function it called
        validate.errors = fn.errors;
        return ok;
      };
      // As on Ajv's own functions: Fastify then passes {parentData: request, parentDataProperty},
      // through which Ajv writes a coerced top-level value back onto the request.
      validate.schemaEnv = true;
      return validate;
    },
    pendingCount: () => pending.size,
    compileAll() {
      const failures: Array<{ what: string; error: unknown }> = [];
      for (const [key, { what, run }] of [...pending]) {
        try {
          run();
        } catch (error) {
          pending.delete(key);
          failures.push({ what, error });
        }
      }
      return failures;
    },
  };
}
