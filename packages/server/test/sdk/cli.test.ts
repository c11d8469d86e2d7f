/**
 * The `switchboard` CLI (issue 17) driven as a subprocess against a real server: `--help` on every
 * command, errors that say what to do next, `login` (password and developer token), `init`, and the
 * five-minute path — `switchboard init my-app`, `switchboard dev`, a person types `/hello` in the web
 * client (Debian's chromium) and the bot's answer shows there and reaches their realtime socket — then a file change restarts the app, the delivery log
 * streams, and `apps`/`deliveries` manage what dev created.
 *
 * The CLI and the generated app run from sources: NODE_OPTIONS loads tsx and the
 * `switchboard-source` export condition, so `@switchboard/sdk` resolves to packages/sdk/src.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Listener, OWNER, startTestServer, tempDir, type TestServer } from '../support/helpers.js';
import { launchBrowser } from '../support/browser.js';
import { prepareWebClient, screenshot, signedInContext } from '../support/web-client.js';

const CLI = fileURLToPath(new URL('../../../cli/src/main.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');

let server: TestServer;
let person: Listener;
let ownerName: string;
const dir = tempDir('sb-cli-');
const rc = join(dir.path, 'switchboardrc');

function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: dir.path,
    SWITCHBOARD_CONFIG: rc,
    SWITCHBOARD_LOG_LEVEL: 'info',
    NODE_OPTIONS: `--conditions=switchboard-source --import ${TSX}`,
    ...extra,
  };
}

function cli(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [CLI, ...args], { cwd: opts.cwd ?? dir.path, env: env(opts.env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A long-running CLI command whose output can be waited on. */
function cliLive(args: string[], cwd: string) {
  const p: ChildProcess = spawn(process.execPath, [CLI, ...args], { cwd, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  p.stdout!.on('data', (d) => (output += d));
  p.stderr!.on('data', (d) => (output += d));
  return {
    proc: p,
    output: () => output,
    async waitFor(match: RegExp, ms = 20_000, from = 0): Promise<void> {
      for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) {
        if (match.test(output.slice(from))) return;
        if (p.exitCode !== null) break;
      }
      assert.fail(`no ${match} in the output:\n${output}`);
    },
    stop: () => new Promise<void>((r) => (p.exitCode !== null ? r() : (p.once('exit', () => r()), p.kill('SIGTERM')))),
  };
}

before(async () => {
  // The server reads the client's build when it starts: built (when stale) before it.
  await prepareWebClient();
  server = await startTestServer();
  person = await Listener.connect(server.wsUrl, server.owner.token);
  ownerName = (await server.owner.get(`/v1/workspaceUsers/${server.ownerId}`)).body.name;
});

after(async () => {
  person?.close();
  await server?.close();
  dir.remove();
});

describe('switchboard CLI', () => {
  test('--help on every command; unknown commands and missing login say what to do next', async () => {
    const top = await cli(['--help']);
    assert.equal(top.code, 0);
    for (const c of ['login', 'init', 'dev', 'apps', 'deliveries']) assert.match(top.stdout, new RegExp(`\\n  ${c} `));
    for (const c of ['login', 'init', 'dev', 'apps', 'deliveries']) {
      const r = await cli([c, '--help']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`^Usage: switchboard ${c}`));
    }
    const unknown = await cli(['frobnicate']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /run `switchboard --help`/);
    const notLoggedIn = await cli(['apps', 'list']);
    assert.equal(notLoggedIn.code, 1);
    assert.match(notLoggedIn.stderr, /Not logged in\n {2}→ run `switchboard login --url http:\/\/localhost:3000`/);
  });

  test('login with a developer token, then with e-mail and password; the config file is 0600', async () => {
    const bad = await cli(['login', '--url', server.url, '--token', 'a.b.c']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /→ /);
    const token = (await server.owner.post('/auth/developer-token')).body.token;
    const byToken = await cli(['login', '--url', server.url, '--token', token]);
    assert.equal(byToken.code, 0, byToken.stderr);
    assert.match(byToken.stdout, new RegExp(`Logged in to ${server.url} as ${ownerName}`));
    const byPassword = await cli(['login', '--url', server.url, '--email', OWNER.email], { env: { SWITCHBOARD_PASSWORD: OWNER.password } });
    assert.equal(byPassword.code, 0, byPassword.stderr);
    assert.equal(statSync(rc).mode & 0o777, 0o600);
    const saved = JSON.parse(readFileSync(rc, 'utf8'));
    assert.equal(saved.url, server.url);
    assert.ok(saved.token && saved.refreshToken);
    const list = await cli(['apps', 'list']);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /No apps yet/);
  });

  test('the five-minute path: init my-app, dev, /hello typed in the web client and answered; a file change restarts the app', async (t) => {
    const init = await cli(['init', 'my-app']);
    assert.equal(init.code, 0, init.stderr);
    const app = join(dir.path, 'my-app');
    for (const f of ['package.json', 'manifest.json', 'index.js', '.gitignore']) assert.ok(existsSync(join(app, f)), f);
    assert.match(JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')).dependencies['@switchboard/sdk'], /^file:.*packages\/sdk$/);
    assert.ok(lstatSync(join(app, 'node_modules/@switchboard/sdk')).isSymbolicLink());
    assert.equal((await cli(['init', 'my-app'])).code, 1, 'a non-empty directory is refused');

    const dev = cliLive(['dev'], app);
    try {
      await dev.waitFor(/Ready\./);
      await dev.waitFor(/\[app\] .*socket mode/);
      assert.match(dev.output(), /✓ app my-app created/);
      assert.equal(statSync(join(app, '.switchboard/app.json')).mode & 0o777, 0o600);
      assert.equal(statSync(join(app, '.switchboard/tokens.json')).mode & 0o777, 0o600);

      // A person types /hello in the web client, as the README says: the bot's answer shows there.
      const browser = await launchBrowser(t);
      if (browser) {
        t.after(() => browser.close());
        const { page } = await signedInContext(browser, server.url, OWNER, { t });
        await page.goto(`${server.url}/c/${server.generalId}`);
        const composer = page.locator('#composer-input');
        await composer.fill('/hello');
        await composer.press('Escape'); // the command menu
        await composer.press('Enter');
        // In the message list: the screen-reader announcer repeats the text in a hidden live region.
        await page.locator('.message').getByText(`Hello, ${ownerName}!`).waitFor({ timeout: 15_000 });
        await screenshot(page, 'five-minute-path-hello');
      } else {
        const sent = await server.owner.post(`/v1/channels/${server.generalId}/messages`, { text: '/hello' });
        assert.equal(sent.status, 200, sent.text);
      }
      const hello = await person.next((f) => f.type === 'message.created' && f.message.text === `Hello, ${ownerName}!`, 15_000);
      assert.equal(hello.message.blocks[1].elements[0].type, 'button');
      await dev.waitFor(/\[delivery\] .*trigger .*succeeded/, 10_000);

      // Save a change: the app restarts with it.
      const mark = dev.output().length;
      const source = readFileSync(join(app, 'index.js'), 'utf8');
      writeFileSync(join(app, 'index.js'), source.replaceAll('Hello, ${me.name}!', 'Hi again, ${me.name}!'));
      await dev.waitFor(/index\.js changed: restarting/, 10_000, mark);
      await dev.waitFor(/\[app\] .*socket mode/, 20_000, mark);
      await server.owner.post(`/v1/channels/${server.generalId}/messages`, { text: '/hello' });
      await person.next((f) => f.type === 'message.created' && f.message.text === `Hi again, ${ownerName}!`, 15_000);
    } finally {
      await dev.stop();
    }

    const list = await cli(['apps', 'list'], { cwd: app });
    assert.match(list.stdout, /my-app {2}"My App" {2}socket mode {2}\/hello/);
    const tail = await cli(['deliveries', 'tail', '--once'], { cwd: app });
    assert.equal(tail.code, 0, tail.stderr);
    const id = /(msg_\w+)/.exec(tail.stdout)?.[1];
    assert.ok(id, tail.stdout);
    const rotate = await cli(['apps', 'rotate-secrets'], { cwd: app });
    assert.equal(rotate.code, 0, rotate.stderr);
    assert.match(rotate.stdout, /Updated \.switchboard\/app\.json/);
    const refused = await cli(['apps', 'delete'], { cwd: app });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /--yes/);
    assert.equal((await cli(['apps', 'delete', '--yes'], { cwd: app })).code, 0);
    assert.match((await cli(['apps', 'list'])).stdout, /No apps yet/);
  });
});
