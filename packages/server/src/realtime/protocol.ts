import type { IncomingMessage } from 'node:http';
import type { Notice } from '../domain/events.js';

/**
 * Who a realtime connection belongs to, as its protocol's authentication found out. The hub reads
 * only `userId` (the id notices' audiences name); a protocol keeps whatever else it needs here
 * (the user, the session the token belongs to…) and gets it back in its other calls.
 */
export interface RealtimeIdentity {
  readonly userId: string;
}

/**
 * A protocol's handle on one of its own connections (socket mode writes events and triggers to the
 * socket it chose, not to an audience). The protocol never touches the socket itself: the hub keeps
 * backpressure and the close rules (docs/architecture.md §6).
 */
export interface RealtimeConnection {
  /** Writes a text frame; resolves once it is handed to the operating system, rejects when the connection is closed or too slow. */
  send(frame: string): Promise<void>;
  close(code: number, reason: string): void;
  /** bytes queued and not yet written */
  readonly bufferedAmount: number;
  /** when the client last showed it is there (a frame, or a pong to the hub's ping); epoch ms */
  readonly lastSeen: number;
  /**
   * The client read everything written before this moment (performance.now()): the arrival of a
   * frame of its own, or the sending of a ping it answered (frames arrive in order).
   */
  readonly readUpTo: number;
  /** Pings the client once this turn of the event loop is over: its pong moves readUpTo past what was written before. */
  confirmReads(): void;
}

/** How a connection ended: the close code the hub saw, and whether the client sent a close frame. */
export interface RealtimeClosed {
  /** the client's close code, or 1006 when the connection ended without one */
  code: number;
  /**
   * the client's close frame arrived (its own close, or its answer to ours): it was reading the
   * connection up to then. False when the connection dropped or was cut (half-open, terminated).
   */
  clean: boolean;
}

/** Thrown by `authenticate` to refuse an upgrade with another status than 401 (429: too many sockets). */
export class UpgradeRefused extends Error {
  constructor(
    readonly status: number,
    readonly statusText: string,
  ) {
    super(`${status} ${statusText}`);
  }
}

/** How the hub closes a connection a notice ends: a WebSocket close code (4000–4999 for applications) and reason. */
export interface RealtimeClose {
  code: number;
  reason: string;
}

/**
 * One realtime surface over WebSocket (the Pumble `/v1/realtime`, a Mattermost-style socket…).
 * The hub ({@link RealtimeHub}) owns the connections: it routes upgrades here by path, keeps the
 * sockets of each user across protocols, feeds them the notices whose audience names that user,
 * and does heartbeats and backpressure. The protocol says only who may connect and what goes
 * over the wire.
 *
 * Every method may be called for many connections: none may throw, and `render` must be cheap
 * enough to run once per notice on every node that has one of its recipients.
 */
export interface RealtimeProtocol<I extends RealtimeIdentity = RealtimeIdentity> {
  /** The URL path this protocol answers (exact match on the pathname; the query string is the protocol's own). */
  readonly path: string;

  /**
   * Who is connecting, from the upgrade request (`url` is its URL, parsed). Undefined refuses the
   * upgrade with 401, an {@link UpgradeRefused} with its status; any other rejection with 500.
   */
  authenticate(req: IncomingMessage, url: URL): Promise<I | undefined>;

  /** The largest client frame accepted (bigger ones close the connection with 1009); default 64 KiB. */
  readonly maxFrameBytes?: number;

  /** Binary client frames are decoded as UTF-8 and handed to onClientMessage (default: dropped). */
  readonly acceptsBinary?: boolean;

  /**
   * Close a connection (4000 `idle`) after this long without a client frame or a pong to the
   * hub's heartbeat pings. Without it, a connection that misses one heartbeat's pong is cut.
   */
  readonly idleTimeoutMs?: number;

  /** A connection of this protocol is open; `conn` writes to it alone. */
  opened?(identity: I, conn: RealtimeConnection): void;

  /** …and it is closed (by either side, or by the hub). Called once per opened connection. */
  closed?(identity: I, how: RealtimeClosed): void;

  /** The first frame of a new connection, if the protocol has one. */
  greeting?(identity: I): string | undefined;

  /**
   * A notice as this protocol's text frame, or undefined to send nothing. Called at most once per
   * notice (only when one of its recipients holds a connection of this protocol on this node), and
   * the same frame goes to each of them: it cannot depend on who receives it.
   */
  render(notice: Notice): string | undefined;

  /**
   * A text frame from the client (binary frames are dropped unless `acceptsBinary`, and then passed
   * here decoded; invalid UTF-8 is dropped). `reply` sends a frame to this connection only. Without
   * this method, what clients send is ignored.
   */
  onClientMessage?(identity: I, data: string, reply: (frame: string) => void): void;

  /**
   * Whether a notice ends this connection (its session was revoked…): asked for each connection of
   * the users in the notice's audience, before anything is rendered for it. A connection it closes
   * receives no frame for that notice.
   */
  closesOn?(notice: Notice, identity: I): RealtimeClose | undefined;
}
