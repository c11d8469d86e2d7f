/**
 * An app: listeners for every trigger and event, dispatched from whichever receiver runs underneath
 * (socket mode in development, HTTP in production).
 */
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
import { FileTokenStore, type TokenStore } from './token-store.js';
import type { Envelope, EventBodies, EventEnvelope, EventType, Manifest, OAuthTokens, TriggerPayload } from './types.js';

export interface Receiver {
  start(app: App): Promise<void>;
  stop(): Promise<void>;
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
    await this.receiver.start(this);
    return this;
  }

  async stop(): Promise<void> {
    await this.receiver?.stop();
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
   * (never for events). Resolves when the listeners are done.
   */
  async dispatch(envelope: Envelope, reply: (r: TriggerReply) => void): Promise<void> {
    if (envelope.messageType === 'PUMBLE_EVENT' || envelope.messageType === 'APP_EVENT') return this.dispatchEvent(envelope);
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

  private async dispatchEvent(envelope: EventEnvelope): Promise<void> {
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
          await handler(new EventContext(envelope, body as EventBodies[EventType], tokens, this.logger));
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
