/**
 * Route schemas are compiled at each route's first use (surfaces/http/lazy-schemas.ts): a server
 * with every surface compiles all of what is still pending without one failure — what Fastify's
 * start would have caught — and a route validates and serializes the same before and after.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../support/helpers.js';

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(async () => {
  await s?.close();
});

test('validation and serialization work through the lazy compilers, first call and later ones', async () => {
  for (let i = 0; i < 2; i++) {
    const bad = await s.owner.post('/v1/channels', { name: 7, type: 'PUBLIC' });
    assert.equal(bad.status, 400, bad.text);
    assert.equal(bad.body.field, 'name');
    const me = await s.owner.get('/v1/workspace');
    assert.equal(me.status, 200);
    assert.equal(typeof me.body.id, 'string');
  }
  // Rocket.Chat's surface has its own validator (first error per branch), lazy too
  const rc = await fetch(`${s.url}/api/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 123, password: 'x' }) });
  assert.equal(rc.status, 400);
  assert.equal(((await rc.json()) as { errorType: string }).errorType, 'invalid-params');
});

test('every route schema of every surface compiles', () => {
  // hundreds of routes, a few used so far: most of their schemas are still to compile
  assert.ok(s.sb.schemas.pendingCount() > 300, `${s.sb.schemas.pendingCount()} pending`);
  const failures = s.sb.schemas.compileAll();
  assert.deepEqual(failures.map((f) => `${f.what}: ${String(f.error)}`), []);
  assert.equal(s.sb.schemas.pendingCount(), 0, 'nothing left pending');
});
