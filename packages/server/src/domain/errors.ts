/**
 * Errors the core raises. Each surface maps them to its own wire shape; the core never
 * speaks HTTP, it only says what kind of failure happened and, for bad input, which field.
 */
export type ErrorKind =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'rate_limited'
  | 'unavailable';

export interface FieldError {
  field: string;
  message: string;
}

export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly errors: FieldError[] = [],
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/** Whether `e` is the core's error of that kind (surfaces map kinds to their own answers). */
export const isDomainError = (e: unknown, kind: ErrorKind): e is DomainError => e instanceof DomainError && e.kind === kind;

export const invalid = (field: string, message: string) =>
  new DomainError('invalid', `${field}: ${message}`, [{ field, message }]);
export const notFound = (what: string) => new DomainError('not_found', `${what} not found`);
export const forbidden = (message: string) => new DomainError('forbidden', message);
export const conflict = (message: string) => new DomainError('conflict', message);
export const unauthenticated = (message = 'Invalid or missing token') =>
  new DomainError('unauthenticated', message);

/** Storage refused a row whose unique key is taken; the domain answers 409, or retries with another key. */
export class UniqueViolation extends Error {}

/**
 * Storage refused a row whose parent is gone: its channel or message was deleted (and committed)
 * while this change was under way. The domain answers 404.
 */
export class MissingReference extends Error {}
