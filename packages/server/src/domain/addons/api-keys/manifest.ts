import type { Manifest } from '../../apps/manifest.js';
import type { Scope } from '../../apps/catalog.js';

/** The `apps.builtin` value of the API addon. */
export const API_KEYS_BUILTIN = 'api-keys';

/**
 * Trigger URLs of built-in apps use this scheme: the trigger sender hands them to the app's
 * in-process handler instead of POSTing them (same envelopes, same log, no network).
 */
export const BUILTIN_URL_SCHEME = 'builtin:';
export const API_KEYS_TRIGGER_URL = `${BUILTIN_URL_SCHEME}${API_KEYS_BUILTIN}`;

/**
 * The select of the Delete API key modal (docs/api-keys.md §2.3): a static menu, or past 100 keys
 * (a menu's limit, docs/pumble-api.md §12.7) a dynamic one whose options the app serves.
 */
export const KEY_MENU_ACTION = 'api-keys.key';

/** §1: the scopes the API app requests. */
const USER_SCOPES: Scope[] = [
  'messages:read',
  'messages:write',
  'messages:edit',
  'messages:delete',
  'reaction:write',
  'channels:list',
  'channels:read',
  'channels:write',
  'users:list',
  'user:read',
  'status:write',
];
const BOT_SCOPES: Scope[] = ['messages:read', 'messages:write', 'channels:read', 'channels:list'];

/** The API app as the app platform sees it: a manifest like any other, with in-process trigger URLs. */
export function apiKeysManifest(publicUrl: string): Manifest {
  return {
    name: 'api',
    displayName: 'API',
    bot: true,
    botTitle: 'Addon Bot: personal API keys for a simple HTTP API',
    socketMode: false,
    scopes: { userScopes: USER_SCOPES, botScopes: BOT_SCOPES },
    shortcuts: [],
    slashCommands: [
      {
        command: '/api-keys',
        url: API_KEYS_TRIGGER_URL,
        description: 'Generate, list and delete your API keys',
        usageHint: 'generate [name] | list | delete <key> | help',
      },
    ],
    eventSubscriptions: { url: '', events: [] },
    blockInteraction: { url: API_KEYS_TRIGGER_URL },
    // The API page's modals (docs/api-keys.md §2.2–2.3) are submitted like any app's (app-platform.md §7.4).
    viewAction: { url: API_KEYS_TRIGGER_URL },
    dynamicMenus: [{ url: API_KEYS_TRIGGER_URL, onAction: KEY_MENU_ACTION }],
    defaultHomeView: {
      enabled: true,
      blocks: [
        {
          type: 'rich_text',
          elements: [
            {
              type: 'rich_text_section',
              elements: [
                { type: 'text', text: 'API keys', style: { bold: true } },
                { type: 'text', text: '\nCreate a key with ' },
                { type: 'text', text: '/api-keys generate <name>', style: { code: true } },
                { type: 'text', text: ' and call the API with it in an ApiKey header. Every call is in ' },
                { type: 'link', url: `${publicUrl}/addon/api-keys/docs`, text: 'the API documentation' },
                { type: 'text', text: '.' },
              ],
            },
          ],
        },
      ],
    },
    redirectUrls: [`${publicUrl}/addon/api-keys/authorized`],
    helpUrl: `${publicUrl}/addon/api-keys/docs`,
    listingUrl: null,
    avatarUrl: null,
    welcomeMessage: null,
    offlineMessage: null,
  };
}
