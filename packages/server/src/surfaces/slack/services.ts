/**
 * Slack's incoming-webhook URL, `POST /services/{integrationId}/{token}` (docs/integrations.md §10):
 * every incoming integration also answers here, through the same pipeline as `/hooks` (same parsing,
 * payload, script, limits and history), in Slack's conventions (answers.ts). This encapsulated plugin
 * reads every body as text itself (surfaces/http/incoming-webhooks.ts, §7.3); none of the server's
 * global parsers run here.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Core } from '../../domain/index.js';
import { hookError } from '../../domain/integrations/hook-errors.js';
import { hitIpLimit } from '../../domain/integrations/incoming-rate-limit.js';
import type { RateLimiter } from '../../domain/ports/rate-limiter.js';
import { MAX_INCOMING_BODY_BYTES, incomingHookRequest, readBodiesAsText, sendHookResponse, withHeaders } from '../http/incoming-webhooks.js';
import { slackAnswer, slackErrorResponse, slackRateLimitHeaders } from './answers.js';

export interface SlackHookRoutesOptions {
  core: Core;
  limiter: RateLimiter;
  rateLimits: boolean;
}

export async function slackHookRoutes(app: FastifyInstance, opts: SlackHookRoutesOptions): Promise<void> {
  const { core, limiter, rateLimits } = opts;

  readBodiesAsText(app);

  // Failures before the handler runs (a body over 1 MiB, a broken stream), in Slack's conventions.
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || err.statusCode === 413) return sendHookResponse(reply, slackErrorResponse(hookError.bodyTooLarge()));
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return sendHookResponse(reply, slackErrorResponse(hookError.invalidPayload(err.message)));
    request.log.error({ err }, 'incoming webhook failed');
    return sendHookResponse(reply, slackErrorResponse(hookError.serverError()));
  });

  app.post(
    '/services/:integrationId/:token',
    // Kept out of /docs (hide), as the other hook URLs: capabilities, not calls to try out (surfaces/rocketchat/hooks.ts).
    { bodyLimit: MAX_INCOMING_BODY_BYTES, schema: { hide: true, tags: ['Incoming webhooks'], summary: 'Slack-compatible incoming webhook' } },
    async (request: FastifyRequest, reply: FastifyReply) => {
      // §7.2: a flood from one address is cut before any lookup.
      const limited = rateLimits ? await hitIpLimit(limiter, request.ip, Date.now()) : undefined;
      if (limited) return sendHookResponse(reply, withHeaders(slackErrorResponse(limited.refused), slackRateLimitHeaders(limited.quota)));
      const { integrationId } = request.params as { integrationId: string };
      return sendHookResponse(reply, await core.incomingHooks.execute(incomingHookRequest(request, 'slack', { integrationId }), slackAnswer));
    },
  );
}
