/**
 * What `switchboard dev` and `switchboard init` tell a developer, from a user trial:
 *
 * * the scaffold's slash command hint is the text that comes after the command (`[name]`), not
 *   the command again (`/hello`, which the web client showed as "/hello /hello"), and /hello takes
 *   that name;
 * * the hint that a bot hears channel events only from channels it is a member of is said once a
 *   dev session: a changed manifest.json is registered again, and the hint is not repeated (it
 *   comes from the manifest alone, which cannot tell whether the bot was added to a channel since).
 *
 * The CLI as a subprocess against a real server, from sources (cli-harness.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loggedInCli } from './cli-harness.js';

const harnessed = loggedInCli('sb-cli-hints-');
const { dir, cli } = harnessed;
const app = join(dir.path, 'hint-app');
const HINT = /reach this app only from channels its bot is a member of/;
const hints = (output: string) => output.split('reach this app only from channels its bot is a member of').length - 1;

test('init: the scaffold\'s usageHint is the argument ([name]), not the command again', async () => {
  const init = await cli.run(['init', app, '--display-name', 'Hint App']);
  assert.equal(init.code, 0, init.stderr);
  const manifest = JSON.parse(readFileSync(join(app, 'manifest.json'), 'utf8'));
  assert.deepEqual(manifest.slashCommands, [{ command: '/hello', description: 'Say hello', usageHint: '[name]' }]);
  assert.match((await cli.run(['init', '--help'])).stdout, /scaffold a \/hello \[name\] app/);
});

test('dev: the channel-membership hint is said once a session, not again when a changed manifest is registered; /hello Ada greets Ada', async () => {
  // The bot alone reads messages: NEW_MESSAGE reaches it only from channels it is in.
  const file = join(app, 'manifest.json');
  const manifest = JSON.parse(readFileSync(file, 'utf8'));
  manifest.scopes.botScopes.push('messages:read');
  manifest.eventSubscriptions = { events: ['NEW_MESSAGE'] };
  writeFileSync(file, JSON.stringify(manifest, null, 2));

  const dev = cli.live(['dev', '--no-deliveries'], app);
  try {
    await dev.waitFor(/Ready\./, 30_000);
    await dev.waitFor(/\[app\] .*socket mode/, 30_000);
    assert.equal(hints(dev.output()), 1, dev.output());
    assert.match(dev.output(), /· NEW_MESSAGE reach this app only from channels its bot is a member of/);

    // The argument the hint names is taken.
    assert.equal((await harnessed.server.owner.post(`/v1/channels/${harnessed.server.generalId}/messages`, { text: '/hello Ada' })).status, 200);
    await harnessed.person.next((f) => f.type === 'message.created' && f.message.text === 'Hello, Ada!', 15_000);

    // A changed manifest: registered and installed again, the app restarted — and no hint again.
    const mark = dev.output().length;
    manifest.slashCommands[0].description = 'Say hello to someone';
    writeFileSync(file, JSON.stringify(manifest, null, 2));
    await dev.waitFor(/manifest\.json changed: restarting/, 15_000, mark);
    await dev.waitFor(/✓ installed in workspace/, 30_000, mark);
    await dev.waitFor(/\[app\] .*socket mode/, 30_000, mark);
    assert.doesNotMatch(dev.output().slice(mark), HINT);
    assert.equal(hints(dev.output()), 1, dev.output());
  } finally {
    await dev.stop();
  }
});
