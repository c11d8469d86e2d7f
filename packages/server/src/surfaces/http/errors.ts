import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { DomainError, type ErrorKind, type FieldError } from '../../domain/errors.js';
import { childProperty, explainValidation, fieldName, type AjvError } from './validation-errors.js';

/**
 * The one error body of `/v1`, `/auth`, app management and OAuth (docs/app-platform.md §4.3): `code` is the
 * status × 1000, `message` and `localizedMessage` say what happened (Pumble's SDK and CLI print
 * `localizedMessage`; Switchboard's messages are English, so the two are the same text), `field`
 * names the first offending field, `errors` lists every one of them.
 */
export const ErrorBody = Type.Object(
  {
    code: Type.Integer({ description: 'HTTP status × 1000' }),
    message: Type.String(),
    localizedMessage: Type.String({ description: 'the message for a person; the same English text as `message`' }),
    field: Type.Optional(Type.String({ description: 'the first offending field, where there is one' })),
    errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
  },
  { $id: 'ErrorBody' },
);
export const ErrorRef = Type.Unsafe({ $ref: 'ErrorBody#' });

const STATUS: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  unavailable: 503,
};

/**
 * The status a core error answers with, its Retry-After (a lockout or a rate limit) set on the
 * reply: the error handler below and the pages that show errors themselves (the consent page's
 * login) answer alike.
 */
export function domainStatus(err: DomainError, reply: FastifyReply): number {
  if (err.retryAfterSeconds !== undefined) reply.header('retry-after', String(err.retryAfterSeconds));
  return STATUS[err.kind];
}

export function errorBody(status: number, message: string, errors: FieldError[] = []) {
  return {
    code: status * 1000,
    message,
    localizedMessage: message,
    ...(errors[0] && { field: errors[0].field }),
    ...(errors.length > 0 && { errors }),
  };
}

/**
 * A failed schema validation as field errors: explained first (validation-errors.ts: a union of
 * constants is one `must be A, B or C`, a union of shapes reports the shape the value is meant for),
 * then each named by its field, `body` / `query` / … when it is the whole part.
 */
export function validationFieldErrors(validation: readonly AjvError[], context: string | undefined): FieldError[] {
  return explainValidation(validation)
    .filter((e) => !e.redundant)
    .map((e) => ({
      field: fieldName(e.instancePath, childProperty(e)) || (context === 'body' ? 'body' : (context ?? 'request')),
      message: e.message ?? e.keyword,
    }));
}

/**
 * `navigation`: for a request no route matched, a chance to answer it as a page of the web client
 * (surfaces/web/plugin.ts); true when it did.
 */
export function registerErrorHandling(app: FastifyInstance, navigation: (request: FastifyRequest, reply: FastifyReply) => boolean = () => false): void {
  app.addSchema(ErrorBody);

  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof DomainError) {
      const status = domainStatus(err, reply);
      return reply.code(status).send(errorBody(status, err.message, err.errors));
    }
    if (err.validation) {
      const errors = validationFieldErrors(err.validation as AjvError[], err.validationContext);
      const first = errors[0];
      const message = first ? `${first.field}: ${first.message}` : 'Invalid request';
      return reply.code(400).send(errorBody(400, message, errors));
    }
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      // Fastify's own client errors: malformed JSON, body too large, bad content type, ...
      const message = err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? 'Request body is too large' : err.message;
      return reply.code(status).send(errorBody(status, message));
    }
    request.log.error({ err }, 'unhandled error');
    return reply.code(500).send(errorBody(500, 'Internal server error'));
  });

  app.setNotFoundHandler((request, reply) => {
    if (navigation(request, reply)) return;
    reply.code(404).send(errorBody(404, `Route ${request.method} ${request.url.split('?')[0]} not found`));
  });
}
