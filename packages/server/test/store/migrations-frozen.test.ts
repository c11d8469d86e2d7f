/**
 * Frozen migrations (#12 item 6): every migration is its own file under store/migrations/, written
 * against Kysely<any> and importing nothing of the application, so changing the application never
 * rewrites history. Their recorded names are history too: a renamed one would run again.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { Migrator, type Kysely } from 'kysely';
import { migrate } from '../../src/store/database.js';
import { migrationProvider } from '../../src/store/migrations/index.js';
import { engines } from '../support/engines.js';

const DIR = fileURLToPath(new URL('../../src/store/migrations/', import.meta.url));

/**
 * The names recorded in kysely_migration, in order. Frozen: only ever append (a new migration);
 * never rename, reorder or remove one.
 */
const FROZEN_NAMES = [
  '0001_chat_core',
  '0002_outbox',
  '0003_apps',
  '0004_installations',
  '0005_ephemeral',
  '0006_deliveries',
  '0007_signing_grace',
  '0008_api_keys',
  '0009_scheduled_messages',
  '0010_user_groups',
  '0011_integrations',
  '0012_tooling_login',
  '0013_delivery_notices',
  '0014_replies_sent_to_channel',
  '0015_messages_posted_text',
  '0016_interactive_apps',
  '0017_app_sockets',
  '0018_message_search',
  '0019_files',
  '0020_read_markers',
  '0021_pins_and_saved',
  '0022_notification_levels',
  '0023_link_previews',
  '0025_avatars_retention',
  '0026_installations_by_workspace',
  '0027_search_automerge',
  '0028_write_generations',
  '0029_search_deferred',
  '0030_deliveries_due_order',
];

/** The tables 0001–0013 create (later migrations may add more). */
const TABLES = [
  'addon_bot_messages',
  'api_key_audit',
  'api_keys',
  'app_authorizations',
  'app_installations',
  'app_tokens',
  'apps',
  'channel_members',
  'channels',
  'deliveries',
  'delivery_attempts',
  'delivery_endpoints',
  'delivery_notices',
  'domain_events',
  'ephemeral_messages',
  'integration_history',
  'integrations',
  'messages',
  'oauth_codes',
  'reactions',
  'role_permissions',
  'scheduled_messages',
  'sessions',
  'tooling_exchange_tokens',
  'tooling_leads',
  'user_group_members',
  'user_groups',
  'workspace_users',
  'workspaces',
];

const MIGRATION_FILE = /^(\d{4})-[a-z0-9-]+\.ts$/;

/** Every module a source file names: static and dynamic imports, re-exports, require(). */
function specifiers(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName);
}

/** The rule broken by one file's imports, if any; `index` may (and only it may) import the migration files. */
function importViolations(file: string, source: string, migrationFiles: string[]): string[] {
  const out: string[] = [];
  for (const spec of specifiers(source)) {
    if (spec === 'kysely' || spec.startsWith('node:')) continue;
    if (file === 'index.ts' && spec.startsWith('./') && migrationFiles.includes(spec.slice(2).replace(/\.js$/, '.ts'))) continue;
    out.push(`${file} imports ${JSON.stringify(spec)}`);
  }
  // A computed import()/require() names no literal module: nothing could check it.
  if (/\bimport\s*\(\s*[^'"\s]/.test(source) || /\brequire\s*\(\s*[^'"\s]/.test(source)) out.push(`${file} has a computed import()/require()`);
  return out;
}

describe('frozen migrations: the files', () => {
  const files = readdirSync(DIR).sort();
  const migrationFiles = files.filter((f) => MIGRATION_FILE.test(f));

  test('the folder holds index.ts and NNNN-what-it-does.ts files only', () => {
    assert.ok(files.includes('index.ts'), 'store/migrations/index.ts exists');
    assert.deepEqual(
      files.filter((f) => f !== 'index.ts' && !MIGRATION_FILE.test(f)),
      [],
      'every other file is a migration named NNNN-what-it-does.ts',
    );
    assert.equal(migrationFiles.length, FROZEN_NAMES.length, 'one file per migration');
  });

  test('the import check catches what it must', () => {
    const known = ['0001-chat-core.ts'];
    assert.deepEqual(importViolations('0001-chat-core.ts', "import type { Kysely } from 'kysely';\nimport { x } from 'node:crypto';", known), []);
    assert.deepEqual(importViolations('index.ts', "import * as m from './0001-chat-core.js';", known), []);
    assert.equal(importViolations('0002-x.ts', "import { usernameBase } from '../integration-tables.js';", known).length, 1);
    assert.equal(importViolations('0002-x.ts', "import * as m from './0001-chat-core.js';", known).length, 1, 'migrations do not import each other');
    assert.equal(importViolations('0002-x.ts', "export { up } from './0001-chat-core.js';", known).length, 1);
    assert.equal(importViolations('0002-x.ts', "import 'kysely-extra';", known).length, 1);
    assert.equal(importViolations('0002-x.ts', "import { randomUUID } from 'crypto';", known).length, 1, 'built-ins only as node:');
    assert.equal(importViolations('0002-x.ts', "const m = await import('../ids.js');", known).length, 1);
    assert.equal(importViolations('0002-x.ts', 'const m = await import(path);', known).length, 1);
    assert.equal(importViolations('index.ts', "import { newId } from '../../core/ids.js';", known).length, 1);
    assert.equal(importViolations('index.ts', "import * as m from './9999-missing.js';", known).length, 1);
  });

  test("every file imports only 'kysely' and node: built-ins (index.ts also the migration files)", () => {
    const violations = files.flatMap((f) => importViolations(f, readFileSync(join(DIR, f), 'utf8'), migrationFiles));
    assert.deepEqual(violations, []);
  });

  test('index.ts imports every migration file', () => {
    const imported = specifiers(readFileSync(join(DIR, 'index.ts'), 'utf8'))
      .filter((s) => s.startsWith('./'))
      .map((s) => s.slice(2).replace(/\.js$/, '.ts'))
      .sort();
    assert.deepEqual(imported, migrationFiles);
    for (const f of imported) assert.ok(existsSync(join(DIR, f)), f);
  });

  test('the recorded names are the frozen list, each bound to its own file', async () => {
    const migrations = await migrationProvider.getMigrations();
    const names = Object.keys(migrations);
    assert.deepEqual(names, FROZEN_NAMES, 'names and order are frozen: append only');
    assert.deepEqual([...names].sort(), names, 'Kysely runs migrations sorted by name: the order listed is the order run');
    for (const file of migrationFiles) {
      const number = MIGRATION_FILE.exec(file)![1]!;
      const name = names.find((n) => n.startsWith(`${number}_`));
      assert.ok(name, `${file} has a recorded name ${number}_…`);
      const mod = (await import(pathToFileURL(join(DIR, file)).href)) as { up?: unknown };
      assert.equal(typeof mod.up, 'function', `${file} exports up()`);
      assert.equal(migrations[name]?.up, mod.up, `${name} runs ${file}`);
    }
  });
});

// ---- migrating fresh databases -------------------------------------------------------------------


async function recordedNames(db: Kysely<any>): Promise<string[]> {
  const rows = await db.selectFrom('kysely_migration').select('name').orderBy('name').execute();
  return rows.map((r) => r.name as string);
}

for (const engine of engines) {
  describe(`frozen migrations on ${engine.name}`, () => {
    test('a fresh database migrates to the latest: every table, every name recorded, idempotent', async (t) => {
      const opened = await engine.open(t);
      if (!opened) return;
      try {
        const db = opened.handle.db as unknown as Kysely<any>;
        await migrate(opened.handle.db);
        const tables = new Set((await db.introspection.getTables()).map((x) => x.name));
        for (const table of TABLES) assert.ok(tables.has(table), `table ${table} exists`);
        const recorded = await recordedNames(db);
        assert.deepEqual(recorded.slice(0, FROZEN_NAMES.length), FROZEN_NAMES);
        assert.deepEqual(recorded, Object.keys(await migrationProvider.getMigrations()));
        await migrate(opened.handle.db);
        assert.deepEqual(await recordedNames(db), recorded, 'a second run records nothing new');
      } finally {
        await opened.cleanup();
      }
    });

    test('0011 gives existing users the usernames its frozen rule gave them', async (t) => {
      const opened = await engine.open(t);
      if (!opened) return;
      try {
        const db = opened.handle.db as unknown as Kysely<any>;
        const migrator = new Migrator({ db, provider: migrationProvider });
        const before = await migrator.migrateTo('0010_user_groups');
        assert.equal(before.error, undefined);
        const now = 1_700_000_000_000;
        await db.insertInto('workspaces').values([{ id: 'w1', name: 'W', locale: 'en', created_at: now }, { id: 'w2', name: 'W2', locale: 'en', created_at: now }]).execute();
        const users: Array<[string, string, string, string, number, number]> = [
          ['u1', 'w1', 'John.Doe@x.io', 'John', 0, now],
          ['u2', 'w1', 'john.doe@y.io', 'John2', 0, now],
          ['u3', 'w1', 'JOHN.DOE@z.io', 'John3', 0, now + 1],
          ['u4', 'w1', 'b@x.io', 'Ünïcödé Bøt! ñ', 1, now],
          ['u5', 'w1', '...@x.io', 'Dots', 0, now],
          ['u6', 'w2', 'john.doe@x.io', 'J', 0, now],
          ['u7', 'w1', 'a+b c@x.io', 'x', 0, now - 1],
          ['u8', 'w1', `${'x'.repeat(60)}@x.io`, 'long', 0, now],
          ['u9', 'w1', 'c@x.io', '日本語', 1, now],
          ['u0', 'w1', 'user@x.io', 'u', 0, now + 5],
        ];
        for (const [id, ws, email, name, bot, at] of users) {
          await db.insertInto('workspace_users').values({ id, workspace_id: ws, email, name, role: 'MEMBER', status: 'ACTIVE', is_bot: bot, created_at: at, updated_at: at }).execute();
        }
        await migrate(opened.handle.db);
        const rows = await db.selectFrom('workspace_users').select(['id', 'username']).orderBy('id').execute();
        assert.deepEqual(Object.fromEntries(rows.map((r) => [r.id, r.username])), {
          u0: 'user3',
          u1: 'john.doe',
          u2: 'john.doe2',
          u3: 'john.doe3',
          u4: 'unicode.b.t.n',
          u5: 'user',
          u6: 'john.doe',
          u7: 'a.b.c',
          u8: 'x'.repeat(40),
          u9: 'user2',
        });
      } finally {
        await opened.cleanup();
      }
    });
  });
}
