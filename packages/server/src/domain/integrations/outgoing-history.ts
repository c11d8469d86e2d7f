/**
 * The history record of one outgoing attempt (docs/integrations.md §8.9): inserted when the attempt
 * starts and rewritten in place at each step, so `step` always shows how far it got — also when
 * the process dies half-way. Every write goes through recordForStorage: the integration copy
 * without token, compiled script and signing key; secrets scrubbed; payloads replaced by their
 * size and digest when the integration keeps them out of history.
 */
import type { ChatStore } from '../ports/chat-store.js';
import { newId } from '../ids.js';
import type { IntegrationDoc } from './document.js';
import { captureConsole, historyIntegration, recordForStorage, type OutgoingHistoryRecord, type OutgoingHistoryStep } from './history-redaction.js';
import type { ScriptConsoleLine } from './scripts-port.js';

export type OutgoingRecord = OutgoingHistoryRecord<IntegrationDoc>;
/** The fields a step may set (not the identity, the integration copy, or the step itself). */
export type RecordFields = Partial<Omit<OutgoingRecord, '_id' | 'type' | 'integration' | 'step' | '_createdAt' | '_updatedAt'>>;

export class OutgoingHistory {
  readonly id: string;
  private record: OutgoingRecord;
  private inserted = false;
  private readonly enabled: boolean;
  private readonly secrets: string[];
  private readonly console: string[] = [];

  constructor(
    private readonly store: ChatStore,
    private readonly workspaceId: string,
    private readonly integration: IntegrationDoc,
    init: { event: string; deliveryId: string; attempt: number },
    private readonly now: () => number,
  ) {
    const at = now();
    this.id = newId(at);
    this.enabled = integration.historyEnabled !== false;
    this.secrets = [integration.token, integration.webhookSecret, integration.previousWebhookSecret].filter((s): s is string => typeof s === 'string' && s !== '');
    const iso = new Date(at).toISOString();
    this.record = {
      _id: this.id,
      type: 'outgoing-webhook',
      step: 'start-execute-trigger-url',
      integration: historyIntegration(integration),
      event: init.event,
      deliveryId: init.deliveryId,
      attempt: init.attempt,
      _createdAt: iso,
      _updatedAt: iso,
    };
  }

  get step(): OutgoingHistoryStep {
    return this.record.step;
  }

  /** Script console output of this attempt (§9.3), kept with the record. */
  addConsole(lines: readonly ScriptConsoleLine[]): void {
    this.console.push(...lines.map((l) => `[${l.level}] ${l.text}`));
  }

  /** Reaches `step` with these fields, written with the next `reach` (steps that follow at once). */
  set(step: OutgoingHistoryStep, fields: RecordFields = {}): void {
    this.record = { ...this.record, ...fields, step };
  }

  /** Reaches `step` with these fields and writes the record. */
  async reach(step: OutgoingHistoryStep, fields: RecordFields = {}): Promise<void> {
    this.set(step, fields);
    const at = this.now();
    this.record._updatedAt = new Date(at).toISOString();
    if (this.console.length > 0) this.record.consoleOutput = captureConsole(this.console, this.secrets);
    if (!this.enabled) return;
    const stored = recordForStorage(this.record, { secrets: this.secrets, storePayloads: this.integration.storePayloadsInHistory !== false });
    if (this.inserted) return this.store.integrations.updateHistory(this.id, stored, at);
    this.inserted = true;
    await this.store.integrations.insertHistory({
      id: this.id,
      workspaceId: this.workspaceId,
      integrationId: this.integration._id,
      type: 'outgoing-webhook',
      integrationCreatedBy: this.integration._createdBy._id,
      deliveryId: this.record.deliveryId ?? null,
      createdAt: Date.parse(this.record._createdAt),
      updatedAt: at,
      record: stored,
    });
  }
}
