/**
 * What a person does with apps, besides slash commands (docs/app-platform.md §7.2–§7.5, §9.3–§9.5,
 * §11.2): listing apps' commands and shortcuts, running shortcuts, interacting with elements of
 * messages, ephemeral messages and views, submitting and closing modals, loading a dynamic menu's
 * options, reading a home view; and, for apps, ending a loading state. Every trigger goes through
 * the one TriggerRunner.
 */
import { commit, type CoreContext } from '../context.js';
import { inInstallOrder } from './commands.js';
import { visibleChannel } from '../channels.js';
import { validateOptionList } from '../blocks.js';
import { conflict, DomainError, forbidden, invalid, notFound } from '../errors.js';
import { isId, newId } from '../ids.js';
import type { User } from '../model.js';
import type { App } from '../ports/chat-store.js';
import type { InteractionLoad, View } from '../ports/views.js';
import { actionTypeOf, findElement, interactionPayload, messageBlocks, triggersInteraction, type FoundElement, type InteractionInput } from './view-state.js';
import { endLoad, type Settlement, type TriggerRunner } from './trigger-runner.js';
import { Views } from './views.js';

export type SourceType = 'MESSAGE' | 'EPHEMERAL_MESSAGE' | 'VIEW';

export const INTERACTION_LIMITS = {
  /** docs/app-platform.md §9.4 (decision): /v1/interactions/complete knows a trigger this long */
  completeWithinMs: 60_000,
  /** dynamic menus: a request per keystroke at most this often per person (decision) */
  menuRequestsPerSecond: 10,
  /**
   * A submit in flight refuses another of the same view (409) until it settles, or at the latest
   * this long after (a node that died mid-submit); the trigger itself waits 3 s (§9.1).
   */
  submitInFlightMs: 10_000,
} as const;

/** The runner never throws for a sender's exception; the caller's `settled` rejects with it, so the route logs it. */
function settledOf(run: Promise<Settlement>): Promise<void> {
  return run.then((s) => {
    if (s.error !== undefined) throw s.error;
  });
}

export interface SourceRef {
  sourceType: SourceType;
  sourceId: string;
  /** required for messages and ephemeral messages; a view knows its own */
  channelId?: string;
  blockId?: string;
  onAction: string;
  /** the clicked element's value, as the client shows it: tells buttons sharing an onAction apart */
  payload?: InteractionInput;
}

export interface BlockInteractionInput extends SourceRef {
  /** checked against the element when given (the server computes it) */
  actionType?: string;
  payload?: InteractionInput;
  /** VIEW: the values of the view's inputs as the person has them now */
  state?: unknown;
}

export interface ShortcutInput {
  appId: string;
  name: string;
  channelId: string;
  threadRootId?: string;
  messageId?: string;
}

/** A source the person may see, the app behind it and the element named. */
interface Resolved {
  app: App;
  botUserId: string | null;
  channelId: string | null;
  threadRootId: string | null;
  view?: View;
  /** undefined: an ephemeral message from before migration 0016, not checked */
  element: FoundElement | undefined;
}

export class Interactions {
  constructor(
    private readonly ctx: CoreContext,
    private readonly runner: TriggerRunner,
    private readonly views: Views,
  ) {}

  /**
   * The installed apps' slash commands and shortcuts (autocomplete, menus), app by app in install
   * order: of two apps with one command, the first listed is the one a typed command goes to.
   */
  async appActions(actor: User) {
    const slashCommands: Array<{ appId: string; appName: string; command: string; description: string | null; usageHint: string | null }> = [];
    const shortcuts: Array<{ appId: string; appName: string; shortcutType: string; name: string; displayName: string; description: string | null }> = [];
    for (const inst of inInstallOrder(await this.ctx.store.installationsInWorkspace(actor.workspaceId))) {
      const app = await this.ctx.store.app(inst.appId);
      if (!app) continue;
      const appName = app.manifest.displayName;
      for (const c of app.manifest.slashCommands) slashCommands.push({ appId: app.id, appName, command: c.command, description: c.description, usageHint: c.usageHint });
      for (const s of app.manifest.shortcuts) shortcuts.push({ appId: app.id, appName, shortcutType: s.shortcutType, name: s.name, displayName: s.displayName, description: s.description });
    }
    return { slashCommands, shortcuts };
  }

  /** A global shortcut in a channel, or a message shortcut on a message the person sees → SHORTCUT (§7.2). */
  async runShortcut(actor: User, input: ShortcutInput): Promise<{ triggerId: string; settled: Promise<void> }> {
    await this.runner.admit(actor);
    const { app, botUserId } = await this.installedApp(actor, input.appId);
    const shortcut = app.manifest.shortcuts.find((s) => s.name === input.name);
    if (!shortcut) throw notFound('Shortcut');
    const { channel, isMember } = await visibleChannel(this.ctx.store, actor, input.channelId);
    const t = this.ctx.now();
    const triggerId = newId(t);
    let envelope: Record<string, unknown>;
    // Where the app's ephemeral answers go (trigger-runner.ts `tell`).
    let threadRootId: string | null;
    if (shortcut.shortcutType === 'GLOBAL') {
      if (input.messageId !== undefined) throw invalid('messageId', 'a global shortcut runs without a message');
      if (!isMember) throw forbidden('Join the channel to use shortcuts in it');
      // A thread the person has open in this channel: a root message of it (docs/app-platform.md §7.2).
      threadRootId = null;
      if (input.threadRootId !== undefined && input.threadRootId !== '') {
        const root = isId(input.threadRootId) ? await this.ctx.store.message(channel.id, input.threadRootId) : undefined;
        if (!root || root.deleted || root.threadRootId !== null) throw invalid('threadRootId', 'not a thread of this channel');
        threadRootId = root.id;
      }
      // channelId is sent for GLOBAL too: the SDK types it as required and `ctx.say` posts there.
      envelope = { messageType: 'SHORTCUT', type: 'GLOBAL', shortcut: shortcut.name, userId: actor.id, channelId: channel.id, ...(threadRootId && { threadRootId }), workspaceId: actor.workspaceId, triggerId };
    } else {
      if (input.messageId === undefined) throw invalid('messageId', 'a message shortcut needs the message');
      const message = isId(input.messageId) ? await this.ctx.store.message(channel.id, input.messageId) : undefined;
      if (!message || message.deleted) throw notFound('Message');
      // The message's own thread, whatever the client says (§7.2: ON_MESSAGE carries no threadRootId).
      threadRootId = message.threadRootId;
      envelope = { messageType: 'SHORTCUT', type: 'ON_MESSAGE', shortcut: shortcut.name, messageId: message.id, userId: actor.id, channelId: channel.id, workspaceId: actor.workspaceId, triggerId };
    }
    const settled = settledOf(this.runner.run({ app, botUserId, actor, eventType: 'SHORTCUT', url: shortcut.url, envelope, channelId: channel.id, threadRootId }));
    return { triggerId, settled };
  }

  /**
   * A click or a choice on an element of a message, an ephemeral message or a view (§7.3): the
   * element must be there with that onAction; the value must fit it. With a `loadingTimeout`, the
   * loading state is written (and told) before the trigger leaves (§9.4).
   */
  async blockInteraction(actor: User, input: BlockInteractionInput): Promise<{ triggerId: string; loadingTimeout: number; settled: Promise<void> }> {
    await this.runner.admit(actor);
    const r = await this.resolve(actor, input);
    // Inputs are read with the submit; only interactive elements trigger on their own (§7.3).
    if (r.element && !triggersInteraction(r.element)) throw invalid('onAction', 'the element with this onAction does not trigger interactions (a text input needs interaction_triggers, an input block dispatchAction: true)');
    const url = r.app.manifest.blockInteraction?.url;
    if (url === undefined) throw invalid('sourceId', 'the source is not from an app that takes block interactions');
    let actionType = input.actionType ?? 'BUTTON';
    let payload = JSON.stringify(input.payload ?? { value: '' });
    let loadingTimeout = 0;
    if (r.element) {
      actionType = actionTypeOf(r.element.element);
      if (input.actionType !== undefined && input.actionType !== actionType) throw invalid('actionType', `the element with this onAction is a ${actionType}`);
      const p = interactionPayload(r.element.element, input.payload);
      if ('problem' in p) throw invalid('payload', p.problem);
      payload = p.payload;
      loadingTimeout = typeof r.element.element.loadingTimeout === 'number' ? r.element.element.loadingTimeout : 0;
    }
    let view = r.view;
    if (view) view = await this.views.prepareInteraction(view, input.state);
    const t = this.ctx.now();
    const triggerId = newId(t);
    const envelope: Record<string, unknown> = {
      messageType: 'BLOCK_INTERACTION',
      workspaceId: actor.workspaceId,
      userId: actor.id,
      // absent for home views (§7.3)
      ...(r.channelId && { channelId: r.channelId }),
      sourceType: input.sourceType,
      sourceId: input.sourceId,
      actionType,
      onAction: input.onAction,
      payload,
      ...(view && { view: Views.forApp(view) }),
      triggerId,
      loadingTimeout,
    };
    const load = loadingTimeout > 0 ? await this.startLoad(actor, r, input, triggerId, loadingTimeout, t) : undefined;
    const settled = settledOf(
      this.runner.run({
        app: r.app,
        botUserId: r.botUserId,
        actor,
        eventType: 'BLOCK_INTERACTION',
        url,
        envelope,
        channelId: r.channelId,
        threadRootId: r.threadRootId,
        ...(view && { sourceView: view }),
        ...(load && { load }),
      }),
    );
    return { triggerId, loadingTimeout, settled };
  }

  /**
   * The person submits their top modal (§7.4): VIEW_ACTION SUBMIT, then the §9.3 outcomes. One
   * submit of a view at a time (a double click): another while one is in flight is a 409 and sends
   * nothing. The marker is a counter of the shared limiter, so it holds across nodes; it goes when
   * the submit settles (or after `submitInFlightMs`).
   */
  async submitView(actor: User, viewId: string, body: { state?: unknown; version?: number }): Promise<{ settled: Promise<void> }> {
    await this.runner.admit(actor);
    const current = await this.views.own(actor, viewId);
    const { app, botUserId } = await this.installedApp(actor, current.appId);
    const url = app.manifest.viewAction?.url;
    if (url === undefined) throw invalid('viewId', 'this app takes no view actions');
    const marker = `view-submit:${current.id}`;
    const inFlight = await this.ctx.limiter.hit(marker, INTERACTION_LIMITS.submitInFlightMs);
    // Only the submit that set the marker clears it: a refused second one must not free a third.
    if (inFlight.count > 1) throw conflict('This view is being submitted; wait for the app to answer');
    // Once only: a second reset could clear the marker of a submit that came after this one settled.
    let released = false;
    const release = async (): Promise<void> => {
      if (released) return;
      released = true;
      await this.ctx.limiter.reset(marker);
    };
    let view: View;
    try {
      view = await this.views.prepareSubmit(actor, viewId, body.state ?? { values: {} }, body.version);
    } catch (err) {
      await release();
      throw err;
    }
    const envelope: Record<string, unknown> = {
      messageType: 'VIEW_ACTION',
      workspaceId: actor.workspaceId,
      userId: actor.id,
      ...(view.channelId && { channelId: view.channelId }),
      viewActionType: 'SUBMIT',
      view: Views.forApp(view),
      triggerId: newId(this.ctx.now()),
    };
    const run = this.runner.run({ app, botUserId, actor, eventType: 'VIEW_ACTION', url, envelope, channelId: view.channelId, threadRootId: view.threadRootId, sourceView: view, submitted: view, beforePublish: release });
    // The marker goes before the outcome shows; again here if the run failed before that point.
    const settled = settledOf(run.finally(release));
    return { settled };
  }

  /** The person closes a modal (and any above it); CLOSE goes to apps only for views with notifyOnClose (§7.4). */
  async closeView(actor: User, viewId: string): Promise<{ settled: Promise<void> }> {
    await this.runner.admit(actor);
    const closed = await this.views.closeByPerson(actor, viewId);
    return { settled: this.runner.sendClose(actor, closed) };
  }

  /**
   * A dynamic menu's options for what the person typed (§7.5, §9.5): answered within the 3-second
   * rule; a nack, a failure or invalid options give no options (and the nack's message). `error`:
   * the sender threw (no options either); the route logs it.
   */
  async dynamicMenuOptions(actor: User, input: SourceRef & { query?: string; state?: unknown }): Promise<{ options: unknown[]; message?: string; error?: unknown }> {
    const w = await this.ctx.limiter.hit(`dynamic-menu:${actor.id}`, 1000);
    if (w.count > INTERACTION_LIMITS.menuRequestsPerSecond) throw new DomainError('rate_limited', `At most ${INTERACTION_LIMITS.menuRequestsPerSecond} menu requests per second`, [], 1);
    const r = await this.resolve(actor, input);
    if (r.element && r.element.element.type !== 'dynamic_select_menu') throw invalid('onAction', 'the element with this onAction is not a dynamic_select_menu');
    const provider = r.app.manifest.dynamicMenus.find((d) => d.onAction === input.onAction);
    if (!provider) throw invalid('onAction', 'the app has no options provider for this menu');
    const el = r.element?.element;
    const minQuery = typeof el?.min_query_length === 'number' ? el.min_query_length : 0;
    const query = input.query ?? '';
    if ([...query].length < minQuery) return { options: [] };
    // The view's inputs as the person sees them (as Slack's block_suggestion carries view.state), not as last stored.
    const view = r.view && input.state !== undefined ? await this.views.prepareInteraction(r.view, input.state) : r.view;
    const triggerId = newId(this.ctx.now());
    const envelope: Record<string, unknown> = {
      messageType: 'DYNAMIC_MENU',
      onAction: input.onAction,
      ...(input.query !== undefined && input.query !== '' && { query: input.query }),
      ...(typeof el?.value === 'string' && { value: el.value }),
      workspaceId: actor.workspaceId,
      userId: actor.id,
      triggerId,
      sourceType: input.sourceType,
      sourceId: input.sourceId,
      ...(r.channelId && { channelId: r.channelId }),
      ...(view && { view: Views.forApp(view) }),
    };
    let options: unknown[] = [];
    const s = await this.runner.run({
      app: r.app,
      botUserId: r.botUserId,
      actor,
      eventType: 'DYNAMIC_MENU',
      url: provider.url,
      envelope,
      channelId: r.channelId,
      threadRootId: r.threadRootId,
      quiet: true,
      checkAnswer: (outcome) => {
        const body = outcome.body ?? {};
        if (body.triggerId !== undefined && body.triggerId !== triggerId) return 'The app answered with options for another trigger.';
        if (body.options === undefined || body.options === null) return undefined;
        const errors = validateOptionList(body.options, 'options');
        if (errors.length > 0) return `The app's options are invalid: ${errors[0]!.field}: ${errors[0]!.message}`;
        options = body.options as unknown[];
        return undefined;
      },
    });
    if (s.outcome.kind === 'nack') return { options: [], message: s.outcome.message };
    return { options: s.refused ? [] : options, ...(s.error !== undefined && { error: s.error }) };
  }

  /**
   * `POST /v1/interactions/complete` (§9.4) with the interacting person's user token: ends the
   * loading state (once; again is fine). Another person's or a bot's token: 403; an unknown, other
   * app's, mismatched or older-than-60-s trigger: 404.
   */
  async complete(app: { appId: string; kind: 'bot' | 'user'; user: User }, body: { triggerId: string; sourceType: string; sourceId: string; channelId?: string }): Promise<void> {
    const load = await this.ctx.store.views.load(body.triggerId);
    const now = this.ctx.now();
    const matches = load && load.appId === app.appId && load.sourceType === body.sourceType && load.sourceId === body.sourceId && (body.channelId === undefined || body.channelId === load.channelId);
    if (!load || !matches || now > load.completeUntil) throw notFound('Trigger');
    if (app.kind !== 'user' || app.user.id !== load.userId) throw forbidden("Only the interacting user's token can complete the interaction");
    await commit(this.ctx, (tx, notices) => endLoad(tx, notices, load, 'app', now));
  }

  /** The person's running loading states (a client fetches them after a reconnect). */
  activeLoads(actor: User): Promise<InteractionLoad[]> {
    return this.ctx.store.views.activeLoads(actor.id, this.ctx.now());
  }

  private async startLoad(actor: User, r: Resolved, input: SourceRef, triggerId: string, timeout: number, t: number): Promise<InteractionLoad> {
    const load: InteractionLoad = {
      triggerId,
      appId: r.app.id,
      workspaceId: actor.workspaceId,
      userId: actor.id,
      channelId: r.channelId,
      blockId: r.element?.blockId ?? null,
      sourceType: input.sourceType,
      sourceId: input.sourceId,
      onAction: input.onAction,
      startedAt: t,
      endsAt: t + timeout,
      completeUntil: t + INTERACTION_LIMITS.completeWithinMs,
      completedAt: null,
      completedBy: null,
    };
    await commit(this.ctx, async (tx, notices) => {
      await tx.views.insertLoad(load);
      notices.push({ workspaceId: load.workspaceId, audience: [load.userId], event: { type: 'interaction.loading', load } });
    });
    // Ends by itself at endsAt on this node; the frame carries endsAt, so a client ends the spinner
    // itself should this node die first (docs/app-platform.md §9.4).
    setTimeout(() => {
      commit(this.ctx, (tx, notices) => endLoad(tx, notices, load, 'timeout', this.ctx.now())).catch(() => undefined);
    }, timeout).unref();
    return load;
  }

  /** The app, installed in the person's workspace, with its bot. */
  private async installedApp(actor: User, appId: string): Promise<{ app: App; botUserId: string | null }> {
    const app = await this.ctx.store.app(appId);
    const inst = app && (await this.ctx.store.installation(appId, actor.workspaceId));
    if (!app || !inst) throw notFound('App');
    return { app, botUserId: inst.botUserId };
  }

  /** The source the person names, if they may see it, and the element in it with that onAction. */
  private async resolve(actor: User, input: SourceRef): Promise<Resolved> {
    if (input.sourceType === 'VIEW') {
      const view = await this.views.own(actor, input.sourceId);
      const { app, botUserId } = await this.installedApp(actor, view.appId);
      const element = findElement(Views.blocks(view), input.onAction, input.blockId, input.payload?.value);
      if (!element) throw invalid('onAction', 'the view has no element with this onAction');
      return { app, botUserId, channelId: view.type === 'MODAL' ? view.channelId : null, threadRootId: view.threadRootId, view, element };
    }
    if (input.channelId === undefined) throw invalid('channelId', 'required for a message or an ephemeral message');
    const { channel } = await visibleChannel(this.ctx.store, actor, input.channelId);
    let authorId: string;
    let blocks: unknown[] | null;
    let threadRootId: string | null;
    if (input.sourceType === 'EPHEMERAL_MESSAGE') {
      const eph = isId(input.sourceId) ? await this.ctx.store.ephemeral(channel.id, input.sourceId) : undefined;
      if (!eph || !eph.recipients.includes(actor.id)) throw notFound('Ephemeral message');
      authorId = eph.authorId;
      blocks = eph.blocks ?? null;
      threadRootId = eph.threadRootId;
    } else {
      const message = isId(input.sourceId) ? await this.ctx.store.message(channel.id, input.sourceId) : undefined;
      if (!message || message.deleted) throw notFound('Message');
      authorId = message.authorId;
      blocks = messageBlocks(message.blocks, message.attachments);
      threadRootId = message.threadRootId;
    }
    const inst = (await this.ctx.store.installationsInWorkspace(actor.workspaceId)).find((i) => i.botUserId === authorId);
    const app = inst && (await this.ctx.store.app(inst.appId));
    if (!app || !inst) throw invalid('sourceId', 'the message is not from an app that takes block interactions');
    // Ephemeral messages from before migration 0016 kept no blocks: not checked (as before).
    const element = blocks === null ? undefined : findElement(blocks, input.onAction, input.blockId, input.payload?.value);
    if (blocks !== null && !element) throw invalid('onAction', 'the message has no element with this onAction');
    return { app, botUserId: inst.botUserId, channelId: channel.id, threadRootId, element };
  }
}
