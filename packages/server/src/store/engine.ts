/** The two database engines the store speaks: SQLite (embedded, the default) and PostgreSQL. */
export type Engine = 'sqlite' | 'postgres';
