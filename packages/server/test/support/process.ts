/** Switchboard as a real child process, started the way `npm start` starts it (but from source). */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { login, tempDir, type Client } from './helpers.js';

export const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
// Resolved here, not by the child: the child may run in another working directory.
export const TSX = import.meta.resolve('tsx');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

export interface ServerProcess {
  proc: ChildProcess;
  url: string;
  /** everything the process wrote so far, stdout and stderr */
  output(): string;
  /** sends the signal and resolves with the exit code */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function spawnServer(env: NodeJS.ProcessEnv, opts: { cwd?: string; readyTimeoutMs?: number } = {}): Promise<ServerProcess> {
  const port = await freePort();
  const proc = spawn(process.execPath, ['--import', TSX, MAIN], {
    cwd: opts.cwd ?? process.cwd(),
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', WORKERS: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 30_000);
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode}:\n${out}`);
    try {
      const r = await fetch(`${url}/readyz`);
      if (r.status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`server not ready in time:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    proc,
    url,
    output: () => out,
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode === null) proc.kill(signal);
      const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** The owner a server process makes on an empty database (SWITCHBOARD_ADMIN_*). */
export const PROCESS_OWNER = { email: 'o@x.io', password: 'password-123' };

/**
 * A server process on a fresh SQLite file in a folder of its own, PROCESS_OWNER made at start and
 * signed in; `env` adds to or overrides that. `close()` stops it (if it still runs) and removes the folder.
 */
export async function spawnWithOwner(env: NodeJS.ProcessEnv = {}): Promise<{ sp: ServerProcess; owner: Client; close(): Promise<void> }> {
  const dir = tempDir();
  let sp: ServerProcess | undefined;
  const close = async () => {
    await sp?.stop().catch(() => undefined);
    dir.remove();
  };
  try {
    sp = await spawnServer({
      DATABASE_URL: `sqlite:${dir.path}/d.db`,
      SWITCHBOARD_DATA_DIR: dir.path,
      SWITCHBOARD_ADMIN_EMAIL: PROCESS_OWNER.email,
      SWITCHBOARD_ADMIN_PASSWORD: PROCESS_OWNER.password,
      ...env,
    });
    return { sp, owner: await login(sp.url, PROCESS_OWNER.email, PROCESS_OWNER.password), close };
  } catch (err) {
    await close();
    throw err;
  }
}
