/**
 * Both database engines, each opened fresh for one test: SQLite in a temporary directory,
 * PostgreSQL as a new database (skipped, or failed under REQUIRE_SERVICES, when none runs).
 */
import type { TestContext } from 'node:test';
import { join } from 'node:path';
import { migrate, openDatabase, type DatabaseHandle } from '../../src/store/database.js';
import { Store } from '../../src/store/store.js';
import type { App } from '../../src/domain/ports/chat-store.js';
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

/**
 * The store tests' common start: a fresh database of `engine`, migrated, with one workspace and its
 * owner; undefined when the engine is not available.
 */
export async function storeWithOwner(
  engine: TestEngine,
  t: TestContext,
  o: { workspaceId: string; ownerId: string; now: number },
): Promise<{ handle: DatabaseHandle; store: Store; cleanup(): Promise<void> } | undefined> {
  const opened = await engine.open(t);
  if (!opened) return undefined;
  await migrate(opened.handle.db);
  const store = new Store(opened.handle.db, opened.handle.engine);
  await store.insertWorkspace({ id: o.workspaceId, name: 'W', locale: 'en', createdAt: o.now });
  await store.insertUser({ id: o.ownerId, workspaceId: o.workspaceId, email: 'owner@x.io', name: 'Owner', role: 'OWNER', passwordHash: null, now: o.now });
  return { ...opened, store };
}

/** An app record as the store keeps it, with placeholder sealed secrets (the store never opens them). */
export function appRecord(o: Pick<App, 'id' | 'workspaceId' | 'ownerId' | 'name' | 'manifest'> & { now: number } & Partial<App>): App {
  const { now, ...rest } = o;
  return {
    clientSecretSealed: 'c',
    appKeySealed: 'k',
    appKeyHash: 'kh',
    signingSecretSealed: 's',
    previousSigningSecretSealed: null,
    previousSigningUntil: null,
    published: false,
    builtin: null,
    createdAt: now,
    updatedAt: now,
    ...rest,
  };
}
