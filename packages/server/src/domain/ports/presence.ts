/**
 * Who is online (docs/web-client.md §4, §5): a person is online while at least one of their realtime
 * connections is open, on any node. Each node counts its own connections; the registry shares which
 * people each node holds — in this process alone (domain/presence.ts, `LocalPresenceRegistry`), or
 * through Redis across nodes (realtime/presence.ts), where a node that dies stops counting.
 */

/** People of one workspace. */
export interface PresenceGroup {
  workspaceId: string;
  userIds: string[];
}

export interface PresenceRegistry {
  /** One more open connection of the user on this node; true when it is the node's first. */
  connect(workspaceId: string, userId: string): Promise<boolean>;
  /** One connection fewer; true when it was the node's last (the node no longer holds the user). */
  disconnect(workspaceId: string, userId: string): Promise<boolean>;
  /** Whether this node holds an open connection of the user (no round trip). */
  holds(workspaceId: string, userId: string): boolean;
  /** Everyone of the workspace with an open connection on a live node (this one included). */
  online(workspaceId: string): Promise<Set<string>>;
  /** Told of the people another node held when that node is found dead (they may be offline now). */
  onLost(handler: (lost: readonly PresenceGroup[]) => void): void;
  /** This node stops counting (shutdown): its connections leave the registry; answers whom it held. */
  leave(): Promise<PresenceGroup[]>;
}
