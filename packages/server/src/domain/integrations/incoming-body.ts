/**
 * Incoming-webhook body parsing (docs/integrations.md §7.3) as a pure decision on the content type and
 * the raw text, so the route only reads bytes and every sender quirk (Slack's `payload=` form, JSON
 * sent as a form, no content type at all) is tested here.
 */
import { hookError, type HookError } from './hook-errors.js';

/** §7.3 decision: larger bodies are refused with 413 before parsing. */
export const MAX_INCOMING_BODY_BYTES = 1024 * 1024;

export type IncomingBody = Record<string, unknown>;
export type BodyParse = { ok: true; content: IncomingBody } | { ok: false; error: HookError };

/** Whether a body of this many bytes may be read at all (§7.3: 413 beyond 1 MiB). */
export function checkBodySize(bytes: number): HookError | undefined {
  return bytes > MAX_INCOMING_BODY_BYTES ? hookError.bodyTooLarge() : undefined;
}

/** `application/json; charset=utf-8` → `application/json`; parameters never matter here. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function parseJsonObject(raw: string): BodyParse {
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

function parseForm(raw: string): BodyParse {
  const form = new URLSearchParams(raw);
  const keys = [...new Set(form.keys())];
  if (keys.length === 0) return { ok: true, content: {} };
  if (keys.length === 1) {
    // Slack style: `payload=<json>`; any other single key is JSON sent with the form type.
    return keys[0] === 'payload' ? parseJsonObject(form.get('payload') ?? '') : parseJsonObject(raw);
  }
  const content: IncomingBody = {};
  for (const k of keys) {
    const all = form.getAll(k);
    content[k] = all.length === 1 ? all[0] : all;
  }
  return { ok: true, content };
}

/**
 * The payload of a request: JSON (any charset), a form (any charset; §13 superset of the reference's
 * exact-type match), or — with no content type — JSON, then form. GET requests have no body (`{}`).
 */
export function parseIncomingBody(input: { method?: string; contentType?: string; raw: string }): BodyParse {
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
