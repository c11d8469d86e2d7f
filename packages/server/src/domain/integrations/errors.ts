/**
 * Integration management errors as Rocket.Chat reports them (docs/integrations.md §3): "coded" errors
 * carry an `errorType` and a reason (`{error: "<reason> [<code>]", errorType}`), "plain" ones only a
 * text (`{error: "<text>"}`). Both are 400 unless a status is given. Other surfaces see a DomainError.
 */
import { DomainError } from '../errors.js';

export class IntegrationError extends DomainError {
  constructor(
    /** the Rocket.Chat error code; undefined for a plain error */
    readonly errorType: string | undefined,
    /** the reason (coded) or the whole text (plain) */
    readonly reason: string,
    readonly details?: Record<string, unknown>,
  ) {
    super('invalid', errorType ? `${reason} [${errorType}]` : reason);
    this.name = 'IntegrationError';
  }
}

/** `{error: "<reason> [<code>]", errorType: code}` */
export const codedError = (code: string, reason: string, details?: Record<string, unknown>) => new IntegrationError(code, reason, details);
/** `{error: text}` */
export const plainError = (text: string) => new IntegrationError(undefined, text);
export const notAuthorized = () => codedError('not_authorized', 'Unauthorized');
