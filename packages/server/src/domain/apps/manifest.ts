/**
 * App manifest validation (docs/app-platform.md §3.2–§3.4, Pumble's manifest guide): checks a manifest as an app
 * developer sends it and returns either every problem at once or the normalized manifest.
 *
 * Normalization: `manifest` holds the known fields only, with defaults applied (absent optional
 * objects and strings → null, dynamicMenus → [], socketMode → false, trigger URLs omitted in
 * socket mode → ""). Unknown keys, at the top level and inside the manifest's own nested objects,
 * are accepted and dropped: tooling adds its own keys (the SDK and CLI send `id` and the secrets
 * back, for example) and storing them would let arbitrary data ride along with every manifest
 * read. defaultHomeView.blocks are kept as sent, like every block (see blocks.ts).
 * Duplicate scopes, events and redirect URLs are collapsed, first occurrence first.
 */
import type { FieldError } from '../errors.js';
import { FieldChecker, at, charCount, isAbsent, isRecord } from '../fields.js';
import { validateBlock, type RichTextBlock } from '../blocks.js';
import { EVENTS, isEventName, isScope, type EventName, type Scope } from './catalog.js';

export const MANIFEST_LIMITS = {
  name: 80,
  displayName: 80,
  botTitle: 250,
  shortcutName: 32,
  command: 32,
  usageHint: 55,
  // Decisions where the spec is silent:
  shortcutDisplayName: 80, // as the app's displayName
  description: 250, // shortcut/command descriptions, as botTitle and channel descriptions
  onAction: 255, // as onAction in blocks
  message: 100_000, // welcome/offline messages are messages (docs/pumble-api.md §11.2 text limit)
} as const;

export type ShortcutType = 'ON_MESSAGE' | 'GLOBAL';

export interface Shortcut {
  shortcutType: ShortcutType;
  /** "" only in socket mode */
  url: string;
  name: string;
  displayName: string;
  description: string | null;
}

export interface SlashCommand {
  command: string;
  url: string;
  description: string | null;
  usageHint: string | null;
}

export interface Manifest {
  name: string;
  displayName: string;
  bot: boolean;
  botTitle: string | null;
  socketMode: boolean;
  scopes: { botScopes: Scope[]; userScopes: Scope[] };
  shortcuts: Shortcut[];
  slashCommands: SlashCommand[];
  eventSubscriptions: { url: string; events: EventName[] };
  blockInteraction: { url: string } | null;
  viewAction: { url: string } | null;
  dynamicMenus: { url: string; onAction: string }[];
  defaultHomeView: { enabled: boolean; blocks: RichTextBlock[] } | null;
  redirectUrls: string[];
  helpUrl: string | null;
  listingUrl: string | null;
  avatarUrl: string | null;
  welcomeMessage: string | null;
  offlineMessage: string | null;
}

export interface ValidateManifestOptions {
  /** Names of the owner's other apps in the workspace (exclude the app being updated). */
  otherAppNames?: string[];
}

export type ManifestResult =
  | { ok: true; manifest: Manifest; warnings: FieldError[] }
  | { ok: false; errors: FieldError[] };

const SHORTCUT_TYPES = ['ON_MESSAGE', 'GLOBAL'] as const;
const WHITESPACE = /\s/;

export function validateManifest(input: unknown, opts: ValidateManifestOptions = {}): ManifestResult {
  if (!isRecord(input)) return { ok: false, errors: [{ field: '', message: 'the manifest must be a JSON object' }] };
  const c = new FieldChecker();
  const m = input;
  const socketMode = c.boolean(m.socketMode, 'socketMode') ?? false;

  /** Trigger and event URLs: required over HTTP, optional (may be "") in socket mode. */
  const triggerUrl = (value: unknown, field: string): string =>
    socketMode && (isAbsent(value) || value === '') ? '' : (c.httpUrl(value, field, true) ?? '');
  /** Optional URLs: "" is treated as absent, as tooling writes empty strings for unset fields. */
  const optionalUrl = (value: unknown, field: string): string | null =>
    value === '' ? null : (c.httpUrl(value, field) ?? null);

  const name = checkName(c, m.name, opts.otherAppNames ?? []);
  const displayName = c.string(m.displayName, 'displayName', { required: true, min: 1, max: MANIFEST_LIMITS.displayName });
  if (displayName !== undefined && displayName.trim() === '') c.fail('displayName', 'must not be blank');
  const bot = c.boolean(m.bot, 'bot', true);
  const botTitle = c.string(m.botTitle, 'botTitle', { max: MANIFEST_LIMITS.botTitle }) ?? null;
  const scopes = checkScopes(c, m.scopes);
  const shortcuts = checkShortcuts(c, m.shortcuts, triggerUrl);
  const slashCommands = checkSlashCommands(c, m.slashCommands, triggerUrl);
  const eventSubscriptions = checkEvents(c, m.eventSubscriptions, triggerUrl);

  const urlHolder = (value: unknown, field: string): { url: string } | null => {
    const o = c.object(value, field, false);
    return o ? { url: triggerUrl(o.url, at(field, 'url')) } : null;
  };
  const blockInteraction = urlHolder(m.blockInteraction, 'blockInteraction');
  const viewAction = urlHolder(m.viewAction, 'viewAction');
  const dynamicMenus = checkDynamicMenus(c, m.dynamicMenus, triggerUrl);
  const defaultHomeView = checkDefaultHomeView(c, m.defaultHomeView);

  const redirectUrls = unique(
    (c.array(m.redirectUrls, 'redirectUrls') ?? []).map((url, i) => c.httpUrl(url, at('redirectUrls', i), true)),
  );
  const helpUrl = optionalUrl(m.helpUrl, 'helpUrl');
  const listingUrl = optionalUrl(m.listingUrl, 'listingUrl');
  const avatarUrl = optionalUrl(m.avatarUrl, 'avatarUrl');
  // A blank message would be an empty post (refused by messages) or an empty ephemeral: treat as unset.
  const message = (value: unknown, field: string) => {
    const text = c.string(value, field, { max: MANIFEST_LIMITS.message });
    return text === undefined || text.trim() === '' ? null : text;
  };
  const welcomeMessage = message(m.welcomeMessage, 'welcomeMessage');
  const offlineMessage = message(m.offlineMessage, 'offlineMessage');

  if (!c.ok || name === undefined || displayName === undefined || bot === undefined || !scopes || !eventSubscriptions) {
    return { ok: false, errors: c.errors };
  }
  return {
    ok: true,
    manifest: {
      name,
      displayName,
      bot,
      botTitle,
      socketMode,
      scopes,
      shortcuts,
      slashCommands,
      eventSubscriptions: { url: eventSubscriptions.url, events: eventSubscriptions.events },
      blockInteraction,
      viewAction,
      dynamicMenus,
      defaultHomeView,
      redirectUrls,
      helpUrl,
      listingUrl,
      avatarUrl,
      welcomeMessage,
      offlineMessage,
    },
    warnings: eventScopeWarnings(eventSubscriptions.positions, scopes),
  };
}

type TriggerUrl = (value: unknown, field: string) => string;

function checkName(c: FieldChecker, value: unknown, otherAppNames: string[]): string | undefined {
  const name = c.string(value, 'name', { required: true, min: 1, max: MANIFEST_LIMITS.name });
  if (name === undefined) return undefined;
  if (name.trim() !== name) c.fail('name', 'must not start or end with whitespace');
  // case-insensitive: "my_app" and "My_App" side by side in one workspace would only confuse
  const taken = new Set(otherAppNames.map((n) => n.toLowerCase()));
  if (taken.has(name.toLowerCase())) c.fail('name', `an app named "${name}" already exists`);
  return name;
}

function checkScopes(c: FieldChecker, value: unknown): Manifest['scopes'] | undefined {
  const o = c.object(value, 'scopes');
  if (!o) return undefined;
  const list = (key: 'botScopes' | 'userScopes'): Scope[] => {
    const field = at('scopes', key);
    const entries = c.array(o[key], field) ?? [];
    return unique(
      entries.map((scope, i) => {
        if (isScope(scope)) return scope;
        if (typeof scope === 'string') c.fail(at(field, i), `unknown scope "${scope}"`);
        else c.fail(at(field, i), 'must be a string');
        return undefined;
      }),
    );
  };
  return { botScopes: list('botScopes'), userScopes: list('userScopes') };
}

function checkShortcuts(c: FieldChecker, value: unknown, triggerUrl: TriggerUrl): Shortcut[] {
  const seen = new Map<string, string>();
  const result: Shortcut[] = [];
  c.array(value, 'shortcuts')?.forEach((item, i) => {
    const path = at('shortcuts', i);
    const s = c.object(item, path);
    if (!s) return;
    const shortcutType = c.oneOf(s.shortcutType, at(path, 'shortcutType'), SHORTCUT_TYPES, true);
    const url = triggerUrl(s.url, at(path, 'url'));
    const name = c.string(s.name, at(path, 'name'), { required: true, min: 1, max: MANIFEST_LIMITS.shortcutName });
    if (name !== undefined) {
      if (WHITESPACE.test(name)) c.fail(at(path, 'name'), 'must not contain whitespace');
      const first = seen.get(name);
      if (first !== undefined) c.fail(at(path, 'name'), `duplicate shortcut name "${name}" (also ${first})`);
      else seen.set(name, path);
    }
    const displayName = c.string(s.displayName, at(path, 'displayName'), {
      required: true,
      min: 1,
      max: MANIFEST_LIMITS.shortcutDisplayName,
    });
    const description = c.string(s.description, at(path, 'description'), { max: MANIFEST_LIMITS.description }) ?? null;
    if (shortcutType && name !== undefined && displayName !== undefined) {
      result.push({ shortcutType, url, name, displayName, description });
    }
  });
  return result;
}

function checkSlashCommands(c: FieldChecker, value: unknown, triggerUrl: TriggerUrl): SlashCommand[] {
  const seen = new Map<string, string>();
  const result: SlashCommand[] = [];
  c.array(value, 'slashCommands')?.forEach((item, i) => {
    const path = at('slashCommands', i);
    const s = c.object(item, path);
    if (!s) return;
    const field = at(path, 'command');
    const command = c.string(s.command, field, { required: true, min: 1 });
    if (command !== undefined) {
      // independent rules, each reported: "hi there" both lacks the / and contains a space
      if (!command.startsWith('/')) c.fail(field, 'must start with /');
      else if (command.length === 1) c.fail(field, 'must have a name after /');
      if (charCount(command) > MANIFEST_LIMITS.command) c.fail(field, `must be at most ${MANIFEST_LIMITS.command} characters`);
      if (WHITESPACE.test(command)) c.fail(field, 'must not contain whitespace');
      // commands are matched case-insensitively, so /Hi and /hi are the same command
      const key = command.toLowerCase();
      const first = seen.get(key);
      if (first !== undefined) c.fail(field, `duplicate command ${command} (also ${first})`);
      else seen.set(key, path);
    }
    const url = triggerUrl(s.url, at(path, 'url'));
    const description = c.string(s.description, at(path, 'description'), { max: MANIFEST_LIMITS.description }) ?? null;
    const usageHint = c.string(s.usageHint, at(path, 'usageHint'), { max: MANIFEST_LIMITS.usageHint }) ?? null;
    if (command !== undefined) result.push({ command, url, description, usageHint });
  });
  return result;
}

interface CheckedEvents {
  url: string;
  events: EventName[];
  /** each subscribed event with the path of its first mention, for warnings */
  positions: Map<EventName, string>;
}

function checkEvents(c: FieldChecker, value: unknown, triggerUrl: TriggerUrl): CheckedEvents | undefined {
  const o = c.object(value, 'eventSubscriptions');
  if (!o) return undefined;
  const url = triggerUrl(o.url, 'eventSubscriptions.url');
  const positions = new Map<EventName, string>();
  c.array(o.events, 'eventSubscriptions.events')?.forEach((event, i) => {
    const field = at('eventSubscriptions.events', i);
    if (isEventName(event)) {
      if (!positions.has(event)) positions.set(event, field);
    } else if (typeof event === 'string') c.fail(field, `unknown event "${event}"`);
    else c.fail(field, 'must be a string');
  });
  return { url, events: [...positions.keys()], positions };
}

/**
 * An event whose scope the app requests neither for its bot nor for its users can never be
 * delivered; the spec accepts such manifests (rejecting them would break existing apps) and asks
 * for a warning instead.
 */
function eventScopeWarnings(positions: Map<EventName, string>, scopes: Manifest['scopes']): FieldError[] {
  const granted = new Set<Scope>([...scopes.botScopes, ...scopes.userScopes]);
  const warnings: FieldError[] = [];
  for (const [event, field] of positions) {
    const scope = EVENTS[event].requiredScope;
    if (scope && !granted.has(scope)) {
      warnings.push({ field, message: `${event} needs scope ${scope} in botScopes or userScopes; it will never be delivered` });
    }
  }
  return warnings;
}

function checkDynamicMenus(c: FieldChecker, value: unknown, triggerUrl: TriggerUrl): Manifest['dynamicMenus'] {
  const seen = new Map<string, string>();
  const result: Manifest['dynamicMenus'] = [];
  c.array(value, 'dynamicMenus', false)?.forEach((item, i) => {
    const path = at('dynamicMenus', i);
    const d = c.object(item, path);
    if (!d) return;
    const url = triggerUrl(d.url, at(path, 'url'));
    const onAction = c.string(d.onAction, at(path, 'onAction'), { required: true, min: 1, max: MANIFEST_LIMITS.onAction });
    if (onAction === undefined) return;
    // exact match, as onAction is matched exactly against the element's onAction (§7.5)
    const first = seen.get(onAction);
    if (first !== undefined) c.fail(at(path, 'onAction'), `duplicate onAction "${onAction}" (also ${first})`);
    else seen.set(onAction, path);
    result.push({ url, onAction });
  });
  return result;
}

function checkDefaultHomeView(c: FieldChecker, value: unknown): Manifest['defaultHomeView'] {
  const o = c.object(value, 'defaultHomeView', false);
  if (!o) return null;
  const enabled = c.boolean(o.enabled, 'defaultHomeView.enabled', true) ?? false;
  const blocks = c.array(o.blocks, 'defaultHomeView.blocks') ?? [];
  blocks.forEach((block, i) => {
    const path = at('defaultHomeView.blocks', i);
    if (isRecord(block) && typeof block.type === 'string' && block.type !== 'rich_text') {
      c.fail(path, `only rich_text blocks are allowed in the default home view (got ${block.type})`);
    } else c.errors.push(...validateBlock(block, 'home', path));
  });
  return { enabled, blocks: blocks as RichTextBlock[] };
}

function unique<T>(values: (T | undefined)[]): T[] {
  return [...new Set(values.filter((v): v is T => v !== undefined))];
}
