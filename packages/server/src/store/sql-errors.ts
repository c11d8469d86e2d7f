/** Constraint violations as each engine reports them; the store turns them into the domain's errors. */

/** A unique-constraint violation on either engine. */
export function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  return err?.code === '23505' || err?.code === 'SQLITE_CONSTRAINT_UNIQUE' || err?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/**
 * A foreign-key violation on either engine: on PostgreSQL, a row written while what it points at
 * (a channel, a message) was being deleted by another transaction.
 */
export function isForeignKeyViolation(e: unknown): boolean {
  const code = (e as { code?: string })?.code;
  return code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}
