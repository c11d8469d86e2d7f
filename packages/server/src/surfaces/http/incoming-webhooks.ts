/**
 * What the incoming-webhook URL forms share on the wire (docs/integrations.md §7.1–§7.3, §10, §11):
 * every Rocket.Chat `/hooks`, Slack `/services` and Pumble `/workspaces/…/incomingWebhooks` request is
 * read as text and its payload parsed here by content type, and every answer is written out from one
 * shape. Senders send bodies of every kind (JSON with any or no content type, `payload=` forms, raw
 * JSON labelled as a form), so a plugin serving these URLs reads every body as text itself
 * (`readBodiesAsText`) and none of the server's global parsers run there. Shared by the Rocket.Chat
 * and Slack surfaces, which otherwise do not import each other (docs/architecture.md §3.3).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hookError, type HookError, type HookFlavor } from '../../domain/integrations/hook-errors.js';
import type { IncomingHookRequest, PayloadRead } from '../../domain/integrations/incoming-hooks.js';
import { retryAfterSeconds, type HookQuota } from '../../domain/integrations/incoming-rate-limit.js';

/** §7.3 decision: larger bodies are refused with 413 before parsing. */
export const MAX_INCOMING_BODY_BYTES = 1024 * 1024;

/** Whether a body of this many bytes may be read at all (§7.3: 413 beyond 1 MiB). */
export function checkBodySize(bytes: number): HookError | undefined {
  return bytes > MAX_INCOMING_BODY_BYTES ? hookError.bodyTooLarge() : undefined;
}

/** `application/json; charset=utf-8` → `application/json`; parameters never matter here. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseJsonObject(raw: string): PayloadRead {
  if (raw.trim() === '') return { ok: true, content: {} };
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (e) {
    return { ok: false, error: hookError.invalidPayload((e as Error).message) };
  }
  // A webhook payload is an object; arrays and scalars have no fields to read.
  if (!isPlainObject(value)) return { ok: false, error: hookError.invalidPayload('The payload must be a JSON object') };
  return { ok: true, content: value };
}

function parseForm(raw: string): PayloadRead {
  const form = new URLSearchParams(raw);
  const keys = [...new Set(form.keys())];
  if (keys.length === 0) return { ok: true, content: {} };
  if (keys.length === 1) {
    // Slack style: `payload=<json>`; any other single key is JSON sent with the form type.
    return keys[0] === 'payload' ? parseJsonObject(form.get('payload') ?? '') : parseJsonObject(raw);
  }
  const content: Record<string, unknown> = {};
  for (const k of keys) {
    const all = form.getAll(k);
    content[k] = all.length === 1 ? all[0] : all;
  }
  return { ok: true, content };
}

/**
 * §7.3: the payload of a request: JSON (any charset), a form (any charset; §13 superset of the
 * reference's exact-type match), or — with no content type — JSON, then form. GET requests have no
 * body (`{}`).
 */
export function parseIncomingBody(input: { method?: string; contentType?: string; raw: string }): PayloadRead {
  if ((input.method ?? 'POST').toUpperCase() === 'GET') return { ok: true, content: {} };
  const type = mediaType(input.contentType);
  if (type === 'application/x-www-form-urlencoded') return parseForm(input.raw);
  if (type === '') {
    const json = parseJsonObject(input.raw);
    return json.ok ? json : parseForm(input.raw);
  }
  // application/json, and anything else (text/plain from curl scripts): JSON is what senders mean.
  return parseJsonObject(input.raw);
}

/**
 * The body as text. Kept in a private field: the server's global body inspection walks enumerable
 * properties of parsed bodies, and a webhook body is not parsed (nor refused) until its hook is known.
 */
class RawBody {
  readonly #text: string;
  constructor(text: string) {
    this.#text = text;
  }
  get text(): string {
    return this.#text;
  }
}

/** In an encapsulated plugin: every body is read as text, up to 1 MiB, whatever its content type. */
export function readBodiesAsText(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: MAX_INCOMING_BODY_BYTES }, (_request, body, done) => {
    done(null, new RawBody(typeof body === 'string' ? body : body.toString('utf8')));
  });
}

const rawBodyOf = (request: FastifyRequest): string => (request.body instanceof RawBody ? request.body.text : '');

/**
 * The token is the last path segment of every hook URL, taken as sent: the pipeline decodes it once
 * (§7.2 `decodeURIComponent`), where the router's already-decoded parameter would be decoded twice.
 */
const tokenSegment = (url: string): string => url.split('?', 1)[0]!.split('/').pop() ?? '';

/** A request to a hook URL as the pipeline takes it; its payload is parsed when the pipeline asks for it (§7.3). */
export function incomingHookRequest(
  request: FastifyRequest,
  flavor: HookFlavor,
  ids: { integrationId?: string; workspaceId?: string },
): IncomingHookRequest {
  const raw = rawBodyOf(request);
  const contentType = request.headers['content-type'];
  return {
    flavor,
    ...ids,
    token: tokenSegment(request.url),
    url: request.url,
    headers: request.headers,
    rawBody: raw,
    payload: () => parseIncomingBody({ method: request.method, ...(contentType !== undefined && { contentType }), raw }),
  };
}

/** An answer of a hook URL, ready to write out. */
export interface HookResponse {
  status: number;
  type: 'json' | 'text';
  body: unknown;
  headers?: Record<string, string>;
}

export function sendHookResponse(reply: FastifyReply, response: HookResponse): FastifyReply {
  if (response.headers) for (const [k, v] of Object.entries(response.headers)) reply.header(k, v);
  reply.code(response.status);
  if (response.type === 'text') return reply.type('text/plain; charset=utf-8').send(String(response.body));
  return reply.type('application/json; charset=utf-8').send(JSON.stringify(response.body));
}

/** Retry-After, when the failure says how long to wait. */
export const retryAfterHeader = (err: HookError): Record<string, string> | undefined =>
  err.retryAfterSeconds !== undefined ? { 'Retry-After': String(err.retryAfterSeconds) } : undefined;

/**
 * X-RateLimit-* (docs/delivery.md §10 names the headers, not their units): `epoch-ms` sends the reset
 * moment in epoch milliseconds, as Rocket.Chat does (and as this server's Rocket.Chat API does,
 * surfaces/rocketchat/envelope.ts); `seconds` sends the wait from now, as the app platform's limits
 * do (surfaces/pumble/v1/app-limits.ts).
 */
export function rateLimitHeaders(quota: HookQuota, reset: 'epoch-ms' | 'seconds'): Record<string, string> {
  return {
    'X-RateLimit-Limit': String(quota.limit),
    'X-RateLimit-Remaining': String(Math.max(0, quota.remaining)),
    'X-RateLimit-Reset': reset === 'epoch-ms' ? String(quota.at + quota.resetMs) : String(retryAfterSeconds(quota.resetMs)),
  };
}

/** The response with `headers` added; its own win on a clash (Retry-After). */
export function withHeaders(response: HookResponse, headers: Record<string, string> | undefined): HookResponse {
  return headers ? { ...response, headers: { ...headers, ...response.headers } } : response;
}
