import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { MemoryRateLimiter, RedisRateLimiter, type RateLimiter } from '../src/limits/rate-limiter.js';
import { OWNER, REDIS_URL, http, login, needs, startTestServer } from './helpers.js';
import { assertError } from './assertions.js';

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
