/**
 * @switchboard/sdk, second slice (issue 17), against a real server:
 *
 * * `pushModal` from a button in a modal: the new modal goes on top (depth 2, its parent the first);
 * * the OAuth `/redirect` of a socket-mode app (the opt-in listener), storing the tokens in a
 *   `SqlTokenStore` on better-sqlite3 — then a command answered with the bot token read from SQL;
 * * `SqlTokenStore` through the generic `query` interface with `$n` placeholders, on PostgreSQL
 *   (`pg`'s Pool as it is) when it is reachable, and on a `{rows}`-returning adapter otherwise;
 * * the start-time warnings when the listeners and manifest.json disagree.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Listener, freshPostgresDatabase, http, needs, startTestServer, tempDir, type TestServer } from '../support/helpers.js';
import { freePort } from '../support/process.js';

const sdk: any = await import(new URL('../../../sdk/src/index.ts', import.meta.url).href);
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

let server: TestServer;
let person: Listener;
let devToken: string;
const dir = tempDir('sb-sdk2-');
const dev = (method: string, path: string, body?: unknown) =>
  http(server.url, method, `/workspaces/${server.workspaceId}/workspaceUsers/${server.ownerId}${path}`, { headers: { authtoken: devToken }, ...(body !== undefined && { body }) });

before(async () => {
  server = await startTestServer();
  devToken = (await server.owner.post('/auth/developer-token')).body.token;
  person = await Listener.connect(server.wsUrl, server.owner.token);
});

after(async () => {
  person?.close();
  await server?.close();
  dir.remove();
});

/** Exercises a token store the way the App uses it. */
async function storeRoundTrip(store: any) {
  await store.save({ workspaceId: 'w1', userId: 'u1', accessToken: 'user-1', botToken: 'bot-1', botId: 'b1' });
  await store.save({ workspaceId: 'w1', userId: 'u2', accessToken: 'user-2' });
  await store.save({ workspaceId: 'w2', userId: 'u1', accessToken: 'other-ws' });
  assert.equal(await store.getBotToken('w1'), 'bot-1');
  assert.equal(await store.getBotUserId('w1'), 'b1');
  assert.equal(await store.getUserToken('w1', 'u2'), 'user-2');
  assert.equal(await store.getUserToken('w1', ''), undefined, 'the bot row is not a user');
  await store.save({ workspaceId: 'w1', userId: 'u1', accessToken: 'user-1b', botToken: 'bot-2', botId: 'b2' });
  assert.equal(await store.getUserToken('w1', 'u1'), 'user-1b', 'a second grant replaces the token');
  assert.equal(await store.getBotToken('w1'), 'bot-2');
  assert.equal(await store.getBotUserId('w1'), 'b2');
  await store.deleteUser('w1', 'u2');
  assert.equal(await store.getUserToken('w1', 'u2'), undefined);
  assert.equal(await store.getBotToken('w1'), 'bot-2', 'unauthorising a person keeps the bot');
  await store.deleteWorkspace('w1');
  assert.equal(await store.getBotToken('w1'), undefined);
  assert.equal(await store.getUserToken('w1', 'u1'), undefined);
  assert.equal(await store.getUserToken('w2', 'u1'), 'other-ws', 'other workspaces are untouched');
}

describe('SqlTokenStore', () => {
  test('better-sqlite3 (prepare), then a generic query function with $n placeholders', async () => {
    const db = new Database(':memory:');
    await storeRoundTrip(new sdk.SqlTokenStore(db));
    // A pg-shaped driver over SQLite: $n placeholders in (numbered in order), {rows} out.
    const seen: string[] = [];
    const query = (sql: string, params: unknown[]) => {
      seen.push(sql);
      const stmt = db.prepare(sql.replace(/\$\d+/g, '?'));
      return stmt.reader ? { rows: stmt.all(...params) } : (stmt.run(...params), { rows: [] });
    };
    await storeRoundTrip(new sdk.SqlTokenStore({ query }, { table: 'tokens_pg_style' }));
    assert.ok(seen.some((s) => s.includes('$5')), 'placeholders were numbered');
    assert.throws(() => new sdk.SqlTokenStore(db, { table: 'x; drop table y' }), /not a plain table name/);
    db.close();
  });

  test('PostgreSQL through pg.Pool as it is', async (t) => {
    if (!(await needs(t, 'postgres'))) return;
    const pg = await import('pg');
    const fresh = await freshPostgresDatabase();
    const pool = new pg.default.Pool({ connectionString: fresh.url });
    try {
      await storeRoundTrip(new sdk.SqlTokenStore(pool));
    } finally {
      await pool.end();
      await fresh.drop();
    }
  });
});

describe('a socket-mode app', () => {
  let app: any;
  let created: any;
  const warnings: string[] = [];
  const db = new Database(':memory:');
  let redirectPort: number;

  before(async () => {
    redirectPort = await freePort();
    const manifest = {
      name: 'sdk_more',
      displayName: 'SDK more',
      bot: true,
      socketMode: true,
      scopes: { botScopes: ['messages:write'], userScopes: [] },
      slashCommands: [
        { command: '/sdkpush', description: 'push' },
        { command: '/nolistener', description: 'nobody listens' },
      ],
      shortcuts: [],
      eventSubscriptions: { events: [] },
      blockInteraction: { url: '' },
      viewAction: { url: '' },
      redirectUrls: [`http://localhost:${redirectPort}/redirect`],
    };
    const r = await dev('POST', '/apps', manifest);
    assert.equal(r.status, 200, r.text);
    created = r.body;
    const manifestPath = join(dir.path, 'manifest.json');
    writeFileSync(manifestPath, JSON.stringify(manifest));
    app = new sdk.App({
      url: server.url,
      appId: created.id,
      appKey: created.appKey,
      clientSecret: created.clientSecret,
      tokenStore: new sdk.SqlTokenStore(db),
      receiver: new sdk.SocketReceiver({ initialBackoffMs: 100 }),
      redirect: { port: redirectPort },
      manifestPath,
      logger: { ...quiet, warn: (m: string) => warnings.push(m) },
    });
    const { actions, button, input, modal, plainTextInput, richText } = sdk;
    app.command('/sdkpush', (ctx: any) =>
      ctx.openModal(modal({ callbackId: 'first', title: 'First', submit: 'Next', blocks: [richText('Step one'), actions(button('More', 'push_it'))] })),
    );
    app.action('push_it', (ctx: any) => ctx.pushModal(modal({ callbackId: 'second', title: 'Second', submit: 'Done', blocks: [input('x', 'X', plainTextInput('x'))] })));
    app.command('/typo', (ctx: any) => ctx.ack());
    app.event('NEW_MESSAGE', () => {});
    await app.start();
  });

  after(async () => {
    await app?.stop();
    db.close();
  });

  test('start warns about listeners and manifest.json that disagree', () => {
    assert.equal(warnings.length, 3, warnings.join('\n'));
    assert.ok(warnings.some((w) => /manifest\.json lists the slash command \/nolistener, but no app\.command\('\/nolistener', …\) listens/.test(w)), warnings.join('\n'));
    assert.ok(warnings.some((w) => /app\.command\('\/typo'\) listens, but \S*manifest\.json has no slash command \/typo: nobody can type it/.test(w)), warnings.join('\n'));
    assert.ok(warnings.some((w) => /app\.event\('NEW_MESSAGE'\) listens, but \S*manifest\.json does not subscribe to NEW_MESSAGE/.test(w)));
    assert.ok(!warnings.some((w) => w.includes('/sdkpush')), 'a matched command is not mentioned');
    assert.deepEqual(app.checkManifest({ slashCommands: [{ command: '/SDKPUSH' }, { command: '/typo' }, { command: '/nolistener' }], eventSubscriptions: { events: ['NEW_MESSAGE'] }, blockInteraction: { url: '' } }).filter((w: string) => !w.includes('/nolistener')), []);
  });

  test('checkManifest: block action or view listeners without the manifest\'s blockInteraction or viewAction are named (nothing would reach them); with the entries, nothing is said', () => {
    const views = new sdk.App({ url: server.url, appId: 'a', appKey: 'k', logger: quiet, manifestPath: false });
    views.action('go', () => {});
    views.viewSubmission('ticket_create', () => {});
    views.viewClosed(/^ticket_/, () => {});
    const bare = views.checkManifest({}, 'manifest.json');
    assert.equal(bare.length, 2, bare.join('\n'));
    assert.match(bare[0]!, /^app\.action\(…\) listens, but manifest\.json has no blockInteraction: clicks on the app's buttons and menus are refused — add "blockInteraction": \{"url": ""\}/);
    assert.match(bare[1]!, /^app\.viewSubmission\('ticket_create'\) listens, but manifest\.json has no viewAction: submitting or closing the app's modals is refused \("this app takes no view actions"\) — add "viewAction": \{"url": ""\}/);
    assert.deepEqual(views.checkManifest({ blockInteraction: { url: '' }, viewAction: { url: '' } }), []);
    const closesOnly = new sdk.App({ url: server.url, appId: 'a', appKey: 'k', logger: quiet, manifestPath: false });
    closesOnly.viewClosed(/^ticket_/, () => {});
    assert.match(closesOnly.checkManifest({ viewAction: null })[0]!, /^app\.viewClosed\(\/\^ticket_\/\) listens/);
  });

  test('the OAuth /redirect listener exchanges the code; the tokens land in SQL', async () => {
    assert.equal(app.redirectServer.url, `http://localhost:${redirectPort}/redirect`);
    const grant = await dev('GET', `/oauth2/grant?${new URLSearchParams({ clientId: created.id, scopes: 'bot:messages:write', redirectUrl: app.redirectServer.url, state: 's' })}`);
    assert.equal(grant.status, 200, grant.text);
    const landed = await fetch(grant.body.redirectUrl.replace('localhost', '127.0.0.1'));
    assert.equal(landed.status, 200, await landed.text());
    const row = db.prepare('SELECT bot_id FROM switchboard_tokens WHERE workspace_id = ? AND user_id = ?').get(server.workspaceId, '') as { bot_id: string } | undefined;
    assert.match(row?.bot_id ?? '', /\w+/, 'the bot row, with its bot user');
    assert.equal((await fetch(`http://127.0.0.1:${redirectPort}/other`)).status, 404, 'nothing else is served');
    assert.equal((await fetch(`http://127.0.0.1:${redirectPort}/redirect`)).status, 400, 'no code');
  });

  test('pushModal: a button in a modal pushes a second one on top', async () => {
    assert.equal((await server.owner.post(`/v1/channels/${server.generalId}/messages`, { text: '/sdkpush' })).status, 200);
    const first = (await person.next((f) => f.type === 'view.opened' && f.view.callbackId === 'first', 10_000)).view;
    const click = await server.owner.post('/v1/blockInteractions', { sourceType: 'VIEW', sourceId: first.id, onAction: 'push_it' });
    assert.equal(click.status, 200, click.text);
    const pushed = await person.next((f) => (f.type === 'view.pushed' || f.type === 'view.opened') && f.view.callbackId === 'second', 10_000);
    assert.equal(pushed.type, 'view.pushed');
    assert.equal(pushed.view.parentViewId, first.id);
    const open = (await server.owner.get('/v1/views')).body.views;
    assert.deepEqual(open.map((v: any) => v.callbackId), ['first', 'second'], 'bottom first');
  });
});

test("channels.openDirect: one POST with channels:write; with only channels:read, refused the POST, it finds the DM that exists by a GET — and says what is missing when there is none", async () => {
  const make = async (name: string, botScopes: string[]) => {
    const created = await dev('POST', '/apps', {
      name,
      displayName: name,
      bot: true,
      socketMode: true,
      scopes: { botScopes, userScopes: [] },
      slashCommands: [],
      shortcuts: [],
      eventSubscriptions: { events: [] },
      blockInteraction: { url: '' },
      viewAction: { url: '' },
      redirectUrls: ['http://localhost:1/redirect'],
    });
    assert.equal(created.status, 200, created.text);
    const grant = await dev('GET', `/oauth2/grant?${new URLSearchParams({ clientId: created.body.id, scopes: botScopes.map((s) => `bot:${s}`).join(',') })}`);
    assert.equal(grant.status, 200, grant.text);
    const form = new FormData();
    form.set('client-id', created.body.id);
    form.set('client-secret', created.body.clientSecret);
    form.set('code', grant.body.code);
    const tokens = (await (await fetch(`${server.url}/oauth2/access`, { method: 'POST', body: form })).json()) as { botToken: string; botId: string };
    return { client: new sdk.SwitchboardClient({ baseUrl: server.url, token: tokens.botToken, appKey: created.body.appKey }), botId: tokens.botId };
  };

  const writer = await make('dm_writer', ['channels:read', 'channels:write']);
  const opened = await writer.client.channels.openDirect(writer.botId, [server.ownerId]);
  assert.deepEqual([...opened.users].sort(), [writer.botId, server.ownerId].sort());

  const reader = await make('dm_reader', ['channels:read']);
  // no DM yet: the POST's refusal is what the app sees, naming the scope it lacks
  await assert.rejects(reader.client.channels.openDirect(reader.botId, [server.ownerId]), (err: any) => err.status === 403 && /channels:write/.test(err.message));
  // the person opens one with the bot: now the reader finds it
  const dm = await server.owner.post('/v1/channels/direct', { participantIds: [server.ownerId, reader.botId] });
  assert.equal(dm.status, 200, dm.text);
  const found = await reader.client.channels.openDirect(reader.botId, [server.ownerId]);
  assert.equal(found.channel.id, dm.body.channel.id);
});
