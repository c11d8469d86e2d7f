import { loadConfig, type Config } from './config.js';
import { SHUTDOWN_STEP_MS, startSwitchboard, type Switchboard } from './server.js';
import { startupFailure } from './startup-errors.js';

let config: Config;
let sb: Switchboard;
try {
  config = loadConfig();
  sb = await startSwitchboard(config);
} catch (err) {
  // A configuration mistake (busy port, bad LOG_LEVEL, unreadable data directory…) ends with one
  // clear line; only a failure we do not recognise prints its stack.
  const line = startupFailure(err);
  process.stderr.write(line ? `switchboard: ${line}\n` : `switchboard: could not start\n${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
}

const lines = [
  '',
  `  Switchboard is running at ${sb.publicUrl}  (listening on ${sb.url})`,
  `  API docs:  ${sb.publicUrl}/docs`,
  `  Data:      ${sb.database.engine} ${sb.database.location}${config.redisUrl ? '  ·  realtime across nodes through Redis' : ''}`,
];
if (sb.bootstrap) {
  lines.push(`  Created workspace "${sb.bootstrap.workspace.name}" with owner ${sb.bootstrap.owner.email}`);
  if (sb.bootstrap.generatedPassword) {
    lines.push(`  Owner password (shown only this once): ${sb.bootstrap.generatedPassword}`);
    lines.push(`  Lost it? npm run admin -- reset-password ${sb.bootstrap.owner.email}`);
  }
}
if (config.host === '127.0.0.1' || config.host === 'localhost') lines.push('  Only this machine can connect; set HOST=0.0.0.0 to serve your network.');
process.stdout.write(lines.join('\n') + '\n\n');

// The last resort: whatever a shutdown step waits on, the process ends a little after the drain's
// own deadline and the steps' (see SHUTDOWN_STEP_MS in server.ts).
const FORCED_EXIT_AFTER_MS = config.shutdownTimeoutMs + 8 * SHUTDOWN_STEP_MS;

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    sb.app.log.info({ signal }, 'shutting down: draining requests');
    setTimeout(() => {
      sb.app.log.error({ afterMs: FORCED_EXIT_AFTER_MS }, 'shutdown did not finish in time; exiting anyway');
      process.exit(1);
    }, FORCED_EXIT_AFTER_MS).unref();
    sb.close().then(
      () => process.exit(0),
      (err) => {
        sb.app.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
