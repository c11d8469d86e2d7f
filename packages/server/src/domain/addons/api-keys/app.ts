import type { CoreContext } from '../../context.js';
import { DomainError } from '../../errors.js';
import type { Messages } from '../../messages.js';
import type { User } from '../../model.js';
import type { BuiltinApp } from '../../apps/builtin-apps.js';
import type { TriggerOutcome, TriggerTarget } from '../../apps/triggers.js';
import { API_KEYS_BUILTIN, KEY_MENU_ACTION } from './manifest.js';
import { formatDate, localeOf, translate, type Locale, type MessageKey } from './i18n.js';
import { MAX_KEY_NAME, type ApiKeyRecord, type ApiKeys, type GeneratedKey } from './keys.js';
import type { Channels } from '../../channels.js';
import { BLOCK_LIMITS } from '../../blocks.js';

const CONFIRM_ACTION = 'api-keys.delete.confirm';
const CANCEL_ACTION = 'api-keys.delete.cancel';
const ACK: TriggerOutcome = { kind: 'ack', status: 200 };

// The API page (docs/api-keys.md §2.2–2.3): the home view's buttons and the modals' callbackIds.
const HOME_ADD = 'api-keys.home.add';
const HOME_DELETE = 'api-keys.home.delete';
const ADD_MODAL = 'api-keys.add';
const DELETE_MODAL = 'api-keys.delete';
/** the confirmation names its key: `api-keys.delete.confirm:<keyId>` */
const CONFIRM_MODAL = 'api-keys.delete.confirm:';
const NAME_BLOCK = 'name';
const KEY_BLOCK = 'key';

/** What the API page needs of the views (docs/app-platform.md §11.2): re-rendering a person's home view. */
export interface HomeViews {
  homeFor(person: User, appId: string): Promise<unknown>;
}

type Json = Record<string, unknown>;
const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const plain = (text: string) => ({ type: 'plain_text', text });

/**
 * The API app's in-process handler (docs/api-keys.md §2.2–2.4): the API page (its home view and
 * modals), `/api-keys` and its confirmation buttons. It does what an HTTP app would do on a
 * trigger — acknowledge, answer with a view, or answer through the platform as its bot,
 * ephemerally — always in the user's language.
 */
export class ApiKeysApp implements BuiltinApp {
  readonly builtin = API_KEYS_BUILTIN;

  constructor(
    private readonly ctx: CoreContext,
    private readonly keys: ApiKeys,
    private readonly messages: Messages,
    private readonly channels: Channels,
    /** where people open the consent page (PUBLIC_URL) */
    private readonly publicUrl: () => string,
  ) {}

  /**
   * Every key change, whatever its path, re-renders the owner's API page if they have opened it
   * (docs/api-keys.md §2.2): the views send `view.updated` to them alone.
   */
  refreshHomesThrough(views: HomeViews): void {
    this.keys.onChanged(async (owner) => {
      const { app } = await this.keys.addon(owner.workspaceId);
      if (!(await this.ctx.store.views.homeView(app.id, owner.id))) return;
      await views.homeFor(owner, app.id);
    });
  }

  /**
   * A key made on the API page (its Generate, or `POST /v1/apiKeys` for scripts, §2.2): the key goes
   * back to the caller and, once, as an ephemeral message in the user's DM with the addon bot — sent
   * here, never as a trigger's answer, so the key stays out of the delivery log.
   */
  async generateFromPage(user: User, name: string, via: 'api' | 'page' = 'api'): Promise<GeneratedKey> {
    const generated = await this.keys.generate(user, name, via);
    const { installation } = await this.keys.addon(user.workspaceId);
    if (installation?.botUserId) {
      const bot = (await this.ctx.store.user(user.workspaceId, installation.botUserId))!;
      const dm = await this.channels.openDirect(bot, [user.id]);
      const locale = await this.localeFor(user);
      await this.messages.notifyEphemeral(bot.id, dm.channel.id, [user.id], translate(locale, 'keyGenerated', { name: generated.record.name, key: generated.key }), null);
    }
    return generated;
  }

  async notInstalledReply(user: User): Promise<string> {
    return this.t(await this.localeFor(user), 'notInstalled');
  }

  async handle(target: TriggerTarget, eventType: string, envelope: Record<string, unknown>): Promise<TriggerOutcome> {
    const user = await this.ctx.store.user(target.workspaceId, String(envelope.userId));
    const installation = await this.ctx.store.installation(target.appId, target.workspaceId);
    if (!user || !installation?.botUserId) return { kind: 'failure', reason: 'user or installation gone' };
    if (eventType === 'VIEW_ACTION' || eventType === 'DYNAMIC_MENU' || (eventType === 'BLOCK_INTERACTION' && envelope.sourceType === 'VIEW')) {
      return this.page(user, target, eventType, envelope);
    }
    const reply = new Reply(this.messages, installation.botUserId, user, String(envelope.channelId), await this.localeFor(user), envelope);
    if (eventType === 'SLASH_COMMAND') await this.command(user, target, String(envelope.text ?? ''), reply);
    else if (eventType === 'BLOCK_INTERACTION') await this.interaction(user, envelope, reply);
    return ACK;
  }

  private async command(user: User, target: TriggerTarget, text: string, reply: Reply): Promise<void> {
    if (!(await this.ctx.store.authorization(target.appId, user.id))) {
      const url = `${this.publicUrl()}/addon/api-keys/authorize?workspaceId=${user.workspaceId}`;
      return reply.send(reply.t('notAuthorized', { url }));
    }
    const [sub = ''] = text.trim().split(/\s+/);
    const arg = text.trim().slice(sub.length).trim();
    switch (sub.toLowerCase()) {
      case 'generate': {
        if ([...arg].length > 64) return reply.send(reply.t('nameInvalid'));
        const { record, key } = await this.keys.generate(user, arg || undefined, 'command', (n) => reply.t('defaultName', { n }));
        return reply.send(reply.t('keyGenerated', { name: record.name, key }));
      }
      case 'list': {
        const keys = await this.keys.list(user);
        if (keys.length === 0) return reply.send(reply.t('listEmpty'));
        const lines = keys.map((k) =>
          reply.t('listLine', {
            name: k.name,
            hint: k.hint,
            created: formatDate(reply.locale, k.createdAt),
            lastUsed: k.lastUsedAt === null ? reply.t('never') : formatDate(reply.locale, k.lastUsedAt),
          }),
        );
        return reply.send([reply.t('listHeader'), ...lines].join('\n'));
      }
      case 'delete': {
        const found = arg ? await this.keys.match(user, arg) : ({ kind: 'none' } as const);
        if (found.kind !== 'one') return reply.send(reply.t(found.kind === 'ambiguous' ? 'ambiguous' : 'noMatch', { arg }));
        return reply.send({ text: reply.t('confirmText', { name: found.key.name }), blocks: confirmBlocks(reply, found.key.id, found.key.name) });
      }
      case 'help':
        return reply.send(reply.t('help'));
      default:
        return reply.send(`${reply.t('unknownCommand')}\n${reply.t('help')}`);
    }
  }

  /** Delete / Cancel on the confirmation: the confirmation turns into the outcome. */
  private async interaction(user: User, envelope: Record<string, unknown>, reply: Reply): Promise<void> {
    const onAction = String(envelope.onAction ?? '');
    if (onAction !== CONFIRM_ACTION && onAction !== CANCEL_ACTION) return;
    let keyId = '';
    try {
      keyId = String((JSON.parse(String(envelope.payload ?? '{}')) as { value?: unknown }).value ?? '');
    } catch {
      return;
    }
    const mine = (await this.keys.list(user)).find((k) => k.id === keyId);
    if (!mine) return reply.replaceSource(reply.t('noMatch', { arg: keyId }));
    if (onAction === CANCEL_ACTION) return reply.replaceSource(reply.t('deleteCancelled', { name: mine.name }));
    try {
      await this.keys.delete(user, mine.id, 'command');
    } catch (err) {
      // Deleted meanwhile (another click, the API page): the outcome the user wanted.
      if (!(err instanceof DomainError && err.kind === 'not_found')) throw err;
    }
    return reply.replaceSource(reply.t('keyDeleted', { name: mine.name }));
  }

  /**
   * The API page (docs/api-keys.md §2.2–2.3), rendered live for the person: their keys (name, hint,
   * created, last used) or that there are none; **Add API key**, and **Delete API key** when there
   * is a key to delete. Someone who has not allowed the app is sent to allow it, with no buttons.
   */
  async homeView(user: User): Promise<Record<string, unknown>> {
    const locale = await this.localeFor(user);
    const t = (key: MessageKey, vars?: Record<string, string | number>) => translate(locale, key, vars);
    const { app } = await this.keys.addon(user.workspaceId);
    const docs = { type: 'rich_text', elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: t('homeDocs') }, { type: 'link', url: `${this.publicUrl()}/addon/api-keys/docs`, text: t('docsLink') }, { type: 'text', text: '.' }] }] };
    if (!(await this.ctx.store.authorization(app.id, user.id))) {
      const url = `${this.publicUrl()}/addon/api-keys/authorize?workspaceId=${user.workspaceId}`;
      const consent = { type: 'rich_text', elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: t('homeNotAuthorized') }, { type: 'link', url, text: t('homeAllowLink') }] }] };
      return { title: plain(t('appName')), blocks: [consent, docs] };
    }
    const keys = await this.keys.list(user);
    const list =
      keys.length === 0
        ? { type: 'rich_text', blockId: 'keys', elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: t('homeEmpty') }] }] }
        : {
            type: 'rich_text',
            blockId: 'keys',
            elements: [
              { type: 'rich_text_section', elements: [{ type: 'text', text: t('listHeader'), style: { bold: true } }] },
              {
                type: 'rich_text_list',
                style: 'bullet',
                indent: 0,
                elements: keys.map((k) => ({
                  type: 'rich_text_section',
                  elements: [
                    { type: 'text', text: k.name, style: { bold: true } },
                    { type: 'text', text: ' ' },
                    { type: 'text', text: k.hint, style: { code: true } },
                    { type: 'text', text: t('homeKeyLine', { created: formatDate(locale, k.createdAt), lastUsed: k.lastUsedAt === null ? t('never') : formatDate(locale, k.lastUsedAt) }) },
                  ],
                })),
              },
            ],
          };
    const buttons = [{ type: 'button', onAction: HOME_ADD, text: plain(t('addKey')), style: 'primary' }];
    if (keys.length > 0) buttons.push({ type: 'button', onAction: HOME_DELETE, text: plain(t('deleteKey')), style: 'danger' });
    return { title: plain(t('appName')), blocks: [list, { type: 'actions', blockId: 'buttons', elements: buttons }, { type: 'divider' }, docs] };
  }

  /**
   * The API page's triggers, answered as an HTTP app answers (docs/app-platform.md §9.3): a button
   * of the home view opens a modal; a submit updates it (a validation error, the confirmation) or
   * is acknowledged, which closes it, the ack's message reaching the person in the DM with the bot.
   */
  private async page(user: User, target: TriggerTarget, eventType: string, envelope: Json): Promise<TriggerOutcome> {
    const locale = await this.localeFor(user);
    const t = (key: MessageKey, vars?: Record<string, string | number>) => translate(locale, key, vars);
    const view = (doc: Json, action: 'OPEN' | 'UPDATE'): TriggerOutcome => ({ kind: 'ack', status: 200, body: { triggerId: envelope.triggerId, view: doc, viewType: 'NATIVE', action } });
    if (eventType === 'DYNAMIC_MENU') {
      if (envelope.onAction !== KEY_MENU_ACTION) return { kind: 'ack', status: 200, body: { options: [] } };
      const query = typeof envelope.query === 'string' ? envelope.query.toLowerCase() : '';
      const found = (await this.keys.list(user)).filter((k) => k.name.toLowerCase().includes(query) || k.hint.toLowerCase().includes(query));
      return { kind: 'ack', status: 200, body: { options: found.slice(0, BLOCK_LIMITS.options).map((k) => keyOption(t, k)) } };
    }
    if (!(await this.ctx.store.authorization(target.appId, user.id))) {
      return { kind: 'ack', status: 200, message: t('notAuthorized', { url: `${this.publicUrl()}/addon/api-keys/authorize?workspaceId=${user.workspaceId}` }) };
    }
    if (eventType === 'BLOCK_INTERACTION') {
      if (envelope.onAction === HOME_ADD) return view(addModal(t), 'OPEN');
      if (envelope.onAction !== HOME_DELETE) return ACK;
      const keys = await this.keys.list(user);
      if (keys.length === 0) return { kind: 'ack', status: 200, message: t('homeEmpty') };
      return view(deleteModal(t, keys), 'OPEN');
    }
    const submitted = isRecord(envelope.view) ? envelope.view : {};
    if (envelope.viewActionType !== 'SUBMIT') return ACK;
    const callbackId = String(submitted.callbackId ?? '');
    const typed = stateValue(submitted, callbackId === ADD_MODAL ? NAME_BLOCK : KEY_BLOCK, callbackId === ADD_MODAL ? NAME_BLOCK : KEY_MENU_ACTION);
    if (callbackId === ADD_MODAL) {
      // The platform already refused an empty or over-long name (the input's min and max, §7.4);
      // what is left to refuse is a name of spaces only, which the key would not keep.
      const name = typed.trim();
      if (name === '' || [...name].length > MAX_KEY_NAME) return view(addModal(t, t('nameInvalid')), 'UPDATE');
      await this.generateFromPage(user, name, 'page');
      return ACK;
    }
    if (callbackId === DELETE_MODAL) {
      const key = (await this.keys.list(user)).find((k) => k.id === typed);
      if (!key) return { kind: 'ack', status: 200, message: t('noMatch', { arg: typed }) };
      return view(confirmModal(t, key), 'UPDATE');
    }
    if (callbackId.startsWith(CONFIRM_MODAL)) {
      const keyId = callbackId.slice(CONFIRM_MODAL.length);
      const key = (await this.keys.list(user)).find((k) => k.id === keyId);
      if (!key) return { kind: 'ack', status: 200, message: t('noMatch', { arg: keyId }) };
      try {
        await this.keys.delete(user, key.id, 'page');
      } catch (err) {
        // Deleted meanwhile (the command's button, the REST route): the outcome the person wanted.
        if (!(err instanceof DomainError && err.kind === 'not_found')) throw err;
      }
      return { kind: 'ack', status: 200, message: t('keyDeleted', { name: key.name }) };
    }
    return ACK;
  }

  private async localeFor(user: User): Promise<Locale> {
    return localeOf(user, (await this.ctx.store.workspace(user.workspaceId))?.locale);
  }

  private t(locale: Locale, key: MessageKey, vars?: Record<string, string | number>) {
    return translate(locale, key, vars);
  }
}

/** Answers to one trigger: ephemeral, from the bot, to the user who typed or clicked. */
class Reply {
  constructor(
    private readonly messages: Messages,
    private readonly botUserId: string,
    private readonly user: User,
    private readonly channelId: string,
    readonly locale: Locale,
    private readonly envelope: Record<string, unknown>,
  ) {}

  t(key: MessageKey, vars?: Record<string, string | number>) {
    return translate(this.locale, key, vars);
  }

  async send(content: string | { text: string; blocks: unknown[] }): Promise<void> {
    const threadRootId = typeof this.envelope.threadRootId === 'string' ? this.envelope.threadRootId : null;
    await this.messages.notifyEphemeral(this.botUserId, this.channelId, [this.user.id], content, threadRootId);
  }

  /** The ephemeral message whose button was clicked now says how it ended, without buttons. */
  async replaceSource(text: string): Promise<void> {
    if (this.envelope.sourceType !== 'EPHEMERAL_MESSAGE') return this.send(text);
    const bot = { id: this.botUserId, workspaceId: this.user.workspaceId } as User;
    await this.messages.editEphemeral(bot, this.channelId, String(this.envelope.sourceId), { text });
  }
}

function confirmBlocks(reply: Reply, keyId: string, name: string): unknown[] {
  return [
    { type: 'section', text: { type: 'plain_text', text: reply.t('confirmText', { name }) } },
    {
      type: 'actions',
      elements: [
        { type: 'button', text: { type: 'plain_text', text: reply.t('confirm') }, onAction: CONFIRM_ACTION, value: keyId, style: 'danger' },
        { type: 'button', text: { type: 'plain_text', text: reply.t('cancel') }, onAction: CANCEL_ACTION, value: keyId },
      ],
    },
  ];
}

type T = (key: MessageKey, vars?: Record<string, string | number>) => string;

/** The Add API key modal (§2.2); `error` is shown under the name after a refused submit. */
function addModal(t: T, error?: string): Json {
  return {
    type: 'MODAL',
    callbackId: ADD_MODAL,
    title: plain(t('addKey')),
    submit: plain(t('generate')),
    close: plain(t('cancel')),
    blocks: [
      {
        type: 'input',
        blockId: NAME_BLOCK,
        label: plain(t('nameLabel')),
        element: { type: 'plain_text_input', onAction: NAME_BLOCK, min_length: 1, max_length: MAX_KEY_NAME },
        ...(error !== undefined && { validationError: error }),
      },
    ],
  };
}

/**
 * The Delete API key modal (§2.3): a select of the person's keys, "name (hint)"; past a menu's 100
 * options, a dynamic menu the app serves (filtered by what the person types).
 */
function deleteModal(t: T, keys: readonly ApiKeyRecord[]): Json {
  const element =
    keys.length <= BLOCK_LIMITS.options
      ? { type: 'static_select_menu', onAction: KEY_MENU_ACTION, placeholder: plain(t('pickKey')), options: keys.map((k) => keyOption(t, k)) }
      : { type: 'dynamic_select_menu', onAction: KEY_MENU_ACTION, placeholder: plain(t('pickKey')), min_query_length: 0 };
  return {
    type: 'MODAL',
    callbackId: DELETE_MODAL,
    title: plain(t('deleteKey')),
    submit: plain(t('confirm')),
    close: plain(t('cancel')),
    blocks: [{ type: 'input', blockId: KEY_BLOCK, label: plain(t('chooseKey')), element }],
  };
}

/** The same modal, updated into the confirmation (§2.3): Delete, or Cancel (a plain close). */
function confirmModal(t: T, key: ApiKeyRecord): Json {
  return {
    type: 'MODAL',
    callbackId: `${CONFIRM_MODAL}${key.id}`,
    title: plain(t('deleteKey')),
    submit: plain(t('confirm')),
    close: plain(t('cancel')),
    blocks: [{ type: 'section', text: plain(t('confirmText', { name: key.name })) }],
  };
}

/** "name (hint)", the name shortened so the option stays within a label's 75 characters (pumble-api.md §12.7). */
function keyOption(t: T, k: ApiKeyRecord): Json {
  const room = BLOCK_LIMITS.label - [...t('keyOption', { name: '', hint: k.hint })].length;
  const chars = [...k.name];
  const name = chars.length > room ? `${chars.slice(0, room - 1).join('')}…` : k.name;
  return { text: plain(t('keyOption', { name, hint: k.hint })), value: k.id };
}

/** A submitted value: `view.state.values[blockId][onAction].value`. */
function stateValue(view: Json, blockId: string, onAction: string): string {
  const values = isRecord(view.state) && isRecord(view.state.values) ? view.state.values : {};
  const block = isRecord(values[blockId]) ? values[blockId] : {};
  const entry = isRecord(block[onAction]) ? block[onAction] : {};
  return typeof entry.value === 'string' ? entry.value : '';
}
