/**
 * The decisions of docs/delivery.md §5–§7 as pure functions: what an attempt's result means, when the
 * delivery goes next, and what it does to its endpoint. No clock, no randomness, no I/O of their
 * own — the queue passes them in, so every rule can be tested exactly.
 */
import { parseRetryAfter, type PostResult } from '../outbound/http-post.js';
import type { DisabledReason, EndpointState, FailureReason } from '../domain/ports/deliveries.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export interface RetrySchedule {
  /** the delay before attempt 2, 3, …; the number of attempts is one more than its length */
  delaysMs: readonly number[];
  /** each delay is multiplied by a factor in [1 − jitter, 1 + jitter] */
  jitter: number;
}

/** §5: 8 attempts, 5 s … 10 h apart, ±10 %. */
export const EVENT_RETRY_SCHEDULE: RetrySchedule = {
  delaysMs: [5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 10 * HOUR],
  jitter: 0.1,
};

/** §6: how long a Retry-After can hold a delivery and pause its endpoint at most. */
export const MAX_RETRY_AFTER_MS = DAY;
/** §6: the first-attempt back-off for an overloaded or unreachable endpoint. */
export const BACKOFF_START_MS = 5 * SECOND;
export const BACKOFF_MAX_MS = 5 * MINUTE;
/** §7 defaults: disabled after 5 days of failing, if the failures spread over at least 12 hours. */
export const AUTO_DISABLE_AFTER_MS = 5 * DAY;
export const AUTO_DISABLE_SPREAD_MS = 12 * HOUR;
/** §5: at most one "deliveries are failing" notice per endpoint per day. */
export const FAILING_NOTICE_INTERVAL_MS = DAY;

export interface AutoDisableSettings {
  afterMs: number;
  spreadMs: number;
}

/** The delay before the next attempt after `attemptsInSequence` failed ones; undefined when they are used up. */
export function retryDelay(schedule: RetrySchedule, attemptsInSequence: number, random: () => number): number | undefined {
  const base = schedule.delaysMs[attemptsInSequence - 1];
  if (base === undefined) return undefined;
  return Math.round(base * (1 - schedule.jitter + 2 * schedule.jitter * random()));
}

export type Verdict =
  | { kind: 'success' }
  /** 410: the endpoint is gone; disable it */
  | { kind: 'gone' }
  /** failed at once, never retried */
  | { kind: 'permanent'; reason: Extract<FailureReason, 'ssrf-blocked' | 'invalid-url'> }
  | {
      kind: 'retry';
      /** 429 + Retry-After: no attempt to the endpoint before this many ms from now (capped) */
      retryAfterMs?: number;
      /** an overload or reachability signal: slow down the endpoint's new first attempts */
      backoff: boolean;
    };

const OVERLOADED = new Set([502, 503, 504]);
// "connect errors" (§6): the receiver could not be reached, or could not answer in time.
const UNREACHABLE = new Set(['connect', 'dns', 'timeout']);

/** What one attempt's result means (§5, §6). */
export function judgeAttempt(result: PostResult, now: number): Verdict {
  if (result.ok) return { kind: 'success' };
  if (result.status === 410) return { kind: 'gone' };
  if (result.status === undefined && (result.error === 'ssrf-blocked' || result.error === 'invalid-url')) return { kind: 'permanent', reason: result.error };
  if (result.status === 429) {
    const wait = parseRetryAfter(result.headers['retry-after'], now);
    return wait === undefined ? { kind: 'retry', backoff: true } : { kind: 'retry', retryAfterMs: Math.min(wait, MAX_RETRY_AFTER_MS), backoff: false };
  }
  if (result.status !== undefined) return { kind: 'retry', backoff: OVERLOADED.has(result.status) };
  return { kind: 'retry', backoff: UNREACHABLE.has(result.error ?? 'connect') };
}

export type NextStep =
  | { status: 'succeeded' }
  | { status: 'failed'; reason: FailureReason }
  | { status: 'pending'; nextAttemptAt: number };

/** Where the delivery goes after an attempt; `attemptsInSequence` counts the one just made. */
export function nextStep(verdict: Verdict, attemptsInSequence: number, now: number, schedule: RetrySchedule, random: () => number): NextStep {
  switch (verdict.kind) {
    case 'success':
      return { status: 'succeeded' };
    case 'gone':
      return { status: 'failed', reason: 'endpoint-gone' };
    case 'permanent':
      return { status: 'failed', reason: verdict.reason };
    case 'retry': {
      const delay = retryDelay(schedule, attemptsInSequence, random);
      if (delay === undefined) return { status: 'failed', reason: 'exhausted' };
      return { status: 'pending', nextAttemptAt: now + Math.max(delay, verdict.retryAfterMs ?? 0) };
    }
  }
}

export interface EndpointChange {
  state: EndpointState;
  /** set when this attempt disables the endpoint */
  disable?: DisabledReason;
  /** send the owner a "deliveries are failing" notice */
  noticeFailing: boolean;
}

/** True when the endpoint has failed for `afterMs` with failures at least `spreadMs` apart (§7). */
export function qualifiesForAutoDisable(s: EndpointState, now: number, settings: AutoDisableSettings): boolean {
  if (s.failingSince === null || s.lastFailureAt === null) return false;
  // Failures at least spreadMs apart exist exactly when the streak's first and last are that far apart.
  return now - s.failingSince >= settings.afterMs && s.lastFailureAt - s.failingSince >= settings.spreadMs;
}

/** The endpoint after one attempt of one of its deliveries (§6, §7). */
export function endpointAfterAttempt(
  state: EndpointState,
  attempt: { verdict: Verdict; result: PostResult; step: NextStep; now: number },
  settings: AutoDisableSettings,
): EndpointChange {
  const { verdict, result, step, now } = attempt;
  if (verdict.kind === 'success') {
    // Any success clears the streak and the back-off; a Retry-After pause runs its course.
    return {
      state: { ...state, backoffMs: 0, backoffUntil: null, failingSince: null, lastFailureAt: null, lastSuccessAt: now, lastStatusCode: result.status ?? null },
      noticeFailing: false,
    };
  }
  const next: EndpointState = {
    ...state,
    failingSince: state.failingSince ?? now,
    lastFailureAt: now,
    lastStatusCode: result.status ?? null,
    lastError: failureText(result),
  };
  if (verdict.kind === 'retry' && verdict.retryAfterMs !== undefined) {
    next.pausedUntil = Math.max(state.pausedUntil ?? 0, now + verdict.retryAfterMs);
  }
  if (verdict.kind === 'retry' && verdict.backoff) {
    next.backoffMs = state.backoffMs === 0 ? BACKOFF_START_MS : Math.min(state.backoffMs * 2, BACKOFF_MAX_MS);
    next.backoffUntil = now + next.backoffMs;
  }
  let disable: DisabledReason | undefined;
  if (state.disabled) disable = undefined;
  else if (verdict.kind === 'gone') disable = 'http-410';
  else if (qualifiesForAutoDisable(next, now, settings)) disable = 'sustained-failure';
  if (disable) Object.assign(next, { disabled: true, disabledReason: disable, disabledAt: now });

  const noticeFailing =
    !disable && step.status === 'failed' && step.reason === 'exhausted' && (state.failingNoticeAt === null || now - state.failingNoticeAt >= FAILING_NOTICE_INTERVAL_MS);
  if (noticeFailing) next.failingNoticeAt = now;
  return { state: next, ...(disable && { disable }), noticeFailing };
}

/** The short text the log and the owner notice show for a failed attempt. */
export function failureText(result: PostResult): string {
  if (result.status !== undefined && !result.ok) return result.error && result.error !== 'too-large' ? `HTTP ${result.status} (${result.error})` : `HTTP ${result.status}`;
  return result.error ?? 'failed';
}

