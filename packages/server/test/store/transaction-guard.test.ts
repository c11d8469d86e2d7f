/**
 * A transaction's work reaches the database only through the transaction's handle (issue #10,
 * item 1): a call through the outer store from inside it fails at once, on both engines, instead
 * of wedging SQLite's one connection. And the request that once wedged the server answers.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { migrate, openDatabase, type DatabaseHandle } from '../../src/store/database.js';
import { Store } from '../../src/store/store.js';
import { OutsideTransactionError, guardSetting, scopeGuard } from '../../src/store/transaction-guard.js';
import { createUser, freshPostgresDatabase, http, needs, startTestServer, tempDir, type TestServer } from '../support/helpers.js';

interface Engine {
  name: 'sqlite' | 'postgres';
  /** undefined when the engine is not reachable (and the test skipped) */
  database(t: import('node:test').TestContext): Promise<{ url: string; cleanup(): Promise<void> } | undefined>;
}

const engines: Engine[] = [
  {
    name: 'sqlite',
    async database() {
      const dir = tempDir();
      return { url: `sqlite:${join(dir.path, 'guard.db')}`, cleanup: async () => dir.remove() };
    },
  },
  {
    name: 'postgres',
    async database(t) {
      if (!(await needs(t, 'postgres'))) return undefined;
      const pg = await freshPostgresDatabase();
      return { url: pg.url, cleanup: () => pg.drop() };
    },
  },
];

/** Fails the test rather than hanging it: the bug this file keeps out is a wait that never ends. */
function withinDeadline<T>(work: Promise<T>, what: string, ms = 15_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

for (const engine of engines) {
  describe(`transaction guard on ${engine.name}`, () => {
    test('the outer store refuses work from inside an open transaction, at once; the transaction handle works', async (t) => {
      const database = await engine.database(t);
      if (!database) return;
      let handle: DatabaseHandle | undefined;
      try {
        handle = await openDatabase(database.url);
        await migrate(handle.db);
        const store = new Store(handle.db, handle.engine);
        const seen: unknown[] = [];
        const counted = await withinDeadline(
          store.transaction(async (tx) => {
            await store.countWorkspaces().catch((e: unknown) => seen.push(e));
            await store.transaction(async () => 0).catch((e: unknown) => seen.push(e));
            await store.deliveries.transaction(async () => 0).catch((e: unknown) => seen.push(e));
            return tx.countWorkspaces();
          }),
          'a transaction that misused the outer store',
        );
        assert.equal(counted, 0, 'the transaction handle itself answers');
        assert.equal(seen.length, 3, 'a query, a nested transaction and a delivery transaction through the outer store all fail');
        for (const e of seen) {
          assert.ok(e instanceof OutsideTransactionError, String(e));
          assert.match((e as Error).message, /outside the open transaction/);
        }
        // Joining through the transaction's own store is allowed: it runs inside the same transaction.
        assert.equal(await store.transaction((tx) => tx.transaction((inner) => inner.countWorkspaces())), 0);
        // Work a transaction started (a wake-up, a timer) may use the store once the transaction ended.
        let later: Promise<number> | undefined;
        await store.transaction(async () => {
          later = new Promise<number>((resolve, reject) => setTimeout(() => store.countWorkspaces().then(resolve, reject), 20));
        });
        assert.equal(await withinDeadline(later!, 'a query started after its transaction ended'), 0);
      } finally {
        await handle?.close();
        await database.cleanup();
      }
    });

    test('an admin deleting a key that is not theirs, or no key at all, gets an answer and the server keeps answering', async (t) => {
      const database = await engine.database(t);
      if (!database) return;
      let s: TestServer | undefined;
      try {
        s = await startTestServer({ databaseUrl: database.url });
        const alice = await createUser(s.owner, 'MEMBER', 'Alice');
        const appId = (await s.owner.get('/v1/appDirectory')).body.find((a: { builtin: boolean }) => a.builtin).id;
        assert.equal((await s.owner.post(`/v1/appDirectory/${appId}/install`)).status, 200);
        assert.equal((await alice.post(`/v1/appDirectory/${appId}/install`)).status, 200);
        const key = await alice.post('/v1/apiKeys', { name: 'alice-key' });
        assert.equal(key.status, 200, key.text);

        const missing = await withinDeadline(s.owner.delete('/v1/apiKeys/01JZZZZZZZZZZZZZZZZZZZZZZZ'), 'DELETE of no key');
        assert.equal(missing.status, 404, missing.text);
        const others = await withinDeadline(s.owner.delete(`/v1/apiKeys/${key.body.id}`), "DELETE of another person's key");
        assert.equal(others.status, 200, others.text);

        // Every later request that touches the database still answers, and the key is gone.
        assert.deepEqual((await withinDeadline(alice.get('/v1/apiKeys'), 'a later request')).body, []);
        const refused = await http(s.url, 'GET', '/addon/api-keys/myInfo', { headers: { ApiKey: key.body.key } });
        assert.equal(refused.status, 403);
        const ready = await withinDeadline(http(s.url, 'GET', '/readyz'), '/readyz');
        assert.equal(ready.status, 200, ready.text);
      } finally {
        await s?.close();
        await database.cleanup();
      }
    });
  });
}

describe('where the scope guard is off (a running server)', () => {
  test('it is on under node --test and with SWITCHBOARD_TRANSACTION_GUARD=on, off otherwise', () => {
    assert.equal(scopeGuard, true, 'these tests run with the guard');
    assert.equal(guardSetting(undefined, undefined), false);
    assert.equal(guardSetting(undefined, 'child-v8'), true);
    assert.equal(guardSetting('on', undefined), true);
    assert.equal(guardSetting('off', 'child'), false);
  });

  test('on SQLite the stall watch refuses both mistakes with OutsideTransactionError, and the store keeps answering', async () => {
    const dir = tempDir();
    try {
      const child = fileURLToPath(new URL('../support/fixtures/stall-watch-child.ts', import.meta.url));
      const env: NodeJS.ProcessEnv = { ...process.env, SWITCHBOARD_TRANSACTION_GUARD: 'off', SWITCHBOARD_STALL_MS: '200' };
      delete env.NODE_TEST_CONTEXT;
      const run = promisify(execFile)(process.execPath, ['--import', 'tsx', child, `sqlite:${join(dir.path, 'stall.db')}`], { env, timeout: 60_000 });
      const out = JSON.parse((await withinDeadline(run, 'the unguarded child', 60_000)).stdout.trim()) as { scopeGuard: boolean; seen: string[]; counted: number; after: number; outside: number };
      assert.equal(out.scopeGuard, false);
      assert.deepEqual(out.seen, ['OutsideTransactionError', 'OutsideTransactionError'], 'a query and a nested transaction through the outer store are refused once the transaction stalls on them');
      assert.deepEqual([out.counted, out.after, out.outside], [0, 0, 0], 'the transaction went on, and later work answers');
    } finally {
      dir.remove();
    }
  });

  test('on PostgreSQL the watched connections go back to the pool (its driver releases its own object), and nothing waits', async (t) => {
    if (!(await needs(t, 'postgres'))) return;
    const pg = await freshPostgresDatabase();
    try {
      const child = fileURLToPath(new URL('../support/fixtures/stall-watch-child.ts', import.meta.url));
      const env: NodeJS.ProcessEnv = { ...process.env, SWITCHBOARD_TRANSACTION_GUARD: 'off', SWITCHBOARD_STALL_MS: '200' };
      delete env.NODE_TEST_CONTEXT;
      const run = promisify(execFile)(process.execPath, ['--import', 'tsx', child, pg.url], { env, timeout: 60_000 });
      const out = JSON.parse((await withinDeadline(run, 'the unguarded child', 60_000)).stdout.trim()) as { scopeGuard: boolean; seen: string[]; counted: number; after: number; outside: number };
      assert.equal(out.scopeGuard, false);
      // PostgreSQL has a pool: the outer calls run on other connections (outside the transaction's snapshot).
      assert.deepEqual(out.seen, ['answered', 'answered']);
      assert.deepEqual([out.counted, out.after, out.outside], [0, 0, 0]);
    } finally {
      await pg.drop();
    }
  });
});
