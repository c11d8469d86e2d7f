/**
 * How Rocket.Chat's `/hooks` and Pumble's URL form answer what became of an incoming-webhook request
 * (docs/integrations.md §7.1–§7.6, §11): `/hooks` with Rocket.Chat's JSON bodies (`{success: false,
 * error}` with the exact upstream strings, which senders and the ported suites match), Pumble's form
 * with the app platform's error body. The pipeline decides (domain/integrations/incoming-hooks.ts);
 * this renders (docs/architecture.md §3.1). Slack's `/services` answers in surfaces/slack/.
 */
import type { HookError, HookFailure } from '../../domain/integrations/hook-errors.js';
import type { IncomingHookOutcome, RestHookOutcome } from '../../domain/integrations/incoming-hooks.js';
import type { HookQuota } from '../../domain/integrations/incoming-rate-limit.js';
import { failureAnswering, type ChannelResult } from '../../domain/integrations/incoming-script-result.js';
import { errorBody } from '../http/errors.js';
import { rateLimitHeaders, retryAfterHeader, withHeaders, type HookResponse } from '../http/incoming-webhooks.js';
import { integrationErrorBody, tooManyRequestsText } from './envelope.js';
import { samplePayloads } from './outgoing/payload.js';

/** The URL forms answered here: Rocket.Chat's `/hooks`, and Pumble's `/workspaces/…/incomingWebhooks` (§11). */
export type HookForm = 'hooks' | 'pumble';

/** The `/hooks` status of each failure (§7.2–§7.6, §7.3 decision for the size): 400 unless the reference says otherwise. */
const HOOKS_STATUS: Record<HookFailure, number> = {
  'unknown-integration': 400,
  'wrong-token': 400,
  disabled: 503,
  'rate-limited': 429,
  'body-too-large': 413,
  'invalid-payload': 400,
  'nothing-to-post': 400,
  'too-many-attachments': 400,
  'channel-not-found': 400,
  'not-allowed': 400,
  archived: 400,
  'user-not-found': 400,
  'script-failed': 400,
  'script-refused': 400,
  'server-error': 500,
};

function hooksFailure(err: HookError): HookResponse {
  const status = HOOKS_STATUS[err.reason];
  // Rocket.Chat's failure(obj): a script's error object is the body itself, flagged.
  if (typeof err.error !== 'string') return { status, type: 'json', body: { ...err.error, success: false } };
  // A rate limit is worded as Rocket.Chat's API words it (§3), with its code.
  if (err.reason === 'rate-limited') {
    return { status, type: 'json', body: { success: false, error: tooManyRequestsText(err.retryAfterSeconds ?? 1), errorType: 'error-too-many-requests' } };
  }
  return { status, type: 'json', body: { success: false, error: err.error } };
}

/**
 * §11: Pumble's form answers with the app platform's error body (docs/app-platform.md §4.3), its
 * message the `/hooks` text, and 404 for any unknown or wrong webhook.
 */
function pumbleFailure(err: HookError): HookResponse {
  const status = err.reason === 'unknown-integration' || err.reason === 'wrong-token' ? 404 : HOOKS_STATUS[err.reason];
  const hooks = hooksFailure(err).body as { error?: unknown };
  const message = typeof hooks.error === 'string' ? hooks.error : 'The webhook could not be processed';
  return { status, type: 'json', body: errorBody(status, message) };
}

/** A failure in the form's conventions, with its Retry-After when it says how long to wait. */
export function hookErrorResponse(err: HookError, form: HookForm = 'hooks'): HookResponse {
  const response = form === 'pumble' ? pumbleFailure(err) : hooksFailure(err);
  const headers = retryAfterHeader(err);
  return headers ? { ...response, headers } : response;
}

/**
 * §7.4 step 8 / §11: what a successful hook answers. A script's `response` is the `/hooks` body when it
 * is truthy (as upstream's `if (scriptResponse)`), an object getting `success: true` added.
 */
export function incomingSuccess(form: HookForm = 'hooks', scriptResponse?: unknown): HookResponse {
  if (form === 'pumble') return { status: 200, type: 'json', body: {} };
  if (!scriptResponse) return { status: 200, type: 'json', body: { success: true } };
  if (typeof scriptResponse === 'object' && !Array.isArray(scriptResponse)) {
    return { status: 200, type: 'json', body: { ...(scriptResponse as Record<string, unknown>), success: true } };
  }
  return { status: 200, type: 'json', body: scriptResponse };
}

/**
 * The answer once every destination was tried (§7.4 step 8). `/hooks` with `separateResponse` answers a
 * script's truthy `response`, else each destination's result, 400 only when every one failed; otherwise
 * the failure the domain says is the answer (failureAnswering), or success.
 */
export function incomingPostResponse(
  form: HookForm,
  request: { separateResponse: boolean },
  results: readonly ChannelResult[],
  scriptResponse?: unknown,
): HookResponse {
  if (form === 'hooks' && request.separateResponse && results.length > 0) {
    if (scriptResponse) return incomingSuccess(form, scriptResponse);
    const allFailed = results.every((r) => 'error' in r);
    const responses = results.map((r) =>
      'error' in r ? { channel: r.channel, error: typeof r.error.error === 'string' ? r.error.error : r.error.message } : r,
    );
    return { status: allFailed ? 400 : 200, type: 'json', body: { success: !allFailed, responses } };
  }
  const failure = failureAnswering(request.separateResponse, results);
  return failure ? hookErrorResponse(failure, form) : incomingSuccess(form, scriptResponse);
}

/** The limit's state on every answer (docs/delivery.md §10): `/hooks` gives the reset as a moment, Pumble's form as a wait. */
export const hookRateLimitHeaders = (quota: HookQuota, form: HookForm): Record<string, string> =>
  rateLimitHeaders(quota, form === 'hooks' ? 'epoch-ms' : 'seconds');

/** How a form answers the pipeline's outcome (IncomingHooks.execute). */
export const hookAnswer =
  (form: HookForm) =>
  (outcome: IncomingHookOutcome): HookResponse => {
    let response: HookResponse;
    switch (outcome.kind) {
      case 'failed':
        response = hookErrorResponse(outcome.error, form);
        break;
      case 'accepted':
        response = incomingSuccess(form);
        break;
      case 'posted':
        response = incomingPostResponse(form, outcome, outcome.results, outcome.scriptResponse);
        break;
    }
    return withHeaders(response, outcome.quota && hookRateLimitHeaders(outcome.quota, form));
  };

/** §7.1 `/hooks/info|sample|add|remove`: `{success: true}`, the sample payloads, or the failure. */
export function restHookAnswer(outcome: RestHookOutcome): HookResponse {
  let response: HookResponse;
  switch (outcome.kind) {
    case 'failed':
      response = hookErrorResponse(outcome.error, 'hooks');
      break;
    case 'refused':
      // Integration management's own refusals keep their Rocket.Chat form (§3).
      response = { status: 400, type: 'json', body: integrationErrorBody(outcome.error) };
      break;
    case 'done':
      response = { status: 200, type: 'json', body: { success: true } };
      break;
    case 'sampled':
      response = { status: 200, type: 'json', body: samplePayloads(outcome.sample) };
      break;
  }
  return withHeaders(response, outcome.quota && hookRateLimitHeaders(outcome.quota, 'hooks'));
}
