#!/usr/bin/env node
// Runs one of the server's entry points from its build, building first only when the build is
// missing or older than the sources: `npm start` must not type-check and compile on every start.
// The build here is esbuild's per-file transpile (about a second; the same transform tsx applies
// when the tests run the sources); type-checking is `npm test`'s job, and `npm run build` (tsc)
// stays for a checked release build.
// The entry runs in this same process (no child), so SIGTERM and SIGINT reach the server itself
// and no orphan can keep the port. Usage: node scripts/launch.mjs <main|admin> [args...]
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = new URL('..', import.meta.url).pathname;
const server = join(root, 'packages/server');
const entry = process.argv[2];
if (entry !== 'main' && entry !== 'admin') {
  console.error('usage: node scripts/launch.mjs <main|admin> [args...]');
  process.exit(2);
}
// The entry reads its own arguments from process.argv.slice(2).
process.argv.splice(2, 1);

function sources(dir, out = [], dirs = [], pattern = /\.ts$/) {
  dirs.push(dir);
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sources(path, out, dirs, pattern);
    else if (pattern.test(name)) out.push(path);
  }
  return out;
}

const built = join(server, 'dist', `${entry}.js`);
const inputs = [join(root, 'tsconfig.base.json'), join(server, 'tsconfig.json'), join(root, 'package-lock.json')];
// A moved, renamed or deleted source keeps no newer file behind, but its directory's mtime changes.
const sourceDirs = [];
const entryPoints = sources(join(server, 'src'), [], sourceDirs);
const newestInput = Math.max(...[...entryPoints, ...sourceDirs, ...inputs.filter(existsSync)].map((f) => statSync(f).mtimeMs));
if (!existsSync(built) || statSync(built).mtimeMs < newestInput) {
  process.stderr.write('Building the server (only when its sources changed)…\n');
  const { build, stop } = await import('esbuild');
  rmSync(join(server, 'dist'), { recursive: true, force: true });
  await build({
    entryPoints,
    outdir: join(server, 'dist'),
    outbase: join(server, 'src'),
    tsconfig: join(server, 'tsconfig.json'),
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    logLevel: 'warning',
  });
  // esbuild's service is a child process: ended here, so the server runs alone.
  await stop();
}
// The web client (docs/web-client.md §2): built once, again only when its sources changed, and
// served by the server itself. Only for the server (`admin` is a terminal tool).
if (entry === 'main') {
  const { buildWebClientIfStale } = await import('./web-build.mjs');
  await buildWebClientIfStale();
}
await import(pathToFileURL(built).href);
