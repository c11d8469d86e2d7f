/**
 * ScriptCache's life cycle of runners (docs/integrations.md §7.7: one Script instance until the script
 * changes; §9.3: `Store` per integration, per process, lost on edit).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { compileScript, ScriptCache } from '../../src/scripts/index.js';

const cache = new ScriptCache({ limits: { callMs: 500, wallMs: 2000 }, maxRunners: 2 });
after(() => cache.clear());

test('ScriptCache: one runner per integration and version; edits and removal reset Store; LRU cap', async () => {
  const compiled = await compileScript(`class Script { count() { return Store.set('n', (Store.get('n') || 0) + 1) } }`);
  assert.ok(compiled.ok);
  const count = async (id: string, version: string) => {
    const r = await cache.get(id, compiled.compiled, version).call('count', {});
    assert.ok(r.ok, JSON.stringify(r));
    return r.result;
  };
  assert.equal(await count('a', 'v1'), 1);
  assert.equal(await count('a', 'v1'), 2);
  assert.equal(cache.get('a', compiled.compiled, 'v1'), cache.get('a', compiled.compiled, 'v1'));
  assert.equal(await count('a', 'v2'), 1, 'an edit (new version) starts a fresh Store');
  assert.equal(await count('b', 'v1'), 1);
  cache.delete('b');
  assert.equal(await count('b', 'v1'), 1, 'a removed integration starts over');

  const b = cache.get('b', compiled.compiled, 'v1');
  const a = cache.get('a', compiled.compiled, 'v2'); // used last
  assert.equal(cache.size, 2);
  cache.get('c', compiled.compiled, 'v1'); // over the cap: the least recently used idle runner goes
  assert.equal(cache.size, 2);
  await assert.rejects(b.call('count', {}), /disposed/);
  assert.equal((await a.call('count', {})).ok, true);
});

test('ScriptCache: an edit lets the call already running on the old script finish', async () => {
  const slow = await compileScript(`class Script { async m() { await new Promise((resolve) => resolve()); let x = 0; for (let i = 0; i < 1e5; i++) x += i; return 'old' } }`);
  const fresh = await compileScript(`class Script { m() { return 'new' } }`);
  assert.ok(slow.ok && fresh.ok);
  const running = cache.get('edit', slow.compiled).call('m', {});
  const next = cache.get('edit', fresh.compiled);
  const [before, after] = await Promise.all([running, next.call('m', {})]);
  assert.deepEqual([before.ok && before.result, after.ok && after.result], ['old', 'new']);
});
