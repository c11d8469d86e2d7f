/**
 * WalCheckpointer (store/wal-checkpointer.ts): once a database is busy, its WAL is checkpointed by
 * a second connection on a worker thread, the writer's own threshold only a safety valve; nothing
 * is lost, and small databases never start a thread.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { WalCheckpointer } from '../../src/store/wal-checkpointer.js';
import { tempDir } from '../support/helpers.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('a busy database is checkpointed on another thread, without losing a row', async (t) => {
  const dir = tempDir();
  t.after(() => dir.remove());
  const file = join(dir.path, 'busy.db');
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.exec('create table t (x blob)');
  let commits = 0;
  const checkpointer = new WalCheckpointer(file, (pages) => sqlite.pragma(`wal_autocheckpoint = ${pages}`), () => commits, { startAfterCommits: 20, everyCommits: 10, tickMs: 2, fallbackPages: 5000 });
  try {
    const insert = sqlite.prepare('insert into t values (?)');
    for (let i = 0; i < 10; i++) {
      insert.run(randomBytes(2000));
      commits++;
    }
    await sleep(20);
    assert.equal(checkpointer.running, false, 'a quiet database keeps SQLite’s own checkpoints');
    assert.equal(sqlite.pragma('wal_autocheckpoint', { simple: true }), 1000);

    for (let i = 0; i < 400; i++) {
      insert.run(randomBytes(2000));
      commits++;
      if (i % 20 === 0) await sleep(3);
    }
    const deadline = Date.now() + 10_000;
    while (checkpointer.checkpoints === 0 && Date.now() < deadline) await sleep(5);
    assert.ok(checkpointer.checkpoints > 0, 'the worker checkpointed');
    assert.equal(sqlite.pragma('wal_autocheckpoint', { simple: true }), 5000, 'the writer’s threshold is only a safety valve now');
    const [busy, frames, copied] = Object.values(checkpointer.lastAnswer as Record<string, number>);
    assert.equal(busy, 0, JSON.stringify(checkpointer.lastAnswer));
    assert.ok(frames! > 0 && copied! > 0, JSON.stringify(checkpointer.lastAnswer));
  } finally {
    await checkpointer.close();
  }
  assert.equal(sqlite.prepare('select count(*) from t').pluck().get(), 410);
  sqlite.close();
  const reopened = new Database(file, { readonly: true });
  assert.equal(reopened.prepare('select count(*) from t').pluck().get(), 410, 'every row is in the file');
  reopened.close();
});
