import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Keyring } from './domain/keyring.js';
import { ConfigError } from './domain/config-error.js';

/**
 * The server key comes from SWITCHBOARD_SECRET_KEY (base64 of 32 bytes) or from `server.key` in
 * the data directory, generated there (mode 0600) on first start. Several nodes must share it:
 * configure the variable for them.
 */
export function loadServerKey(opts: { secretKey: string | undefined; dataDir: string }): { keyring: Keyring; source: string } {
  if (opts.secretKey) {
    const key = Buffer.from(opts.secretKey, 'base64');
    if (key.length !== 32) throw new ConfigError('SWITCHBOARD_SECRET_KEY must be the base64 of 32 bytes (openssl rand -base64 32)');
    return { keyring: new Keyring(key), source: 'SWITCHBOARD_SECRET_KEY' };
  }
  const file = resolve(join(opts.dataDir, 'server.key'));
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, Keyring.generateKey().toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  }
  chmodSync(file, 0o600);
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== 32) throw new ConfigError(`${file} does not hold a 32-byte base64 key`);
  return { keyring: new Keyring(key), source: file };
}
