/**
 * Starting and stopping as an operator does: first start on an empty database, restarts,
 * configuration through the environment, SIGTERM, and what reaches the logs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { http, login, tempDir } from '../support/helpers.js';
import { PROCESS_OWNER, spawnServer, spawnWithOwner } from '../support/process.js';

test('first start on an empty database: workspace, owner with a generated password shown once, general channel', async () => {
  const dir = tempDir();
  try {
    // No DATABASE_URL: the default sqlite:./data/switchboard.db, relative to the working directory.
    const first = await spawnServer({}, { cwd: dir.path });
    const banner = first.output();
    assert.match(banner, new RegExp(`running at http://localhost:${new URL(first.url).port}`));
    assert.match(banner, /\/docs/);
    const password = /Owner password \(shown only this once\): (\S+)/.exec(banner)?.[1];
    assert.ok(password && password.length >= 16, 'a generated password is printed');
    assert.ok(existsSync(join(dir.path, 'data', 'switchboard.db')));
    const key = statSync(join(dir.path, 'data', 'server.key'));
    assert.equal(key.mode & 0o777, 0o600, 'the generated server key is readable by its owner only');

    const owner = await login(first.url, 'admin@localhost', password);
    const channels = (await owner.get('/v1/channels')).body as any[];
    assert.deepEqual(channels.map((c) => [c.channel.name, c.channel.channelType, c.channel.isMember]), [['general', 'PUBLIC', true]]);
    const me = (await owner.get(`/v1/workspaceUsers/${owner.userId}`)).body;
    assert.equal(me.workspaceRole, 'OWNER');
    const posted = await owner.post(`/v1/channels/${channels[0].channel.id}/messages`, { text: 'survives restarts' });
    assert.equal(posted.status, 200);
    assert.equal(await first.stop(), 0);

    // Second start: migrations are idempotent, nothing is created again, nothing is lost.
    const second = await spawnServer({}, { cwd: dir.path });
    assert.doesNotMatch(second.output(), /Created workspace|Owner password/);
    const again = await login(second.url, 'admin@localhost', password);
    const history = await again.get(`/v1/channels/${channels[0].channel.id}/messages`);
    assert.deepEqual(history.body.messages.map((m: any) => m.text), ['survives restarts']);
    assert.equal((await again.get('/v1/channels')).body.length, 1, 'no second general channel');
    assert.equal(await second.stop(), 0);
  } finally {
    dir.remove();
  }
});

test('the admin environment variables name the workspace and its owner; no password is printed', async () => {
  const dir = tempDir();
  try {
    const sp = await spawnServer({
      DATABASE_URL: `sqlite:${join(dir.path, 'custom', 'place.db')}`,
      SWITCHBOARD_ADMIN_EMAIL: 'Boss@Example.com',
      SWITCHBOARD_ADMIN_PASSWORD: 'chosen-password',
      SWITCHBOARD_WORKSPACE: 'Acme',
    });
    try {
      assert.match(sp.output(), /Created workspace "Acme" with owner boss@example.com/);
      assert.doesNotMatch(sp.output(), /chosen-password|Owner password/);
      assert.ok(existsSync(join(dir.path, 'custom', 'place.db')));
      const owner = await login(sp.url, 'boss@example.com', 'chosen-password');
      assert.equal((await owner.get('/v1/workspace')).body.name, 'Acme');
    } finally {
      await sp.stop();
    }
  } finally {
    dir.remove();
  }
});

// With WORKERS=2 the request reaches a worker on a connection the primary handed over, which Node's
// server.close() does not wait for by itself (server.ts counts them).
for (const workers of ['1', '2']) test(`SIGTERM lets an in-flight request finish, then the process exits cleanly (WORKERS=${workers})`, { timeout: 120_000 }, async () => {
  const dir = tempDir();
  try {
    const sp = await spawnServer(
      { DATABASE_URL: `sqlite:${join(dir.path, 'd.db')}`, SWITCHBOARD_ADMIN_EMAIL: 'o@x.io', SWITCHBOARD_ADMIN_PASSWORD: 'password-123', WORKERS: workers },
      { readyTimeoutMs: 60_000 },
    );
    const owner = await login(sp.url, 'o@x.io', 'password-123');
    const general = ((await owner.get('/v1/channels')).body as any[])[0].channel.id;
    const body = JSON.stringify({ text: 'sent across a shutdown' });
    const { port } = new URL(sp.url);

    // Send the headers and half the body, signal, then the rest: the request is in flight.
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise<void>((r) => socket.once('connect', () => r()));
    let response = '';
    socket.on('data', (d) => (response += d));
    const ended = new Promise<void>((r) => socket.once('close', () => r()));
    socket.write(
      `POST /v1/channels/${general}/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${owner.token}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n` +
        body.slice(0, 10),
    );
    await new Promise((r) => setTimeout(r, 200));
    const exit = sp.stop('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    socket.write(body.slice(10));
    await ended;
    assert.match(response, /^HTTP\/1.1 200/);
    assert.match(response, /sent across a shutdown/);
    assert.equal(await exit, 0);

    // ...and the answered message is durable.
    const again = await spawnServer({ DATABASE_URL: `sqlite:${join(dir.path, 'd.db')}` });
    const o2 = await login(again.url, 'o@x.io', 'password-123');
    const history = await o2.get(`/v1/channels/${general}/messages`);
    assert.deepEqual(history.body.messages.map((m: any) => m.text), ['sent across a shutdown']);
    await again.stop();
  } finally {
    dir.remove();
  }
});

test('logs carry request ids and never a token', async () => {
  // debug: a read answered 200 is logged there (docs/operations.md §10), with its URL redacted
  const { sp, owner, close } = await spawnWithOwner({ LOG_LEVEL: 'debug' });
  try {
    const r = await http(sp.url, 'GET', `/v1/channels?token=${owner.token}`, { headers: { authorization: `Bearer ${owner.token}`, 'x-request-id': 'trace-me-123' } });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('x-request-id'), 'trace-me-123');
    const ws = await import('ws');
    const sock = new ws.default(`${sp.url.replace('http', 'ws')}/v1/realtime?token=${owner.token}`);
    await new Promise((res) => sock.once('message', res));
    sock.close();
    await new Promise((res) => setTimeout(res, 200));
    const logs = sp.output();
    assert.ok(!logs.includes(owner.token), 'the session token never reaches the logs');
    assert.ok(!logs.includes(PROCESS_OWNER.password), 'nor the password');
    assert.match(logs, /token=\[redacted\]/);
    assert.match(logs, /"reqId":"trace-me-123"/);
  } finally {
    await close();
  }
});
