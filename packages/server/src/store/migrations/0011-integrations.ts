/**
 * Migration 0011_integrations: Rocket.Chat-compatible integrations (docs/integrations.md §4, §5, §8.9):
 * a username per workspace user (existing users get one here), extra roles, a message's alias,
 * avatar, emoji and bot tag, the integrations, their history, and per-workspace role permissions.
 *
 * Frozen: this file is history. It ran on databases that exist; never change what it does — write a
 * new migration instead. It is written against Kysely<any> and imports nothing but 'kysely'.
 * Its body is a frozen copy of createIntegrationTables() (store/integration-tables.ts) as it was when
 * the migration shipped; it must not follow later changes to that function.
 */
import type { Kysely } from 'kysely';

/**
 * FROZEN COPY of the application's usernameBase() (store/integration-tables.ts) as it was when this
 * migration shipped: the usernames it gave existing users are history. It must NOT follow later
 * changes to the application's username rule; change that rule there, never here.
 *
 * A username from an e-mail address or a name: lower-case letters, digits, `.`, `_` and `-`.
 */
function usernameBase(source: string): string {
  const base = source
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9._-]+/g, '.')
    .replace(/^[.]+|[.]+$/g, '')
    .slice(0, 40);
  return base || 'user';
}

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('workspace_users').addColumn('username', 'text').execute();
  await db.schema.alterTable('workspace_users').addColumn('extra_roles', 'text', (c) => c.notNull().defaultTo('[]')).execute();
  // Existing users get a username from their e-mail address (bots: their name), made unique per workspace.
  const users = await db.selectFrom('workspace_users').select(['id', 'workspace_id', 'email', 'name', 'is_bot']).orderBy('created_at').orderBy('id').execute();
  const taken = new Set<string>();
  for (const u of users as Array<{ id: string; workspace_id: string; email: string; name: string; is_bot: number }>) {
    const base = usernameBase(Number(u.is_bot) === 1 ? u.name : u.email.split('@')[0]!);
    let candidate = base;
    for (let n = 2; taken.has(`${u.workspace_id}\n${candidate}`); n++) candidate = `${base}${n}`;
    taken.add(`${u.workspace_id}\n${candidate}`);
    await db.updateTable('workspace_users').set({ username: candidate }).where('id', '=', u.id).execute();
  }
  await db.schema.createIndex('workspace_users_username').on('workspace_users').columns(['workspace_id', 'username']).unique().execute();

  await db.schema.alterTable('messages').addColumn('alias', 'text').execute();
  await db.schema.alterTable('messages').addColumn('avatar', 'text').execute();
  await db.schema.alterTable('messages').addColumn('emoji', 'text').execute();
  await db.schema.alterTable('messages').addColumn('bot', 'text').execute();

  await db.schema
    .createTable('integrations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('event', 'text')
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_key', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull())
    .addColumn('doc', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('integrations_token').on('integrations').columns(['workspace_id', 'token_hash']).execute();
  // The outgoing matcher reads a workspace's integrations of one event; listing reads by workspace.
  await db.schema.createIndex('integrations_event').on('integrations').columns(['workspace_id', 'event']).execute();
  await db.schema.createIndex('integrations_created').on('integrations').columns(['workspace_id', 'created_at']).execute();

  await db.schema
    .createTable('integration_history')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('integration_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('integration_created_by', 'text', (c) => c.notNull())
    .addColumn('delivery_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('record', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('integration_history_by_integration').on('integration_history').columns(['integration_id', 'updated_at']).execute();
  await db.schema.createIndex('integration_history_created').on('integration_history').column('created_at').execute();

  await db.schema
    .createTable('role_permissions')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('permission', 'text', (c) => c.notNull())
    .addColumn('roles', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('role_permissions_pk', ['workspace_id', 'permission'])
    .execute();
}
