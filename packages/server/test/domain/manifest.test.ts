/**
 * Manifest validation (spec §3): the spec's example is valid, and every rule of §3.4 reports its
 * problem at the exact field path, all problems of a manifest together.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { validateManifest, type ManifestResult } from '../../src/domain/apps/manifest.js';
import { EVENT_NAMES, EVENTS, SCOPES, isEventName, isScope } from '../../src/domain/apps/catalog.js';
import type { FieldError } from '../../src/domain/errors.js';

/** §3.1, verbatim. */
const example = () => ({
  name: 'my_app',
  displayName: 'My App',
  bot: true,
  botTitle: 'My App Bot Description',
  socketMode: false,
  scopes: { botScopes: ['messages:read', 'messages:write'], userScopes: ['messages:read', 'messages:write'] },
  shortcuts: [
    { shortcutType: 'ON_MESSAGE', url: 'https://myapp.com/onmessage', name: 'message_shortcut', displayName: 'Message Shortcut', description: 'Message Shortcut Description' },
    { shortcutType: 'GLOBAL', url: 'https://myapp.com/global', name: 'global_shortcut', displayName: 'Global Shortcut', description: 'Global Shortcut Description' },
  ],
  slashCommands: [
    { command: '/my_slash_command', url: 'https://myapp.com/slash', description: 'Google Calendar commands', usageHint: '/my_slash_command [first][second]' },
  ],
  eventSubscriptions: { url: 'https://myapp.com/events', events: ['APP_UNAUTHORIZED', 'APP_UNINSTALLED', 'NEW_MESSAGE'] },
  blockInteraction: { url: 'https://myapp.com/block_interaction' },
  viewAction: { url: 'https://myapp.com/view_action' },
  dynamicMenus: [{ url: 'https://myapp.com/dynamic_menu', onAction: 'onDynamicItemSelect' }],
  defaultHomeView: {
    enabled: true,
    blocks: [{ type: 'rich_text', elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: 'Welcome to My App!' }] }] }],
  },
  redirectUrls: ['https://myapp.com/redirect'],
  helpUrl: 'https://myapp.com/help',
  listingUrl: 'https://myapp.com/install-on-pumble',
  welcomeMessage: 'Hello :wave:',
  offlineMessage: 'We are experiencing some issues at the moment. Please try again later',
});

/** The smallest valid manifest: required fields only, arrays empty. */
const minimal = (): Record<string, unknown> => ({
  name: 'min',
  displayName: 'Min',
  bot: false,
  scopes: { botScopes: [], userScopes: [] },
  shortcuts: [],
  slashCommands: [],
  eventSubscriptions: { url: 'https://min.example/events', events: [] },
  redirectUrls: [],
});

function errorsOf(result: ManifestResult): FieldError[] {
  assert.equal(result.ok, false, 'expected the manifest to be rejected');
  return result.ok ? [] : result.errors;
}
const fields = (errors: FieldError[]) => errors.map((e) => e.field);
function only(result: ManifestResult, field: string, message: string | RegExp): void {
  const errors = errorsOf(result);
  assert.deepEqual(fields(errors), [field], JSON.stringify(errors));
  if (typeof message === 'string') assert.equal(errors[0]?.message, message);
  else assert.match(errors[0]?.message ?? '', message);
}
function okManifest(result: ManifestResult) {
  assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
  return result;
}
const x = (n: number) => 'x'.repeat(n);

describe('catalog', () => {
  test('every scope and event of §13, with scopes and messageTypes', () => {
    assert.equal(SCOPES.length, 17);
    assert.equal(EVENT_NAMES.length, 16);
    assert.ok(isScope('group:read') && !isScope('reactions:read') && !isScope(1));
    assert.ok(isEventName('CHANNEL_MEMBER_LEFT') && !isEventName('toString') && !isEventName('DELETED_MESSAGE'));
    assert.deepEqual(EVENTS.MESSAGE_DELETED, { requiredScope: 'messages:read', messageType: 'PUMBLE_EVENT', extension: true });
    assert.deepEqual(EVENTS.REACTION_REMOVED, { requiredScope: 'reaction:read', messageType: 'PUMBLE_EVENT', extension: true });
    assert.equal(EVENTS.CHANNEL_MEMBER_JOINED.requiredScope, 'channels:read');
    assert.equal(EVENTS.CHANNEL_MEMBER_LEFT.requiredScope, 'channels:read');
    assert.deepEqual(EVENTS.APP_UNINSTALLED, { requiredScope: null, messageType: 'APP_EVENT', extension: false });
    assert.equal(EVENTS.APP_UNAUTHORIZED.messageType, 'APP_EVENT');
    assert.equal(EVENTS.WORKSPACE_USER_GROUP_UPDATED.requiredScope, 'group:read');
  });
});

describe('validateManifest', () => {
  test('the spec example (§3.1) is valid, without warnings, and normalizes to itself plus defaults', () => {
    const result = okManifest(validateManifest(example()));
    assert.deepEqual(result.warnings, []);
    assert.deepEqual(result.manifest, { ...example(), avatarUrl: null });
  });

  test('a minimal manifest with empty arrays is valid; defaults are applied', () => {
    const { manifest } = okManifest(validateManifest(minimal()));
    assert.equal(manifest.socketMode, false);
    assert.deepEqual(manifest.dynamicMenus, []);
    for (const key of ['botTitle', 'blockInteraction', 'viewAction', 'defaultHomeView', 'helpUrl', 'listingUrl', 'avatarUrl', 'welcomeMessage', 'offlineMessage'] as const) {
      assert.equal(manifest[key], null, key);
    }
  });

  test('null optional fields count as absent', () => {
    const input = { ...minimal(), botTitle: null, blockInteraction: null, dynamicMenus: null, helpUrl: null, helpUrl2: null };
    okManifest(validateManifest(input));
  });

  test('every missing required field is reported', () => {
    const errors = errorsOf(validateManifest({}));
    assert.deepEqual(fields(errors), ['name', 'displayName', 'bot', 'scopes', 'shortcuts', 'slashCommands', 'eventSubscriptions', 'redirectUrls']);
    assert.ok(errors.every((e) => e.message === 'is required'));
    assert.deepEqual(fields(errorsOf(validateManifest({ ...minimal(), scopes: {}, eventSubscriptions: {} }))), [
      'scopes.botScopes',
      'scopes.userScopes',
      'eventSubscriptions.url',
      'eventSubscriptions.events',
    ]);
  });

  test('wrong types are reported per field', () => {
    const result = validateManifest({ ...minimal(), name: 7, bot: 'yes', socketMode: 1, shortcuts: {}, scopes: { botScopes: 'messages:read', userScopes: [3] } });
    assert.deepEqual(errorsOf(result), [
      { field: 'socketMode', message: 'must be a boolean' },
      { field: 'name', message: 'must be a string' },
      { field: 'bot', message: 'must be a boolean' },
      { field: 'scopes.botScopes', message: 'must be an array' },
      { field: 'scopes.userScopes[0]', message: 'must be a string' },
      { field: 'shortcuts', message: 'must be an array' },
    ]);
  });

  test('a manifest that is not an object', () => {
    for (const input of [null, [], 'x', 3]) only(validateManifest(input), '', 'the manifest must be a JSON object');
  });

  test('name: 1–80 characters, no surrounding whitespace, unique among the owner\'s apps', () => {
    okManifest(validateManifest({ ...minimal(), name: x(80) }));
    only(validateManifest({ ...minimal(), name: x(81) }), 'name', 'must be at most 80 characters');
    only(validateManifest({ ...minimal(), name: '' }), 'name', 'must not be empty');
    only(validateManifest({ ...minimal(), name: ' app' }), 'name', 'must not start or end with whitespace');
    only(validateManifest({ ...minimal(), name: 'app\n' }), 'name', 'must not start or end with whitespace');
    only(validateManifest({ ...minimal(), name: 'Min' }, { otherAppNames: ['other', 'min'] }), 'name', 'an app named "Min" already exists');
    okManifest(validateManifest(minimal(), { otherAppNames: ['other'] }));
  });

  test('name length counts characters, not UTF-16 units', () => {
    okManifest(validateManifest({ ...minimal(), name: '🙂'.repeat(80) }));
  });

  test('displayName 1–80, botTitle ≤ 250', () => {
    okManifest(validateManifest({ ...minimal(), displayName: x(80), botTitle: x(250) }));
    assert.deepEqual(errorsOf(validateManifest({ ...minimal(), displayName: x(81), botTitle: x(251) })), [
      { field: 'displayName', message: 'must be at most 80 characters' },
      { field: 'botTitle', message: 'must be at most 250 characters' },
    ]);
    only(validateManifest({ ...minimal(), displayName: '' }), 'displayName', 'must not be empty');
    only(validateManifest({ ...minimal(), displayName: '   ' }), 'displayName', 'must not be blank');
  });

  test('shortcuts: type, name 1–32 without whitespace, unique within the app', () => {
    const shortcut = (name: string, shortcutType = 'GLOBAL') => ({ shortcutType, url: 'https://a.example/s', name, displayName: 'S' });
    okManifest(validateManifest({ ...minimal(), shortcuts: [shortcut(x(32)), shortcut('b', 'ON_MESSAGE')] }));
    assert.deepEqual(
      errorsOf(validateManifest({ ...minimal(), shortcuts: [shortcut('a'), shortcut(x(33)), shortcut('a b'), shortcut('a', 'BOTH'), {}] })),
      [
        { field: 'shortcuts[1].name', message: 'must be at most 32 characters' },
        { field: 'shortcuts[2].name', message: 'must not contain whitespace' },
        { field: 'shortcuts[3].shortcutType', message: 'must be ON_MESSAGE or GLOBAL' },
        { field: 'shortcuts[3].name', message: 'duplicate shortcut name "a" (also shortcuts[0])' },
        { field: 'shortcuts[4].shortcutType', message: 'is required' },
        { field: 'shortcuts[4].url', message: 'is required' },
        { field: 'shortcuts[4].name', message: 'is required' },
        { field: 'shortcuts[4].displayName', message: 'is required' },
      ],
    );
  });

  test('slash commands: leading /, ≤ 32, no whitespace, unique case-insensitively; usageHint ≤ 55', () => {
    const cmd = (command: string, extra = {}) => ({ command, url: 'https://a.example/c', ...extra });
    okManifest(validateManifest({ ...minimal(), slashCommands: [cmd(`/${x(31)}`, { usageHint: x(55) }), cmd('/b')] }));
    assert.deepEqual(
      errorsOf(
        validateManifest({
          ...minimal(),
          slashCommands: [cmd('/hi'), cmd('/HI', { usageHint: x(56) }), cmd('hello'), cmd(`/${x(32)}`), cmd('/a b'), cmd('/'), cmd('no slash')],
        }),
      ),
      [
        { field: 'slashCommands[1].command', message: 'duplicate command /HI (also slashCommands[0])' },
        { field: 'slashCommands[1].usageHint', message: 'must be at most 55 characters' },
        { field: 'slashCommands[2].command', message: 'must start with /' },
        { field: 'slashCommands[3].command', message: 'must be at most 32 characters' },
        { field: 'slashCommands[4].command', message: 'must not contain whitespace' },
        { field: 'slashCommands[5].command', message: 'must have a name after /' },
        { field: 'slashCommands[6].command', message: 'must start with /' },
        { field: 'slashCommands[6].command', message: 'must not contain whitespace' },
      ],
    );
  });

  test('URLs: absolute http/https, at most 2048 characters, in every URL field', () => {
    const long = `https://a.example/${x(2048 - 'https://a.example/'.length)}`;
    okManifest(validateManifest({ ...minimal(), redirectUrls: [long, 'http://localhost:3000/redirect'] }));
    const result = validateManifest({
      ...minimal(),
      shortcuts: [{ shortcutType: 'GLOBAL', url: '/relative', name: 's', displayName: 'S' }],
      slashCommands: [{ command: '/c', url: 'ftp://a.example/c' }],
      eventSubscriptions: { url: 'https://', events: [] },
      blockInteraction: { url: 'javascript:alert(1)' },
      viewAction: {},
      dynamicMenus: [{ url: 'https://a.example/has space', onAction: 'm' }],
      redirectUrls: ['https://ok.example/r', `${long}x`],
      helpUrl: 'help',
      listingUrl: 'mailto:a@b.example',
      avatarUrl: 42,
    });
    assert.deepEqual(errorsOf(result), [
      { field: 'shortcuts[0].url', message: 'must be an absolute http or https URL' },
      { field: 'slashCommands[0].url', message: 'must be an absolute http or https URL' },
      { field: 'eventSubscriptions.url', message: 'must be an absolute http or https URL' },
      { field: 'blockInteraction.url', message: 'must be an absolute http or https URL' },
      { field: 'viewAction.url', message: 'is required' },
      { field: 'dynamicMenus[0].url', message: 'must be an absolute http or https URL' },
      { field: 'redirectUrls[1]', message: 'must be at most 2048 characters' },
      { field: 'helpUrl', message: 'must be an absolute http or https URL' },
      { field: 'listingUrl', message: 'must be an absolute http or https URL' },
      { field: 'avatarUrl', message: 'must be a string' },
    ]);
  });

  test('empty optional URLs count as absent', () => {
    const { manifest } = okManifest(validateManifest({ ...minimal(), helpUrl: '', listingUrl: '', avatarUrl: '' }));
    assert.equal(manifest.helpUrl, null);
  });

  test('socket mode: trigger and event URLs may be empty or omitted, but others are still checked', () => {
    const input = {
      ...minimal(),
      socketMode: true,
      shortcuts: [{ shortcutType: 'GLOBAL', name: 's', displayName: 'S' }],
      slashCommands: [{ command: '/c', url: '' }],
      eventSubscriptions: { events: ['NEW_MESSAGE'] },
      blockInteraction: {},
      viewAction: { url: '' },
      dynamicMenus: [{ onAction: 'm' }],
    };
    const { manifest } = okManifest(validateManifest(input));
    assert.equal(manifest.eventSubscriptions.url, '');
    assert.deepEqual(manifest.blockInteraction, { url: '' });
    assert.equal(manifest.shortcuts[0]?.url, '');
    const bad = { ...input, slashCommands: [{ command: '/c', url: 'nope' }], redirectUrls: [''] };
    assert.deepEqual(errorsOf(validateManifest(bad)), [
      { field: 'slashCommands[0].url', message: 'must be an absolute http or https URL' },
      { field: 'redirectUrls[0]', message: 'must not be empty' },
    ]);
    // without socket mode the same URLs are required
    assert.deepEqual(fields(errorsOf(validateManifest({ ...input, socketMode: false }))), [
      'shortcuts[0].url',
      'slashCommands[0].url',
      'eventSubscriptions.url',
      'blockInteraction.url',
      'viewAction.url',
      'dynamicMenus[0].url',
    ]);
  });

  test('scopes: every entry is a known scope; duplicates collapse', () => {
    const result = validateManifest({ ...minimal(), scopes: { botScopes: ['foo', 'messages:read'], userScopes: ['messages:read', 'reactions:read'] } });
    assert.deepEqual(errorsOf(result), [
      { field: 'scopes.botScopes[0]', message: 'unknown scope "foo"' },
      { field: 'scopes.userScopes[1]', message: 'unknown scope "reactions:read"' },
    ]);
    const { manifest } = okManifest(validateManifest({ ...minimal(), scopes: { botScopes: [...SCOPES, 'messages:read'], userScopes: [] } }));
    assert.deepEqual(manifest.scopes.botScopes, [...SCOPES]);
  });

  test('events: every entry is a known event, including the extension events', () => {
    only(validateManifest({ ...minimal(), eventSubscriptions: { url: 'https://a.example/e', events: ['NEW_MESSAGE', 'DELETED_MESSAGE'] } }), 'eventSubscriptions.events[1]', 'unknown event "DELETED_MESSAGE"');
    const all = validateManifest({ ...minimal(), scopes: { botScopes: [...SCOPES], userScopes: [] }, eventSubscriptions: { url: 'https://a.example/e', events: EVENT_NAMES } });
    const { manifest, warnings } = okManifest(all);
    assert.deepEqual(manifest.eventSubscriptions.events, EVENT_NAMES);
    assert.deepEqual(warnings, []);
  });

  test('an event whose scope is in neither botScopes nor userScopes is a warning, not an error', () => {
    const result = validateManifest({
      ...minimal(),
      scopes: { botScopes: ['messages:read'], userScopes: ['channels:read'] },
      eventSubscriptions: {
        url: 'https://a.example/e',
        events: ['NEW_MESSAGE', 'CHANNEL_MEMBER_JOINED', 'REACTION_ADDED', 'APP_UNINSTALLED', 'WORKSPACE_USER_JOINED', 'REACTION_ADDED'],
      },
    });
    const { warnings, manifest } = okManifest(result);
    assert.deepEqual(warnings, [
      { field: 'eventSubscriptions.events[2]', message: 'REACTION_ADDED needs scope reaction:read in botScopes or userScopes; it will never be delivered' },
      { field: 'eventSubscriptions.events[4]', message: 'WORKSPACE_USER_JOINED needs scope user:read in botScopes or userScopes; it will never be delivered' },
    ]);
    assert.deepEqual(manifest.eventSubscriptions.events, ['NEW_MESSAGE', 'CHANNEL_MEMBER_JOINED', 'REACTION_ADDED', 'APP_UNINSTALLED', 'WORKSPACE_USER_JOINED']);
  });

  test('defaultHomeView: enabled and blocks required; only rich_text blocks, valid per docs/pumble-api.md §12.7', () => {
    const home = (blocks: unknown[]) => ({ ...minimal(), defaultHomeView: { enabled: false, blocks } });
    okManifest(validateManifest(home([])));
    const section = { type: 'rich_text_section', elements: [{ type: 'text', text: 'hi' }] };
    const result = validateManifest(
      home([
        { type: 'rich_text', elements: [section, { type: 'rich_text_section', elements: [{ type: 'text' }] }, { type: 'bogus' }] },
        { type: 'section', text: { type: 'plain_text', text: 'no' } },
        { type: 'divider' },
        'not a block',
      ]),
    );
    assert.deepEqual(errorsOf(result), [
      { field: 'defaultHomeView.blocks[0].elements[1].elements[0].text', message: 'is required' },
      { field: 'defaultHomeView.blocks[0].elements[2]', message: 'unknown rich text element type "bogus"' },
      { field: 'defaultHomeView.blocks[1]', message: 'only rich_text blocks are allowed in the default home view (got section)' },
      { field: 'defaultHomeView.blocks[2]', message: 'only rich_text blocks are allowed in the default home view (got divider)' },
      { field: 'defaultHomeView.blocks[3]', message: 'must be an object' },
    ]);
    assert.deepEqual(fields(errorsOf(validateManifest({ ...minimal(), defaultHomeView: {} }))), ['defaultHomeView.enabled', 'defaultHomeView.blocks']);
  });

  test('dynamicMenus: onAction required and unique within the app', () => {
    const menu = (onAction?: string) => ({ url: 'https://a.example/m', onAction });
    assert.deepEqual(errorsOf(validateManifest({ ...minimal(), dynamicMenus: [menu('a'), menu('b'), menu('a'), menu()] })), [
      { field: 'dynamicMenus[2].onAction', message: 'duplicate onAction "a" (also dynamicMenus[0])' },
      { field: 'dynamicMenus[3].onAction', message: 'is required' },
    ]);
  });

  test('unknown keys are accepted, ignored and not kept', () => {
    const input = {
      ...example(),
      id: 'app-1',
      clientSecret: 's',
      appKey: 'k',
      signingSecret: 'x',
      listingIcon: { whatever: true },
      shortcuts: [{ ...example().shortcuts[0], extra: 1 }],
      scopes: { ...example().scopes, adminScopes: ['x'] },
    };
    const { manifest } = okManifest(validateManifest(input));
    assert.deepEqual(manifest, { ...example(), shortcuts: [example().shortcuts[0]], avatarUrl: null });
    for (const key of ['id', 'clientSecret', 'appKey', 'signingSecret', 'listingIcon']) assert.ok(!(key in manifest), key);
  });

  test('welcome and offline messages: blank is unset; at most 100 000 characters', () => {
    const { manifest } = okManifest(validateManifest({ ...minimal(), welcomeMessage: '  ', offlineMessage: x(100_000) }));
    assert.equal(manifest.welcomeMessage, null);
    only(validateManifest({ ...minimal(), welcomeMessage: x(100_001) }), 'welcomeMessage', 'must be at most 100000 characters');
  });

  test('all violations are reported together, each at its path', () => {
    const input = example();
    input.name = ' my_app';
    input.slashCommands.push({ command: '/MY_SLASH_COMMAND', url: 'https://myapp.com/slash', description: 'd', usageHint: x(60) });
    input.scopes.botScopes.push('foo');
    input.shortcuts[1]!.name = 'global shortcut';
    input.redirectUrls.push('not a url');
    input.defaultHomeView.blocks[0]!.elements.push({ type: 'rich_text_list', elements: [] } as never);
    const errors = errorsOf(validateManifest(input));
    assert.deepEqual(fields(errors), [
      'name',
      'scopes.botScopes[2]',
      'shortcuts[1].name',
      'slashCommands[1].command',
      'slashCommands[1].usageHint',
      'defaultHomeView.blocks[0].elements[1].style',
      'defaultHomeView.blocks[0].elements[1].indent',
      'redirectUrls[1]',
    ]);
    assert.equal(errors[3]?.message, 'duplicate command /MY_SLASH_COMMAND (also slashCommands[0])');
  });

  test('six different problems give six errors', () => {
    const input = {
      ...minimal(),
      name: x(81),
      bot: 'true',
      botTitle: x(251),
      scopes: { botScopes: ['nope'], userScopes: [] },
      slashCommands: [{ command: 'c', url: 'https://a.example/c' }],
      helpUrl: 'ftp://a.example',
    };
    assert.deepEqual(fields(errorsOf(validateManifest(input))), ['name', 'bot', 'botTitle', 'scopes.botScopes[0]', 'slashCommands[0].command', 'helpUrl']);
  });
});
