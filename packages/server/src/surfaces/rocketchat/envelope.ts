/**
 * Rocket.Chat's wire shapes for answers (docs/integrations.md §3): success is the result with
 * `success: true` merged in; every failure is `{success: false, error, …}` with the status of §3.
 * This plugin has its own error and not-found handlers, so `/v1`'s ErrorBody never shows here.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type TSchema } from 'typebox';
import { DomainError, type ErrorKind } from '../../domain/errors.js';
import { IntegrationError } from '../../domain/integrations/errors.js';
import { fieldName } from '../http/validation-errors.js';

export const NOT_LOGGED_IN = 'You must be logged in to do this.';
export const NOT_PERMITTED = 'User does not have the permissions required for this action [error-unauthorized]';

/** Route-level permission refused (§3: only list, remove, history, incomingHistory). */
export class RouteForbidden extends Error {
  constructor() {
    super(NOT_PERMITTED);
  }
}

/** The 401 of a failed login (§2.1): one body for unknown users and wrong passwords. */
export const loginFailedBody = { success: false, status: 'error', error: 'Unauthorized', message: 'Unauthorized' } as const;

export const ok = <T extends object>(result: T) => ({ ...result, success: true as const });

interface AjvError {
  message?: string;
  keyword: string;
  instancePath?: string;
  params?: Record<string, unknown>;
  /** the value that failed (validators are compiled `verbose`, http/validation.ts) */
  data?: unknown;
}

/** Rocket.Chat joins the validator's messages so: `must have required property 'x'\n must be string [invalid-params]`. */
export function invalidParamsMessage(errors: readonly AjvError[]): string {
  return `${errors.map((e) => e.message ?? e.keyword).join('\n ')} [invalid-params]`;
}

/** A value's type as Meteor's `check` names it in `got …`. */
function checkType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/**
 * The same failures in Meteor `check`'s words, for the routes upstream checks with it rather than
 * with a schema (`login`): the field is named as check names it — `Match error: Expected string,
 * got number in field user` — where the validator's own words (`must be string`) name none. A
 * missing property keeps the validator's words, which name it already.
 */
export function checkWordsMessage(errors: readonly AjvError[]): string {
  const words = errors.map((e) => {
    const base = e.message ?? e.keyword;
    if (e.keyword === 'required') return base;
    const extra = e.keyword === 'additionalProperties' && typeof e.params?.additionalProperty === 'string' ? e.params.additionalProperty : undefined;
    const field = fieldName(e.instancePath ?? '', extra);
    if (!field) return base;
    const what = e.keyword === 'type' && typeof e.params?.type === 'string' ? `Expected ${e.params.type}, got ${checkType(e.data)}` : base;
    return `Match error: ${what} in field ${field}`;
  });
  return `${words.join('\n ')} [invalid-params]`;
}

/** Statuses of the kinds that have no Rocket.Chat-specific body. Rocket.Chat has no 409: conflicts are 400 there. */
const STATUS: Record<ErrorKind, number> = {
  invalid: 400,
  conflict: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  rate_limited: 429,
  unavailable: 503,
};

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Rocket.Chat face: who may call the route (see plugin.ts) */
    rocketChat?: {
      /** X-User-Id and X-Auth-Token required */
      auth?: boolean;
      /** §3 route-level permission, checked before the schema */
      permission?: 'list' | 'remove' | 'history' | 'incomingHistory';
      /** the limit to report in X-RateLimit-Limit when this route answers 429 */
      rateLimit?: number;
      /** upstream validates this route with Meteor's `check`: schema failures in its words (checkWordsMessage) */
      checkWords?: boolean;
    };
  }
}

/**
 * Integration management's refusals as Rocket.Chat sends them (§3): a coded error is
 * `{error: "<reason> [<code>]", errorType: code}` — `[<code>]` alone when it has no reason, as a
 * Meteor error without one reads (`[invalid-channel]`) — or `{error: reason, errorType: code}` where
 * the reference answers with `API.v1.failure(reason, code)` (`codeInText` false); a plain one is
 * `{error: reason}`; all 400.
 */
export function integrationErrorBody(err: IntegrationError) {
  const coded = err.reason === '' ? `[${err.errorType}]` : `${err.reason} [${err.errorType}]`;
  return {
    success: false as const,
    error: err.errorType !== undefined && err.codeInText ? coded : err.reason,
    ...(err.errorType !== undefined && { errorType: err.errorType }),
    ...(err.details !== undefined && { details: err.details }),
  };
}

/** Rocket.Chat's words for a rate limit (§3), on its API and on `/hooks` alike. */
export const tooManyRequestsText = (seconds: number): string =>
  `Error, too many requests. Please slow down. You must wait ${seconds} seconds before trying this endpoint again. [error-too-many-requests]`;

export function sendRocketChatError(err: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (err instanceof IntegrationError) return reply.code(400).send(integrationErrorBody(err));
  if (err instanceof RouteForbidden) return reply.code(403).send({ success: false, error: NOT_PERMITTED });
  if (err instanceof DomainError) {
    if (err.kind === 'unauthenticated') return reply.code(401).send({ success: false, status: 'error', error: NOT_LOGGED_IN, message: NOT_LOGGED_IN });
    if (err.kind === 'rate_limited') {
      const seconds = err.retryAfterSeconds ?? 60;
      const limit = request.routeOptions.config?.rocketChat?.rateLimit;
      if (limit !== undefined) reply.header('x-ratelimit-limit', String(limit));
      reply.header('x-ratelimit-remaining', '0');
      // Rocket.Chat sends the reset moment in epoch milliseconds.
      reply.header('x-ratelimit-reset', String(Date.now() + seconds * 1000));
      reply.header('retry-after', String(seconds));
      return reply.code(429).send({ success: false, error: tooManyRequestsText(seconds), errorType: 'error-too-many-requests' });
    }
    if (err.kind === 'unavailable') return reply.code(503).send({ success: false, error: 'Service Unavailable' });
    return reply.code(STATUS[err.kind]).send({ success: false, error: err.message });
  }
  const fastifyErr = err as FastifyError;
  if (fastifyErr.validation) {
    const errors = fastifyErr.validation as AjvError[];
    const words = request.routeOptions.config?.rocketChat?.checkWords ? checkWordsMessage(errors) : invalidParamsMessage(errors);
    return reply.code(400).send({ success: false, error: words, errorType: 'invalid-params' });
  }
  const status = fastifyErr.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    // Fastify's own client errors: malformed JSON, body too large, unsupported content type.
    const message = fastifyErr.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? 'Request body is too large' : err.message;
    return reply.code(status).send({ success: false, error: message });
  }
  if (status === 503) return reply.code(503).send({ success: false, error: 'Service Unavailable' });
  request.log.error({ err }, 'unhandled error');
  return reply.code(500).send({ success: false, error: 'Internal server error' });
}

// ---- OpenAPI ---------------------------------------------------------------------------------

const Failure = Type.Object(
  {
    success: Type.Literal(false),
    error: Type.String(),
    errorType: Type.Optional(Type.String({ description: 'the code of a coded error, e.g. not_authorized, invalid-params' })),
    details: Type.Optional(Type.Object({}, { additionalProperties: true })),
    status: Type.Optional(Type.String()),
    message: Type.Optional(Type.String()),
  },
  { description: 'Rocket.Chat error envelope (docs/integrations.md §3)' },
);

/** The success schema (the result with `success: true`; its fields are listed only in the summary) and every failure. */
export function rcResponses(success: TSchema = Type.Object({}, { additionalProperties: true })) {
  return { 200: success, 400: Failure, 401: Failure, 403: Failure, 404: Failure, 429: Failure };
}

/**
 * Both headers together (§2.2), as the two security schemes server.ts declares
 * (`rocketChatUserId`: X-User-Id, `rocketChatAuthToken`: X-Auth-Token).
 */
export const RC_SECURITY: Array<Record<string, string[]>> = [{ rocketChatUserId: [], rocketChatAuthToken: [] }];
export const rcSecurity: { security?: Array<Record<string, string[]>>; description: string } = {
  security: RC_SECURITY,
  description: 'Authenticated: send `X-User-Id` and `X-Auth-Token` from `POST /api/v1/login`.',
};
