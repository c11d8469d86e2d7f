/**
 * Message search on both engines (migration 0018, store/search-store.ts): the full-text index is
 * filled for the messages that existed before the migration (backfill) and kept by the database —
 * a post, an edit, a soft delete, a channel's hard delete, and a rolled-back post — with words,
 * phrases and prefixes, the channel / author / time filters, the three orders, and pages with the
 * total of all matches. On SQLite a written message waits for the index (migration 0029) until
 * indexWaiting runs, as the domain runs it before every search; the helpers here do the same.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { Migrator } from 'kysely';
import type { DatabaseHandle } from '../../src/store/database.js';
import { migrationProvider } from '../../src/store/migrations/index.js';
import { Store } from '../../src/store/store.js';
import { newId } from '../../src/domain/ids.js';
import type { MessageSearchSpec, SearchTerm } from '../../src/domain/ports/search.js';
import { engines } from '../support/engines.js';

/** A message id of that millisecond: ids sort by creation time (domain/ids.ts), which `newest` relies on. */
const idAt = (at: number) => at.toString(16).padStart(12, '0') + newId().slice(12);
const word = (w: string, prefix = false): SearchTerm => ({ tokens: [w], prefix });
const phrase = (...tokens: string[]): SearchTerm => ({ tokens, prefix: false });

for (const engine of engines) {
  describe(`message search on ${engine.name}`, () => {
    let handle: DatabaseHandle | undefined;
    let cleanup: (() => Promise<void>) | undefined;
    let store: Store;
    const ws = newId();
    const owner = newId();
    const bob = newId();
    const general = newId();
    const random = newId();
    const t0 = 1_700_000_000_000;
    /** message ids by a short name */
    const ids: Record<string, string> = {};

    /** What the domain does before every search (domain/search.ts): index what waits (SQLite, migration 0029). */
    const indexWaiting = async () => {
      while ((await store.transaction((tx) => tx.search.indexWaiting(2))) > 0);
      assert.equal(await store.search.unindexed(), 0);
    };
    const search = async (over: Partial<MessageSearchSpec>) => {
      await indexWaiting();
      return store.search.searchMessages({ terms: [], channelIds: [general, random], order: 'newest', offset: 0, limit: 20, ...over });
    };
    /** Searched without indexing first. */
    const foundIndexed = async (over: Partial<MessageSearchSpec>) =>
      (await store.search.searchMessages({ terms: [], channelIds: [general, random], order: 'newest', offset: 0, limit: 20, ...over })).messages.map((m) => m.text);
    const found = async (over: Partial<MessageSearchSpec>) => (await search(over)).messages.map((m) => m.text);

    const post = async (name: string, channelId: string, authorId: string, text: string, at: number, s: Store = store) => {
      ids[name] = idAt(at);
      await s.insertMessage({ id: ids[name]!, workspaceId: ws, channelId, authorId, text, blocks: null, attachments: null, threadRootId: null, now: at });
    };

    test('messages written before the migration are indexed by it (backfill); deleted ones are not', async (t) => {
      const opened = await engine.open(t);
      if (!opened) return;
      ({ handle, cleanup } = opened);
      const db = handle.db;
      const migrator = new Migrator({ db, provider: migrationProvider });
      const upTo = await migrator.migrateTo('0017_app_sockets');
      assert.equal(upTo.error, undefined);
      // Messages as the application wrote them under 0017, straight through SQL (the Store of today may write more columns).
      const before = new Store(db, handle.engine);
      await before.insertWorkspace({ id: ws, name: 'W', locale: 'en', createdAt: t0 });
      for (const [id, name] of [[owner, 'Owner'], [bob, 'Bob']] as const) {
        await before.insertUser({ id, workspaceId: ws, email: `${name.toLowerCase()}@x.io`, name, role: 'MEMBER', passwordHash: null, now: t0 });
      }
      for (const [id, name] of [[general, 'general'], [random, 'random']] as const) {
        await before.insertChannel({ id, workspaceId: ws, type: 'PUBLIC', name, directKey: null, description: '', createdBy: owner, now: t0 });
      }
      const old = async (name: string, text: string, deleted: number, at: number) => {
        ids[name] = idAt(at);
        await sql`insert into messages (id, workspace_id, channel_id, author_id, text, reply_count, edited, deleted, created_at, updated_at)
          values (${ids[name]}, ${ws}, ${general}, ${owner}, ${text}, 0, 0, ${deleted}, ${at}, ${at})`.execute(db);
      };
      await old('legacy', 'Legacy deployment notes from before the index', 0, t0 + 1);
      await old('legacyGone', 'deployment that was deleted', 1, t0 + 2);
      const latest = await migrator.migrateToLatest();
      assert.equal(latest.error, undefined, String(latest.error));
      store = new Store(db, handle.engine);
      assert.deepEqual(await found({ terms: [word('deployment')] }), ['Legacy deployment notes from before the index']);
    });

    test('new posts are found at once: words (all of them, any case), phrases, prefixes', async (t) => {
      if (!handle) return t.skip('engine not available');
      await post('deployFailed', general, owner, 'The Deploy failed again', t0 + 10);
      await post('deployOk', general, bob, 'deploy finished OK, deploying the rest tomorrow', t0 + 20);
      await post('lunch', random, bob, 'lunch? The usual place', t0 + 30);
      await post('order', random, owner, 'failed deploy order: words swapped', t0 + 40);

      assert.deepEqual(await found({ terms: [word('deploy')] }), ['failed deploy order: words swapped', 'deploy finished OK, deploying the rest tomorrow', 'The Deploy failed again']);
      assert.deepEqual(await found({ terms: [word('deploy'), word('failed')] }), ['failed deploy order: words swapped', 'The Deploy failed again'], 'every word must match');
      assert.deepEqual(await found({ terms: [phrase('deploy', 'failed')] }), ['The Deploy failed again'], 'a phrase keeps its order');
      assert.deepEqual(await found({ terms: [word('deplo', true)] }).then((x) => x.length), 4, 'deplo* matches deploy, deploying, deployment');
      assert.deepEqual(await found({ terms: [word('deplo')] }), [], 'without * a word matches whole words only');
      assert.deepEqual(await found({ terms: [{ tokens: ['finished', 'o'], prefix: true }] }), ['deploy finished OK, deploying the rest tomorrow'], 'a phrase whose last word is a prefix');
      assert.deepEqual(await found({ terms: [word('nothing')] }), []);
    });

    test('filters: channels (only those given), authors, time range (exclusive, to the millisecond)', async (t) => {
      if (!handle) return t.skip('engine not available');
      assert.deepEqual(await found({ terms: [word('deploy')], channelIds: [random] }), ['failed deploy order: words swapped']);
      assert.deepEqual(await found({ terms: [word('deploy')], channelIds: [] }), [], 'no readable channel: nothing');
      assert.deepEqual(await found({ terms: [word('deploy')], authorIds: [bob] }), ['deploy finished OK, deploying the rest tomorrow']);
      assert.deepEqual(await found({ terms: [word('deploy')], authorIds: [] }), []);
      assert.deepEqual(await found({ terms: [word('deploy')], beforeTs: t0 + 20 }), ['The Deploy failed again']);
      assert.deepEqual(await found({ terms: [word('deploy')], afterTs: t0 + 20 }), ['failed deploy order: words swapped']);
      assert.deepEqual(await found({ terms: [word('deploy')], afterTs: t0 + 10, beforeTs: t0 + 40 }), ['deploy finished OK, deploying the rest tomorrow']);
      // Without words: the filters alone, on the messages table.
      assert.deepEqual(await found({ channelIds: [random], order: 'oldest' }), ['lunch? The usual place', 'failed deploy order: words swapped']);
      assert.deepEqual(await found({ authorIds: [bob], channelIds: [general] }), ['deploy finished OK, deploying the rest tomorrow']);
    });

    test('orders: newest, oldest, and best match first; pages carry the total of all matches', async (t) => {
      if (!handle) return t.skip('engine not available');
      await post('dense', general, owner, 'deploy deploy deploy', t0 + 5);
      assert.deepEqual((await found({ terms: [word('deploy')], order: 'oldest' }))[0], 'deploy deploy deploy');
      assert.equal((await found({ terms: [word('deploy')], order: 'relevance' }))[0], 'deploy deploy deploy', 'the densest match ranks first');
      assert.equal((await found({ terms: [word('deploy')], order: 'newest' }))[0], 'failed deploy order: words swapped');

      const first = await search({ terms: [word('deploy')], limit: 2 });
      const second = await search({ terms: [word('deploy')], limit: 2, offset: 2 });
      assert.equal(first.total, 4);
      assert.equal(second.total, 4);
      assert.deepEqual([...first.messages, ...second.messages].map((m) => m.id), [ids.order, ids.deployOk, ids.deployFailed, ids.dense]);
      const past = await search({ terms: [word('deploy')], limit: 2, offset: 10 });
      assert.deepEqual([past.messages.length, past.total], [0, 4], 'past the last page: no messages, the total still counted');
      const filtersOnly = await search({ channelIds: [general], limit: 1, offset: 99 });
      assert.equal(filtersOnly.total, 4);
    });

    test('edits replace the indexed text; soft deletes and hard deletes remove it; all in the same transaction', async (t) => {
      if (!handle) return t.skip('engine not available');
      await store.updateMessage(ids.lunch!, { text: 'dinner instead, same place' }, t0 + 100);
      assert.deepEqual(await found({ terms: [word('lunch')] }), [], 'the old text is gone from the index');
      assert.deepEqual(await found({ terms: [word('dinner')] }), ['dinner instead, same place']);

      await store.deleteMessage(ids.deployFailed!, t0 + 101);
      assert.deepEqual(await found({ terms: [word('again')] }), [], 'a soft-deleted message is never found');
      assert.equal((await search({ terms: [word('deploy')] })).total, 3);

      // A rolled-back post leaves nothing in the index.
      await assert.rejects(
        store.transaction(async (tx) => {
          await post('rolledBack', general, owner, 'phantom deploy', t0 + 102, tx as Store);
          throw new Error('roll back');
        }),
        /roll back/,
      );
      assert.deepEqual(await found({ terms: [word('phantom')] }), []);

      await store.transaction((tx) => tx.deleteChannel(random));
      assert.deepEqual(await found({ terms: [word('dinner')] }), [], "a deleted channel's messages are gone from the index");
      assert.deepEqual(await found({ terms: [word('deploy')] }), ['deploy finished OK, deploying the rest tomorrow', 'deploy deploy deploy']);
      if (engine.name === 'sqlite') {
        const docs = await sql<{ n: number }>`select count(*) as n from message_search_docs`.execute(handle.db);
        // legacy, deployOk, dense: what is left and not deleted.
        assert.equal(Number(docs.rows[0]!.n), 3, 'the doc rows follow the messages');
        const check = await sql`insert into message_search (message_search, rank) values ('integrity-check', 0)`.execute(handle.db).then(
          () => 'ok',
          (e: Error) => e.message,
        );
        assert.equal(check, 'ok', 'FTS5 integrity check');
      }
    });

    test('SQLite: a post waits for the index until indexed; an edit, delete, restore or hard delete while it waits never touches FTS5', async (t) => {
      if (!handle) return t.skip('engine not available');
      const sqlite = engine.name === 'sqlite';
      await post('waitEdit', general, owner, 'zebra crossing', t0 + 300);
      await post('waitSoft', general, owner, 'zebra soft', t0 + 301);
      await post('waitHard', general, owner, 'zebra hard', t0 + 302);
      await post('waitRestore', general, owner, 'zebra restored', t0 + 303);
      assert.equal(await store.search.unindexed(), sqlite ? 4 : 0, 'posts wait on SQLite only');
      const ftsRows = async () => Number((await sql<{ n: number }>`select count(*) as n from message_search`.execute(handle!.db)).rows[0]!.n);
      const ftsBefore = sqlite ? await ftsRows() : 0;
      assert.deepEqual(await foundIndexed({ terms: [word('zebra')] }), sqlite ? [] : ['zebra restored', 'zebra hard', 'zebra soft', 'zebra crossing'], 'not found before indexing (SQLite)');

      // While they wait: an edit, a soft delete, a hard delete, a delete and a restore.
      await store.updateMessage(ids.waitEdit!, { text: 'okapi crossing' }, t0 + 310);
      await store.deleteMessage(ids.waitSoft!, t0 + 311);
      await sql`delete from messages where id = ${ids.waitHard!}`.execute(handle.db);
      await store.deleteMessage(ids.waitRestore!, t0 + 312);
      await sql`update messages set deleted = 0, text = 'zebra restored' where id = ${ids.waitRestore!}`.execute(handle.db);
      if (sqlite) {
        assert.equal(await store.search.unindexed(), 2, 'the edited and the restored message wait; the deleted ones left the list with their docs');
        // Had a trigger written FTS5 for a waiting doc, these would show it.
        assert.deepEqual(await foundIndexed({ terms: [word('okapi')] }), [], 'an edit while waiting wrote nothing to FTS5');
        assert.equal(await ftsRows(), ftsBefore, 'FTS5 holds no row more or less than before the posts');
        await assert.rejects(store.search.indexWaiting(10), /inside a transaction/, 'indexing outside a transaction is refused');
      }

      assert.deepEqual(await found({ terms: [word('zebra')] }), ['zebra restored'], 'indexed with the text they have now');
      assert.deepEqual(await found({ terms: [word('okapi')] }), ['okapi crossing']);
      assert.deepEqual(await found({ terms: [word('crossing')] }), ['okapi crossing']);

      // Indexed now: an edit replaces the text in FTS5 itself.
      await store.updateMessage(ids.waitEdit!, { text: 'giraffe crossing' }, t0 + 320);
      assert.equal(await store.search.unindexed(), 0, 'an edit of an indexed message does not wait');
      assert.deepEqual(await foundIndexed({ terms: [word('okapi')] }), []);
      assert.deepEqual(await foundIndexed({ terms: [word('giraffe')] }), ['giraffe crossing']);
      await store.deleteMessage(ids.waitEdit!, t0 + 321);
      await store.deleteMessage(ids.waitRestore!, t0 + 322);
      assert.deepEqual(await found({ terms: [word('crossing')] }), []);
      assert.deepEqual(await found({ terms: [word('zebra')] }), []);
      if (sqlite) {
        const check = await sql`insert into message_search (message_search, rank) values ('integrity-check', 0)`.execute(handle.db).then(
          () => 'ok',
          (e: Error) => e.message,
        );
        assert.equal(check, 'ok', 'FTS5 integrity check');
      }
    });

    test('text the tokenizer splits: punctuation separates words, letters of any script are words', async (t) => {
      if (!handle) return t.skip('engine not available');
      await post('mixed', general, owner, 'Ship it: e-mail Ünïcode naïve 東京 v2.1! ask x@y.com', t0 + 200);
      assert.deepEqual(await found({ terms: [phrase('e', 'mail')] }), ['Ship it: e-mail Ünïcode naïve 東京 v2.1! ask x@y.com']);
      assert.deepEqual(await found({ terms: [word('ünïcode')] }).then((x) => x.length), 1, 'case folding beyond ASCII');
      assert.deepEqual(await found({ terms: [phrase('v2', '1')] }).then((x) => x.length), 1, 'v2.1 is the words v2 and 1 on both engines');
      assert.deepEqual(await found({ terms: [phrase('ask', 'x', 'y', 'com')] }).then((x) => x.length), 1);
      assert.deepEqual(await found({ terms: [word('東京')] }).then((x) => x.length), 1);
      assert.deepEqual(await found({ terms: [word('naive')] }), [], 'diacritics are kept (both engines alike)');
    });

    after(async () => {
      await cleanup?.();
    });
  });
}
