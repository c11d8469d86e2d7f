/**
 * The API addon's page as a person uses it (docs/api-keys.md §2.2–2.3, §9): the addon's home view,
 * Add API key (its modal, the validation error, the key once in the DM with the bot), Delete API
 * key (the select, the confirmation, Cancel), the page refreshed live whatever path changed a key,
 * in English, Portuguese and Spanish — through the people's HTTP routes and the realtime socket.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Listener, createUser, http, startTestServer, type Client, type TestServer } from '../support/helpers.js';

let s: TestServer;
let apiAppId: string;
let botId: string;

const KEY = /sbk_[A-Za-z0-9_-]{43}/;
const hintOf = (key: string) => `${key.slice(0, 8)}…${key.slice(-4)}`;

const callAddon = (key: string, path: string) => http(s.url, 'GET', `/addon/api-keys${path}`, { headers: { ApiKey: key } });

/** Every text of a view's blocks, joined: what the person reads. */
function textOf(view: any): string {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.text === 'string') out.push(o.text);
      Object.entries(o).forEach(([k, x]) => k !== 'text' && walk(x));
      if (o.text && typeof o.text === 'object') walk(o.text);
    }
  };
  walk(view.blocks);
  return out.join('');
}

const buttonsOf = (view: any): any[] => view.blocks.filter((b: any) => b.type === 'actions').flatMap((b: any) => b.elements);

/** Forgets the frames seen so far, so the next wait is for what the next step sends. */
const fresh = (l: Listener) => l.frames.splice(0);

async function allowedUser(locale: string): Promise<Client> {
  const user = await createUser(s.owner, 'MEMBER');
  assert.equal((await user.post(`/v1/appDirectory/${apiAppId}/install`)).status, 200);
  const set = await user.put('/v1/workspaceUsers/me/locale', { locale });
  assert.equal(set.status, 200, set.text);
  return user;
}

async function home(user: Client): Promise<any> {
  const r = await user.get(`/v1/apps/${apiAppId}/homeView`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.type, 'HOME');
  return r.body;
}

/** Clicks a button of the home view and returns the modal it opened. */
async function click(user: Client, l: Listener, homeView: any, label: string): Promise<any> {
  const button = buttonsOf(homeView).find((b) => b.text.text === label);
  assert.ok(button, `a "${label}" button in ${JSON.stringify(buttonsOf(homeView).map((b) => b.text.text))}`);
  fresh(l);
  const r = await user.post('/v1/blockInteractions', { sourceType: 'VIEW', sourceId: homeView.id, onAction: button.onAction });
  assert.equal(r.status, 200, r.text);
  return (await l.next((f) => f.type === 'view.opened')).view;
}

const submit = (user: Client, viewId: string, values: Record<string, unknown>) => user.post(`/v1/views/${viewId}/submit`, { state: { values } });

before(async () => {
  s = await startTestServer();
  const api = (await s.owner.get('/v1/appDirectory')).body.find((a: any) => a.displayName === 'API');
  apiAppId = api.id;
  assert.equal((await s.owner.post(`/v1/appDirectory/${apiAppId}/install`)).status, 200);
  botId = (await s.owner.get('/v1/appDirectory')).body.find((a: any) => a.id === apiAppId).botUserId;
});
after(() => s.close());

test('a person who has not allowed the app sees where to allow it, and no buttons', async () => {
  const user = await createUser(s.owner, 'MEMBER');
  const view = await home(user);
  assert.deepEqual(view.title, { type: 'plain_text', text: 'API' });
  assert.match(textOf(view), /Allow the API app before creating API keys/);
  assert.ok(JSON.stringify(view.blocks).includes(`/addon/api-keys/authorize?workspaceId=${s.workspaceId}`), 'the consent link');
  assert.deepEqual(buttonsOf(view), []);
  const refused = await user.post('/v1/blockInteractions', { sourceType: 'VIEW', sourceId: view.id, onAction: 'api-keys.home.add' });
  assert.equal(refused.status, 400, 'no button, no click');

  // Allowing the app turns the page into the real one.
  await user.post(`/v1/appDirectory/${apiAppId}/install`);
  assert.deepEqual(buttonsOf(await home(user)).map((b) => b.text.text), ['Add API key']);
});

const LANGUAGES = [
  {
    locale: 'en-GB',
    empty: 'You have no API keys yet.',
    header: 'Your API keys:',
    add: 'Add API key',
    label: 'API key name',
    generate: 'Generate',
    invalid: 'The API key name must be 1 to 64 characters.',
    generated: /^Your new API key "nightly": `sbk_.*Only you can see this message\.$/,
    del: 'Delete API key',
    choose: 'Choose a key',
    confirm: 'Delete',
    cancel: 'Cancel',
    confirmText: (n: string) => `Delete API key "${n}"? Requests using it will stop working.`,
    deleted: 'API key "nightly" deleted.',
    never: 'never',
  },
  {
    locale: 'pt',
    empty: 'Você ainda não tem chaves de API.',
    header: 'Suas chaves de API:',
    add: 'Adicionar chave de API',
    label: 'Nome da chave de API',
    generate: 'Gerar',
    invalid: 'O nome da chave de API deve ter de 1 a 64 caracteres.',
    generated: /^Sua nova chave de API "nightly": `sbk_.*Somente você pode ver esta mensagem\.$/,
    del: 'Excluir chave de API',
    choose: 'Escolha uma chave',
    confirm: 'Excluir',
    cancel: 'Cancelar',
    confirmText: (n: string) => `Excluir a chave de API "${n}"? As solicitações que a utilizam deixarão de funcionar.`,
    deleted: 'Chave de API "nightly" excluída.',
    never: 'nunca',
  },
  {
    locale: 'es-MX',
    empty: 'Todavía no tienes claves API.',
    header: 'Tus claves API:',
    add: 'Añadir clave API',
    label: 'Nombre de la clave API',
    generate: 'Generar',
    invalid: 'El nombre de la clave API debe tener entre 1 y 64 caracteres.',
    generated: /^Tu nueva clave API "nightly": `sbk_.*Solo tú puedes ver este mensaje\.$/,
    del: 'Eliminar clave API',
    choose: 'Elige una clave',
    confirm: 'Eliminar',
    cancel: 'Cancelar',
    confirmText: (n: string) => `¿Eliminar la clave API "${n}"? Las solicitudes que la usan dejarán de funcionar.`,
    deleted: 'Clave API "nightly" eliminada.',
    never: 'nunca',
  },
];

describe('the API page', () => {
  for (const lang of LANGUAGES) {
    test(`add, delete with confirmation, cancel, in ${lang.locale}`, async () => {
      const user = await allowedUser(lang.locale);
      const l = await Listener.connect(s.wsUrl, user.token);
      try {
        // The page: no keys yet, only Add API key.
        let page = await home(user);
        assert.deepEqual(page.title, { type: 'plain_text', text: 'API' });
        assert.ok(textOf(page).includes(lang.empty), textOf(page));
        assert.deepEqual(buttonsOf(page).map((b) => b.text.text), [lang.add]);

        // Add API key opens its modal.
        const modal = await click(user, l, page, lang.add);
        assert.equal(modal.type, 'MODAL');
        assert.equal(modal.callbackId, 'api-keys.add');
        assert.deepEqual([modal.title.text, modal.submit.text, modal.blocks[0].label.text], [lang.add, lang.generate, lang.label]);
        assert.deepEqual([modal.blocks[0].element.min_length, modal.blocks[0].element.max_length], [1, 64]);

        // Empty: the required input is refused before the app hears of it, naming the field.
        const empty = await submit(user, modal.id, {});
        assert.equal(empty.status, 400, empty.text);
        assert.equal(empty.body.field, 'state.values.name.name');
        assert.ok(empty.body.message.includes(lang.label), empty.body.message);
        const tooLong = await submit(user, modal.id, { name: { name: { type: 'plain_text_input', value: 'x'.repeat(65) } } });
        assert.equal(tooLong.status, 400, tooLong.text);

        // Spaces only: the app updates the modal with its validation error; nothing is made.
        fresh(l);
        assert.equal((await submit(user, modal.id, { name: { name: { type: 'plain_text_input', value: '   ' } } })).status, 200);
        const refused = (await l.next((f) => f.type === 'view.updated' && f.view.id === modal.id)).view;
        assert.equal(refused.blocks[0].validationError, lang.invalid);
        assert.deepEqual((await user.get('/v1/apiKeys')).body, []);

        // A name: the modal closes, the key arrives once in the DM with the bot, the page lists it.
        fresh(l);
        assert.equal((await submit(user, modal.id, { name: { name: { type: 'plain_text_input', value: 'nightly' } } })).status, 200);
        assert.equal((await l.next((f) => f.type === 'view.closed' && f.viewId === modal.id)).reason, 'submitted');
        const eph = (await l.next((f) => f.type === 'message.ephemeral' && KEY.test(f.message.text))).message;
        assert.match(eph.text, lang.generated);
        const key = eph.text.match(KEY)![0];
        const dm = (await user.get('/v1/channels')).body.find((c: any) => c.channel.id === eph.channelId);
        assert.equal(dm.channel.channelType, 'DIRECT');
        assert.equal(eph.author, botId, 'from the addon bot, in the DM with it');
        const live = (await l.next((f) => f.type === 'view.updated' && f.view.id === page.id && textOf(f.view).includes('nightly'))).view;
        assert.ok(textOf(live).includes(lang.header) && textOf(live).includes(hintOf(key)) && textOf(live).includes(lang.never), textOf(live));
        assert.ok(!JSON.stringify(live).includes(key), 'the page never shows the key');
        assert.deepEqual(buttonsOf(live).map((b) => b.text.text), [lang.add, lang.del]);
        const used = await callAddon(key, '/myInfo');
        assert.equal(used.status, 200, used.text);
        assert.equal(used.body.id, user.userId);
        assert.equal((await user.get('/v1/apiKeys')).body[0].name, 'nightly');

        // The REST route for scripts changes the page too.
        fresh(l);
        const spare = (await user.post('/v1/apiKeys', { name: 'spare' })).body;
        await l.next((f) => f.type === 'view.updated' && f.view.id === page.id && textOf(f.view).includes('spare'));

        // Delete API key → the select → the confirmation → Cancel keeps the key.
        page = await home(user);
        const pick = async (keyId: string) => {
          const picker = await click(user, l, page, lang.del);
          assert.equal(picker.callbackId, 'api-keys.delete');
          assert.deepEqual([picker.title.text, picker.submit.text, picker.blocks[0].label.text], [lang.del, lang.confirm, lang.choose]);
          const options = picker.blocks[0].element.options.map((o: any) => o.text.text).sort();
          assert.deepEqual(options, [`nightly (${hintOf(key)})`, `spare (${spare.hint})`].sort());
          fresh(l);
          const r = await submit(user, picker.id, { key: { 'api-keys.key': { type: 'static_select_menu', value: keyId } } });
          assert.equal(r.status, 200, r.text);
          const confirmation = (await l.next((f) => f.type === 'view.updated' && f.view.id === picker.id)).view;
          assert.deepEqual([confirmation.submit.text, confirmation.close.text], [lang.confirm, lang.cancel]);
          return confirmation;
        };
        const toCancel = await pick(spare.id);
        assert.equal(textOf(toCancel), lang.confirmText('spare'));
        fresh(l);
        assert.equal((await user.post(`/v1/views/${toCancel.id}/close`)).status, 200);
        assert.equal((await l.next((f) => f.type === 'view.closed' && f.viewId === toCancel.id)).reason, 'closed');
        assert.equal((await callAddon(spare.key, '/myInfo')).status, 200, 'Cancel keeps the key');
        assert.equal((await user.get('/v1/apiKeys')).body.length, 2);

        // Delete, confirmed: the key stops at once, the person is told, the page drops it.
        const nightly = (await user.get('/v1/apiKeys')).body.find((k: any) => k.name === 'nightly');
        const toDelete = await pick(nightly.id);
        assert.equal(textOf(toDelete), lang.confirmText('nightly'));
        fresh(l);
        assert.equal((await submit(user, toDelete.id, {})).status, 200);
        assert.equal((await l.next((f) => f.type === 'view.closed' && f.viewId === toDelete.id)).reason, 'submitted');
        const told = (await l.next((f) => f.type === 'message.ephemeral' && f.message.text === lang.deleted)).message;
        assert.equal(told.channelId, eph.channelId, 'in the DM with the bot');
        const after = (await l.next((f) => f.type === 'view.updated' && f.view.id === page.id)).view;
        assert.ok(!textOf(after).includes('nightly') && textOf(after).includes('spare'), textOf(after));
        const gone = await callAddon(key, '/myInfo');
        assert.equal(gone.status, 403);
        assert.equal(gone.body.code, 401000);
        assert.equal((await callAddon(spare.key, '/myInfo')).status, 200);
        const audit = (await s.owner.get('/v1/apiKeys/audit?limit=200')).body.filter((e: any) => e.ownerId === user.userId && e.keyName === 'nightly');
        assert.deepEqual(audit.map((e: any) => `${e.action}/${e.via}`).sort(), ['created/page', 'deleted/page']);

        // The last key deleted by the REST route: the page is empty again, without Delete API key.
        fresh(l);
        assert.equal((await user.delete(`/v1/apiKeys/${spare.id}`)).status, 200);
        const emptied = (await l.next((f) => f.type === 'view.updated' && f.view.id === page.id)).view;
        assert.ok(textOf(emptied).includes(lang.empty));
        assert.deepEqual(buttonsOf(emptied).map((b) => b.text.text), [lang.add]);
      } finally {
        l.close();
      }
    });
  }

  test('/api-keys and its confirmation button refresh the open page; another person sees nothing of it', async () => {
    const user = await allowedUser('en');
    const other = await allowedUser('en');
    const page = await home(user);
    await home(other);
    const l = await Listener.connect(s.wsUrl, user.token);
    const lo = await Listener.connect(s.wsUrl, other.token);
    try {
      assert.equal((await user.post(`/v1/channels/${s.generalId}/messages`, { text: '/api-keys generate from-command' })).status, 200);
      await l.next((f) => f.type === 'view.updated' && f.view.id === page.id && textOf(f.view).includes('from-command'));
      await l.next((f) => f.type === 'message.ephemeral' && KEY.test(f.message.text));
      assert.equal((await user.post(`/v1/channels/${s.generalId}/messages`, { text: '/api-keys delete from-command' })).status, 200);
      const confirm = (await l.next((f) => f.type === 'message.ephemeral' && f.message.blocks?.length)).message;
      const button = confirm.blocks.find((b: any) => b.type === 'actions').elements[0];
      fresh(l);
      await user.post('/v1/blockInteractions', { channelId: s.generalId, sourceType: 'EPHEMERAL_MESSAGE', sourceId: confirm.id, onAction: button.onAction });
      const emptied = (await l.next((f) => f.type === 'view.updated' && f.view.id === page.id)).view;
      assert.ok(textOf(emptied).includes('You have no API keys yet.'));
      assert.deepEqual(await lo.quiet((f) => f.type === 'view.updated'), [], "another person's page is not touched");
    } finally {
      l.close();
      lo.close();
    }
  });

  test("a person cannot click, submit or close someone else's page and modals", async () => {
    const user = await allowedUser('en');
    const other = await allowedUser('en');
    const l = await Listener.connect(s.wsUrl, user.token);
    try {
      const page = await home(user);
      const modal = await click(user, l, page, 'Add API key');
      assert.equal((await other.post('/v1/blockInteractions', { sourceType: 'VIEW', sourceId: page.id, onAction: 'api-keys.home.add' })).status, 404);
      assert.equal((await submit(other, modal.id, { name: { name: { type: 'plain_text_input', value: 'theirs' } } })).status, 404);
      assert.equal((await other.post(`/v1/views/${modal.id}/close`)).status, 404);
      assert.deepEqual((await other.get('/v1/apiKeys')).body, []);
      assert.deepEqual((await user.get('/v1/apiKeys')).body, []);
    } finally {
      l.close();
    }
  });

  test('past 100 keys the select is a dynamic menu the app serves, filtered by what the person types', async () => {
    const user = await allowedUser('en');
    for (let i = 0; i < 101; i++) assert.equal((await user.post('/v1/apiKeys', { name: `k${i}` })).status, 200);
    const long = (await user.post('/v1/apiKeys', { name: 'n'.repeat(64) })).body;
    const l = await Listener.connect(s.wsUrl, user.token);
    try {
      const page = await home(user);
      const picker = await click(user, l, page, 'Delete API key');
      const menu = picker.blocks[0].element;
      assert.equal(menu.type, 'dynamic_select_menu');
      const ask = (query: string) => user.post('/v1/dynamicMenus/options', { sourceType: 'VIEW', sourceId: picker.id, onAction: menu.onAction, query });
      const found = await ask('k100');
      assert.equal(found.status, 200, found.text);
      assert.equal(found.body.options.length, 1);
      const k100 = (await user.get('/v1/apiKeys')).body.find((k: any) => k.name === 'k100');
      assert.deepEqual(found.body.options[0], { text: { type: 'plain_text', text: `k100 (${k100.hint})` }, value: k100.id });
      assert.equal((await ask('k')).body.options.length, 100, 'at most a menu of options');
      // A 64-character name is shortened so the option stays a valid label (75 characters).
      const shortened = (await ask('nnnn')).body.options[0].text.text as string;
      assert.ok([...shortened].length <= 75 && shortened.endsWith(`… (${long.hint})`), shortened);

      fresh(l);
      assert.equal((await submit(user, picker.id, { key: { [menu.onAction]: { type: 'dynamic_select_menu', value: k100.id } } })).status, 200);
      const confirmation = (await l.next((f) => f.type === 'view.updated' && f.view.id === picker.id)).view;
      assert.equal(textOf(confirmation), 'Delete API key "k100"? Requests using it will stop working.');
      assert.equal((await submit(user, confirmation.id, {})).status, 200);
      await l.next((f) => f.type === 'message.ephemeral' && f.message.text === 'API key "k100" deleted.');
      assert.ok(!(await user.get('/v1/apiKeys')).body.some((k: any) => k.name === 'k100'));
    } finally {
      l.close();
    }
  });
});
