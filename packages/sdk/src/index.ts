export { App, type AppOptions, type DispatchMeta, type Receiver } from './app.js';
export { RecentIds, type RecentIdsOptions } from './recent-ids.js';
export {
  BlockActionContext,
  DynamicMenuContext,
  EventContext,
  NoTokenError,
  ShortcutContext,
  SlashCommandContext,
  TriggerContext,
  ViewActionContext,
  type TriggerReply,
} from './context.js';
export { SocketReceiver, HandshakeError, type SocketReceiverOptions } from './receivers/socket.js';
export { HttpReceiver, type HttpReceiverOptions } from './receivers/http.js';
export { SwitchboardClient, SwitchboardApiError, ROUTES, exchangeCode, retryAfterMs, type ChannelFile, type ClientOptions, type MessageBody, type RouteName } from './client.js';
export { SqlTokenStore, type SqlTokenStoreOptions, type PreparedDatabase, type QueryDatabase } from './sql-token-store.js';
export { RedirectServer, type RedirectServerOptions } from './redirect.js';
export { FileTokenStore, MemoryTokenStore, writeTokenFile, type TokenStore, type TokenFile } from './token-store.js';
export { verifyRequest, verifyPumble, verifyStandardWebhook, pumbleSignature, standardWebhookSignature, SIGNATURE_TOLERANCE_MS, type VerifyResult } from './signing.js';
export { consoleLogger, type Logger, type LogLevel } from './logger.js';
export * from './blocks.js';
export * from './types.js';
