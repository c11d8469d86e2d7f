import type { User } from '../model.js';
import { BUILTIN_URL_SCHEME } from '../addons/api-keys/manifest.js';
import type { TriggerOutcome, TriggerResult, TriggerSender, TriggerTarget } from './triggers.js';

/**
 * An app shipped with the server. It is an app like any other — a manifest, an installation, a
 * bot, scopes, slash commands, block interactions — except that its trigger URLs name it
 * (`builtin:<name>`) and its handler runs in this process instead of behind HTTP.
 */
export interface BuiltinApp {
  readonly builtin: string;
  /** A trigger the platform sent to this app; the answer means what an HTTP app's answer would. */
  handle(target: TriggerTarget, eventType: string, envelope: Record<string, unknown>): Promise<TriggerOutcome>;
  /** What someone who types one of its commands is told while the app is not installed. */
  notInstalledReply(user: User): Promise<string>;
  /**
   * The person's home view, rendered live (docs/app-platform.md §11.2): a view document as an app
   * would publish it. Its buttons come back as BLOCK_INTERACTION triggers to `handle`, and `handle`
   * may answer with a view (`ack` whose `body` is `{triggerId, view, viewType, action}`): both go
   * through the same trigger runner as an HTTP app's (domain/apps/trigger-runner.ts).
   */
  homeView?(user: User): Promise<Record<string, unknown>>;
}

/**
 * The trigger sender the core uses: `builtin:` URLs go to the built-in app's handler, every other
 * URL to the network sender. Timing and failures are reported the same way for both.
 */
export class BuiltinTriggerRouter implements TriggerSender {
  private readonly apps = new Map<string, BuiltinApp>();

  constructor(private readonly network: TriggerSender) {}

  register(app: BuiltinApp): void {
    this.apps.set(app.builtin, app);
  }

  /** The built-in app of this name (an App's `builtin`). */
  byName(name: string): BuiltinApp | undefined {
    return this.apps.get(name);
  }

  builtinFor(url: string): BuiltinApp | undefined {
    return url.startsWith(BUILTIN_URL_SCHEME) ? this.apps.get(url.slice(BUILTIN_URL_SCHEME.length)) : undefined;
  }

  async send(target: TriggerTarget, eventType: string, envelope: Record<string, unknown>): Promise<TriggerResult> {
    if (!target.url.startsWith(BUILTIN_URL_SCHEME)) return this.network.send(target, eventType, envelope);
    const app = this.builtinFor(target.url);
    const started = performance.now();
    let outcome: TriggerOutcome;
    if (!app) outcome = { kind: 'failure', reason: `no built-in app ${target.url}` };
    else {
      try {
        outcome = await app.handle(target, eventType, envelope);
      } catch (err) {
        outcome = { kind: 'failure', reason: err instanceof Error ? err.message : String(err) };
      }
    }
    return { outcome, deliveryId: '', durationMs: Math.round(performance.now() - started) };
  }
}
