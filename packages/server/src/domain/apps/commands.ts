import type { CoreContext } from '../context.js';
import { visibleChannel } from '../channels.js';
import { forbidden } from '../errors.js';
import { newId } from '../ids.js';
import type { Message, User } from '../model.js';
import type { Messages } from '../messages.js';
import type { BuiltinTriggerRouter } from './builtin-apps.js';
import type { TriggerRunner } from './trigger-runner.js';

const COMMAND = /^(\/[^\s/]\S*)(?:\s+([\s\S]*))?$/;

/**
 * A workspace's installations in the order they were installed: who answers a command two apps
 * have (the first), and the order the `/` menu lists them in (interactions.ts appActions).
 */
export function inInstallOrder<T extends { createdAt: number; id: string }>(installs: T[]): T[] {
  return installs.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
}

/** `/command rest` → its parts, or undefined when the text is not a command. */
export function parseCommand(text: string | undefined): { command: string; text: string } | undefined {
  const m = text ? COMMAND.exec(text.trim()) : null;
  return m ? { command: m[1]!, text: (m[2] ?? '').trim() } : undefined;
}

/**
 * Slash commands (docs/app-platform.md §7.1, §9): a person's message `/command text` is not
 * posted; the installed app that registered the command gets a signed SLASH_COMMAND trigger and
 * its answer (ack or nack message, or the offline message) reaches the user ephemerally.
 */
export class SlashCommands {
  constructor(
    private readonly ctx: CoreContext,
    private readonly runner: TriggerRunner,
    private readonly messages: Messages,
    private readonly builtins?: BuiltinTriggerRouter,
  ) {}

  /**
   * Runs the command; answers at once with the invocation as an ephemeral echo (not stored, not
   * broadcast). The app's answer follows over the realtime socket. `settled` resolves when it has.
   * `pickedAppId`: the app the person picked among those with the command (docs/app-platform.md §7.1).
   */
  async run(actor: User, channelId: string, text: string, threadRootId?: string, pickedAppId?: string): Promise<{ echo: Message; settled: Promise<void> }> {
    const parsed = parseCommand(text)!;
    // One per-person trigger limit with shortcuts and interactions (trigger-runner.ts TRIGGER_LIMITS).
    await this.runner.admit(actor);
    const { channel, isMember } = await visibleChannel(this.ctx.store, actor, channelId);
    if (!isMember) throw forbidden('Join the channel to use commands in it');
    const found = await this.find(actor.workspaceId, parsed.command, pickedAppId);
    const t = this.ctx.now();
    const echo = this.messages.ephemeralFor(actor.id, channel, text, threadRootId ?? null, t);
    if (!found) {
      const builtin = await this.uninstalledBuiltin(actor.workspaceId, parsed.command);
      const text = builtin ? await builtin.notInstalledReply(actor) : `${parsed.command} is not a command of any installed app.`;
      const settled = this.messages.notifyEphemeral(actor.id, channel.id, [actor.id], text, threadRootId ?? null);
      return { echo, settled: settled.then(() => undefined) };
    }
    const { app, command, botUserId } = found;
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
    // The answer may be a message, or a view (docs/app-platform.md §9.3): the runner handles both.
    const settled = this.runner
      .run({ app, botUserId, actor, eventType: 'SLASH_COMMAND', url: command.url, envelope, channelId: channel.id, threadRootId: threadRootId ?? null })
      .then(() => undefined);
    return { echo, settled };
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
   * The app that answers the command (matched case-insensitively): the one the person picked if it
   * is installed here and has it — two apps may register one command, and the menu lists both
   * (docs/app-platform.md §7.1) — else the app installed first that registered it. A pick that no
   * longer fits (the person typed another command, the app was removed) is no error: the command
   * still runs, as it would have without a pick.
   */
  private async find(workspaceId: string, typed: string, pickedAppId?: string) {
    const installs = inInstallOrder(await this.ctx.store.installationsInWorkspace(workspaceId));
    const picked = pickedAppId === undefined ? -1 : installs.findIndex((i) => i.appId === pickedAppId);
    // the pick first, then the rest in install order
    if (picked > 0) installs.unshift(...installs.splice(picked, 1));
    for (const inst of installs) {
      const app = await this.ctx.store.app(inst.appId);
      if (!app) continue;
      const { manifest } = app;
      const command = manifest.slashCommands.find((c) => c.command.toLowerCase() === typed.toLowerCase());
      if (command) return { app, command, botUserId: inst.botUserId };
    }
    return undefined;
  }
}
