/**
 * Message search pages against a reference, on both engines (store/search-store.ts): every page of
 * newest- and oldest-first results, for dense and sparse words, a phrase, a prefix, with channel,
 * author and time filters, is exactly the slice of all matching messages sorted by id that the
 * reference computes — and the total is their number.
 *
 * SQLite takes the page from the matches FTS5 finds first in doc order and corrects for docs that
 * are not in id order (search-store.ts `sqliteByTime`), so the messages here are written out of id
 * order on purpose: first in order (docs follow ids), then newer and older ones shuffled, then old
 * messages deleted and restored (a restored message gets a new doc). Channels of another workspace
 * and a channel not listed hold matching messages too: the total must never count them, whether or
 * not the listed channels are all that have messages (the count's shortcut).
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { Store } from '../../src/store/store.js';
import type { DatabaseHandle } from '../../src/store/database.js';
import { newId } from '../../src/domain/ids.js';
import type { MessageSearchSpec, SearchTerm } from '../../src/domain/ports/search.js';
import { engines, storeWithOwner } from '../support/engines.js';

/** A message id of that millisecond (ids sort by creation time, domain/ids.ts). */
const idAt = (at: number) => at.toString(16).padStart(12, '0') + newId().slice(12);

/** mulberry32: the same messages on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Written {
  id: string;
  channelId: string;
  authorId: string;
  at: number;
  words: string[];
  deleted: boolean;
}

const TERMS: Record<string, SearchTerm[]> = {
  'dense word': [{ tokens: ['alpha'], prefix: false }],
  'sparse word': [{ tokens: ['beta'], prefix: false }],
  phrase: [{ tokens: ['gamma', 'delta'], prefix: false }],
  'two words': [
    { tokens: ['alpha'], prefix: false },
    { tokens: ['echo'], prefix: false },
  ],
  prefix: [{ tokens: ['ec'], prefix: true }],
};

function matches(words: readonly string[], terms: readonly SearchTerm[]): boolean {
  return terms.every((t) => {
    for (let i = 0; i + t.tokens.length <= words.length; i++) {
      if (t.tokens.every((tok, k) => (t.prefix && k === t.tokens.length - 1 ? words[i + k]!.startsWith(tok) : words[i + k] === tok))) return true;
    }
    return false;
  });
}

for (const engine of engines) {
  describe(`message search pages on ${engine.name}`, () => {
    let store: Store | undefined;
    let handle: DatabaseHandle | undefined;
    let cleanup: (() => Promise<void>) | undefined;
    const ws = newId();
    const otherWs = newId();
    const owner = newId();
    const bob = newId();
    const stranger = newId();
    const general = newId();
    const team = newId();
    const secret = newId();
    const elsewhere = newId();
    const t0 = 1_700_000_000_000;
    const written: Written[] = [];
    const rand = random(7);
    const vocabulary = ['alpha', 'alpha', 'alpha', 'beta', 'gamma', 'delta', 'echo', 'echoes', 'foxtrot', 'golf'];

    async function write(at: number, channelId: string, authorId: string, workspaceId = ws): Promise<void> {
      const n = 3 + Math.floor(rand() * 6);
      const words = Array.from({ length: n }, () => vocabulary[Math.floor(rand() * vocabulary.length)]!);
      if (rand() < 0.15) words.splice(Math.floor(rand() * words.length), 0, 'gamma', 'delta');
      const m: Written = { id: idAt(at), channelId, authorId, at, words, deleted: false };
      written.push(m);
      await store!.insertMessage({ id: m.id, workspaceId, channelId, authorId, text: words.join(' '), blocks: null, attachments: null, threadRootId: null, now: at });
    }

    /** The reference: every written, undeleted message that matches, sorted by id. */
    function expected(q: MessageSearchSpec): { ids: string[]; total: number } {
      const all = written
        .filter((m) => !m.deleted && q.channelIds.includes(m.channelId) && matches(m.words, q.terms))
        .filter((m) => (q.authorIds ? q.authorIds.includes(m.authorId) : true))
        .filter((m) => (q.beforeTs !== undefined ? m.at < q.beforeTs : true) && (q.afterTs !== undefined ? m.at > q.afterTs : true))
        .map((m) => m.id)
        .sort();
      if (q.order === 'newest') all.reverse();
      return { ids: all.slice(q.offset, q.offset + q.limit), total: all.length };
    }

    /** What the domain does before every search (domain/search.ts): index what waits (SQLite, migration 0029). */
    async function indexWaiting(): Promise<void> {
      while ((await store!.transaction((tx) => tx.search.indexWaiting(256))) > 0);
    }

    async function compareAll(label: string): Promise<void> {
      await indexWaiting();
      const channelSets: Record<string, string[]> = {
        'all of the workspace': [general, team, secret],
        'one channel': [team],
        'every channel there is': [general, team, secret, elsewhere],
      };
      const specs: Array<{ name: string; q: Omit<MessageSearchSpec, 'order' | 'offset' | 'limit'> }> = [];
      for (const [termName, terms] of Object.entries(TERMS)) {
        for (const [setName, channelIds] of Object.entries(channelSets)) specs.push({ name: `${termName}, ${setName}`, q: { terms, channelIds } });
        const channelIds = [general, team, secret];
        const window = { afterTs: t0 + 30_000, beforeTs: t0 + 170_000 };
        specs.push({ name: `${termName}, by bob`, q: { terms, channelIds, authorIds: [bob] } });
        specs.push({ name: `${termName}, in a time window`, q: { terms, channelIds, ...window } });
        specs.push({ name: `${termName}, by bob in a time window`, q: { terms, channelIds, authorIds: [bob], ...window } });
      }
      for (const { name, q } of specs) {
        for (const order of ['newest', 'oldest'] as const) {
          const { total } = expected({ ...q, order, offset: 0, limit: 1 });
          for (const [offset, limit] of [[0, 20], [0, 1], [3, 7], [20, 20], [45, 10], [Math.max(total - 2, 0), 5], [total + 3, 5]] as const) {
            const spec: MessageSearchSpec = { ...q, order, offset, limit };
            const want = expected(spec);
            const got = await store!.search.searchMessages(spec);
            assert.deepEqual(
              { ids: got.messages.map((m) => m.id), total: got.total },
              want,
              `${label}: ${name}, ${order}, offset ${offset}, limit ${limit}`,
            );
          }
        }
      }
    }

    test('messages written in id order: every page is exact', async (t) => {
      const opened = await storeWithOwner(engine, t, { workspaceId: ws, ownerId: owner, now: t0 });
      if (!opened) return;
      ({ store, cleanup, handle } = opened);
      await store.insertUser({ id: bob, workspaceId: ws, email: 'bob@x.io', name: 'Bob', role: 'MEMBER', passwordHash: null, now: t0 });
      await store.insertWorkspace({ id: otherWs, name: 'Other', locale: 'en', createdAt: t0 });
      await store.insertUser({ id: stranger, workspaceId: otherWs, email: 'stranger@x.io', name: 'Stranger', role: 'OWNER', passwordHash: null, now: t0 });
      for (const [id, name, type] of [[general, 'general', 'PUBLIC'], [team, 'team', 'PUBLIC'], [secret, 'secret', 'PRIVATE']] as const) {
        await store.insertChannel({ id, workspaceId: ws, type, name, directKey: null, description: '', isMain: false, createdBy: owner, now: t0 });
      }
      await store.insertChannel({ id: elsewhere, workspaceId: otherWs, type: 'PUBLIC', name: 'elsewhere', directKey: null, description: '', isMain: false, createdBy: stranger, now: t0 });
      const channels = [general, team, secret];
      for (let i = 0; i < 200; i++) {
        if (i % 10 === 9) await write(t0 + i * 1000, elsewhere, stranger, otherWs);
        else await write(t0 + i * 1000, channels[i % 3]!, i % 4 === 0 ? bob : owner);
      }
      await compareAll('in order');
    });

    test('messages written out of id order, and old ones deleted and restored: every page is still exact', async (t) => {
      if (!store) return t.skip('engine not available');
      // Newer messages first, then ones older than they are, between and before the first 200.
      const times = [
        ...Array.from({ length: 40 }, (_, i) => t0 + 400_000 - i * 1000),
        ...Array.from({ length: 30 }, (_, i) => t0 + 250_000 + i * 1000 + 500),
        ...Array.from({ length: 40 }, () => t0 + Math.floor(rand() * 200) * 1000 + 1 + Math.floor(rand() * 998)),
      ];
      const channels = [general, team, secret];
      for (const [i, at] of times.entries()) await write(at, channels[i % 3]!, i % 3 === 0 ? bob : owner);
      // Old messages deleted, then restored: each comes back with a new doc (migration 0018's triggers).
      const old = written.filter((m) => m.at < t0 + 100_000 && m.channelId !== elsewhere).slice(0, 12);
      for (const m of old) await sql`update messages set deleted = 1 where id = ${m.id}`.execute(handle!.db);
      for (const m of old.slice(0, 8)) await sql`update messages set deleted = 0 where id = ${m.id}`.execute(handle!.db);
      for (const m of old.slice(8)) m.deleted = true;
      await compareAll('out of order');
    });

    test('best match first: the same matches and total as the reference, over all pages', async (t) => {
      if (!store) return t.skip('engine not available');
      const s: Store = store;
      await indexWaiting();
      const q = { terms: TERMS['sparse word']!, channelIds: [general, team, secret], order: 'relevance' as const };
      const { total } = expected({ ...q, order: 'newest', offset: 0, limit: 1 });
      const seen: string[] = [];
      for (let offset = 0; offset < total; offset += 20) {
        const page = await s.search.searchMessages({ ...q, offset, limit: 20 });
        assert.equal(page.total, total);
        seen.push(...page.messages.map((m) => m.id));
      }
      assert.deepEqual(seen.sort(), expected({ ...q, order: 'oldest', offset: 0, limit: total }).ids);
    });

    after(async () => {
      await cleanup?.();
    });
  });
}
