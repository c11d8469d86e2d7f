import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { migrate, openDatabase } from '../../src/store/database.js';
import { PreparedQuery } from '../../src/store/prepared.js';
import { freshPostgresDatabase, needs, tempDir } from '../support/helpers.js';

const byName = new PreparedQuery(2, (db, id: string, minCreated: number) =>
  db.selectFrom('workspaces').select(['id', 'name']).where('id', '=', id).where('created_at', '>=', minCreated).where('locale', '=', 'en'),
);

async function exercise(url: string) {
  const h = await openDatabase(url);
  await migrate(h.db);
  await h.db.insertInto('workspaces').values([
    { id: 'a', name: 'A', locale: 'en', created_at: 10 },
    { id: 'b', name: 'B', locale: 'en', created_at: 20 },
    { id: 'c', name: 'C', locale: 'fr', created_at: 30 },
  ]).execute();
  // the same compiled query, new values each time; the constant 'en' stays bound
  assert.deepEqual(await byName.execute(h.db, 'a', 0), [{ id: 'a', name: 'A' }]);
  assert.deepEqual(await byName.execute(h.db, 'b', 0), [{ id: 'b', name: 'B' }]);
  assert.deepEqual(await byName.execute(h.db, 'b', 21), []);
  assert.deepEqual(await byName.execute(h.db, 'c', 0), [], 'locale constant still applies');
  // inside a transaction it sees the transaction's own writes
  await h.db.transaction().execute(async (trx) => {
    await trx.insertInto('workspaces').values({ id: 'd', name: 'D', locale: 'en', created_at: 40 }).execute();
    assert.equal((await byName.executeTakeFirst(trx, 'd', 0))?.name, 'D');
  });
  await h.close();
}

test('a prepared query reruns with new values on SQLite and on PostgreSQL in one process', async (t) => {
  const dir = tempDir();
  try {
    await exercise(`sqlite:${join(dir.path, 'p.db')}`);
  } finally {
    dir.remove();
  }
  if (!(await needs(t, 'postgres'))) return;
  const pg = await freshPostgresDatabase();
  try {
    await exercise(pg.url);
  } finally {
    await pg.drop();
  }
});

test('a builder that ignores one of its parameters is refused at first use', async () => {
  const dir = tempDir();
  const h = await openDatabase(`sqlite:${join(dir.path, 'p.db')}`);
  await migrate(h.db);
  const sloppy = new PreparedQuery(2, (db, id: string, _unused: string) => db.selectFrom('workspaces').selectAll().where('id', '=', id));
  await assert.rejects(sloppy.execute(h.db, 'x', 'y'), /uses 1 of its 2 parameters/);
  await h.close();
  dir.remove();
});
