/**
 * Rocket.Chat's list parameters (docs/integrations.md §3): `offset` (default 0), `count` (default 50,
 * at most 100), `sort` as a JSON string such as `{"_updatedAt":-1}`. `query` and `fields` (Mongo
 * selectors upstream) are not supported and say so.
 */
import { Type } from 'typebox';
import { codedError } from '../../domain/integrations/errors.js';

export const DEFAULT_COUNT = 50;
export const MAX_COUNT = 100;

export const PaginationQuery = {
  offset: Type.Optional(Type.Integer({ minimum: 0, description: 'items to skip (default 0)' })),
  count: Type.Optional(Type.Integer({ minimum: 0, description: `page length (default ${DEFAULT_COUNT}, at most ${MAX_COUNT})` })),
  sort: Type.Optional(Type.String({ description: 'JSON, one field: e.g. {"_updatedAt":-1}' })),
  query: Type.Optional(Type.String({ description: 'not supported: 400 invalid-params' })),
  fields: Type.Optional(Type.String({ description: 'not supported: 400 invalid-params' })),
};

export interface Paging<F extends string> {
  offset: number;
  count: number;
  sort: { field: F; direction: 'asc' | 'desc' };
}

const invalidParams = (text: string) => codedError('invalid-params', text);

export function paging<F extends string>(
  q: { offset?: number; count?: number; sort?: string; query?: string; fields?: string },
  sortable: readonly F[],
  fallback: { field: F; direction: 'asc' | 'desc' },
): Paging<F> {
  if (q.query !== undefined) throw invalidParams('The "query" parameter is not supported');
  if (q.fields !== undefined) throw invalidParams('The "fields" parameter is not supported');
  const offset = q.offset ?? 0;
  // 0 asks for "as many as allowed" upstream; here that is the maximum page.
  const count = q.count === undefined ? DEFAULT_COUNT : q.count === 0 ? MAX_COUNT : Math.min(q.count, MAX_COUNT);
  return { offset, count, sort: q.sort === undefined ? fallback : parseSort(q.sort, sortable) };
}

function parseSort<F extends string>(text: string, sortable: readonly F[]): { field: F; direction: 'asc' | 'desc' } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalidParams('sort must be JSON such as {"_updatedAt":-1}');
  }
  const entries = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? Object.entries(parsed) : [];
  if (entries.length !== 1) throw invalidParams('sort must name exactly one field, such as {"_updatedAt":-1}');
  const [field, value] = entries[0]!;
  if (!(sortable as readonly string[]).includes(field)) throw invalidParams(`sort: ${field} is not sortable; use one of ${sortable.join(', ')}`);
  if (value !== 1 && value !== -1) throw invalidParams('sort: the direction must be 1 or -1');
  return { field: field as F, direction: value === 1 ? 'asc' : 'desc' };
}

/** `{<key>: items, offset, items: n, count: n, total}`: upstream fills both `items` and `count` with the page length. */
export function page<K extends string, T>(key: K, items: T[], offset: number, total: number) {
  return { [key]: items, offset, items: items.length, count: items.length, total } as Record<K, T[]> & {
    offset: number;
    items: number;
    count: number;
    total: number;
  };
}
