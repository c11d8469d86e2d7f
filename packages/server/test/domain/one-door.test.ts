/**
 * One transaction door (docs/architecture.md §4, issue #12 item 3): outside `store/`, the only code
 * that opens a transaction is `unitOfWork` in `domain/context.ts` (which `commit` uses). A second
 * door — a hand-made transaction in a worker, a Kysely `.transaction()` in a surface — is how the
 * SQLite deadlock of a single request came about, so this reads the source and names any new one.
 * The runtime half (inside a transaction only its handle reaches the database) is
 * test/store/transaction-guard.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const DOOR = 'domain/context.ts';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

// `.transaction(` opens one on a store or on Kysely; `sql\`BEGIN` or `.execute('BEGIN')` would by hand.
const OPENS_A_TRANSACTION = /\.transaction\s*\(|\bBEGIN\b(?!\s*\*)/;

test('outside store/, only domain/context.ts opens a transaction', () => {
  const doors: string[] = [];
  for (const file of sources(SRC)) {
    const rel = relative(SRC, file).split('\\').join('/');
    if (rel.startsWith('store/') || rel === DOOR) continue;
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        const code = line.replace(/\/\/.*$/, '').replace(/^\s*\*.*$/, '');
        if (OPENS_A_TRANSACTION.test(code)) doors.push(`${rel}:${i + 1}: ${line.trim()}`);
      });
  }
  assert.deepEqual(doors, [], 'use commit() or unitOfWork() from domain/context.ts');
});

test('the check sees a door when there is one', () => {
  assert.ok(OPENS_A_TRANSACTION.test('await this.store.transaction(async (tx) => {'));
  assert.ok(OPENS_A_TRANSACTION.test("await db.transaction().execute(async (trx) => {"));
  assert.ok(!OPENS_A_TRANSACTION.test('await unitOfWork(this.store, async (tx) => {'));
});
