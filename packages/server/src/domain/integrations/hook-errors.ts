/**
 * The failures of an incoming webhook (docs/integrations.md §7, §10, §11), in the domain's terms: what
 * went wrong (`reason`), and what the failure says (`error`: the reference's exact wording, which
 * history records and the ported suites match, or the object a script returned as its error). How a
 * failure is answered — statuses, bodies, Slack's error strings — is each URL form's surface's
 * (`surfaces/rocketchat/hook-answers.ts` for `/hooks` and Pumble's form, `surfaces/slack/answers.ts`
 * for `/services`; docs/architecture.md §3.1). They extend DomainError so that code without its own
 * mapping still gets a sensible kind.
 */
import { DomainError, type ErrorKind } from '../errors.js';

/**
 * Which URL form a request came through (§7.1). The forms differ in rules, not only in answers: only
 * `/hooks` refuses a destination override that is not enabled and accepts an empty payload, Slack caps
 * attachments, Pumble's form has a bucket of its own and is written in Switchboard's markup (§10, §11).
 */
export type HookFlavor = 'hooks' | 'slack' | 'pumble';

/** What went wrong, as the surfaces map it to their answers. */
export type HookFailure =
  /** §7.2: no incoming integration has this id (or, Pumble's code form, this token) */
  | 'unknown-integration'
  /** §7.2: the id is known, the token is not its */
  | 'wrong-token'
  /** §7.2: the integration is switched off */
  | 'disabled'
  /** §7.2: over the integration's (or the address's) limit */
  | 'rate-limited'
  /** §7.3: over 1 MiB */
  | 'body-too-large'
  /** §7.3–§7.6: the payload cannot be read or breaks a rule of what may be posted */
  | 'invalid-payload'
  /** §7.4 step 7: neither text nor attachments */
  | 'nothing-to-post'
  /** §10: more attachments than Slack allows */
  | 'too-many-attachments'
  /** §7.5: a destination names no room or user */
  | 'channel-not-found'
  /** §7.5: the posting user may not post there, or may not impersonate */
  | 'not-allowed'
  /** §7.5: the destination is archived */
  | 'archived'
  /** §7.4: the post-as user (or the one a script chose) is not an active user */
  | 'user-not-found'
  /** §7.4 step 3, §9.4: the script did not compile, scripts are off, or the script failed */
  | 'script-failed'
  /** §7.4 step 3: the script returned `{error}` */
  | 'script-refused'
  /** anything else */
  | 'server-error';

function kindFor(reason: HookFailure): ErrorKind {
  if (reason === 'rate-limited') return 'rate_limited';
  if (reason === 'disabled') return 'unavailable';
  return 'invalid';
}

export class HookError extends DomainError {
  constructor(
    readonly reason: HookFailure,
    /** what the failure says: the reference's wording, or the object a script returned as its error */
    readonly error: string | Record<string, unknown>,
    retryAfterSeconds?: number,
  ) {
    super(kindFor(reason), typeof error === 'string' ? error : 'The integration script returned an error', [], retryAfterSeconds);
    this.name = 'HookError';
  }
}

/** The failures of §7.2–§7.6 and §10, each with its exact upstream wording. */
export const hookError = {
  /** §7.2: unknown id; the same wording as a wrong token (no probing which one failed) */
  unknownIntegration: () => new HookError('unknown-integration', 'Invalid integration id or token provided.'),
  wrongToken: () => new HookError('wrong-token', 'Invalid integration id or token provided.'),
  disabled: () => new HookError('disabled', 'Service Unavailable'),
  /** §7.2, docs/delivery.md §10: the surfaces word the wait as their conventions do */
  rateLimited: (retryAfterSeconds: number) => new HookError('rate-limited', `Too many requests: retry in ${retryAfterSeconds} seconds`, retryAfterSeconds),
  /** §7.3: the parser's own message */
  invalidPayload: (parserMessage: string) => new HookError('invalid-payload', parserMessage),
  /** §7.3 decision: 1 MiB */
  bodyTooLarge: () => new HookError('body-too-large', 'request entity too large'),
  overrideDisabled: () => new HookError('invalid-payload', 'overriding destination channel is disabled for this integration'),
  /** §7.4 step 7: nothing to post */
  nothingToPost: () => new HookError('nothing-to-post', 'unknown-error'),
  /** §10: Slack's cap; the `/hooks` form has none beyond the body size */
  tooManyAttachments: () => new HookError('too-many-attachments', 'too-many-attachments'),
  messageTooLong: () => new HookError('invalid-payload', 'error-message-size-exceeded'),
  invalidHref: () => new HookError('invalid-payload', 'Invalid href value provided'),
  invalidAttachmentField: () => new HookError('invalid-payload', 'Invalid attachment field, title and value is required'),
  /** a wrong JSON type, worded like Meteor's `check` (the reference's validator) */
  matchError: (expected: string, got: unknown, field: string) =>
    new HookError('invalid-payload', `Match error: Expected ${expected}, got ${describeType(got)} in field ${field}`),
  invalidChannel: () => new HookError('channel-not-found', 'invalid-channel'),
  /** a room id that names no room (chat.sendMessage's `rid`, upstream's canSendMessage) */
  invalidRoom: () => new HookError('channel-not-found', 'error-invalid-room'),
  notAllowed: () => new HookError('not-allowed', 'error-not-allowed'),
  /** §7.5 says archived → `error-not-allowed`; §10 gives Slack its own answer */
  archived: () => new HookError('archived', 'error-not-allowed'),
  notEnoughPermission: () => new HookError('not-allowed', 'Not enough permission'),
  userNotFound: () => new HookError('user-not-found', 'error-invalid-user'),
  invalidScript: () => new HookError('script-failed', 'error-invalid-script'),
  scriptsDisabled: () => new HookError('script-failed', 'error-integration-scripts-disabled'),
  runningScript: () => new HookError('script-failed', 'error-running-script'),
  /** §7.4: a script's `{error: X}`; an object is answered as the body itself */
  scriptReturnedError: (error: string | Record<string, unknown>) => new HookError('script-refused', error),
  serverError: () => new HookError('server-error', 'Internal server error'),
};

function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/**
 * Any failure met while handling a hook, as a HookError: core DomainErrors from posting keep
 * their meaning (a refusal is `error-not-allowed`, bad input keeps its text); anything else is a
 * server error.
 */
export function toHookError(err: unknown): HookError {
  if (err instanceof HookError) return err;
  if (err instanceof DomainError) {
    if (err.kind === 'forbidden') return hookError.notAllowed();
    if (err.kind === 'invalid') return new HookError('invalid-payload', err.message);
    if (err.kind === 'not_found') return new HookError('channel-not-found', err.message);
  }
  return hookError.serverError();
}

/** What history records of a failure: its wording, or the script's object as JSON. */
export const hookErrorText = (err: HookError): string => (typeof err.error === 'string' ? err.error : JSON.stringify(err.error));
