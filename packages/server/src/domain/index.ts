import type { ChatStore } from './ports/chat-store.js';
import { Accounts } from './accounts.js';
import { Channels } from './channels.js';
import { channelRenamed } from './cascades.js';
import type { CoreContext } from './context.js';
import type { NoticeSink } from './events.js';
import { Messages } from './messages.js';
import { ReadMarkers } from './read-markers.js';
import { NotificationLevels } from './notification-levels.js';
import { LocalPresenceRegistry, Presence } from './presence.js';
import type { PresenceRegistry } from './ports/presence.js';
import { Pins, SavedMessages } from './pins.js';
import { Files, noFileStorage } from './files.js';
import { Avatars } from './avatars.js';
import { MessageRetention } from './retention.js';
import { LinkPreviews, type LinkFetcher } from './link-previews.js';
import type { FileStorage, ImageProcessor } from './ports/file-storage.js';
import { ScheduledMessages } from './scheduled-messages.js';
import { Apps } from './apps/apps.js';
import { DeveloperTokens } from './apps/developer-tokens.js';
import { ToolingLogin } from './apps/tooling-login.js';
import { noMailer, type Mailer } from './mailer.js';
import { Installs } from './apps/installs.js';
import { SlashCommands } from './apps/commands.js';
import { Views } from './apps/views.js';
import { TriggerRunner } from './apps/trigger-runner.js';
import { Interactions } from './apps/interactions.js';
import { AppDeliveryNotices } from './apps/app-notices.js';
import type { TriggerSender } from './apps/triggers.js';
import { Keyring } from './keyring.js';
import { UserGroups } from './user-groups.js';
import { BuiltinTriggerRouter } from './apps/builtin-apps.js';
import { SocketMode } from './apps/socket-mode.js';
import { ApiKeys } from './addons/api-keys/keys.js';
import { ApiKeysApp } from './addons/api-keys/app.js';
import { API_KEYS_BUILTIN, apiKeysManifest } from './addons/api-keys/manifest.js';
import type { RateLimiter } from './ports/rate-limiter.js';
import type { SocketLiveness } from './ports/app-sockets.js';
import { RolePermissions } from './integrations/roles.js';
import { Integrations } from './integrations/integrations.js';
import { IntegrationPoster } from './integrations/poster.js';
import { IncomingHooks } from './integrations/incoming-hooks.js';
import { OutgoingWebhooks } from './integrations/outgoing-webhooks.js';
import type { IntegrationScripts } from './integrations/scripts-port.js';
import type { OutgoingRenderer } from './integrations/outgoing-events.js';

/** The domain core: every surface calls these services, none of them speaks HTTP. */
export interface Core {
  accounts: Accounts;
  apps: Apps;
  installs: Installs;
  commands: SlashCommands;
  /** docs/app-platform.md §9.3, §11.2: modals and home views */
  views: Views;
  /** docs/app-platform.md §7.2–§7.5, §9.4: shortcuts, block interactions, view actions, dynamic menus, loading states */
  interactions: Interactions;
  /** docs/delivery.md §5, §7: DMs from the system bot about an app's failing or disabled event deliveries */
  appNotices: AppDeliveryNotices;
  developerTokens: DeveloperTokens;
  /** docs/app-platform.md §4.1: e-mail code → exchange token → developer tokens */
  toolingLogin: ToolingLogin;
  channels: Channels;
  messages: Messages;
  scheduled: ScheduledMessages;
  apiKeys: ApiKeys;
  userGroups: UserGroups;
  apiKeysApp: ApiKeysApp;
  /** built-in apps, installed like any app, answered in-process */
  builtins: BuiltinTriggerRouter;
  /** docs/integrations.md: the Rocket.Chat permission model, integration management, incoming and outgoing webhooks */
  roles: RolePermissions;
  integrations: Integrations;
  integrationPoster: IntegrationPoster;
  incomingHooks: IncomingHooks;
  outgoingWebhooks: OutgoingWebhooks;
  /** docs/app-platform.md §10: socket mode's handshake tickets and live socket registry */
  socketMode: SocketMode;
  /** docs/web-client.md §5: read markers and typing */
  reads: ReadMarkers;
  /** docs/web-client.md §4, §5: who is online (live only) */
  presence: Presence;
  /** docs/web-client.md §6.8: each membership's notification level */
  notificationLevels: NotificationLevels;
  /** docs/web-client.md §6.1: pinned messages (the channel's) and saved messages (the person's) */
  pins: Pins;
  saved: SavedMessages;
  /** docs/pumble-app-platform.md §11.2: uploads, downloads, signed URLs, public links, the orphan sweep */
  files: Files;
  /** docs/web-client.md §6.8: people's avatar images */
  avatars: Avatars;
  /** docs/web-client.md §7: the workspace's message retention, swept by the housekeeping */
  retention: MessageRetention;
  /** docs/web-client.md §6.1: link previews — the workspace setting, the jobs, the author's removal */
  linkPreviews: LinkPreviews;
  /** Creates each workspace's copy of the built-in apps (at start, and after a workspace is created). */
  ensureBuiltinApps(): Promise<void>;
}

/** Without a sender (tools, benchmarks) every trigger fails as an unreachable app would. */
const unreachableApps: TriggerSender = {
  async send() {
    return { outcome: { kind: 'failure', reason: 'no trigger sender configured' }, deliveryId: '', durationMs: 0 };
  },
};

/** Tools and benchmarks without a sandbox: scripts neither compile nor run, and hooks with one fail closed. */
const scriptsUnavailable: IntegrationScripts = {
  setting: 'disabled',
  async compile() {
    return { ok: false, error: { name: 'Error', message: 'integration scripts are not available here', stack: '' } };
  },
  async hasMethod() {
    return false;
  },
  async call() {
    return { ok: false, error: { kind: 'compile', message: 'integration scripts are not available here' }, console: [] };
  },
  forget() {},
};

/**
 * Tools and benchmarks without the Rocket.Chat surface: outgoing webhooks cannot be rendered, so an
 * attempt or a replay fails as a server error would (the server hands in the surface's renderer).
 */
const outgoingUnrendered: OutgoingRenderer = {
  occurrences() {
    throw new Error('outgoing webhooks are not rendered here');
  },
  payload() {
    throw new Error('outgoing webhooks are not rendered here');
  },
  references() {
    throw new Error('outgoing webhooks are not rendered here');
  },
  readPayload() {
    throw new Error('outgoing webhooks are not rendered here');
  },
  httpCall() {
    throw new Error('outgoing webhooks are not rendered here');
  },
};

export function createCore(
  store: ChatStore,
  sink: NoticeSink,
  opts: {
    keyring?: Keyring;
    /** counters across requests and nodes (limits/: in memory, or Redis) */
    limiter: RateLimiter;
    triggerSender?: TriggerSender;
    now?: () => number;
    onOutboxWrite?: () => void;
    /** the URL people reach this server at, for links in the built-in apps' messages */
    publicUrl?: () => string;
    /** the integration script sandbox; without one, scripts count as disabled server-wide */
    scripts?: IntegrationScripts;
    /** docs/integrations.md §7.2: per-hook rate limits (default on) */
    hookRateLimits?: boolean;
    /** docs/integrations.md §8.4, §8.5: outgoing webhooks on the wire (the Rocket.Chat surface's, docs/architecture.md §3.5) */
    outgoingRenderer?: OutgoingRenderer;
    /** how mail leaves (the tooling login's codes); without one, every mail fails */
    mailer?: Mailer;
    /** where files' bytes go (disk or S3) and the image processor; without them, uploads are refused */
    files?: { storage: FileStorage; images?: ImageProcessor; maxBytes: number };
    /** which registered app sockets are really open (realtime's answer); without it, all of them */
    socketLiveness?: SocketLiveness;
    /** how linked pages are fetched for previews (outbound/, through the SSRF guard); without it, none are */
    linkFetcher?: LinkFetcher;
    /** who holds whom across nodes (realtime's answer); without it, this process alone */
    presence?: { registry: PresenceRegistry; onError?: (err: unknown) => void };
  },
): Core {
  const now = opts.now ?? Date.now;
  const ctx: CoreContext = {
    store,
    sink,
    now,
    limiter: opts.limiter,
    ...(opts.onOutboxWrite && { onOutboxWrite: opts.onOutboxWrite }),
  };
  // Without a configured key (tools, some tests) secrets are sealed with a key of this process alone.
  const keyring = opts.keyring ?? new Keyring(Keyring.generateKey());
  const channels = new Channels(ctx, channelRenamed);
  const files = new Files(ctx, {
    storage: opts.files?.storage ?? noFileStorage,
    ...(opts.files?.images && { images: opts.files.images }),
    keyring,
    publicUrl: opts.publicUrl ?? (() => 'http://localhost:3000'),
    maxBytes: opts.files?.maxBytes ?? 100 * 1024 * 1024,
  });
  const messages = new Messages(ctx, files);
  // The server sends triggers, events and outgoing webhooks through one guarded agent, so the
  // trigger sender's policy is the one to warn by when a saved URL is going to be refused.
  const outbound = opts.triggerSender?.outboundPolicy;
  const apps = new Apps(ctx, keyring, outbound);
  const apiKeys = new ApiKeys(ctx, channels);
  const publicUrl = opts.publicUrl ?? (() => 'http://localhost:3000');
  const builtins = new BuiltinTriggerRouter(opts.triggerSender ?? unreachableApps);
  const apiKeysApp = new ApiKeysApp(ctx, apiKeys, messages, channels, publicUrl);
  builtins.register(apiKeysApp);
  // Every trigger's answer, whatever carried it (HTTP, a socket, a built-in app), is read in one place.
  const views = new Views(ctx, builtins);
  // Key changes from any path re-render the person's open API page (docs/api-keys.md §2.2).
  apiKeysApp.refreshHomesThrough(views);
  const runner = new TriggerRunner(ctx, keyring, messages, channels, builtins, views);
  const roles = new RolePermissions(ctx);
  const scripts = opts.scripts ?? scriptsUnavailable;
  const integrationPoster = new IntegrationPoster(ctx, roles, channels);
  const outgoingWebhooks = new OutgoingWebhooks(ctx, { scripts, poster: integrationPoster, renderer: opts.outgoingRenderer ?? outgoingUnrendered, publicUrl });
  const developerTokens = new DeveloperTokens(ctx, keyring);
  const accounts = new Accounts(ctx);
  return {
    accounts,
    avatars: new Avatars(accounts, {
      storage: opts.files?.storage ?? noFileStorage,
      ...(opts.files?.images && { images: opts.files.images }),
      maxBytes: opts.files?.maxBytes ?? 100 * 1024 * 1024,
    }),
    retention: new MessageRetention(ctx, messages),
    apps,
    installs: new Installs(ctx, keyring, channels, messages),
    commands: new SlashCommands(ctx, runner, messages, builtins),
    views,
    interactions: new Interactions(ctx, runner, views),
    appNotices: new AppDeliveryNotices(ctx, channels, publicUrl),
    developerTokens,
    toolingLogin: new ToolingLogin(ctx, developerTokens, opts.mailer ?? noMailer, publicUrl),
    channels,
    messages,
    scheduled: new ScheduledMessages(ctx),
    apiKeys,
    apiKeysApp,
    userGroups: new UserGroups(ctx),
    builtins,
    roles,
    integrations: new Integrations(ctx, roles, scripts, outgoingWebhooks, outbound),
    integrationPoster,
    incomingHooks: new IncomingHooks(ctx, { scripts, poster: integrationPoster, roles, rateLimits: opts.hookRateLimits ?? true }),
    outgoingWebhooks,
    files,
    socketMode: new SocketMode(ctx, opts.socketLiveness),
    reads: new ReadMarkers(ctx),
    linkPreviews: new LinkPreviews(ctx, opts.linkFetcher, publicUrl),
    presence: new Presence(ctx, opts.presence?.registry ?? new LocalPresenceRegistry(), { ...(opts.presence?.onError && { onError: opts.presence.onError }) }),
    notificationLevels: new NotificationLevels(ctx),
    pins: new Pins(ctx),
    saved: new SavedMessages(ctx),
    async ensureBuiltinApps() {
      for (const workspaceId of await store.workspaceIds()) await apps.ensureBuiltin(workspaceId, API_KEYS_BUILTIN, apiKeysManifest(publicUrl()));
    },
  };
}
