import type { CoreContext } from '../../context.js';
import { DomainError } from '../../errors.js';
import type { Messages } from '../../messages.js';
import type { User } from '../../model.js';
import type { BuiltinApp } from '../../apps/builtin-apps.js';
import type { TriggerOutcome, TriggerTarget } from '../../apps/triggers.js';
import { API_KEYS_BUILTIN } from './manifest.js';
import { formatDate, localeOf, translate, type Locale, type MessageKey } from './i18n.js';
import type { ApiKeys, GeneratedKey } from './keys.js';
import type { Channels } from '../../channels.js';

const CONFIRM_ACTION = 'api-keys.delete.confirm';
const CANCEL_ACTION = 'api-keys.delete.cancel';
const ACK: TriggerOutcome = { kind: 'ack', status: 200 };

/**
 * The API app's in-process handler (docs/api-keys.md §2.4): `/api-keys` and its confirmation
 * buttons. It does what an HTTP app would do on a trigger — acknowledge, then answer through the
 * platform as its bot, ephemerally, in the user's language.
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
   * "Add API key" on the API page (§2.2): the key goes back in the response and, once, as an
   * ephemeral message in the user's DM with the addon bot.
   */
  async generateFromPage(user: User, name: string): Promise<GeneratedKey> {
    const generated = await this.keys.generate(user, name, 'api');
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
