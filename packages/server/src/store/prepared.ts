import { CompiledQuery, type Compilable, type Kysely, type Transaction } from 'kysely';
import type { Database } from './schema.js';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * A hot query compiled once and re-run with new values. Kysely rebuilds and recompiles every
 * query (about 26 µs here, more than SQLite takes to run most of ours), so the few queries on
 * every request's path are compiled on first use with sentinel values, and each later call only
 * swaps its values into the compiled parameter list. It still runs through Kysely's driver and
 * connection, so it joins the caller's transaction like any other query.
 *
 * The builder must give the same SQL whatever the values (no `in (...)` lists of varying
 * length, no branching on a value): values are bound, the shape is fixed.
 */
export class PreparedQuery<P extends readonly unknown[], O> {
  /** per dialect: SQLite and PostgreSQL compile to different SQL, and one process may use both */
  private readonly compiled = new Map<unknown, { sql: string; slots: Array<{ param: number } | { value: unknown }> }>();

  constructor(
    private readonly arity: P['length'],
    private readonly build: (db: Db, ...params: P) => Compilable<O>,
  ) {}

  async execute(db: Db, ...params: P): Promise<O[]> {
    const dialect = db.getExecutor().adapter.constructor;
    let compiled = this.compiled.get(dialect);
    if (!compiled) this.compiled.set(dialect, (compiled = this.compile(db)));
    const parameters = compiled.slots.map((s) => ('param' in s ? params[s.param] : s.value));
    const result = await db.executeQuery<O>(CompiledQuery.raw(compiled.sql, parameters) as CompiledQuery<O>);
    return result.rows;
  }

  async executeTakeFirst(db: Db, ...params: P): Promise<O | undefined> {
    return (await this.execute(db, ...params))[0];
  }

  private compile(db: Db) {
    const sentinels = Array.from({ length: this.arity }, (_, i) => `\u0000prepared-param-${i}\u0000`);
    const query = this.build(db, ...(sentinels as unknown as P)).compile();
    const slots = query.parameters.map((value) => {
      const i = sentinels.indexOf(value as string);
      return i >= 0 ? { param: i } : { value };
    });
    const used = new Set(slots.flatMap((s) => ('param' in s ? [s.param] : [])));
    if (used.size !== this.arity) throw new Error(`prepared query uses ${used.size} of its ${this.arity} parameters: ${query.sql}`);
    return { sql: query.sql, slots };
  }
}
