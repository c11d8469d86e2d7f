/**
 * Shutdown always ends (issue #10, item 4): whatever is in flight — a delivery the app never
 * answers, a transaction that never ends — SIGTERM stops the process, each step within its
 * deadline. And `npm start` hands signals to the server itself, builds only when stale, and
 * leaves no orphan on the port.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { http, login, startTestServer, tempDir } from '../support/helpers.js';
import { freePort, spawnServer } from '../support/process.js';
import { ReceivingApp } from '../support/app-receiver.js';
import { subscribeApp } from '../support/event-app.js';

const ROOT = new URL('../../../../', import.meta.url).pathname;

/** Rejects instead of hanging: what these tests keep out is a wait that never ends. */
function guard<T>(work: Promise<T>, what: string, ms = 60_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: still waiting after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

test('SIGTERM ends the process by itself while a delivery hangs in flight at the app', async () => {
  const dir = tempDir();
  const app = new ReceivingApp();
  await app.start();
  app.answer = () => 'hang';
  try {
    const sp = await spawnServer({
      DATABASE_URL: `sqlite:${join(dir.path, 's.db')}`,
      SWITCHBOARD_ADMIN_EMAIL: 'o@x.io',
      SWITCHBOARD_ADMIN_PASSWORD: 'password-123',
      SWITCHBOARD_OUTBOUND_ALLOW_LOOPBACK: 'true',
      SHUTDOWN_TIMEOUT_MS: '500',
    });
    const owner = await login(sp.url, 'o@x.io', 'password-123');
    await subscribeApp(sp.url, owner, app);
    const general = ((await owner.get('/v1/channels')).body as any[])[0].channel.id;
    const posted = (await owner.post(`/v1/channels/${general}/messages`, { text: 'never acknowledged' })).body;
    await app.next((r) => r.envelope.eventType === 'NEW_MESSAGE' && JSON.parse(r.envelope.body).mId === posted.id, 10_000);
    // The app holds that request open (the attempt's own timeout is 15 s); the process must not wait for it.
    const code = await sp.stop('SIGTERM');
    assert.equal(code, 0, `exited by itself, not killed:\n${sp.output()}`);
    assert.match(sp.output(), /"step":"delivery queue"[^\n]*missed its deadline/, 'the delivery queue step was left behind, not waited for');
  } finally {
    await app.stop();
    dir.remove();
  }
});

test('close() ends although a transaction never does: every step has a deadline', async () => {
  const s = await startTestServer({ shutdownTimeoutMs: 300 });
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let holding!: () => void;
  const holds = new Promise<void>((r) => (holding = r));
  // Holds SQLite's one connection: the workers' next round, and the database itself, wait behind it.
  const wedge = s.sb.database.db
    .transaction()
    .execute(async () => {
      holding();
      await held;
    })
    .catch(() => undefined);
  await holds;
  await new Promise((r) => setTimeout(r, 1200)); // the workers' polls are now queued behind it
  await guard(s.close(), 'close() with a stuck transaction');
  // Every worker's loop was told to stop, the housekeeping one too (workers/housekeeping.ts): none
  // starts a round against the closed database.
  assert.ok(s.sb.housekeeping.isStopped, 'the housekeeping worker stopped');
  release();
  await wedge;
});

/** The processes whose parent is `pid`. */
function children(pid: number): Array<{ pid: number; cmd: string }> {
  let out = '';
  try {
    out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(pid)], { encoding: 'utf8' });
  } catch {
    return []; // ps exits 1 when there are none
  }
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => ({ pid: Number(l.split(/\s+/)[0]), cmd: l.slice(l.indexOf(' ') + 1) }));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function npmStart(env: NodeJS.ProcessEnv, port: number) {
  const proc = spawn('npm', ['start'], { cwd: ROOT, env: { ...process.env, WORKERS: '1', ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`npm start exited with ${proc.exitCode}:\n${out}`);
    const ready = await fetch(`${url}/readyz`).then((r) => r.status === 200, () => false);
    if (ready) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return { proc, url, exited, output: () => out };
}

test('npm start: signals reach the server, which drains and exits; no orphan keeps the port; no rebuild when nothing changed', { timeout: 240_000 }, async () => {
  const dir = tempDir();
  try {
    const env = { DATABASE_URL: `sqlite:${join(dir.path, 'n.db')}`, SWITCHBOARD_ADMIN_EMAIL: 'o@x.io', SWITCHBOARD_ADMIN_PASSWORD: 'password-123' };
    const port = await freePort();
    const first = await guard(npmStart(env, port), 'npm start', 110_000);
    // npm's child is the server itself (the script execs node; no shell in between).
    const [server] = children(first.proc.pid!);
    assert.ok(server, 'npm start runs the server as its child');
    assert.match(server.cmd, /node .*scripts\/launch\.mjs main/);
    assert.deepEqual(children(server.pid), [], 'the server runs in that process, not in a grandchild');
    assert.equal((await login(first.url, 'o@x.io', 'password-123')).workspaceId.length > 0, true);

    first.proc.kill('SIGTERM'); // to npm alone, as a process manager or a terminal would
    assert.equal(await guard(first.exited, 'npm after SIGTERM'), 0, first.output());
    assert.equal(alive(server.pid), false, 'the server process is gone');
    const refused = await new Promise<string>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve('connected')));
      socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
    });
    assert.equal(refused, 'ECONNREFUSED', 'nothing listens on the port any more');

    // A second start with nothing changed runs the existing build.
    const second = await guard(npmStart(env, port), 'npm start again', 60_000);
    assert.doesNotMatch(second.output(), /Building the server/);
    assert.equal((await http(second.url, 'GET', '/healthz')).status, 200);
    second.proc.kill('SIGINT');
    assert.equal(await guard(second.exited, 'npm after SIGINT'), 0, second.output());
  } finally {
    dir.remove();
  }
});
