#!/usr/bin/env node
// The `switchboard` command. Runs the built CLI (npm run build). In a Switchboard checkout without a
// build — right after `npm ci` — it runs the sources instead, through tsx (a dev dependency of the
// checkout), and so does the app `switchboard dev` starts: NODE_OPTIONS carries tsx and the SDK's
// `switchboard-source` export condition to it. So the README's five-minute path needs no build step.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const main = new URL('../dist/main.js', import.meta.url);
let run;
if (existsSync(main)) {
  ({ run } = await import(main.href));
} else if (process.env.SWITCHBOARD_CLI_FROM_SOURCE === '1') {
  ({ run } = await import(new URL('../src/main.ts', import.meta.url).href));
} else {
  let tsx;
  try {
    tsx = import.meta.resolve('tsx');
  } catch {
    console.error('error: the CLI is not built\n  → run `npm run build` in the Switchboard checkout (or `npm run build -w @switchboard/cli`)');
    process.exit(1);
  }
  const options = [process.env.NODE_OPTIONS, '--conditions=switchboard-source', `--import=${tsx}`].filter(Boolean).join(' ');
  const child = spawnSync(process.execPath, process.argv.slice(1), { stdio: 'inherit', env: { ...process.env, NODE_OPTIONS: options, SWITCHBOARD_CLI_FROM_SOURCE: '1' } });
  process.exit(child.status ?? 1);
}
process.exitCode = await run(process.argv.slice(2));
