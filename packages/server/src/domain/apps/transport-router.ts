/**
 * Which transport carries a trigger (docs/app-platform.md §10): a socket-mode app's go over its
 * sockets, every other app's over HTTP. Both senders answer the same TriggerResult, so whoever
 * reads the answer (the trigger runner) does not know or care which one carried it.
 */
import { SOCKET_URL } from './socket-mode.js';
import type { TriggerResult, TriggerSender, TriggerTarget } from './triggers.js';

export class TransportRouter implements TriggerSender {
  constructor(
    private readonly http: TriggerSender,
    private readonly socket: TriggerSender,
    /** whether the app is in socket mode now (its manifest may have changed since the target was read) */
    private readonly socketModeOf: (appId: string) => Promise<boolean>,
  ) {}

  get outboundPolicy() {
    return this.http.outboundPolicy;
  }

  async send(target: TriggerTarget, eventType: string, envelope: Record<string, unknown>): Promise<TriggerResult> {
    const viaSocket = target.url === SOCKET_URL || (await this.socketModeOf(target.appId));
    return (viaSocket ? this.socket : this.http).send(target, eventType, envelope);
  }
}
