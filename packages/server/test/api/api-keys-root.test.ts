/**
 * The API addon's root forms (docs/api-keys.md §5.1): the operations at the server root for
 * requests that carry a key header (clients that build URLs with `new URL('/op', base)`), the
 * dedicated host name that serves the addon at `/`, CORS preflights there; and the shapes typed
 * clients need (§5.2 SELF channel and DM names, §5.3 clearing a custom status, §6 brackets).
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { loadConfig } from '../../src/config.js';
import { createUser, http, startTestServer, type Client, type Reply, type TestServer } from '../support/helpers.js';

const API_HOST = 'api.switchboard.test';
let s: TestServer;
let alice: Client;
let bob: Client;
let aliceKey: string;
let appId: string;

/** A call at the server root, as a client that dropped the base path sends it. */
function root(method: string, path: string, body?: unknown, headers: Record<string, string> = { ApiKey: aliceKey }) {
  return http(s.url, method, path, { headers, ...(body !== undefined && { body }) });
}

/** fetch cannot set Host: node:http can. */
function viaHost(host: string, method: string, path: string, opts: { headers?: Record<string, string>; body?: unknown } = {}): Promise<Reply> {
  const url = new URL(path, s.url);
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method,
        path: url.pathname + url.search,
        headers: { host, ...opts.headers, ...(payload !== undefined && { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) }) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => {
          let body: unknown = text;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            /* not JSON */
          }
          const headers = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers.set(k, v);
          resolve({ status: res.statusCode ?? 0, headers, body, text });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

function refused(r: Reply, code: number, message?: string) {
  assert.equal(r.status, 403, r.text);
  assert.equal(r.body.code, code, r.text);
  assert.equal(r.body.error, r.body.message);
  if (message !== undefined) assert.equal(r.body.message, message);
}

before(async () => {
  s = await startTestServer({ apiKeysHost: API_HOST });
  alice = await createUser(s.owner, 'MEMBER', 'Alice');
  bob = await createUser(s.owner, 'MEMBER', 'Bob');
  appId = (await s.owner.get('/v1/appDirectory')).body.find((a: any) => a.builtin).id;
  await s.owner.post(`/v1/appDirectory/${appId}/install`);
  await alice.post(`/v1/appDirectory/${appId}/install`);
  aliceKey = (await alice.post('/v1/apiKeys', { name: 'root' })).body.key;
});
after(() => s.close());

describe('operations at the server root', () => {
  test('a sample of the operations answers at /<operation> with ApiKey or Api-Key', async () => {
    const me = await root('GET', '/myInfo');
    assert.equal(me.status, 200, me.text);
    assert.equal(me.body.id, alice.userId);
    assert.equal(me.headers.get('access-control-allow-origin'), '*');
    assert.ok(me.headers.get('x-ratelimit-limit'), 'the same rate limit as under the base URL');
    const head = await root('HEAD', '/myInfo');
    assert.equal(head.status, 200);

    const sent = await root('POST', '/sendMessage', { channel: '#general', text: 'from the root' }, { 'Api-Key': aliceKey });
    assert.equal(sent.status, 200, sent.text);
    assert.equal(sent.body.channelId, s.generalId);
    const fetched = await root('GET', `/fetchMessage?messageId=${sent.body.id}&channelId=${s.generalId}`);
    assert.equal(fetched.body.text, 'from the root');
    const reacted = await root('POST', '/addReaction', { messageId: sent.body.id, reaction: ':tada:' });
    assert.deepEqual(reacted.body, { status: 'ok' });
    const unreacted = await root('DELETE', `/removeReaction?messageId=${sent.body.id}&reaction=:tada:`);
    assert.deepEqual(unreacted.body, { status: 'ok' });
    const channel = await root('GET', '/getChannel?channel=general');
    assert.equal(channel.body.channel.id, s.generalId);
    const users = await root('GET', '/listUsers');
    assert.ok(users.body.some((u: any) => u.id === bob.userId));
    const deleted = await root('DELETE', `/deleteMessage?messageId=${sent.body.id}&channelId=${s.generalId}`);
    assert.equal(deleted.status, 200, deleted.text);
    assert.equal(deleted.text, '');
  });

  test('the addon\'s errors and authentication hold at the root too', async () => {
    refused(await root('GET', '/myInfo', undefined, { ApiKey: 'sbk_' + 'A'.repeat(43) }), 401000, 'Invalid or missing API key');
    refused(await root('POST', '/sendMessage', { channelId: s.generalId }), 400000, '[must not be null]');
  });

  test('without a key header the root paths are unknown routes: the server\'s own 404', async () => {
    const unknown = await http(s.url, 'GET', '/noSuchRoute');
    for (const [method, path] of [['GET', '/myInfo'], ['POST', '/sendMessage'], ['GET', '/listChannels'], ['DELETE', '/deleteMessage']] as const) {
      const r = await http(s.url, method, path, method === 'POST' ? { body: {} } : {});
      assert.equal(r.status, 404, `${method} ${path}: ${r.text}`);
      assert.deepEqual(Object.keys(r.body).sort(), Object.keys(unknown.body).sort(), 'the normal error body');
      assert.deepEqual(r.body, { code: 404000, message: `Route ${method} ${path} not found`, localizedMessage: `Route ${method} ${path} not found` });
      assert.equal(r.headers.get('access-control-allow-origin'), null);
    }
    // Other routes do not change for a request with a key header.
    assert.equal((await http(s.url, 'GET', '/healthz', { headers: { ApiKey: aliceKey } })).status, 200);
    assert.equal((await http(s.url, 'GET', '/noSuchRoute', { headers: { ApiKey: aliceKey } })).status, 404);
  });

  test('a client that joins the operation with new URL("/op", base) works', async () => {
    const base = `${s.url}/addon/api-keys/`;
    const list = new URL('/listChannels', base);
    assert.equal(list.pathname, '/listChannels', 'the base path is gone');
    const r = await fetch(list, { headers: { 'Api-Key': aliceKey } });
    assert.equal(r.status, 200);
    assert.ok(Array.isArray(await r.json()));
    const send = await fetch(new URL('/sendMessage', base), {
      method: 'POST',
      headers: { 'Api-Key': aliceKey, 'content-type': 'application/json' },
      body: JSON.stringify({ channel: 'general', text: 'joined with new URL' }),
    });
    assert.equal(send.status, 200);
    const { id } = (await send.json()) as { id: string };
    assert.equal((await s.owner.get(`/v1/channels/${s.generalId}/messages/${id}`)).body.text, 'joined with new URL');
  });

  test('CORS preflights at the root (they carry no key header)', async () => {
    for (const path of ['/sendMessage', '/listChannels', '/deleteMessage']) {
      const pre = await fetch(`${s.url}${path}`, {
        method: 'OPTIONS',
        headers: { origin: 'https://tool.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'apikey,content-type' },
      });
      assert.equal(pre.status, 204, path);
      assert.equal(pre.headers.get('access-control-allow-origin'), '*');
      assert.match(pre.headers.get('access-control-allow-headers')!, /ApiKey/);
      assert.match(pre.headers.get('access-control-allow-methods')!, /POST/);
    }
    const other = await fetch(`${s.url}/noSuchRoute`, { method: 'OPTIONS', headers: { origin: 'https://tool.example', 'access-control-request-method': 'POST' } });
    assert.equal(other.status, 404, 'only the operations answer preflights');
  });

  test('the root copies stay out of /openapi.json; the addon documents itself', async () => {
    const doc = await http(s.url, 'GET', '/openapi.json');
    assert.equal(doc.status, 200);
    const paths = Object.keys(doc.body.paths);
    for (const op of ['/sendMessage', '/myInfo', '/listChannels']) assert.ok(!paths.includes(op), op);
    assert.deepEqual(paths.filter((p) => p.startsWith('/addon/')), [], 'nor the prefixed ones: the addon has its own document');
    const addon = await http(s.url, 'GET', '/addon/api-keys/api-docs/openapi.json');
    assert.equal(Object.keys(addon.body.paths).length, 26);
    assert.deepEqual(addon.body.servers, [{ url: '/addon/api-keys' }]);
  });
});

describe('the dedicated host (API_KEYS_HOST)', () => {
  test('serves the operations at /, with or without a port, in any case', async () => {
    for (const host of [API_HOST, `${API_HOST}:443`, 'API.Switchboard.Test']) {
      const me = await viaHost(host, 'GET', '/myInfo', { headers: { ApiKey: aliceKey } });
      assert.equal(me.status, 200, `${host}: ${me.text}`);
      assert.equal(me.body.id, alice.userId);
    }
    const sent = await viaHost(API_HOST, 'POST', '/sendMessage', { headers: { 'Api-Key': aliceKey }, body: { channel: 'general', text: 'via the API host' } });
    assert.equal(sent.status, 200, sent.text);
    assert.equal((await s.owner.get(`/v1/channels/${s.generalId}/messages/${sent.body.id}`)).body.text, 'via the API host');
  });

  test('the same authentication: no key there is the addon\'s refusal, not a 404', async () => {
    refused(await viaHost(API_HOST, 'GET', '/myInfo'), 401000, 'Invalid or missing API key');
    refused(await viaHost(API_HOST, 'GET', '/listChannels', { headers: { ApiKey: 'sbk_nope' } }), 401000);
    // Another host name without a key: the root paths are unknown there.
    assert.equal((await viaHost('other.switchboard.test', 'GET', '/myInfo')).status, 404);
  });

  test('its documentation at /api-docs/, pointing at /; the rest of the server still answers', async () => {
    const doc = await viaHost(API_HOST, 'GET', '/api-docs/openapi.json');
    assert.equal(doc.status, 200, doc.text);
    assert.deepEqual(doc.body.servers, [{ url: '/' }]);
    assert.equal(Object.keys(doc.body.paths).length, 26);
    assert.ok(doc.body.paths['/sendMessage'].post);
    const page = await viaHost(API_HOST, 'GET', '/api-docs/');
    assert.equal(page.status, 200);
    assert.match(page.text, /src="\/api-docs\/init\.js"/);
    const init = await viaHost(API_HOST, 'GET', '/api-docs/init.js');
    assert.match(init.text, /url: '\/api-docs\/openapi\.json'/);
    const home = await viaHost(API_HOST, 'GET', '/');
    assert.equal(home.status, 302);
    assert.equal(home.headers.get('location'), '/api-docs/');
    assert.equal((await viaHost(API_HOST, 'GET', '/healthz')).status, 200);
    const docs = await viaHost(API_HOST, 'GET', '/docs');
    assert.equal(docs.headers.get('location'), '/api-docs/');
    // Elsewhere, /api-docs/ is nothing and /docs is the server's own Swagger UI.
    assert.equal((await http(s.url, 'GET', '/api-docs/openapi.json')).status, 404);
    const ownDocs = await fetch(`${s.url}/docs`);
    assert.equal(ownDocs.status, 200);
    assert.doesNotMatch(await ownDocs.text(), /api-docs/);
  });

  test('preflights on the dedicated host', async () => {
    const pre = await viaHost(API_HOST, 'OPTIONS', '/customStatus', { headers: { origin: 'https://tool.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'apikey' } });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-origin'), '*');
  });

  test('the setting: a bare host name, lower-cased; anything else is a configuration error', () => {
    assert.equal(loadConfig({ API_KEYS_HOST: 'API.Example.com' }).apiKeysHost, 'api.example.com');
    assert.equal(loadConfig({}).apiKeysHost, undefined);
    for (const bad of ['https://api.example.com', 'api.example.com:8080', 'api.example.com/addon', 'api example']) {
      assert.throws(() => loadConfig({ API_KEYS_HOST: bad }), /API_KEYS_HOST must be a host name/, bad);
    }
  });
});

describe('shapes typed clients need', () => {
  test('listChannels holds the owner\'s SELF channel, once; every channel has a string name, DMs named after the others', async () => {
    const dm = await root('POST', '/dmUser', { userId: bob.userId, text: 'hi' });
    assert.equal(dm.status, 200, dm.text);
    const list = await root('GET', '/listChannels');
    assert.equal(list.status, 200, list.text);
    assert.ok(list.body.every((c: any) => typeof c.channel.name === 'string' && c.channel.name.length > 0), JSON.stringify(list.body.map((c: any) => c.channel.name)));
    const selves = list.body.filter((c: any) => c.channel.channelType === 'SELF');
    assert.equal(selves.length, 1);
    assert.deepEqual(selves[0].users, [alice.userId]);
    assert.equal(selves[0].channel.name, 'Alice');
    const direct = list.body.find((c: any) => c.channel.channelType === 'DIRECT' && c.channel.id === dm.body.channelId);
    assert.equal(direct.channel.name, 'Bob');
    assert.equal(list.body.find((c: any) => c.channel.id === s.generalId).channel.name, 'general');

    const again = await root('GET', '/listChannels');
    assert.deepEqual(again.body.filter((c: any) => c.channel.channelType === 'SELF').map((c: any) => c.channel.id), [selves[0].channel.id], 'not a second one');
    const note = await root('POST', '/sendMessage', { channelId: selves[0].channel.id, text: 'note to self' });
    assert.equal(note.status, 200, note.text);
    const one = await root('GET', `/getChannel?channelId=${dm.body.channelId}`);
    assert.equal(one.body.channel.name, 'Bob');
  });

  test('customStatus with an empty code and status clears the status', async () => {
    assert.equal((await root('POST', '/customStatus', { code: ':palm_tree:', status: 'Away', expiresAt: 0 })).status, 200);
    assert.equal((await root('GET', '/myInfo')).body.customStatus.code, ':palm_tree:');
    const cleared = await root('POST', '/customStatus', { code: '', status: '', expiresAt: 0 });
    assert.equal(cleared.status, 200, cleared.text);
    assert.equal(cleared.text, '');
    assert.equal((await root('GET', '/myInfo')).body.customStatus, undefined);
    assert.equal((await alice.get(`/v1/workspaceUsers/${alice.userId}`)).body.customStatus, undefined, 'gone for everyone');

    await root('POST', '/customStatus', { code: ':coffee:', expiresAt: 0 });
    assert.equal((await root('POST', '/customStatus', { code: '' })).status, 200, 'no expiresAt needed to clear');
    assert.equal((await root('GET', '/myInfo')).body.customStatus, undefined);
    refused(await root('POST', '/customStatus', { code: '', status: 'text without an emoji', expiresAt: 0 }), 400000);
    refused(await root('POST', '/customStatus', { code: 'coffee', expiresAt: 0 }), 400000, '[code: must be an emoji code with colons, such as :palm_tree:, or empty to clear the status]');
  });

  test('validation messages are bracketed everywhere, the core\'s included', async () => {
    const past = await root('POST', '/createScheduledMessage', { channelId: s.generalId, text: 'too late', sendAt: Date.now() - 60_000 });
    refused(past, 400000, '[sendAt: must be in the future]');
    assert.equal(past.body.localizedMessage, '[sendAt: must be in the future]');
    refused(await root('POST', '/customStatus', { code: ':x:', expiresAt: Date.now() - 1000 }), 400000, '[expiresAt: must be in the future, or 0 for never]');
    const viaBase = await http(s.url, 'POST', '/addon/api-keys/createScheduledMessage', { headers: { ApiKey: aliceKey }, body: { channelId: s.generalId, text: 'x', sendAt: 1 } });
    refused(viaBase, 400000, '[sendAt: must be in the future]');
  });
});
