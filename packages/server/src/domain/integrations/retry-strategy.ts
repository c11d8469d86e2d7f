/**
 * Outgoing-webhook response handling and retries (docs/integrations.md §8.6, §8.7): what an attempt's
 * result means and when the next attempt runs. The delays are exact (no jitter) so that the ported
 * cases can assert them (docs/integrations.md §12.3 #39); the durable scheduler of docs/delivery.md runs them.
 */
import type { OutgoingIntegrationConfig } from './outgoing-match.js';

export const RETRY_STRATEGIES = ['powers-of-ten', 'powers-of-two', 'increments-of-two'] as const;
export type RetryStrategy = (typeof RETRY_STRATEGIES)[number];

/** docs/integrations.md §4: the count used when retries are on and no positive count was given. */
export const DEFAULT_RETRY_COUNT = 4;
export const DEFAULT_RETRY_DELAY: RetryStrategy = 'powers-of-ten';
/** docs/delivery.md §6: a `Retry-After` holds a delivery at most this long. */
export const MAX_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;

/** docs/integrations.md §8.7: the delay after failed attempt `t` (first attempt t = 0); undefined for an unknown strategy. */
export function strategyDelay(strategy: string | undefined, t: number): number | undefined {
  switch (strategy) {
    case 'powers-of-ten':
      return 10 ** (t + 2);
    case 'powers-of-two':
      return 2 ** (t + 1) * 1000;
    case 'increments-of-two':
      return (t + 1) * 2000;
    default:
      return undefined;
  }
}

/**
 * docs/integrations.md §8.7: ms to wait before the attempt after failed attempt `attemptNumber` (0-based), or undefined
 * when none follows: the tries are used up (`attemptNumber >= retryCount`, at most `1 + retryCount`
 * attempts) or the strategy is unknown.
 */
export function nextRetryDelay(strategy: string | undefined, attemptNumber: number, retryCount: number | undefined): number | undefined {
  if (retryCount === undefined || !(attemptNumber < retryCount)) return undefined;
  return strategyDelay(strategy, attemptNumber);
}

/** docs/integrations.md §4: the stored retry settings; defaults apply only when retries are on, `retryDelay` is lower-cased. */
export function normalizeRetrySettings(input: { retryFailedCalls?: unknown; retryCount?: unknown; retryDelay?: unknown }): {
  retryFailedCalls?: boolean;
  retryCount?: number;
  retryDelay?: string;
} {
  const on = input.retryFailedCalls === true;
  const count = typeof input.retryCount === 'number' && Number.isFinite(input.retryCount) ? Math.floor(input.retryCount) : undefined;
  const delay = typeof input.retryDelay === 'string' && input.retryDelay.trim() !== '' ? input.retryDelay.trim().toLowerCase() : undefined;
  return {
    ...(input.retryFailedCalls !== undefined && { retryFailedCalls: on }),
    ...(on ? { retryCount: count !== undefined && count > 0 ? count : DEFAULT_RETRY_COUNT } : count !== undefined && { retryCount: count }),
    ...(on ? { retryDelay: delay ?? DEFAULT_RETRY_DELAY } : delay !== undefined && { retryDelay: delay }),
  };
}

export type RetryConfig = Pick<OutgoingIntegrationConfig, 'retryFailedCalls' | 'retryCount' | 'retryDelay'>;

export type FailureDecision =
  | { retry: true; delayMs: number; step: `going-to-retry-${number}` }
  | { retry: false; step: 'too-many-retries' | 'failed-and-retry-delay-is-invalid' | 'failed-and-not-configured-to-retry' };

/**
 * docs/integrations.md §8.6 step 6 / docs/integrations.md §8.7: after failed attempt `t`, retry or give up, with the history step to record.
 * A 429's `Retry-After` (already parsed, ms) lengthens the wait, never shortens it (docs/delivery.md §6).
 */
export function decideAfterFailure(config: RetryConfig, t: number, retryAfterMs?: number): FailureDecision {
  if (config.retryFailedCalls !== true) return { retry: false, step: 'failed-and-not-configured-to-retry' };
  if (config.retryCount === undefined || !(t < config.retryCount) || !config.retryDelay) return { retry: false, step: 'too-many-retries' };
  const delay = strategyDelay(config.retryDelay, t);
  if (delay === undefined) return { retry: false, step: 'failed-and-retry-delay-is-invalid' };
  const wait = retryAfterMs === undefined ? delay : Math.max(delay, Math.min(retryAfterMs, MAX_RETRY_AFTER_MS));
  return { retry: true, delayMs: wait, step: `going-to-retry-${t + 1}` };
}

/** The content types whose body is parsed as JSON (docs/integrations.md §8.6 step 1; parameters such as charset ignored). */
const JSON_TYPES = new Set(['application/json', 'text/javascript', 'application/javascript', 'application/x-javascript']);

/**
 * docs/integrations.md §8.6 step 1: the parsed body when the type is JSON or JavaScript (a parse failure gives `null`,
 * tolerated), undefined for any other type.
 */
export function parseResponseContent(contentType: string | undefined, text: string): unknown {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (!JSON_TYPES.has(type)) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/** One attempt as the HTTP layer saw it. */
export interface OutgoingAttempt {
  /** absent when no response came (timeout, network error, guard) */
  status?: number;
  /** e.g. `timeout`, `connect`, `dns`, `tls`, `ssrf-blocked`, `invalid-url` */
  error?: string;
  contentType?: string;
  body?: string;
  /** a 429's `Retry-After`, in ms */
  retryAfterMs?: number;
}

export type ResponseVerdict =
  /** any 2xx, empty bodies and 204 included (docs/integrations.md §13); `reply` = a JSON body with `text` or `attachments` */
  | { kind: 'success'; reply?: Record<string, unknown> }
  /** 410, any body: disable the integration and tell its owner; no retry */
  | { kind: 'disable'; reason: 'http-410'; step: 'after-process-http-status-410' }
  | { kind: 'retry'; delayMs: number; step: `going-to-retry-${number}` }
  | { kind: 'fail'; step: FailureDecision['step'] | 'ssrf-blocked'; error?: string };

/** A JSON body the integration should post back (docs/integrations.md §8.6 step 4): an object with `text` or `attachments`. */
export function replyContent(parsed: unknown): Record<string, unknown> | undefined {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const o = parsed as Record<string, unknown>;
  return o.text || o.attachments ? o : undefined;
}

/** docs/integrations.md §8.6 steps 4–6 for failed attempt number `t` (0-based). The process script (step 3) is judged before this. */
export function judgeOutgoingResponse(config: RetryConfig, attempt: OutgoingAttempt, t: number): ResponseVerdict {
  const s = attempt.status;
  if (s !== undefined && s >= 200 && s < 300) {
    const reply = replyContent(parseResponseContent(attempt.contentType, attempt.body ?? ''));
    return reply ? { kind: 'success', reply } : { kind: 'success' };
  }
  if (s === 410) return { kind: 'disable', reason: 'http-410', step: 'after-process-http-status-410' };
  // The guard's refusals are permanent (docs/delivery.md §5): retrying cannot make the address allowed.
  if (s === undefined && attempt.error === 'ssrf-blocked') return { kind: 'fail', step: 'ssrf-blocked', error: 'ssrf-blocked' };
  if (s === undefined && attempt.error === 'invalid-url') return { kind: 'fail', step: 'failed-and-not-configured-to-retry', error: 'invalid-url' };
  const d = decideAfterFailure(config, t, s === 429 ? attempt.retryAfterMs : undefined);
  return d.retry ? { kind: 'retry', delayMs: d.delayMs, step: d.step } : { kind: 'fail', step: d.step };
}
