/**
 * The per-integration token bucket of incoming webhooks over real HTTP (docs/integrations.md §7.2, §10,
 * §11; docs/delivery.md §10): every URL form answers 429 with an accurate Retry-After, the X-RateLimit-*
 * headers and its own error body; successes carry the headers too. Run against a server on the
 * in-memory limiter and one on Redis, and across two nodes sharing one Redis.
 *
 * No assertion depends on how fast the requests go: the integrations refill at 0.001/s (one token per
 * 1 000 s), so a burst test sees exactly its 30 tokens; at 1/s, the first refusal's Retry-After is 1
 * whatever time has passed (the next token is always less than a second away).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { REDIS_URL, REQUIRE_SERVICES, freshPostgresDatabase, http, needs, redisAvailable, startTestServer, type Reply, type TestServer } from '../support/helpers.js';
import type { IntegrationDoc } from '../../src/domain/integrations/document.js';
import type { User } from '../../src/domain/model.js';
import { HOOK_IP_LIMIT, HOOK_IP_WINDOW_MS } from '../../src/domain/integrations/incoming-rate-limit.js';

const SLOW = 0.001; // tokens per second: no refill within any test

async function incoming(server: TestServer, fields: Record<string, unknown>): Promise<IntegrationDoc> {
  const owner = (await server.sb.store.user(server.workspaceId, server.ownerId)) as User;
  return server.sb.core.integrations.create(owner, {
    type: 'webhook-incoming',
    name: `rate-${randomBytes(4).toString('hex')}`,
    enabled: true,
    username: owner.username,
    channel: '#general',
    scriptEnabled: false,
    ...fields,
  });
}

const viaHooks = (s: TestServer, doc: IntegrationDoc) => http(s.url, 'POST', `/hooks/${doc._id}/${doc.token}`, { body: { text: 'rate test' } });
const viaSlack = (s: TestServer, doc: IntegrationDoc) => http(s.url, 'POST', `/services/${doc._id}/${doc.token}`, { body: { text: 'rate test' } });
const viaPumble = (s: TestServer, doc: IntegrationDoc) => http(s.url, 'POST', `/workspaces/${s.workspaceId}/incomingWebhooks/postMessage/${doc.token}`, { body: { text: 'rate test' } });

/** Sends until the first 429 (bounded, so a broken limit fails instead of hanging); the successes before it. */
async function untilRefused(send: () => Promise<Reply>, max = 500): Promise<{ accepted: Reply[]; refused: Reply }> {
  const accepted: Reply[] = [];
  for (let i = 0; i < max; i++) {
    const r = await send();
    if (r.status === 429) return { accepted, refused: r };
    assert.equal(r.status, 200, `request ${i + 1}: ${r.text}`);
    accepted.push(r);
  }
  assert.fail(`no 429 after ${max} requests`);
}

const header = (r: Reply, name: string) => r.headers.get(name);

/** The tests of one limiter backend; `start` gives no server when the backend is not available. */
function rateLimitTests(label: string, start: () => Promise<TestServer | undefined>) {
  describe(label, () => {
    let server: TestServer | undefined;
    before(async () => {
      server = await start();
    });
    after(async () => {
      await server?.close();
    });

    test('/hooks: a burst of 30, then 429 with Retry-After, X-RateLimit-* (reset in epoch ms) and the §3 body', async (t) => {
      if (!server) return t.skip('redis not available');
      const s = server;
      const doc = await incoming(s, { rateLimitPerSecond: SLOW });
      const before = Date.now();
      const { accepted, refused } = await untilRefused(() => viaHooks(s, doc));
      assert.equal(accepted.length, 30, 'the burst');
      // Successes tell the sender where it stands.
      accepted.forEach((r, i) => {
        assert.equal(header(r, 'x-ratelimit-limit'), '30');
        assert.equal(header(r, 'x-ratelimit-remaining'), String(29 - i));
      });
      const retryAfter = Number(header(refused, 'retry-after'));
      assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 1000, `Retry-After ${header(refused, 'retry-after')}: the next token is at most 1 000 s away`);
      assert.equal(header(refused, 'x-ratelimit-limit'), '30');
      assert.equal(header(refused, 'x-ratelimit-remaining'), '0');
      const reset = Number(header(refused, 'x-ratelimit-reset'));
      // Refused means less than one token: full again 29 000–30 000 s from now.
      assert.ok(reset > before + 29_000_000 && reset <= Date.now() + 30_000_000, `X-RateLimit-Reset ${reset}: when the bucket is full again, in epoch ms`);
      assert.deepEqual(refused.body, {
        success: false,
        error: `Error, too many requests. Please slow down. You must wait ${retryAfter} seconds before trying this endpoint again. [error-too-many-requests]`,
        errorType: 'error-too-many-requests',
      });
      // The REST-hook URLs of the integration take from the same bucket.
      assert.equal((await http(s.url, 'GET', `/hooks/info/${doc._id}/${doc.token}`)).status, 429);
    });

    test('/services (Slack): the same bucket as /hooks; 429 `rate_limited` with Retry-After 1 at 1/s', async (t) => {
      if (!server) return t.skip('redis not available');
      const s = server;
      const doc = await incoming(s, { rateLimitPerSecond: 1 });
      const { accepted, refused } = await untilRefused(() => viaSlack(s, doc));
      assert.ok(accepted.length >= 30, `${accepted.length} accepted: at least the burst`);
      assert.equal(accepted[0]!.text, 'ok');
      assert.equal(header(accepted[0]!, 'x-ratelimit-limit'), '30');
      assert.deepEqual([refused.status, refused.text], [429, 'rate_limited']);
      assert.match(header(refused, 'content-type') ?? '', /^text\/plain/);
      assert.equal(header(refused, 'retry-after'), '1', 'at 1/s the next token is less than a second away');
      assert.equal(header(refused, 'x-ratelimit-limit'), '30');
      assert.equal(header(refused, 'x-ratelimit-remaining'), '0');
      // Refused means less than one token: between 29 and 30 s from full, which rounds up to 30.
      assert.equal(header(refused, 'x-ratelimit-reset'), '30', 'seconds until the bucket is full again');

      // One bucket per integration, shared by its URL forms: the drained Slack form leaves /hooks refused too.
      const shared = await incoming(s, { rateLimitPerSecond: SLOW });
      for (let i = 0; i < 30; i++) assert.equal((await viaSlack(s, shared)).status, 200);
      const hooksRefused = await viaHooks(s, shared);
      assert.equal(hooksRefused.status, 429);
      assert.equal(hooksRefused.body.errorType, 'error-too-many-requests');
      // Another integration has its own.
      assert.equal((await viaHooks(s, await incoming(s, { rateLimitPerSecond: SLOW }))).status, 200);
    });

    test('Pumble URL form: 1 request per second per webhook; 429 with Retry-After 1, X-RateLimit-* and the app-platform body', async (t) => {
      if (!server) return t.skip('redis not available');
      const s = server;
      const doc = await incoming(s, { rateLimitPerSecond: 1 });
      const { accepted, refused } = await untilRefused(() => viaPumble(s, doc));
      assert.ok(accepted.length >= 1);
      assert.deepEqual(accepted[0]!.body, {});
      assert.equal(header(accepted[0]!, 'x-ratelimit-limit'), '1');
      assert.equal(header(accepted[0]!, 'x-ratelimit-remaining'), '0');
      assert.equal(refused.status, 429);
      assert.equal(refused.body.code, 429000);
      assert.match(refused.body.message, /You must wait 1 seconds/);
      assert.equal(header(refused, 'retry-after'), '1');
      assert.equal(header(refused, 'x-ratelimit-limit'), '1');
      assert.equal(header(refused, 'x-ratelimit-remaining'), '0');
      assert.equal(header(refused, 'x-ratelimit-reset'), '1');
      // Its own bucket: the /hooks form of the same integration still has its burst.
      assert.equal(header(await viaHooks(s, doc), 'x-ratelimit-remaining'), '29');
    });

    test('rateLimitPerSecond 0 is unlimited: never 429, and no X-RateLimit-* headers', async (t) => {
      if (!server) return t.skip('redis not available');
      const s = server;
      const doc = await incoming(s, { rateLimitPerSecond: 0 });
      for (let i = 0; i < 40; i++) {
        const r = await viaHooks(s, doc);
        assert.equal(r.status, 200, `request ${i + 1}`);
        assert.equal(header(r, 'x-ratelimit-limit'), null);
      }
      for (let i = 0; i < 5; i++) assert.equal((await viaPumble(s, doc)).status, 200);
    });
  });
}

rateLimitTests('the in-memory bucket', async () => startTestServer());

rateLimitTests('the bucket in Redis', async () => {
  if (await redisAvailable()) return startTestServer({ redisUrl: REDIS_URL });
  if (REQUIRE_SERVICES) throw new Error('redis is required (REQUIRE_SERVICES=1) but is not reachable');
  return undefined; // each test skips
});

test('two nodes on one PostgreSQL and one Redis: one bucket per integration across both', async (t) => {
  if (!(await needs(t, 'postgres', 'redis'))) return;
  const db = await freshPostgresDatabase();
  const env = { SWITCHBOARD_SECRET_KEY: randomBytes(32).toString('base64') };
  const nodeA = await startTestServer({ databaseUrl: db.url, redisUrl: REDIS_URL, env });
  let nodeB: TestServer | undefined;
  try {
    nodeB = await startTestServer({ databaseUrl: db.url, redisUrl: REDIS_URL, env });
    assert.equal(nodeB.workspaceId, nodeA.workspaceId, 'one workspace behind both');
    const doc = await incoming(nodeA, { rateLimitPerSecond: SLOW });
    for (let i = 0; i < 20; i++) assert.equal((await viaHooks(nodeA, doc)).status, 200, `node A, request ${i + 1}`);
    for (let i = 0; i < 10; i++) {
      const r = await viaSlack(nodeB, doc);
      assert.equal(r.status, 200, `node B, request ${i + 1}`);
      assert.equal(header(r, 'x-ratelimit-remaining'), String(9 - i), 'node B sees what node A took');
    }
    assert.equal((await viaHooks(nodeA, doc)).status, 429);
    assert.equal((await viaSlack(nodeB, doc)).status, 429);
  } finally {
    await nodeB?.close();
    await nodeA.close();
    await db.drop();
  }
});

// On a server of its own: it leaves this address limited for the rest of the window.
test('a flood from one address: 429 with Retry-After and X-RateLimit-* before any lookup', async () => {
  const server = await startTestServer();
  try {
    // The window is filled directly (a real flood outpaces 1 000 per 10 s only on an idle machine), so
    // the next request over HTTP is the 1 001st.
    const { limiter } = server.sb.core.incomingHooks.ctx;
    for (let i = 0; i < HOOK_IP_LIMIT; i++) await limiter.hit('hook-ip:127.0.0.1', HOOK_IP_WINDOW_MS);
    const limited = await http(server.url, 'POST', '/services/0123456789abcdef01234567/guess', { body: { text: 'x' } });
    assert.deepEqual([limited.status, limited.text], [429, 'rate_limited']);
    const retryAfter = Number(header(limited, 'retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 10, `Retry-After ${retryAfter}: the end of the 10 s window`);
    assert.equal(header(limited, 'x-ratelimit-limit'), '1000');
    assert.equal(header(limited, 'x-ratelimit-remaining'), '0');
    assert.equal(header(limited, 'x-ratelimit-reset'), String(retryAfter), 'Slack form: seconds from now');
    // Every form, a valid hook included, in its own conventions.
    const doc = await incoming(server, { rateLimitPerSecond: 0 });
    const hooks = await viaHooks(server, doc);
    assert.deepEqual([hooks.status, hooks.body.errorType], [429, 'error-too-many-requests']);
    assert.ok(Number(header(hooks, 'x-ratelimit-reset')) > Date.now() - 1000, '/hooks: epoch ms');
    const pumble = await viaPumble(server, doc);
    assert.deepEqual([pumble.status, pumble.body.code], [429, 429000]);
    assert.equal(header(pumble, 'x-ratelimit-limit'), '1000');
  } finally {
    await server.close();
  }
});
