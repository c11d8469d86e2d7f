/**
 * Triggers over socket mode (docs/app-platform.md §9.1, §10.4): the same TriggerSender port and
 * the same TriggerResult as over HTTP — the reply frame is read as the HTTP answer it stands for
 * and then exactly as outbound/triggers.ts reads an HTTP answer, so whoever handles the answer
 * (ephemeral message, view, options) does not know which transport carried it.
 */
import type { TriggerResult, TriggerSender, TriggerTarget } from '../../../domain/apps/triggers.js';
import { newDeliveryId } from '../../../domain/ids.js';
import { interpretTriggerResponse } from '../../../outbound/triggers.js';
import type { PostResult } from '../../../outbound/http-post.js';
import type { AppSockets } from './app-sockets.js';

export class SocketTriggerSender implements TriggerSender {
  constructor(
    private readonly sockets: AppSockets,
    /** each attempt as made, for metrics (docs/delivery.md §11) */
    private readonly onAttempt?: (result: PostResult) => void,
  ) {}

  async send(target: TriggerTarget, _eventType: string, envelope: Record<string, unknown>): Promise<TriggerResult> {
    // The correlation id is the trigger's delivery id: the log entry and the frame name the same thing.
    const deliveryId = newDeliveryId();
    const { result, requestHeaders } = await this.sockets.sendTrigger(target.appId, envelope, deliveryId);
    try {
      this.onAttempt?.(result);
    } catch {
      // metrics must never fail a trigger
    }
    return { outcome: interpretTriggerResponse(result), deliveryId, durationMs: result.durationMs, requestHeaders };
  }
}
