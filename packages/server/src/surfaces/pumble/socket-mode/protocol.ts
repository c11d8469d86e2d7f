/**
 * Socket mode's WebSocket (docs/app-platform.md §10) as a realtime protocol beside `/v1/realtime`
 * (docs/architecture.md §6): the upgrade redeems the handshake's one-time ticket; the app receives
 * only what AppSockets writes to it (never a notice, never a greeting); its replies may be binary
 * (the SDK's) or text, up to a trigger answer's size; `ping` is answered `pong`; a socket silent for
 * 90 s — no frame and no pong to the hub's pings — is closed.
 */
import { UpgradeRefused, type RealtimeIdentity, type RealtimeProtocol } from '../../../realtime/protocol.js';
import { SOCKET_LIMITS, appSocketAudience } from '../../../domain/apps/socket-mode.js';
import type { SocketRevokeReason } from '../../../domain/events.js';
import type { AppSockets } from './app-sockets.js';

export const APP_SOCKET_PATH = '/apps/socket';

export interface AppSocketIdentity extends RealtimeIdentity {
  appId: string;
  socketId: string;
}

const REVOKED: Record<SocketRevokeReason, string> = {
  secrets_rotated: 'app credentials changed',
  socket_mode_off: 'socket mode turned off',
  app_gone: 'app removed',
};

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
      // An id only the socket's own control notices name: people's notices never reach app sockets.
      return { userId: appSocketAudience(admitted.socketId), appId: admitted.appId, socketId: admitted.socketId };
    },
    render: () => undefined,
    onClientMessage(identity, data, reply) {
      // §10.5–§10.6: `pong` only ever as the answer to the app's own `ping`.
      if (data === 'ping') return reply('pong');
      sockets.reply(identity.socketId, data);
    },
    // §10.1: rotated secrets, socket mode off or the app gone end its sockets on every node; the
    // SDK's reconnect then needs a handshake with the current key.
    closesOn(notice, identity) {
      const e = notice.event;
      if (e.type !== 'app.sockets_revoked' || e.appId !== identity.appId) return undefined;
      return { code: 4001, reason: REVOKED[e.reason] };
    },
    opened: (identity, conn) => sockets.opened(identity.appId, identity.socketId, conn),
    closed: (identity) => sockets.closed(identity.socketId),
  };
}
