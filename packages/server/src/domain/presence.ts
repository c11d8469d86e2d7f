/**
 * Presence (docs/web-client.md §4, §5): a person is online while at least one of their realtime
 * connections is open, on any node. The surfaces tell the core when a person's connection opens and
 * closes; the registry (a port: this process alone, or Redis across nodes) says who holds whom. The
 * workspace's active people hear of changes as `user.presence` — live only, never stored, never sent
 * to apps — and a client reads who is online now after it (re)connects (`online`).
 *
 * Changes are gathered for PRESENCE_FLUSH_MS and told as one notice per workspace with the state
 * each person is in when it goes out, so that a reconnecting crowd (a node restarting) costs a few
 * frames per person rather than one per change each. Two nodes can still race (the last connection on
 * one closes as the first opens on another, and the "offline" goes out last): a node that hears a
 * person it holds called offline says again that they are online (`heard`), so every client ends
 * up with the truth.
 */
import type { CoreContext } from './context.js';
import type { Notice } from './events.js';
import { forbidden } from './errors.js';
import type { User } from './model.js';
import type { PresenceGroup, PresenceRegistry } from './ports/presence.js';

/** How long changes are gathered before they are told (one notice per workspace). */
export const PRESENCE_FLUSH_MS = 250;

/** This node's open connections per workspace and person: what every registry counts the same way. */
export class NodeConnections {
  private readonly counts = new Map<string, Map<string, number>>();

  /** One more connection; true when it is the person's first here. */
  add(workspaceId: string, userId: string): boolean {
    let users = this.counts.get(workspaceId);
    if (!users) this.counts.set(workspaceId, (users = new Map()));
    const n = users.get(userId) ?? 0;
    users.set(userId, n + 1);
    return n === 0;
  }

  /** One connection fewer; true when it was the person's last here. */
  remove(workspaceId: string, userId: string): boolean {
    const users = this.counts.get(workspaceId);
    const n = users?.get(userId);
    if (!users || n === undefined) return false;
    if (n > 1) {
      users.set(userId, n - 1);
      return false;
    }
    users.delete(userId);
    if (users.size === 0) this.counts.delete(workspaceId);
    return true;
  }

  holds(workspaceId: string, userId: string): boolean {
    return this.counts.get(workspaceId)?.has(userId) ?? false;
  }

  users(workspaceId: string): string[] {
    return [...(this.counts.get(workspaceId)?.keys() ?? [])];
  }

  groups(): PresenceGroup[] {
    return [...this.counts].map(([workspaceId, users]) => ({ workspaceId, userIds: [...users.keys()] }));
  }

  /** Forgets every connection; answers whom it held. */
  clear(): PresenceGroup[] {
    const held = this.groups();
    this.counts.clear();
    return held;
  }
}

/** One process serves every connection: its own count is the whole truth, and no other node can be lost. */
export class LocalPresenceRegistry implements PresenceRegistry {
  private readonly here = new NodeConnections();
  private left = false;

  async connect(workspaceId: string, userId: string): Promise<boolean> {
    return !this.left && this.here.add(workspaceId, userId);
  }
  async disconnect(workspaceId: string, userId: string): Promise<boolean> {
    return !this.left && this.here.remove(workspaceId, userId);
  }
  holds(workspaceId: string, userId: string): boolean {
    return this.here.holds(workspaceId, userId);
  }
  async online(workspaceId: string): Promise<Set<string>> {
    return new Set(this.here.users(workspaceId));
  }
  onLost(): void {}
  async leave(): Promise<PresenceGroup[]> {
    this.left = true;
    return this.here.clear();
  }
}

type Change = 'up' | 'down';

export class Presence {
  /** per workspace, the people whose connections on this node began or ended since the last flush */
  private readonly pending = new Map<string, Map<string, Change>>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** flushes run one after the other: a later state must not overtake an earlier one */
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly ctx: CoreContext,
    private readonly registry: PresenceRegistry,
    private readonly opts: { flushMs?: number; onError?: (err: unknown) => void } = {},
  ) {
    registry.onLost((lost) => {
      for (const g of lost) for (const id of g.userIds) this.note(g.workspaceId, id, 'down');
    });
  }

  /** A person's realtime connection opened on this node (apps' bots have no presence). */
  async connected(user: User): Promise<void> {
    if (!user.isBot && (await this.registry.connect(user.workspaceId, user.id))) this.note(user.workspaceId, user.id, 'up');
  }

  /** …and closed. */
  async disconnected(user: User): Promise<void> {
    if (!user.isBot && (await this.registry.disconnect(user.workspaceId, user.id))) this.note(user.workspaceId, user.id, 'down');
  }

  /** Presence notices from any node (the bus): someone this node holds called offline is online again. */
  heard(notices: readonly Notice[]): void {
    for (const n of notices) {
      if (n.event.type !== 'user.presence') continue;
      for (const id of n.event.offline) if (this.registry.holds(n.workspaceId, id)) this.note(n.workspaceId, id, 'up');
    }
  }

  /** Who of the person's workspace is online now: what a client reads when it (re)connects. */
  async online(actor: User): Promise<string[]> {
    if (actor.isBot) throw forbidden('Presence is for people');
    return [...(await this.registry.online(actor.workspaceId))].sort();
  }

  /** This node stops (shutdown): whom it held is offline unless connected elsewhere, told now. */
  async stop(): Promise<void> {
    for (const g of await this.registry.leave()) for (const id of g.userIds) this.note(g.workspaceId, id, 'down');
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  private note(workspaceId: string, userId: string, change: Change): void {
    let changes = this.pending.get(workspaceId);
    if (!changes) this.pending.set(workspaceId, (changes = new Map()));
    changes.set(userId, change);
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.opts.flushMs ?? PRESENCE_FLUSH_MS);
  }

  private flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.tell()).catch((err: unknown) => this.opts.onError?.(err));
    return this.flushing;
  }

  /** Each gathered person in the state they are in now, to the workspace's active people. */
  private async tell(): Promise<void> {
    const batch = [...this.pending];
    this.pending.clear();
    for (const [workspaceId, changes] of batch) {
      const online = await this.registry.online(workspaceId);
      const up: string[] = [];
      const down: string[] = [];
      for (const [id, change] of changes) {
        if (!online.has(id)) down.push(id);
        else if (change === 'up') up.push(id);
        // Left this node but still online on another: nothing changed for anyone.
      }
      if (up.length === 0 && down.length === 0) continue;
      const audience = await this.ctx.store.activeUserIds(workspaceId);
      // No active user here (a workspace this database does not hold, told by a node sharing the Redis): nobody to tell.
      if (audience.length === 0) continue;
      this.ctx.sink.publish([{ workspaceId, audience, event: { type: 'user.presence', online: up, offline: down } }]);
    }
  }
}
