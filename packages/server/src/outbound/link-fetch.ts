/**
 * Fetching a linked page for its preview (docs/web-client.md §6.1), the domain's `LinkFetcher`: a GET
 * through the SSRF-guarded agent (docs/delivery.md §9 — every hop of a redirect is guarded too,
 * since each connects through the agent), no cookies or credentials, at most a few redirects, the
 * whole fetch within one deadline, and at most `maxBytes` of the answer read — reading stops early
 * once the head has ended, since previews come from the head alone.
 */
import { request } from 'undici';
import { checkUrlSyntax } from '../domain/outbound-urls.js';
import type { LinkFetcher, PageFetch } from '../domain/link-previews.js';
import type { GuardedAgent } from './ssrf.js';
import { USER_AGENT } from './http-post.js';
import { declaredCharset, readPageMeta } from './page-meta.js';

export interface LinkFetchLimits {
  /** the whole fetch, redirects included */
  timeoutMs: number;
  /** how much of the page is read at most */
  maxBytes: number;
  maxRedirects: number;
}

export const LINK_FETCH_LIMITS: LinkFetchLimits = { timeoutMs: 5_000, maxBytes: 512 * 1024, maxRedirects: 3 };

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const HTML_TYPES = new Set(['text/html', 'application/xhtml+xml']);

interface Body extends AsyncIterable<Buffer> {
  destroy(): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
}

/** Stops reading an answer: its connection closes. undici then reports an abort, which is expected here. */
function discard(body: Body): void {
  body.on('error', () => {});
  body.destroy();
}

/** The head's end, in bytes as they arrive (any case): there is nothing more to read for a preview. */
const HEAD_END = /<\/head\s*>|<body[\s>]/i;

/** Reads up to `max` bytes, stopping early once the head has ended; the rest is never read (the socket is closed). */
async function readHead(body: Body, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tail = '';
  for await (const chunk of body) {
    const part = size + chunk.length > max ? chunk.subarray(0, max - size) : chunk;
    chunks.push(part);
    size += part.length;
    // Latin-1 keeps one character per byte, so a tag split across chunks is found with the last few bytes.
    const text = tail + part.toString('latin1');
    if (size >= max || HEAD_END.test(text)) {
      discard(body);
      break;
    }
    tail = text.slice(-8);
  }
  return Buffer.concat(chunks);
}

/** The page's bytes as text, in the encoding its header or its first bytes declare (UTF-8 otherwise). */
function decode(bytes: Buffer, contentType: string | undefined): string {
  const fromHeader = /charset\s*=\s*["']?([A-Za-z0-9_.:-]+)/i.exec(contentType ?? '')?.[1];
  const label = fromHeader ?? declaredCharset(bytes.subarray(0, 1024).toString('latin1')) ?? 'utf-8';
  try {
    return new TextDecoder(label).decode(bytes);
  } catch {
    // An encoding the runtime does not know: UTF-8 shows most of a page right.
    return new TextDecoder('utf-8').decode(bytes);
  }
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export class HttpLinkFetcher implements LinkFetcher {
  constructor(
    private readonly agent: GuardedAgent,
    private readonly limits: LinkFetchLimits = LINK_FETCH_LIMITS,
  ) {}

  async fetch(url: string): Promise<PageFetch> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error(`no page within ${this.limits.timeoutMs} ms`)), this.limits.timeoutMs);
    try {
      let current = url;
      for (let hop = 0; ; hop++) {
        const syntax = checkUrlSyntax(current, this.agent.policy);
        if (!syntax.ok) return { kind: 'failed', error: syntax.message };
        const res = await request(syntax.url, {
          method: 'GET',
          dispatcher: this.agent,
          signal: controller.signal,
          headers: { 'user-agent': `${USER_AGENT} (link preview)`, accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.1' },
        });
        const location = header(res.headers, 'location');
        if (REDIRECTS.has(res.statusCode) && location !== undefined) {
          discard(res.body);
          if (hop >= this.limits.maxRedirects) return { kind: 'failed', error: `more than ${this.limits.maxRedirects} redirects` };
          current = new URL(location, syntax.url).href;
          continue;
        }
        const contentType = header(res.headers, 'content-type');
        const type = contentType?.split(';')[0]!.trim().toLowerCase();
        if (res.statusCode < 200 || res.statusCode >= 300 || (type !== undefined && type !== '' && !HTML_TYPES.has(type))) {
          discard(res.body);
          return { kind: 'other', status: res.statusCode };
        }
        const html = decode(await readHead(res.body, this.limits.maxBytes), contentType);
        return { kind: 'page', url: syntax.url.href, meta: readPageMeta(html) };
      }
    } catch (err) {
      // A timeout, a refused address (SsrfBlockedError), DNS, connect, TLS, a bad Location: no preview.
      return { kind: 'failed', error: controller.signal.aborted ? `no page within ${this.limits.timeoutMs} ms` : err instanceof Error ? err.message : String(err) };
    } finally {
      clearTimeout(timer);
    }
  }
}
