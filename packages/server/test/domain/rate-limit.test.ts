import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { MemoryRateLimiter, RedisRateLimiter } from '../../src/limits/rate-limiter.js';
import { HOOK_BURST, hookBucket, takeHookToken } from '../../src/domain/integrations/incoming-rate-limit.js';
import { hookErrorResponse, hookRateLimitHeaders } from '../../src/surfaces/rocketchat/hook-answers.js';
import { slackErrorCode, slackRateLimitHeaders } from '../../src/surfaces/slack/answers.js';
import { OWNER, REDIS_URL, http, login, needs, startTestServer } from '../support/helpers.js';
import { assertError } from '../support/assertions.js';
import type { BucketTake, RateLimiter, TokenBucket } from '../../src/domain/ports/rate-limiter.js';

test('login: after 10 failures for one e-mail from one address, 429 with Retry-After, even with the right password', async () => {
  const s = await startTestServer();
  try {
    const wrong = () => http(s.url, 'POST', '/auth/login', { body: { email: OWNER.email, password: 'not-it' } });
    for (let i = 0; i < 10; i++) assertError(await wrong(), 401);
    const locked = await wrong();
    assertError(locked, 429);
    const retry = Number(locked.headers.get('retry-after'));
    assert.ok(retry > 0 && retry <= 300, `Retry-After ${retry}`);
    assertError(await http(s.url, 'POST', '/auth/login', { body: { email: OWNER.email, password: OWNER.password } }), 429);
    // another account is not locked by it
    assertError(await http(s.url, 'POST', '/auth/login', { body: { email: 'someone@else.io', password: 'x' } }), 401);
  } finally {
    await s.close();
  }
});

test('login: successes do not count, and a session is not affected', async () => {
  const s = await startTestServer();
  try {
    for (let i = 0; i < 12; i++) await login(s.url, OWNER.email, OWNER.password);
    assert.equal((await s.owner.get('/v1/workspace')).status, 200);
  } finally {
    await s.close();
  }
});

async function exerciseLimiter(limiter: RateLimiter, advance: (ms: number) => Promise<void>) {
  const key = `k-${randomBytes(4).toString('hex')}`;
  assert.deepEqual(await limiter.peek(key), { count: 0, resetMs: 0 });
  assert.equal((await limiter.hit(key, 300)).count, 1);
  assert.equal((await limiter.hit(key, 300)).count, 2);
  const w = await limiter.peek(key);
  assert.equal(w.count, 2);
  assert.ok(w.resetMs > 0 && w.resetMs <= 300);
  await advance(350);
  assert.equal((await limiter.peek(key)).count, 0, 'the window ended');
  assert.equal((await limiter.hit(key, 300)).count, 1, 'a new window');
  await limiter.reset(key);
  assert.equal((await limiter.peek(key)).count, 0);
}

test('the memory limiter counts in fixed windows', async () => {
  let now = 1_000;
  await exerciseLimiter(new MemoryRateLimiter(() => now), async (ms) => void (now += ms));
});

test('the Redis limiter counts in fixed windows shared by every node', async (t) => {
  if (!(await needs(t, 'redis'))) return;
  const a = new Redis(REDIS_URL);
  const b = new Redis(REDIS_URL);
  try {
    await exerciseLimiter(new RedisRateLimiter(a), (ms) => new Promise((r) => setTimeout(r, ms)));
    const key = `shared-${randomBytes(4).toString('hex')}`;
    await new RedisRateLimiter(a).hit(key, 10_000);
    assert.equal((await new RedisRateLimiter(b).hit(key, 10_000)).count, 2, 'two connections, one count');
  } finally {
    a.disconnect();
    b.disconnect();
  }
});

test('the Redis window: the counter has an expiry after every hit, and one left without (older versions) gets one', async (t) => {
  if (!(await needs(t, 'redis'))) return;
  const redis = new Redis(REDIS_URL);
  try {
    const limiter = new RedisRateLimiter(redis);
    const key = `ttl-${randomBytes(4).toString('hex')}`;
    for (let i = 1; i <= 3; i++) {
      const w = await limiter.hit(key, 60_000);
      assert.equal(w.count, i);
      const ttl = await redis.pttl(`switchboard:rl:${key}`);
      assert.ok(ttl > 0 && ttl <= 60_000, `PTTL ${ttl} after hit ${i}`);
      assert.ok(w.resetMs > 0 && w.resetMs <= 60_000);
    }
    // The two-step INCR … PEXPIRE of earlier versions could leave a counter without expiry on a crash.
    const stuck = `stuck-${randomBytes(4).toString('hex')}`;
    await redis.set(`switchboard:rl:${stuck}`, '7');
    assert.equal(await redis.pttl(`switchboard:rl:${stuck}`), -1);
    assert.deepEqual(await limiter.hit(stuck, 5_000), { count: 8, resetMs: 5_000 });
    const healed = await redis.pttl(`switchboard:rl:${stuck}`);
    assert.ok(healed > 0 && healed <= 5_000, `PTTL ${healed}`);
    await redis.del(`switchboard:rl:${key}`, `switchboard:rl:${stuck}`);
  } finally {
    redis.disconnect();
  }
});

// ---- token buckets (docs/delivery.md §10, docs/integrations.md §7.2) -------------------------------------

const DEFAULT_BUCKET: TokenBucket = { capacity: 30, refillPerSecond: 1 };

/**
 * Drives a bucket limiter with a clock the test moves. `after` runs after every take (the Redis
 * variant checks the key's expiry there).
 */
async function exerciseBucket(limiter: RateLimiter, advance: (ms: number) => void, after: (key: string, take: BucketTake) => Promise<void> = async () => {}) {
  const key = `b-${randomBytes(4).toString('hex')}`;
  const take = async (bucket = DEFAULT_BUCKET, k = key) => {
    const r = await limiter.take(k, bucket);
    await after(k, r);
    return r;
  };

  // A new bucket is full: a burst of 30, then refusal.
  for (let i = 1; i <= 30; i++) {
    const r = await take();
    assert.equal(r.allowed, true, `take ${i}`);
    assert.equal(r.remaining, 30 - i);
    assert.equal(r.resetMs, i * 1000, 'full again after one second per token taken');
  }
  assert.deepEqual(await take(), { allowed: false, remaining: 0, retryAfterMs: 1000, resetMs: 30_000 });
  assert.deepEqual(await take(), { allowed: false, remaining: 0, retryAfterMs: 1000, resetMs: 30_000 }, 'a refusal takes nothing');

  // The wait is until the next token, not until the bucket is full.
  advance(400);
  assert.deepEqual(await take(), { allowed: false, remaining: 0, retryAfterMs: 600, resetMs: 29_600 });
  advance(599);
  assert.deepEqual(await take(), { allowed: false, remaining: 0, retryAfterMs: 1, resetMs: 29_001 });
  advance(1);
  assert.deepEqual(await take(), { allowed: true, remaining: 0, retryAfterMs: 1000, resetMs: 30_000 }, 'refilled at 1/s: one token');
  assert.equal((await take()).allowed, false);

  // 1/s sustained: 2.5 s give two tokens and half of the third.
  advance(2500);
  assert.equal((await take()).allowed, true);
  assert.equal((await take()).allowed, true);
  assert.deepEqual(await take(), { allowed: false, remaining: 0, retryAfterMs: 500, resetMs: 29_500 });

  // The refill stops at the capacity: an hour idle gives 30 tokens, not 3 600.
  advance(3_600_000);
  for (let i = 0; i < 30; i++) assert.equal((await take()).allowed, true);
  assert.equal((await take()).allowed, false);

  // Another key has its own bucket.
  assert.deepEqual(await take(DEFAULT_BUCKET, `${key}-other`), { allowed: true, remaining: 29, retryAfterMs: 0, resetMs: 1000 });

  // Other shapes: 5/s with a burst of 2; 0.01/s (one token per 100 s).
  const fast = { capacity: 2, refillPerSecond: 5 };
  assert.equal((await take(fast, `${key}-fast`)).allowed, true);
  assert.deepEqual(await take(fast, `${key}-fast`), { allowed: true, remaining: 0, retryAfterMs: 200, resetMs: 400 });
  assert.deepEqual(await take(fast, `${key}-fast`), { allowed: false, remaining: 0, retryAfterMs: 200, resetMs: 400 });
  advance(200);
  assert.equal((await take(fast, `${key}-fast`)).allowed, true);
  const slow = { capacity: 1, refillPerSecond: 0.01 };
  assert.equal((await take(slow, `${key}-slow`)).allowed, true);
  assert.deepEqual(await take(slow, `${key}-slow`), { allowed: false, remaining: 0, retryAfterMs: 100_000, resetMs: 100_000 });

  // Rates whose token time is no whole number of ms (1/7 s …) still admit exactly their burst, count
  // down exactly, and give exactly one token per interval (sums of fractional ms once drifted: 29 of 30).
  for (const [rate, capacity] of [[7, 30], [13, 47], [0.7, 30], [123.4, 124], [3, 1]] as const) {
    const k = `${key}-odd-${rate}`;
    const odd = { capacity, refillPerSecond: rate };
    for (let i = 1; i <= capacity; i++) assert.deepEqual([(await take(odd, k)).remaining], [capacity - i], `rate ${rate}: take ${i}`);
    assert.equal((await take(odd, k)).allowed, false, `rate ${rate}: burst of ${capacity}`);
    advance(Math.ceil(1000 / rate));
    assert.equal((await take(odd, k)).allowed, true, `rate ${rate}: a token after one interval`);
    assert.equal((await take(odd, k)).allowed, false, `rate ${rate}: only one`);
  }
  return key;
}

test('the memory bucket: bursts of 30, then 1/s, with accurate waits', async () => {
  let now = 1_700_000_000_000;
  const limiter = new MemoryRateLimiter(() => now);
  await exerciseBucket(limiter, (ms) => void (now += ms));
  await assert.rejects(limiter.take('k', { capacity: 0, refillPerSecond: 1 }), RangeError);
  await assert.rejects(limiter.take('k', { capacity: 1.5, refillPerSecond: 1 }), RangeError);
  await assert.rejects(limiter.take('k', { capacity: 30, refillPerSecond: 0 }), RangeError, '0 = unlimited is decided by the caller, not a bucket that never refills');
});

test('the memory bucket forgets buckets that are full again', async () => {
  let now = 1_000;
  const limiter = new MemoryRateLimiter(() => now);
  await limiter.take('idle', DEFAULT_BUCKET);
  const buckets = (limiter as unknown as { buckets: Map<string, unknown> }).buckets;
  assert.equal(buckets.size, 1);
  now += 61_000; // past the sweep interval, and the bucket refilled long ago
  await limiter.take('busy', DEFAULT_BUCKET);
  assert.deepEqual([...buckets.keys()], ['busy']);
});

test('the Redis bucket: the same answers, one atomic script, and the key always expires', async (t) => {
  if (!(await needs(t, 'redis'))) return;
  const redis = new Redis(REDIS_URL);
  try {
    let now = 1_700_000_000_000;
    const limiter = new RedisRateLimiter(redis, 'switchboard:rl:', () => now);
    // The expiry runs on Redis's real clock, not the test's: only its presence is checked here (its
    // length is, on the real clock, in the next test).
    const key = await exerciseBucket(limiter, (ms) => void (now += ms), async (k) => {
      // -1 would be a key that never expires (the bug this guards against); -2, a key that already
      // expired on Redis's real clock, as a short bucket's may on a slow machine.
      const ttl = await redis.pttl(limiter.bucketKey(k));
      assert.ok(ttl > 0 || ttl === -2, `PTTL ${ttl} after a take on ${k}`);
    });
    await redis.del(...['', '-other', '-fast', '-slow', '-odd-7', '-odd-13', '-odd-0.7', '-odd-123.4', '-odd-3'].map((s) => limiter.bucketKey(key + s)));
  } finally {
    redis.disconnect();
  }
});

test("the Redis bucket on Redis's own clock: refills in real time, and an idle bucket vanishes", async (t) => {
  if (!(await needs(t, 'redis'))) return;
  const redis = new Redis(REDIS_URL);
  try {
    const limiter = new RedisRateLimiter(redis);
    const key = `clock-${randomBytes(4).toString('hex')}`;
    const bucket = { capacity: 1, refillPerSecond: 10 };
    const first = await limiter.take(key, bucket);
    assert.equal(first.allowed, true);
    assert.ok((await redis.pttl(limiter.bucketKey(key))) <= first.resetMs, 'the key does not outlive the refill');
    const refused = await limiter.take(key, bucket);
    assert.equal(refused.allowed, false);
    assert.ok(refused.retryAfterMs > 0 && refused.retryAfterMs <= 100, `retryAfterMs ${refused.retryAfterMs}`);
    const ttl = await redis.pttl(limiter.bucketKey(key));
    assert.ok(ttl > 0 && ttl <= 100, `PTTL ${ttl}`);
    await new Promise((r) => setTimeout(r, refused.retryAfterMs + 20));
    assert.equal(await redis.exists(limiter.bucketKey(key)), 0, 'a full bucket is not stored');
    assert.equal((await limiter.take(key, bucket)).allowed, true, 'the token Retry-After promised');
  } finally {
    redis.disconnect();
  }
});

test('two nodes (two connections) on one Redis take from one bucket', async (t) => {
  if (!(await needs(t, 'redis'))) return;
  const a = new Redis(REDIS_URL);
  const b = new Redis(REDIS_URL);
  try {
    const now = () => 1_700_000_000_000;
    const nodeA = new RedisRateLimiter(a, 'switchboard:rl:', now);
    const nodeB = new RedisRateLimiter(b, 'switchboard:rl:', now);
    const key = `shared-bucket-${randomBytes(4).toString('hex')}`;
    // Concurrent takes from both nodes: the script is atomic, so exactly the capacity is admitted.
    const takes = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? nodeA : nodeB).take(key, DEFAULT_BUCKET)));
    assert.equal(takes.filter((r) => r.allowed).length, 30);
    assert.deepEqual(
      takes.filter((r) => r.allowed).map((r) => r.remaining).sort((x, y) => x - y),
      Array.from({ length: 30 }, (_, i) => i),
      'each token taken once',
    );
    assert.equal((await nodeA.take(key, DEFAULT_BUCKET)).allowed, false);
    assert.equal((await nodeB.take(key, DEFAULT_BUCKET)).allowed, false);
    await a.del(nodeA.bucketKey(key));
  } finally {
    a.disconnect();
    b.disconnect();
  }
});

// ---- the buckets of incoming webhooks (docs/integrations.md §7.2, docs/integrations.md §11) ---------------------------------------------

describe('incoming-webhook buckets', () => {
  const HOOKS_NOW = 1_700_000_000_000;
  const drain = async (limiter: RateLimiter, doc: { _id: string; rateLimitPerSecond?: number }, flavor: 'hooks' | 'slack' | 'pumble', n: number) => {
    for (let i = 0; i < n; i++) assert.equal((await takeHookToken(limiter, doc, flavor, HOOKS_NOW))?.refused, undefined, `request ${i + 1}`);
  };

  test('the default: 30 at once, then 429 with Retry-After 1 and the X-RateLimit-* headers', async () => {
    let now = HOOKS_NOW;
    const limiter = new MemoryRateLimiter(() => now);
    const doc = { _id: 'int-default' };
    // The domain decides (the quota, the refusal); each form's surface writes the headers and the body.
    const first = await takeHookToken(limiter, doc, 'hooks', now);
    assert.equal(first?.refused, undefined);
    assert.deepEqual(first && { headers: hookRateLimitHeaders(first.quota, 'hooks') }, { headers: { 'X-RateLimit-Limit': '30', 'X-RateLimit-Remaining': '29', 'X-RateLimit-Reset': String(now + 1000) } });
    await drain(limiter, doc, 'hooks', HOOK_BURST - 1);
    const refused = await takeHookToken(limiter, doc, 'hooks', now);
    assert.equal(refused?.refused && hookErrorResponse(refused.refused, 'hooks').status, 429);
    assert.equal(refused?.refused?.retryAfterSeconds, 1);
    // `/hooks` speaks Rocket.Chat: the reset moment in epoch ms; here the bucket is full 30 s from now.
    assert.deepEqual(refused && hookRateLimitHeaders(refused.quota, 'hooks'), { 'X-RateLimit-Limit': '30', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': String(now + 30_000) });
    // The Slack form shares the integration's bucket, and gives the reset in seconds from now.
    const viaSlack = await takeHookToken(limiter, doc, 'slack', now);
    assert.equal(viaSlack?.refused && slackErrorCode(viaSlack.refused), 'rate_limited');
    assert.deepEqual(viaSlack && slackRateLimitHeaders(viaSlack.quota), { 'X-RateLimit-Limit': '30', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': '30' });
    now += 1000;
    assert.equal((await takeHookToken(limiter, doc, 'slack', now))?.refused, undefined, 'one token a second later');
  });

  test("per integration: each has its own bucket at its own rate; Retry-After is the wait for the next token", async () => {
    const limiter = new MemoryRateLimiter(() => HOOKS_NOW);
    const slow = { _id: 'int-slow', rateLimitPerSecond: 0.1 };
    await drain(limiter, slow, 'hooks', 30);
    const refused = await takeHookToken(limiter, slow, 'hooks', HOOKS_NOW);
    assert.equal(refused?.refused?.retryAfterSeconds, 10, 'one token per 10 s');
    assert.match(String(refused?.refused && (hookErrorResponse(refused.refused, 'hooks').body as { error: string }).error), /You must wait 10 seconds/);
    const quick = { _id: 'int-quick', rateLimitPerSecond: 0.4 };
    await drain(limiter, quick, 'hooks', 30);
    assert.equal((await takeHookToken(limiter, quick, 'hooks', HOOKS_NOW))?.refused?.retryAfterSeconds, 3, '2.5 s, rounded up');
    // Above 30/s the burst is one second's worth.
    assert.deepEqual(hookBucket(50, 'hooks'), { capacity: 50, refillPerSecond: 50 });
    const fast = { _id: 'int-fast', rateLimitPerSecond: 50 };
    await drain(limiter, fast, 'slack', 50);
    assert.ok((await takeHookToken(limiter, fast, 'slack', HOOKS_NOW))?.refused);
    assert.equal((await takeHookToken(limiter, { _id: 'int-untouched' }, 'hooks', HOOKS_NOW))?.refused, undefined, 'other integrations are not affected');
  });

  test('rateLimitPerSecond 0 is unlimited: no bucket, no headers', async () => {
    const untouchable: RateLimiter = {
      hit: () => assert.fail('no window'),
      peek: () => assert.fail('no window'),
      reset: () => assert.fail('no window'),
      take: () => assert.fail('no bucket for an unlimited integration'),
    };
    assert.equal(await takeHookToken(untouchable, { _id: 'int-free', rateLimitPerSecond: 0 }, 'hooks', HOOKS_NOW), undefined);
    assert.equal(await takeHookToken(untouchable, { _id: 'int-free', rateLimitPerSecond: 0 }, 'pumble', HOOKS_NOW), undefined);
  });

  test("Pumble's URL form: 1 request per second per webhook, in a bucket of its own", async () => {
    let now = HOOKS_NOW;
    const limiter = new MemoryRateLimiter(() => now);
    const doc = { _id: 'int-pumble' };
    const first = await takeHookToken(limiter, doc, 'pumble', now);
    assert.equal(first?.refused, undefined);
    assert.deepEqual(first && { headers: hookRateLimitHeaders(first.quota, 'pumble') }, { headers: { 'X-RateLimit-Limit': '1', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': '1' } });
    const refused = await takeHookToken(limiter, doc, 'pumble', now);
    assert.equal(refused?.refused?.retryAfterSeconds, 1);
    now += 1000;
    assert.equal((await takeHookToken(limiter, doc, 'pumble', now))?.refused, undefined);
    // Not the `/hooks` bucket: that one is still full.
    const hooks = await takeHookToken(limiter, doc, 'hooks', now);
    assert.deepEqual(hooks && hookRateLimitHeaders(hooks.quota, 'hooks')['X-RateLimit-Remaining'], '29');
  });
});
