/** A setting the operator must fix; its message is the whole line printed at start-up (main.ts). */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
