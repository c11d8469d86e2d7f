#!/usr/bin/env node
// The `switchboard` command. Runs the built CLI (npm run build). In a Switchboard checkout without a
// build — right after `npm ci` — it runs the sources instead, through tsx (a dev dependency of the
// checkout), and so does the app `switchboard dev` starts: NODE_OPTIONS carries tsx and the SDK's
// `switchboard-source` export condition to it. So the README's five-minute path needs no build step.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

const main = new URL('../dist/main.js', import.meta.url);
if (existsSync(main)) {
  const { run } = await import(main.href);
  process.exitCode = await run(process.argv.slice(2));
} else if (process.env.SWITCHBOARD_CLI_FROM_SOURCE === '1') {
  const { run } = await import(new URL('../src/main.ts', import.meta.url).href);
  process.exitCode = await run(process.argv.slice(2));
} else {
  let tsx;
  try {
    tsx = import.meta.resolve('tsx');
  } catch {
    console.error('error: the CLI is not built\n  → run `npm run build` in the Switchboard checkout (or `npm run build -w @switchboard/cli`)');
    process.exit(1);
  }
  const options = [process.env.NODE_OPTIONS, '--conditions=switchboard-source', `--import=${tsx}`].filter(Boolean).join(' ');
  const child = spawn(process.execPath, process.argv.slice(1), { stdio: 'inherit', env: { ...process.env, NODE_OPTIONS: options, SWITCHBOARD_CLI_FROM_SOURCE: '1' } });
  // Ctrl-C in a terminal reaches both processes (one process group), but `kill <pid>` reaches only
  // this one: each signal is passed on, so that the CLI (and the app `dev` runs) stops with it.
  // The CLI ends as it does on the signal, and this process ends as the CLI did.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    } else process.exit(code ?? 1);
  });
}
