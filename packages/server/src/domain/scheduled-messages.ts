/**
 * Scheduled messages (docs/pumble-api.md §11.2, §12.6; docs/api-keys.md §5.3): a message its
 * author writes now and the server posts later, once or on a recurrence. Only the author ever
 * sees, edits or deletes one. At its time it is posted through Messages.post, as its author, so
 * realtime frames, outbox events and app events happen as for any post.
 *
 * Recurrence (decision). Occurrences keep the local wall-clock time of the series' anchor (the
 * sendAt it was last set with) in the author's time zone (User.timeZone when it is a valid IANA
 * name, else UTC), across daylight-saving changes:
 *   DAILY    the next calendar day;
 *   WEEKDAYS the next Monday–Friday day (a series anchored on a weekend day posts there once);
 *   WEEKLY   seven calendar days later;
 *   MONTHLY  the anchor's day of month in the next month, clamped to its last day (31 → 30, 28/29);
 *   YEARLY   the anchor's month and day in the next year (Feb 29 → Feb 28 in common years).
 * A local time that does not exist (a spring-forward gap) moves forward by the gap; one that
 * occurs twice takes the earlier. `endAfterOccurrences` counts every occurrence of the series,
 * the first one included and across edits (editing does not extend a series); `endDate` is the
 * last instant an occurrence may have. Occurrences missed while no server ran are skipped (and
 * counted), not posted in a burst: after a post the series moves to its first occurrence after now.
 */
import { commit, type CoreContext } from './context.js';
import { DomainError, invalid, notFound, type ErrorKind } from './errors.js';
import type { Notice } from './events.js';
import { isId, newId } from './ids.js';
import { checkContent, Messages, withValidBlocks, writableChannel } from './messages.js';
import type { Channel, Recurrence, RecurrenceType, ScheduledMessage, User } from './model.js';
import type {  StoredScheduledMessage } from './ports/scheduled.js';

export type { RecurrenceType };

export const RECURRENCE_TYPES: readonly RecurrenceType[] = ['DAILY', 'WEEKDAYS', 'WEEKLY', 'MONTHLY', 'YEARLY'];

export interface ScheduleInput {
  channelId: string;
  text?: string;
  blocks?: unknown[];
  attachments?: unknown[];
  sendAt: number;
  threadRootId?: string;
  alsoSendToChannel?: boolean;
  /** on update: undefined keeps the series' recurrence, null ends it */
  recurrence?: Recurrence | null;
  appId?: string | null;
}

/** What update takes: a ScheduleInput in which `threadRootId: null` also takes the message out of its thread. */
export type ScheduledMessageUpdate = Omit<ScheduleInput, 'threadRootId'> & { threadRootId?: string | null };

export interface ScheduledPage {
  scheduledMessages: ScheduledMessage[];
  hasMore: boolean;
}

/** What one runDue did; ScheduledSender logs the drops and failures. */
export interface RunReport {
  /** due rows taken, whatever became of them (a run that took `limit` may have left more) */
  handled: number;
  posted: number;
  /** series ended because they can no longer be posted (author deactivated, lost access, thread gone…) */
  dropped: Array<{ id: string; authorId: string; channelId: string; reason: string }>;
  /** attempts that failed unexpectedly: retried later, or the occurrence given up after MAX_ATTEMPTS */
  failed: Array<{ id: string; attempt: number; gaveUp: boolean; error: unknown }>;
}

export const DEFAULT_LIST_LIMIT = 20;
export const MAX_LIST_LIMIT = 100;
/** Attempts at one occurrence that fail unexpectedly (not a refusal) before it is given up. */
export const MAX_ATTEMPTS = 5;
/** The wait after the n-th failed attempt: 30 s, 1 min, 2 min, 4 min. */
export const retryDelayMs = (failures: number) => Math.min(30_000 * 2 ** (failures - 1), 15 * 60_000);
/** The latest time a JavaScript Date holds. */
const MAX_TIME = 8.64e15;
/** A refusal from Messages.post of these kinds will not change by retrying: the series ends. */
const PERMANENT: ReadonlySet<ErrorKind> = new Set(['invalid', 'forbidden', 'not_found', 'unauthenticated']);

// ---- recurrence ---------------------------------------------------------------------------------

interface Wall {
  y: number;
  mo: number; // 1–12
  d: number;
  h: number;
  mi: number;
  s: number;
  ms: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** A usable IANA zone name, else UTC. */
export function zoneOf(timeZone: string | null | undefined): string {
  if (!timeZone || timeZone === 'UTC') return 'UTC';
  if (formatters.has(timeZone)) return timeZone;
  try {
    formatters.set(
      timeZone,
      new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }),
    );
    return timeZone;
  } catch {
    return 'UTC';
  }
}

function wallOf(t: number, zone: string): Wall {
  const f = zone === 'UTC' ? undefined : formatters.get(zone);
  if (!f) {
    const d = new Date(t);
    return { y: d.getUTCFullYear(), mo: d.getUTCMonth() + 1, d: d.getUTCDate(), h: d.getUTCHours(), mi: d.getUTCMinutes(), s: d.getUTCSeconds(), ms: d.getUTCMilliseconds() };
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(new Date(t))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return { y: p.year!, mo: p.month!, d: p.day!, h: p.hour! % 24, mi: p.minute!, s: p.second!, ms: ((t % 1000) + 1000) % 1000 };
}

const wallAsUtc = (w: Wall) => Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s, w.ms);
/** The zone's offset from UTC at instant `t`, in ms. */
const offsetAt = (t: number, zone: string) => (zone === 'UTC' ? 0 : wallAsUtc(wallOf(t, zone)) - t);

/** The instant of a local wall-clock time: a skipped time moves forward by the gap, a repeated one takes the earlier. */
function instantOf(w: Wall, zone: string): number {
  const local = wallAsUtc(w);
  if (zone === 'UTC') return local;
  const before = offsetAt(local - 86_400_000, zone);
  const after = offsetAt(local + 86_400_000, zone);
  const candidates = [...new Set([local - before, local - after])].filter((t) => offsetAt(t, zone) === local - t);
  if (candidates.length > 0) return Math.min(...candidates);
  return local - before;
}

const daysIn = (y: number, mo: number) => new Date(Date.UTC(y, mo, 0)).getUTCDate();

/** The calendar date `days` after (y, mo, d), with its weekday (0 Sunday). */
function addDays(y: number, mo: number, d: number, days: number) {
  const t = new Date(Date.UTC(y, mo - 1, d + days));
  return { y: t.getUTCFullYear(), mo: t.getUTCMonth() + 1, d: t.getUTCDate(), wd: t.getUTCDay() };
}

/** The occurrence after `current` of a series anchored at `anchorAt` (see the comment at the top). */
export function nextOccurrence(type: RecurrenceType, anchorAt: number, current: number, timeZone?: string | null): number {
  const zone = zoneOf(timeZone);
  const a = wallOf(anchorAt, zone);
  const c = wallOf(current, zone);
  const at = (date: { y: number; mo: number; d: number }) => instantOf({ ...date, h: a.h, mi: a.mi, s: a.s, ms: a.ms }, zone);
  let next: number;
  switch (type) {
    case 'DAILY':
      next = at(addDays(c.y, c.mo, c.d, 1));
      break;
    case 'WEEKLY':
      next = at(addDays(c.y, c.mo, c.d, 7));
      break;
    case 'WEEKDAYS': {
      let date = addDays(c.y, c.mo, c.d, 1);
      while (date.wd === 0 || date.wd === 6) date = addDays(date.y, date.mo, date.d, 1);
      next = at(date);
      break;
    }
    case 'MONTHLY': {
      const y = c.mo === 12 ? c.y + 1 : c.y;
      const mo = c.mo === 12 ? 1 : c.mo + 1;
      next = at({ y, mo, d: Math.min(a.d, daysIn(y, mo)) });
      break;
    }
    case 'YEARLY':
      next = at({ y: c.y + 1, mo: a.mo, d: Math.min(a.d, daysIn(c.y + 1, a.mo)) });
      break;
  }
  return next > current ? next : NaN;
}

/**
 * Where a series goes once its pending occurrence is behind it (posted or given up): its first
 * occurrence after `now`, or null when the series is over.
 */
export function planNext(
  m: Pick<StoredScheduledMessage, 'recurrence' | 'anchorAt' | 'sendAt' | 'occurrencesDone'>,
  timeZone: string | null | undefined,
  now: number,
): { sendAt: number; occurrencesDone: number } | null {
  const r = m.recurrence;
  if (!r) return null;
  let done = m.occurrencesDone + 1;
  let at = m.sendAt;
  // Bounded: a daily series skipping a century of downtime takes 36 500 steps.
  for (let step = 0; step < 100_000; step++) {
    if (r.endAfterOccurrences !== undefined && done >= r.endAfterOccurrences) return null;
    at = nextOccurrence(r.recurrenceType, m.anchorAt, at, timeZone);
    if (!Number.isFinite(at) || at > MAX_TIME) return null;
    if (r.endDate !== undefined && at > r.endDate) return null;
    if (at > now) return { sendAt: at, occurrencesDone: done };
    done += 1;
  }
  return null;
}

// ---- the service --------------------------------------------------------------------------------

function toPublic(m: StoredScheduledMessage): ScheduledMessage {
  const { anchorAt: _a, occurrencesDone: _o, dueAt: _d, failures: _f, ...rest } = m;
  return rest;
}

function checkRecurrence(r: Recurrence, sendAt: number, occurrencesDone: number): Recurrence {
  if (typeof r !== 'object' || r === null) throw invalid('recurrence', 'must be an object');
  if (!RECURRENCE_TYPES.includes(r.recurrenceType)) throw invalid('recurrence.recurrenceType', `must be one of ${RECURRENCE_TYPES.join(', ')}`);
  const out: Recurrence = { recurrenceType: r.recurrenceType };
  if (r.endAfterOccurrences !== undefined && r.endAfterOccurrences !== null) {
    if (!Number.isSafeInteger(r.endAfterOccurrences) || r.endAfterOccurrences < 1) throw invalid('recurrence.endAfterOccurrences', 'must be a whole number, at least 1');
    if (r.endAfterOccurrences <= occurrencesDone) {
      throw invalid('recurrence.endAfterOccurrences', `must be more than the ${occurrencesDone} occurrences this series already had`);
    }
    out.endAfterOccurrences = r.endAfterOccurrences;
  }
  if (r.endDate !== undefined && r.endDate !== null) {
    if (!Number.isSafeInteger(r.endDate) || r.endDate <= sendAt) throw invalid('recurrence.endDate', 'must be a time (epoch ms) after sendAt');
    out.endDate = r.endDate;
  }
  return out;
}

export interface ScheduledMessagesOptions {
  /** the Messages a due message is posted through, bound to the claiming transaction (tests inject failures here) */
  messagesFor?: (ctx: CoreContext) => Messages;
}

export class ScheduledMessages {
  private readonly messagesFor: (ctx: CoreContext) => Messages;

  constructor(
    private readonly ctx: CoreContext,
    opts: ScheduledMessagesOptions = {},
  ) {
    this.messagesFor = opts.messagesFor ?? ((c) => new Messages(c));
  }

  async create(actor: User, input: ScheduleInput): Promise<ScheduledMessage> {
    const v = await this.validate(actor, input, 0);
    const t = this.ctx.now();
    const m: StoredScheduledMessage = {
      id: newId(t),
      workspaceId: actor.workspaceId,
      channelId: v.channel.id,
      authorId: actor.id,
      text: v.text,
      blocks: v.blocks,
      attachments: v.attachments,
      sendAt: input.sendAt,
      recurrence: v.recurrence,
      threadRootId: v.threadRootId,
      alsoSendToChannel: v.alsoSendToChannel,
      createdAt: t,
      updatedAt: t,
      appId: input.appId ?? null,
      anchorAt: input.sendAt,
      occurrencesDone: 0,
      dueAt: input.sendAt,
      failures: 0,
    };
    await this.ctx.store.scheduled.insert(m);
    return toPublic(m);
  }

  /** Only the author sees their scheduled messages; anyone else gets the 404 of a missing one. */
  async get(actor: User, id: string): Promise<ScheduledMessage> {
    return toPublic(await this.own(actor, id));
  }

  /** The caller's own, in sending order (sendAt, then id); `cursor` is the last id seen. */
  async list(actor: User, q: { channelId?: string; cursor?: string; limit?: number }): Promise<ScheduledPage> {
    const limit = Math.min(Math.max(Math.floor(q.limit ?? DEFAULT_LIST_LIMIT), 1), MAX_LIST_LIMIT);
    if (q.channelId !== undefined && !isId(q.channelId)) throw invalid('channelId', 'must be a channel id');
    let after: { sendAt: number; id: string } | undefined;
    if (q.cursor !== undefined && q.cursor !== '') {
      const seen = isId(q.cursor) ? await this.ctx.store.scheduled.get(q.cursor) : undefined;
      if (!seen || seen.authorId !== actor.id) throw invalid('cursor', 'must be the id of one of your scheduled messages');
      after = { sendAt: seen.sendAt, id: seen.id };
    }
    const rows = await this.ctx.store.scheduled.listByAuthor({
      workspaceId: actor.workspaceId,
      authorId: actor.id,
      ...(q.channelId !== undefined && { channelId: q.channelId }),
      ...(after && { after }),
      limit: limit + 1,
    });
    return { scheduledMessages: rows.slice(0, limit).map(toPublic), hasMore: rows.length > limit };
  }

  /**
   * Replaces what is sent and when, as a message edit does: `text` as given ('' when omitted),
   * `blocks` and `attachments` kept when omitted; `recurrence` kept when omitted, ended by null;
   * `threadRootId` and `alsoSendToChannel` kept when omitted (the thread only while the channel stays).
   */
  async update(actor: User, id: string, input: ScheduledMessageUpdate): Promise<ScheduledMessage> {
    const existing = await this.own(actor, id);
    const sameChannel = input.channelId === existing.channelId;
    const merged: ScheduleInput = {
      channelId: input.channelId,
      text: input.text ?? '',
      sendAt: input.sendAt,
      recurrence: input.recurrence === undefined ? existing.recurrence : input.recurrence,
      alsoSendToChannel: input.alsoSendToChannel ?? existing.alsoSendToChannel,
    };
    const blocks = input.blocks !== undefined ? input.blocks : existing.blocks;
    const attachments = input.attachments !== undefined ? input.attachments : existing.attachments;
    if (blocks) merged.blocks = blocks;
    if (attachments) merged.attachments = attachments;
    const threadRootId = input.threadRootId !== undefined ? input.threadRootId : sameChannel ? existing.threadRootId : null;
    if (threadRootId) merged.threadRootId = threadRootId;
    const v = await this.validate(actor, merged, existing.occurrencesDone);
    const changed = await this.ctx.store.scheduled.update(existing.id, actor.id, {
      channelId: v.channel.id,
      text: v.text,
      blocks: v.blocks,
      attachments: v.attachments,
      threadRootId: v.threadRootId,
      alsoSendToChannel: v.alsoSendToChannel,
      sendAt: input.sendAt,
      recurrence: v.recurrence,
      anchorAt: input.sendAt,
      dueAt: input.sendAt,
      failures: 0,
      updatedAt: this.ctx.now(),
    });
    if (!changed) throw notFound('Scheduled message');
    return this.get(actor, existing.id);
  }

  /** `PUT …/attachments`: only the attachments change. */
  async replaceAttachments(actor: User, id: string, attachments: unknown[]): Promise<ScheduledMessage> {
    const existing = await this.own(actor, id);
    checkContent({ text: existing.text, ...(existing.blocks && { blocks: existing.blocks }), attachments });
    if (!(await this.ctx.store.scheduled.update(existing.id, actor.id, { attachments, updatedAt: this.ctx.now() }))) throw notFound('Scheduled message');
    return this.get(actor, existing.id);
  }

  async delete(actor: User, id: string): Promise<void> {
    if (!isId(id) || !(await this.ctx.store.scheduled.delete(id, actor.id))) throw notFound('Scheduled message');
  }

  /** Posts every message due now; returns how many were posted. */
  async runDue(limit = 100): Promise<number> {
    return (await this.runDueReport(limit)).posted;
  }

  /**
   * Takes up to `limit` due messages one by one, each in its own transaction: the row is claimed
   * (locked, on PostgreSQL, so no other node takes it), posted as its author through Messages.post
   * bound to that same transaction, and deleted or moved to its next occurrence; the commit makes
   * all of it durable at once, so each occurrence is posted exactly once. Realtime notices go out
   * after that commit. A message that can no longer be posted (author deactivated, no longer
   * allowed in the channel, thread root gone) ends its series; an unexpected failure is retried
   * later, and given up for that occurrence after MAX_ATTEMPTS.
   */
  async runDueReport(limit = 100): Promise<RunReport> {
    const report: RunReport = { handled: 0, posted: 0, dropped: [], failed: [] };
    const now = this.ctx.now();
    while (report.handled < limit) {
      const taken = await this.sendOne(now, report);
      if (!taken) break;
      report.handled += 1;
    }
    return report;
  }

  // ---- internals -----------------------------------------------------------------------------

  private async own(actor: User, id: string): Promise<StoredScheduledMessage> {
    const m = isId(id) ? await this.ctx.store.scheduled.get(id) : undefined;
    if (!m || m.authorId !== actor.id || m.workspaceId !== actor.workspaceId) throw notFound('Scheduled message');
    return m;
  }

  /** The rules of a post (content, the channel, the thread) plus those of a schedule (time, recurrence). */
  private async validate(actor: User, raw: ScheduleInput, occurrencesDone: number) {
    const input = withValidBlocks(raw);
    checkContent(input);
    const now = this.ctx.now();
    if (!Number.isSafeInteger(input.sendAt) || input.sendAt > MAX_TIME) throw invalid('sendAt', 'must be a time in epoch milliseconds');
    if (input.sendAt <= now) throw invalid('sendAt', 'must be in the future');
    const recurrence = input.recurrence ? checkRecurrence(input.recurrence, input.sendAt, occurrencesDone) : null;
    const channel = await writableChannel(this.ctx.store, actor, input.channelId);
    const threadRootId = await this.threadRoot(channel, input.threadRootId);
    return {
      channel,
      text: input.text ?? '',
      blocks: input.blocks && input.blocks.length > 0 ? input.blocks : null,
      attachments: input.attachments && input.attachments.length > 0 ? input.attachments : null,
      recurrence,
      threadRootId,
      alsoSendToChannel: threadRootId !== null && input.alsoSendToChannel === true,
    };
  }

  /** A scheduled reply goes under a root message of the same channel. */
  private async threadRoot(channel: Channel, threadRootId: string | undefined): Promise<string | null> {
    if (threadRootId === undefined || threadRootId === null) return null;
    const root = isId(threadRootId) ? await this.ctx.store.message(channel.id, threadRootId) : undefined;
    if (!root || root.deleted) throw notFound('Thread root message');
    if (root.threadRootId !== null) throw invalid('threadRootId', 'must be the root message of a thread, not a reply');
    return root.id;
  }

  /** One due message, claimed, posted and moved on in one transaction; false when none is due. */
  private async sendOne(now: number, report: RunReport): Promise<boolean> {
    const published: Notice[] = [];
    let wroteOutbox = false;
    let claimed: StoredScheduledMessage | undefined;
    let author: User | undefined;
    let dropReason = '';
    let outcome: 'none' | 'posted' | 'dropped';
    try {
      // The unit of work; the post inside joins it (its own commit() runs inline), and its notices wait for ours.
      outcome = await commit(this.ctx, async (chat) => {
        const tx = chat.scheduled;
        published.length = 0;
        wroteOutbox = false;
        claimed = await tx.claimDue(now);
        const m = claimed;
        if (!m) return 'none';
        author = await chat.user(m.workspaceId, m.authorId);
        const drop = async (reason: string) => {
          await tx.remove(m.id);
          dropReason = reason;
          return 'dropped' as const;
        };
        if (!author || author.status !== 'ACTIVATED') return drop('the author is deactivated');
        // Messages bound to this transaction: its commit() runs inline, its notices wait for ours.
        const txCtx: CoreContext = {
          ...this.ctx,
          store: chat,
          sink: { publish: (notices) => void published.push(...notices) },
          onOutboxWrite: () => void (wroteOutbox = true),
        };
        const poster = author;
        try {
          await tx.savepoint(() =>
            this.messagesFor(txCtx).post(poster, m.channelId, {
              text: m.text,
              ...(m.blocks && { blocks: m.blocks }),
              ...(m.attachments && { attachments: m.attachments }),
              ...(m.threadRootId !== null && { threadRootId: m.threadRootId, alsoSendToChannel: m.alsoSendToChannel }),
            }),
          );
        } catch (err) {
          if (!(err instanceof DomainError) || !PERMANENT.has(err.kind)) throw err;
          published.length = 0;
          wroteOutbox = false;
          return drop(err.message);
        }
        const next = planNext(m, poster.timeZone, now);
        if (next) await tx.advance(m.id, next);
        else await tx.remove(m.id);
        return 'posted';
      });
    } catch (error) {
      // Rolled back: nothing was posted. Retry later, or give this occurrence up.
      if (!claimed) throw error;
      await this.recordFailure(claimed, author, now, error, report);
      return true;
    }
    if (outcome === 'none') return false;
    if (outcome === 'dropped') report.dropped.push({ id: claimed!.id, authorId: claimed!.authorId, channelId: claimed!.channelId, reason: dropReason });
    if (outcome === 'posted') {
      report.posted += 1;
      if (published.length > 0) this.ctx.sink.publish(published);
      if (wroteOutbox) this.ctx.onOutboxWrite?.();
    }
    return true;
  }

  private async recordFailure(m: StoredScheduledMessage, author: User | undefined, now: number, error: unknown, report: RunReport): Promise<void> {
    const attempt = m.failures + 1;
    const gaveUp = attempt >= MAX_ATTEMPTS;
    report.failed.push({ id: m.id, attempt, gaveUp, error });
    const seen = { sendAt: m.sendAt, updatedAt: m.updatedAt };
    if (gaveUp) await this.ctx.store.scheduled.advanceIfUnchanged(m.id, seen, planNext(m, author?.timeZone, now));
    else await this.ctx.store.scheduled.updateIfUnchanged(m.id, seen, { dueAt: now + retryDelayMs(attempt), failures: attempt });
  }
}
