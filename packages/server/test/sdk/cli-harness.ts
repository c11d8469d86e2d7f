/**
 * The `switchboard` CLI as a subprocess, for the SDK tests: run a command to its end, or keep one
 * running (`dev`) and wait for lines of its output. Sources through tsx and the
 * `switchboard-source` condition, as a checkout without a build runs them.
 */
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Listener, startTestServer, tempDir, type TestServer } from '../support/helpers.js';

export const CLI = fileURLToPath(new URL('../../../cli/src/main.ts', import.meta.url));
export const SDK_DIR = fileURLToPath(new URL('../../../sdk', import.meta.url));
export const EXAMPLES = fileURLToPath(new URL('../../../../examples', import.meta.url));
const TSX = import.meta.resolve('tsx');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function cliEnv(home: string, rc: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    SWITCHBOARD_CONFIG: rc,
    SWITCHBOARD_LOG_LEVEL: 'info',
    NODE_OPTIONS: `--conditions=switchboard-source --import ${TSX}`,
    ...extra,
  };
}

export function harness(home: string, rc: string) {
  const env = (extra?: NodeJS.ProcessEnv) => cliEnv(home, rc, extra);
  return {
    run(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<CliRun> {
      return new Promise((resolve) => {
        const p = spawn(process.execPath, [CLI, ...args], { cwd: opts.cwd ?? home, env: env(opts.env), stdio: ['pipe', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        p.stdout.on('data', (d) => (stdout += d));
        p.stderr.on('data', (d) => (stderr += d));
        p.stdin.end(opts.input ?? '');
        p.on('exit', (code) => resolve({ code, stdout, stderr }));
      });
    },
    live(args: string[], cwd: string, extraEnv?: NodeJS.ProcessEnv) {
      const p: ChildProcess = spawn(process.execPath, [CLI, ...args], { cwd, env: env(extraEnv), stdio: ['pipe', 'pipe', 'pipe'] });
      let output = '';
      p.stdout!.on('data', (d) => (output += d));
      p.stderr!.on('data', (d) => (output += d));
      return {
        proc: p,
        output: () => output,
        write: (s: string) => p.stdin!.write(s),
        async waitFor(match: RegExp, ms = 20_000, from = 0): Promise<RegExpExecArray> {
          for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) {
            const m = match.exec(output.slice(from));
            if (m) return m;
            if (p.exitCode !== null) break;
          }
          assert.fail(`no ${match} in the output:\n${output}`);
        },
        stop: () => new Promise<void>((r) => (p.exitCode !== null || p.signalCode !== null ? r() : (p.once('exit', () => r()), p.kill('SIGTERM')))),
      };
    },
  };
}

/** A copy of examples/<name> in `dir`, with @switchboard/sdk linked as `switchboard init` links it. */
export function copyExample(name: string, dir: string): string {
  const target = join(dir, name);
  cpSync(join(EXAMPLES, name), target, { recursive: true, filter: (src) => !/[\\/](node_modules|\.switchboard)([\\/]|$)/.test(src) });
  mkdirSync(join(target, 'node_modules', '@switchboard'), { recursive: true });
  symlinkSync(SDK_DIR, join(target, 'node_modules', '@switchboard', 'sdk'), 'junction');
  return target;
}

/**
 * What the CLI tests that run apps share: a test server, its owner listening on /v1/realtime, and
 * the CLI logged in to it with the owner's developer token, in a temporary home (hooks registered
 * here; read `server` and `person` inside tests).
 */
export function loggedInCli(prefix: string) {
  const dir = tempDir(prefix);
  const cli = harness(dir.path, join(dir.path, 'switchboardrc'));
  let server: TestServer | undefined;
  let person: Listener | undefined;
  before(async () => {
    server = await startTestServer();
    person = await Listener.connect(server.wsUrl, server.owner.token);
    const token = (await server.owner.post('/auth/developer-token')).body.token;
    const login = await cli.run(['login', '--url', server.url, '--token', token]);
    assert.equal(login.code, 0, login.stderr);
  });
  after(async () => {
    person?.close();
    await server?.close();
    dir.remove();
  });
  return {
    dir,
    cli,
    get server(): TestServer {
      assert.ok(server, 'the test server starts in before()');
      return server;
    },
    get person(): Listener {
      assert.ok(person, 'the listener connects in before()');
      return person;
    },
  };
}
