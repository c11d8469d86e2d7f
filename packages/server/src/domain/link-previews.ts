/**
 * Link previews (docs/web-client.md §6.1): a message's first few http(s) links get a card — the
 * page's Open Graph (or Twitter, or <title>/description) title, description, image and site name —
 * fetched after the post, never in its request: the outbox dispatcher's expander writes a job for a
 * new (or edited) message with links, in the transaction that expands the event, and a worker leases
 * the job, fetches each page through the SSRF-guarded agent (the `LinkFetcher` port, outbound/),
 * and attaches the previews with a `message.updated` notice (cause 'preview'), so clients show the
 * card live. A workspace setting (on by default; owners and admins change it) turns fetching off.
 * The author may remove a card; it stays removed, edits included.
 *
 * What a page says is text, never markup: control and bidi-override characters are dropped,
 * whitespace collapsed, lengths capped; the image is kept only as an absolute https URL (the client
 * shows it by URL, as its Content-Security-Policy allows; this server never fetches it). Results are
 * cached per URL with an expiry — shorter for a page with nothing to show, shortest for a failure.
 */
import type { ChatStore } from './ports/chat-store.js';
import type { CachedPreview, LinkPreviewJob, PreviewStatus } from './ports/link-previews.js';
import type { DomainEvent } from './events.js';
import { visibleChannel } from './channels.js';
import { commit, type CoreContext } from './context.js';
import { forbidden, invalid, notFound } from './errors.js';
import { isId } from './ids.js';
import { isAdmin, type LinkPreview, type Message, type User } from './model.js';
import { MAX_URL_LENGTH } from './outbound-urls.js';

/** The links of a message that get a card, at most: its first ones. */
export const MAX_PREVIEWS = 3;
export const MAX_TITLE = 200;
export const MAX_DESCRIPTION = 400;
export const MAX_SITE_NAME = 80;

/** How long a result is reused for every message naming the URL. */
export const CACHE_TTL_MS: Record<PreviewStatus, number> = {
  ok: 24 * 3600_000,
  // a page with nothing to show, or that is no page: it may gain tags, but not soon
  none: 6 * 3600_000,
  // no answer (a timeout, a refused address, a server error): worth another try before long
  failed: 15 * 60_000,
};

/** A job whose processing threw (not a failed fetch: those are results) is tried this often, at most. */
export const MAX_JOB_ATTEMPTS = 3;
const RETRY_DELAY_MS = 30_000;
/** The worker's lease on a job: longer than a job's fetches can take (a few links, seconds each). */
export const JOB_LEASE_MS = 60_000;

// ---- the port to the network ------------------------------------------------------------------------

/** The tags of a page's <head> a preview is made from, as the page wrote them (entities decoded). */
export interface PageMeta {
  ogTitle?: string;
  ogDescription?: string;
  ogImage?: string;
  ogSiteName?: string;
  twitterTitle?: string;
  twitterDescription?: string;
  twitterImage?: string;
  /** `<meta name="description">` */
  description?: string;
  /** `<title>` */
  title?: string;
}

/** What fetching one link came to. */
export type PageFetch =
  /** an HTML page, read (its head at least, within the size limit); `url`: where it was, after redirects */
  | { kind: 'page'; url: string; meta: PageMeta }
  /** an answer that is not a page to read: another status, or another type (an image, a PDF …) */
  | { kind: 'other'; status: number }
  /** no usable answer: DNS, connection, TLS, timeout, an address the SSRF guard refused, too many redirects */
  | { kind: 'failed'; error: string };

/**
 * Fetches a page the way the outbound rules allow (docs/delivery.md §3, §9): through the SSRF guard,
 * bounded in time and size, without credentials. outbound/link-fetch.ts implements it.
 */
export interface LinkFetcher {
  fetch(url: string): Promise<PageFetch>;
}

/** Without a fetcher (tools, benchmarks) every link fails as an unreachable one would. */
export const noLinkFetcher: LinkFetcher = {
  async fetch() {
    return { kind: 'failed', error: 'link previews are not fetched here' };
  },
};

// ---- links in text ----------------------------------------------------------------------------------

// Stops where markup would end a link: whitespace, <…> and […](…) delimiters, `|` of <url|label>.
const LINK = /\bhttps?:\/\/[^\s<>"'`|\\^{}]+/gi;
/** Whether LINK can match at all: one scan of a text without links, before the code spans are cut out. */
const HAS_SCHEME = /https?:\/\//i;
const TRAILING = '.,;:!?*_~';

const count = (s: string, ch: string) => s.split(ch).length - 1;

/** A link as it ends in prose: no trailing punctuation, no closing bracket it did not open. */
function trimTrailing(link: string): string {
  let u = link;
  for (;;) {
    const last = u.at(-1);
    if (last !== undefined && TRAILING.includes(last)) u = u.slice(0, -1);
    else if (last === ')' && count(u, '(') < count(u, ')')) u = u.slice(0, -1);
    else if (last === ']' && count(u, '[') < count(u, ']')) u = u.slice(0, -1);
    else return u;
  }
}

/** The URL a preview is kept under: absolute http(s), no credentials, no fragment; undefined otherwise. */
export function normalizeLink(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.hostname === '' || url.username !== '' || url.password !== '') return undefined;
  url.hash = '';
  return url.href.length <= MAX_URL_LENGTH ? url.href : undefined;
}

/**
 * The message's first `max` distinct http(s) links, in order — outside code spans and blocks, which
 * show links as text, not as something to preview.
 */
export function extractLinks(text: string, max = MAX_PREVIEWS): string[] {
  if (!HAS_SCHEME.test(text)) return [];
  const prose = text.replace(/```[\s\S]*?```/g, ' ').replace(/`[^`\n]*`/g, ' ');
  const links: string[] = [];
  for (const match of prose.matchAll(LINK)) {
    const url = normalizeLink(trimTrailing(match[0]));
    if (url !== undefined && !links.includes(url)) links.push(url);
    if (links.length >= max) break;
  }
  return links;
}

// ---- a page's tags as a preview -------------------------------------------------------------------------

// C0 and C1 controls (tabs and newlines become spaces below), and the bidi embeddings, overrides and
// isolates that could make a title read as something else; zero-width joiners stay (emoji, scripts).
// eslint-disable-next-line no-control-regex
const UNSHOWN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b\u202a-\u202e\u2066-\u2069\ufeff]/g;

/** Page text as a card shows it: one line, no hidden characters, at most `max` characters (… past it). */
export function cleanText(text: string | undefined, max: number): string | null {
  if (text === undefined) return null;
  const clean = text.replace(UNSHOWN, '').replace(/\s+/g, ' ').trim();
  if (clean === '') return null;
  const chars = Array.from(clean);
  return chars.length <= max ? clean : `${chars.slice(0, max - 1).join('').trimEnd()}…`;
}

/** The image as an absolute https URL (resolved against the page), else null: clients load only those. */
export function imageUrl(raw: string | undefined, pageUrl: string): string | null {
  if (raw === undefined || raw.trim() === '') return null;
  let url: URL;
  try {
    url = new URL(raw.trim(), pageUrl);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' || url.username !== '' || url.password !== '') return null;
  return url.href.length <= MAX_URL_LENGTH ? url.href : null;
}

const first = (...values: Array<string | undefined>) => values.find((v) => v !== undefined && v.trim() !== '');

/** The preview of `url` from its page's tags; null when the page has neither a title nor a description. */
export function previewFromPage(url: string, page: { url: string; meta: PageMeta }): LinkPreview | null {
  const m = page.meta;
  const title = cleanText(first(m.ogTitle, m.twitterTitle, m.title), MAX_TITLE);
  const description = cleanText(first(m.ogDescription, m.twitterDescription, m.description), MAX_DESCRIPTION);
  if (title === null && description === null) return null;
  return {
    url,
    title,
    description,
    imageUrl: imageUrl(first(m.ogImage, m.twitterImage), page.url),
    siteName: cleanText(m.ogSiteName, MAX_SITE_NAME),
  };
}

/** What to cache for `url` after fetching it at `now`. */
export function cacheEntry(url: string, fetched: PageFetch, now: number): CachedPreview {
  const entry = (status: PreviewStatus, preview: LinkPreview | null = null): CachedPreview => ({ url, status, preview, fetchedAt: now, expiresAt: now + CACHE_TTL_MS[status] });
  switch (fetched.kind) {
    case 'page': {
      const preview = previewFromPage(url, fetched);
      return preview ? entry('ok', preview) : entry('none');
    }
    case 'other':
      // A page that is not there (404, 410 …) or is no page has nothing to show for a while; an
      // overloaded or failing server (429, 5xx) or a timeout (408) may answer soon.
      return entry(fetched.status < 500 && fetched.status !== 408 && fetched.status !== 429 ? 'none' : 'failed');
    case 'failed':
      return entry('failed');
  }
}

const samePreviews = (a: readonly LinkPreview[], b: readonly LinkPreview[]) => JSON.stringify(a) === JSON.stringify(b);

// ---- the service ----------------------------------------------------------------------------------------

/** What one run of the worker did: for its log. */
export interface PreviewRunReport {
  /** jobs leased */
  handled: number;
  /** jobs whose processing threw: retried later, or dropped after MAX_JOB_ATTEMPTS */
  failed: Array<{ messageId: string; attempt: number; gaveUp: boolean; error: unknown }>;
}

export class LinkPreviews {
  constructor(
    private readonly ctx: CoreContext,
    private readonly fetcher: LinkFetcher = noLinkFetcher,
    /** this server's own base URL: links to it (a message's permalink) get no card */
    private readonly publicUrl: () => string = () => '',
  ) {}

  // ---- the workspace setting ---------------------------------------------------------------------

  async setting(actor: User): Promise<{ enabled: boolean }> {
    return { enabled: await this.ctx.store.linkPreviews.enabled(actor.workspaceId) };
  }

  /** Owners and admins turn fetching on or off; cards already shown stay. */
  async setEnabled(actor: User, enabled: unknown): Promise<{ enabled: boolean }> {
    if (!isAdmin(actor)) throw forbidden('Only owners and admins can turn link previews on or off');
    if (typeof enabled !== 'boolean') throw invalid('enabled', 'must be true or false');
    await commit(this.ctx, (tx) => tx.linkPreviews.setEnabled(actor.workspaceId, enabled));
    return { enabled };
  }

  // ---- after a post or an edit: the job -------------------------------------------------------------

  /** The links of a message that get a card: not links back to this server. */
  linksOf(message: Pick<Message, 'text'>): string[] {
    const links = extractLinks(message.text, MAX_PREVIEWS + 2);
    // Most messages have no link: then neither URL is parsed (the outbox expands every post).
    if (links.length === 0) return links;
    const own = originOf(this.publicUrl());
    return links.filter((url) => own === undefined || originOf(url) !== own).slice(0, MAX_PREVIEWS);
  }

  /**
   * The outbox expander's part (workers/link-previews.ts), inside the dispatcher's transaction: a new
   * message with links, or an edit of one that has links or cards, gets a job — while the workspace
   * wants previews. Idempotent: expanding an event again replaces the job with the same one.
   */
  async enqueueFor(tx: ChatStore, event: DomainEvent): Promise<boolean> {
    if (event.type !== 'message.created' && !(event.type === 'message.updated' && event.cause === 'edit')) return false;
    const message = event.message;
    if (message.deleted) return false;
    const urls = this.linksOf(message);
    // An edit that took every link away still runs, to take the cards away with them.
    if (urls.length === 0 && (event.type === 'message.created' || (message.linkPreviews?.length ?? 0) === 0)) return false;
    if (!(await tx.linkPreviews.enabled(message.workspaceId))) return false;
    // What people write, as Slack unfurls by default: not integrations' or bots' messages. Their
    // links are often the very endpoints they report on (a delivery notice names the failing URL),
    // which a preview would call once more.
    if (message.bot !== null || (await tx.user(message.workspaceId, message.authorId))?.isBot) return false;
    await tx.linkPreviews.enqueue({ messageId: message.id, workspaceId: message.workspaceId, channelId: message.channelId, urls, now: this.ctx.now() });
    return true;
  }

  // ---- the worker's part ---------------------------------------------------------------------------

  /**
   * Leases up to `limit` due jobs as `lockedBy` and runs them side by side: each link's preview comes
   * from the cache or a fetch (outside any transaction), then the message gets its cards in one
   * transaction that also ends the job — unless the job was replaced meanwhile (an edit), the message
   * is gone, or the workspace turned previews off.
   */
  async runDue(lockedBy: string, limit: number): Promise<PreviewRunReport> {
    const jobs = await this.ctx.store.linkPreviews.claim(this.ctx.now(), JOB_LEASE_MS, lockedBy, limit);
    const report: PreviewRunReport = { handled: jobs.length, failed: [] };
    await Promise.all(
      jobs.map(async (job) => {
        try {
          await this.run(job, lockedBy);
        } catch (error) {
          const gaveUp = job.attempts >= MAX_JOB_ATTEMPTS;
          report.failed.push({ messageId: job.messageId, attempt: job.attempts, gaveUp, error });
          if (gaveUp) await this.ctx.store.linkPreviews.finish(job.messageId, lockedBy);
          else await this.ctx.store.linkPreviews.retry(job.messageId, lockedBy, this.ctx.now() + RETRY_DELAY_MS * job.attempts);
        }
      }),
    );
    return report;
  }

  /** Deletes cached results that expired before now; how many. */
  pruneCache(): Promise<number> {
    return this.ctx.store.linkPreviews.pruneCache(this.ctx.now());
  }

  private async run(job: LinkPreviewJob, lockedBy: string): Promise<void> {
    const found = await Promise.all(job.urls.map((url) => this.previewOf(url)));
    await commit(this.ctx, async (tx, notices) => {
      if (!(await tx.linkPreviews.finish(job.messageId, lockedBy))) return;
      const message = await tx.message(job.channelId, job.messageId);
      if (!message || message.deleted) return;
      if (!(await tx.linkPreviews.enabled(job.workspaceId))) return;
      const current = await tx.linkPreviews.ofMessage(message.id);
      const shown = found.filter((p): p is LinkPreview => p !== null && !current.removed.includes(p.url));
      if (samePreviews(shown, current.shown)) return;
      await tx.linkPreviews.setForMessage(message.id, { shown, removed: current.removed });
      const updated = await tx.message(message.channelId, message.id);
      if (!updated) return;
      notices.push({ workspaceId: message.workspaceId, audience: await tx.memberIds(message.channelId), event: { type: 'message.updated', message: updated, cause: 'preview' } });
    });
  }

  /** The preview of one link: cached, or fetched now and cached. */
  private async previewOf(url: string): Promise<LinkPreview | null> {
    const store = this.ctx.store.linkPreviews;
    const hit = await store.cached(url, this.ctx.now());
    if (hit) return hit.preview;
    const entry = cacheEntry(url, await this.fetcher.fetch(url), this.ctx.now());
    await store.saveCache(entry);
    return entry.preview;
  }

  // ---- the author removes a card ----------------------------------------------------------------------

  /**
   * The author takes a card off their message (`url`), or every card (no `url`); the URLs are kept
   * as removed, so neither the job still running nor a later edit brings them back.
   */
  async remove(actor: User, channelId: string, messageId: string, url?: string): Promise<Message> {
    return commit(this.ctx, async (tx, notices) => {
      const { channel } = await visibleChannel(tx, actor, channelId);
      const message = isId(messageId) ? await tx.message(channel.id, messageId) : undefined;
      if (!message || message.deleted) throw notFound('Message');
      if (message.authorId !== actor.id) throw forbidden("Only the message's author can remove its link previews");
      if (channel.isArchived) throw forbidden('Channel is archived');
      const current = await tx.linkPreviews.ofMessage(message.id);
      const target = url === undefined ? undefined : (normalizeLink(url) ?? url);
      const going = current.shown.filter((p) => target === undefined || p.url === target);
      if (going.length === 0) {
        // Removed before (it stays so) or never there.
        if (target === undefined || current.removed.includes(target)) return message;
        throw notFound('Link preview');
      }
      const removed = [...current.removed, ...going.map((p) => p.url).filter((u) => !current.removed.includes(u))];
      await tx.linkPreviews.setForMessage(message.id, { shown: current.shown.filter((p) => !going.includes(p)), removed });
      const updated = (await tx.message(channel.id, message.id))!;
      notices.push({ workspaceId: message.workspaceId, audience: await tx.memberIds(channel.id), event: { type: 'message.updated', message: updated, cause: 'preview' } });
      return updated;
    });
  }
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}
