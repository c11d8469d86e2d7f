#!/usr/bin/env node
// The repo's one test runner: node:test over every *.test.ts, TypeScript loaded through tsx.
// Usage: node scripts/test.mjs [file-or-folder ...]
import { spawn } from 'node:child_process';
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
const concurrency = Number(process.env.TEST_CONCURRENCY ?? 2);

// Browser files (a server and a chromium each, a minute or two) run one at a time beside the other
// files, which run `concurrency` at a time: two chromiums at once overload a two-core runner, and
// one browser file beside the rest keeps both cores busy (node:test orders the files it is given by
// name, so within one run they would come in a block). Each group's report is printed whole, the
// browser files' after the others', then the totals of both.
const browser = files.filter((f) => f.includes('/test/browser/'));
const others = files.filter((f) => !f.includes('/test/browser/'));

function run(group, n, live) {
  return new Promise((resolve) => {
    // At a terminal, the report it would have printed there (the output is piped through here).
    const reporter = process.stdout.isTTY ? ['--test-reporter=spec'] : [];
    const child = spawn(process.execPath, ['--import', 'tsx', '--test', ...reporter, `--test-concurrency=${n}`, '--test-timeout=300000', ...group], { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (live) process.stdout.write(chunk);
    });
    child.on('close', (code) => resolve({ code: code ?? 1, out, live }));
  });
}

const results = await Promise.all([
  ...(others.length > 0 ? [run(others, concurrency, true)] : []),
  ...(browser.length > 0 ? [run(browser, 1, others.length === 0)] : []),
]);
for (const r of results) if (!r.live) process.stdout.write(r.out);
if (results.length > 1) {
  // Each report ends with its own counts (`# tests 1234`…); these are both groups' together.
  const count = (out, key) => Number(out.match(new RegExp(`^(?:#|ℹ) ${key} (\\d+)$`, 'gm'))?.at(-1)?.split(' ')[2] ?? 0);
  for (const key of ['tests', 'pass', 'fail']) console.log(`# all files: ${key} ${results.reduce((n, r) => n + count(r.out, key), 0)}`);
}
process.exitCode = results.some((r) => r.code !== 0) ? 1 : 0;
