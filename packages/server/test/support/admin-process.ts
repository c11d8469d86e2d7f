/** The admin command (packages/server/src/admin.ts) as a child process, as an operator runs it. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ADMIN = fileURLToPath(new URL('../../src/admin.ts', import.meta.url));
export const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
// Resolved here, not by the child: the child runs in another working directory.
const TSX = import.meta.resolve('tsx');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A TypeScript entry point (main.ts, admin.ts) as a child process, with only the environment given (and PATH). */
export function run(script: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', TSX, script, ...args], {
      cwd,
      env: { PATH: process.env.PATH, LOG_LEVEL: 'warn', WORKERS: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d) => (stdout += d));
    proc.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => proc.kill('SIGKILL'), 60_000);
    proc.once('error', reject);
    proc.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export const admin = (args: string[], env: NodeJS.ProcessEnv, cwd: string) => run(ADMIN, args, env, cwd);

export function generatedPassword(r: Run): string {
  const password = /shown only this once: (\S+)$/m.exec(r.stdout)?.[1];
  assert.ok(password, `a password is printed: ${r.stdout}${r.stderr}`);
  return password;
}

/** One line on stderr, nothing on stdout, no stack trace. */
export function assertOneLineRefusal(r: Run, code: number, pattern: RegExp): void {
  assert.equal(r.code, code, `exit ${code}: ${r.stdout}${r.stderr}`);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr.split('\n').filter(Boolean).length, 1, `one line: ${r.stderr}`);
  assert.match(r.stderr, pattern);
  assert.doesNotMatch(r.stderr, /\bat [\w.<>]+ \(|node_modules|\.ts:\d+/, 'no stack trace');
}
