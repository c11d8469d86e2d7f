import { loadConfig } from './config.js';
import { startSwitchboard } from './server.js';

const config = loadConfig();
const sb = await startSwitchboard(config);

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
  }
}
if (config.host === '127.0.0.1' || config.host === 'localhost') lines.push('  Only this machine can connect; set HOST=0.0.0.0 to serve your network.');
process.stdout.write(lines.join('\n') + '\n\n');

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    sb.app.log.info({ signal }, 'shutting down: draining requests');
    sb.close().then(
      () => process.exit(0),
      (err) => {
        sb.app.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
