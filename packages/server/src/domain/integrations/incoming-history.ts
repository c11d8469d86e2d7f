/**
 * The incoming-webhook history record (docs/integrations.md §8.9 extension, §13): one per request that
 * reached a known integration, written once when the request ends, with the last step reached.
 * Redaction and the payload privacy switch are history-redaction.ts's; this only assembles.
 */
import type { CoreContext } from '../context.js';
import { newId } from '../ids.js';
import type { IntegrationDoc } from './document.js';
import {
  captureConsole,
  incomingHistoryHeaders,
  recordForStorage,
  type IncomingHistoryRecord,
  type IncomingHistoryStep,
} from './history-redaction.js';
import type { ScriptConsoleLine } from './scripts-port.js';

export interface IncomingTrace {
  startedAt: number;
  step: IncomingHistoryStep;
  headers: Record<string, string | string[] | undefined>;
  /** the parsed payload as received (absent when it could not be parsed) */
  data?: unknown;
  console: ScriptConsoleLine[];
  httpStatus?: number;
  error?: string;
  /** the messages posted, `[{channel, messageId}]` */
  messages?: Array<{ channel: string; messageId: string }>;
}

export function newTrace(headers: IncomingTrace['headers'], startedAt: number): IncomingTrace {
  return { startedAt, step: 'received', headers, console: [] };
}

/**
 * Writes the record unless the integration turned history off (`historyEnabled: false`). A failure
 * to write it is swallowed: the request's outcome (often a posted message) stands regardless, and
 * history is a diagnostic aid, not a ledger.
 */
export async function writeIncomingHistory(ctx: CoreContext, workspaceId: string, doc: IntegrationDoc, trace: IncomingTrace): Promise<void> {
  if (doc.historyEnabled === false) return;
  const now = ctx.now();
  const at = new Date(now).toISOString();
  const secrets = [doc.token];
  const record: IncomingHistoryRecord<IntegrationDoc> & { messages?: IncomingTrace['messages'] } = {
    _id: newId(now),
    type: 'incoming-webhook',
    step: trace.step,
    integration: doc,
    ...(trace.httpStatus !== undefined && { httpStatus: trace.httpStatus }),
    ...(trace.error !== undefined && { error: trace.error }),
    headers: incomingHistoryHeaders(trace.headers, secrets),
    ...(trace.data !== undefined && { data: trace.data }),
    consoleOutput: captureConsole(trace.console.map((l) => `[${l.level}] ${l.text}`), secrets),
    ...(trace.messages && { messages: trace.messages }),
    durationMs: now - trace.startedAt,
    _createdAt: at,
    _updatedAt: at,
  };
  const stored = recordForStorage(record, { secrets, storePayloads: doc.storePayloadsInHistory !== false });
  try {
    await ctx.store.integrations.insertHistory({
      id: record._id,
      workspaceId,
      integrationId: doc._id,
      type: 'incoming-webhook',
      integrationCreatedBy: doc._createdBy._id,
      deliveryId: null,
      createdAt: now,
      updatedAt: now,
      record: stored,
    });
  } catch {
    // see above: never fail a webhook because its diagnostics could not be saved
  }
}
