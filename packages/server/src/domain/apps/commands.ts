import { commit, type CoreContext } from '../context.js';
import { visibleChannel } from '../channels.js';
import { forbidden, invalid, notFound } from '../errors.js';
import { isId, newId } from '../ids.js';
import type { Keyring } from '../keyring.js';
import type { Message, User } from '../model.js';
import type { Messages } from '../messages.js';
import type { Manifest } from './manifest.js';
import { signingSecretsOf } from './apps.js';
import type { TriggerOutcome, TriggerResult, TriggerSender, TriggerTarget } from './triggers.js';
import { refusalText } from '../outbound-policy.js';
import type { BuiltinTriggerRouter } from './builtin-apps.js';

export interface BlockInteractionInput {
  channelId: string;
  sourceType: 'MESSAGE' | 'EPHEMERAL_MESSAGE';
  sourceId: string;
  /** upper-case, as in the envelope: BUTTON, STATIC_SELECT_MENU, … */
  actionType: string;
  onAction: string;
  /** §7.3 payload contents, e.g. {value} for a button; sent to the app JSON-encoded */
  payload?: Record<string, unknown>;
}

const COMMAND = /^(\/[^\s/]\S*)(?:\s+([\s\S]*))?$/;

/** `/command rest` → its parts, or undefined when the text is not a command. */
export function parseCommand(text: string | undefined): { command: string; text: string } | undefined {
  const m = text ? COMMAND.exec(text.trim()) : null;
  return m ? { command: m[1]!, text: (m[2] ?? '').trim() } : undefined;
}

/**
 * What a person sees when the app could not be asked: its offline message — and, when the outbound
 * policy refused the app's URL, why and which setting would allow it. Trying again will not help
 * then, so the default "try again later" gives way to the reason.
 */
function failureReply(manifest: Manifest, outcome: Extract<TriggerOutcome, { kind: 'failure' }>): string {
  const { refusal } = outcome;
  if (!refusal) return manifest.offlineMessage ?? `**${manifest.displayName}** didn't respond. Please try again later.`;
  const admin = refusal.remedy ? ` An admin can ${refusal.remedy} to allow it.` : '';
  const why = `**${manifest.displayName}** could not be reached: ${refusal.problem}.${admin}`;
  return manifest.offlineMessage ? `${manifest.offlineMessage}\n\n${why}` : why;
}

interface TriggerLogEntry {
  appId: string;
  workspaceId: string;
  eventType: string;
  url: string;
  envelope: Record<string, unknown>;
  result: TriggerResult;
}

/**
 * Slash commands (docs/app-platform.md §7.1, §9): a person's message `/command text` is not
 * posted; the installed app that registered the command gets a signed SLASH_COMMAND trigger and
 * its answer (ack or nack message, or the offline message) reaches the user ephemerally.
 */
export class SlashCommands {
  constructor(
    private readonly ctx: CoreContext,
    private readonly keyring: Keyring,
    private readonly messages: Messages,
    private readonly sender: TriggerSender,
    private readonly builtins?: BuiltinTriggerRouter,
  ) {}

  /**
   * Runs the command; answers at once with the invocation as an ephemeral echo (not stored, not
   * broadcast). The app's answer follows over the realtime socket. `settled` resolves when it has.
   */
  async run(actor: User, channelId: string, text: string, threadRootId?: string): Promise<{ echo: Message; settled: Promise<void> }> {
    const parsed = parseCommand(text)!;
    const { channel, isMember } = await visibleChannel(this.ctx.store, actor, channelId);
    if (!isMember) throw forbidden('Join the channel to use commands in it');
    const found = await this.find(actor.workspaceId, parsed.command);
    const t = this.ctx.now();
    const echo = this.messages.ephemeralFor(actor.id, channel, text, threadRootId ?? null, t);
    if (!found) {
      const builtin = await this.uninstalledBuiltin(actor.workspaceId, parsed.command);
      const text = builtin ? await builtin.notInstalledReply(actor) : `${parsed.command} is not a command of any installed app.`;
      const settled = this.messages.notifyEphemeral(actor.id, channel.id, [actor.id], text, threadRootId ?? null);
      return { echo, settled: settled.then(() => undefined) };
    }
    const { app, manifest, command, botUserId, signingSecret, previousSigningSecrets } = found;
    const envelope: Record<string, unknown> = {
      messageType: 'SLASH_COMMAND',
      slashCommand: command.command,
      text: parsed.text,
      userId: actor.id,
      channelId: channel.id,
      ...(threadRootId && { threadRootId }),
      workspaceId: actor.workspaceId,
      triggerId: newId(t),
    };
    const target = { appId: app.id, workspaceId: actor.workspaceId, url: command.url, signingSecret, previousSigningSecrets };
    const settled = this.trigger(target, manifest, botUserId, actor, channel.id, threadRootId ?? null, 'SLASH_COMMAND', envelope);
    return { echo, settled };
  }

  /**
   * A person clicked a button (or chose an option) in a message or an ephemeral message from an
   * app's bot (§7.3): the app gets a signed BLOCK_INTERACTION trigger; its answer reaches the person
   * as for a command. Only someone who sees the message may interact with it.
   */
  async blockInteraction(actor: User, input: BlockInteractionInput): Promise<{ settled: Promise<void> }> {
    const { channel } = await visibleChannel(this.ctx.store, actor, input.channelId);
    let authorId: string;
    if (input.sourceType === 'EPHEMERAL_MESSAGE') {
      const eph = isId(input.sourceId) ? await this.ctx.store.ephemeral(channel.id, input.sourceId) : undefined;
      if (!eph || !eph.recipients.includes(actor.id)) throw notFound('Ephemeral message');
      authorId = eph.authorId;
    } else {
      const message = isId(input.sourceId) ? await this.ctx.store.message(channel.id, input.sourceId) : undefined;
      if (!message || message.deleted) throw notFound('Message');
      authorId = message.authorId;
    }
    const installs = await this.ctx.store.installationsInWorkspace(actor.workspaceId);
    const inst = installs.find((i) => i.botUserId === authorId);
    const app = inst && (await this.ctx.store.app(inst.appId));
    const manifest = app?.manifest;
    if (!app || !manifest?.blockInteraction?.url) throw invalid('sourceId', 'the message is not from an app that takes block interactions');
    const t = this.ctx.now();
    const envelope: Record<string, unknown> = {
      messageType: 'BLOCK_INTERACTION',
      workspaceId: actor.workspaceId,
      userId: actor.id,
      channelId: channel.id,
      sourceType: input.sourceType,
      sourceId: input.sourceId,
      actionType: input.actionType,
      onAction: input.onAction,
      payload: JSON.stringify(input.payload ?? { value: '' }),
      triggerId: newId(t),
      loadingTimeout: 0,
    };
    const secrets = signingSecretsOf(app, this.keyring, t);
    const target = { appId: app.id, workspaceId: actor.workspaceId, url: manifest.blockInteraction.url, signingSecret: secrets.current, previousSigningSecrets: secrets.previous };
    return { settled: this.trigger(target, manifest, inst!.botUserId, actor, channel.id, null, 'BLOCK_INTERACTION', envelope) };
  }

  /** Sends a trigger, logs it, and shows the person the app's answer (or the offline message). */
  private async trigger(
    target: TriggerTarget,
    manifest: Manifest,
    botUserId: string | null,
    actor: User,
    channelId: string,
    threadRootId: string | null,
    eventType: string,
    envelope: Record<string, unknown>,
  ): Promise<void> {
    const startedAt = this.ctx.now();
    const result = await this.sender.send(target, eventType, envelope);
    await this.record({ appId: target.appId, workspaceId: actor.workspaceId, eventType, url: target.url, envelope, result }, startedAt);
    const { outcome } = result;
    const reply = outcome.kind === 'failure' ? failureReply(manifest, outcome) : outcome.message;
    // Only the person who acted sees it: the reason may name server settings.
    if (reply) await this.messages.notifyEphemeral(botUserId ?? actor.id, channelId, [actor.id], reply, threadRootId);
  }

  /** A built-in app of the workspace that has this command but is not installed. */
  private async uninstalledBuiltin(workspaceId: string, typed: string) {
    if (!this.builtins) return undefined;
    for (const app of await this.ctx.store.directoryApps(workspaceId)) {
      if (app.builtin === null || app.workspaceId !== workspaceId) continue;
      const command = app.manifest.slashCommands.find((c) => c.command.toLowerCase() === typed.toLowerCase());
      const handler = command && this.builtins.builtinFor(command.url);
      if (handler) return handler;
    }
    return undefined;
  }

  /**
   * Every trigger goes into the app's delivery log as one finished attempt (docs/delivery.md §1: logged,
   * never queued): written already finished, in one transaction, so no worker ever sends it again.
   */
  private async record(entry: TriggerLogEntry, startedAt: number): Promise<void> {
    const { outcome } = entry.result;
    const status = outcome.status ?? null;
    const error = outcome.kind === 'failure' ? outcome.reason : null;
    await commit(this.ctx, async (chat) => {
      const tx = chat.deliveries;
      const { id } = await tx.enqueue({
        id: entry.result.deliveryId || `msg_trigger_${String(entry.envelope.triggerId)}`,
        class: 'trigger',
        endpointType: 'app',
        endpointId: entry.appId,
        url: entry.url,
        eventType: entry.eventType,
        eventId: String(entry.envelope.triggerId),
        workspaceId: entry.workspaceId,
        payload: JSON.stringify(entry.envelope),
        signingKeyRef: entry.appId,
        now: startedAt,
      });
      await tx.recordAttempt({
        deliveryId: id,
        n: 1,
        manual: false,
        startedAt,
        durationMs: entry.result.durationMs,
        requestHeaders: entry.result.requestHeaders ?? {},
        responseStatus: status,
        responseHeaders: {},
        responseBody: outcome.kind === 'failure' ? '' : (outcome.message ?? ''),
        error: error && ['timeout', 'dns', 'connect', 'tls', 'ssrf-blocked', 'too-large'].includes(error) ? error : null,
        errorMessage: outcome.kind === 'failure' && outcome.refusal ? refusalText(outcome.refusal) : error,
      });
      const summary = { attemptCount: 1, lastStatusCode: status, lastError: error };
      // An ack or a nack is the app answering: delivered. Only silence or a broken answer failed.
      if (outcome.kind === 'failure') await tx.markFailed(id, error === 'ssrf-blocked' || error === 'invalid-url' ? error : 'exhausted', summary);
      else await tx.markSucceeded(id, summary);
    });
  }

  /** The app installed first in the workspace that registered the command (matched case-insensitively). */
  private async find(workspaceId: string, typed: string) {
    const installs = await this.ctx.store.installationsInWorkspace(workspaceId);
    for (const inst of installs.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id))) {
      const app = await this.ctx.store.app(inst.appId);
      if (!app) continue;
      const { manifest } = app;
      const command = manifest.slashCommands.find((c) => c.command.toLowerCase() === typed.toLowerCase());
      if (command) {
        const secrets = signingSecretsOf(app, this.keyring, this.ctx.now());
        return { app, manifest, command, botUserId: inst.botUserId, signingSecret: secrets.current, previousSigningSecrets: secrets.previous };
      }
    }
    return undefined;
  }
}
