#!/usr/bin/env node
// The repo's one test runner: node:test over every *.test.ts, TypeScript loaded through tsx.
// Usage: node scripts/test.mjs [file-or-folder ...]
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const skip = new Set(['node_modules', 'dist', '.git', 'data']);

function find(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (skip.has(name)) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) find(path, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, path));
  }
  return out;
}

const targets = process.argv.slice(2);
const files = (targets.length ? targets : ['packages', 'bench']).flatMap((t) =>
  statSync(join(root, t)).isDirectory() ? find(join(root, t)) : [t],
);
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
// Browser tests and anything serving `/` read the web client's build when their server starts:
// built here, once, before any test file runs (two files building it at once would race).
const { buildWebClientIfStale } = await import('./web-build.mjs');
await buildWebClientIfStale();
// --test-timeout: node:test runs each file as one test, so the longest browser files (about 100 s
// on a busy two-core runner) need room; a hang still ends, at five minutes.
// Test people's passwords hashed at scrypt's lowest cost (domain/secrets.ts): at the default, each
// person a test makes costs about a second of CPU on a busy two-core runner, hundreds of them.
const env = { SWITCHBOARD_SCRYPT_COST: '10', ...process.env };
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${process.env.TEST_CONCURRENCY ?? 2}`, '--test-timeout=300000', ...files.sort()],
  { cwd: root, stdio: 'inherit', env },
);
process.exit(result.status ?? 1);
