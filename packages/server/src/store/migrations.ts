import type { Kysely, Migration, MigrationProvider } from 'kysely';
import { createApiKeyTables } from './api-key-tables.js';
import { createDeliveryNoticeTables, createDeliveryTables } from './delivery-tables.js';
import { createScheduledTables } from './scheduled-tables.js';
import { createUserGroupTables } from './user-group-tables.js';
import { createIntegrationTables } from './integration-tables.js';

/** Migrations are code, in order; each runs once (Kysely records them in kysely_migration). */
const migrations: Record<string, Migration> = {
  '0001_chat_core': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('workspaces')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('locale', 'text', (c) => c.notNull().defaultTo('en'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('workspace_users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('password_hash', 'text')
        .addColumn('is_bot', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('title', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('time_zone', 'text', (c) => c.notNull().defaultTo('UTC'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('workspace_users_email')
        .on('workspace_users')
        .columns(['workspace_id', 'email'])
        .unique()
        .execute();
      await db.schema.createIndex('workspace_users_by_email').on('workspace_users').column('email').execute();

      await db.schema
        .createTable('sessions')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('workspace_users.id'))
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();

      await db.schema
        .createTable('channels')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('name', 'text')
        .addColumn('name_key', 'text')
        .addColumn('direct_key', 'text')
        .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('is_archived', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('is_main', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_by', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('channels_name_key')
        .on('channels')
        .columns(['workspace_id', 'name_key'])
        .unique()
        .execute();
      await db.schema
        .createIndex('channels_direct_key')
        .on('channels')
        .columns(['workspace_id', 'direct_key'])
        .unique()
        .execute();

      await db.schema
        .createTable('channel_members')
        .addColumn('channel_id', 'text', (c) => c.notNull().references('channels.id'))
        .addColumn('user_id', 'text', (c) => c.notNull().references('workspace_users.id'))
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('added_by', 'text')
        .addColumn('joined_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('channel_members_pk', ['channel_id', 'user_id'])
        .execute();
      await db.schema.createIndex('channel_members_user').on('channel_members').column('user_id').execute();

      await db.schema
        .createTable('messages')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('channel_id', 'text', (c) => c.notNull().references('channels.id'))
        .addColumn('author_id', 'text', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('blocks', 'text')
        .addColumn('attachments', 'text')
        .addColumn('thread_root_id', 'text')
        .addColumn('reply_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_reply_at', 'bigint')
        .addColumn('repliers', 'text')
        .addColumn('edited', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('deleted', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      // Channel history pages walk (channel, root-or-reply, id); threads walk (root, id).
      await db.schema
        .createIndex('messages_channel_history')
        .on('messages')
        .columns(['channel_id', 'thread_root_id', 'id'])
        .execute();
      await db.schema.createIndex('messages_thread').on('messages').columns(['thread_root_id', 'id']).execute();

      await db.schema
        .createTable('reactions')
        .addColumn('message_id', 'text', (c) => c.notNull().references('messages.id'))
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('code', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('reactions_pk', ['message_id', 'user_id', 'code'])
        .execute();
    },
  },
  '0002_outbox': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('domain_events')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('request_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expanded_at', 'bigint')
        .execute();
      // The dispatcher walks unexpanded events in id (time) order.
      await db.schema.createIndex('domain_events_pending').on('domain_events').columns(['expanded_at', 'id']).execute();
    },
  },
  '0003_apps': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('apps')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
        .addColumn('owner_id', 'text', (c) => c.notNull().references('workspace_users.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('name_key', 'text', (c) => c.notNull())
        .addColumn('manifest', 'text', (c) => c.notNull())
        .addColumn('client_secret_sealed', 'text', (c) => c.notNull())
        .addColumn('app_key_sealed', 'text', (c) => c.notNull())
        .addColumn('app_key_hash', 'text', (c) => c.notNull())
        .addColumn('signing_secret_sealed', 'text', (c) => c.notNull())
        .addColumn('published', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      // App names are unique among one owner's apps in a workspace (manifest rule).
      await db.schema.createIndex('apps_owner_name').on('apps').columns(['workspace_id', 'owner_id', 'name_key']).unique().execute();
    },
  },
  '0004_installations': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('app_installations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('app_id', 'text', (c) => c.notNull())
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('bot_user_id', 'text')
        .addColumn('installed_by', 'text', (c) => c.notNull())
        .addColumn('bot_scopes', 'text', (c) => c.notNull())
        .addColumn('home_view', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('app_installations_app_ws').on('app_installations').columns(['app_id', 'workspace_id']).unique().execute();
      await db.schema
        .createTable('app_authorizations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('app_id', 'text', (c) => c.notNull())
        .addColumn('installation_id', 'text', (c) => c.notNull())
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('user_scopes', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('app_authorizations_app_user').on('app_authorizations').columns(['app_id', 'user_id']).unique().execute();
      await db.schema
        .createTable('app_tokens')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('app_id', 'text', (c) => c.notNull())
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('installation_id', 'text', (c) => c.notNull())
        .addColumn('authorization_id', 'text')
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('scopes', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('app_tokens_installation').on('app_tokens').column('installation_id').execute();
      await db.schema
        .createTable('oauth_codes')
        .addColumn('code_hash', 'text', (c) => c.primaryKey())
        .addColumn('app_id', 'text', (c) => c.notNull())
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('redirect_url', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('used_at', 'bigint')
        .execute();
    },
  },
  '0005_ephemeral': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('ephemeral_messages')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('channel_id', 'text', (c) => c.notNull())
        .addColumn('author_id', 'text', (c) => c.notNull())
        .addColumn('recipients', 'text', (c) => c.notNull())
        .addColumn('thread_root_id', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
  // The delivery engine's tables (delivery.md §2–§8), defined beside its store.
  '0006_deliveries': { up: createDeliveryTables },
  '0007_signing_grace': {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('apps').addColumn('previous_signing_secret_sealed', 'text').execute();
      await db.schema.alterTable('apps').addColumn('previous_signing_until', 'bigint').execute();
    },
  },
  // The API-keys addon (api-keys-addon.md): built-in apps, per-user language and custom status, keys.
  '0008_api_keys': {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('apps').addColumn('builtin', 'text').execute();
      await db.schema.alterTable('workspace_users').addColumn('locale', 'text').execute();
      await db.schema.alterTable('workspace_users').addColumn('custom_status', 'text').execute();
      await createApiKeyTables(db);
    },
  },
  '0009_scheduled_messages': { up: createScheduledTables },
  '0010_user_groups': { up: createUserGroupTables },
  // Rocket.Chat-compatible integrations (integrations.md): usernames, message aliases, integrations and their history.
  '0011_integrations': { up: createIntegrationTables },
  // The tooling login (pumble-app-platform.md §4.1): e-mail leads with one-time codes, exchange tokens. Hashes only.
  '0012_tooling_login': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('tooling_leads')
        .addColumn('id_hash', 'text', (c) => c.primaryKey())
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('code_hash', 'text')
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('activated_at', 'bigint')
        .addColumn('logged_in_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('tooling_leads_by_email').on('tooling_leads').columns(['email', 'created_at']).execute();
      await db.schema.createIndex('tooling_leads_by_expiry').on('tooling_leads').column('expires_at').execute();
      await db.schema
        .createTable('tooling_exchange_tokens')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('lead_hash', 'text', (c) => c.notNull())
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('tooling_exchange_tokens_by_lead').on('tooling_exchange_tokens').column('lead_hash').execute();
      await db.schema.createIndex('tooling_exchange_tokens_by_expiry').on('tooling_exchange_tokens').column('expires_at').execute();
    },
  },
  // Owner notices waiting to be delivered (delivery.md §5, §7); pending deliveries counted per class for /metrics (§11).
  '0013_delivery_notices': { up: createDeliveryNoticeTables },
};

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return migrations;
  },
};
