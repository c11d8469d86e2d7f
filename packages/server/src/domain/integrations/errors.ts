/**
 * Integration management's refusals (docs/integrations.md §3, §6), each with the reason the reference
 * gives, word for word (the ported suites match it), and — for a "coded" error — the reference's
 * code; a "plain" error has only its reason. How they look on the wire (`{error: "<reason> [<code>]",
 * errorType}` or `{error: "<reason>"}`, 400) is the Rocket.Chat surface's (surfaces/rocketchat/envelope.ts,
 * docs/architecture.md §3.1).
 */
import { DomainError } from '../errors.js';

export class IntegrationError extends DomainError {
  constructor(
    /** the reference's error code (`errorType` on its wire); undefined for a plain error */
    readonly errorType: string | undefined,
    /** what went wrong, in the reference's words */
    readonly reason: string,
    readonly details?: Record<string, unknown>,
    /**
     * whether the wire's `error` repeats the code (`<reason> [<code>]`, a Meteor error's message);
     * false for the refusals the reference answers with `API.v1.failure(reason, code)`, whose
     * `error` is the reason alone
     */
    readonly codeInText = true,
  ) {
    super('invalid', reason);
    this.name = 'IntegrationError';
  }
}

/** A refusal with a code and a reason. */
export const codedError = (code: string, reason: string, details?: Record<string, unknown>) => new IntegrationError(code, reason, details);
/** A refusal the reference answers with `API.v1.failure(reason, code)`: the code in `errorType` only. */
export const failureError = (code: string, reason: string, details?: Record<string, unknown>) => new IntegrationError(code, reason, details, false);
/** A refusal with a reason only. */
export const plainError = (reason: string) => new IntegrationError(undefined, reason);
export const notAuthorized = () => codedError('not_authorized', 'Unauthorized');
