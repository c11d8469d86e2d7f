// The web client's build (packages/web/dist), made only when it is missing or older than a source:
// one place for `npm start` (scripts/launch.mjs), the test runner (scripts/test.mjs, before any test
// file starts a server, so that no two files build it at once), the browser tests and the bench.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const WEB = new URL('../packages/web', import.meta.url).pathname;

function newest(dir, pattern) {
  let t = statSync(dir).mtimeMs; // a moved or deleted file changes its folder
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = statSync(path);
    if (st.isDirectory()) t = Math.max(t, newest(path, pattern));
    else if (pattern.test(name)) t = Math.max(t, st.mtimeMs);
  }
  return t;
}

/** True when dist/index.html is missing or older than packages/web's sources. */
export function webClientStale() {
  if (!existsSync(join(WEB, 'src'))) return false;
  const page = join(WEB, 'dist', 'index.html');
  const inputs = Math.max(newest(join(WEB, 'src'), /\.(tsx?|css|json|svg|png)$/), ...['index.html', 'vite.config.ts', 'package.json'].map((f) => join(WEB, f)).filter(existsSync).map((f) => statSync(f).mtimeMs));
  return !existsSync(page) || statSync(page).mtimeMs < inputs;
}

/** Builds the client with Vite when it is stale; answers whether it built. */
export async function buildWebClientIfStale(log = (m) => process.stderr.write(`${m}\n`)) {
  if (!webClientStale()) return false;
  log('Building the web client (only when its sources changed)…');
  const { build } = await import('vite');
  await build({ root: WEB, configFile: join(WEB, 'vite.config.ts'), logLevel: 'warn' });
  return true;
}
