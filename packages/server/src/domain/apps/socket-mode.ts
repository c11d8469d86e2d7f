/**
 * Socket mode (docs/app-platform.md §10, docs/delivery.md §2.7): the handshake's one-time tickets,
 * the registry of live app sockets across nodes, and the rules around them — at most 10 sockets per
 * app, a ticket used once within 60 s, a socket live while its node vouches for it, and an app's
 * event backlog due at once when one of its sockets connects. Which socket gets a frame, and how a
 * frame reaches another node, is the transport's (surfaces/pumble/socket-mode/app-sockets.ts).
 */
import { commit, type CoreContext } from '../context.js';
import { DomainError, unauthenticated } from '../errors.js';
import { constantTimeEqual, hashToken, newToken } from '../secrets.js';
import type { AppSocketRecord, SocketLiveness } from '../ports/app-sockets.js';
import type { ChatStore } from '../ports/chat-store.js';
import type { Notice, SocketRevokeReason } from '../events.js';

/**
 * The delivery URL of a socket-mode app's events and triggers: its copies are ordinary deliveries
 * (one per event and app, logged, retried) that the queue hands to a socket instead of POSTing
 * (docs/delivery.md §2.7).
 */
export const SOCKET_URL = 'socket:';

export const SOCKET_LIMITS = {
  /** §10.1: a handshake ticket is valid this long, once */
  ticketTtlMs: 60_000,
  /** §10.2: live sockets per app, across nodes */
  maxSockets: 10,
  /** §10.5: a socket that sent nothing (not even a protocol pong) for this long is closed */
  idleMs: 90_000,
  /** a registry row not refreshed for this long belongs to a dead node */
  liveMs: 90_000,
  /** how often each node refreshes its rows (well within liveMs) */
  heartbeatMs: 30_000,
  /** docs/delivery.md §3: a trigger's answer may be 1 MiB; a reply frame wraps it in a few fields */
  maxReplyBytes: 1024 * 1024 + 4096,
} as const;

export interface RedeemedSocket {
  appId: string;
  socketId: string;
}

/**
 * How notices name one app socket in their audience: an id no person has, so app sockets get
 * only the notices meant for them (`app.sockets_revoked`), never a person's.
 */
export const appSocketAudience = (socketId: string): string => `app-socket:${socketId}`;

export class SocketMode {
  constructor(
    private readonly ctx: CoreContext,
    /** without one (a core with no realtime, in tests), every registered socket counts as open */
    private readonly liveness?: SocketLiveness,
  ) {}

  /**
   * The cap is on sockets that are open (docs/delivery.md §2.7): when the registry says the app is
   * full, rows of sockets found dead (their node crashed; a socket this node no longer holds) are
   * deleted first, so an app whose node died reconnects at once instead of 90 s later.
   */
  private async full(appId: string): Promise<boolean> {
    const rows = await this.liveSockets(appId);
    if (rows.length < SOCKET_LIMITS.maxSockets || !this.liveness) return rows.length >= SOCKET_LIMITS.maxSockets;
    const open = await this.liveness.openSockets(rows);
    const dead = rows.filter((r) => !open.has(r.id)).map((r) => r.id);
    if (dead.length > 0) await commit(this.ctx, (tx) => tx.appSockets.deleteSockets(dead));
    return rows.length - dead.length >= SOCKET_LIMITS.maxSockets;
  }

  /**
   * §10.1: a one-time ticket for a socket of the app. The app proves itself with its appKey (the SDK
   * sends `appKey`; older SDKs `appSecret`, the same value). Unknown app or wrong key: 401 (the
   * answer does not tell which); an app not in socket mode: 400; 10 live sockets already: 429.
   */
  async handshake(appId: string, appKey: string | undefined): Promise<string> {
    const app = appId && appKey ? await this.ctx.store.app(appId) : undefined;
    if (!app || !appKey || !constantTimeEqual(hashToken(appKey), app.appKeyHash)) throw unauthenticated('Invalid app id or app key');
    if (!app.manifest.socketMode) throw new DomainError('invalid', 'The app does not use socket mode', [{ field: 'appId', message: 'socketMode is off in the manifest' }]);
    const now = this.ctx.now();
    if (await this.full(app.id)) {
      throw new DomainError('rate_limited', `The app has ${SOCKET_LIMITS.maxSockets} sockets connected already`, [], Math.ceil(SOCKET_LIMITS.liveMs / 1000));
    }
    const ticket = newToken();
    await commit(this.ctx, (tx) => tx.appSockets.insertTicket({ ticketHash: hashToken(ticket), appId: app.id, now, expiresAt: now + SOCKET_LIMITS.ticketTtlMs }));
    return ticket;
  }

  /**
   * The upgrade: redeems the ticket and registers the socket on `nodeId`, in one transaction.
   * `refused` when the ticket is unknown, used or expired, or the app left socket mode meanwhile;
   * `full` when the app has its 10 live sockets.
   */
  async redeem(ticket: string, nodeId: string, socketId: string): Promise<RedeemedSocket | 'refused' | 'full'> {
    const now = this.ctx.now();
    // Dead rows were taken out of the count at the handshake, moments ago.
    return commit(this.ctx, async (tx) => {
      const appId = await tx.appSockets.redeemTicket(hashToken(ticket), now);
      const app = appId ? await tx.app(appId) : undefined;
      if (!app || !app.manifest.socketMode) return 'refused' as const;
      if ((await tx.appSockets.liveSockets(app.id, now - SOCKET_LIMITS.liveMs)).length >= SOCKET_LIMITS.maxSockets) return 'full' as const;
      await tx.appSockets.insertSocket({ id: socketId, appId: app.id, nodeId, now });
      return { appId: app.id, socketId };
    });
  }

  /**
   * docs/delivery.md §2.7: a socket of the app connected, so its backlog (events that found no
   * socket and wait for their next retry) is due now. Answers how many deliveries that was.
   */
  async socketOpened(appId: string): Promise<number> {
    const now = this.ctx.now();
    return commit(this.ctx, (tx) => tx.deliveries.dueNow(appId, SOCKET_URL, now));
  }

  async socketClosed(socketId: string): Promise<void> {
    await commit(this.ctx, (tx) => tx.appSockets.deleteSocket(socketId));
  }

  /** The app's live sockets on every node, oldest first. */
  liveSockets(appId: string): Promise<AppSocketRecord[]> {
    return this.ctx.store.appSockets.liveSockets(appId, this.ctx.now() - SOCKET_LIMITS.liveMs);
  }

  /**
   * A node vouches for the sockets it holds (every heartbeatMs). A socket whose row was pruned
   * meanwhile (the node could not vouch for a while) is registered again, so a live socket never
   * drops out of the registry for good.
   */
  async heartbeat(nodeId: string, sockets: readonly { id: string; appId: string; openedAt: number }[]): Promise<void> {
    if (sockets.length === 0) return;
    const now = this.ctx.now();
    await commit(this.ctx, (tx) => tx.appSockets.touchSockets(nodeId, sockets, now));
  }

  /**
   * docs/delivery.md §2.7: a socket died before showing it read these event frames (no frame, no
   * pong since they were written), so they go out again at once; answers how many. The app may get
   * one twice; `correlation_id` (the delivery id) lets it tell.
   */
  async redeliver(deliveryIds: readonly string[]): Promise<number> {
    if (deliveryIds.length === 0) return 0;
    const now = this.ctx.now();
    return commit(this.ctx, (tx) => tx.deliveries.redeliver(deliveryIds, SOCKET_URL, now));
  }

  /** A node stops: its sockets leave the registry at once instead of going stale. */
  async nodeStopped(nodeId: string): Promise<void> {
    await commit(this.ctx, (tx) => tx.appSockets.deleteNode(nodeId));
  }

  /** Expired tickets, and the rows of sockets whose node stopped vouching for them (the housekeeping worker). */
  async prune(now: number): Promise<{ tickets: number; sockets: number }> {
    return commit(this.ctx, (tx) => tx.appSockets.prune(now, now - SOCKET_LIMITS.liveMs));
  }

  /**
   * docs/app-platform.md §10.1: the app's secrets were rotated, socket mode turned off, or the app
   * is gone — inside that change's transaction, its unredeemed tickets and registry rows go, and
   * once it commits every node closes **every** socket of the app it holds (`app.sockets_revoked`,
   * matched on the app id on each node, surfaces/pumble/socket-mode/app-sockets.ts). Sent even when
   * the registry had no row: a socket still open whose row was pruned must close too. A reconnect
   * must pass a new handshake with the current key.
   */
  static async revoke(tx: ChatStore, notices: Notice[], app: { id: string; workspaceId: string }, reason: SocketRevokeReason): Promise<void> {
    const socketIds = await tx.appSockets.revokeApp(app.id);
    notices.push({ workspaceId: app.workspaceId, audience: socketIds.map(appSocketAudience), event: { type: 'app.sockets_revoked', appId: app.id, socketIds, reason } });
  }
}
