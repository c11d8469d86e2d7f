import type { IncomingMessage } from 'node:http';
import type { User } from '../../../domain/model.js';
import { hashToken } from '../../../domain/secrets.js';
import type { RealtimeProtocol } from '../../../realtime/protocol.js';
import { renderFrame } from './realtime-frames.js';
import { expectedOrigin, fromOrigin, sessionFromCookie } from '../../http/session-cookie.js';

export const REALTIME_PATH = '/v1/realtime';

/** A `/v1/realtime` connection: its user and the session (token hash) it was opened with. */
export interface PumbleRealtimeIdentity {
  userId: string;
  user: User;
  tokenHash: string;
}

export interface PumbleRealtimeOptions {
  /** The user a session token belongs to, if it is live. */
  authenticate(token: string): Promise<User | undefined>;
  /** PUBLIC_URL, when set: the origin a cookie-authenticated upgrade must come from */
  publicUrl?: string;
  /** `{"type":"typing","channelId","threadRootId"?}` from a client: the person is typing there (docs/web-client.md §5) */
  onTyping?(user: User, channelId: string, threadRootId: string | undefined): void;
  /** A connection of the person opened, and closed (presence: docs/web-client.md §4, §5). */
  onConnected?(user: User): void;
  onDisconnected?(user: User): void;
}

/**
 * `/v1/realtime`, the Pumble surface's WebSocket: the session token as `Authorization: Bearer`,
 * a `token` query parameter or a `token` header; a `hello` frame naming the user; the `/v1`
 * JSON frames ({@link renderFrame}); application-level `ping` answered with `pong`; and a
 * connection closed (4001) when the session it was opened with is revoked.
 */
export function pumbleRealtimeProtocol(opts: PumbleRealtimeOptions): RealtimeProtocol<PumbleRealtimeIdentity> {
  return {
    path: REALTIME_PATH,

    async authenticate(req: IncomingMessage, url: URL) {
      const token = tokenOf(req, url) ?? browserSession(req, opts.publicUrl);
      const user = token ? await opts.authenticate(token) : undefined;
      return user && { userId: user.id, user, tokenHash: hashToken(token!) };
    },

    greeting: ({ user }) => JSON.stringify({ type: 'hello', workspaceId: user.workspaceId, workspaceUserId: user.id }),

    render: renderFrame,

    opened: ({ user }) => opts.onConnected?.(user),

    closed: ({ user }) => opts.onDisconnected?.(user),

    onClientMessage(identity, data, reply) {
      // Clients may ping at the application level, and say they are typing; anything else is ignored.
      try {
        const msg = JSON.parse(data) as { type?: string; channelId?: unknown; threadRootId?: unknown } | null;
        if (msg?.type === 'ping') reply('{"type":"pong"}');
        else if (msg?.type === 'typing' && typeof msg.channelId === 'string') {
          opts.onTyping?.(identity.user, msg.channelId, typeof msg.threadRootId === 'string' ? msg.threadRootId : undefined);
        }
      } catch {
        /* not JSON: ignore */
      }
    },

    closesOn(notice, identity) {
      const e = notice.event;
      if (e.type !== 'user.sessions_revoked' || e.userId !== identity.userId) return undefined;
      // Without a token hash every session of the user is revoked; with one, only that session.
      return e.tokenHash === undefined || e.tokenHash === identity.tokenHash ? { code: 4001, reason: 'session revoked' } : undefined;
    },
  };
}

/**
 * The web client's session cookie (docs/web-client.md §3), only from a page of this server's own
 * origin: browsers send cookies with any site's WebSocket, so without the Origin check another
 * site could open a socket as the person (cross-site WebSocket hijacking).
 */
function browserSession(req: IncomingMessage, publicUrl: string | undefined): string | undefined {
  let token: string | undefined;
  try {
    token = sessionFromCookie(req);
  } catch {
    return undefined; // a cookie this server did not set
  }
  return token && fromOrigin(req.headers, expectedOrigin(publicUrl, req.headers)) ? token : undefined;
}

function tokenOf(req: IncomingMessage, url: URL): string | undefined {
  const auth = req.headers.authorization;
  const bearer = typeof auth === 'string' ? /^Bearer\s+(\S+)$/i.exec(auth.trim())?.[1] : undefined;
  return bearer ?? url.searchParams.get('token') ?? (typeof req.headers.token === 'string' ? req.headers.token : undefined);
}
