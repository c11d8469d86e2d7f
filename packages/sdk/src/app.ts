/**
 * An app: listeners for every trigger and event, dispatched from whichever receiver runs underneath
 * (socket mode in development, HTTP in production).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { exchangeCode } from './client.js';
import {
  BlockActionContext,
  DynamicMenuContext,
  EventContext,
  ShortcutContext,
  SlashCommandContext,
  TriggerContext,
  ViewActionContext,
  type TriggerReply,
  type Tokens,
} from './context.js';
import { consoleLogger, type Logger } from './logger.js';
import { RedirectServer, type RedirectServerOptions } from './redirect.js';
import { FileTokenStore, type TokenStore } from './token-store.js';
import { isEventEnvelope, type Envelope, type EventBodies, type EventEnvelope, type EventType, type Manifest, type OAuthTokens, type TriggerPayload } from './types.js';

export interface Receiver {
  start(app: App): Promise<void>;
  stop(): Promise<void>;
  /** true when the receiver serves the OAuth `/redirect` itself (the HTTP receiver) */
  readonly servesRedirect?: boolean;
  /**
   * How Switchboard reaches it: `'socket'` (the manifest must say `socketMode: true`) or `'http'`
   * (the manifest's URLs). Checked against the manifest at start; a receiver of your own may leave it out.
   */
  readonly transport?: 'socket' | 'http';
}

/** What a receiver knows about an envelope besides the envelope itself. */
export interface DispatchMeta {
  /**
   * The delivery id: the same on every attempt of one delivery (the `webhook-id` header over HTTP,
   * the frame's `correlation_id` in socket mode). Events get it as `ctx.deliveryId`.
   */
  deliveryId?: string;
}

export interface AppOptions {
  /** Switchboard's base URL. Default: SWITCHBOARD_URL, else PUMBLE_API_URL. */
  url?: string;
  /** Default: SWITCHBOARD_APP_ID / PUMBLE_APP_ID. */
  appId?: string;
  /** Default: SWITCHBOARD_APP_KEY / PUMBLE_APP_KEY. */
  appKey?: string;
  /** Default: SWITCHBOARD_CLIENT_SECRET / PUMBLE_APP_CLIENT_SECRET. */
  clientSecret?: string;
  /** Default: SWITCHBOARD_SIGNING_SECRET / PUMBLE_APP_SIGNING_SECRET. */
  signingSecret?: string;
  /** Default: a FileTokenStore at SWITCHBOARD_TOKEN_FILE, else .switchboard/tokens.json. */
  tokenStore?: TokenStore;
  /**
   * What receives envelopes. Default: socket mode when `socketMode` is true, or SWITCHBOARD_SOCKET_MODE
   * is set, or NODE_ENV is not "production"; otherwise HTTP on PORT (default 3001).
   */
  receiver?: Receiver;
  socketMode?: boolean;
  /** Served at GET /manifest by the HTTP receiver (secrets are never in it). */
  manifest?: Manifest;
  /**
   * Where the listeners are compared with the manifest at start (a command nobody listens to, a
   * listener for a command the manifest lacks: warnings). Default: `manifest`, else the
   * `manifest.json` of the working directory when there is one. `false`: no check.
   */
  manifestPath?: string | false;
  /**
   * Socket mode has no HTTP server, so no OAuth `/redirect`: opt into a tiny listener for it
   * (`true` = port 3001, or {port, host, path}). Default: on when SWITCHBOARD_REDIRECT_PORT is set.
   * The HTTP receiver always serves `/redirect` itself.
   */
  redirect?: boolean | RedirectServerOptions;
  /** Called with the OAuth `state` on the redirect; return false to refuse (apps must check it, §15). */
  verifyState?: (state: string | undefined) => boolean | Promise<boolean>;
  logger?: Logger;
}

type Handler<C> = (ctx: C) => unknown | Promise<unknown>;
type Matcher = string | RegExp;

interface EventOptions {
  /** NEW_MESSAGE/UPDATED_MESSAGE: only messages whose text includes this string or matches this pattern */
  match?: Matcher;
  /** message events: also the app's own bot's messages (default false) */
  includeBotMessages?: boolean;
}

const env = (...names: string[]) => names.map((n) => process.env[n]).find((v) => v !== undefined && v !== '');

/** A matcher as its listener was written: `'name'` or `/re/`. */
function show(m: Matcher): string {
  return typeof m === 'string' ? `'${m}'` : String(m);
}

function matches(m: Matcher, value: string | undefined, caseInsensitive = false): boolean {
  if (value === undefined) return false;
  if (typeof m !== 'string') return m.test(value);
  return caseInsensitive ? m.toLowerCase() === value.toLowerCase() : m === value;
}

/** How long a listener has to answer a trigger before Switchboard gives up (§9.1). */
const TRIGGER_DEADLINE_MS = 3000;

export class App {
  readonly url: string;
  readonly appId: string;
  readonly appKey: string;
  readonly clientSecret: string | undefined;
  readonly signingSecret: string | undefined;
  readonly tokenStore: TokenStore;
  readonly logger: Logger;
  readonly manifest: Manifest | undefined;
  readonly options: AppOptions;
  receiver: Receiver | undefined;
  /** the OAuth redirect listener of a socket-mode app, when it opted in (`redirect`) */
  redirectServer: RedirectServer | undefined;

  private commands: Array<[Matcher, Handler<SlashCommandContext>]> = [];
  private shortcuts: Array<['GLOBAL' | 'ON_MESSAGE', Matcher, Handler<ShortcutContext>]> = [];
  private actions: Array<[Matcher, Handler<BlockActionContext>]> = [];
  private submissions: Array<[Matcher, Handler<ViewActionContext>]> = [];
  private closes: Array<[Matcher, Handler<ViewActionContext>]> = [];
  private menus: Array<[Matcher, Handler<DynamicMenuContext>]> = [];
  private events: Array<[EventType | '*', EventOptions, Handler<EventContext<any>>]> = [];
  private installs: Array<(tokens: OAuthTokens) => unknown> = [];
  private errorHandlers: Array<(err: unknown, payload: Envelope) => unknown> = [];

  constructor(options: AppOptions = {}) {
    this.options = options;
    this.logger = options.logger ?? consoleLogger();
    const url = options.url ?? env('SWITCHBOARD_URL', 'PUMBLE_API_URL');
    const appId = options.appId ?? env('SWITCHBOARD_APP_ID', 'PUMBLE_APP_ID');
    const appKey = options.appKey ?? env('SWITCHBOARD_APP_KEY', 'PUMBLE_APP_KEY');
    const missing = [!url && 'SWITCHBOARD_URL', !appId && 'SWITCHBOARD_APP_ID', !appKey && 'SWITCHBOARD_APP_KEY'].filter(Boolean);
    if (missing.length) {
      throw new Error(`App: ${missing.join(', ')} not set. Run the app with \`switchboard dev\` (it sets them), or pass them to new App({url, appId, appKey, …}).`);
    }
    this.url = url!.replace(/\/+$/, '');
    this.appId = appId!;
    this.appKey = appKey!;
    this.clientSecret = options.clientSecret ?? env('SWITCHBOARD_CLIENT_SECRET', 'PUMBLE_APP_CLIENT_SECRET');
    this.signingSecret = options.signingSecret ?? env('SWITCHBOARD_SIGNING_SECRET', 'PUMBLE_APP_SIGNING_SECRET');
    this.tokenStore = options.tokenStore ?? new FileTokenStore(env('SWITCHBOARD_TOKEN_FILE') ?? '.switchboard/tokens.json');
    this.manifest = options.manifest;
    this.receiver = options.receiver;
  }

  // ---- listeners ---------------------------------------------------------------------------------

  /** A slash command, e.g. `/hello` (matched case-insensitively, the `/` optional). */
  command(command: Matcher, handler: Handler<SlashCommandContext>): this {
    const m = typeof command === 'string' ? (command.startsWith('/') ? command : `/${command}`) : command;
    this.commands.push([m, handler]);
    return this;
  }
  /** A global shortcut, by its manifest `name`. */
  globalShortcut(name: Matcher, handler: Handler<ShortcutContext>): this {
    this.shortcuts.push(['GLOBAL', name, handler]);
    return this;
  }
  /** A message shortcut, by its manifest `name`. */
  messageShortcut(name: Matcher, handler: Handler<ShortcutContext>): this {
    this.shortcuts.push(['ON_MESSAGE', name, handler]);
    return this;
  }
  /** A block interaction (button, select, …) by the element's `onAction`. */
  action(onAction: Matcher, handler: Handler<BlockActionContext>): this {
    this.actions.push([onAction, handler]);
    return this;
  }
  /** A modal submitted, by its `callbackId`. */
  viewSubmission(callbackId: Matcher, handler: Handler<ViewActionContext>): this {
    this.submissions.push([callbackId, handler]);
    return this;
  }
  /** A modal closed (only views with `notifyOnClose: true`), by its `callbackId`. */
  viewClosed(callbackId: Matcher, handler: Handler<ViewActionContext>): this {
    this.closes.push([callbackId, handler]);
    return this;
  }
  /** Options for a dynamic select menu, by its `onAction`: answer with `ctx.options([...])`. */
  dynamicMenu(onAction: Matcher, handler: Handler<DynamicMenuContext>): this {
    this.menus.push([onAction, handler]);
    return this;
  }
  /** An event of §8 (every listener of the type runs); `'*'` for all of them. */
  event<T extends EventType>(type: T | '*', handler: Handler<EventContext<T>>, options: EventOptions = {}): this {
    this.events.push([type, options, handler as Handler<EventContext<any>>]);
    return this;
  }
  /** After an OAuth redirect stored new tokens. */
  onInstall(handler: (tokens: OAuthTokens) => unknown): this {
    this.installs.push(handler);
    return this;
  }
  /** Errors thrown by listeners (they are logged either way). */
  onError(handler: (err: unknown, payload: Envelope) => unknown): this {
    this.errorHandlers.push(handler);
    return this;
  }

  // ---- running ----------------------------------------------------------------------------------------

  get socketMode(): boolean {
    if (this.options.socketMode !== undefined) return this.options.socketMode;
    const flag = env('SWITCHBOARD_SOCKET_MODE');
    if (flag !== undefined) return !['0', 'false', 'no'].includes(flag.toLowerCase());
    return process.env.NODE_ENV !== 'production';
  }

  async start(): Promise<this> {
    if (!this.receiver) {
      if (this.socketMode) {
        const { SocketReceiver } = await import('./receivers/socket.js');
        this.receiver = new SocketReceiver();
      } else {
        const { HttpReceiver } = await import('./receivers/http.js');
        this.receiver = new HttpReceiver({ port: Number(process.env.PORT ?? 3001) });
      }
    }
    this.warnAboutManifest();
    await this.receiver.start(this);
    const redirect = this.options.redirect ?? (env('SWITCHBOARD_REDIRECT_PORT') !== undefined ? { port: Number(env('SWITCHBOARD_REDIRECT_PORT')) } : false);
    if (redirect && !this.receiver.servesRedirect) {
      this.redirectServer = new RedirectServer(redirect === true ? {} : redirect);
      try {
        await this.redirectServer.start(this);
      } catch (err) {
        await this.receiver.stop();
        throw err;
      }
    }
    return this;
  }

  async stop(): Promise<void> {
    await this.redirectServer?.stop();
    await this.receiver?.stop();
  }

  private warnAboutManifest(): void {
    const path = this.options.manifestPath;
    if (path === false) return;
    let manifest: Partial<Manifest> | undefined = this.manifest;
    let where = 'the manifest';
    if (!manifest) {
      const file = resolve(path ?? 'manifest.json');
      if (!existsSync(file)) return;
      try {
        manifest = JSON.parse(readFileSync(file, 'utf8')) as Partial<Manifest>;
        where = path ?? 'manifest.json';
      } catch (err) {
        this.logger.warn(`${file} is not valid JSON (${(err as Error).message}): listeners not checked against it`);
        return;
      }
    }
    for (const w of this.checkManifest(manifest, where)) this.logger.warn(w);
  }

  /**
   * What does not match between the listeners and `manifest`: a slash command, shortcut or dynamic
   * menu with no listener (people get "no listener"), a listener the manifest does not route to
   * (it never fires), an event listened to but not subscribed, block action or view listeners
   * without the manifest's blockInteraction or viewAction (none ever fires), and an HTTP receiver
   * while the manifest says `socketMode: true` (Switchboard sends to a socket: nothing arrives).
   * Which action or view names exist is not checked: they live in the blocks the app sends.
   */
  checkManifest(manifest: Partial<Manifest>, where = 'manifest.json'): string[] {
    const out: string[] = [];
    // The receiver must be the transport the manifest asks Switchboard for: else nothing arrives.
    if (this.receiver?.transport === 'http' && manifest.socketMode === true) {
      const file = where.endsWith('.json') ? where : 'manifest.json';
      out.push(
        `${where} has socketMode: true, but this app listens over HTTP: Switchboard sends its events and triggers to a socket, not to PORT — nothing will arrive here. ` +
          `Run it in socket mode (SWITCHBOARD_SOCKET_MODE=1, or without NODE_ENV=production), or set "socketMode": false with URLs that reach this server and update the app (\`switchboard apps update ${this.appId} --manifest ${file}\`)`,
      );
    }
    const listened = (list: Matcher[], value: string, ci = false) => list.some((m) => matches(m, value, ci));
    const named = (list: Matcher[]) => list.filter((m): m is string => typeof m === 'string');
    const inManifest = (values: string[], m: string, ci = false) => values.some((v) => (ci ? v.toLowerCase() === m.toLowerCase() : v === m));

    const commands = (manifest.slashCommands ?? []).map((c) => c.command);
    const cmdListeners = this.commands.map(([m]) => m);
    for (const c of commands) {
      if (!listened(cmdListeners, c, true)) out.push(`${where} lists the slash command ${c}, but no app.command('${c}', …) listens: typing it answers "This app has no listener for ${c}."`);
    }
    for (const m of named(cmdListeners)) {
      if (!inManifest(commands, m, true)) out.push(`app.command('${m}') listens, but ${where} has no slash command ${m}: nobody can type it — add {"command": "${m}"} to its slashCommands`);
    }
    for (const [type, label, fn] of [
      ['GLOBAL', 'global shortcut', 'globalShortcut'],
      ['ON_MESSAGE', 'message shortcut', 'messageShortcut'],
    ] as const) {
      const names = (manifest.shortcuts ?? []).filter((s) => s.shortcutType === type).map((s) => s.name);
      const ls = this.shortcuts.filter(([t]) => t === type).map(([, m]) => m);
      for (const n of names) if (!listened(ls, n)) out.push(`${where} lists the ${label} "${n}", but no app.${fn}('${n}', …) listens`);
      for (const m of named(ls)) if (!inManifest(names, m)) out.push(`app.${fn}('${m}') listens, but ${where} has no ${label} named "${m}" (shortcutType ${type}): it never fires`);
    }
    const menus = (manifest.dynamicMenus ?? []).map((d) => d.onAction);
    const menuListeners = this.menus.map(([m]) => m);
    for (const n of menus) if (!listened(menuListeners, n)) out.push(`${where} lists the dynamic menu "${n}", but no app.dynamicMenu('${n}', …) answers it: the menu stays empty`);
    for (const m of named(menuListeners)) if (!inManifest(menus, m)) out.push(`app.dynamicMenu('${m}') answers, but ${where} has no dynamicMenus entry with onAction "${m}": Switchboard never asks it`);
    // Which block actions and views exist is in the blocks the app sends; that any listener can fire
    // at all is in the manifest: without these entries Switchboard sends none (the person sees an error).
    if (this.actions.length > 0 && !manifest.blockInteraction) {
      out.push(`app.action(…) listens, but ${where} has no blockInteraction: clicks on the app's buttons and menus are refused — add "blockInteraction": {"url": ""} (socket mode needs no URL)`);
    }
    const viewListeners = [...this.submissions.map(([m]) => `app.viewSubmission(${show(m)})`), ...this.closes.map(([m]) => `app.viewClosed(${show(m)})`)];
    if (viewListeners.length > 0 && !manifest.viewAction) {
      out.push(`${viewListeners[0]} listens, but ${where} has no viewAction: submitting or closing the app's modals is refused ("this app takes no view actions") — add "viewAction": {"url": ""} (socket mode needs no URL)`);
    }
    const events = (manifest.eventSubscriptions?.events ?? []) as string[];
    for (const [type] of this.events) {
      if (type === '*' || type === 'APP_UNINSTALLED' || type === 'APP_UNAUTHORIZED') continue;
      if (!events.includes(type)) out.push(`app.event('${type}') listens, but ${where} does not subscribe to ${type}: add it to eventSubscriptions.events`);
    }
    return out;
  }

  /** Exchanges an OAuth code (the `/redirect`'s) for tokens and stores them. */
  async completeOAuth(code: string, state?: string): Promise<OAuthTokens> {
    if (this.options.verifyState && !(await this.options.verifyState(state))) throw new Error('OAuth state refused');
    if (!this.clientSecret) throw new Error('OAuth: SWITCHBOARD_CLIENT_SECRET is not set');
    const tokens = await exchangeCode(this.url, { clientId: this.appId, clientSecret: this.clientSecret, code });
    await this.tokenStore.save(tokens);
    for (const h of this.installs) await h(tokens);
    return tokens;
  }

  /**
   * Runs one envelope through the listeners. `reply` gets the trigger's answer exactly once
   * (never for events). `meta.deliveryId` becomes the event context's `deliveryId`. Resolves when
   * the listeners are done.
   */
  async dispatch(envelope: Envelope, reply: (r: TriggerReply) => void, meta: DispatchMeta = {}): Promise<void> {
    if (isEventEnvelope(envelope)) return this.dispatchEvent(envelope, meta);
    const payload = envelope as TriggerPayload;
    let done = false;
    const once = (r: TriggerReply) => {
      if (done) return;
      done = true;
      clearTimeout(late);
      reply(r);
    };
    const late = setTimeout(() => {
      if (!done) this.logger.warn(`${describe(payload)}: not answered within ${TRIGGER_DEADLINE_MS} ms — call ctx.ack() first, then do the slow work`);
    }, TRIGGER_DEADLINE_MS - 200);
    late.unref?.();
    const found = this.route(payload);
    if (!found) {
      this.logger.warn(`${describe(payload)}: no listener`);
      once({ status: 404, message: `This app has no listener for ${describe(payload)}.` });
      return;
    }
    let ctx: TriggerContext<any>;
    try {
      ctx = new found.ctx(payload, await this.tokensFor(payload.workspaceId, payload.userId), this.logger, once);
    } catch (err) {
      once({ status: 500, message: 'The app failed to handle this.' });
      return this.failed(err, envelope);
    }
    try {
      await found.handler(ctx);
      if (!ctx.isAnswered) ctx.answer({ status: 200 }, 'ack');
    } catch (err) {
      if (!ctx.isAnswered) once({ status: 500, message: 'The app failed to handle this.' });
      await this.failed(err, envelope);
    }
  }

  private route(p: TriggerPayload): { ctx: new (...a: any[]) => TriggerContext<any>; handler: Handler<any> } | undefined {
    switch (p.messageType) {
      case 'SLASH_COMMAND': {
        const h = this.commands.find(([m]) => matches(m, p.slashCommand, true));
        return h && { ctx: SlashCommandContext, handler: h[1] };
      }
      case 'SHORTCUT': {
        const h = this.shortcuts.find(([type, m]) => type === p.type && matches(m, p.shortcut));
        return h && { ctx: ShortcutContext, handler: h[2] };
      }
      case 'BLOCK_INTERACTION': {
        const h = this.actions.find(([m]) => matches(m, p.onAction));
        return h && { ctx: BlockActionContext, handler: h[1] };
      }
      case 'VIEW_ACTION': {
        const list = p.viewActionType === 'CLOSE' ? this.closes : this.submissions;
        const h = list.find(([m]) => matches(m, p.view?.callbackId ?? ''));
        return h && { ctx: ViewActionContext, handler: h[1] };
      }
      case 'DYNAMIC_MENU': {
        const h = this.menus.find(([m]) => matches(m, p.onAction));
        return h && { ctx: DynamicMenuContext, handler: h[1] };
      }
      default:
        return undefined;
    }
  }

  private async dispatchEvent(envelope: EventEnvelope, meta: DispatchMeta): Promise<void> {
    let body: Record<string, any>;
    try {
      body = typeof envelope.body === 'string' ? JSON.parse(envelope.body) : (envelope.body as Record<string, any>);
    } catch (err) {
      this.logger.warn(`${envelope.eventType}: body is not JSON`);
      return;
    }
    const type = envelope.eventType as EventType;
    const listeners = this.events.filter(([t]) => t === type || t === '*');
    if (listeners.length) {
      const actor = typeof body.aId === 'string' ? body.aId : typeof body.uId === 'string' ? body.uId : undefined;
      const tokens = await this.tokensFor(envelope.workspaceId, actor);
      const isMessage = type === 'NEW_MESSAGE' || type === 'UPDATED_MESSAGE';
      for (const [, opts, handler] of listeners) {
        if (isMessage) {
          if (!opts.includeBotMessages && tokens.botUserId && body.aId === tokens.botUserId) continue;
          if (opts.match !== undefined) {
            const tx = String(body.tx ?? '');
            if (typeof opts.match === 'string' ? !tx.includes(opts.match) : !opts.match.test(tx)) continue;
          }
        }
        try {
          await handler(new EventContext(envelope, body as EventBodies[EventType], tokens, this.logger, meta.deliveryId));
        } catch (err) {
          await this.failed(err, envelope);
        }
      }
    }
    // Tokens end with the installation or the authorization: forget them.
    if (type === 'APP_UNINSTALLED') await this.tokenStore.deleteWorkspace(String(body.workspace ?? envelope.workspaceId));
    if (type === 'APP_UNAUTHORIZED' && typeof body.workspaceUser === 'string') {
      await this.tokenStore.deleteUser(String(body.workspace ?? envelope.workspaceId), body.workspaceUser);
    }
  }

  private async tokensFor(workspaceId: string, userId: string | undefined): Promise<Tokens> {
    const [botToken, botUserId, userToken] = await Promise.all([
      this.tokenStore.getBotToken(workspaceId),
      this.tokenStore.getBotUserId(workspaceId),
      userId ? this.tokenStore.getUserToken(workspaceId, userId) : Promise.resolve(undefined),
    ]);
    return { baseUrl: this.url, appKey: this.appKey, ...(botToken && { botToken }), ...(botUserId && { botUserId }), ...(userToken && { userToken }) };
  }

  private async failed(err: unknown, envelope: Envelope): Promise<void> {
    this.logger.error(`${describe(envelope)}: listener failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    for (const h of this.errorHandlers) {
      try {
        await h(err, envelope);
      } catch {
        /* an error handler's own error is not reported again */
      }
    }
  }
}

function describe(e: Envelope): string {
  switch (e.messageType) {
    case 'SLASH_COMMAND':
      return e.slashCommand;
    case 'SHORTCUT':
      return `${e.type === 'GLOBAL' ? 'global' : 'message'} shortcut ${e.shortcut}`;
    case 'BLOCK_INTERACTION':
      return `action ${e.onAction}`;
    case 'VIEW_ACTION':
      return `view ${e.viewActionType === 'CLOSE' ? 'close' : 'submission'} ${e.view?.callbackId ?? ''}`;
    case 'DYNAMIC_MENU':
      return `dynamic menu ${e.onAction}`;
    default:
      return `event ${e.eventType}`;
  }
}
