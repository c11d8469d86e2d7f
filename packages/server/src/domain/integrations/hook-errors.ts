/**
 * The failures of an incoming webhook (docs/integrations.md §7, §10) as values that know both wire
 * forms: the Rocket.Chat `/hooks` JSON body (`{success: false, error}` with the exact upstream
 * strings, which senders and the ported suites match) and the Slack plain-text error of
 * `/services` (§10). They extend DomainError so that a surface without its own mapping (the Pumble
 * URL form, §11) still gets a sensible status from the generic error handler.
 */
import { DomainError, type ErrorKind } from '../errors.js';

/** Which URL form a request came through; each has its own success and error conventions. */
export type HookFlavor = 'hooks' | 'slack' | 'pumble';

/** Slack's incoming-webhook error strings (§10) and the status each is sent with. */
export const SLACK_ERROR_STATUS = {
  invalid_payload: 400,
  no_text: 400,
  too_many_attachments: 400,
  user_not_found: 400,
  no_service: 404,
  invalid_token: 403,
  no_active_hooks: 404,
  channel_not_found: 404,
  channel_is_archived: 410,
  action_prohibited: 403,
  rollup_error: 500,
  rate_limited: 429,
} as const;
export type SlackErrorCode = keyof typeof SLACK_ERROR_STATUS;

/** An HTTP answer described without speaking HTTP: the route writes it out as-is. */
export interface HookResponse {
  status: number;
  type: 'json' | 'text';
  body: unknown;
  headers?: Record<string, string>;
}

function kindFor(status: number): ErrorKind {
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 429) return 'rate_limited';
  if (status === 503) return 'unavailable';
  return 'invalid';
}

export class HookError extends DomainError {
  constructor(
    /** the `/hooks` body's `error`: a Rocket.Chat code or message, or the object a script returned */
    readonly error: string | Record<string, unknown>,
    /** the `/hooks` status */
    readonly status: number,
    /** the `/services` (Slack) answer for the same failure */
    readonly slack: SlackErrorCode,
    /** extra `/hooks` body fields, e.g. `errorType` */
    readonly extra: Record<string, unknown> = {},
    retryAfterSeconds?: number,
  ) {
    super(kindFor(status), typeof error === 'string' ? error : 'The integration script returned an error', [], retryAfterSeconds);
    this.name = 'HookError';
  }
}

/** The failures of §7.2–§7.6 and §10, each with its exact upstream string. */
export const hookError = {
  /** §7.2: unknown id; the same body as a wrong token (no probing which one failed) */
  unknownIntegration: () => new HookError('Invalid integration id or token provided.', 400, 'no_service'),
  wrongToken: () => new HookError('Invalid integration id or token provided.', 400, 'invalid_token'),
  disabled: () => new HookError('Service Unavailable', 503, 'no_active_hooks'),
  rateLimited: (retryAfterSeconds: number) =>
    new HookError(
      `Error, too many requests. Please slow down. You must wait ${retryAfterSeconds} seconds before trying this endpoint again. [error-too-many-requests]`,
      429,
      'rate_limited',
      { errorType: 'error-too-many-requests' },
      retryAfterSeconds,
    ),
  /** §7.3: the parser's own message */
  invalidPayload: (parserMessage: string) => new HookError(parserMessage, 400, 'invalid_payload'),
  /** §7.3 decision: 1 MiB */
  bodyTooLarge: () => new HookError('request entity too large', 413, 'invalid_payload'),
  overrideDisabled: () => new HookError('overriding destination channel is disabled for this integration', 400, 'invalid_payload'),
  /** §7.4 step 7: nothing to post; Slack says `no_text` */
  nothingToPost: () => new HookError('unknown-error', 400, 'no_text'),
  /** §10: Slack's cap; the `/hooks` form has none beyond the body size */
  tooManyAttachments: () => new HookError('too-many-attachments', 400, 'too_many_attachments'),
  messageTooLong: () => new HookError('error-message-size-exceeded', 400, 'invalid_payload'),
  invalidHref: () => new HookError('Invalid href value provided', 400, 'invalid_payload'),
  invalidAttachmentField: () => new HookError('Invalid attachment field, title and value is required', 400, 'invalid_payload'),
  /** a wrong JSON type, worded like Meteor's `check` (the reference's validator) */
  matchError: (expected: string, got: unknown, field: string) =>
    new HookError(`Match error: Expected ${expected}, got ${describeType(got)} in field ${field}`, 400, 'invalid_payload'),
  invalidChannel: () => new HookError('invalid-channel', 400, 'channel_not_found'),
  notAllowed: () => new HookError('error-not-allowed', 400, 'action_prohibited'),
  /** §7.5 says archived → `error-not-allowed`; §10 gives Slack its own string */
  archived: () => new HookError('error-not-allowed', 400, 'channel_is_archived'),
  notEnoughPermission: () => new HookError('Not enough permission', 400, 'action_prohibited'),
  userNotFound: () => new HookError('error-invalid-user', 400, 'user_not_found'),
  invalidScript: () => new HookError('error-invalid-script', 400, 'rollup_error'),
  scriptsDisabled: () => new HookError('error-integration-scripts-disabled', 400, 'rollup_error'),
  runningScript: () => new HookError('error-running-script', 400, 'rollup_error'),
  /** §7.4: a script's `{error: X}`; an object becomes the body itself */
  scriptReturnedError: (error: string | Record<string, unknown>) => new HookError(error, 400, 'invalid_payload'),
  serverError: () => new HookError('Internal server error', 500, 'rollup_error'),
};

function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** The wire form of a failure for the URL form it came through. */
export function hookErrorResponse(err: HookError, flavor: HookFlavor): HookResponse {
  const headers = err.retryAfterSeconds !== undefined ? { 'Retry-After': String(err.retryAfterSeconds) } : undefined;
  if (flavor === 'slack') {
    return { status: SLACK_ERROR_STATUS[err.slack], type: 'text', body: err.slack, ...(headers && { headers }) };
  }
  const body =
    typeof err.error === 'string'
      ? { success: false, error: err.error, ...err.extra }
      : { ...err.error, success: false }; // Rocket.Chat's failure(obj): the object itself, flagged
  return { status: err.status, type: 'json', body, ...(headers && { headers }) };
}

/**
 * Any failure met while handling a hook, as a HookError: core DomainErrors from posting keep
 * their meaning (a refusal is `error-not-allowed`, bad input keeps its text); anything else is a 500.
 */
export function toHookError(err: unknown): HookError {
  if (err instanceof HookError) return err;
  if (err instanceof DomainError) {
    if (err.kind === 'forbidden') return hookError.notAllowed();
    if (err.kind === 'invalid') return new HookError(err.message, 400, 'invalid_payload');
    if (err.kind === 'not_found') return new HookError(err.message, 400, 'channel_not_found');
  }
  return hookError.serverError();
}
