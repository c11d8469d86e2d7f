/**
 * Node-to-node messages (docs/architecture.md §6): the notice bus tells every node about a change;
 * this link carries a message to one named node — socket mode forwards an event or a trigger to the
 * node holding the app's socket and gets the answer back (docs/delivery.md §2.7). Through Redis
 * (one channel per node, on the bus's connections) or, on a single node, nowhere: a message for
 * another node is not delivered and the sender treats the silence as a failure.
 *
 * `send` answers how many processes received the message (Redis PUBLISH's reply): 0 means nobody
 * listens on that node's channel — the node is gone (crashed, killed) even if its socket registry
 * rows still look live, so the sender need not wait for an answer (docs/delivery.md §2.7).
 */
import type { Redis } from 'ioredis';

export type ClusterHandler = (message: unknown) => void;

export interface ClusterLink {
  /** this process's id, as other nodes address it (stored in the app socket registry) */
  readonly nodeId: string;
  /** Sends a JSON-able message to one node; answers how many receivers got it (0: nobody is there). */
  send(nodeId: string, message: unknown): Promise<number>;
  onMessage(handler: ClusterHandler): void;
  /** Of these node ids, the ones a process still listens for (one round trip); on doubt, all of them. */
  liveNodes(nodeIds: readonly string[]): Promise<ReadonlySet<string>>;
}

/** One process: there is no other node to reach. */
export class LocalCluster implements ClusterLink {
  constructor(readonly nodeId: string) {}
  send(): Promise<number> {
    return Promise.resolve(0);
  }
  onMessage(): void {}
  /** One process: only this node is up (another id in the registry is an earlier run's). */
  liveNodes(nodeIds: readonly string[]): Promise<ReadonlySet<string>> {
    return Promise.resolve(new Set(nodeIds.filter((id) => id === this.nodeId)));
  }
}

export const NODE_CHANNEL_PREFIX = 'switchboard:node:';

/** Over Redis pub/sub: each node listens on its own channel. */
export class RedisCluster implements ClusterLink {
  private readonly handlers: ClusterHandler[] = [];

  constructor(
    readonly nodeId: string,
    private readonly pub: Redis,
    private readonly onError: (err: Error) => void,
  ) {}

  get channel(): string {
    return NODE_CHANNEL_PREFIX + this.nodeId;
  }

  async send(nodeId: string, message: unknown): Promise<number> {
    try {
      return await this.pub.publish(NODE_CHANNEL_PREFIX + nodeId, JSON.stringify(message));
    } catch (err) {
      // Redis unreachable: the node cannot be reached from here either.
      this.onError(err as Error);
      return 0;
    }
  }

  onMessage(handler: ClusterHandler): void {
    this.handlers.push(handler);
  }

  async liveNodes(nodeIds: readonly string[]): Promise<ReadonlySet<string>> {
    if (nodeIds.length === 0) return new Set();
    try {
      // PUBSUB NUMSUB answers [channel, subscribers, channel, subscribers, …].
      const reply = (await this.pub.call('PUBSUB', 'NUMSUB', ...nodeIds.map((id) => NODE_CHANNEL_PREFIX + id))) as (string | number)[];
      const live = new Set<string>();
      for (let i = 0; i + 1 < reply.length; i += 2) if (Number(reply[i + 1]) > 0) live.add(String(reply[i]).slice(NODE_CHANNEL_PREFIX.length));
      return live;
    } catch (err) {
      // Redis unreachable: no node can be judged dead from here.
      this.onError(err as Error);
      return new Set(nodeIds);
    }
  }

  /** A message on this node's channel (the bus's subscriber hands it over). */
  receive(payload: string): void {
    let message: unknown;
    try {
      message = JSON.parse(payload);
    } catch (err) {
      return this.onError(err as Error);
    }
    for (const h of this.handlers) {
      try {
        h(message);
      } catch (err) {
        this.onError(err as Error);
      }
    }
  }
}
