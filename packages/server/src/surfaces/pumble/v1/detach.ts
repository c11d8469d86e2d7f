import type { FastifyBaseLogger } from 'fastify';

/**
 * A trigger's app answer arrives over the realtime socket after the route has answered: a failure
 * then (the store refusing the settlement's commit, the server shutting down) is only logged — left
 * unhandled, the rejection would end the process.
 */
export function detach(settled: Promise<void>, log: FastifyBaseLogger, what: string): void {
  settled.catch((err: unknown) => log.error({ err }, `${what} failed`));
}
