/**
 * `integrations.replayOutgoing` (docs/integrations.md §6.8; §12.3 #42–#44) through the core service the
 * Rocket.Chat route calls, and history retention (§8.9).
 */
import { test, before, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { bodyOf, deliveriesOf, finishedHistory, historyOf, hitsUntil, newRoom, postMessage, receiver, scopedOutgoing, settleAt, startEnv, until, type Env } from '../support/outgoing-webhooks-fixtures.js';
import { IntegrationError } from '../../src/domain/integrations/errors.js';
import type { IntegrationDoc } from '../../src/domain/integrations/document.js';

let env: Env;
before(async () => {
  // Retention of 2 days, so that the pruning test can tell the setting from the 30-day default.
  env = await startEnv({ env: { INTEGRATION_HISTORY_RETENTION_DAYS: '2' } });
});
after(async () => {
  await env.s.close();
});

async function setup(t: TestContext, fields: Record<string, unknown> = {}) {
  const room = await newRoom(env, 'replay');
  const r = await receiver();
  const doc: IntegrationDoc = await scopedOutgoing(env, t, { channel: `#${room.name}`, urls: [`${r.url}/hook`], ...fields });
  return { roomId: room.id, r, doc };
}

const replay = (integrationId: string, historyId: string) => env.s.sb.core.integrations.replayOutgoing(env.owner, integrationId, historyId);

async function rejects(p: Promise<unknown>, errorType: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof IntegrationError, String(e));
    assert.equal(e.errorType, errorType);
    return true;
  });
}

async function settled(integrationId: string) {
  return until(async () => {
    const ds = await deliveriesOf(env, integrationId);
    return ds.length > 0 && ds.every((d) => d.status !== 'pending') ? ds : undefined;
  });
}

test('#44 a replay re-reads the message and sends it again to the stored url, under the same webhook-id', async (t) => {
  const { roomId, r, doc } = await setup(t);
  const m = await postMessage(env.s.owner, roomId, 'original text');
  const [first] = await hitsUntil(r, 1);
  const [h] = await finishedHistory(env, doc._id);
  await settled(doc._id);
  assert.equal((await env.s.owner.put(`/v1/channels/${roomId}/messages/${m.id}`, { text: 'changed text' })).status, 200);

  await replay(doc._id, h!.id);
  const [, again] = await hitsUntil(r, 2);
  assert.equal(again!.headers['webhook-id'], first!.headers['webhook-id']);
  const body = bodyOf(again!);
  assert.equal(body.message_id, m.id);
  assert.equal(body.text, 'changed text');
  assert.equal(body.isEdited, true);
  assert.equal(body.token, doc.token);
  const [d] = await settled(doc._id);
  assert.deepEqual(
    d!.attempts.map((a) => [a.n, a.manual]),
    [
      [1, false],
      [2, true],
    ],
  );
  const records = await finishedHistory(env, doc._id, 2);
  assert.deepEqual(
    records.map((x) => [x.deliveryId, x.record.attempt]),
    [
      [d!.id, 1],
      [d!.id, 2],
    ],
  );
});

test('#44 a delivery gone from the log (retention) is recorded anew under its old id', async (t) => {
  const { roomId, r, doc } = await setup(t);
  await postMessage(env.s.owner, roomId, 'soon forgotten');
  const [first] = await hitsUntil(r, 1);
  const [h] = await finishedHistory(env, doc._id);
  const [d] = await settled(doc._id);
  await env.s.sb.store.deliveries.prune(Date.now() + 1000);
  assert.equal(await env.s.sb.store.deliveries.delivery(d!.id), undefined);

  await replay(doc._id, h!.id);
  const [, again] = await hitsUntil(r, 2);
  assert.equal(again!.headers['webhook-id'], first!.headers['webhook-id']);
  assert.equal(bodyOf(again!).text, 'soon forgotten');
  const back = await until(async () => {
    const x = await env.s.sb.store.deliveries.delivery(d!.id);
    return x?.status === 'succeeded' ? x : undefined;
  });
  assert.equal(back.eventId, `replay:${h!.id}`);
});

test('#43 a record without url (the script cancelled the call) replays as a no-op', async (t) => {
  const { roomId, r, doc } = await setup(t, { scriptEnabled: true, script: 'class Script { prepare_outgoing_request() { return null } }' });
  await postMessage(env.s.owner, roomId, 'never sent');
  const [h] = await finishedHistory(env, doc._id);
  assert.equal(h!.record.step, 'after-prepare-no-opts');
  await replay(doc._id, h!.id);
  await settleAt(r, 0, 400);
  assert.equal((await historyOf(env, doc._id)).length, 1);
});

test('#42 replays that cannot be: unknown history, an incoming integration, no data, payloads not kept, integration disabled', async (t) => {
  const { roomId, doc } = await setup(t);
  await postMessage(env.s.owner, roomId, 'x');
  const [h] = await finishedHistory(env, doc._id);
  await rejects(replay(doc._id, '0123456789abcdef01234567'), 'error-invalid-integration-history');

  const incoming = await env.s.sb.core.integrations.create(env.owner, {
    type: 'webhook-incoming',
    name: 'in',
    enabled: true,
    username: env.owner.username,
    channel: '#general',
    scriptEnabled: false,
  });
  t.after(() => env.s.sb.core.integrations.remove(env.owner, { type: 'webhook-incoming', integrationId: incoming._id }).catch(() => undefined));
  const at = Date.now();
  const row = (id: string, integrationId: string, record: Record<string, unknown>) => ({
    id,
    workspaceId: env.s.workspaceId,
    integrationId,
    type: 'outgoing-webhook' as const,
    integrationCreatedBy: env.owner.id,
    deliveryId: null,
    createdAt: at,
    updatedAt: at,
    record: { _id: id, type: 'outgoing-webhook', step: 'pre-http-call', ...record },
  });
  await env.s.sb.store.integrations.insertHistory(row('0a0a0a0a0a0a0a0a0a0a0a0a', incoming._id, { url: 'http://127.0.0.1:9/x', data: { message_id: 'x' } }));
  await rejects(replay(incoming._id, '0a0a0a0a0a0a0a0a0a0a0a0a'), 'integration-type-must-be-outgoing');
  await env.s.sb.store.integrations.insertHistory(row('0b0b0b0b0b0b0b0b0b0b0b0b', doc._id, { url: 'http://127.0.0.1:9/x' }));
  await rejects(replay(doc._id, '0b0b0b0b0b0b0b0b0b0b0b0b'), 'history-data-must-be-defined');

  const secret = await setup(t, { storePayloadsInHistory: false });
  await postMessage(env.s.owner, secret.roomId, 'private');
  const [sh] = await finishedHistory(env, secret.doc._id);
  await settled(secret.doc._id);
  await rejects(replay(secret.doc._id, sh!.id), 'history-data-must-be-defined');

  await env.s.sb.core.integrations.update(env.owner, { type: 'webhook-outgoing', integrationId: doc._id, enabled: false });
  await rejects(replay(doc._id, h!.id), 'error-integration-disabled');
});

test('history older than the retention setting (INTEGRATION_HISTORY_RETENTION_DAYS) is pruned by the queue housekeeping', async (t) => {
  const { roomId, doc } = await setup(t);
  await postMessage(env.s.owner, roomId, 'recent');
  const [recent] = await finishedHistory(env, doc._id);
  const aged = async (id: string, days: number) => {
    const at = Date.now() - days * 24 * 3600_000;
    await env.s.sb.store.integrations.insertHistory({
      id,
      workspaceId: env.s.workspaceId,
      integrationId: doc._id,
      type: 'outgoing-webhook',
      integrationCreatedBy: env.owner.id,
      deliveryId: null,
      createdAt: at,
      updatedAt: at,
      record: { _id: id, type: 'outgoing-webhook', step: 'after-http-call', _createdAt: new Date(at).toISOString() },
    });
  };
  await aged('0c0c0c0c0c0c0c0c0c0c0c0c', 3);
  await aged('0d0d0d0d0d0d0d0d0d0d0d0d', 1);
  assert.equal((await historyOf(env, doc._id)).length, 3);
  await env.s.sb.deliveryQueue.housekeeping();
  assert.deepEqual((await historyOf(env, doc._id)).map((h) => h.id).sort(), [recent!.id, '0d0d0d0d0d0d0d0d0d0d0d0d'].sort());
});
