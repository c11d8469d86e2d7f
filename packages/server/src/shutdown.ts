import type { FastifyBaseLogger } from 'fastify';

/**
 * Shutdown must always end (README, "SIGTERM"): a hung delivery, a lease in flight, a stuck
 * transaction or a client that never acknowledges a close must not keep the process alive. Each
 * step gets a deadline; a step that misses it is logged and left behind (what it held is safe:
 * leases run out and are reclaimed, uncommitted transactions roll back), and shutdown goes on.
 */
export async function boundedStep(log: Pick<FastifyBaseLogger, 'warn'>, name: string, ms: number, step: () => Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const missed = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(ms, 0));
  });
  const done = step().then(
    () => true as const,
    (err: unknown) => {
      log.warn({ err, step: name }, 'shutdown step failed; going on');
      return true as const;
    },
  );
  const finished = await Promise.race([done, missed]);
  clearTimeout(timer);
  if (!finished) log.warn({ step: name, deadlineMs: ms }, 'shutdown step missed its deadline; going on without it');
  return finished;
}
