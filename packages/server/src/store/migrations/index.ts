/**
 * The migrations, in order. Each runs once; Kysely records it in `kysely_migration` under the key
 * it has here, so these keys are history too: never rename, reorder or remove one, or existing
 * databases would run it again (or refuse to start).
 *
 * Every migration is frozen: its own file, written against Kysely<any>, importing nothing but
 * 'kysely' (test/store/migrations-frozen.test.ts enforces it). A helper it needs (a naming rule, an id
 * generator …) is copied into that file, so changing the application never rewrites history.
 *
 * To add a migration:
 *   1. Create `NNNN-what-it-does.ts` beside this file (NNNN: the next number, e.g. 0014), exporting
 *      `async function up(db: Kysely<any>): Promise<void>`. Import only from 'kysely' (node: built-ins
 *      if truly needed); copy any application helper it uses into the file as a frozen copy.
 *   2. Import it below and add it last to `migrations` under the name `NNNN_what_it_does`
 *      (names sort in run order: Kysely runs them sorted by name).
 *   3. Add that name to the frozen list in test/store/migrations-frozen.test.ts.
 */
import type { Migration, MigrationProvider } from 'kysely';
import * as m0001 from './0001-chat-core.js';
import * as m0002 from './0002-outbox.js';
import * as m0003 from './0003-apps.js';
import * as m0004 from './0004-installations.js';
import * as m0005 from './0005-ephemeral.js';
import * as m0006 from './0006-deliveries.js';
import * as m0007 from './0007-signing-grace.js';
import * as m0008 from './0008-api-keys.js';
import * as m0009 from './0009-scheduled-messages.js';
import * as m0010 from './0010-user-groups.js';
import * as m0011 from './0011-integrations.js';
import * as m0012 from './0012-tooling-login.js';
import * as m0013 from './0013-delivery-notices.js';
import * as m0014 from './0014-replies-sent-to-channel.js';
import * as m0015 from './0015-messages-posted-text.js';
import * as m0016 from './0016-interactive-apps.js';
import * as m0017 from './0017-app-sockets.js';
import * as m0018 from './0018-message-search.js';
import * as m0019 from './0019-files.js';
import * as m0020 from './0020-read-markers.js';
import * as m0021 from './0021-pins-and-saved.js';
import * as m0022 from './0022-notification-levels.js';
import * as m0023 from './0023-link-previews.js';
import * as m0025 from './0025-avatars-retention.js';
import * as m0026 from './0026-installations-by-workspace.js';
import * as m0027 from './0027-search-automerge.js';
import * as m0028 from './0028-write-generations.js';
import * as m0029 from './0029-search-deferred.js';
import * as m0030 from './0030-deliveries-due-order.js';

/** Recorded name (kysely_migration.name) → migration. The names are frozen. */
const migrations: Record<string, Migration> = {
  '0001_chat_core': m0001,
  '0002_outbox': m0002,
  '0003_apps': m0003,
  '0004_installations': m0004,
  '0005_ephemeral': m0005,
  '0006_deliveries': m0006,
  '0007_signing_grace': m0007,
  '0008_api_keys': m0008,
  '0009_scheduled_messages': m0009,
  '0010_user_groups': m0010,
  '0011_integrations': m0011,
  '0012_tooling_login': m0012,
  '0013_delivery_notices': m0013,
  '0014_replies_sent_to_channel': m0014,
  '0015_messages_posted_text': m0015,
  '0016_interactive_apps': m0016,
  '0017_app_sockets': m0017,
  '0018_message_search': m0018,
  '0019_files': m0019,
  '0020_read_markers': m0020,
  '0021_pins_and_saved': m0021,
  '0022_notification_levels': m0022,
  '0023_link_previews': m0023,
  '0025_avatars_retention': m0025,
  '0026_installations_by_workspace': m0026,
  '0027_search_automerge': m0027,
  '0028_write_generations': m0028,
  '0029_search_deferred': m0029,
  '0030_deliveries_due_order': m0030,
};

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return migrations;
  },
};
