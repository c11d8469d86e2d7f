/**
 * What a listener gets: the payload, clients bound to the right tokens, and the ways to answer —
 * `ack`/`nack` and the view answers (`openModal`, `pushModal`, `updateView`) are the reply to the
 * trigger (one of them, within 3 s); `say*`, `publishHome` and `complete` call the `/v1` API.
 */
import type { View } from './blocks.js';
import { SwitchboardApiError, SwitchboardClient, type MessageBody } from './client.js';
import type { Logger } from './logger.js';
import type {
  BlockInteractionPayload,
  DynamicMenuPayload,
  EventBodies,
  EventEnvelope,
  EventType,
  Message,
  ShortcutPayload,
  SlashCommandPayload,
  TriggerPayload,
  ViewActionPayload,
} from './types.js';
import type { Option, OptionGroup } from './blocks.js';

/** A trigger's answer, read by Switchboard like an HTTP status and body (§9.1). */
export interface TriggerReply {
  status: number;
  message?: string;
  body?: unknown;
}

export interface Tokens {
  baseUrl: string;
  appKey: string;
  botToken?: string;
  botUserId?: string;
  userToken?: string;
}

export class NoTokenError extends Error {
  constructor(what: string, workspaceId: string) {
    super(
      `No ${what} for workspace ${workspaceId}: install the app into the workspace (\`switchboard dev\` does it; ` +
        `or send people to the consent page and let the OAuth redirect store the tokens).`,
    );
    this.name = 'NoTokenError';
  }
}

type Say = string | MessageBody;

abstract class BaseContext {
  readonly botClient: SwitchboardClient | undefined;
  readonly userClient: SwitchboardClient | undefined;
  readonly botUserId: string | undefined;

  constructor(
    readonly workspaceId: string,
    protected readonly tokens: Tokens,
    readonly logger: Logger,
  ) {
    const client = (token: string) => new SwitchboardClient({ baseUrl: tokens.baseUrl, token, appKey: tokens.appKey });
    this.botClient = tokens.botToken ? client(tokens.botToken) : undefined;
    this.userClient = tokens.userToken ? client(tokens.userToken) : undefined;
    this.botUserId = tokens.botUserId;
  }

  /** The bot's client when the app has a bot, else the acting person's; throws when it has neither. */
  get client(): SwitchboardClient {
    const c = this.botClient ?? this.userClient;
    if (!c) throw new NoTokenError('bot or user token', this.workspaceId);
    return c;
  }

  protected get bot(): SwitchboardClient {
    if (!this.botClient) throw new NoTokenError('bot token', this.workspaceId);
    return this.botClient;
  }

  /** Replaces `userId`'s home view of this app, as the bot. */
  async publishHome(userId: string, view: Pick<View, 'blocks'> & Partial<View>): Promise<void> {
    await this.bot.views.publishHome(userId, view);
  }

  /** The DM between the bot and `userId` (found or created). */
  protected async directWith(userId: string): Promise<string> {
    if (!this.botUserId) throw new NoTokenError('bot user', this.workspaceId);
    try {
      return (await this.bot.channels.openDirect(this.botUserId, [userId])).channel.id;
    } catch (err) {
      // Where nothing happened in a channel (a home-view button, a modal opened from one), say*
      // posts in the bot's DM, which takes a scope the app may never have thought of asking for.
      if (err instanceof SwitchboardApiError && err.status === 403) {
        err.message += ` — with no channel to post in (the trigger came from a home view or a modal opened there), say() and sayEphemeral() post in the bot's DM, which needs the bot scope channels:write: add it to manifest.json's scopes.botScopes and reinstall`;
      }
      throw err;
    }
  }
}

// ---- triggers --------------------------------------------------------------------------------------

export class TriggerContext<P extends TriggerPayload = TriggerPayload> extends BaseContext {
  private answered = false;

  constructor(
    readonly payload: P,
    tokens: Tokens,
    logger: Logger,
    private readonly reply: (r: TriggerReply) => void,
  ) {
    super(payload.workspaceId, tokens, logger);
  }

  get userId(): string {
    return this.payload.userId;
  }
  get triggerId(): string {
    return this.payload.triggerId;
  }
  get channelId(): string | undefined {
    return (this.payload as { channelId?: string }).channelId;
  }
  /** Whether the trigger has been answered (by ack, nack or a view). */
  get isAnswered(): boolean {
    return this.answered;
  }

  /** @internal */
  answer(r: TriggerReply, what: string): void {
    if (this.answered) throw new Error(`${what}: this trigger was already answered (a trigger gets one answer: ack, nack or a view)`);
    this.answered = true;
    this.reply(r);
  }

  /** Acknowledges within 3 s; `text` reaches the person as an ephemeral message. */
  async ack(text?: string): Promise<void> {
    this.answer({ status: 200, ...(text && { message: text }) }, 'ack()');
  }

  /** Refuses: the person sees `message` (an error banner on a modal submit). */
  async nack(message: string, status = 400): Promise<void> {
    this.answer({ status, message }, 'nack()');
  }

  /** Posts to the channel where it happened, as the bot (in the bot's DM for home-view buttons). */
  async say(msg: Say): Promise<Message> {
    return this.bot.messages.post(this.channelId ?? (await this.directWith(this.userId)), msg);
  }

  /** Replies in the thread: the thread it happened in, else the message it is about. */
  async sayInThread(msg: Say): Promise<Message> {
    const root = this.threadRoot();
    if (!root || !this.channelId) return this.say(msg);
    return this.bot.messages.reply(this.channelId, root, msg);
  }

  /** A message only the acting person sees (in the thread, if it happened in one). */
  async sayEphemeral(msg: Say): Promise<Message> {
    const channel = this.channelId ?? (await this.directWith(this.userId));
    return this.bot.messages.postEphemeral(channel, [this.userId], msg, (this.payload as { threadRootId?: string }).threadRootId);
  }

  protected threadRoot(): string | undefined {
    const p = this.payload as { threadRootId?: string; messageId?: string; sourceType?: string; sourceId?: string };
    if (p.threadRootId) return p.threadRootId;
    if (p.messageId) return p.messageId;
    if (p.sourceType === 'MESSAGE') return p.sourceId;
    return undefined;
  }

  private viewAnswer(view: View, action: 'OPEN' | 'PUSH' | 'UPDATE', what: string): void {
    this.answer({ status: 200, message: 'ok', body: { triggerId: this.triggerId, view, viewType: 'NATIVE', action } }, what);
  }

  /** The view this trigger came from (a modal's button, a submit), if any. */
  get currentViewId(): string | undefined {
    const p = this.payload as { view?: { id?: string }; sourceType?: string; sourceId?: string };
    return p.view?.id ?? (p.sourceType === 'VIEW' ? p.sourceId : undefined);
  }

  /** Opens a modal. It is the answer to the trigger: call it instead of `ack()`, within 3 s. */
  async openModal(view: View): Promise<void> {
    this.viewAnswer({ ...view, type: 'MODAL' }, 'OPEN', 'openModal()');
  }

  /** Pushes a modal over the current one (at most 3 deep). Instead of `ack()`. */
  async pushModal(view: View): Promise<void> {
    const parentViewId = view.parentViewId ?? this.currentViewId;
    this.viewAnswer({ ...view, type: 'MODAL', ...(parentViewId && { parentViewId }) }, 'PUSH', 'pushModal()');
  }

  /** Replaces a view (the current one unless `view.id` says otherwise). Instead of `ack()`. */
  async updateView(view: View): Promise<void> {
    const id = view.id ?? this.currentViewId;
    if (!id) throw new Error('updateView(): no view to update (give view.id)');
    this.viewAnswer({ ...view, id }, 'UPDATE', 'updateView()');
  }
}

export class SlashCommandContext extends TriggerContext<SlashCommandPayload> {
  get command(): string {
    return this.payload.slashCommand;
  }
  get text(): string {
    return this.payload.text;
  }
}

export class ShortcutContext extends TriggerContext<ShortcutPayload> {
  /** The message a message shortcut was run on, read as the person when possible, else as the bot. */
  async fetchMessage(): Promise<Message | undefined> {
    const id = this.payload.messageId;
    if (!id) return undefined;
    for (const c of [this.userClient, this.botClient]) {
      if (!c) continue;
      try {
        return await c.messages.get(this.payload.channelId, id);
      } catch {
        /* try the next */
      }
    }
    return undefined;
  }
}

export class BlockActionContext extends TriggerContext<BlockInteractionPayload> {
  /** The payload's `value` (`values` for checkboxes), decoded. */
  get value(): unknown {
    try {
      const p = JSON.parse(this.payload.payload) as { value?: unknown; values?: unknown };
      return p.values !== undefined && p.value === undefined ? p.values : p.value;
    } catch {
      return undefined;
    }
  }

  /**
   * Ends the element's loading state (§9.4). Needs the interacting person's user token: the person
   * must have authorised the app's user scopes.
   */
  async complete(): Promise<void> {
    if (!this.userClient) {
      throw new Error(`complete() needs ${this.userId}'s user token: that person has not authorised the app (user scopes) — the loading state ends by itself after loadingTimeout`);
    }
    const p = this.payload;
    await this.userClient.interactions.complete({ triggerId: p.triggerId, sourceType: p.sourceType, sourceId: p.sourceId, ...(p.channelId && { channelId: p.channelId }) });
  }
}

export class ViewActionContext extends TriggerContext<ViewActionPayload> {
  get view(): ViewActionPayload['view'] {
    return this.payload.view;
  }
  get values(): NonNullable<View['state']>['values'] {
    return this.payload.view.state?.values ?? {};
  }
}

export class DynamicMenuContext extends TriggerContext<DynamicMenuPayload> {
  get query(): string {
    return this.payload.query ?? '';
  }
  /** Answers with the menu's options (≤ 100). Instead of `ack()`. */
  async options(options: Option[] | OptionGroup[]): Promise<void> {
    this.answer({ status: 200, message: 'ok', body: { onAction: this.payload.onAction, options, triggerId: this.triggerId } }, 'options()');
  }
}

// ---- events -------------------------------------------------------------------------------------

export class EventContext<T extends EventType = EventType> extends BaseContext {
  constructor(
    readonly payload: EventEnvelope,
    readonly body: EventBodies[T],
    tokens: Tokens,
    logger: Logger,
    /**
     * The delivery id, the same on every attempt (`webhook-id` over HTTP, `correlation_id` in socket
     * mode); undefined when the receiver had none. Events come at least once: the receivers drop a
     * repeat they have seen, but after a restart of the app only this id tells one apart.
     */
    readonly deliveryId?: string,
  ) {
    super(payload.workspaceId, tokens, logger);
  }

  get eventType(): T {
    return this.payload.eventType as T;
  }

  private get b(): { cId?: string; mId?: string; trId?: string } {
    return this.body as { cId?: string; mId?: string; trId?: string };
  }

  /** Posts in the event's channel as the bot (events without a channel cannot `say`). */
  async say(msg: Say): Promise<Message> {
    if (!this.b.cId) throw new Error(`say(): a ${this.eventType} event has no channel`);
    return this.bot.messages.post(this.b.cId, msg);
  }

  /** Replies in the thread of the event's message. */
  async sayInThread(msg: Say): Promise<Message> {
    const root = this.b.trId || this.b.mId;
    if (!this.b.cId || !root) return this.say(msg);
    return this.bot.messages.reply(this.b.cId, root, msg);
  }
}
