import cluster, { type Worker } from 'node:cluster';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { loadConfig, type Config } from './config.js';
import type { Bootstrap } from './domain/accounts.js';
import { IpcRelay } from './realtime/ipc-relay.js';
import { ConnectionBalancer, type HandedConnection, type RetireMe, type Retired } from './connection-balancer.js';
import { WorkerLink } from './realtime/ipc.js';
import { SHUTDOWN_STEP_MS, prepareDatabase, startSwitchboard, type StartOptions, type Switchboard } from './server.js';
import { startupFailure } from './startup-errors.js';

/**
 * One process serves (WORKERS=1), or a primary forks WORKERS workers that all listen on PORT
 * (node:cluster spreads the connections) and share the database; without REDIS_URL the primary
 * relays notices, node messages, rate limits and presence between them (realtime/ipc.ts), with
 * REDIS_URL each worker is simply a node (docs/operations.md, "Every core: WORKERS").
 */

/** What a worker tells the primary once it listens (beside realtime/ipc.ts's messages, which carry `sb`). */
interface Listening {
  main: 'listening';
  url: string;
  publicUrl: string;
}

function fail(err: unknown): never {
  // A configuration mistake (busy port, bad LOG_LEVEL, unreadable data directory…) ends with one
  // clear line; only a failure we do not recognise prints its stack.
  const line = startupFailure(err);
  process.stderr.write(line ? `switchboard: ${line}\n` : `switchboard: could not start\n${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
}

function printBanner(
  config: Config,
  at: { url: string; publicUrl: string; database: { engine: string; location: string }; bootstrap: Bootstrap | undefined },
): void {
  const lines = [
    '',
    `  Switchboard is running at ${at.publicUrl}  (listening on ${at.url})`,
    `  API docs:  ${at.publicUrl}/docs`,
    `  Data:      ${at.database.engine} ${at.database.location}${config.redisUrl ? '  ·  realtime across nodes through Redis' : ''}`,
  ];
  if (config.workers > 1) lines.push(`  Workers:   ${config.workers} processes share this port (WORKERS)`);
  if (at.bootstrap) {
    lines.push(`  Created workspace "${at.bootstrap.workspace.name}" with owner ${at.bootstrap.owner.email}`);
    if (at.bootstrap.generatedPassword) {
      lines.push(`  Owner password (shown only this once): ${at.bootstrap.generatedPassword}`);
      lines.push(`  Lost it? npm run admin -- reset-password ${at.bootstrap.owner.email}`);
    }
  }
  if (config.host === '127.0.0.1' || config.host === 'localhost') lines.push('  Only this machine can connect; set HOST=0.0.0.0 to serve your network.');
  process.stdout.write(lines.join('\n') + '\n\n');
}

/** The last resort: whatever a shutdown step waits on, a process ends a little after the drain's own deadline and the steps' (SHUTDOWN_STEP_MS). */
const forcedExitAfterMs = (config: Config) => config.shutdownTimeoutMs + 8 * SHUTDOWN_STEP_MS;

/**
 * One serving process, alone or a worker: starts, then stops cleanly on a signal. (A worker whose
 * primary is gone — killed — exits at once: node:cluster ends it when the channel closes, so no
 * orphan keeps the port.)
 */
async function serve(config: Config, opts: StartOptions): Promise<Switchboard> {
  let sb: Switchboard;
  try {
    sb = await startSwitchboard(config, opts);
  } catch (err) {
    fail(err);
  }
  let stopping = false;
  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    sb.app.log.info({ signal: why }, 'shutting down: draining requests');
    setTimeout(() => {
      sb.app.log.error({ afterMs: forcedExitAfterMs(config) }, 'shutdown did not finish in time; exiting anyway');
      process.exit(1);
    }, forcedExitAfterMs(config)).unref();
    if (opts.worker) await retired();
    sb.close().then(
      () => process.exit(0),
      (err) => {
        sb.app.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => void stop(signal));
  return sb;
}

/**
 * A worker about to drain: the primary hands it no more connections once it has answered (RetireMe),
 * and every one handed before the answer has arrived. Without a primary to answer (it is stopping
 * all of them, or gone), a short wait, then the drain anyway.
 */
function retired(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      process.off('message', onMessage);
      resolve();
    };
    const onMessage = (m: unknown) => {
      if ((m as Partial<Retired>)?.main === 'retired') done();
    };
    const timer = setTimeout(done, 1_000);
    process.on('message', onMessage);
    try {
      process.send?.({ main: 'retire-me' } satisfies RetireMe, undefined, undefined, (err: Error | null) => err && done());
    } catch {
      done();
    }
  });
}

/** The primary: prepares the database once, forks the workers, replaces one that dies, stops them all on a signal. */
async function runPrimary(config: Config): Promise<void> {
  const log = (line: string) => process.stderr.write(`switchboard: ${line}\n`);
  let prepared: Awaited<ReturnType<typeof prepareDatabase>>;
  try {
    prepared = await prepareDatabase(config);
  } catch (err) {
    fail(err);
  }
  // With REDIS_URL the workers are nodes of Redis's bus; the relay still hands out the write turn on SQLite.
  const relay = new IpcRelay((err) => log(`worker channel: ${err.message}`));
  // The primary listens and hands each connection to the next worker (connection-balancer.ts).
  const balancer = new ConnectionBalancer((err) => log(`listening socket: ${err.message}`));
  try {
    await balancer.listen(config.port, config.host);
  } catch (err) {
    fail(err);
  }
  const live = new Set<Worker>();
  const listening = new Map<Worker, Listening>();
  const forkedAt = new Map<Worker, number>();
  /** workers that asked to be retired (RetireMe): their exit is a stop, not a death */
  const retiring = new Set<Worker>();
  let started = false;
  let stopping = false;
  let failed = false;

  const fork = () => {
    // The port the primary got (PORT=0 picks one): the workers' URLs name it, not 0.
    const worker = cluster.fork({ PORT: String(balancer.port) });
    live.add(worker);
    forkedAt.set(worker, Date.now());
    relay.attach(worker);
    worker.on('message', (m: unknown) => {
      if ((m as Partial<RetireMe>)?.main === 'retire-me') {
        // SIGTERM to this worker alone: new connections go to the others; it is replaced once it exits.
        balancer.retire(worker);
        retiring.add(worker);
        if (!stopping) log(`worker ${worker.process.pid} is stopping; new connections go to the others`);
        if (worker.isConnected()) worker.send({ main: 'retired' } satisfies Retired);
        return;
      }
      if ((m as Partial<Listening>)?.main !== 'listening') return;
      listening.set(worker, m as Listening);
      balancer.add(worker);
      if (started) return log(`worker ${worker.process.pid} is listening`);
      if (listening.size < config.workers) return;
      started = true;
      const first = m as Listening;
      printBanner(config, { url: first.url, publicUrl: first.publicUrl, ...prepared });
    });
  };

  const stopAll = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    balancer.close();
    // Between a worker's death and its replacement there may be none left to wait for.
    if (live.size === 0) process.exit(failed ? 1 : 0);
    for (const worker of live) worker.process.kill(signal);
    // Each worker keeps its own deadlines; the primary waits a little longer, then ends what is left.
    setTimeout(() => {
      log(`workers did not stop in time; ending them`);
      for (const worker of live) worker.process.kill('SIGKILL');
      process.exit(1);
    }, forcedExitAfterMs(config) + 2 * SHUTDOWN_STEP_MS).unref();
  };

  cluster.on('exit', (worker, code, signal) => {
    live.delete(worker);
    const wasListening = listening.delete(worker);
    balancer.remove(worker);
    relay.detach(worker);
    if (stopping) {
      // One still starting has no handler yet: the signal ends it, and nothing was lost.
      if (code !== 0 && (wasListening || signal !== 'SIGTERM')) {
        failed = true;
        log(`worker ${worker.process.pid} stopped with ${signal ?? `exit ${code}`}`);
      }
      if (live.size === 0) process.exit(failed ? 1 : 0);
      return;
    }
    if (!started) {
      // A worker that cannot start (its own line says why): the others would not either.
      log(`a worker could not start (exit ${signal ?? code}); stopping`);
      failed = true;
      stopAll('SIGTERM');
      if (live.size === 0) process.exit(1);
      return;
    }
    const retired = retiring.delete(worker);
    log(retired && code === 0 ? `worker ${worker.process.pid} stopped; starting another` : `worker ${worker.process.pid} died (${signal ?? `exit ${code}`}); starting another`);
    // One that dies right after starting is not restarted in a tight loop.
    const age = Date.now() - (forkedAt.get(worker) ?? 0);
    forkedAt.delete(worker);
    setTimeout(() => {
      if (!stopping) fork();
    }, age < 5_000 ? 1_000 : 0);
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => stopAll('SIGTERM'));
  // Workers run this very module (not whatever launched the primary: scripts/launch.mjs builds, they need not).
  cluster.setupPrimary({ exec: fileURLToPath(import.meta.url), args: [] });
  for (let i = 0; i < config.workers; i++) fork();
}

let config: Config;
try {
  config = loadConfig();
} catch (err) {
  fail(err);
}

if (config.workers === 1) {
  const sb = await serve(config, {});
  printBanner(config, { url: sb.url, publicUrl: sb.publicUrl, database: sb.database, bootstrap: sb.bootstrap });
} else if (cluster.isPrimary) {
  await runPrimary(config);
} else {
  const sb = await serve(config, { worker: new WorkerLink() });
  // Connections come from the primary (connection-balancer.ts), paused until read here.
  process.on('message', (m: unknown, handle: unknown) => {
    if ((m as Partial<HandedConnection>)?.main !== 'connection' || !(handle instanceof net.Socket)) return;
    sb.adoptConnection(handle);
  });
  process.send?.({ main: 'listening', url: sb.url, publicUrl: sb.publicUrl } satisfies Listening);
}
