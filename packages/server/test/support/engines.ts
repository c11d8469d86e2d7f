/**
 * Both database engines, each opened fresh for one test: SQLite in a temporary directory,
 * PostgreSQL as a new database (skipped, or failed under REQUIRE_SERVICES, when none runs).
 */
import type { TestContext } from 'node:test';
import { join } from 'node:path';
import { openDatabase, type DatabaseHandle } from '../../src/store/database.js';
import { freshPostgresDatabase, needs, tempDir } from './helpers.js';

export interface TestEngine {
  name: 'sqlite' | 'postgres';
  /** a fresh, unmigrated database; undefined when this engine is not available */
  open(t: TestContext): Promise<{ handle: DatabaseHandle; cleanup(): Promise<void> } | undefined>;
}

export const engines: TestEngine[] = [
  {
    name: 'sqlite',
    async open() {
      const dir = tempDir();
      const handle = await openDatabase(`sqlite:${join(dir.path, 'test.db')}`);
      return { handle, cleanup: async () => (await handle.close(), dir.remove()) };
    },
  },
  {
    name: 'postgres',
    async open(t) {
      if (!(await needs(t, 'postgres'))) return undefined;
      const pg = await freshPostgresDatabase();
      const handle = await openDatabase(pg.url);
      return { handle, cleanup: async () => (await handle.close(), await pg.drop()) };
    },
  },
];
