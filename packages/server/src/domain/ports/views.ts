/**
 * The storage port of views and loading states (docs/app-platform.md §9.3, §9.4, §11.2): what the
 * domain asks of the store; store/view-store.ts implements it. Records are models, never rows.
 */

export type ViewType = 'MODAL' | 'HOME';

/** Where a view came from: an app's answer or publish, the manifest's default home view, a built-in app. */
export type ViewSource = 'app' | 'default' | 'builtin';

/** `{values: {<blockId>: {<onAction>: {type, value} | {type, values}}}}` (docs/pumble-api.md §12.7). */
export interface ViewState {
  values: Record<string, Record<string, { type: string; value?: unknown; values?: unknown[] }>>;
}

/**
 * A modal or a home view of one app for one person. `document` is the app's own view JSON minus
 * `id`, `type` and `state`: title, blocks, submit, close, showIcon, parentViewId and every extra key
 * the app sent (its "private metadata", handed back to it unchanged).
 */
export interface View {
  id: string;
  workspaceId: string;
  appId: string;
  userId: string;
  type: ViewType;
  /** the modal below this one in the stack; null at depth 1 and for home views */
  stackParentId: string | null;
  /** 1..3 for modals, 0 for home views */
  depth: number;
  callbackId: string | null;
  notifyOnClose: boolean;
  /** where the stack was opened from (BLOCK_INTERACTION / VIEW_ACTION `channelId`, ephemeral errors) */
  channelId: string | null;
  threadRootId: string | null;
  source: ViewSource;
  document: Record<string, unknown>;
  state: ViewState;
  /** +1 per change; frames carry it so clients drop stale ones */
  version: number;
  createdAt: number;
  updatedAt: number;
}

export type ViewPatch = Partial<Pick<View, 'callbackId' | 'notifyOnClose' | 'document' | 'state' | 'source' | 'updatedAt'>>;

export type LoadEnd = 'app' | 'timeout' | 'failed';

/** A loading state (docs/app-platform.md §9.4): written before the trigger is sent. */
export interface InteractionLoad {
  triggerId: string;
  appId: string;
  workspaceId: string;
  userId: string;
  channelId: string | null;
  blockId: string | null;
  sourceType: string;
  sourceId: string;
  onAction: string;
  startedAt: number;
  /** startedAt + the element's loadingTimeout */
  endsAt: number;
  /** startedAt + 60 s: after it, /v1/interactions/complete no longer knows the trigger */
  completeUntil: number;
  completedAt: number | null;
  completedBy: LoadEnd | null;
}

export interface ViewStorage {
  /**
   * Serialises the changes to one person's views until the transaction ends (docs/app-platform.md
   * §9.3: one stack per person, at most three deep, under concurrent answers). Every unit that reads
   * a person's views to decide a write takes it first, then reads.
   */
  lockPerson(userId: string): Promise<void>;
  insertView(v: View): Promise<void>;
  view(id: string): Promise<View | undefined>;
  /** Changes a view and bumps its version; returns it as stored, or undefined when it is gone. */
  updateView(id: string, patch: ViewPatch): Promise<View | undefined>;
  /** The person's own values (a submit, an interaction in the view): stored without a new version. */
  setState(id: string, state: ViewState): Promise<void>;
  deleteViews(ids: readonly string[]): Promise<void>;
  /** The person's open modals, bottom (depth 1) first. */
  modalStack(userId: string): Promise<View[]>;
  /** The person's stored home view of the app (published, or the materialised default). */
  homeView(appId: string, userId: string): Promise<View | undefined>;
  /**
   * Creates the person's home view of the app, or replaces its document and state (same id, version
   * + 1); one per app and person even under concurrent publishes (unique `home_key`). A `default` or
   * `builtin` view never replaces an `app` one: then nothing is written and the answer is undefined.
   */
  putHomeView(v: View): Promise<View | undefined>;
  /** Every view of the app in a workspace (uninstall). */
  viewsOfApp(appId: string, workspaceId: string): Promise<View[]>;
  /** Modals not changed since `before` (housekeeping). */
  staleModals(before: number): Promise<View[]>;

  insertLoad(l: InteractionLoad): Promise<void>;
  load(triggerId: string): Promise<InteractionLoad | undefined>;
  /** Ends the load once: true only for the call that ended it (conditional update). */
  completeLoad(triggerId: string, by: LoadEnd, at: number): Promise<boolean>;
  /** The person's loads still running at `now`. */
  activeLoads(userId: string, now: number): Promise<InteractionLoad[]>;
  pruneLoads(before: number): Promise<number>;
}
