/**
 * guardedScriptFetch: the ScriptFetch the server gives scripts (docs/integrations.md §9.3), through the
 * SSRF guard of docs/delivery.md §9 — the URL check of checkUrlSyntax, then a GuardedAgent that resolves
 * and vets every address at connect time. Self-signed certificates only when the script asks (third
 * argument of fetch) and the policy allows. Redirects are followed by hand, at most 5, each hop
 * through the same checks. Error messages are for the script author: they say that a request was
 * blocked, not what an internal host name resolved to.
 */
import { STATUS_CODES } from 'node:http';
import { request } from 'undici';
import { USER_AGENT } from '../outbound/http-post.js';
import type { OutboundPolicy } from '../domain/outbound-policy.js';
import { checkUrlSyntax } from '../domain/outbound-urls.js';
import { GuardedAgent, type GuardedAgentOptions, type LookupAll } from '../outbound/ssrf.js';
import { DEFAULT_SANDBOX_LIMITS, type ScriptFetch, type ScriptFetchResponse } from './limits.js';

export interface GuardedScriptFetchOptions {
  policy: OutboundPolicy;
  /** DNS resolution, injectable for tests */
  lookup?: LookupAll;
  tls?: GuardedAgentOptions['tls'];
  userAgent?: string;
  /** response bodies longer than this make fetch reject (default 10 MiB, §9.2) */
  maxBytes?: number;
}

export type GuardedScriptFetch = ScriptFetch & { close(): Promise<void> };

const MAX_REDIRECTS = 5;
const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);
// Managed by the transport; a script's value would only confuse framing.
const DROPPED_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'expect', 'te', 'trailer']);

class FetchRefused extends Error {}

export function guardedScriptFetch(opts: GuardedScriptFetchOptions): GuardedScriptFetch {
  const { policy } = opts;
  const maxBytes = opts.maxBytes ?? DEFAULT_SANDBOX_LIMITS.fetchMaxBytes;
  const agents = new Map<boolean, GuardedAgent>();
  const agentFor = (selfSigned: boolean) => {
    let agent = agents.get(selfSigned);
    if (!agent) {
      agent = new GuardedAgent({ policy, acceptSelfSigned: selfSigned, ...(opts.lookup && { lookup: opts.lookup }), ...(opts.tls && { tls: opts.tls }) });
      agents.set(selfSigned, agent);
    }
    return agent;
  };

  const fetchOnce: ScriptFetch = async (url, init) => {
    let method = (init.method ?? 'GET').toUpperCase();
    if (!/^[A-Z]+$/.test(method) || FORBIDDEN_METHODS.has(method)) throw new FetchRefused(`fetch: method ${method} is not allowed`);
    const headers: Record<string, string> = { 'user-agent': opts.userAgent ?? USER_AGENT };
    for (const [name, value] of Object.entries(init.headers ?? {})) {
      if (!DROPPED_HEADERS.has(name.toLowerCase())) headers[name.toLowerCase()] = value;
    }
    let body = init.body;
    const agent = agentFor(init.allowSelfSignedCertificate === true && policy.allowSelfSignedCertificates);
    let target = url;
    for (let hop = 0; ; hop++) {
      const checked = checkUrlSyntax(target, policy);
      if (!checked.ok) {
        throw new FetchRefused(checked.error === 'ssrf-blocked' ? blockedMessage(target) : `fetch: the url ${checked.message}`);
      }
      const res = await request(checked.url, {
        method: method as 'GET',
        headers,
        ...(body !== undefined && { body }),
        dispatcher: agent,
        ...(init.signal && { signal: init.signal }),
      });
      const location = res.headers.location;
      if ([301, 302, 303, 307, 308].includes(res.statusCode) && typeof location === 'string' && hop < MAX_REDIRECTS) {
        await res.body.dump();
        target = new URL(location, checked.url).href;
        if (res.statusCode === 303 || ((res.statusCode === 301 || res.statusCode === 302) && method === 'POST')) {
          method = 'GET';
          body = undefined;
          delete headers['content-type'];
        }
        continue;
      }
      const text = await readCapped(res.body, maxBytes);
      const responseHeaders: Record<string, string> = {};
      for (const [name, value] of Object.entries(res.headers)) {
        if (value !== undefined) responseHeaders[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
      }
      return { status: res.statusCode, statusText: STATUS_CODES[res.statusCode] ?? '', headers: responseHeaders, body: text } satisfies ScriptFetchResponse;
    }
  };

  const fetch: ScriptFetch = async (url, init) => {
    try {
      return await fetchOnce(url, init);
    } catch (err) {
      if (err instanceof FetchRefused) throw err;
      const code = (err as { code?: unknown } | null)?.code;
      if (code === 'ssrf-blocked') throw new FetchRefused(blockedMessage(url));
      if (init.signal?.aborted) throw new FetchRefused('fetch: aborted');
      const message = err instanceof Error ? err.message : String(err);
      throw new FetchRefused(`fetch failed: ${typeof code === 'string' ? `${code} ` : ''}${message}`);
    }
  };
  return Object.assign(fetch, {
    close: async () => {
      await Promise.all([...agents.values()].map((a) => a.close()));
      agents.clear();
    },
  });
}

function blockedMessage(url: string): string {
  let host = url;
  try {
    host = new URL(url).host;
  } catch {
    // keep the text as given
  }
  return `fetch blocked: ${host} is not an address scripts may reach (outbound request policy)`;
}

async function readCapped(stream: AsyncIterable<Buffer>, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += chunk.length;
    if (size > max) break; // leaving the loop destroys the stream, and with it the connection
    chunks.push(chunk);
  }
  if (size > max) throw new FetchRefused(`fetch: the response is larger than ${max} bytes`);
  return Buffer.concat(chunks).toString('utf8');
}
