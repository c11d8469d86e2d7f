/**
 * An app made by `switchboard init` outside the checkout, run with the commands its README gives
 * (found by a new user: `npm run dev` answered `switchboard: not found`, and `npm start`
 * ERR_MODULE_NOT_FOUND for the SDK's dist/index.js, which a fresh checkout has not built):
 *
 * * `npm install` in the app resolves its dependencies — file: paths to the checkout's packages/sdk
 *   and packages/cli — offline, and puts the `switchboard` command in node_modules/.bin;
 * * `npm run dev` registers and runs the app, and /hello is answered;
 * * `npm start` runs it as in production (HTTP, secrets from the environment), the SDK from its
 *   sources when it has no build.
 *
 * Everything through the real command (bin/switchboard.js) and npm, with no NODE_OPTIONS of the
 * test's: as a person types them in a terminal.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, lstatSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Listener, startTestServer, tempDir, type TestServer } from '../support/helpers.js';

const BIN = fileURLToPath(new URL('../../../cli/bin/switchboard.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const PACKAGES = join(ROOT, 'packages');

let server: TestServer;
let person: Listener;
let ownerName: string;
// In the system's temporary folder: outside the checkout, where no node_modules above has the SDK.
const dir = tempDir('sb-cli-scaffold-');
const rc = join(dir.path, 'switchboardrc');
const app = join(dir.path, 'my-app');

function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: dir.path,
    SWITCHBOARD_CONFIG: rc,
    // npm: nothing from the network, its cache and logs in the test's folder
    npm_config_offline: 'true',
    npm_config_cache: join(dir.path, 'npm-cache'),
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    ...extra,
  };
}

/** A command in its own process group, so that stopping it stops what npm and sh started under it. */
function live(command: string, args: string[], extra?: NodeJS.ProcessEnv) {
  const p: ChildProcess = spawn(command, args, { cwd: app, env: env(extra), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  p.stdout!.on('data', (d) => (output += d));
  p.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<void>((r) => p.once('exit', () => r()));
  return {
    output: () => output,
    async waitFor(match: RegExp, ms = 30_000): Promise<RegExpExecArray> {
      for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) {
        const m = match.exec(output);
        if (m) return m;
        if (p.exitCode !== null) break;
      }
      assert.fail(`no ${match} in the output:\n${output}`);
    },
    /** As Ctrl-C in a terminal does: the signal to the whole group (npm, sh, the CLI, the app). */
    async stop() {
      if (p.exitCode === null && p.signalCode === null) {
        try {
          process.kill(-p.pid!, 'SIGINT');
        } catch {
          /* gone */
        }
      }
      await exited;
    },
  };
}

function run(command: string, args: string[], extra?: NodeJS.ProcessEnv, cwd = app): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const p = spawn(command, args, { cwd, env: env(extra), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    p.stdout.on('data', (d) => (output += d));
    p.stderr.on('data', (d) => (output += d));
    p.on('exit', (code) => resolve({ code, output }));
  });
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

before(async () => {
  server = await startTestServer();
  person = await Listener.connect(server.wsUrl, server.owner.token);
  ownerName = (await server.owner.get(`/v1/workspaceUsers/${server.ownerId}`)).body.name;
});

after(async () => {
  person?.close();
  await server?.close();
  dir.remove();
});

test('an app made by init outside the checkout: npm install, npm run dev answers /hello, npm start runs it', async () => {
  assert.ok(!app.startsWith(ROOT), 'the app is outside the checkout');
  // --no-link: npm install makes the links, as it would for anyone
  const init = await run(process.execPath, [BIN, 'init', app, '--display-name', 'Scaffold App', '--no-link'], { NODE_OPTIONS: '' }, dir.path);
  assert.equal(init.code, 0, init.output);
  assert.match(init.output, /Run `npm install` in .* to fetch @switchboard\/sdk and @switchboard\/cli/);
  const pkg = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8'));
  assert.deepEqual(pkg.scripts, { dev: 'switchboard dev', start: 'switchboard start' });
  for (const [name, folder] of [
    ['@switchboard/sdk', 'sdk'],
    ['@switchboard/cli', 'cli'],
  ] as const) {
    const spec: string = pkg.dependencies[name];
    assert.ok(spec.startsWith('file:') && isAbsolute(spec.slice(5)), `${name}: ${spec}`);
    assert.equal(spec.slice(5), join(PACKAGES, folder));
  }

  const install = await run('npm', ['install']);
  assert.equal(install.code, 0, install.output);
  assert.ok(lstatSync(join(app, 'node_modules/@switchboard/sdk')).isSymbolicLink());
  assert.ok(existsSync(join(app, 'node_modules/.bin/switchboard')), 'npm install puts the switchboard command in node_modules/.bin');

  const token = (await server.owner.post('/auth/developer-token')).body.token;
  const login = await run('npx', ['switchboard', 'login', '--url', server.url, '--token', token]);
  assert.equal(login.code, 0, login.output);

  const dev = live('npm', ['run', 'dev', '--', '--no-deliveries', '--no-watch']);
  try {
    await dev.waitFor(/\[app\] .*socket mode/, 60_000);
    assert.match(dev.output(), /✓ app my-app created/);
    const sent = await server.owner.post(`/v1/channels/${server.generalId}/messages`, { text: '/hello' });
    assert.equal(sent.status, 200, sent.text);
    await person.next((f) => f.type === 'message.created' && f.message.text === `Hello, ${ownerName}!`, 15_000);
  } finally {
    await dev.stop();
  }

  // Without the app's settings, the app itself says what is missing: the SDK was found and loaded.
  const bare = await run('npm', ['start']);
  assert.notEqual(bare.code, 0);
  assert.doesNotMatch(bare.output, /ERR_MODULE_NOT_FOUND/);
  assert.match(bare.output, /SWITCHBOARD_URL, SWITCHBOARD_APP_ID, SWITCHBOARD_APP_KEY not set/);

  // With them (here the ones dev stored), it serves HTTP on PORT, as in production.
  const s = JSON.parse(readFileSync(join(app, '.switchboard/app.json'), 'utf8'));
  const port = await freePort();
  const start = live('npm', ['start'], {
    PORT: String(port),
    SWITCHBOARD_URL: server.url,
    SWITCHBOARD_APP_ID: s.id,
    SWITCHBOARD_APP_KEY: s.appKey,
    SWITCHBOARD_CLIENT_SECRET: s.clientSecret,
    SWITCHBOARD_SIGNING_SECRET: s.signingSecret,
  });
  try {
    await start.waitFor(new RegExp(`listening on http://0\\.0\\.0\\.0:${port}`), 60_000);
    // An unsigned request is refused, by the app: it is the one listening.
    const r = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.ok(r.status >= 400 && r.status < 500, String(r.status));
  } finally {
    await start.stop();
  }
});
