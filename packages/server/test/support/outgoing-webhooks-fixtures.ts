/**
 * Shared by the outgoing-webhook tests: a real server, receivers on 127.0.0.1 that record what they
 * get and answer as told, integrations created through the core's Integrations service (as the
 * Rocket.Chat routes do), and waits on the outcomes that land asynchronously (deliveries, history).
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { createUser, startTestServer, type Client, type TestServer } from './helpers.js';
import { receiver, type Answer, type Hit, type Receiver } from './delivery-fixtures.js';
import type { IntegrationDoc } from '../../src/domain/integrations/document.js';
import type { User } from '../../src/domain/model.js';
import type { HistoryRow } from '../../src/domain/ports/integrations.js';
import type { DeliveryWithAttempts } from '../../src/domain/ports/deliveries.js';

export { receiver, type Answer, type Hit, type Receiver };

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns something other than undefined/false, or fails after `ms`. */
export async function until<T>(check: () => Promise<T | undefined | false> | T | undefined | false, ms = 8000, what = 'condition'): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

export interface Env {
  s: TestServer;
  owner: User;
  /** a second person, a plain member */
  member: Client;
  memberUser: User;
}

export async function startEnv(overrides: Parameters<typeof startTestServer>[0] = {}): Promise<Env> {
  const s = await startTestServer({ ...overrides, env: { HOOK_RATE_LIMITS: 'off', ...overrides.env } });
  const owner = (await s.sb.store.user(s.workspaceId, s.ownerId))!;
  const member = await createUser(s.owner, 'MEMBER', 'Mia Member');
  const memberUser = (await s.sb.store.user(s.workspaceId, member.userId))!;
  return { s, owner, member, memberUser };
}

let seq = 0;
/** An outgoing integration created as the owner (post-as: the owner unless told), `#general`, sendMessage. */
export async function outgoing(env: Env, fields: Record<string, unknown>): Promise<IntegrationDoc> {
  return env.s.sb.core.integrations.create(env.owner, {
    type: 'webhook-outgoing',
    name: `hook ${++seq}`,
    enabled: true,
    username: env.owner.username,
    channel: '#general',
    event: 'sendMessage',
    scriptEnabled: false,
    ...fields,
  });
}

/** `outgoing`, removed when the test ends so that it cannot hear later tests' events. */
export async function scopedOutgoing(env: Env, t: TestContext, fields: Record<string, unknown>): Promise<IntegrationDoc> {
  const doc = await outgoing(env, fields);
  t.after(() => env.s.sb.core.integrations.remove(env.owner, { type: 'webhook-outgoing', integrationId: doc._id }).catch(() => undefined));
  return doc;
}

let roomSeq = 0;
/** A fresh channel made by the owner (`<prefix>-<n>`), with the env's member in it when asked. */
export async function newRoom(env: Env, prefix: string, opts: { type?: 'PUBLIC' | 'PRIVATE'; withMember?: boolean } = {}): Promise<{ id: string; name: string }> {
  const name = `${prefix}-${++roomSeq}`;
  const r = await env.s.owner.post('/v1/channels', { name, ...(opts.type && { type: opts.type }) });
  assert.equal(r.status, 200, r.text);
  const id = r.body.channel.id as string;
  if (opts.withMember) assert.equal((await env.s.owner.post(`/v1/channels/${id}/users`, { userIds: [env.member.userId] })).status, 200);
  return { id, name };
}

export async function postMessage(client: Client, channelId: string, text: string): Promise<{ id: string }> {
  const r = await client.post(`/v1/channels/${channelId}/messages`, { text });
  assert.equal(r.status, 200, r.text);
  return r.body as { id: string };
}

/** The integration's history records (newest last). */
export async function historyOf(env: Env, integrationId: string): Promise<HistoryRow[]> {
  const { items } = await env.s.sb.store.integrations.listHistory(env.s.workspaceId, {
    integrationId,
    type: 'outgoing-webhook',
    sort: { field: '_createdAt', direction: 'asc' },
    offset: 0,
    count: 1000,
  });
  return items;
}

/** Waits until the integration has `n` history records whose step is final (`finished`). */
export function finishedHistory(env: Env, integrationId: string, n = 1, ms = 8000): Promise<HistoryRow[]> {
  return until(
    async () => {
      const rows = await historyOf(env, integrationId);
      const done = rows.filter((r) => r.record.finished === true);
      return done.length >= n ? done : undefined;
    },
    ms,
    `${n} finished history record(s)`,
  );
}

/** The integration's deliveries, oldest first. */
export async function deliveriesOf(env: Env, integrationId: string): Promise<DeliveryWithAttempts[]> {
  return (await env.s.sb.store.deliveries.list({ endpointId: integrationId, limit: 1000 })).reverse();
}

export function hitsUntil(r: Receiver, n: number, ms = 8000): Promise<Hit[]> {
  return until(() => (r.hits.length >= n ? r.hits : undefined), ms, `${n} request(s) at the receiver`);
}

/** Waits a little and asserts that the receiver got exactly `n` requests. */
export async function settleAt(r: Receiver, n: number, ms = 400): Promise<void> {
  await sleep(ms);
  assert.equal(r.hits.length, n, `receiver hits: ${r.hits.map((h) => h.body).join('\n')}`);
}

export const bodyOf = (h: Hit): Record<string, any> => JSON.parse(h.body) as Record<string, any>;

/** Messages in a channel (newest first) as the core sees them. */
export async function messagesIn(env: Env, channelId: string) {
  return (await env.s.sb.core.messages.list(env.owner, channelId, { limit: 50 })).messages;
}
