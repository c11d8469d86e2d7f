/**
 * WORKERS=2 on SQLite without Redis: two worker processes behind one port behave as one server — as two
 * nodes do through Redis (two-node.test.ts) — through the primary that relays between them.
 *
 * The primary hands new connections to the workers strictly in turn (connection-balancer.ts), so requests made one after
 * the other on fresh connections alternate between them; killing one worker shows which sockets it held.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { Listener, http, login, tempDir, type Client } from '../support/helpers.js';
import { MAIN, TSX, spawnServer } from '../support/process.js';
import { SocketModeApp } from '../support/sdk-socket-app.js';

/** One request on a connection of its own (no keep-alive pool), so that consecutive calls reach the workers in turn. */
function fresh(baseUrl: string, method: string, path: string, opts: { body?: unknown; token?: string } = {}): Promise<{ status: number; body: any }> {
  const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  return new Promise((resolve, reject) => {
    const req = request(
      `${baseUrl}${path}`,
      {
        method,
        agent: false,
        headers: { ...(body !== undefined && { 'content-type': 'application/json' }), ...(opts.token && { authorization: `Bearer ${opts.token}` }) },
      },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
      },
    );
    req.once('error', reject);
    req.end(body);
  });
}

const post = (c: Client, path: string, body: unknown) => fresh(c.baseUrl, 'POST', path, { body, token: c.token });

/** The primary's children that run main.ts (not a passing esbuild that tsx starts to compile a file). */
function workerPids(primary: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(primary)], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.includes('main.ts'))
      .map((l) => Number(l.trim().split(/\s+/)[0]))
      .filter((n) => n > 0);
  } catch {
    return []; // ps exits 1 when there are none
  }
}

/** Established connections on `port` by the pid that holds them (ss). */
function connectionsByPid(port: string): Map<number, number> {
  const out = execFileSync('ss', ['-tnpH', 'state', 'established', `( sport = :${port} )`], { encoding: 'utf8' });
  const counts = new Map<number, number>();
  for (const m of out.matchAll(/pid=(\d+)/g)) counts.set(Number(m[1]), (counts.get(Number(m[1])) ?? 0) + 1);
  return counts;
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('WORKERS=2 on SQLite, no Redis: the workers behave as one server', { timeout: 180_000 }, async (t) => {
  const dir = tempDir();
  const server = await spawnServer(
    // SWITCHBOARD_TRANSACTION_GUARD off: as servers run outside tests (store/transaction-guard.ts).
    { WORKERS: '2', DATABASE_URL: `sqlite:${join(dir.path, 'w.db')}`, SWITCHBOARD_DATA_DIR: dir.path, SWITCHBOARD_ADMIN_EMAIL: 'owner@workers.example', SWITCHBOARD_ADMIN_PASSWORD: 'workers-password', SWITCHBOARD_TRANSACTION_GUARD: 'off' },
    { readyTimeoutMs: 60_000 },
  );
  const wsUrl = server.url.replace('http', 'ws') + '/v1/realtime';
  const listeners: Listener[] = [];
  const apps: SocketModeApp[] = [];
  try {
    // The banner once, when both listen; the workspace created once, by the primary.
    await until('the banner', () => (/Workers: +2 processes/.test(server.output()) ? true : undefined), 60_000);
    assert.equal(server.output().match(/Created workspace/g)?.length, 1, server.output());
    assert.equal(server.output().match(/Switchboard is running at/g)?.length, 1);
    assert.equal(workerPids(server.proc.pid!).length, 2, 'the primary forked two workers');

    const owner = await login(server.url, 'owner@workers.example', 'workers-password');
    const general = ((await owner.get('/v1/channels')).body as any[]).find((c) => c.channel.isMain).channel.id;

    await t.test('a message posted through either worker reaches every realtime client, on both workers', async () => {
      // Opened one after the other: two land on each worker.
      for (let i = 0; i < 4; i++) listeners.push(await Listener.connect(wsUrl, owner.token));
      for (let i = 0; i < 4; i++) {
        const posted = await post(owner, `/v1/channels/${general}/messages`, { text: `spread ${i}` });
        assert.equal(posted.status, 200);
        for (const l of listeners) assert.equal((await l.next((f) => f.type === 'message.created' && f.message.text === `spread ${i}`)).message.id, posted.body.id);
      }
      // Each notice once per client: no echo back through the primary.
      await new Promise((r) => setTimeout(r, 300));
      for (const l of listeners) assert.equal(l.frames.filter((f) => f.type === 'message.created' && f.message.text === 'spread 0').length, 1);
    });

    await t.test('a burst of connections is shared evenly: the primary hands them out strictly in turn', async () => {
      const port = new URL(server.url).port;
      const pids = workerPids(server.proc.pid!);
      const before = connectionsByPid(port);
      const burst = await Promise.all(
        Array.from({ length: 20 }, () => new Promise<Socket>((resolve, reject) => {
          const socket = connect(Number(port), '127.0.0.1', () => resolve(socket));
          socket.once('error', reject);
        })),
      );
      try {
        const added = await until('20 connections handed to the workers', () => {
          const now = connectionsByPid(port);
          const delta = pids.map((pid) => (now.get(pid) ?? 0) - (before.get(pid) ?? 0));
          return delta.reduce((a, b) => a + b, 0) === 20 ? delta : undefined;
        });
        assert.deepEqual(added, [10, 10]);
      } finally {
        for (const socket of burst) socket.destroy();
      }
    });

    await t.test('a rate limit counts the requests of both workers together', async () => {
      // Login lockout: 10 failures for one e-mail and address, then 429 — spread over both workers.
      const statuses: number[] = [];
      for (let i = 0; i < 11; i++) statuses.push((await fresh(server.url, 'POST', '/auth/login', { body: { email: 'nobody@workers.example', password: `wrong-${i}` } })).status);
      assert.deepEqual(statuses, [...Array(10).fill(401), 429]);
      // …and a third worker-turn sees the lockout too.
      assert.equal((await fresh(server.url, 'POST', '/auth/login', { body: { email: 'nobody@workers.example', password: 'wrong' } })).status, 429);
    });

    await t.test('presence sees people connected to either worker', async () => {
      const invited = [];
      for (let i = 0; i < 2; i++) {
        const email = `person${i}@workers.example`;
        const made = await owner.post('/v1/workspaceUsers', { email, name: `Person ${i}`, password: 'person-password-1', role: 'MEMBER' });
        assert.equal(made.status, 200, made.text);
        invited.push(await login(server.url, email, 'person-password-1'));
      }
      // One after the other: each person on another worker.
      for (const p of invited) listeners.push(await Listener.connect(wsUrl, p.token));
      for (let i = 0; i < 4; i++) {
        const seen = await fresh(server.url, 'GET', '/v1/presence', { token: owner.token });
        assert.equal(seen.status, 200);
        for (const p of invited) assert.ok(seen.body.online.includes(p.userId), `asked twice of each worker, both see ${p.userId}: ${JSON.stringify(seen.body)}`);
      }
    });

    await t.test('a socket-mode app connected to one worker gets events and triggers committed on the other', async () => {
      const devToken = (await owner.post('/auth/developer-token')).body.token;
      const base = `/workspaces/${owner.workspaceId}/workspaceUsers/${owner.userId}`;
      const created = await http(server.url, 'POST', `${base}/apps`, {
        headers: { authtoken: devToken },
        body: {
          name: 'workers_socket',
          displayName: 'Workers socket app',
          bot: false,
          socketMode: true,
          offlineMessage: 'offline',
          scopes: { botScopes: [], userScopes: ['messages:read'] },
          shortcuts: [],
          slashCommands: [{ command: '/across', description: 'across workers', usageHint: '/across' }],
          eventSubscriptions: { events: ['NEW_MESSAGE'] },
          redirectUrls: ['https://workers.example/redirect'],
        },
      });
      assert.equal(created.status, 200, JSON.stringify(created.body));
      const grant = await http(server.url, 'GET', `${base}/oauth2/grant?${new URLSearchParams({ clientId: created.body.id, scopes: 'messages:read' })}`, { headers: { authtoken: devToken } });
      assert.equal(grant.status, 200, grant.text);
      const app = new SocketModeApp(server.url, created.body.id, created.body.appKey, { reconnect: false });
      apps.push(app);
      app.answer = (f) => ({ ack: `answered ${f.payload.text}` });
      await app.connect();
      // Commands and posts one after the other on fresh connections: half go through the worker without the socket.
      for (let i = 0; i < 4; i++) {
        assert.equal((await post(owner, `/v1/channels/${general}/messages`, { text: `/across ${i}` })).status, 200);
        await listeners[0]!.next((f) => f.type === 'message.ephemeral' && f.message.text === `answered ${i}`, 10_000);
      }
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) ids.push((await post(owner, `/v1/channels/${general}/messages`, { text: `event ${i}` })).body.id);
      for (const id of ids) await app.next((f) => f.payload.messageType === 'PUMBLE_EVENT' && JSON.parse(f.payload.body).mId === id, 15_000);
      assert.ok(!listeners[0]!.frames.some((f) => f.type === 'message.ephemeral' && f.message.text === 'offline'), 'never offline while the socket is live');
      assert.deepEqual(app.crashes, []);
    });

    await t.test('a worker killed with SIGKILL is replaced; its clients reconnect; nothing else notices', async () => {
      const [victim, survivor] = workerPids(server.proc.pid!);
      process.kill(victim!, 'SIGKILL');
      // The sockets that worker held close (half of the owner's four); the others stay open.
      await until('the victim\'s sockets close', () => (listeners.slice(0, 4).filter((l) => l.closed).length === 2 ? true : undefined));
      await until('the primary notices', () => (server.output().includes(`worker ${victim} died (SIGKILL); starting another`) ? true : undefined));
      const replacement = await until('a new worker', () => {
        const pids = workerPids(server.proc.pid!);
        return pids.length === 2 && !pids.includes(victim!) ? pids.find((p) => p !== survivor) : undefined;
      });
      await until('the new worker listening', () => (server.output().includes(`worker ${replacement} is listening`) ? true : undefined), 60_000);
      // Clients reconnect (each lands on a worker in turn) and hear what is posted through either.
      for (let i = 0; i < 4; i++) if (listeners[i]!.closed) listeners[i] = await until('a reconnect', () => Listener.connect(wsUrl, owner.token).catch(() => undefined));
      for (let i = 0; i < 2; i++) {
        const posted = await post(owner, `/v1/channels/${general}/messages`, { text: `after ${i}` });
        assert.equal(posted.status, 200);
        for (const l of listeners.slice(0, 4)) await l.next((f) => f.type === 'message.created' && f.message.id === posted.body.id);
      }
    });

    await t.test('SIGTERM to one worker: it drains and is replaced, and no new connection is cut meanwhile', async () => {
      const [victim, survivor] = workerPids(server.proc.pid!);
      // New connections one after another (two at a time) all through the victim's stop and replacement.
      const outcomes: string[] = [];
      let running = true;
      const client = async () => {
        while (running) {
          outcomes.push(await fresh(server.url, 'GET', '/healthz').then((r) => String(r.status), (e: Error) => e.message));
        }
      };
      const clients = [client(), client()];
      try {
        await until('requests flowing', () => (outcomes.length >= 20 ? true : undefined));
        process.kill(victim!, 'SIGTERM');
        await until('the primary retires it', () => (server.output().includes(`worker ${victim} is stopping; new connections go to the others`) ? true : undefined));
        await until('it stops', () => (server.output().includes(`worker ${victim} stopped; starting another`) ? true : undefined));
        const replacement = await until('a new worker', () => {
          const pids = workerPids(server.proc.pid!);
          return pids.length === 2 && !pids.includes(victim!) ? pids.find((p) => p !== survivor) : undefined;
        });
        await until('the new worker listening', () => (server.output().includes(`worker ${replacement} is listening`) ? true : undefined), 60_000);
        const before = outcomes.length;
        await until('requests after the replacement', () => (outcomes.length >= before + 20 ? true : undefined));
      } finally {
        running = false;
        await Promise.all(clients);
      }
      const failed = outcomes.filter((o) => o !== '200');
      assert.deepEqual(failed, [], `${failed.length} of ${outcomes.length} requests failed`);
      // Its realtime clients were closed by the drain: they reconnect, as after any restart.
      for (let i = 0; i < 4; i++) if (listeners[i]!.closed) listeners[i] = await until('a reconnect', () => Listener.connect(wsUrl, owner.token).catch(() => undefined));
    });

    await t.test('SIGTERM to the primary stops every worker cleanly', async () => {
      const pids = workerPids(server.proc.pid!);
      assert.equal(pids.length, 2);
      for (const a of apps) await a.stop();
      for (const l of listeners) l.close();
      assert.equal(await server.stop('SIGTERM'), 0, server.output());
      for (const pid of pids) assert.throws(() => process.kill(pid, 0), 'the worker is gone');
    });
  } finally {
    for (const a of apps) await a.stop().catch(() => {});
    for (const l of listeners) l.close();
    await server.stop('SIGKILL');
    dir.remove();
  }
});

test('WORKERS=2 with PORT=0: the banner names the port the primary got, and it serves', { timeout: 90_000 }, async () => {
  const dir = tempDir();
  const proc = spawn(process.execPath, ['--import', TSX, MAIN], {
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: '0', WORKERS: '2', LOG_LEVEL: 'warn', DATABASE_URL: `sqlite:${join(dir.path, 'p.db')}`, SWITCHBOARD_DATA_DIR: dir.path },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  try {
    const port = await until('the banner', () => out.match(/listening on http:\/\/127\.0\.0\.1:(\d+)\)/)?.[1], 60_000);
    assert.notEqual(Number(port), 0, out);
    assert.match(out, new RegExp(`API docs: +http://localhost:${port}/docs`));
    assert.equal((await fetch(`http://127.0.0.1:${port}/readyz`)).status, 200);
  } finally {
    proc.kill('SIGTERM');
    assert.equal(await exited, 0, out);
    dir.remove();
  }
});
