/**
 * A Rocket.Chat REST client for tests (docs/integrations.md §2.2: X-User-Id + X-Auth-Token) and the
 * harness of the ported suites (§12): the admin `rocketchat.internal.admin.test` with role admin
 * only, the user `rocket.cat`, the `general` channel, and permission flips via permissions.update.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { http, OWNER, type Reply } from './helpers.js';

/** A name no other test of the run uses (rooms, usernames). */
export const unique = (label: string) => `${label}-${Date.now()}-${randomBytes(3).toString('hex')}`;

// Rocket.Chat's failure bodies, as tests expect them (docs/integrations.md §12.3).
/** `API.v1.failure(text)`: the words alone */
export const plain = (error: string) => ({ success: false, error });
/** a Meteor error: `<reason> [<code>]`, and the code as `errorType` */
export const coded = (reason: string, code: string) => ({ success: false, error: `${reason} [${code}]`, errorType: code });
/** a body the route's schema refused */
export const invalidParams = (error: string) => coded(error, 'invalid-params');

export class RcClient {
  constructor(
    readonly baseUrl: string,
    readonly userId: string,
    readonly authToken: string,
  ) {}

  get headers(): Record<string, string> {
    return { 'x-user-id': this.userId, 'x-auth-token': this.authToken };
  }

  get(path: string, query: Record<string, string | number> = {}): Promise<Reply> {
    const qs = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)])).toString();
    return http(this.baseUrl, 'GET', `/api/v1/${path}${qs ? `?${qs}` : ''}`, { headers: this.headers });
  }

  post(path: string, body: unknown = {}): Promise<Reply> {
    return http(this.baseUrl, 'POST', `/api/v1/${path}`, { body, headers: this.headers });
  }

  put(path: string, body: unknown = {}): Promise<Reply> {
    return http(this.baseUrl, 'PUT', `/api/v1/${path}`, { body, headers: this.headers });
  }
}

export async function rcLogin(baseUrl: string, user: string, password: string): Promise<RcClient> {
  const r = await http(baseUrl, 'POST', '/api/v1/login', { body: { user, password } });
  assert.equal(r.status, 200, `login of ${user}: ${r.text}`);
  return new RcClient(baseUrl, r.body.data.userId, r.body.data.authToken);
}

/** Short names of §12's notation. */
export const PERM = {
  inc: 'manage-incoming-integrations',
  ownInc: 'manage-own-incoming-integrations',
  out: 'manage-outgoing-integrations',
  ownOut: 'manage-own-outgoing-integrations',
} as const;

/** `inc=['admin']`-style flips; the suites' `updatePermission` (which sleeps 100 ms upstream; ours takes effect at once). */
export async function setPermissions(admin: RcClient, flips: Partial<Record<keyof typeof PERM, string[]>>): Promise<void> {
  const permissions = Object.entries(flips).map(([k, roles]) => ({ _id: PERM[k as keyof typeof PERM], roles }));
  const r = await admin.post('permissions.update', { permissions });
  assert.equal(r.status, 200, r.text);
}

let seq = 0;
export interface RcUser {
  _id: string;
  username: string;
  password: string;
}

/** users.create, as upstream's `createUser()`; the password is the username unless given. */
export async function rcCreateUser(admin: RcClient, opts: { username?: string; roles?: string[]; password?: string } = {}): Promise<RcUser> {
  const username = opts.username ?? `user.test.${Date.now()}.${++seq}`;
  const password = opts.password ?? `${username}-pw`;
  const r = await admin.post('users.create', { email: `${username}@rocket.chat`, name: username, username, password, ...(opts.roles && { roles: opts.roles }) });
  assert.equal(r.status, 200, `users.create ${username}: ${r.text}`);
  return { _id: r.body.user._id, username, password };
}

export interface Harness {
  admin: RcClient;
  adminId: string;
  rocketCat: RcUser;
  generalId: string;
}

/**
 * §12's setup: the bootstrap owner creates `rocketchat.internal.admin.test` (role admin only,
 * password the same) and `rocket.cat`; the suites then act as that admin.
 */
export async function rcHarness(baseUrl: string, generalId: string): Promise<Harness> {
  const owner = await rcLogin(baseUrl, OWNER.email, OWNER.password);
  const name = 'rocketchat.internal.admin.test';
  const adminUser = await rcCreateUser(owner, { username: name, password: name, roles: ['admin'] });
  const rocketCat = await rcCreateUser(owner, { username: 'rocket.cat', roles: ['bot'] });
  const admin = await rcLogin(baseUrl, name, name);
  const me = await admin.get('me');
  assert.deepEqual(me.body.roles, ['admin'], 'the suites run as an admin holding role admin only');
  return { admin, adminId: adminUser._id, rocketCat, generalId };
}

/** Upstream's `.expect('Content-Type', 'application/json')` on every /api/v1 answer: exactly that, no charset. */
export function expectJson(r: Reply): Reply {
  assert.equal(r.headers.get('content-type'), 'application/json', `content type of: ${r.text}`);
  return r;
}

/** A client whose every answer is checked with `expectJson`, as upstream's suites check theirs. */
export interface CheckedClient {
  readonly client: RcClient;
  get(path: string, query?: Record<string, string | number>): Promise<Reply>;
  post(path: string, body?: unknown): Promise<Reply>;
  put(path: string, body?: unknown): Promise<Reply>;
}

export function checked(client: RcClient): CheckedClient {
  return {
    client,
    get: async (path, query) => expectJson(await client.get(path, query)),
    post: async (path, body) => expectJson(await client.post(path, body)),
    put: async (path, body) => expectJson(await client.put(path, body)),
  };
}
