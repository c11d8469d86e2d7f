/**
 * How node runs an app's entry file, for `dev` and `start`.
 *
 * An app made by `switchboard init` in a Switchboard checkout depends on the checkout's
 * packages/sdk through a `file:` link, and there the SDK has no build until someone runs
 * `npm run build`: its `default` export, dist/index.js, is missing and a plain `node index.js` ends
 * with ERR_MODULE_NOT_FOUND. Such an app runs with the SDK's sources instead — the SDK's
 * `switchboard-source` export condition picks src/index.ts, and tsx (the checkout's dev dependency,
 * found from this CLI's own place in the checkout) compiles it — as bin/switchboard.js runs the
 * CLI's own sources. So neither `switchboard dev` nor `npm start` (`switchboard start`) needs a
 * build step, inside the checkout or out of it. A built SDK, or one installed from a registry, runs
 * as it is.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { CliError } from './config.js';

/** The arguments for `node` (process.execPath) that run `entry` of the app in `dir`. */
export function nodeArgs(dir: string, entry: string): string[] {
  let sdk: string;
  try {
    // Resolved as the app resolves it: from its own node_modules (the SDK exports ./package.json).
    sdk = dirname(createRequire(join(dir, 'package.json')).resolve('@switchboard/sdk/package.json'));
  } catch {
    // No SDK, or not one from a checkout: the app and node are on their own.
    return [entry];
  }
  if (existsSync(join(sdk, 'dist', 'index.js')) || !existsSync(join(sdk, 'src', 'index.ts'))) return [entry];
  // Run from sources already (bin/switchboard.js in a checkout without a build sets both, and the
  // app inherits NODE_OPTIONS): tsx is not loaded twice.
  if (/switchboard-source/.test(process.env.NODE_OPTIONS ?? '')) return [entry];
  let tsx: string;
  try {
    tsx = import.meta.resolve('tsx');
  } catch {
    throw new CliError(`@switchboard/sdk in ${sdk} is not built`, 'run `npm run build -w @switchboard/sdk` in the Switchboard checkout');
  }
  return ['--conditions=switchboard-source', `--import=${tsx}`, entry];
}
