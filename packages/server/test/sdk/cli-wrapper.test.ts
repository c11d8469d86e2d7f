/**
 * bin/switchboard.js in a checkout without a build runs the CLI's sources in a child process: a
 * signal sent to the command's process id (`kill <pid>`, as a process manager or a script stops
 * it) must stop that child too, not leave it running on its own (found trying `switchboard dev`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../support/helpers.js';

const BIN = fileURLToPath(new URL('../../../cli/bin/switchboard.js', import.meta.url));
const BUILT = existsSync(fileURLToPath(new URL('../../../cli/dist/main.js', import.meta.url)));

/** The ids of the processes whose parent is `pid` (from /proc). */
function childrenOf(pid: number): number[] {
  const ids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // pid (comm) state ppid …: comm may hold spaces, so read after its closing parenthesis.
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) ids.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return ids;
}

const alive = (pid: number) => existsSync(`/proc/${pid}`) && !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));

async function until(check: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) if (check()) return true;
  return check();
}

for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
  test(`${signal} to the switchboard command stops the CLI it runs from source`, { skip: BUILT && 'packages/cli is built: the command runs the CLI in its own process' }, async () => {
    // A server that takes `login --email`'s request for a code and never answers: the CLI waits on
    // it (not on its input, which the command's end would close, and the CLI end with it).
    let asked = false;
    const waiting = new Set<import('node:http').ServerResponse>();
    const server = createServer((req, res) => {
      asked = true;
      req.resume();
      waiting.add(res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const home = tempDir('sb-cli-wrap-');
    const { SWITCHBOARD_CLI_FROM_SOURCE: _, ...env } = process.env;
    const wrapper = spawn(process.execPath, [BIN, 'login', '--url', url, '--email', 'dev@example.com'], {
      env: { ...env, HOME: home.path, SWITCHBOARD_CONFIG: `${home.path}/rc.json`, NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let cli: number | undefined;
    wrapper.stdout!.on('data', (d) => (output += d));
    wrapper.stderr!.on('data', (d) => (output += d));
    try {
      assert.ok(await until(() => asked, 30_000), `the CLI did not ask for a code:\n${output}`);
      [cli] = childrenOf(wrapper.pid!);
      assert.ok(cli, 'the command runs the CLI as its child');
      const exited = new Promise<{ code: number | null; signal: string | null }>((r) => wrapper.once('exit', (code, sig) => r({ code, signal: sig })));
      wrapper.kill(signal);
      const how = await exited;
      assert.ok(how.signal === signal || how.code !== 0, `the command ended as the CLI did: ${JSON.stringify(how)}`);
      const child = cli!;
      assert.ok(await until(() => !alive(child), 5_000), `the CLI (pid ${child}) still runs after the command got ${signal}`);
    } finally {
      wrapper.kill('SIGKILL');
      // Left running on its own (the bug): its parent is gone, so it is found by its id.
      if (cli !== undefined && alive(cli)) process.kill(cli, 'SIGKILL');
      for (const res of waiting) res.destroy();
      server.close();
      home.remove();
    }
  });
}
