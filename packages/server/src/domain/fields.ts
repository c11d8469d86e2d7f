/**
 * Field-by-field checking of untrusted JSON that collects every problem instead of stopping at
 * the first: the app platform must "report every failing field" (docs/app-platform.md §3.4), so validators walk
 * the whole input with one FieldChecker and return its list.
 *
 * Conventions shared by every validator built on it:
 * - field paths look like `slashCommands[1].usageHint`, `scopes.botScopes[0]`, `name`;
 * - an optional field that is `undefined` or `null` is absent (tooling often sends `null`);
 * - lengths count Unicode code points, so an emoji is one character, as a user would count it
 *   (never stricter than Pumble, whose limits are in UTF-16 units).
 */
import type { FieldError } from './errors.js';

export type JsonObject = Record<string, unknown>;

export const isRecord = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const isAbsent = (value: unknown): value is undefined | null => value === undefined || value === null;

export function charCount(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/** `at('a', 'b')` → `a.b`, `at('a', 2)` → `a[2]`, `at('', 'b')` → `b`. */
export const at = (path: string, key: string | number): string =>
  typeof key === 'number' ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`;

export const MAX_URL = 2048;

/** Absolute URL with one of `schemes` (without the colon) and, for http(s), a host. */
export function isAbsoluteUrl(text: string, schemes: readonly string[] = ['http', 'https']): boolean {
  // URL() would silently trim or percent-encode whitespace; a URL with whitespace is a typo.
  if (/\s/.test(text)) return false;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  const scheme = url.protocol.slice(0, -1);
  if (!schemes.includes(scheme)) return false;
  return scheme !== 'http' && scheme !== 'https' ? true : url.hostname !== '';
}

/** "must be A or B" / "must be one of A, B, C" */
export function oneOfMessage(values: readonly (string | number)[]): string {
  if (values.length === 2) return `must be ${values[0]} or ${values[1]}`;
  return `must be one of ${values.join(', ')}`;
}

export interface StringRules {
  required?: boolean;
  /** 1 means "must not be empty" */
  min?: number;
  max?: number;
}

export class FieldChecker {
  readonly errors: FieldError[] = [];

  fail(field: string, message: string): void {
    this.errors.push({ field, message });
  }

  get ok(): boolean {
    return this.errors.length === 0;
  }

  /** Reports a missing required value; true when the caller should stop looking at it. */
  private missing(value: unknown, field: string, required: boolean): boolean {
    if (!isAbsent(value)) return false;
    if (required) this.fail(field, 'is required');
    return true;
  }

  object(value: unknown, field: string, required = true): JsonObject | undefined {
    if (this.missing(value, field, required)) return undefined;
    if (isRecord(value)) return value;
    this.fail(field, 'must be an object');
    return undefined;
  }

  array(value: unknown, field: string, required = true): unknown[] | undefined {
    if (this.missing(value, field, required)) return undefined;
    if (Array.isArray(value)) return value;
    this.fail(field, 'must be an array');
    return undefined;
  }

  string(value: unknown, field: string, rules: StringRules = {}): string | undefined {
    if (this.missing(value, field, rules.required ?? false)) return undefined;
    if (typeof value !== 'string') {
      this.fail(field, 'must be a string');
      return undefined;
    }
    const length = rules.min !== undefined || rules.max !== undefined ? charCount(value) : 0;
    if (rules.min !== undefined && length < rules.min) {
      this.fail(field, rules.min === 1 ? 'must not be empty' : `must be at least ${rules.min} characters`);
      return undefined;
    }
    if (rules.max !== undefined && length > rules.max) {
      this.fail(field, `must be at most ${rules.max} characters`);
      return undefined;
    }
    return value;
  }

  boolean(value: unknown, field: string, required = false): boolean | undefined {
    if (this.missing(value, field, required)) return undefined;
    if (typeof value === 'boolean') return value;
    this.fail(field, 'must be a boolean');
    return undefined;
  }

  integer(value: unknown, field: string, min: number, max: number, required = false): number | undefined {
    if (this.missing(value, field, required)) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      this.fail(field, 'must be an integer');
      return undefined;
    }
    if (value < min || value > max) {
      this.fail(field, max === Number.MAX_SAFE_INTEGER ? `must be at least ${min}` : `must be between ${min} and ${max}`);
      return undefined;
    }
    return value;
  }

  oneOf<T extends string | number>(value: unknown, field: string, values: readonly T[], required = false): T | undefined {
    if (this.missing(value, field, required)) return undefined;
    if ((values as readonly unknown[]).includes(value)) return value as T;
    this.fail(field, oneOfMessage(values));
    return undefined;
  }

  /** An absolute http(s) URL of at most 2048 characters (docs/app-platform.md §3.4). */
  httpUrl(value: unknown, field: string, required = false): string | undefined {
    const url = this.string(value, field, { required, min: 1 });
    if (url === undefined) return undefined;
    if (charCount(url) > MAX_URL) this.fail(field, `must be at most ${MAX_URL} characters`);
    else if (!isAbsoluteUrl(url)) this.fail(field, 'must be an absolute http or https URL');
    else return url;
    return undefined;
  }
}
