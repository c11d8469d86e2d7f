/**
 * SIGTERM while a socket-mode app is connected: the app socket's cleanup must not outlive the
 * database. It used to run after the store had closed and log, at level 50, "driver has already
 * been destroyed … removing a closed app socket from the registry failed; it goes stale".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { freshPostgresDatabase, http, login, needs, tempDir } from '../support/helpers.js';
import { spawnServer } from '../support/process.js';
import { SocketModeApp } from '../support/sdk-socket-app.js';

const EXAMPLE = JSON.parse(readFileSync(new URL('../support/fixtures/example-manifest.json', import.meta.url), 'utf8'));

/** The pino lines of the output at `level` or above. */
function linesAtLeast(output: string, level: number): string[] {
  return output.split('\n').filter((l) => {
    try {
      return (JSON.parse(l) as { level?: number }).level! >= level;
    } catch {
      return false;
    }
  });
}

/** Connects two socket-mode app sockets to a spawned server, sends SIGTERM, and checks the log and the registry. */
async function shutdownWithSockets(databaseUrl: string, registry: () => Promise<number>): Promise<void> {
  const apps: SocketModeApp[] = [];
  try {
    const sp = await spawnServer({ DATABASE_URL: databaseUrl, SWITCHBOARD_ADMIN_EMAIL: 'o@x.io', SWITCHBOARD_ADMIN_PASSWORD: 'password-123' });
    const owner = await login(sp.url, 'o@x.io', 'password-123');
    const devToken = (await owner.post('/auth/developer-token')).body.token as string;
    const created = await http(sp.url, 'POST', `/workspaces/${owner.workspaceId}/workspaceUsers/${owner.userId}/apps`, {
      headers: { authtoken: devToken },
      body: { ...EXAMPLE, name: 'socket_app', socketMode: true, shortcuts: [], slashCommands: [], blockInteraction: null, viewAction: { url: '' }, dynamicMenus: [], eventSubscriptions: { events: ['NEW_MESSAGE'] } },
    });
    assert.equal(created.status, 200, created.text);
    const app = created.body as { id: string; appKey: string };
    for (let i = 0; i < 2; i++) {
      const a = new SocketModeApp(sp.url, app.id, app.appKey, { reconnect: false });
      apps.push(a);
      await a.connect();
    }
    for (const end = Date.now() + 5000; (await registry()) < 2 && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20));
    assert.equal(await registry(), 2, 'both sockets are registered');

    const code = await sp.stop('SIGTERM');
    assert.equal(code, 0, sp.output());
    assert.deepEqual(linesAtLeast(sp.output(), 50), [], 'nothing at error level or above');
    assert.doesNotMatch(sp.output(), /has already been destroyed|goes stale/);
    assert.doesNotMatch(sp.output(), /missed its deadline/, "every shutdown step, the app sockets' cleanup too, ended in time");
    assert.equal(await registry(), 0, "this node's rows left the registry on shutdown");
  } finally {
    for (const a of apps) await a.stop();
  }
}

test('SIGTERM with app sockets connected (SQLite): no error is logged, and the registry is left empty', async () => {
  const dir = tempDir();
  const db = join(dir.path, 's.db');
  try {
    await shutdownWithSockets(`sqlite:${db}`, async () => {
      const read = new Database(db, { readonly: true });
      try {
        return (read.prepare('select count(*) as n from app_sockets').get() as { n: number }).n;
      } finally {
        read.close();
      }
    });
  } finally {
    dir.remove();
  }
});

test('SIGTERM with app sockets connected (PostgreSQL): the same', async (t) => {
  if (!(await needs(t, 'postgres'))) return;
  const pgdb = await freshPostgresDatabase();
  const pg = await import('pg');
  const client = new pg.default.Client({ connectionString: pgdb.url });
  let connected = false;
  try {
    await shutdownWithSockets(pgdb.url, async () => {
      if (!connected) {
        await client.connect();
        connected = true;
      }
      return Number((await client.query<{ n: string }>('select count(*) as n from app_sockets')).rows[0]!.n);
    });
  } finally {
    if (connected) await client.end();
    await pgdb.drop();
  }
});
