import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Notice, NoticeSink } from '../domain/events.js';
import { LocalCluster, RedisCluster, type ClusterLink } from './cluster.js';

export type NoticeHandler = (notices: readonly Notice[]) => void;

/** Carries committed notices to every node's realtime hub. */
export interface NoticeBus extends NoticeSink {
  subscribe(handler: NoticeHandler): void;
  /** The node-to-node link beside the bus (realtime/cluster.ts), on the same connections. */
  cluster(): ClusterLink;
  close(): Promise<void>;
}

/** One process: notices go straight to the local subscribers. */
export class LocalBus implements NoticeBus {
  private readonly handlers: NoticeHandler[] = [];
  private readonly link = new LocalCluster(randomBytes(8).toString('hex'));
  cluster(): ClusterLink {
    return this.link;
  }
  publish(notices: readonly Notice[]): void {
    for (const h of this.handlers) h(notices);
  }
  subscribe(handler: NoticeHandler): void {
    this.handlers.push(handler);
  }
  async close(): Promise<void> {}
}

const CHANNEL = 'switchboard:notices';

/**
 * Several nodes: each delivers its own notices locally at once (no round trip through Redis)
 * and publishes them for the others, which skip what they sent themselves.
 */
export class RedisBus implements NoticeBus {
  private readonly local = new LocalBus();
  private readonly nodeId = randomBytes(8).toString('hex');
  private readonly link: RedisCluster;

  private constructor(
    private readonly pub: Redis,
    private readonly sub: Redis,
    private readonly onError: (err: Error) => void,
  ) {
    this.link = new RedisCluster(this.nodeId, pub, onError);
  }

  static async connect(url: string, onError: (err: Error) => void): Promise<RedisBus> {
    const { Redis } = await import('ioredis');
    const opts = { lazyConnect: true, maxRetriesPerRequest: 3 };
    const pub = new Redis(url, opts);
    const sub = new Redis(url, opts);
    pub.on('error', onError);
    sub.on('error', onError);
    await Promise.all([pub.connect(), sub.connect()]);
    const bus = new RedisBus(pub, sub, onError);
    // The node's own channel too, before anyone can learn its id (the socket registry): no message lost.
    await sub.subscribe(CHANNEL, bus.link.channel);
    sub.on('message', (channel: string, payload: string) => {
      if (channel === CHANNEL) bus.receive(payload);
      else if (channel === bus.link.channel) bus.link.receive(payload);
    });
    return bus;
  }

  /** This node's channel; its id is the bus's (the one that skips its own echoes). */
  cluster(): ClusterLink {
    return this.link;
  }

  publish(notices: readonly Notice[]): void {
    this.local.publish(notices);
    this.pub.publish(CHANNEL, JSON.stringify({ from: this.nodeId, notices })).catch(this.onError);
  }

  subscribe(handler: NoticeHandler): void {
    this.local.subscribe(handler);
  }

  private receive(payload: string): void {
    try {
      const { from, notices } = JSON.parse(payload) as { from: string; notices: Notice[] };
      if (from !== this.nodeId) this.local.publish(notices);
    } catch (err) {
      this.onError(err as Error);
    }
  }

  /** The publishing connection, shared with other Redis users (rate limits). */
  get client(): Redis {
    return this.pub;
  }

  async ping(): Promise<void> {
    await this.pub.ping();
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.sub.quit(), this.pub.quit()]);
  }
}
