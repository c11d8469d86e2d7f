/**
 * Socket mode's tables (migration 0017_app_sockets; docs/app-platform.md §10). Same conventions as
 * schema.ts: times are epoch milliseconds.
 */

export interface AppSocketTicketTable {
  /** SHA-256 of the ticket (hashToken); the ticket itself is never stored */
  ticket_hash: string;
  app_id: string;
  created_at: number;
  expires_at: number;
}

export interface AppSocketTable {
  id: string;
  app_id: string;
  /** the cluster id of the process holding the socket (realtime/cluster.ts) */
  node_id: string;
  opened_at: number;
  seen_at: number;
}

export interface AppSocketDatabase {
  app_socket_tickets: AppSocketTicketTable;
  app_sockets: AppSocketTable;
}
