/**
 * The admin command with the services a multi-node deployment uses: Redis (live connections close
 * on every node) and PostgreSQL (the command on a database a server made).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import { Listener, OWNER, REDIS_URL, freshPostgresDatabase, login, needs, startTestServer } from '../support/helpers.js';
import { admin, assertOneLineRefusal, generatedPassword } from '../support/admin-process.js';

test('with Redis: the live connections of the person close on every node at once', async (t) => {
  if (!(await needs(t, 'redis'))) return;
  const s = await startTestServer({ redisUrl: REDIS_URL });
  try {
    const live = await Listener.connect(s.wsUrl, s.owner.token);
    const env = { DATABASE_URL: `sqlite:${s.sb.database.location}`, REDIS_URL };
    const reset = await admin(['reset-password', OWNER.email], env, dirname(s.sb.database.location));
    assert.equal(reset.code, 0, reset.stderr);
    assert.equal((await live.closedWith()).code, 4001);
  } finally {
    await s.close();
  }
});

test('with REDIS_URL unreachable: the password is reset all the same, with a note', async () => {
  const s = await startTestServer();
  try {
    const env = { DATABASE_URL: `sqlite:${s.sb.database.location}`, REDIS_URL: 'redis://127.0.0.1:1' };
    const reset = await admin(['reset-password', OWNER.email], env, dirname(s.sb.database.location));
    assert.equal(reset.code, 0, reset.stderr);
    assert.match(reset.stderr, /^admin: note: Redis \(REDIS_URL\) is unreachable/);
    await login(s.url, OWNER.email, generatedPassword(reset));
  } finally {
    await s.close();
  }
});

test('PostgreSQL: reset-password on a database a server made, sessions end', async (t) => {
  if (!(await needs(t, 'postgres'))) return;
  const pg = await freshPostgresDatabase();
  try {
    const s = await startTestServer({ databaseUrl: pg.url });
    try {
      const reset = await admin(['reset-password', OWNER.email], { DATABASE_URL: pg.url }, process.cwd());
      assert.equal(reset.code, 0, reset.stderr);
      assert.equal((await s.owner.get('/v1/workspace')).status, 401);
      await login(s.url, OWNER.email, generatedPassword(reset));
      assertOneLineRefusal(await admin(['reset-password', 'nobody@example.com'], { DATABASE_URL: pg.url }, process.cwd()), 1, /No user has the e-mail address/);
    } finally {
      await s.close();
    }
  } finally {
    await pg.drop();
  }
});
