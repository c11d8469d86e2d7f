/**
 * The admin command as an operator runs it: a child process on the server's database, after the
 * first start failed or while the server runs. The owner can never be locked out.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { OWNER, createUser, http, login, startTestServer, tempDir } from '../support/helpers.js';
import { MAIN, admin, assertOneLineRefusal, generatedPassword, run } from '../support/admin-process.js';
import { loadConfig } from '../../src/config.js';
import { startSwitchboard } from '../../src/server.js';
import { migrate, openDatabase } from '../../src/store/database.js';
import { Store } from '../../src/store/store.js';
import { createCore } from '../../src/domain/index.js';
import { LocalBus } from '../../src/realtime/bus.js';
import { newId } from '../../src/domain/ids.js';
import { MemoryRateLimiter } from '../../src/limits/rate-limiter.js';

test('the first start fails after creating the owner (port taken): reset-password lets the owner in', async () => {
  const dir = tempDir();
  const blocker = createServer();
  try {
    const port = await new Promise<number>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as { port: number }).port)));
    const databaseUrl = `sqlite:${join(dir.path, 'sb.db')}`;
    const failed = await run(MAIN, [], { DATABASE_URL: databaseUrl, HOST: '127.0.0.1', PORT: String(port) }, dir.path);
    assert.notEqual(failed.code, 0, 'the start fails');
    assert.match(failed.stderr + failed.stdout, /EADDRINUSE|already in use/);
    assert.doesNotMatch(failed.stdout, /Owner password/, 'the generated password was never shown');

    const reset = await admin(['reset-password', 'admin@localhost'], { DATABASE_URL: databaseUrl }, dir.path);
    assert.equal(reset.code, 0, reset.stderr);
    assert.equal(reset.stderr, '');
    const password = generatedPassword(reset);
    assert.ok(password.length >= 16);
    assert.match(reset.stdout, /admin@localhost \(owner of "Switchboard"\)/);

    // The next start, on the port now free: nothing is created again, the owner logs in.
    const sb = await startSwitchboard({ ...loadConfig({}), port: 0, host: '127.0.0.1', databaseUrl, dataDir: dir.path, logLevel: 'silent', admin: {} });
    try {
      assert.equal(sb.bootstrap, undefined);
      const owner = await login(sb.url, 'admin@localhost', password);
      assert.equal((await owner.get(`/v1/workspaceUsers/${owner.userId}`)).body.workspaceRole, 'OWNER');
    } finally {
      await sb.close();
    }
  } finally {
    blocker.close();
    dir.remove();
  }
});

test('while the server runs: the new password works, the old one and its sessions end; SWITCHBOARD_NEW_PASSWORD; unknown e-mail', async (t) => {
  const s = await startTestServer();
  const env = { DATABASE_URL: `sqlite:${s.sb.database.location}` };
  const cwd = dirname(s.sb.database.location);
  try {
    const member = await createUser(s.owner);
    // The server keeps writing to the same SQLite file meanwhile: the command waits its turn (WAL, busy_timeout).
    let writing = true;
    const writes = (async () => {
      const statuses: number[] = [];
      while (writing) statuses.push((await member.post(`/v1/channels/${s.generalId}/messages`, { text: `busy ${statuses.length}` })).status);
      return statuses;
    })();
    const reset = await admin(['reset-password', OWNER.email.toUpperCase()], env, cwd);
    writing = false;
    const statuses = await writes;
    assert.ok(statuses.length > 0, 'the server wrote while the command ran');
    // The server's own writes may fail meanwhile: see admin-cli-concurrency.test.ts (a todo).
    t.diagnostic(`server writes during the command: ${statuses.length}, failed: ${statuses.filter((st) => st !== 200).length}`);
    assert.equal(reset.code, 0, reset.stderr);
    const password = generatedPassword(reset);
    assert.match(reset.stdout, /Every session of that user has ended/);

    assert.equal((await s.owner.get('/v1/workspace')).status, 401, 'the old session ended');
    assert.equal((await member.get('/v1/workspace')).status, 200, "other people's sessions stay");
    assert.equal((await http(s.url, 'POST', '/auth/login', { body: OWNER })).status, 401, 'the old password is refused');
    const after = await login(s.url, OWNER.email, password);

    const chosen = await admin(['reset-password', OWNER.email], { ...env, SWITCHBOARD_NEW_PASSWORD: 'chosen-by-operator' }, cwd);
    assert.equal(chosen.code, 0, chosen.stderr);
    assert.doesNotMatch(chosen.stdout, /chosen-by-operator/, 'a password the operator chose is not printed');
    assert.match(chosen.stdout, /set from SWITCHBOARD_NEW_PASSWORD/);
    assert.equal((await after.get('/v1/workspace')).status, 401);
    await login(s.url, OWNER.email, 'chosen-by-operator');

    assertOneLineRefusal(await admin(['reset-password', OWNER.email], { ...env, SWITCHBOARD_NEW_PASSWORD: 'short' }, cwd), 1, /SWITCHBOARD_NEW_PASSWORD must be at least 8 characters/);
    assertOneLineRefusal(await admin(['reset-password', 'nobody@example.com'], env, cwd), 1, /^admin: No user has the e-mail address nobody@example\.com\n$/);
    await login(s.url, OWNER.email, 'chosen-by-operator');
  } finally {
    await s.close();
  }
});

test('refusals: a missing database (none is created), bad usage; --help', async () => {
  const dir = tempDir();
  const env = { DATABASE_URL: `sqlite:${join(dir.path, 'sb.db')}` };
  try {
    assertOneLineRefusal(await admin(['reset-password', 'owner@example.com'], env, dir.path), 1, /no database at .*sb\.db; run this where the server runs/);
    assert.equal(existsSync(join(dir.path, 'sb.db')), false, 'no empty database was left behind');
    assertOneLineRefusal(await admin(['reset-password', 'owner@example.com'], { DATABASE_URL: 'sqlite::memory:' }, dir.path), 1, /only the server process/);
    assertOneLineRefusal(await admin(['reset-password', 'owner@example.com', 'more'], env, dir.path), 2, /one e-mail address/);
    assertOneLineRefusal(await admin(['rename-everything'], env, dir.path), 2, /unknown command "rename-everything"/);

    const help = await admin(['--help'], {}, dir.path);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: /);
    assert.match(help.stdout, /reset-password <email> \[--workspace <id-or-name>\]/);
    assert.match(help.stdout, /SWITCHBOARD_NEW_PASSWORD/);
    const bare = await admin([], {}, dir.path);
    assert.equal(bare.code, 2);
    assert.match(bare.stderr, /^Usage: /);
  } finally {
    dir.remove();
  }
});

test('an e-mail in several workspaces: refused without --workspace, which picks by id or name', async () => {
  const dir = tempDir();
  const url = `sqlite:${join(dir.path, 'sb.db')}`;
  const db = await openDatabase(url);
  let second: string;
  let first: string;
  try {
    await migrate(db.db);
    const store = new Store(db.db, db.engine);
    const core = createCore(store, new LocalBus(), { limiter: new MemoryRateLimiter() });
    const boot = (await core.accounts.bootstrap({ email: 'both@example.com', password: 'first-password-1', workspaceName: 'First' }))!;
    first = boot.workspace.id;
    // Only tooling makes a second workspace today; the command must still say which account it means.
    second = newId();
    await store.insertWorkspace({ id: second, name: 'Second', locale: 'en', createdAt: Date.now() });
    await store.insertUser({ id: newId(), workspaceId: second, email: 'both@example.com', name: 'both', role: 'OWNER', passwordHash: null, now: Date.now() });
  } finally {
    await db.close();
  }
  try {
    const env = { DATABASE_URL: url };
    const ambiguous = await admin(['reset-password', 'both@example.com'], env, dir.path);
    assertOneLineRefusal(ambiguous, 1, /2 workspaces: .*"First".*"Second".* with --workspace$/m);
    assert.ok(ambiguous.stderr.includes(first) && ambiguous.stderr.includes(second), 'both workspace ids are listed');

    const byName = await admin(['reset-password', 'both@example.com', '--workspace', 'Second'], env, dir.path);
    assert.equal(byName.code, 0, byName.stderr);
    assert.match(byName.stdout, /owner of "Second"/);
    const byId = await admin(['reset-password', 'both@example.com', '-w', first], { ...env, SWITCHBOARD_NEW_PASSWORD: 'first-password-2' }, dir.path);
    assert.equal(byId.code, 0, byId.stderr);

    const check = await openDatabase(url);
    try {
      const core = createCore(new Store(check.db, check.engine), new LocalBus(), { limiter: new MemoryRateLimiter() });
      assert.equal((await core.accounts.login('both@example.com', generatedPassword(byName), second)).user.workspaceId, second);
      assert.equal((await core.accounts.login('both@example.com', 'first-password-2', first)).user.workspaceId, first);
    } finally {
      await check.close();
    }
  } finally {
    dir.remove();
  }
});
