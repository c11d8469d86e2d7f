/**
 * Limits shared by the workers of one machine (WORKERS > 1 without Redis; docs/operations.md): the
 * primary process holds the one MemoryRateLimiter and each worker asks it, so a limit counts every
 * worker's requests together, as RedisRateLimiter does across nodes. The channel to the primary is
 * given (realtime/ipc.ts carries it); this file only says what is asked and how it is answered.
 */
import type { BucketTake, RateLimiter, TokenBucket, Window } from '../domain/ports/rate-limiter.js';

/** One question to the primary's limiter: a method of RateLimiter and its arguments. */
export type LimitRequest =
  | { op: 'hit'; key: string; windowMs: number }
  | { op: 'peek'; key: string }
  | { op: 'reset'; key: string }
  | { op: 'take'; key: string; bucket: TokenBucket };

/** A worker's limiter: every call is one round trip to the primary. */
export class IpcRateLimiter implements RateLimiter {
  constructor(private readonly ask: (request: LimitRequest) => Promise<unknown>) {}

  async hit(key: string, windowMs: number): Promise<Window> {
    return (await this.ask({ op: 'hit', key, windowMs })) as Window;
  }
  async peek(key: string): Promise<Window> {
    return (await this.ask({ op: 'peek', key })) as Window;
  }
  async reset(key: string): Promise<void> {
    await this.ask({ op: 'reset', key });
  }
  async take(key: string, bucket: TokenBucket): Promise<BucketTake> {
    return (await this.ask({ op: 'take', key, bucket })) as BucketTake;
  }
}

/** The primary's side: a worker's question answered by the one limiter. */
export function answerLimit(limiter: RateLimiter, request: LimitRequest): Promise<unknown> {
  switch (request.op) {
    case 'hit':
      return limiter.hit(request.key, request.windowMs);
    case 'peek':
      return limiter.peek(request.key);
    case 'reset':
      return limiter.reset(request.key);
    case 'take':
      return limiter.take(request.key, request.bucket);
  }
}
