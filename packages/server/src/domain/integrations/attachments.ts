/**
 * Slack / Rocket.Chat message attachments (docs/integrations.md §7.6): validated field by field the way
 * the reference's `check` does, but copied into fresh objects holding only the allowed keys, so what
 * is stored is exactly the documented shape (no `__proto__`, no unknown keys, no script URLs).
 */
import { hookError } from './hook-errors.js';

/** §10: Slack refuses more (`too_many_attachments`). */
export const SLACK_MAX_ATTACHMENTS = 100;
/** §7.6 decision: inline `data:image/*;base64` icons up to 64 KiB. */
export const MAX_DATA_URI_CHARS = 64 * 1024;
/** Rocket.Chat's upload path; relative links to uploaded files are allowed in URL fields. */
export const DEFAULT_FILE_PATH_PREFIX = '/file-upload/';

/** §7.6: named colours of Slack, mapped to the colours Slack itself renders them with. */
export const NAMED_COLORS: Readonly<Record<string, string>> = { good: '#2eb886', warning: '#daa038', danger: '#a30200' };

type Kind = 'string' | 'number' | 'boolean' | 'object' | 'array' | 'url' | 'icon' | 'ts';

const ATTACHMENT_KEYS: Readonly<Record<string, Kind>> = {
  color: 'string',
  text: 'string',
  ts: 'ts',
  thumb_url: 'icon',
  button_alignment: 'string',
  actions: 'array',
  message_link: 'url',
  collapsed: 'boolean',
  author_name: 'string',
  author_link: 'url',
  author_icon: 'icon',
  title: 'string',
  title_link: 'url',
  title_link_download: 'boolean',
  image_dimensions: 'object',
  image_url: 'url',
  image_preview: 'string',
  image_type: 'string',
  image_size: 'number',
  audio_url: 'url',
  audio_type: 'string',
  audio_size: 'number',
  video_url: 'url',
  video_type: 'string',
  video_size: 'number',
  fields: 'array',
  pretext: 'string',
  footer: 'string',
  footer_icon: 'icon',
};

const ACTION_KEYS: Readonly<Record<string, Kind>> = {
  type: 'string',
  text: 'string',
  url: 'url',
  image_url: 'url',
  is_webview: 'boolean',
  webview_height_ratio: 'string',
  msg: 'string',
  msg_in_chat_window: 'boolean',
};

export interface AttachmentField {
  title: string;
  value: string | number | boolean;
  short?: boolean;
}

/** A validated attachment: only §7.6 keys, each of its documented type. */
export type Attachment = Record<string, unknown> & { fields?: AttachmentField[]; actions?: Record<string, unknown>[] };

export interface AttachmentOptions {
  /** relative paths of uploaded files that URL fields may use */
  filePathPrefix?: string;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const DATA_IMAGE = /^data:image\/[a-z0-9.+-]+;base64,[a-z0-9+/=\s]*$/i;

/**
 * An href the client may render: absolute http(s) or a path to an uploaded file, never `javascript:`
 * (the reference's ValidFullURLParam). `allowDataImage` admits small inline images for icon fields.
 */
export function isValidHref(value: string, opts: AttachmentOptions & { allowDataImage?: boolean } = {}): boolean {
  if (/^\s*javascript:/i.test(value)) return false;
  if (opts.allowDataImage && value.length <= MAX_DATA_URI_CHARS && DATA_IMAGE.test(value)) return true;
  const prefix = opts.filePathPrefix ?? DEFAULT_FILE_PATH_PREFIX;
  if (value.startsWith(prefix)) return !value.includes('..');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
}

function checked(kind: Kind, value: unknown, field: string, opts: AttachmentOptions): unknown {
  switch (kind) {
    case 'string':
    case 'number':
    case 'boolean':
      if (typeof value !== kind) throw hookError.matchError(kind, value, field);
      return value;
    case 'ts':
      if (typeof value !== 'string' && typeof value !== 'number') throw hookError.matchError('string or number', value, field);
      return value;
    case 'object':
      if (!isPlainObject(value)) throw hookError.matchError('object', value, field);
      return { ...value };
    case 'array':
      if (!Array.isArray(value)) throw hookError.matchError('array', value, field);
      return value;
    case 'url':
    case 'icon':
      if (typeof value !== 'string') throw hookError.matchError('string', value, field);
      if (!isValidHref(value, { ...opts, allowDataImage: kind === 'icon' })) throw hookError.invalidHref();
      return value;
  }
}

/** Copies the allowed keys of `raw`, type-checked; null or absent values are left out (as `check` skips them). */
function pick(raw: Record<string, unknown>, keys: Readonly<Record<string, Kind>>, path: string, opts: AttachmentOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, kind] of Object.entries(keys)) {
    const value = raw[key];
    if (value === undefined || value === null) continue;
    out[key] = checked(kind, value, `${path}.${key}`, opts);
  }
  return out;
}

function sanitizeField(raw: unknown, path: string): AttachmentField {
  if (!isPlainObject(raw)) throw hookError.invalidAttachmentField();
  const { title, value, short } = raw;
  if (title !== undefined && title !== null && typeof title !== 'string') throw hookError.matchError('string', title, `${path}.title`);
  if (value !== undefined && value !== null && !['string', 'number', 'boolean'].includes(typeof value)) {
    throw hookError.matchError('string, number or boolean', value, `${path}.value`);
  }
  if (short !== undefined && short !== null && typeof short !== 'boolean') throw hookError.matchError('boolean', short, `${path}.short`);
  // The reference tests truthiness: an empty title or value is as missing as an absent one.
  if (!title || !value) throw hookError.invalidAttachmentField();
  return { title: title as string, value: value as string | number | boolean, ...(typeof short === 'boolean' && { short }) };
}

/** One attachment: `msg` becomes `text` (trimmed), named colours are mapped, fields and actions checked. */
export function sanitizeAttachment(raw: unknown, index: number, opts: AttachmentOptions = {}): Attachment {
  const path = `attachments[${index}]`;
  if (!isPlainObject(raw)) throw hookError.matchError('object', raw, path);
  const source = typeof raw.msg === 'string' && raw.msg !== '' ? { ...raw, text: raw.msg.trim() } : raw;
  const out = pick(source, ATTACHMENT_KEYS, path, opts) as Attachment;
  if (typeof out.color === 'string') out.color = NAMED_COLORS[out.color] ?? out.color;
  if (Array.isArray(out.fields)) out.fields = out.fields.map((f, i) => sanitizeField(f, `${path}.fields[${i}]`));
  if (Array.isArray(out.actions)) {
    out.actions = out.actions.map((a, i) => {
      if (!isPlainObject(a)) throw hookError.matchError('object', a, `${path}.actions[${i}]`);
      return pick(a, ACTION_KEYS, `${path}.actions[${i}]`, opts);
    });
  }
  return out;
}

/**
 * The attachments of a payload: a non-array is dropped (§7.5), each entry is sanitized; a broken one
 * fails the whole message with the reference's error text. `max` is Slack's cap on `/services`.
 */
export function sanitizeAttachments(raw: unknown, opts: AttachmentOptions & { max?: number } = {}): Attachment[] | undefined {
  if (!Array.isArray(raw)) return undefined;
  if (opts.max !== undefined && raw.length > opts.max) throw hookError.tooManyAttachments();
  return raw.map((a, i) => sanitizeAttachment(a, i, opts));
}
