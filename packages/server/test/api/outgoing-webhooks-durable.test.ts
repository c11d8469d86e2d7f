/**
 * Outgoing-webhook retries are durable (docs/integrations.md §8.7, §13: not an in-memory timer): a retry
 * scheduled before a restart happens after it, under the same webhook-id. And the live queue keeps
 * the short delays: powers-of-ten retries after 100 ms and 1 s, not at the next poll.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startTestServer, tempDir } from '../support/helpers.js';
import { deliveriesOf, finishedHistory, hitsUntil, outgoing, postMessage, receiver, startEnv, until, type Env } from '../support/outgoing-webhooks-fixtures.js';

test('a retry scheduled before a restart is made by the next server on the same database', async (t) => {
  const dir = tempDir('sb-outgoing-durable-');
  t.after(() => dir.remove());
  const config = { databaseUrl: `sqlite:${join(dir.path, 'sb.db')}`, dataDir: dir.path, env: { HOOK_RATE_LIMITS: 'off' } };
  let calls = 0;
  const r = await receiver(() => (++calls === 1 ? { status: 503 } : { status: 200 }));

  const first = await startTestServer(config);
  const owner = (await first.sb.store.user(first.workspaceId, first.ownerId))!;
  const env1: Env = { s: first, owner, member: first.owner, memberUser: owner };
  const doc = await outgoing(env1, { urls: [`${r.url}/durable`], retryFailedCalls: true, retryCount: 2, retryDelay: 'powers-of-two' });
  await postMessage(first.owner, first.generalId, 'survive a restart');
  const [hit1] = await hitsUntil(r, 1);
  const pending = await until(async () => {
    const [d] = await deliveriesOf(env1, doc._id);
    return d && d.attemptCount === 1 && d.status === 'pending' ? d : undefined;
  });
  // The retry is due 2 s after the failure: the server goes down before that.
  await first.close();
  assert.equal(r.hits.length, 1);

  // The database has its owner already: the second start bootstraps nothing, and the owner logs in.
  const second = await startTestServer(config);
  t.after(() => second.close());
  const [, hit2] = await hitsUntil(r, 2, 10_000);
  assert.equal(hit2!.headers['webhook-id'], hit1!.headers['webhook-id']);
  assert.equal(hit2!.headers['webhook-id'], pending.id);
  assert.equal(hit2!.headers['switchboard-delivery-attempt'], '2');
  assert.ok(Date.now() - pending.nextAttemptAt > -50, 'not before it was due');
  const env2: Env = { ...env1, s: second };
  const done = await until(async () => {
    const [d] = await deliveriesOf(env2, doc._id);
    return d?.status === 'succeeded' ? d : undefined;
  });
  assert.deepEqual(
    done.attempts.map((a) => a.responseStatus),
    [503, 200],
  );
  const records = await finishedHistory(env2, doc._id, 2);
  assert.deepEqual(
    records.map((h) => h.record.step),
    ['going-to-retry-1', 'after-http-call'],
  );
});

test('the live queue keeps short delays: powers-of-ten retries come 100 ms and 1 s after the failures', async (t) => {
  const env = await startEnv();
  t.after(() => env.s.close());
  const r = await receiver(() => ({ status: 500 }));
  const doc = await outgoing(env, { urls: [`${r.url}/fast`], retryFailedCalls: true, retryCount: 2, retryDelay: 'powers-of-ten' });
  await postMessage(env.s.owner, env.s.generalId, 'hurry');
  await hitsUntil(r, 3, 8000);
  const d = await until(async () => {
    const [x] = await deliveriesOf(env, doc._id);
    return x?.status === 'failed' ? x : undefined;
  });
  const [a1, a2, a3] = d.attempts;
  const gap1 = a2!.startedAt - (a1!.startedAt + a1!.durationMs);
  const gap2 = a3!.startedAt - (a2!.startedAt + a2!.durationMs);
  // Never early (the exact delays are asserted on a hand-moved clock in outgoing-webhooks-retries).
  // No upper bounds: a loaded CI machine delays timers, and tests assert behaviour, not speed.
  assert.ok(gap1 >= 90, `first retry after ${gap1} ms`);
  assert.ok(gap2 >= 990, `second retry after ${gap2} ms`);
});
