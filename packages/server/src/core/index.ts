import type { Store } from '../store/store.js';
import { Accounts } from './accounts.js';
import { Channels } from './channels.js';
import type { CoreContext } from './context.js';
import type { NoticeSink } from './events.js';
import { Messages } from './messages.js';

/** The domain core: every surface calls these services, none of them speaks HTTP. */
export interface Core {
  accounts: Accounts;
  channels: Channels;
  messages: Messages;
  store: Store;
}

export function createCore(store: Store, sink: NoticeSink, opts: { now?: () => number; onOutboxWrite?: () => void } = {}): Core {
  const ctx: CoreContext = { store, sink, now: opts.now ?? Date.now, ...(opts.onOutboxWrite && { onOutboxWrite: opts.onOutboxWrite }) };
  return { accounts: new Accounts(ctx), channels: new Channels(ctx), messages: new Messages(ctx), store };
}
