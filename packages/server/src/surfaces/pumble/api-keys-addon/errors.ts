import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, type ErrorKind } from '../../../domain/errors.js';
import { AddonRefusal } from '../../../domain/addons/api-keys/keys.js';
import { translate, type Locale } from '../../../domain/addons/api-keys/i18n.js';
import { explainValidation, type AjvError } from '../../http/validation-errors.js';

export { AddonRefusal };

/**
 * docs/api-keys.md §6: every client error is a 403 (429 when rate limited) whose body satisfies
 * both parsers clients use, `{error}` and `{message, localizedMessage, code}`.
 */
export interface AddonErrorBody {
  error: string;
  message: string;
  localizedMessage: string;
  code: number;
}

export const addonErrorBody = (message: string, localizedMessage: string, code: number): AddonErrorBody => ({ error: message, message, localizedMessage, code });

const CODE: Record<ErrorKind, number> = {
  invalid: 400000,
  conflict: 400000,
  unauthenticated: 401000,
  forbidden: 403000,
  not_found: 404000,
  rate_limited: 429000,
  unavailable: 500000,
};

/**
 * The reference's bracketed validation messages (§6): `[must not be null]` for a missing field,
 * `[text: size must be between 1 and 1000]` for a length, `[field: reason]` otherwise.
 */
function validationMessage(request: FastifyRequest, err: FastifyError): { en: string; localized: (l: Locale) => string } {
  // Explained first (validation-errors.ts): a union of constants is one `must be A, B or C`.
  const first = explainValidation((err.validation as AjvError[] | undefined) ?? [])[0];
  if (!first) return { en: `[${err.message}]`, localized: () => `[${err.message}]` };
  const path = first.instancePath.split('/').filter(Boolean).join('.');
  if (first.keyword === 'required') {
    return { en: '[must not be null]', localized: (l) => `[${translate(l, 'errMustNotBeNull')}]` };
  }
  if (first.keyword === 'minLength' || first.keyword === 'maxLength') {
    const schema = (request.routeOptions.schema?.[err.validationContext === 'querystring' ? 'querystring' : 'body'] as { properties?: Record<string, { minLength?: number; maxLength?: number }> } | undefined)
      ?.properties?.[path];
    const text = `[${path}: size must be between ${schema?.minLength ?? 0} and ${schema?.maxLength ?? 2147483647}]`;
    return { en: text, localized: () => text };
  }
  if (first.keyword === 'pattern' && path === 'reaction') {
    const text = '[reaction: must be an emoji code with colons, such as :thumbsup:]';
    return { en: text, localized: () => text };
  }
  if (first.keyword === 'pattern' && path === 'code') {
    const text = '[code: must be an emoji code with colons, such as :palm_tree:, or empty to clear the status]';
    return { en: text, localized: () => text };
  }
  const text = `[${path || err.validationContext || 'body'}: ${first.message ?? first.keyword}]`;
  return { en: text, localized: () => text };
}

/** §6: every validation message in the reference's brackets, once. */
const bracketed = (text: string) => (/^\[.*\]$/s.test(text) ? text : `[${text}]`);

export function sendAddonError(request: FastifyRequest, reply: FastifyReply, err: FastifyError, locale: Locale): FastifyReply {
  if (err instanceof AddonRefusal) {
    return reply.code(403).send(addonErrorBody(err.message, AddonRefusal.text(locale, err.key), CODE[err.kind]));
  }
  if (err instanceof DomainError) {
    if (err.kind === 'rate_limited') {
      if (err.retryAfterSeconds !== undefined) reply.header('retry-after', String(err.retryAfterSeconds));
      const seconds = err.retryAfterSeconds ?? 60;
      return reply.code(429).send(addonErrorBody(err.message, translate(locale, 'errRateLimited', { seconds }), 429000));
    }
    if (CODE[err.kind] === 400000) {
      // The core's validation messages (`sendAt: must be in the future`) in the reference's brackets too.
      const text = bracketed(err.message);
      return reply.code(403).send(addonErrorBody(text, text, 400000));
    }
    const localized = err.kind === 'not_found' ? translate(locale, 'errNotFound', { what: err.message.replace(/ not found$/, '') }) : err.message;
    return reply.code(403).send(addonErrorBody(err.message, localized, CODE[err.kind]));
  }
  if (err.validation) {
    const { en, localized } = validationMessage(request, err);
    return reply.code(403).send(addonErrorBody(en, localized(locale), 400000));
  }
  const status = err.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    // Fastify's own client errors (malformed JSON, body too large…): validation failures here.
    return reply.code(403).send(addonErrorBody(bracketed(err.message), bracketed(err.message), 400000));
  }
  request.log.error({ err }, 'unhandled error in the API addon');
  return reply.code(500).send(addonErrorBody('Internal server error', translate(locale, 'errServer'), 500000));
}
