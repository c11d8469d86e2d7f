/**
 * The second slice of the `switchboard` CLI (issue 17), as a subprocess against a real server:
 *
 * * `login --email` by the tooling login (a code mailed through a real SMTP server here, typed at
 *   the prompt); with no session kept, `api-keys` refuses without a terminal and says how, then works
 *   with SWITCHBOARD_PASSWORD and keeps the session;
 * * `api-keys create --allow | list | delete`;
 * * `integrations create incoming` with the alerts example's script, its URL taking an Alertmanager
 *   payload, `list`, `history`, `remove`;
 * * `dev` warning that an app installed earlier already has the command (the shadowing trap) — the
 *   app installed later, whose command is taken, not the one that answers it; with a kept session
 *   and with the developer token alone, which sees only the developer's own apps and says so — and
 *   restarting an app that crashed, with backoff, saying so.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { Listener, OWNER, startTestServer, tempDir, type TestServer } from '../support/helpers.js';
import { EXAMPLES, harness } from './cli-harness.js';

let server: TestServer;
let person: Listener;
let smtp: SMTPServer;
const mails: string[] = [];
const dir = tempDir('sb-cli2-');
const rc = join(dir.path, 'switchboardrc');
const cli = harness(dir.path, rc);

before(async () => {
  smtp = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    disableReverseLookup: true,
    onData(stream, _session, cb) {
      let raw = '';
      stream.on('data', (c: Buffer) => (raw += c.toString('utf8')));
      stream.on('end', () => (mails.push(raw), cb()));
    },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
  const port = (smtp.server.address() as { port: number }).port;
  server = await startTestServer({ smtp: { url: `smtp://127.0.0.1:${port}`, from: 'Switchboard <switchboard@example.com>' } });
  person = await Listener.connect(server.wsUrl, server.owner.token);
});

after(async () => {
  person?.close();
  await server?.close();
  await new Promise<void>((r) => smtp.close(() => r()));
  dir.remove();
});

async function mailedCode(): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const mail = mails.shift();
    if (mail) {
      const body = mail.slice(mail.indexOf('\r\n\r\n'));
      const m = /^\s+(\d{6})\s*$/m.exec(body);
      assert.ok(m, mail);
      return m[1]!;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail('no mail');
}

describe('switchboard CLI, acting as the person', () => {
  test('--help for the new commands', async () => {
    for (const c of ['integrations', 'api-keys']) {
      const r = await cli.run([c, '--help']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`^Usage: switchboard ${c}`));
    }
    const bad = await cli.run(['integrations', 'frob']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /Unknown integrations command "frob"\n {2}→ run `switchboard integrations --help`/);
  });

  test('login --email: the mailed code typed at the prompt; api-keys then ask for the password once', async () => {
    const login = cli.live(['login', '--url', server.url, '--email', OWNER.email], dir.path);
    await login.waitFor(/Code: /, 15_000);
    login.write('000000\n'.replace('000000', await mailedCode()));
    await login.waitFor(/Logged in to .* as .*<owner@example\.com>, workspace Test Workspace\./, 15_000);
    await login.stop();
    const saved = JSON.parse(readFileSync(rc, 'utf8'));
    assert.ok(saved.token && saved.refreshToken && !saved.session, 'a developer token, no session');

    const noPassword = await cli.run(['api-keys', 'list']);
    assert.equal(noPassword.code, 1);
    assert.match(noPassword.stderr, /needs your password once[^\n]*\n {2}→ set SWITCHBOARD_PASSWORD, or run `switchboard login --email owner@example\.com --ask-password`/);

    const withPassword = await cli.run(['api-keys', 'list'], { env: { SWITCHBOARD_PASSWORD: OWNER.password } });
    assert.equal(withPassword.code, 0, withPassword.stderr);
    assert.match(withPassword.stdout, /no API keys yet/);
    assert.ok(JSON.parse(readFileSync(rc, 'utf8')).session?.token, 'the session is kept');
    assert.equal((await cli.run(['api-keys', 'list'])).code, 0, 'and used without the password');
  });

  test('api-keys: create (allowing the API app), list, delete', async () => {
    const refused = await cli.run(['api-keys', 'create', 'ci']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /→ .*--allow/);
    const created = await cli.run(['api-keys', 'create', 'ci', '--allow']);
    assert.equal(created.code, 0, created.stderr);
    const key = /\n {2}(sbk_\S+)\n/.exec(created.stdout)?.[1];
    assert.ok(key, created.stdout);
    // The key works against the API addon.
    const channels = await fetch(`${server.url}/addon/api-keys/listChannels`, { headers: { 'api-key': key! } });
    assert.equal(channels.status, 200, await channels.text());
    const list = await cli.run(['api-keys', 'list']);
    assert.match(list.stdout, /sbk_\S+…\S+ {2}ci {2}created /);
    const hint = /(sbk_\S+…\S+)/.exec(list.stdout)![1]!;
    const noYes = await cli.run(['api-keys', 'delete', 'ci']);
    assert.equal(noYes.code, 1);
    assert.match(noYes.stderr, /--yes/);
    const deleted = await cli.run(['api-keys', 'delete', hint.replace('…', '...'), '--yes']);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.match((await cli.run(['api-keys', 'list'])).stdout, /no API keys yet/);
  });

  test('integrations: create incoming with the alerts script, post to its URL, list, history, remove', async () => {
    const script = join(EXAMPLES, 'alerts-webhook/script.js');
    const created = await cli.run(['integrations', 'create', 'incoming', '--name', 'alertmanager', '--channel', '#GENERAL', '--script', script]);
    assert.equal(created.code, 0, created.stderr);
    const url = /URL: (\S+)/.exec(created.stdout)?.[1];
    const id = /\(([^)]+)\), posting as/.exec(created.stdout)?.[1];
    assert.ok(url && id, created.stdout);
    const payload = readFileSync(join(EXAMPLES, 'alerts-webhook/alertmanager-payload.json'), 'utf8');
    const posted = await fetch(url!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: payload });
    assert.equal(posted.status, 200, await posted.text());
    await person.next((f) => f.type === 'message.created' && /FIRING:2/.test(f.message.text), 10_000);

    const list = await cli.run(['integrations', 'list']);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, new RegExp(`${id} {2}incoming {2}alertmanager {2}#GENERAL {2}@\\S+ {2}script`));
    const history = await cli.run(['integrations', 'history', id!]);
    assert.equal(history.code, 0, history.stderr);
    assert.match(history.stdout, /message-posted {2}HTTP 200/);
    const outgoing = await cli.run(['integrations', 'create', 'outgoing', '--name', 'out']);
    assert.equal(outgoing.code, 1);
    assert.match(outgoing.stderr, /→ pass --url/);
    assert.equal((await cli.run(['integrations', 'remove', id!, '--yes'])).code, 0);
    assert.match((await cli.run(['integrations', 'list'])).stdout, /No integrations yet/);
  });

  test('dev: warns the app installed later that an earlier one has its command; restarts a crashed app with backoff', async () => {
    // Another app with /hello, installed first.
    assert.equal((await cli.run(['init', 'first-app'])).code, 0);
    const first = cli.live(['dev', '--no-deliveries', '--no-watch'], join(dir.path, 'first-app'));
    await first.waitFor(/\[app\] .*socket mode/, 30_000);
    await first.stop();

    assert.equal((await cli.run(['init', 'second-app'])).code, 0);
    const app = join(dir.path, 'second-app');
    // Crashes on its first start (the marker is in .switchboard/, which dev does not watch).
    const source = readFileSync(join(app, 'index.js'), 'utf8');
    writeFileSync(
      join(app, 'index.js'),
      `import { existsSync, writeFileSync } from 'node:fs';\nif (!existsSync('.switchboard/crashed')) { writeFileSync('.switchboard/crashed', ''); console.error('boom'); process.exit(3); }\n${source}`,
    );
    const dev = cli.live(['dev', '--no-deliveries'], app);
    try {
      await dev.waitFor(
        /! \/hello is also the command of "First App" \([^)]+\), installed in this workspace before this app: the app installed first answers it, so typing \/hello reaches "First App", not this app/,
        30_000,
      );
      assert.match(dev.output(), /→ rename the command in manifest\.json, or uninstall the other app/);
      await dev.waitFor(/✗ the app exited \(code 3\) after [\d.]+ s; restarting it in 1 s/, 20_000);
      await dev.waitFor(/\[app\] .*socket mode/, 20_000);
      assert.ok(existsSync(join(app, '.switchboard/crashed')));
    } finally {
      await dev.stop();
    }
  });

  test('dev: the app installed first, which answers the command, is not warned (found when it was); a bot alone reading messages is told its events come only from channels it is in', async () => {
    // Both apps are installed now (the test before): First App first, Second App after it.
    // First App's bot now reads messages and reactions: their events reach it only from channels
    // it is a member of (docs/app-platform.md §8.1), which dev says once.
    const file = join(dir.path, 'first-app', 'manifest.json');
    const manifest = JSON.parse(readFileSync(file, 'utf8'));
    manifest.scopes.botScopes.push('messages:read', 'reaction:read');
    manifest.eventSubscriptions = { events: ['NEW_MESSAGE', 'REACTION_ADDED', 'WORKSPACE_USER_JOINED'] };
    writeFileSync(file, JSON.stringify(manifest, null, 2));
    const first = cli.live(['dev', '--no-deliveries', '--no-watch'], join(dir.path, 'first-app'));
    try {
      await first.waitFor(/Ready\./, 30_000);
      assert.doesNotMatch(first.output(), /is also the command of|checked only against/);
      assert.match(first.output(), /· NEW_MESSAGE, REACTION_ADDED reach this app only from channels its bot is a member of \(posting there does not make it one\)\n {2}→ add the bot to a channel: in the web client, the channel's menu → Add people → First App/);
    } finally {
      await first.stop();
    }
  });

  test('dev with the developer token alone: the same judgement among the developer\'s own apps, and it says what it could not check', async () => {
    // The same login without the kept session: other people's apps are out of sight.
    const saved = JSON.parse(readFileSync(rc, 'utf8'));
    delete saved.session;
    const tokenOnly = join(dir.path, 'switchboardrc-token-only');
    writeFileSync(tokenOnly, JSON.stringify(saved), { mode: 0o600 });
    const byToken = harness(dir.path, tokenOnly);
    const note = /· \/hello checked only against your own installed apps: a developer token does not see other people's apps\n {2}→ `switchboard login --email owner@example\.com --ask-password`/;

    const second = byToken.live(['dev', '--no-deliveries', '--no-watch'], join(dir.path, 'second-app'));
    try {
      await second.waitFor(/Ready\./, 30_000);
      assert.match(second.output(), /! \/hello is also the command of "First App" \([^)]+\), installed in this workspace before this app/);
      assert.match(second.output(), note);
      // a scaffold subscribes to no events: nothing said about channels
      assert.doesNotMatch(second.output(), /reach this app only from channels/);
    } finally {
      await second.stop();
    }
    const first = byToken.live(['dev', '--no-deliveries', '--no-watch'], join(dir.path, 'first-app'));
    try {
      await first.waitFor(/Ready\./, 30_000);
      assert.doesNotMatch(first.output(), /is also the command of/);
      assert.match(first.output(), note);
    } finally {
      await first.stop();
    }
  });

  test('dev killed outright (no chance to stop its app): the app stops too, rather than running on unwatched', async () => {
    const first = cli.live(['dev', '--no-deliveries', '--no-watch'], join(dir.path, 'first-app'));
    let appPid = 0;
    try {
      appPid = Number((await first.waitFor(/▶ running index\.js \(pid (\d+)\)/, 30_000))[1]);
      await first.waitFor(/\[app\] .*socket mode/, 30_000);
      first.proc.kill('SIGKILL');
      const alive = () => {
        try {
          process.kill(appPid, 0);
          return true;
        } catch {
          return false;
        }
      };
      for (const end = Date.now() + 10_000; alive() && Date.now() < end; ) await new Promise((r) => setTimeout(r, 50));
      assert.equal(alive(), false, `the app (pid ${appPid}) still runs after its dev process was killed`);
    } finally {
      await first.stop();
      if (appPid) {
        try {
          process.kill(appPid, 'SIGKILL');
        } catch {
          // gone, as it should be
        }
      }
    }
  });
});
