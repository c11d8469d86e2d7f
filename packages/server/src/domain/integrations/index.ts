/** The pure rules of integrations (docs/integrations.md §7–§10); the routes, store and sandbox use them. */
export * from './hook-errors.js';
export * from './attachments.js';
export * from './slack-markup.js';
export * from './incoming-payload.js';
export * from './incoming-script-result.js';
export * from './outgoing-match.js';
export * from './outgoing-event-data.js';
export * from './outgoing-request.js';
export * from './retry-strategy.js';
export * from './outgoing-reply.js';
export * from './history-redaction.js';
