/**
 * Reading stored columns back into the domain's models, the same on both engines: PostgreSQL hands
 * `bigint` columns (times in ms, counts) back as strings, SQLite as numbers (docs/architecture.md §3.2).
 */
export const num = (v: number | string | bigint): number => Number(v);
export const numOrNull = (v: number | string | bigint | null): number | null => (v === null ? null : Number(v));
