/**
 * The examples of issue 17, each run against a real server the way a developer runs them: a copy of
 * examples/<name> with the SDK linked, `switchboard dev` registering, installing and running it in
 * socket mode, and a person using it over the API while their realtime socket watches.
 *
 * * hello — /hello answers "Hello, <name>!" with a button, and the button is answered too (the
 *   five-minute path's app: `switchboard init` writes the same files).
 * * poll — /poll opens the modal; too few options keep it open with the error; a good submit posts
 *   the poll with vote buttons; votes edit the message (and a second click takes the vote back).
 * * rss — /rss publishes the Home (every feed); the dynamic menu filters feeds by the query; a pick
 *   shows that feed's items on the Home.
 * * alerts-webhook — an incoming integration created through the Rocket.Chat API with the example's
 *   script; a real Alertmanager payload posted to its URL becomes a message with an attachment per
 *   alert; a payload that is not Alertmanager's is refused and posts nothing.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OWNER, http } from '../support/helpers.js';
import { EXAMPLES, copyExample, loggedInCli } from './cli-harness.js';

const harnessed = loggedInCli('sb-examples-');
const { dir, cli } = harnessed;

/** `switchboard dev` on a copy of the example, until the app is connected. */
async function runExample(name: string) {
  const app = copyExample(name, dir.path);
  const dev = cli.live(['dev', '--no-deliveries', '--no-watch'], app);
  await dev.waitFor(/\[app\] .*socket mode/, 30_000);
  const appId = JSON.parse(readFileSync(join(app, '.switchboard/app.json'), 'utf8')).id as string;
  return { dev, appId };
}

const say = (text: string) => harnessed.server.owner.post(`/v1/channels/${harnessed.server.generalId}/messages`, { text });
const input = (values: Record<string, string>) => ({ values: Object.fromEntries(Object.entries(values).map(([k, v]) => [k, { [k]: { type: 'plain_text_input', value: v } }])) });

describe('examples', () => {
  test('hello: /hello answered with the person\'s name and a button; clicking it is answered, to that person only', async () => {
    const { dev } = await runExample('hello');
    try {
      const name = (await harnessed.server.owner.get(`/v1/workspaceUsers/${harnessed.server.ownerId}`)).body.name as string;
      assert.equal((await say('/hello')).status, 200);
      const hello = (await harnessed.person.next((f) => f.type === 'message.created' && f.message.text === `Hello, ${name}!`, 10_000)).message;
      const button = hello.blocks.at(-1).elements[0];
      assert.equal(button.type, 'button');
      const clicked = await harnessed.server.owner.post('/v1/blockInteractions', { sourceType: 'MESSAGE', sourceId: hello.id, channelId: harnessed.server.generalId, onAction: button.onAction });
      assert.equal(clicked.status, 200, clicked.text);
      // The app acks with a message: the person alone sees it, as an ephemeral message.
      await harnessed.person.next((f) => f.type === 'message.ephemeral' && f.message.text === `👋 You waved at ${name}.`, 10_000);
    } finally {
      await dev.stop();
    }
  });

  test('poll: a modal, a validation error, the poll with buttons, votes that edit it', async () => {
    const { dev } = await runExample('poll');
    try {
      assert.equal((await say('/poll Lunch?')).status, 200);
      const opened = (await harnessed.person.next((f) => f.type === 'view.opened' && f.view.callbackId === 'poll_create', 10_000)).view;
      assert.equal(opened.blocks[0].element.initial_value, 'Lunch?', 'the question comes from the command');

      const tooFew = await harnessed.server.owner.post(`/v1/views/${opened.id}/submit`, { state: input({ question: 'Lunch?', options: 'Pizza' }) });
      assert.equal(tooFew.status, 200, tooFew.text);
      const refused = await harnessed.person.next((f) => f.type === 'view.updated' && f.view.id === opened.id, 10_000);
      assert.match(refused.view.blocks[1].validationError, /2 to 10 different options/);

      const ok = await harnessed.server.owner.post(`/v1/views/${opened.id}/submit`, { state: input({ question: 'Lunch?', options: 'Pizza\nSushi\n\nTacos\nSushi' }) });
      assert.equal(ok.status, 200, ok.text);
      const posted = (await harnessed.person.next((f) => f.type === 'message.created' && f.message.text.startsWith('📊 Lunch?'), 10_000)).message;
      const buttons = posted.blocks.at(-1).elements;
      assert.deepEqual(buttons.map((b: any) => b.text.text), ['Pizza (0)', 'Sushi (0)', 'Tacos (0)']);

      const vote = (value: string) =>
        harnessed.server.owner.post('/v1/blockInteractions', { sourceType: 'MESSAGE', sourceId: posted.id, channelId: harnessed.server.generalId, onAction: `poll_vote_${value}` });
      const edited = (match: RegExp) => harnessed.person.next((f) => f.type === 'message.updated' && f.message.id === posted.id && match.test(f.message.text), 10_000);
      assert.equal((await vote('1')).status, 200);
      const first = (await edited(/Sushi — 1 vote \(100%\)/)).message;
      assert.deepEqual(first.blocks.at(-1).elements.map((b: any) => b.text.text), ['Pizza (0)', 'Sushi (1)', 'Tacos (0)']);
      assert.equal((await vote('0')).status, 200, 'another option moves the vote');
      await edited(/Pizza — 1 vote \(100%\)\nSushi — 0 votes/);
      assert.equal((await vote('0')).status, 200, 'the same option takes it back');
      await edited(/Pizza — 0 votes\nSushi — 0 votes\nTacos — 0 votes$/);
    } finally {
      await dev.stop();
    }
  });

  test('rss: /rss publishes the Home; the dynamic menu filters feeds; a pick shows its items', async () => {
    const { dev, appId } = await runExample('rss');
    try {
      assert.equal((await say('/rss')).status, 200);
      await harnessed.person.next((f) => f.type === 'message.ephemeral' && /Your feeds are on the Home/.test(f.message.text), 10_000);
      let home = (await harnessed.server.owner.get(`/v1/apps/${appId}/homeView`)).body;
      for (let i = 0; i < 50 && !JSON.stringify(home ?? {}).includes('Node.js Blog'); i++) {
        await new Promise((r) => setTimeout(r, 100));
        home = (await harnessed.server.owner.get(`/v1/apps/${appId}/homeView`)).body;
      }
      const shown = JSON.stringify(home.blocks);
      for (const feed of ['Node.js Blog', 'PostgreSQL News', 'Rust Blog']) assert.ok(shown.includes(feed), feed);

      const menu = await harnessed.server.owner.post('/v1/dynamicMenus/options', { sourceType: 'VIEW', sourceId: home.id, onAction: 'rss_pick', query: 'post' });
      assert.equal(menu.status, 200, menu.text);
      assert.deepEqual(menu.body.options, [{ text: { type: 'plain_text', text: 'PostgreSQL News' }, value: 'postgres' }]);

      const pick = await harnessed.server.owner.post('/v1/blockInteractions', { sourceType: 'VIEW', sourceId: home.id, onAction: 'rss_pick', payload: { value: 'postgres' } });
      assert.equal(pick.status, 200, pick.text);
      const updated = await harnessed.person.next((f) => f.type === 'view.updated' && f.view.id === home.id && JSON.stringify(f.view.blocks).includes('PostgreSQL 17 released'), 10_000);
      assert.ok(updated.view.blocks.some((b: any) => b.type === 'rich_text' && JSON.stringify(b).includes('https://www.postgresql.org/about/news/postgresql-17-released-2936/')));
    } finally {
      await dev.stop();
    }
  });

  test('alerts-webhook: the script turns a real Alertmanager payload into a message with attachments', async () => {
    const rcLogin = await http(harnessed.server.url, 'POST', '/api/v1/login', { body: { user: OWNER.email, password: OWNER.password } });
    assert.equal(rcLogin.status, 200, rcLogin.text);
    const auth = { 'x-auth-token': rcLogin.body.data.authToken, 'x-user-id': rcLogin.body.data.userId };
    const script = readFileSync(join(EXAMPLES, 'alerts-webhook/script.js'), 'utf8');
    const created = await http(harnessed.server.url, 'POST', '/api/v1/integrations.create', {
      headers: auth,
      body: { type: 'webhook-incoming', name: 'alertmanager', channel: '#GENERAL', username: rcLogin.body.data.me.username, scriptEnabled: true, script, enabled: true },
    });
    assert.equal(created.status, 200, created.text);
    const hook = created.body.integration;
    assert.equal(hook.scriptError, undefined, JSON.stringify(hook.scriptError));

    const payload = readFileSync(join(EXAMPLES, 'alerts-webhook/alertmanager-payload.json'), 'utf8');
    const posted = await http(harnessed.server.url, 'POST', `/hooks/${hook._id}/${hook.token}`, { raw: payload, headers: { 'content-type': 'application/json', 'user-agent': 'Alertmanager/0.27.0' } });
    assert.equal(posted.status, 200, posted.text);
    const msg = (await harnessed.person.next((f) => f.type === 'message.created' && /\[FIRING:2\]/.test(f.message.text), 10_000)).message;
    assert.match(msg.text, /^🔥 \*\*\[FIRING:2\]\*\* HighRequestLatency\nAPI p99 latency above 500 ms\n\[Open Alertmanager\]\(http:\/\/alertmanager\.example\.com:9093\)$/);
    assert.equal(msg.attachments.length, 2);
    const [a1] = msg.attachments;
    assert.equal(a1.color, '#a30200', 'critical is red');
    assert.equal(a1.title, 'HighRequestLatency on api-1:8080');
    assert.match(a1.title_link, /^http:\/\/prometheus\.example\.com:9090\/graph\?g0\.expr=/);
    assert.match(a1.text, /812 ms/);
    assert.deepEqual(a1.fields.map((f: any) => f.title), ['Severity', 'Instance', 'Job', 'Since']);
    assert.equal(a1.fields[3].value, '2024-11-28 09:14 UTC');

    // Resolved: green, and says so.
    const resolved = JSON.parse(payload);
    resolved.status = 'resolved';
    for (const a of resolved.alerts) Object.assign(a, { status: 'resolved', endsAt: '2024-11-28T09:40:00Z' });
    assert.equal((await http(harnessed.server.url, 'POST', `/hooks/${hook._id}/${hook.token}`, { body: resolved })).status, 200);
    const ok = (await harnessed.person.next((f) => f.type === 'message.created' && /RESOLVED:2/.test(f.message.text), 10_000)).message;
    assert.equal(ok.attachments[0].color, '#2eb886');
    assert.equal(ok.attachments[0].fields.at(-1).title, 'Resolved');

    // Not Alertmanager's: refused, nothing posted.
    const wrong = await http(harnessed.server.url, 'POST', `/hooks/${hook._id}/${hook.token}`, { body: { text: 'hi' } });
    assert.equal(wrong.status, 400);
    assert.match(wrong.body.error, /no "alerts" array/);
  });
});
