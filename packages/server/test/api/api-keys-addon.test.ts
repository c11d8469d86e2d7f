/**
 * The API addon as a person meets it (docs/api-keys.md §2–§3, §7, §9): installing it from the
 * directory, keys from the API page and from `/api-keys` in three languages, the confirmation
 * buttons, revocation, the audit log and the rate limit.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Listener, createUser, http, startTestServer, type Client, type TestServer } from '../support/helpers.js';

let s: TestServer;
let alice: Client;
let bob: Client;
let apiAppId: string;

const KEY = /sbk_[A-Za-z0-9_-]{43}/;

/** A call of the addon's API with nothing but the documented header. */
export function callAddon(base: string, key: string, method: string, path: string, body?: unknown, header = 'ApiKey') {
  return http(base, method, `/addon/api-keys${path}`, { headers: { [header]: key }, ...(body !== undefined && { body }) });
}

/** Types a command and returns the addon bot's ephemeral answer. */
async function command(client: Client, text: string, channelId = s.generalId) {
  const l = await Listener.connect(s.wsUrl, client.token);
  try {
    const r = await client.post(`/v1/channels/${channelId}/messages`, { text });
    assert.equal(r.status, 200, r.text);
    return (await l.next((f) => f.type === 'message.ephemeral' && f.message.text !== text)).message;
  } finally {
    l.close();
  }
}

before(async () => {
  s = await startTestServer();
  alice = await createUser(s.owner, 'MEMBER', 'Alice');
  bob = await createUser(s.owner, 'MEMBER', 'Bob');
});
after(() => s.close());

describe('install', () => {
  test('the API app is in the directory, not installed; /api-keys says to install it first; members cannot install it', async () => {
    const dir = await alice.get('/v1/appDirectory');
    assert.equal(dir.status, 200, dir.text);
    const api = dir.body.find((a: any) => a.displayName === 'API');
    assert.ok(api, 'listed');
    apiAppId = api.id;
    assert.equal(api.installed, false);
    assert.equal(api.builtin, true);
    assert.deepEqual(api.slashCommands.map((c: any) => c.command), ['/api-keys']);

    const reply = await command(alice, '/api-keys generate early');
    assert.match(reply.text, /must be installed first/);
    assert.doesNotMatch(reply.text, KEY);

    const refused = await alice.post(`/v1/appDirectory/${apiAppId}/install`);
    assert.equal(refused.status, 403, refused.text);
    const noKey = await alice.post('/v1/apiKeys', { name: 'too soon' });
    assert.equal(noKey.status, 403, noKey.text);
  });

  test('an admin installs it: the Addon Bot appears, the directory says installed and authorized for the admin only', async () => {
    const r = await s.owner.post(`/v1/appDirectory/${apiAppId}/install`);
    assert.equal(r.status, 200, r.text);
    const users = (await s.owner.get('/v1/workspaceUsers')).body as any[];
    const bot = users.find((u) => u.name === 'API');
    assert.ok(bot && bot.isAddonBot, 'the addon bot, named API');
    const ownerView = (await s.owner.get('/v1/appDirectory')).body.find((a: any) => a.id === apiAppId);
    assert.equal(ownerView.installed, true);
    assert.equal(ownerView.authorized, true);
    assert.equal(ownerView.botUserId, bot.id);
    const aliceView = (await alice.get('/v1/appDirectory')).body.find((a: any) => a.id === apiAppId);
    assert.equal(aliceView.authorized, false);
    const reply = await command(alice, '/api-keys list');
    assert.match(reply.text, /Allow the API app first/, 'a member who has not allowed it is sent to allow it');
    // The link leads to the standard consent page, with a request it can grant.
    const link = reply.text.match(/\((http[^)]+)\)/)![1]!;
    const hop = await fetch(link.replace(/^http:\/\/localhost:\d+/, s.url), { redirect: 'manual' });
    assert.equal(hop.status, 302);
    const consentUrl = new URL(hop.headers.get('location')!, s.url);
    assert.equal(consentUrl.pathname, '/access-request');
    assert.equal(consentUrl.searchParams.get('clientId'), apiAppId);
    const aliceUser = (await s.sb.store.user(s.workspaceId, alice.userId))!;
    const details = await s.sb.core.installs.consent(aliceUser, {
      clientId: consentUrl.searchParams.get('clientId')!,
      scopes: consentUrl.searchParams.get('scopes')!,
      redirectUrl: consentUrl.searchParams.get('redirectUrl')!,
    });
    assert.ok(details.userScopes.includes('messages:write') && details.botScopes.includes('channels:list'));
    assert.equal(new URL(details.redirectUrl).pathname, '/addon/api-keys/authorized');
    const done = await http(s.url, 'GET', '/addon/api-keys/authorized', { headers: { 'accept-language': 'es' } });
    assert.match(done.text, /La app API está permitida/);
    // The app is not the owner's to edit: app management does not show it.
    const devToken = (await s.owner.post('/auth/developer-token')).body.token;
    const mine = await http(s.url, 'GET', `/workspaces/${s.workspaceId}/workspaceUsers/${s.ownerId}/apps`, { headers: { authtoken: devToken } });
    assert.ok(!JSON.stringify(mine.body).includes(apiAppId));
  });

  test('members allow it for themselves through the same step', async () => {
    for (const c of [alice, bob]) {
      const r = await c.post(`/v1/appDirectory/${apiAppId}/install`);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.body, { installed: true, authorized: true });
    }
  });
});

describe('keys from the API page', () => {
  test('POST /v1/apiKeys returns the key once and sends it ephemerally to its owner alone, in the DM with the bot', async () => {
    const la = await Listener.connect(s.wsUrl, alice.token);
    const lb = await Listener.connect(s.wsUrl, bob.token);
    const r = await alice.post('/v1/apiKeys', { name: 'ci pipeline' });
    assert.equal(r.status, 200, r.text);
    assert.match(r.body.key, new RegExp(`^${KEY.source}$`));
    assert.equal(r.body.name, 'ci pipeline');
    assert.equal(r.body.hint, `${r.body.key.slice(0, 8)}…${r.body.key.slice(-4)}`);
    const eph = await la.next((f) => f.type === 'message.ephemeral' && f.message.text.includes(r.body.key));
    assert.match(eph.message.text, /Only you can see this message/);
    const dm = (await alice.get('/v1/channels')).body.find((c: any) => c.channel.id === eph.message.channelId);
    assert.equal(dm.channel.channelType, 'DIRECT');
    await new Promise((res) => setTimeout(res, 100));
    assert.ok(!JSON.stringify(lb.frames).includes(r.body.key), 'Bob never sees it');
    la.close();
    lb.close();

    const list = await alice.get('/v1/apiKeys');
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.map((k: any) => k.name), ['ci pipeline']);
    assert.ok(!list.text.includes(r.body.key), 'the list never holds the key');
    assert.equal(list.body[0].lastUsedAt, null);

    const used = await callAddon(s.url, r.body.key, 'GET', '/myInfo');
    assert.equal(used.status, 200, used.text);
    assert.equal(used.body.id, alice.userId);
    assert.notEqual((await alice.get('/v1/apiKeys')).body[0].lastUsedAt, null, 'last use recorded');

    assert.deepEqual((await bob.get('/v1/apiKeys')).body, [], "Bob does not see Alice's keys");
    const bobDelete = await bob.delete(`/v1/apiKeys/${r.body.id}`);
    assert.equal(bobDelete.status, 404, "nor delete them");

    const del = await alice.delete(`/v1/apiKeys/${r.body.id}`);
    assert.equal(del.status, 200, del.text);
    const after = await callAddon(s.url, r.body.key, 'GET', '/myInfo');
    assert.equal(after.status, 403);
    assert.equal(after.body.code, 401000);
  });

  test('names are 1 to 64 characters; a user may have many keys', async () => {
    const long = await alice.post('/v1/apiKeys', { name: 'x'.repeat(65) });
    assert.equal(long.status, 400, long.text);
    const keys = [];
    for (let i = 0; i < 5; i++) keys.push((await alice.post('/v1/apiKeys', { name: `k${i}` })).body.key);
    assert.equal(new Set(keys).size, 5);
    for (const k of keys) assert.equal((await callAddon(s.url, k, 'GET', '/myInfo')).status, 200);
  });
});

const LANGUAGES = [
  { locale: 'en', generated: /Your new API key "nightly": `sbk_/, header: 'Your API keys:', confirm: 'Delete API key "nightly"? Requests using it will stop working.', deleted: 'API key "nightly" deleted.', unknown: 'Unknown command.', help: '`/api-keys list` – lists all your API keys', noMatch: 'No API key matches "nope".', button: 'Delete' },
  { locale: 'pt-BR', generated: /Sua nova chave de API "nightly": `sbk_/, header: 'Suas chaves de API:', confirm: 'Excluir a chave de API "nightly"? As solicitações que a utilizam deixarão de funcionar.', deleted: 'Chave de API "nightly" excluída.', unknown: 'Comando desconhecido.', help: '`/api-keys list` – lista todas as suas chaves de API', noMatch: 'Nenhuma chave de API corresponde a "nope".', button: 'Excluir' },
  { locale: 'es', generated: /Tu nueva clave API "nightly": `sbk_/, header: 'Tus claves API:', confirm: '¿Eliminar la clave API "nightly"? Las solicitudes que la usan dejarán de funcionar.', deleted: 'Clave API "nightly" eliminada.', unknown: 'Comando desconocido.', help: '`/api-keys list` – enumera todas tus claves API', noMatch: 'Ninguna clave API coincide con "nope".', button: 'Eliminar' },
];

describe('the /api-keys command', () => {
  for (const lang of LANGUAGES) {
    test(`generate, list, delete with confirmation, help and unknown, in ${lang.locale}`, async () => {
      const user = await createUser(s.owner, 'MEMBER');
      await user.post(`/v1/appDirectory/${apiAppId}/install`);
      const set = await user.put('/v1/workspaceUsers/me/locale', { locale: lang.locale === 'pt-BR' ? 'pt' : lang.locale === 'es' ? 'es-MX' : 'en-GB' });
      assert.equal(set.status, 200, set.text);

      const generated = await command(user, '/api-keys generate nightly');
      assert.match(generated.text, lang.generated);
      const key = generated.text.match(KEY)![0];
      assert.equal((await callAddon(s.url, key, 'GET', '/myInfo')).status, 200);

      const listed = await command(user, '/api-keys list');
      assert.ok(listed.text.startsWith(lang.header), listed.text);
      assert.match(listed.text, /nightly/);
      assert.ok(listed.text.includes(`${key.slice(0, 8)}…${key.slice(-4)}`), 'the hint');
      assert.ok(!listed.text.includes(key), 'never the key');

      assert.equal((await command(user, '/api-keys delete nope')).text, lang.noMatch);

      const confirm = await command(user, '/api-keys delete nightly');
      assert.equal(confirm.text, lang.confirm);
      const buttons = confirm.blocks.find((b: any) => b.type === 'actions').elements;
      assert.deepEqual(buttons.map((b: any) => b.text.text), [lang.button, lang.locale === 'en' ? 'Cancel' : 'Cancelar']);
      assert.equal((await callAddon(s.url, key, 'GET', '/myInfo')).status, 200, 'nothing deleted before the click');

      const l = await Listener.connect(s.wsUrl, user.token);
      const click = await user.post('/v1/blockInteractions', {
        channelId: s.generalId,
        sourceType: 'EPHEMERAL_MESSAGE',
        sourceId: confirm.id,
        actionType: 'BUTTON',
        onAction: buttons[0].onAction,
        payload: { value: buttons[0].value },
      });
      assert.equal(click.status, 200, click.text);
      const updated = await l.next((f) => f.type === 'message.ephemeral_updated' && f.message.id === confirm.id);
      assert.equal(updated.message.text, lang.deleted);
      l.close();
      const gone = await callAddon(s.url, key, 'GET', '/myInfo', undefined, 'Api-Key');
      assert.equal(gone.body.code, 401000, 'the next request fails');

      const help = await command(user, '/api-keys help');
      assert.ok(help.text.includes(lang.help), help.text);
      assert.equal(help.text.split('\n').length, 4, 'every valid command');
      const unknown = await command(user, '/api-keys frobnicate');
      assert.ok(unknown.text.startsWith(lang.unknown), unknown.text);
      assert.ok(unknown.text.includes(lang.help));
    });
  }

  test('the workspace language is the default; without a name the key is "API key N"; Cancel keeps the key', async () => {
    const user = await createUser(s.owner, 'MEMBER');
    await user.post(`/v1/appDirectory/${apiAppId}/install`);
    const generated = await command(user, '/api-keys generate');
    assert.match(generated.text, /"API key 1"/);
    const key = generated.text.match(KEY)![0];
    const hint = `${key.slice(0, 8)}…${key.slice(-4)}`;
    const confirm = await command(user, `/api-keys delete ${hint}`);
    const cancel = confirm.blocks.find((b: any) => b.type === 'actions').elements[1];
    const l = await Listener.connect(s.wsUrl, user.token);
    await user.post('/v1/blockInteractions', { channelId: s.generalId, sourceType: 'EPHEMERAL_MESSAGE', sourceId: confirm.id, actionType: 'BUTTON', onAction: cancel.onAction, payload: { value: cancel.value } });
    assert.match((await l.next((f) => f.type === 'message.ephemeral_updated')).message.text, /was not deleted/);
    l.close();
    assert.equal((await callAddon(s.url, key, 'GET', '/myInfo')).status, 200);
    // The full key works as the argument too.
    const byKey = await command(user, `/api-keys delete ${key}`);
    assert.match(byKey.text, /Delete API key "API key 1"\?/);
  });

  test("another user cannot click someone else's confirmation", async () => {
    const confirm = await command(alice, '/api-keys delete k0');
    const button = confirm.blocks.find((b: any) => b.type === 'actions').elements[0];
    const r = await bob.post('/v1/blockInteractions', { channelId: s.generalId, sourceType: 'EPHEMERAL_MESSAGE', sourceId: confirm.id, actionType: 'BUTTON', onAction: button.onAction, payload: { value: button.value } });
    assert.equal(r.status, 404, r.text);
    assert.ok((await alice.get('/v1/apiKeys')).body.some((k: any) => k.name === 'k0'));
  });
});

describe('keys end', () => {
  test("deactivating the owner stops their keys; reactivation restores them", async () => {
    const carol = await createUser(s.owner, 'MEMBER');
    await carol.post(`/v1/appDirectory/${apiAppId}/install`);
    const { key } = (await carol.post('/v1/apiKeys', { name: 'c' })).body;
    await s.owner.post(`/v1/workspaceUsers/${carol.userId}/deactivate`);
    const refused = await callAddon(s.url, key, 'GET', '/myInfo');
    assert.equal(refused.status, 403);
    assert.equal(refused.body.code, 401000);
    assert.equal(refused.body.message, 'The owner of this API key is deactivated');
    await s.owner.post(`/v1/workspaceUsers/${carol.userId}/activate`);
    assert.equal((await callAddon(s.url, key, 'GET', '/myInfo')).status, 200);
  });

  test('the audit log records creations and deletions for admins only', async () => {
    const log = await s.owner.get('/v1/apiKeys/audit?limit=200');
    assert.equal(log.status, 200, log.text);
    const ci = log.body.filter((e: any) => e.keyName === 'ci pipeline');
    assert.deepEqual(ci.map((e: any) => e.action).sort(), ['created', 'deleted']);
    assert.ok(ci.every((e: any) => e.actorId === alice.userId && e.ownerId === alice.userId && typeof e.at === 'number'));
    assert.ok(log.body.some((e: any) => e.via === 'command'), 'command-made keys too');
    assert.ok(!/sbk_/.test(log.text), 'never a key');
    assert.equal((await alice.get('/v1/apiKeys/audit')).status, 403);
  });

  test('uninstalling the addon ends every key at once (and a reinstall does not revive them)', async () => {
    const { key } = (await alice.post('/v1/apiKeys', { name: 'before uninstall' })).body;
    assert.equal((await callAddon(s.url, key, 'GET', '/myInfo')).status, 200);
    const r = await s.owner.delete(`/v1/appDirectory/${apiAppId}/install`);
    assert.equal(r.status, 200, r.text);
    assert.equal((await callAddon(s.url, key, 'GET', '/myInfo')).body.code, 401000);
    assert.deepEqual((await alice.get('/v1/apiKeys')).body, []);
    assert.ok((await s.owner.get('/v1/apiKeys/audit?limit=200')).body.some((e: any) => e.via === 'uninstall'));
    await s.owner.post(`/v1/appDirectory/${apiAppId}/install`);
    assert.equal((await callAddon(s.url, key, 'GET', '/myInfo')).body.code, 401000);
    const reply = await command(alice, '/api-keys list');
    assert.match(reply.text, /Allow the API app first/, 'after a reinstall, each member allows it again');
  });
});

test('rate limit: N requests per minute per owner across all their keys, then 429 with Retry-After', async () => {
  const limited = await startTestServer({ apiKeyRequestsPerMinute: 3 });
  try {
    const dir = (await limited.owner.get('/v1/appDirectory')).body;
    await limited.owner.post(`/v1/appDirectory/${dir[0].id}/install`);
    const k1 = (await limited.owner.post('/v1/apiKeys', { name: 'one' })).body.key;
    const k2 = (await limited.owner.post('/v1/apiKeys', { name: 'two' })).body.key;
    const first = await callAddon(limited.url, k1, 'GET', '/myInfo');
    assert.equal(first.headers.get('x-ratelimit-limit'), '3');
    assert.equal(first.headers.get('x-ratelimit-remaining'), '2');
    assert.equal((await callAddon(limited.url, k2, 'GET', '/myInfo')).status, 200);
    assert.equal((await callAddon(limited.url, k1, 'GET', '/myInfo')).status, 200);
    const refused = await callAddon(limited.url, k2, 'GET', '/myInfo');
    assert.equal(refused.status, 429, 'the fourth, by the other key');
    assert.equal(refused.body.code, 429000);
    assert.ok(Number(refused.headers.get('retry-after')) >= 1);
    assert.equal(refused.headers.get('x-ratelimit-remaining'), '0');
    assert.ok(refused.body.error && refused.body.message && refused.body.localizedMessage);
  } finally {
    await limited.close();
  }
});

test('a key never reaches the log, even at trace level, nor any later response', async () => {
  const { spawnWithOwner } = await import('../support/process.js');
  const { sp, owner, close } = await spawnWithOwner({ LOG_LEVEL: 'trace' });
  try {
    const id = (await owner.get('/v1/appDirectory')).body[0].id;
    await owner.post(`/v1/appDirectory/${id}/install`);
    const fromPage = (await owner.post('/v1/apiKeys', { name: 'page' })).body.key as string;
    const general = (await owner.get('/v1/channels')).body[0].channel.id;
    await owner.post(`/v1/channels/${general}/messages`, { text: '/api-keys generate cmd' });
    let fromCommand: string | undefined;
    for (let i = 0; i < 50 && !fromCommand; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const keys = (await owner.get('/v1/apiKeys')).body as any[];
      if (keys.some((k) => k.name === 'cmd')) fromCommand = 'cmd';
    }
    assert.ok(fromCommand, 'the command made a key');
    const later: string[] = [];
    for (const [method, path, body] of [
      ['GET', '/myInfo'],
      ['POST', '/sendMessage', { channelId: general, text: 'x' }],
      ['POST', '/sendMessage', { channelId: general }],
      ['GET', '/nowhere'],
    ] as const) {
      later.push((await callAddon(sp.url, fromPage, method, path, body)).text);
    }
    later.push((await owner.get('/v1/apiKeys')).text, (await owner.get('/v1/apiKeys/audit')).text, (await owner.get('/v1/appDirectory')).text);
    await sp.stop();
    const out = sp.output();
    assert.ok(out.includes('"msg":"request"') && out.includes('"method":"POST"'), `request logging was captured: ${out.slice(0, 300)}`);
    assert.ok(!out.includes(fromPage), 'the page key is not in the log');
    assert.ok(!/sbk_[A-Za-z0-9_-]{43}/.test(out), 'no key at all is in the log');
    assert.ok(!later.some((t) => /sbk_[A-Za-z0-9_-]{43}/.test(t)), 'no later response holds a key');
  } finally {
    await close();
  }
});
