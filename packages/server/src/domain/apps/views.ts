/**
 * Views on the server (docs/app-platform.md §9.3, §11.2): modals, in one stack per person (at most
 * three deep), and one home view per app and person, stored durably (migration 0016) so a modal
 * survives a restart and every node agrees on it. Every change is one `commit` and reaches the
 * person as a `view.*` notice (live only).
 *
 * An app's view is kept as the app's own JSON document (unknown keys included: they are its
 * "private metadata", handed back with every BLOCK_INTERACTION and VIEW_ACTION) plus the server's
 * fields: id, state, stack position, version.
 */
import { commit, type CoreContext } from '../context.js';
import { validateView } from '../blocks.js';
import { forbidden, invalid, notFound, conflict, DomainError } from '../errors.js';
import type { FieldError } from '../errors.js';
import { isId, newId } from '../ids.js';
import type { Notice, ViewCloseReason } from '../events.js';
import type { User } from '../model.js';
import type { App, ChatStore } from '../ports/chat-store.js';
import type { View, ViewState } from '../ports/views.js';
import type { BuiltinTriggerRouter } from './builtin-apps.js';
import { carryState, checkSubmittedState, initialState } from './view-state.js';

export const VIEW_LIMITS = {
  /** "push up to three modals" (docs/app-platform.md §9.3) */
  stackDepth: 3,
  /** housekeeping closes modals nobody touched for a day */
  modalIdleMs: 24 * 60 * 60_000,
} as const;

export const INTEGRATION_VIEW_REFUSAL = 'This app requested a view Switchboard does not support.';

type Json = Record<string, unknown>;
const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What the trigger was, for the rules of which view an answer may change (docs/app-platform.md §9.3). */
export interface AnswerContext {
  app: App;
  actor: User;
  triggerId: string;
  /** the channel the trigger was run in (new stacks remember it) */
  channelId: string | null;
  threadRootId: string | null;
  /** the view the trigger came from (BLOCK_INTERACTION in a view, VIEW_ACTION) */
  sourceView?: View;
}

export type AnswerResult =
  | { applied: 'OPEN' | 'PUSH' | 'UPDATE'; view: View; replaced: View[] }
  | { refused: string };

/** Labels given as `{type: "text"}` (the SDK's modal reference) are stored as plain_text. */
function normaliseLabel(label: unknown): unknown {
  return isRecord(label) && label.type === 'text' ? { ...label, type: 'plain_text' } : label;
}

/** The app's document as stored: its view minus id, type and state, labels normalised. */
function documentOf(view: Json): Json {
  const { id: _id, type: _type, state: _state, ...rest } = view;
  for (const key of ['title', 'submit', 'close'] as const) if (key in rest) rest[key] = normaliseLabel(rest[key]);
  return rest;
}

const blocksOf = (v: View): unknown[] => (Array.isArray(v.document.blocks) ? v.document.blocks : []);

/** A home view's document as stored: callbackId is not kept (apps send `""` now and then, an older SDK example). */
function homeDocument(view: Json): Json {
  const document = documentOf(view);
  delete document.callbackId;
  return document;
}

const sameDocument = (a: Json, b: Json): boolean => JSON.stringify(a) === JSON.stringify(b);

function describe(errors: FieldError[]): string {
  const [first, ...more] = errors;
  return `The app's view is invalid: ${first!.field}: ${first!.message}${more.length ? ` (and ${more.length} more problem${more.length > 1 ? 's' : ''})` : ''}`;
}

export class Views {
  constructor(
    private readonly ctx: CoreContext,
    private readonly builtins?: BuiltinTriggerRouter,
  ) {}

  /** The view as the app receives it in BLOCK_INTERACTION and VIEW_ACTION (docs/app-platform.md §7.3, §7.4). */
  static forApp(v: View): Json {
    const parent = v.stackParentId ?? (typeof v.document.parentViewId === 'string' ? v.document.parentViewId : undefined);
    return {
      ...v.document,
      id: v.id,
      type: v.type,
      ...(v.type === 'MODAL' && { callbackId: v.callbackId ?? '', notifyOnClose: v.notifyOnClose }),
      ...(v.type === 'MODAL' && parent !== undefined && { parentViewId: parent }),
      state: v.state,
    };
  }

  static blocks(v: View): unknown[] {
    return blocksOf(v);
  }

  /**
   * A trigger's answer carrying `view` + `action` (§9.3), inside the runner's transaction: checks
   * the triggerId, the view type and the view itself, then opens, pushes or updates. A refusal
   * changes nothing and says why, in words for the person (and the delivery log).
   */
  async applyAnswer(tx: ChatStore, notices: Notice[], c: AnswerContext, body: Json): Promise<AnswerResult> {
    if (body.triggerId !== c.triggerId) return { refused: `The app answered with a view for another trigger (triggerId ${JSON.stringify(body.triggerId ?? null)}).` };
    if (body.viewType === 'INTEGRATION') return { refused: INTEGRATION_VIEW_REFUSAL };
    if (body.viewType !== undefined && body.viewType !== 'NATIVE') return { refused: `The app answered with an unknown viewType ${JSON.stringify(body.viewType)}.` };
    const action = body.action;
    if (action !== 'OPEN' && action !== 'UPDATE' && action !== 'PUSH') return { refused: `The app answered with an unknown view action ${JSON.stringify(action ?? null)}.` };
    const errors = validateView(body.view, 'view');
    if (errors.length > 0) return { refused: describe(errors) };
    const view = body.view as Json;
    const t = this.ctx.now();
    // Every answer decides from the person's views as they are now: on PostgreSQL (READ COMMITTED)
    // two answers for one person (a double click, two tabs) would otherwise both read the same
    // stack, and open two stacks or push past three (docs/app-platform.md §9.3). So: lock, then read
    // — the views included (c.sourceView was read before the trigger left).
    await tx.views.lockPerson(c.actor.id);
    if (action === 'UPDATE') return this.update(tx, notices, c, view, t);
    if (view.type !== 'MODAL') return { refused: `A home view cannot be ${action === 'OPEN' ? 'opened' : 'pushed'} as a modal.` };
    const stack = await tx.views.modalStack(c.actor.id);
    const top = stack[stack.length - 1];
    if (action === 'PUSH') {
      const parentId = typeof view.parentViewId === 'string' ? view.parentViewId : c.sourceView?.id;
      const parent = parentId ? await tx.views.view(parentId) : undefined;
      if (parent?.type === 'MODAL') {
        if (!top || top.id !== parent.id || parent.userId !== c.actor.id || parent.appId !== c.app.id) {
          return { refused: 'The app pushed a modal onto a view that is not the top of the person\'s open modals.' };
        }
        return this.push(notices, tx, c, view, top, t);
      }
      if (top) {
        if (parentId !== undefined && parent === undefined) return { refused: 'The app pushed a modal onto a view that is gone.' };
        // No modal to push onto was named (a message button, a slash command, a home view) while a
        // stack is open: §9.3 puts a PUSH on the current top modal — this app's only. Never a silent
        // replace of the stack, which may be another app's (docs/app-platform.md §9.3).
        if (top.appId !== c.app.id) return { refused: "The app pushed a modal while another app's modal is open for the person." };
        return this.push(notices, tx, c, view, top, t);
      }
      // No stack open: the push starts one (a push from a home view, the SDK's own example).
    }
    // OPEN (or a push that starts a stack): the person's open stack, of any app, is replaced.
    const replaced = await this.closeStack(tx, notices, stack, 'replaced');
    const channelId = c.sourceView?.type === 'MODAL' ? c.sourceView.channelId : c.channelId;
    const threadRootId = c.sourceView?.type === 'MODAL' ? c.sourceView.threadRootId : c.threadRootId;
    const opened = this.newModal(c, view, 1, null, channelId, threadRootId, t);
    await tx.views.insertView(opened);
    notices.push(this.notice(opened, 'view.opened'));
    return { applied: action, view: opened, replaced };
  }

  private async push(notices: Notice[], tx: ChatStore, c: AnswerContext, view: Json, top: View, t: number): Promise<AnswerResult> {
    if (top.depth >= VIEW_LIMITS.stackDepth) return { refused: `A modal stack holds at most ${VIEW_LIMITS.stackDepth} modals; the app tried to push a fourth.` };
    const pushed = this.newModal(c, view, top.depth + 1, top.id, top.channelId, top.threadRootId, t);
    await tx.views.insertView(pushed);
    notices.push(this.notice(pushed, 'view.pushed'));
    return { applied: 'PUSH', view: pushed, replaced: [] };
  }

  private async update(tx: ChatStore, notices: Notice[], c: AnswerContext, view: Json, t: number): Promise<AnswerResult> {
    let target: View | undefined;
    if (typeof view.id === 'string') target = await tx.views.view(view.id);
    else if (view.type === 'HOME') target = await tx.views.homeView(c.app.id, c.actor.id);
    else target = c.sourceView && (await tx.views.view(c.sourceView.id));
    if (view.type === 'HOME' && !target) {
      // An app's own view is always written (only default and built-in ones yield to it).
      const home = (await this.putHome(tx, notices, c.app, c.actor, view, 'app', t))!;
      return { applied: 'UPDATE', view: home, replaced: [] };
    }
    if (!target || target.userId !== c.actor.id || target.appId !== c.app.id) return { refused: 'The app updated a view that is not open for this person.' };
    if (target.type !== view.type) return { refused: `The app updated a ${target.type} view with a ${String(view.type)} view.` };
    const document = documentOf(view);
    const blocks = Array.isArray(document.blocks) ? document.blocks : [];
    const state: ViewState = isRecord(view.state) ? (view.state as unknown as ViewState) : carryState(blocks, target.state);
    const updated = await tx.views.updateView(target.id, {
      document,
      state,
      source: 'app',
      updatedAt: t,
      ...(view.type === 'MODAL' && { callbackId: String(view.callbackId ?? ''), notifyOnClose: view.notifyOnClose === true }),
    });
    if (!updated) return { refused: 'The app updated a view that is no longer open.' };
    notices.push(this.notice(updated, 'view.updated'));
    return { applied: 'UPDATE', view: updated, replaced: [] };
  }

  private newModal(c: AnswerContext, view: Json, depth: number, parentId: string | null, channelId: string | null, threadRootId: string | null, t: number): View {
    const document = documentOf(view);
    const blocks = Array.isArray(document.blocks) ? document.blocks : [];
    return {
      id: newId(t),
      workspaceId: c.actor.workspaceId,
      appId: c.app.id,
      userId: c.actor.id,
      type: 'MODAL',
      stackParentId: parentId,
      depth,
      callbackId: String(view.callbackId ?? ''),
      notifyOnClose: view.notifyOnClose === true,
      channelId,
      threadRootId,
      source: 'app',
      document,
      state: isRecord(view.state) ? (view.state as unknown as ViewState) : initialState(blocks),
      version: 1,
      createdAt: t,
      updatedAt: t,
    };
  }

  private notice(view: View, type: 'view.opened' | 'view.pushed' | 'view.updated'): Notice {
    return { workspaceId: view.workspaceId, audience: [view.userId], event: { type, view } };
  }

  private closedNotice(v: View, reason: ViewCloseReason): Notice {
    return { workspaceId: v.workspaceId, audience: [v.userId], event: { type: 'view.closed', viewId: v.id, appId: v.appId, userId: v.userId, viewType: v.type, reason } };
  }

  /** Closes modals (top first); returns them. */
  private async closeStack(tx: ChatStore, notices: Notice[], views: readonly View[], reason: ViewCloseReason): Promise<View[]> {
    const top = [...views].sort((a, b) => b.depth - a.depth);
    await tx.views.deleteViews(top.map((v) => v.id));
    for (const v of top) notices.push(this.closedNotice(v, reason));
    return top;
  }

  /** Closes one modal after its app acknowledged a submit (§9.3: "ack closes"). */
  async closeSubmitted(tx: ChatStore, notices: Notice[], view: View): Promise<void> {
    const still = await tx.views.view(view.id);
    if (still) await this.closeStack(tx, notices, [still], 'submitted');
  }

  /** The submit's banner: the app refused it (nack) or did not answer. */
  submitError(notices: Notice[], view: View, message: string): void {
    notices.push({ workspaceId: view.workspaceId, audience: [view.userId], event: { type: 'view.error', viewId: view.id, appId: view.appId, userId: view.userId, message } });
  }

  /** The person's own view, or 404 (someone else's view does not exist for them, nor does a non-id). */
  async own(actor: User, viewId: string): Promise<View> {
    // Whatever route calls it: a non-id (a NUL, say) must be a 404, not an error from PostgreSQL.
    if (!isId(viewId)) throw notFound('View');
    const v = await this.ctx.store.views.view(viewId);
    if (!v || v.userId !== actor.id || v.workspaceId !== actor.workspaceId) throw notFound('View');
    return v;
  }

  /**
   * The person submits their top modal (§7.4): values checked against its inputs (400 with each
   * field), stored, and the view returned for the VIEW_ACTION. `version`, when given, must be current.
   * The read, the checks and the write are one unit under the person's lock, so an app's change in
   * between can neither be overwritten nor checked against stale blocks (docs/architecture.md §4).
   */
  async prepareSubmit(actor: User, viewId: string, submitted: unknown, version?: number): Promise<View> {
    if (!isId(viewId)) throw notFound('View');
    return commit(this.ctx, async (tx) => {
      await tx.views.lockPerson(actor.id);
      const view = await tx.views.view(viewId);
      if (!view || view.userId !== actor.id || view.workspaceId !== actor.workspaceId) throw notFound('View');
      if (view.type !== 'MODAL') throw invalid('viewId', 'only a modal can be submitted');
      const stack = await tx.views.modalStack(actor.id);
      if (stack[stack.length - 1]?.id !== view.id) throw conflict('Only the top modal of the stack can be submitted');
      if (version !== undefined && version !== view.version) throw conflict(`The view changed (version ${view.version}); submit the current one`);
      const { state, errors } = checkSubmittedState(blocksOf(view), submitted, true);
      if (errors.length > 0) throw new DomainError('invalid', errors[0]!.message, errors);
      // The person's own values: stored without a new version (their screen already shows them).
      await tx.views.setState(view.id, state);
      return { ...view, state };
    });
  }

  /**
   * The values a person sent with an interaction inside a view, checked (not for required-ness) and
   * merged into its state. `view` is the one the caller resolved; it is read again under the
   * person's lock and the values checked against its current blocks (as prepareSubmit).
   */
  async prepareInteraction(view: View, submitted: unknown): Promise<View> {
    if (submitted === undefined) return view;
    return commit(this.ctx, async (tx) => {
      await tx.views.lockPerson(view.userId);
      const current = await tx.views.view(view.id);
      if (!current || current.userId !== view.userId) throw notFound('View');
      const { state, errors } = checkSubmittedState(blocksOf(current), submitted, false);
      if (errors.length > 0) throw new DomainError('invalid', errors[0]!.message, errors);
      const merged: ViewState = { values: { ...current.state.values, ...state.values } };
      await tx.views.setState(current.id, merged);
      return { ...current, state: merged };
    });
  }

  /** The person closes a modal: it and every modal above it go; returns them (top first) for CLOSE triggers. */
  async closeByPerson(actor: User, viewId: string): Promise<View[]> {
    const view = await this.own(actor, viewId);
    if (view.type !== 'MODAL') throw invalid('viewId', 'a home view cannot be closed');
    return commit(this.ctx, async (tx, notices) => {
      await tx.views.lockPerson(actor.id);
      const stack = await tx.views.modalStack(actor.id);
      // Closed meanwhile (another tab): a 404, never the modals of a stack opened since at its depth.
      if (!stack.some((v) => v.id === view.id)) throw notFound('View');
      return this.closeStack(tx, notices, stack.filter((v) => v.depth >= view.depth), 'closed');
    });
  }

  /** The person's open modals, bottom first (a client fetches them after a reconnect). */
  async openModals(actor: User): Promise<View[]> {
    return this.ctx.store.views.modalStack(actor.id);
  }

  /**
   * An app's home view for the person (§11.2): the published one; for a built-in app, rendered
   * live; else the manifest's default, readable by every person of a workspace where the app is
   * installed (stored so its interactions find their elements; refreshed from the current manifest).
   * A read writes only when the rendered document differs from the stored one: no new version and
   * no `view.updated` otherwise, or a client that refetches on `view.updated` would loop.
   */
  async homeFor(actor: User, appId: string): Promise<View> {
    if (!isId(appId)) throw notFound('App');
    const app = await this.ctx.store.app(appId);
    const installed = app && (await this.ctx.store.installation(appId, actor.workspaceId));
    if (!app || !installed) throw notFound('App');
    const stored = await this.ctx.store.views.homeView(appId, actor.id);
    if (stored?.source === 'app') return stored;
    const builtin = app.builtin ? this.builtins?.byName(app.builtin) : undefined;
    let view: Json;
    let source: 'builtin' | 'default';
    if (builtin?.homeView) {
      view = { ...(await builtin.homeView(actor)), type: 'HOME' };
      source = 'builtin';
    } else {
      const def = app.manifest.defaultHomeView;
      if (!def?.enabled) throw notFound('Home view');
      view = { blocks: def.blocks, type: 'HOME' };
      source = 'default';
    }
    const unchanged = (v: View | undefined): v is View => v !== undefined && v.source === source && sameDocument(v.document, homeDocument(view));
    if (unchanged(stored)) return stored;
    return commit(this.ctx, async (tx, notices) => {
      await tx.views.lockPerson(actor.id);
      // Read again under the lock: the app may have published, or another read stored it, since.
      const current = await tx.views.homeView(app.id, actor.id);
      if (current?.source === 'app' || unchanged(current)) return current;
      // undefined: the app's published view won the race (the store keeps it, docs/app-platform.md §11.2).
      return (await this.putHome(tx, notices, app, actor, view, source, this.ctx.now(), current)) ?? (await tx.views.homeView(app.id, actor.id))!;
    });
  }

  /**
   * `POST /v1/app/homeView/workspaceUsers/{u}` (§11.2): a bot token publishes for any active person
   * of its workspace, a user token for its own user only (decision, docs/decisions.md). 400 with
   * every problem of the view.
   */
  async publishHome(app: { appId: string; kind: 'bot' | 'user'; user: User }, targetUserId: string, body: Json): Promise<void> {
    if (!isId(targetUserId)) throw notFound('Workspace user');
    const target = await this.ctx.store.user(app.user.workspaceId, targetUserId);
    if (!target || target.status !== 'ACTIVATED' || target.isBot) throw notFound('Workspace user');
    if (app.kind === 'user' && target.id !== app.user.id) throw forbidden("A user token can publish only its own user's home view");
    const view: Json = { ...body, type: 'HOME' };
    delete view.id;
    const errors = validateView(view, '');
    if (errors.length > 0) throw new DomainError('invalid', `${errors[0]!.field}: ${errors[0]!.message}`, errors);
    const stored = await this.ctx.store.app(app.appId);
    if (!stored) throw notFound('App');
    await commit(this.ctx, async (tx, notices) => {
      await tx.views.lockPerson(target.id);
      await this.putHome(tx, notices, stored, target, view, 'app', this.ctx.now(), await tx.views.homeView(app.appId, target.id));
    });
  }

  /** Writes the home view and tells the person; undefined (nothing written) when a default or built-in view met the app's. */
  private async putHome(tx: ChatStore, notices: Notice[], app: App, person: User, view: Json, source: View['source'], t: number, existing?: View): Promise<View | undefined> {
    const document = homeDocument(view);
    const blocks = Array.isArray(document.blocks) ? document.blocks : [];
    const state: ViewState = isRecord(view.state) ? (view.state as unknown as ViewState) : existing ? carryState(blocks, existing.state) : initialState(blocks);
    const home = await tx.views.putHomeView({
      id: existing?.id ?? newId(t),
      workspaceId: person.workspaceId,
      appId: app.id,
      userId: person.id,
      type: 'HOME',
      stackParentId: null,
      depth: 0,
      callbackId: null,
      notifyOnClose: false,
      channelId: null,
      threadRootId: null,
      source,
      document,
      state,
      version: 1,
      createdAt: t,
      updatedAt: t,
    });
    if (home) notices.push(this.notice(home, 'view.updated'));
    return home;
  }

  /** The app left the workspace (docs/architecture.md §3.1, cascades.ts): its views go, open modals close. */
  static async appGone(tx: ChatStore, notices: Notice[], appId: string, workspaceId: string): Promise<void> {
    const views = await tx.views.viewsOfApp(appId, workspaceId);
    await tx.views.deleteViews(views.map((v) => v.id));
    for (const v of views) {
      if (v.type === 'MODAL') notices.push({ workspaceId: v.workspaceId, audience: [v.userId], event: { type: 'view.closed', viewId: v.id, appId, userId: v.userId, viewType: 'MODAL', reason: 'uninstalled' } });
    }
  }

  /** Closes modals nobody touched for a day (no CLOSE to the app) and prunes old loading states. */
  async housekeeping(now: number): Promise<void> {
    await commit(this.ctx, async (tx, notices) => {
      const stale = await tx.views.staleModals(now - VIEW_LIMITS.modalIdleMs);
      await this.closeStack(tx, notices, stale, 'expired');
      await tx.views.pruneLoads(now - 60 * 60_000);
    });
  }
}
