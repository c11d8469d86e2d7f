/**
 * A first local bot does not fail silently: URLs the outbound policy (docs/delivery.md §9) will refuse
 * are saved with a warning naming the setting that would allow them, logged once, and explained to
 * the person whose command could not reach the app — while the policy itself stays closed.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Listener, createUser, http, login, OWNER, startTestServer, tempDir, type Client, type TestServer } from '../support/helpers.js';
import { rcLogin, type RcClient } from '../support/rocketchat-client.js';
import { ReceivingApp } from '../support/app-receiver.js';
import { spawnServer } from '../support/process.js';
import { explainRefusal, outboundPolicy } from '../../src/domain/outbound-policy.js';
import { foreseeRefusal, outboundWarnings } from '../../src/domain/outbound-urls.js';

const EXAMPLE = JSON.parse(readFileSync(new URL('../support/fixtures/example-manifest.json', import.meta.url), 'utf8'));
const LOOPBACK = 'SWITCHBOARD_OUTBOUND_ALLOW_LOOPBACK';
const PRIVATE = 'SWITCHBOARD_OUTBOUND_ALLOW_PRIVATE_NETWORKS';

/** The example manifest with a fresh name and the given slash command and event URLs. */
function manifest(name: string, urls: { slash?: string; events?: string } = {}) {
  return {
    ...EXAMPLE,
    name,
    slashCommands: [{ ...EXAMPLE.slashCommands[0], url: urls.slash ?? 'https://myapp.com/slash' }],
    eventSubscriptions: { ...EXAMPLE.eventSubscriptions, url: urls.events ?? 'https://myapp.com/events' },
  };
}

async function developer(s: { url: string; workspaceId: string; ownerId: string; owner: Client }) {
  const token = (await s.owner.post('/auth/developer-token')).body.token as string;
  const base = `/workspaces/${s.workspaceId}/workspaceUsers/${s.ownerId}/apps`;
  return {
    create: (body: unknown) => http(s.url, 'POST', base, { body, headers: { authtoken: token } }),
    update: (id: string, body: unknown) => http(s.url, 'PUT', `${base}/${id}`, { body, headers: { authtoken: token } }),
    grant: (clientId: string) =>
      http(s.url, 'GET', `/workspaces/${s.workspaceId}/workspaceUsers/${s.ownerId}/oauth2/grant?${new URLSearchParams({ clientId, scopes: 'bot:messages:write' })}`, {
        headers: { authtoken: token },
      }),
  };
}

describe('the rules', () => {
  test('refusals are foreseen from literal addresses, localhost, denied names and http under require-https; other names wait for connect time', () => {
    const closed = outboundPolicy();
    const reason = (url: string, policy = closed) => foreseeRefusal(url, policy)?.reason ?? 'none';
    assert.equal(reason('http://127.0.0.1:4000/slash'), 'loopback');
    assert.equal(reason('http://[::1]:4000/'), 'loopback');
    assert.equal(reason('http://[::ffff:127.0.0.1]/'), 'loopback');
    assert.equal(reason('http://localhost:4000/'), 'loopback');
    assert.equal(reason('http://bot.localhost/'), 'loopback');
    assert.equal(reason('http://192.168.1.20/'), 'private-network');
    assert.equal(reason('http://[fd12::1]/'), 'private-network');
    assert.equal(reason('http://intranet.example/'), 'none', 'names are resolved at connect time only');
    assert.equal(reason('https://8.8.8.8/'), 'none');
    assert.equal(reason('http://169.254.169.254/'), 'none', 'always-blocked literals are refused at save time, not warned about');
    assert.equal(reason('not a url'), 'none');
    assert.equal(reason('http://localhost/', outboundPolicy({ allowedHosts: ['localhost'] })), 'none');
    assert.equal(reason('http://localhost/', outboundPolicy({ allowedHosts: ['::1'] })), 'none', 'localhost may resolve to ::1');
    assert.equal(reason('http://10.1.2.3/', outboundPolicy({ allowedHosts: ['10.1.0.0/16'] })), 'none');
    assert.equal(reason('http://127.0.0.1/', outboundPolicy({ allowLoopback: true })), 'none');
    assert.equal(reason('https://bad.example/', outboundPolicy({ deniedHosts: ['bad.example'] })), 'denied-host');
    assert.equal(reason('http://example.com/', outboundPolicy({ requireHttps: true })), 'https-required');
  });

  test('each refusal names the setting that would allow it, and no setting for what none allows', () => {
    assert.deepEqual(outboundWarnings([['urls[0]', 'http://127.0.0.1:4000/x'], ['urls[1]', ''], ['urls[2]', 'http://10.0.0.7/']], outboundPolicy()), [
      {
        field: 'urls[0]',
        url: 'http://127.0.0.1:4000/x',
        reason: 'loopback',
        message: `127.0.0.1 is a loopback address, which this server does not call; set ${LOOPBACK}=true (or add 127.0.0.1 to SWITCHBOARD_OUTBOUND_ALLOWED_HOSTS) to allow it`,
        setting: LOOPBACK,
      },
      {
        field: 'urls[2]',
        url: 'http://10.0.0.7/',
        reason: 'private-network',
        message: `10.0.0.7 is a private-network address, which this server does not call; set ${PRIVATE}=true (or add 10.0.0.7 to SWITCHBOARD_OUTBOUND_ALLOWED_HOSTS) to allow it`,
        setting: PRIVATE,
      },
    ]);
    assert.equal(explainRefusal('denied-host', 'bad.example').setting, 'SWITCHBOARD_OUTBOUND_DENIED_HOSTS');
    assert.equal(explainRefusal('https-required', 'x.example').setting, 'SWITCHBOARD_OUTBOUND_REQUIRE_HTTPS');
    const never = explainRefusal('always-blocked', 'meta.example', { resolved: true });
    assert.equal(never.setting, undefined);
    assert.equal(never.remedy, undefined);
    assert.match(explainRefusal('private-network', 'bot.internal', { resolved: true }).problem, /^bot\.internal resolves to a private-network address/);
  });
});

describe('a server that calls neither loopback nor private networks', () => {
  let s: TestServer;
  let dev: Awaited<ReturnType<typeof developer>>;
  before(async () => {
    s = await startTestServer({ env: { [LOOPBACK]: 'false' } });
    dev = await developer(s);
  });
  after(() => s.close());

  test('an app is saved with a warning per refused URL, naming the setting', async () => {
    const created = await dev.create(manifest('local_bot', { slash: 'http://127.0.0.1:4000/slash', events: 'http://10.1.2.3/events' }));
    assert.equal(created.status, 200, created.text);
    assert.ok(created.body.id && created.body.signingSecret, 'created as usual');
    assert.deepEqual(
      created.body.warnings.map((w: any) => [w.field, w.url, w.reason, w.setting]),
      [
        ['slashCommands[0].url', 'http://127.0.0.1:4000/slash', 'loopback', LOOPBACK],
        ['eventSubscriptions.url', 'http://10.1.2.3/events', 'private-network', PRIVATE],
      ],
    );
    assert.match(created.body.warnings[0].message, new RegExp(`127\\.0\\.0\\.1 is a loopback address.*set ${LOOPBACK}=true`));
    assert.match(created.body.warnings[1].message, new RegExp(`set ${PRIVATE}=true`));

    const updated = await dev.update(created.body.id, manifest('local_bot', { slash: 'http://localhost:4000/slash' }));
    assert.equal(updated.status, 200, updated.text);
    assert.deepEqual(updated.body.warnings.map((w: any) => [w.field, w.setting]), [['slashCommands[0].url', LOOPBACK]]);

    const fine = await dev.update(created.body.id, manifest('local_bot'));
    assert.equal(fine.status, 200, fine.text);
    assert.equal('warnings' in fine.body, false, 'no warnings field when every URL will be called');
  });

  test('addresses no setting allows are still refused at save time', async () => {
    const r = await dev.create(manifest('metadata_bot', { slash: 'http://169.254.169.254/latest/meta-data/' }));
    assert.equal(r.status, 400, r.text);
    assert.match(r.body.message, /slashCommands\[0\]\.url/);
  });

  test('an outgoing webhook integration is saved with a warning too, on create and on update', async () => {
    const rc: RcClient = await rcLogin(s.url, OWNER.email, OWNER.password);
    const username = (await rc.get('me')).body.username;
    const body = { type: 'webhook-outgoing', name: 'Local', enabled: true, scriptEnabled: false, channel: '#general', event: 'sendMessage', username };
    const created = await rc.post('integrations.create', { ...body, urls: ['https://example.com/hook', 'http://[::1]:9000/hook'] });
    assert.equal(created.status, 200, created.text);
    assert.equal(created.body.success, true);
    assert.deepEqual(
      created.body.warnings.map((w: any) => [w.field, w.url, w.reason, w.setting]),
      [['urls[1]', 'http://[::1]:9000/hook', 'loopback', LOOPBACK]],
    );
    // Rocket.Chat's outgoing update takes the integration's token back (docs/integrations.md §6.2).
    const { _id: integrationId, token } = created.body.integration;
    const updated = await rc.put('integrations.update', { ...body, integrationId, token, urls: ['http://172.20.0.5/hook'] });
    assert.equal(updated.status, 200, updated.text);
    assert.deepEqual(updated.body.warnings.map((w: any) => [w.field, w.setting]), [['urls[0]', PRIVATE]]);
    const clean = await rc.put('integrations.update', { ...body, integrationId, token, urls: ['https://example.com/hook'] });
    assert.equal(clean.status, 200, clean.text);
    assert.equal('warnings' in clean.body, false);
    const incoming = await rc.post('integrations.create', { type: 'webhook-incoming', name: 'In', enabled: true, scriptEnabled: false, channel: '#general', username });
    assert.equal(incoming.status, 200, incoming.text);
    assert.equal('warnings' in incoming.body, false, 'incoming webhooks call nothing');
  });

  test('a slash command to a loopback app: the person who ran it is told why and which setting would allow it', async () => {
    const receiver = new ReceivingApp();
    await receiver.start();
    try {
      const created = await dev.create({ ...manifest('napping_bot'), slashCommands: [{ command: '/nap', url: `${receiver.url}/slash` }] });
      assert.equal(created.status, 200, created.text);
      assert.equal((await dev.grant(created.body.id)).status, 200);
      const alice = await createUser(s.owner, 'MEMBER', 'Alice');
      const aliceSees = await Listener.connect(s.wsUrl, alice.token);
      const ownerSees = await Listener.connect(s.wsUrl, s.owner.token);

      const r = await alice.post(`/v1/channels/${s.generalId}/messages`, { text: '/nap now' });
      assert.equal(r.status, 200, r.text);
      const frame = await aliceSees.next((f) => f.type === 'message.ephemeral' && /could not be reached/.test(f.message.text));
      const text: string = frame.message.text;
      assert.ok(text.startsWith(`${EXAMPLE.offlineMessage}\n\n`), `the app's own offline message comes first: ${text}`);
      assert.match(text, /\*\*My App\*\* could not be reached: 127\.0\.0\.1 is a loopback address, which this server does not call\./);
      assert.match(text, new RegExp(`An admin can set ${LOOPBACK}=true .*to allow it\\.$`));
      assert.equal(receiver.received.length, 0, 'the policy still refused the call');
      assert.deepEqual(await ownerSees.quiet((f) => f.type === 'message.ephemeral' && /could not be reached/.test(f.message.text)), [], 'nobody else sees it');
      aliceSees.close();
      ownerSees.close();
    } finally {
      await receiver.stop();
    }
  });
});

test('with the setting on, the same URLs save without warnings', async () => {
  const s = await startTestServer({ env: { [LOOPBACK]: 'true', [PRIVATE]: 'true' } });
  try {
    const created = await (await developer(s)).create(manifest('allowed_bot', { slash: 'http://127.0.0.1:4000/slash', events: 'http://10.1.2.3/events' }));
    assert.equal(created.status, 200, created.text);
    assert.equal('warnings' in created.body, false);
  } finally {
    await s.close();
  }
});

test('the server logs a refused URL once at warn, per app, URL and reason', async () => {
  const dir = tempDir();
  const sp = await spawnServer({ DATABASE_URL: `sqlite:${join(dir.path, 'd.db')}`, SWITCHBOARD_ADMIN_EMAIL: 'o@x.io', SWITCHBOARD_ADMIN_PASSWORD: 'password-123' });
  try {
    const owner = await login(sp.url, 'o@x.io', 'password-123');
    const dev = await developer({ url: sp.url, workspaceId: owner.workspaceId, ownerId: owner.userId, owner });
    const body = manifest('logged_bot', { slash: 'http://127.0.0.1:4000/slash' });
    const created = await dev.create(body);
    assert.equal(created.status, 200, created.text);
    assert.equal((await dev.update(created.body.id, body)).body.warnings.length, 1, 'warned on every save');
    assert.equal((await dev.update(created.body.id, body)).body.warnings.length, 1);
    await dev.update(created.body.id, manifest('logged_bot', { slash: 'http://127.0.0.2:4000/slash' }));

    const lines = async (expected: number) => {
      for (const deadline = Date.now() + 3000; ; await new Promise((r) => setTimeout(r, 50))) {
        const found = sp
          .output()
          .split('\n')
          .filter((l) => l.includes('outbound policy will refuse'))
          .map((l) => JSON.parse(l));
        if (found.length >= expected || Date.now() > deadline) return found;
      }
    };
    const logged = await lines(2);
    assert.deepEqual(
      logged.map((l) => [l.level, l.appId, l.url, l.reason, l.setting]),
      [
        [40, created.body.id, 'http://127.0.0.1:4000/slash', 'loopback', LOOPBACK],
        [40, created.body.id, 'http://127.0.0.2:4000/slash', 'loopback', LOOPBACK],
      ],
      'once for the first URL over three saves, once for the new one',
    );
    assert.match(logged[0].msg, new RegExp(`127\\.0\\.0\\.1 is a loopback address.*${LOOPBACK}=true`));
  } finally {
    await sp.stop();
    dir.remove();
  }
});
