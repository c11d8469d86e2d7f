/**
 * How Slack's `/services` form answers what became of an incoming-webhook request (docs/integrations.md
 * §10): 200 `ok` in plain text, or Slack's error string with its status, so that tools built for
 * Slack's incoming webhooks (Slack's own `@slack/webhook` included) work unchanged. The pipeline
 * decides (domain/integrations/incoming-hooks.ts); this renders (docs/architecture.md §3.1).
 */
import type { HookError, HookFailure } from '../../domain/integrations/hook-errors.js';
import type { IncomingHookOutcome } from '../../domain/integrations/incoming-hooks.js';
import type { HookQuota } from '../../domain/integrations/incoming-rate-limit.js';
import { failureAnswering, type ChannelResult } from '../../domain/integrations/incoming-script-result.js';
import { rateLimitHeaders, retryAfterHeader, withHeaders, type HookResponse } from '../http/incoming-webhooks.js';

/**
 * Slack's incoming-webhook error strings (§10) and the status each is sent with. Slack's client
 * libraries treat 4xx as not worth retrying and 429 / 5xx as worth it; the split is kept.
 */
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

/** §10's table: Slack's string for each failure. */
const SLACK_ERRORS: Record<HookFailure, SlackErrorCode> = {
  'unknown-integration': 'no_service',
  'wrong-token': 'invalid_token',
  disabled: 'no_active_hooks', // §10 Decision
  'rate-limited': 'rate_limited',
  'body-too-large': 'invalid_payload',
  'invalid-payload': 'invalid_payload',
  'nothing-to-post': 'no_text',
  'too-many-attachments': 'too_many_attachments',
  'channel-not-found': 'channel_not_found',
  'not-allowed': 'action_prohibited',
  archived: 'channel_is_archived',
  'user-not-found': 'user_not_found',
  'script-failed': 'rollup_error',
  'script-refused': 'invalid_payload',
  'server-error': 'rollup_error',
};

export const slackErrorCode = (err: HookError): SlackErrorCode => SLACK_ERRORS[err.reason];

/** A failure as Slack answers it: its string as plain text, with Retry-After when it says how long to wait. */
export function slackErrorResponse(err: HookError): HookResponse {
  const code = slackErrorCode(err);
  const headers = retryAfterHeader(err);
  return { status: SLACK_ERROR_STATUS[code], type: 'text', body: code, ...(headers && { headers }) };
}

/** Success, whatever a script returned as its `response` (§10). */
const slackOk = (): HookResponse => ({ status: 200, type: 'text', body: 'ok' });

/** Once every destination was tried: `ok`, or the failure that is the answer (§7.4 step 8; no per-channel results). */
export function slackPostResponse(request: { separateResponse: boolean }, results: readonly ChannelResult[]): HookResponse {
  const failure = failureAnswering(request.separateResponse, results);
  return failure ? slackErrorResponse(failure) : slackOk();
}

/** The limit's state on every answer (docs/delivery.md §10), the reset as seconds from now. */
export const slackRateLimitHeaders = (quota: HookQuota): Record<string, string> => rateLimitHeaders(quota, 'seconds');

/** How `/services` answers the pipeline's outcome (IncomingHooks.execute). */
export function slackAnswer(outcome: IncomingHookOutcome): HookResponse {
  let response: HookResponse;
  switch (outcome.kind) {
    case 'failed':
      response = slackErrorResponse(outcome.error);
      break;
    case 'accepted':
      response = slackOk();
      break;
    case 'posted':
      response = slackPostResponse(outcome, outcome.results);
      break;
  }
  return withHeaders(response, outcome.quota && slackRateLimitHeaders(outcome.quota));
}
