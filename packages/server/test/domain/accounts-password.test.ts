/**
 * The core's password rules on both engines: a change keeps the session it is made from and ends
 * the others, two changes racing from one old password cannot both win, a reset ends every
 * session, and bots have no password to reset.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { freshPostgresDatabase, needs, tempDir } from '../support/helpers.js';
import { migrate, openDatabase } from '../../src/store/database.js';
import { Store } from '../../src/store/store.js';
import { createCore, type Core } from '../../src/domain/index.js';
import { LocalBus } from '../../src/realtime/bus.js';
import { DomainError } from '../../src/domain/errors.js';
import type { Notice } from '../../src/domain/events.js';
import { hashToken } from '../../src/domain/secrets.js';
import { newId } from '../../src/domain/ids.js';
import type { User } from '../../src/domain/model.js';
import { MemoryRateLimiter } from '../../src/limits/rate-limiter.js';

interface Fixture {
  core: Core;
  store: Store;
  owner: User;
  notices: Notice[];
}

async function withEngine(t: TestContext, engine: 'sqlite' | 'postgres', work: (f: Fixture) => Promise<void>): Promise<void> {
  if (engine === 'postgres' && !(await needs(t, 'postgres'))) return;
  const dir = tempDir();
  const pg = engine === 'postgres' ? await freshPostgresDatabase() : undefined;
  const db = await openDatabase(pg?.url ?? `sqlite:${join(dir.path, 'sb.db')}`);
  try {
    await migrate(db.db);
    const store = new Store(db.db, db.engine);
    const bus = new LocalBus();
    const notices: Notice[] = [];
    bus.subscribe((n) => notices.push(...n));
    const core = createCore(store, bus, { limiter: new MemoryRateLimiter() });
    const { owner } = (await core.accounts.bootstrap({ email: 'owner@example.com', password: 'first-password-1' }))!;
    await work({ core, store, owner, notices });
  } finally {
    await db.close();
    await pg?.drop();
    dir.remove();
  }
}

const revocations = (notices: Notice[]) => notices.filter((n) => n.event.type === 'user.sessions_revoked').map((n) => n.event);

for (const engine of ['sqlite', 'postgres'] as const) {
  test(`${engine}: changePassword keeps the session it is made from, ends the others, and announces each`, (t) =>
    withEngine(t, engine, async ({ core, owner, notices }) => {
      const here = await core.accounts.login('owner@example.com', 'first-password-1');
      const there = await core.accounts.login('owner@example.com', 'first-password-1');
      await assert.rejects(
        core.accounts.changePassword(owner, here.token, { currentPassword: 'wrong-password', newPassword: 'second-password-2' }),
        (e: DomainError) => e.kind === 'forbidden' && e.errors[0]?.field === 'currentPassword',
      );
      await assert.rejects(
        core.accounts.changePassword(owner, here.token, { currentPassword: 'first-password-1', newPassword: 'short' }),
        (e: DomainError) => e.kind === 'invalid' && e.errors[0]?.field === 'newPassword',
      );
      assert.ok(await core.accounts.authenticate(there.token), 'refused changes end nothing');

      notices.length = 0;
      await core.accounts.changePassword(owner, here.token, { currentPassword: 'first-password-1', newPassword: 'second-password-2' });
      assert.equal((await core.accounts.authenticate(here.token))?.id, owner.id);
      assert.equal(await core.accounts.authenticate(there.token), undefined);
      assert.deepEqual(revocations(notices), [{ type: 'user.sessions_revoked', userId: owner.id, tokenHash: hashToken(there.token) }]);
      await core.accounts.login('owner@example.com', 'second-password-2');
      await assert.rejects(core.accounts.login('owner@example.com', 'first-password-1'), (e: DomainError) => e.kind === 'unauthenticated');
    }));

  test(`${engine}: two changes racing from one old password: exactly one wins`, (t) =>
    withEngine(t, engine, async ({ core, owner }) => {
      const { token } = await core.accounts.login('owner@example.com', 'first-password-1');
      const results = await Promise.allSettled(
        ['second-password-a', 'second-password-b'].map((newPassword) => core.accounts.changePassword(owner, token, { currentPassword: 'first-password-1', newPassword })),
      );
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1, JSON.stringify(results));
      const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      // conflict when both proved the old password before either saved; forbidden when the winner
      // saved first (the old password is no longer the current one) — either way, one change
      assert.ok(['conflict', 'forbidden'].includes((lost.reason as DomainError).kind), String(lost.reason));
      const winner = results[0]!.status === 'fulfilled' ? 'second-password-a' : 'second-password-b';
      await core.accounts.login('owner@example.com', winner);
    }));

  test(`${engine}: resetPassword ends every session; a chosen password must meet the rule; bots have none`, (t) =>
    withEngine(t, engine, async ({ core, store, owner, notices }) => {
      const a = await core.accounts.login('owner@example.com', 'first-password-1');
      const b = await core.accounts.login('owner@example.com', 'first-password-1');
      notices.length = 0;
      const reset = await core.accounts.resetPassword(' Owner@Example.com ');
      assert.equal(reset.generated, true);
      assert.equal(reset.user.id, owner.id);
      assert.equal(reset.workspace.id, owner.workspaceId);
      assert.equal(await core.accounts.authenticate(a.token), undefined);
      assert.equal(await core.accounts.authenticate(b.token), undefined);
      assert.deepEqual(revocations(notices), [{ type: 'user.sessions_revoked', userId: owner.id }], 'every live connection closes');
      await core.accounts.login('owner@example.com', reset.password);

      await assert.rejects(core.accounts.resetPassword('owner@example.com', { password: 'short' }), (e: DomainError) => e.kind === 'invalid' && e.errors[0]?.field === 'password');
      await core.accounts.login('owner@example.com', reset.password);
      const chosen = await core.accounts.resetPassword('owner@example.com', { password: 'chosen-password' });
      assert.equal(chosen.generated, false);
      await core.accounts.login('owner@example.com', 'chosen-password');

      await store.insertUser({ id: newId(), workspaceId: owner.workspaceId, email: 'bot@example.com', name: 'bot', role: 'MEMBER', passwordHash: null, isBot: true, now: Date.now() });
      await assert.rejects(core.accounts.resetPassword('bot@example.com'), (e: DomainError) => e.kind === 'not_found');
      await assert.rejects(core.accounts.resetPassword('nobody@example.com'), (e: DomainError) => e.kind === 'not_found' && /nobody@example\.com/.test(e.message));
    }));

  test(`${engine}: resetPassword with the e-mail in several workspaces: a workspace id or name picks`, (t) =>
    withEngine(t, engine, async ({ core, store, owner }) => {
      const second = newId();
      await store.insertWorkspace({ id: second, name: 'Second', locale: 'en', createdAt: Date.now() });
      await store.insertUser({ id: newId(), workspaceId: second, email: 'owner@example.com', name: 'o', role: 'MEMBER', passwordHash: null, now: Date.now() });
      await assert.rejects(
        core.accounts.resetPassword('owner@example.com'),
        (e: DomainError) => e.kind === 'invalid' && e.errors[0]?.field === 'workspace' && e.message.includes(owner.workspaceId) && e.message.includes(second),
      );
      await assert.rejects(core.accounts.resetPassword('owner@example.com', { workspace: 'Third' }), (e: DomainError) => e.kind === 'not_found');
      assert.equal((await core.accounts.resetPassword('owner@example.com', { workspace: 'Second' })).workspace.id, second);
      const first = await core.accounts.resetPassword('owner@example.com', { workspace: owner.workspaceId, password: 'first-password-2' });
      assert.equal(first.user.id, owner.id);
      await core.accounts.login('owner@example.com', 'first-password-2', owner.workspaceId);
    }));
}

test('a password hash keeps its scrypt cost: one made at the default (2^15) verifies whatever SWITCHBOARD_SCRYPT_COST is now', async () => {
  const { scryptSync, randomBytes } = await import('node:crypto');
  const { hashPassword, verifyPassword } = await import('../../src/domain/secrets.js');
  const salt = randomBytes(16);
  const key = scryptSync('correct horse', salt, 32, { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
  const stored = ['scrypt', 1 << 15, 8, 1, salt.toString('base64url'), key.toString('base64url')].join('$');
  assert.equal(await verifyPassword('correct horse', stored), true);
  assert.equal(await verifyPassword('wrong horse', stored), false);
  // new hashes carry the cost they were made at (the suite's: scripts/test.mjs sets 10)
  const fresh = await hashPassword('correct horse');
  assert.equal(fresh.split('$')[1], String(1 << Number(process.env.SWITCHBOARD_SCRYPT_COST || 15)));
  assert.equal(await verifyPassword('correct horse', fresh), true);
  assert.equal(await verifyPassword('correct horse', null), false, 'no account: hashed all the same, never true');
  // the highest cost the setting allows (2^16: 64 MiB) verifies too — Node refuses scrypt when its
  // memory need reaches maxmem, which a fixed 64 MiB did at 2^16
  const salt16 = randomBytes(16);
  const key16 = scryptSync('correct horse', salt16, 32, { N: 1 << 16, r: 8, p: 1, maxmem: 256 * 1024 * 1024 });
  assert.equal(await verifyPassword('correct horse', ['scrypt', 1 << 16, 8, 1, salt16.toString('base64url'), key16.toString('base64url')].join('$')), true);
  // and a stored cost past it is no hash of ours
  assert.equal(await verifyPassword('correct horse', ['scrypt', 1 << 20, 8, 1, salt16.toString('base64url'), key16.toString('base64url')].join('$')), false);
});
