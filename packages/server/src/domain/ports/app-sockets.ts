/**
 * The storage port of socket mode (docs/app-platform.md §10): one-time handshake tickets and the
 * registry of live app sockets across nodes. store/app-socket-store.ts implements it.
 */

/** One registered socket of an app: which node holds it, and when that node last vouched for it. */
export interface AppSocketRecord {
  id: string;
  appId: string;
  nodeId: string;
  openedAt: number;
  seenAt: number;
}

/**
 * Which registered sockets are really open: their node is up and holds them. Realtime answers it
 * (surfaces/pumble/socket-mode/app-sockets.ts): this node's own sockets from its table, other nodes'
 * by whether anyone still listens on their cluster channel. A row whose node died stays "live" in the
 * registry for up to 90 s (docs/delivery.md §2.7); the 10-socket cap must not count it.
 */
export interface SocketLiveness {
  openSockets(rows: readonly AppSocketRecord[]): Promise<ReadonlySet<string>>;
}

export interface AppSocketStorage {
  /** Stores a ticket (its hash) for the app, valid until `expiresAt`. */
  insertTicket(t: { ticketHash: string; appId: string; now: number; expiresAt: number }): Promise<void>;
  /**
   * Redeems a ticket: deletes it and answers its app when it existed and had not expired. One
   * statement, so of two concurrent redeems exactly one gets the app.
   */
  redeemTicket(ticketHash: string, now: number): Promise<string | undefined>;
  /** The app's sockets seen after `liveSince`, oldest first. */
  liveSockets(appId: string, liveSince: number): Promise<AppSocketRecord[]>;
  insertSocket(s: { id: string; appId: string; nodeId: string; now: number }): Promise<void>;
  deleteSocket(id: string): Promise<void>;
  /** Deletes these rows (sockets found dead); answers how many went. */
  deleteSockets(ids: readonly string[]): Promise<number>;
  /**
   * The app's credentials changed or it left socket mode: its unredeemed tickets and its registry
   * rows go; answers the ids of the sockets that were registered (to be closed on their nodes).
   */
  revokeApp(appId: string): Promise<string[]>;
  /** Deletes every row of one node (its shutdown). */
  deleteNode(nodeId: string): Promise<number>;
  /**
   * Marks these sockets of one node as seen now, re-creating the row of any that is missing: a
   * socket still open on its node is live, even if its row was pruned while the node could not
   * vouch for it (docs/app-platform.md §10).
   */
  touchSockets(nodeId: string, sockets: readonly { id: string; appId: string; openedAt: number }[], now: number): Promise<void>;
  /** Deletes expired tickets and sockets not seen since `staleBefore`. */
  prune(now: number, staleBefore: number): Promise<{ tickets: number; sockets: number }>;
}
