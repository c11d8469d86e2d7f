import { ApiError } from '../lib/api';
import { describeError } from '../ui/ErrorNotice';

/**
 * Why an administration change failed, for a sentence that already says what failed: the server's
 * own explanation where it refused the change (400, 403, 409 name the rule, e.g. "Only an owner can
 * make or unmake an owner"), else what went wrong and what to do (network, rate limit, server).
 */
export function reasonOf(error: unknown, t: (key: string, o?: Record<string, unknown>) => string): string {
  if (error instanceof ApiError && [400, 403, 409, 422].includes(error.status) && error.message) return error.message;
  return describeError(error, t);
}
