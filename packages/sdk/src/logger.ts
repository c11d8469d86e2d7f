export interface Logger {
  debug(msg: string, ...rest: unknown[]): void;
  info(msg: string, ...rest: unknown[]): void;
  warn(msg: string, ...rest: unknown[]): void;
  error(msg: string, ...rest: unknown[]): void;
}

const LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LEVELS)[number];

/** Console logging from `level` up (default: SWITCHBOARD_LOG_LEVEL, else info). */
export function consoleLogger(level: LogLevel = (process.env.SWITCHBOARD_LOG_LEVEL as LogLevel) || 'info'): Logger {
  const min = Math.max(0, LEVELS.indexOf(level));
  const at = (l: LogLevel, fn: (...a: unknown[]) => void) => (msg: string, ...rest: unknown[]) => {
    if (LEVELS.indexOf(l) >= min) fn(`[switchboard-sdk] ${l}: ${msg}`, ...rest);
  };
  return { debug: at('debug', console.log), info: at('info', console.log), warn: at('warn', console.warn), error: at('error', console.error) };
}
