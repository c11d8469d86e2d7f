/**
 * Socket mode's WebSocket (docs/app-platform.md §10) as a realtime protocol beside `/v1/realtime`
 * (docs/architecture.md §6): the upgrade redeems the handshake's one-time ticket; the app receives
 * only what AppSockets writes to it (never a notice, never a greeting); its replies may be binary
 * (the SDK's) or text, up to a trigger answer's size; `ping` is answered `pong`; a socket silent for
 * 90 s — no frame and no pong to the hub's pings — is closed. Revocation (`app.sockets_revoked`,
 * §10.1) is not an audience match here: each node closes every socket it holds of the app
 * (AppSockets.onNotices), so a socket whose registry row was pruned closes too.
 */
import { UpgradeRefused, type RealtimeIdentity, type RealtimeProtocol } from '../../../realtime/protocol.js';
import { SOCKET_LIMITS, appSocketAudience } from '../../../domain/apps/socket-mode.js';
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
      // docs/app-platform.md §10: a node shutting down takes no new socket — before the ticket is
      // redeemed, so it stays usable elsewhere and no registry row is written for a dying node.
      if (sockets.stopping) throw new UpgradeRefused(503, 'Service Unavailable');
      const ticket = url.searchParams.get('ticket');
      if (!ticket) return undefined;
      const admitted = await sockets.admit(ticket);
      if (admitted === 'refused') return undefined;
      if (admitted === 'full') throw new UpgradeRefused(429, 'Too Many Requests');
      // An id only the socket's own control notices name: people's notices never reach app sockets.
      return { userId: appSocketAudience(admitted.socketId), appId: admitted.appId, socketId: admitted.socketId };
    },
    render: () => undefined,
    onClientMessage(identity, data, reply) {
      // §10.5–§10.6: `pong` only ever as the answer to the app's own `ping`.
      if (data === 'ping') return reply('pong');
      sockets.reply(identity.socketId, data);
    },
    opened: (identity, conn) => sockets.opened(identity.appId, identity.socketId, conn),
    closed: (identity, how) => sockets.closed(identity.socketId, how),
  };
}
