/**
 * Socket mode's WebSocket (docs/app-platform.md §10) as a realtime protocol beside `/v1/realtime`
 * (docs/architecture.md §6): the upgrade redeems the handshake's one-time ticket; the app receives
 * only what AppSockets writes to it (never a notice, never a greeting); its replies may be binary
 * (the SDK's) or text, up to a trigger answer's size; `ping` is answered `pong`; a socket silent for
 * 90 s — no frame and no pong to the hub's pings — is closed.
 */
import { UpgradeRefused, type RealtimeIdentity, type RealtimeProtocol } from '../../../realtime/protocol.js';
import { SOCKET_LIMITS } from '../../../domain/apps/socket-mode.js';
import type { AppSockets } from './app-sockets.js';

export const APP_SOCKET_PATH = '/apps/socket';

export interface AppSocketIdentity extends RealtimeIdentity {
  appId: string;
  socketId: string;
}

export function appSocketProtocol(sockets: AppSockets): RealtimeProtocol<AppSocketIdentity> {
  return {
    path: APP_SOCKET_PATH,
    maxFrameBytes: SOCKET_LIMITS.maxReplyBytes,
    acceptsBinary: true,
    idleTimeoutMs: SOCKET_LIMITS.idleMs,
    async authenticate(_req, url) {
      const ticket = url.searchParams.get('ticket');
      if (!ticket) return undefined;
      const admitted = await sockets.admit(ticket);
      if (admitted === 'refused') return undefined;
      if (admitted === 'full') throw new UpgradeRefused(429, 'Too Many Requests');
      // An id no audience ever names: notices never reach app sockets.
      return { userId: `app-socket:${admitted.socketId}`, appId: admitted.appId, socketId: admitted.socketId };
    },
    render: () => undefined,
    onClientMessage(identity, data, reply) {
      // §10.5–§10.6: `pong` only ever as the answer to the app's own `ping`.
      if (data === 'ping') return reply('pong');
      sockets.reply(identity.socketId, data);
    },
    opened: (identity, conn) => sockets.opened(identity.appId, identity.socketId, conn),
    closed: (identity) => sockets.closed(identity.socketId),
  };
}
