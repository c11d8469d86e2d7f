import { ConfigError } from './domain/config-error.js';

/**
 * The start-up failures an operator causes and can fix, each as one line that says what to do.
 * Anything else is our bug: the caller prints its stack.
 */
export function startupFailure(err: unknown): string | undefined {
  const e = err as { code?: string; message?: string; syscall?: string; address?: string; port?: number; path?: string };
  if (!e || typeof e !== 'object') return undefined;
  switch (e.code) {
    case 'EADDRINUSE':
      return `port ${e.port ?? ''} on ${e.address ?? 'this host'} is already in use; stop what holds it or set PORT to another port`;
    case 'EADDRNOTAVAIL':
      return `cannot listen on ${e.address ?? 'that address'}: it is not an address of this machine; check HOST`;
    case 'EACCES':
    case 'EPERM':
      if (e.syscall === 'listen') return `no permission to listen on port ${e.port ?? ''}; use a port above 1023 (PORT)`;
      return `no permission to use ${e.path ?? 'a file'}; check SWITCHBOARD_DATA_DIR and DATABASE_URL point somewhere this user may write`;
    case 'ENOENT':
    case 'ENOTDIR':
    case 'EROFS':
    case 'EISDIR':
      return `cannot use ${e.path ?? 'the data path'} (${e.code}); check SWITCHBOARD_DATA_DIR and DATABASE_URL`;
    case 'SQLITE_CANTOPEN':
      return `cannot open the SQLite database (${e.message}); check DATABASE_URL and that its folder is writable`;
    case 'ECONNREFUSED':
      return `cannot reach ${e.address ?? 'the database or Redis'}${e.port ? `:${e.port}` : ''} (connection refused); check DATABASE_URL and REDIS_URL`;
    case '28P01':
    case '3D000':
      return `PostgreSQL refused the connection: ${e.message}; check DATABASE_URL`;
  }
  if (err instanceof ConfigError) return err.message;
  // pino's own words for a level it does not know
  if (typeof e.message === 'string' && /^unknown level /.test(e.message)) return `LOG_LEVEL: ${e.message}; use one of fatal, error, warn, info, debug, trace, silent`;
  return undefined;
}
