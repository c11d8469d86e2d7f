import type { Store } from '../store/store.js';
import { Accounts } from './accounts.js';
import { Channels } from './channels.js';
import type { CoreContext } from './context.js';
import type { NoticeSink } from './events.js';
import { Messages } from './messages.js';
import { Apps } from './apps/apps.js';
import { DeveloperTokens } from './apps/developer-tokens.js';
import { Installs } from './apps/installs.js';
import { SlashCommands } from './apps/commands.js';
import type { TriggerSender } from './apps/triggers.js';
import { Keyring } from './keyring.js';
import { MemoryRateLimiter, type RateLimiter } from '../limits/rate-limiter.js';

/** The domain core: every surface calls these services, none of them speaks HTTP. */
export interface Core {
  accounts: Accounts;
  apps: Apps;
  installs: Installs;
  commands: SlashCommands;
  developerTokens: DeveloperTokens;
  channels: Channels;
  messages: Messages;
  store: Store;
}

/** Without a sender (tools, benchmarks) every trigger fails as an unreachable app would. */
const unreachableApps: TriggerSender = {
  async send() {
    return { outcome: { kind: 'failure', reason: 'no trigger sender configured' }, deliveryId: '', durationMs: 0 };
  },
};

export function createCore(
  store: Store,
  sink: NoticeSink,
  opts: { keyring?: Keyring; limiter?: RateLimiter; triggerSender?: TriggerSender; now?: () => number; onOutboxWrite?: () => void } = {},
): Core {
  const now = opts.now ?? Date.now;
  const ctx: CoreContext = {
    store,
    sink,
    now,
    limiter: opts.limiter ?? new MemoryRateLimiter(now),
    ...(opts.onOutboxWrite && { onOutboxWrite: opts.onOutboxWrite }),
  };
  // Without a configured key (tools, some tests) secrets are sealed with a key of this process alone.
  const keyring = opts.keyring ?? new Keyring(Keyring.generateKey());
  const channels = new Channels(ctx);
  const messages = new Messages(ctx);
  return {
    accounts: new Accounts(ctx),
    apps: new Apps(ctx, keyring),
    installs: new Installs(ctx, keyring, channels, messages),
    commands: new SlashCommands(ctx, keyring, messages, opts.triggerSender ?? unreachableApps),
    developerTokens: new DeveloperTokens(ctx, keyring),
    channels,
    messages,
    store,
  };
}
