/**
 * Presence across nodes, through Redis (docs/web-client.md §4, §5; the domain's `PresenceRegistry`).
 * Each node writes whom it holds — a set of user ids per workspace, `switchboard:presence:<node>:users:<workspace>` —
 * and beats: every PRESENCE_BEAT_MS it stamps itself in `switchboard:presence:nodes` (a sorted set, score = when) and
 * rewrites its sets whole, so a lost write (Redis restarted, a sweeper that misjudged it) heals within a beat.
 *
 * Online means held by a node that is alive: its channel has a listener (the cluster link's PUBSUB NUMSUB,
 * so a killed node's people stop counting at once) and it beat within STALE_MS (a node frozen with its
 * connection still open stops counting too). At each beat a node also sweeps: a dead node is taken out
 * of the sorted set by whichever node's ZREM wins, which deletes its sets and tells the core whom it held
 * (they went offline unless connected elsewhere). Keys expire after KEY_TTL_MS without a beat, so even
 * the last node's death leaves nothing behind for long.
 */
import type { Redis } from 'ioredis';
import { NodeConnections } from '../domain/presence.js';
import type { PresenceGroup, PresenceRegistry } from '../domain/ports/presence.js';
import type { ClusterLink } from './cluster.js';

export const PRESENCE_BEAT_MS = 5_000;
const STALE_MS = 6 * PRESENCE_BEAT_MS;
const KEY_TTL_MS = 12 * PRESENCE_BEAT_MS;

const PREFIX = 'switchboard:presence:';
const NODES = `${PREFIX}nodes`;
const workspacesKey = (nodeId: string) => `${PREFIX}${nodeId}:workspaces`;
const usersKey = (nodeId: string, workspaceId: string) => `${PREFIX}${nodeId}:users:${workspaceId}`;

export class RedisPresenceRegistry implements PresenceRegistry {
  private readonly here = new NodeConnections();
  private readonly lostHandlers: Array<(lost: readonly PresenceGroup[]) => void> = [];
  private timer: NodeJS.Timeout | undefined;
  private left = false;

  constructor(
    private readonly redis: Redis,
    private readonly cluster: ClusterLink,
    private readonly onError: (err: Error) => void,
    private readonly beatMs = PRESENCE_BEAT_MS,
  ) {}

  private get nodeId(): string {
    return this.cluster.nodeId;
  }

  /** The first beat (this node is known before it holds anyone), then one every beatMs. */
  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => void this.beat().catch((err: Error) => this.onError(err)), this.beatMs).unref();
  }

  async connect(workspaceId: string, userId: string): Promise<boolean> {
    if (this.left || !this.here.add(workspaceId, userId)) return false;
    const users = usersKey(this.nodeId, workspaceId);
    const workspaces = workspacesKey(this.nodeId);
    await this.write(this.redis.multi().sadd(users, userId).pexpire(users, KEY_TTL_MS).sadd(workspaces, workspaceId).pexpire(workspaces, KEY_TTL_MS).exec());
    return true;
  }

  async disconnect(workspaceId: string, userId: string): Promise<boolean> {
    if (this.left || !this.here.remove(workspaceId, userId)) return false;
    await this.write(this.redis.srem(usersKey(this.nodeId, workspaceId), userId));
    return true;
  }

  /** A write that failed is logged, not thrown: the count here changed all the same, and the next beat writes it. */
  private async write(op: Promise<unknown>): Promise<void> {
    try {
      await op;
    } catch (err) {
      this.onError(err as Error);
    }
  }

  holds(workspaceId: string, userId: string): boolean {
    return !this.left && this.here.holds(workspaceId, userId);
  }

  async online(workspaceId: string): Promise<Set<string>> {
    const others = await this.otherLiveNodes();
    const elsewhere = others.length > 0 ? await this.redis.sunion(...others.map((n) => usersKey(n, workspaceId))) : [];
    // This node's own count is the truth about itself, whatever Redis holds at this instant.
    return new Set([...elsewhere, ...(this.left ? [] : this.here.users(workspaceId))]);
  }

  onLost(handler: (lost: readonly PresenceGroup[]) => void): void {
    this.lostHandlers.push(handler);
  }

  async leave(): Promise<PresenceGroup[]> {
    this.left = true;
    clearInterval(this.timer);
    const held = this.here.clear();
    try {
      await this.redis
        .multi()
        .zrem(NODES, this.nodeId)
        .del(workspacesKey(this.nodeId), ...held.map((g) => usersKey(this.nodeId, g.workspaceId)))
        .exec();
    } catch (err) {
      // The keys expire by themselves; the other nodes' sweep finds this one gone.
      this.onError(err as Error);
    }
    return held;
  }

  /** The other nodes that beat lately and still listen on their channel. */
  private async otherLiveNodes(): Promise<string[]> {
    const fresh = (await this.redis.zrangebyscore(NODES, Date.now() - STALE_MS, '+inf')).filter((n) => n !== this.nodeId);
    if (fresh.length === 0) return [];
    const live = await this.cluster.liveNodes(fresh);
    return fresh.filter((n) => live.has(n));
  }

  private async beat(): Promise<void> {
    if (this.left) return;
    const groups = this.here.groups();
    const workspaces = workspacesKey(this.nodeId);
    // One transaction: a reader never sees this node's sets half rewritten.
    const m = this.redis.multi().zadd(NODES, Date.now(), this.nodeId).pexpire(NODES, KEY_TTL_MS).del(workspaces);
    for (const g of groups) {
      const users = usersKey(this.nodeId, g.workspaceId);
      m.del(users).sadd(users, ...g.userIds).pexpire(users, KEY_TTL_MS);
    }
    if (groups.length > 0) m.sadd(workspaces, ...groups.map((g) => g.workspaceId)).pexpire(workspaces, KEY_TTL_MS);
    await m.exec();
    await this.sweep();
  }

  /** Other nodes found dead: their sets go, and the core hears whom they held. */
  private async sweep(): Promise<void> {
    const stamped = await this.redis.zrange(NODES, 0, -1, 'WITHSCORES');
    const beats = new Map<string, number>();
    for (let i = 0; i + 1 < stamped.length; i += 2) if (stamped[i] !== this.nodeId) beats.set(stamped[i]!, Number(stamped[i + 1]));
    if (beats.size === 0) return;
    const live = await this.cluster.liveNodes([...beats.keys()]);
    const staleBefore = Date.now() - STALE_MS;
    for (const [nodeId, at] of beats) {
      if (live.has(nodeId) && at >= staleBefore) continue;
      const workspaceIds = await this.redis.smembers(workspacesKey(nodeId));
      const held = await Promise.all(workspaceIds.map(async (workspaceId) => ({ workspaceId, userIds: await this.redis.smembers(usersKey(nodeId, workspaceId)) })));
      // Several nodes may sweep at once: the one whose ZREM takes the node out tells.
      if ((await this.redis.zrem(NODES, nodeId)) === 0) continue;
      await this.redis.del(workspacesKey(nodeId), ...workspaceIds.map((w) => usersKey(nodeId, w)));
      const lost = held.filter((g) => g.userIds.length > 0);
      if (lost.length > 0) for (const handler of this.lostHandlers) handler(lost);
    }
  }
}
