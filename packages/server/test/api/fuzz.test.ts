/**
 * No 5xx from bad input, anywhere (issue 10): a property-based fuzzer over every route the server
 * has — each path and method of /openapi.json, plus the routes that document leaves out (the
 * incoming-webhook URLs, the consent page, the addon's own pages, the realtime URL) — with requests
 * malformed somewhere (path, query, body, content type, headers, cookie), each sent unauthenticated
 * and with every kind of credential. It fails on any 5xx, on a body that shows a stack trace or a
 * source path, on a client error outside its surface's error shape, and on any request that does
 * not answer within DEADLINE_MS.
 *
 * Deterministic: every request follows from FUZZ_SEED (printed), the route, the credential and the
 * round, so a failure replays with the same seed (its request is printed too). Bounded: the first
 * round's every route × every credential always runs; the rest (more requests with the credentials
 * each route is meant for, more rounds) while FUZZ_BUDGET_MS lasts. SQLite by default;
 * FUZZ_DATABASE=postgres runs the same fuzz on PostgreSQL.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { SCOPES } from '../../src/domain/apps/catalog.js';
import { SESSION_TOKEN_PREFIX } from '../../src/domain/accounts.js';
import { hashToken, newToken } from '../../src/domain/secrets.js';
import { createUser, freshPostgresDatabase, http, startTestServer, type TestServer } from '../support/helpers.js';

const SEED = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : 20_240_610;
if (!Number.isSafeInteger(SEED)) throw new Error(`FUZZ_SEED must be an integer, got ${process.env.FUZZ_SEED}`);
/** Time for sending requests; setup and the last in-flight answers come on top (~45 s in all). */
const BUDGET_MS = Number(process.env.FUZZ_BUDGET_MS ?? 30_000);
const DEADLINE_MS = 10_000;
const CONCURRENCY = 8;
const MAX_ROUNDS = 100;

const EXAMPLE = JSON.parse(readFileSync(new URL('../support/fixtures/example-manifest.json', import.meta.url), 'utf8'));

// ---- values known only once the server runs -------------------------------------------------------

type RefKey =
  | 'workspaceId' | 'ownerId' | 'victimId' | 'victimEmail' | 'botUserId' | 'generalId' | 'channelId' | 'messageId'
  | 'scheduledId' | 'groupId' | 'appId' | 'builtinAppId' | 'keyId' | 'victimKeyId' | 'hookId' | 'hookToken'
  | 'scriptHookId' | 'scriptHookToken' | 'outgoingId' | 'session' | 'devToken' | 'refreshToken' | 'botToken'
  | 'userToken' | 'appKey' | 'clientSecret' | 'rcUserId' | 'rcToken' | 'apiKey';

/** A placeholder for an id or credential: requests are generated before the server has any. */
class Ref {
  constructor(readonly key: RefKey) {}
}
/** A JSON token written as is (1e999, -0, 2^64…), which JSON.stringify cannot produce. */
class RawJson {
  constructor(readonly text: string) {}
}
/** A JSON object as a list of entries: duplicate keys and `__proto__` keys survive. */
class Obj {
  constructor(readonly entries: Array<[string, unknown]>) {}
}
type Piece = string | Ref;
const ref = (key: RefKey) => new Ref(key);

// ---- routes ------------------------------------------------------------------------------------

/** Whose error shape a route answers in: /v1's ErrorBody, Rocket.Chat's envelope, the addon's body, the hooks' own, or HTML pages. */
type Surface = 'pumble' | 'rocketchat' | 'addon' | 'hooks' | 'page';

interface QueryParam {
  name: string;
  schema: Schema;
}
type Schema = Record<string, any>;

/** No credentials, a person's session (Bearer + cookie, or the `token` header), an app's token + x-app-token, a developer's Authtoken, Rocket.Chat's headers, an API key. */
const KINDS = ['none', 'bearer', 'token', 'app', 'developer', 'rocketchat', 'apiKey'] as const;
type Kind = (typeof KINDS)[number];
/** Each round sends every route this many more requests with the credentials it is meant for, to get past authentication more often. */
const NATIVE_EXTRA = 2;

interface RouteSpec {
  method: string;
  /** `{name}` for path parameters */
  path: string;
  query: QueryParam[];
  /** the JSON schema of the body, when the route documents one */
  body?: Schema;
  /** the form fields an undocumented body carries */
  fields?: string[];
  surface: Surface;
  /** ends a credential or the fuzz app (logout, uninstall, rotate): run after the others of each round */
  destructive?: boolean;
  /** the credentials the route is meant for */
  native?: Kind[];
}

/** From the route's OpenAPI security, else its prefix. */
function nativeKinds(path: string, security: Array<Record<string, string[]>> | undefined): Kind[] {
  const schemes = new Set((security ?? []).flatMap((r) => Object.keys(r)));
  const kinds = new Set<Kind>();
  if (schemes.has('bearerAuth')) kinds.add('bearer');
  if (schemes.has('tokenHeader')) kinds.add(schemes.has('appKey') ? 'app' : 'token');
  if (schemes.has('developerToken') || (path.startsWith('/workspaces/') && !path.includes('/incomingWebhooks/'))) kinds.add('developer');
  if (schemes.has('rocketChatAuthToken')) kinds.add('rocketchat');
  if (path.startsWith('/v1/')) kinds.add('app');
  if (path.startsWith('/addon/api-keys/')) kinds.add('apiKey');
  if (path.startsWith('/access-request')) kinds.add('bearer');
  if (kinds.size === 0) kinds.add('none');
  return [...kinds];
}

const surfaceOf = (path: string): Surface =>
  path.startsWith('/api/v1/') ? 'rocketchat'
  : path.startsWith('/addon/api-keys') ? 'addon'
  : path.startsWith('/hooks/') || path.startsWith('/services/') ? 'hooks'
  : path.startsWith('/access-request') ? 'page'
  : 'pumble';

const CONSENT_FIELDS = ['clientId', 'scopes', 'redirectUrl', 'state', 'defaultWorkspaceId', 'isReinstall'];
const HOOK_FIELDS = ['text', 'attachments', 'channel', 'username', 'icon_url', 'icon_emoji', 'alias', 'emoji', 'avatar', 'blocks', 'payload', 'event', 'target_url'];
const str = (name: string): QueryParam => ({ name, schema: { type: 'string' } });

/** Routes /openapi.json leaves out (hidden ones), fuzzed all the same. */
const EXTRA_ROUTES: RouteSpec[] = [
  ...['GET', 'POST'].flatMap((method) => [
    { method, path: '/hooks/{integrationId}/{token}', query: [str('channel')], fields: HOOK_FIELDS, surface: 'hooks' as const },
    { method, path: '/hooks/{integrationId}/{userId}/{token}', query: [], fields: HOOK_FIELDS, surface: 'hooks' as const },
  ]),
  { method: 'OPTIONS', path: '/hooks/{integrationId}/{token}', query: [], surface: 'hooks' },
  { method: 'GET', path: '/hooks/info/{integrationId}/{token}', query: [], surface: 'hooks' },
  { method: 'GET', path: '/hooks/sample/{integrationId}/{token}', query: [], surface: 'hooks' },
  { method: 'GET', path: '/hooks/sample/{integrationId}/{userId}/{token}', query: [], surface: 'hooks' },
  { method: 'POST', path: '/hooks/add/{integrationId}/{token}', query: [], fields: ['event', 'target_url'], surface: 'hooks' },
  { method: 'POST', path: '/hooks/remove/{integrationId}/{token}', query: [], fields: ['target_url'], surface: 'hooks' },
  { method: 'POST', path: '/services/{integrationId}/{token}', query: [], fields: HOOK_FIELDS, surface: 'hooks' },
  { method: 'POST', path: '/workspaces/{workspaceId}/incomingWebhooks/postMessage/{code}', query: [], fields: HOOK_FIELDS, surface: 'pumble' },
  { method: 'POST', path: '/workspaces/{workspaceId}/incomingWebhooks/postMessage/{integrationId}/{secret}', query: [], fields: HOOK_FIELDS, surface: 'pumble' },
  { method: 'GET', path: '/access-request', query: CONSENT_FIELDS.map(str), surface: 'page' },
  { method: 'POST', path: '/access-request', query: [], fields: [...CONSENT_FIELDS, 'csrf', 'decision'], surface: 'page' },
  { method: 'POST', path: '/access-request/login', query: [], fields: [...CONSENT_FIELDS, 'email', 'password'], surface: 'page' },
  { method: 'GET', path: '/addon/api-keys/authorize', query: [str('workspaceId')], surface: 'addon' },
  { method: 'GET', path: '/addon/api-keys/authorized', query: [], surface: 'addon' },
  { method: 'GET', path: '/addon/api-keys/api-docs/openapi.json', query: [], surface: 'addon' },
  { method: 'GET', path: '/addon/api-keys/api-docs/init.js', query: [], surface: 'addon' },
  { method: 'OPTIONS', path: '/addon/api-keys/sendMessage', query: [], surface: 'addon' },
  { method: 'GET', path: '/addon/api-keys/{unknown}', query: [], surface: 'addon' },
  { method: 'GET', path: '/api/v1/{unknown}', query: [], surface: 'rocketchat' },
  { method: 'GET', path: '/v1/{unknown}', query: [], surface: 'pumble' },
  { method: 'GET', path: '/v1/realtime', query: [str('token')], surface: 'pumble' },
];

/** Bodies the OpenAPI document does not describe (form fields of the code exchange). */
const FIELD_HINTS: Record<string, string[]> = {
  'POST /oauth2/access': ['client-id', 'client-secret', 'code'],
};

/** Each ends a credential (or the app behind one): they run last in a round, after which credentials are restored. */
const DESTRUCTIVE = new Set([
  'POST /auth/logout',
  'GET /api/v1/logout',
  'POST /api/v1/logout',
  'DELETE /v1/app/authorization',
  'DELETE /v1/app/installation',
  'PUT /workspaces/{workspaceId}/workspaceUsers/{workspaceUserId}/apps/{appId}/secrets/rotate',
  'DELETE /workspaces/{workspaceId}/workspaceUsers/{workspaceUserId}/apps/{appId}',
  'DELETE /v1/appDirectory/{appId}/install',
  'DELETE /v1/apiKeys/{keyId}',
  'POST /api/v1/users.delete',
  'POST /api/v1/permissions.update',
]);

/** Every path and method of the server's OpenAPI document, then the extra routes. */
function routesOf(doc: any): RouteSpec[] {
  const resolve = (s: any): any => (s && typeof s.$ref === 'string' ? doc.components?.schemas?.[s.$ref.split('/').pop()] ?? {} : s);
  const routes: RouteSpec[] = [];
  for (const [path, ops] of Object.entries<any>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(ops)) {
      const m = method.toUpperCase();
      const params = (op.parameters ?? []) as Array<{ in: string; name: string; schema: Schema }>;
      const body = resolve(op.requestBody?.content?.['application/json']?.schema);
      routes.push({
        method: m,
        path,
        query: params.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: resolve(p.schema) ?? {} })),
        ...(body && { body }),
        ...(FIELD_HINTS[`${m} ${path}`] && { fields: FIELD_HINTS[`${m} ${path}`] }),
        surface: surfaceOf(path),
        native: nativeKinds(path, op.security),
      });
    }
  }
  for (const r of EXTRA_ROUTES) if (!routes.some((o) => o.method === r.method && o.path === r.path)) routes.push({ ...r, native: nativeKinds(r.path, undefined) });
  for (const r of routes) r.destructive = DESTRUCTIVE.has(`${r.method} ${r.path}`);
  return routes;
}

// ---- generators ----------------------------------------------------------------------------------

/** What a leaking body shows: source paths, module paths, file:line references, stack frames. */
const LEAKS: Array<[RegExp, string]> = [
  [/\/src\//, 'a source path (/src/)'],
  [/node_modules/, 'a node_modules path'],
  // a file and its line (`store.ts:12`), not a field named ts (`attachments[0].ts: must be …`)
  [/\.ts:\d/, 'a .ts:line reference'],
  [/^\s*at .*:\d+:\d+\)?\s*$/m, 'a stack frame'],
];
/** Junk never carries those markers itself, so an answer that echoes it is not mistaken for a leak. */
const clean = (s: string) => !/\/src\/|node_modules|\.ts:|\bat /.test(s);

const NASTY = [
  '', ' ', '\u0000', 'a\u0000b', '%', '%ff', '%00', '..', '../../etc/passwd', 'null', 'undefined', 'true', 'false', '-1', '0',
  '1e309', 'NaN', 'Infinity', '-0', '0x10', '9'.repeat(40), 'x'.repeat(5000), '__proto__', 'constructor', 'prototype', 'toString',
  'hasOwnProperty', '<script>alert(1)</script>', "' OR 1=1 --", '${7*7}', '{{7*7}}', '\\', '\\u0000', '😀', '\ud800', '\udfff',
  '\u202e', '\u200b', 'İ', 'ß', '\r\n', '\t', 'ffffffffffffffffffffffff', '000000000000000000000000', '#general', '@owner',
  'all_public_channels', 'webhook-incoming', 'webhook-outgoing', ':thumbsup:', '::', 'sbs_', 'sbk_', 'a,b,c', ',,,',
  'bot:messages:read', 'messages:read,bot:messages:write', 'https://example.com/x', 'javascript:alert(1)', '*', '?', '&', '=', '+', ';', '/', '#',
];

const junkString: fc.Arbitrary<string> = fc
  .oneof(
    { arbitrary: fc.constantFrom(...NASTY), weight: 4 },
    { arbitrary: fc.string({ maxLength: 30 }), weight: 2 },
    { arbitrary: fc.string({ unit: 'binary', maxLength: 12 }), weight: 2 },
    { arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }), weight: 1 },
  )
  .filter(clean);

const RAW_NUMBERS = ['1e309', '-1e309', '123456789012345678901234567890', '-0', '0.1', '1e-400', '9007199254740993', '-9007199254740993', '1.5', '2147483648', '-2147483649', '18446744073709551616', '1E2', '-1'];
const junkNumber: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...RAW_NUMBERS).map((t) => new RawJson(t)),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

const ID_REFS: RefKey[] = ['victimId', 'botUserId', 'generalId', 'channelId', 'messageId', 'scheduledId', 'groupId', 'appId', 'builtinAppId', 'hookId', 'outgoingId', 'workspaceId'];
const anyRef = fc.constantFrom(...ID_REFS).map(ref);

/** Any JSON value, junk at every level: wrong types, huge numbers, NUL, unicode, nesting. */
const junkValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    { arbitrary: junkString, weight: 4 },
    { arbitrary: junkNumber, weight: 2 },
    { arbitrary: fc.boolean(), weight: 1 },
    { arbitrary: fc.constant(null), weight: 1 },
    { arbitrary: anyRef, weight: 1 },
    { arbitrary: fc.array(tie('value'), { maxLength: 4 }), weight: 1 },
    { arbitrary: fc.array(fc.tuple(junkString, tie('value')), { maxLength: 4 }).map((e) => new Obj(e)), weight: 1 },
    // past the server's depth limit (32)
    { arbitrary: fc.integer({ min: 30, max: 40 }).map((d) => new RawJson('['.repeat(d) + ']'.repeat(d))), weight: 1 },
  ),
})).value;

/** Percent-encodes every byte but the unreserved ones; lone surrogates go out as U+FFFD's bytes (Buffer's rule). */
const enc = (s: string) => [...Buffer.from(s, 'utf8')].map((b) => (/[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0').toUpperCase()}`)).join('');

/** The ids a field of this name refers to, so that some bodies get past the lookups to deeper code. */
function refsFor(name: string): RefKey[] {
  const n = name.toLowerCase();
  if (n.includes('workspace') && !n.includes('user')) return ['workspaceId'];
  if (/channel|room|rid/.test(n)) return ['generalId', 'channelId'];
  if (n.includes('scheduled')) return ['scheduledId'];
  if (/message|root|thread|tmid/.test(n)) return ['messageId'];
  if (n.includes('group')) return ['groupId'];
  if (/user|participant|member|author/.test(n)) return ['victimId', 'botUserId'];
  if (n.includes('integration')) return ['hookId', 'outgoingId'];
  if (/client|app/.test(n)) return ['appId', 'builtinAppId'];
  if (n.includes('email')) return ['victimEmail'];
  if (n.includes('secret')) return ['clientSecret'];
  if (n === 'id') return ['scheduledId', 'hookId', 'messageId'];
  return [];
}

function enumsOf(s: Schema): unknown[] {
  if (Array.isArray(s.enum)) return s.enum;
  if (s.const !== undefined) return [s.const];
  return [...(s.anyOf ?? []), ...(s.oneOf ?? [])].flatMap((b: Schema) => enumsOf(b));
}

/** Numbers at and past the edges of a range, and the ones databases and Date cannot hold. */
function edgeNumbers(s: Schema): unknown[] {
  const out: unknown[] = [0, -1, 1, 0.5, 2 ** 31, 2 ** 53 + 2, 1e21, 8.64e15 + 1, 1e29, 1e308, -1e308, new RawJson('1e999'), new RawJson('-0')];
  if (typeof s.minimum === 'number') out.push(s.minimum, s.minimum - 1);
  if (typeof s.maximum === 'number') out.push(s.maximum, s.maximum + 1);
  return out;
}

/**
 * Values that satisfy the schema as far as it says (the right type, enums, ranges, required
 * properties; ids that exist), so that requests get past validation to the code behind it — with
 * the values a schema allows but code may not expect: huge numbers, NUL, unicode, the longest string.
 */
function validValue(schema: Schema | undefined, name: string, depth: number): fc.Arbitrary<unknown> {
  const s = schema ?? {};
  const alts: Array<fc.WeightedArbitrary<unknown>> = [];
  const refs = refsFor(name);
  const enums = enumsOf(s);
  const branches = [...(s.anyOf ?? []), ...(s.oneOf ?? [])] as Schema[];
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  if (enums.length > 0) alts.push({ arbitrary: fc.constantFrom(...enums), weight: 4 });
  else if (branches.length > 0 && depth < 5) alts.push({ arbitrary: fc.oneof(...branches.map((b) => validValue(b, name, depth + 1))), weight: 4 });
  else if ((type === 'object' || s.properties) && depth < 5) {
    const required = new Set<string>(s.required ?? []);
    const entries = Object.entries<Schema>(s.properties ?? {}).map(([k, p]) =>
      fc.option(anyValue(p, k, depth + 1).map((v): [string, unknown] => [k, v]), { freq: required.has(k) ? 12 : 2 }),
    );
    const extra = fc.oneof({ arbitrary: fc.constant<Array<[string, unknown]>>([]), weight: 6 }, { arbitrary: fc.tuple(fc.oneof(junkString, fc.constantFrom('__proto__', 'constructor', 'id')), junkValue).map((e) => [e]), weight: 1 });
    alts.push({ arbitrary: fc.tuple(fc.tuple(...entries), extra).map(([es, more]) => new Obj([...es.filter((e): e is [string, unknown] => e !== null), ...more])), weight: 4 });
  } else if (type === 'array' && depth < 5) {
    alts.push({ arbitrary: fc.array(anyValue(s.items, name.replace(/s$/, ''), depth + 1), { maxLength: 4 }), weight: 4 });
    if (refs.length > 0) alts.push({ arbitrary: fc.array(fc.constantFrom(...refs, 'ownerId' as const).map(ref), { minLength: 1, maxLength: 3 }), weight: 3 });
  } else if (type === 'string' || (type === undefined && refs.length > 0)) {
    if (refs.length > 0) alts.push({ arbitrary: fc.constantFrom(...refs).map(ref), weight: 6 });
    alts.push({ arbitrary: fc.constantFrom('x', 'Fuzz value', '😀 ünïcødé', 'a\u0000b', ' '), weight: 2 });
    alts.push({ arbitrary: junkString, weight: 2 });
    if (typeof s.maxLength === 'number' && s.maxLength <= 200_000) alts.push({ arbitrary: fc.constantFrom('x'.repeat(s.maxLength), 'x'.repeat(s.maxLength + 1)), weight: 1 });
    if (s.format === 'email' || /email/i.test(name)) alts.push({ arbitrary: fc.constantFrom('fuzz@example.com', 'a@', '@b', 'a@b@c', 'A@B.C '), weight: 3 });
    if (s.format === 'uri' || /url|avatar|icon|link/i.test(name)) alts.push({ arbitrary: fc.constantFrom('https://example.com/x', 'http://127.0.0.1:9/', 'ftp://x', 'http://[::1', 'https://', '//x', 'https://myapp.com/redirect'), weight: 3 });
    if (/sort/i.test(name)) alts.push({ arbitrary: fc.constantFrom('{"_updatedAt":-1}', '{"ts":1}', '{"name":0}', '{}', '[]', '{"__proto__":1}', '{"_createdAt":-1,"name":1}'), weight: 4 });
    if (/scope/i.test(name)) alts.push({ arbitrary: fc.constantFrom('messages:read', 'bot:messages:write', 'messages:read,bot:messages:read', 'bot:', ',', 'users:list'), weight: 3 });
  } else if (type === 'integer' || type === 'number') {
    const lo = typeof s.minimum === 'number' ? s.minimum : -1000;
    const hi = typeof s.maximum === 'number' ? s.maximum : Date.now() + 86_400_000;
    alts.push({ arbitrary: fc.integer({ min: Math.max(lo, Number.MIN_SAFE_INTEGER), max: Math.min(hi, Number.MAX_SAFE_INTEGER) }), weight: 3 });
    alts.push({ arbitrary: fc.constantFrom(...edgeNumbers(s)), weight: 3 });
  } else if (type === 'boolean') alts.push({ arbitrary: fc.boolean(), weight: 4 });
  if (alts.length === 0) alts.push({ arbitrary: junkValue, weight: 1 });
  return fc.oneof(...alts);
}

/** Mostly a valid value, sometimes junk of any type: one wrong field at a time, the rest right. */
function anyValue(schema: Schema | undefined, name: string, depth = 0): fc.Arbitrary<unknown> {
  return fc.oneof({ arbitrary: validValue(schema, name, depth), weight: 8 }, { arbitrary: junkValue, weight: 1 });
}

/** JSON text of a generated value; Refs stay pieces, resolved when sent. */
function toJson(v: unknown, out: Piece[] = []): Piece[] {
  if (v instanceof Ref) out.push('"', v, '"');
  else if (v instanceof RawJson) out.push(v.text);
  else if (v instanceof Obj) {
    out.push('{');
    v.entries.forEach(([k, x], i) => {
      out.push(`${i ? ',' : ''}${JSON.stringify(k)}:`);
      toJson(x, out);
    });
    out.push('}');
  } else if (Array.isArray(v)) {
    out.push('[');
    v.forEach((x, i) => {
      if (i) out.push(',');
      toJson(x, out);
    });
    out.push(']');
  } else out.push(JSON.stringify(v) ?? 'null');
  return out;
}

/** A value as text in a query string or form: junk percent-encoded, refs as they are. */
function asText(v: unknown): Piece[] {
  if (v instanceof Ref) return [v];
  if (typeof v === 'string') return [enc(v)];
  if (v instanceof RawJson) return [enc(v.text)];
  return [enc(toJson(v).map((p) => (p instanceof Ref ? 'ffffffffffffffffffffffff' : p)).join(''))];
}

const BAD_QUERY = ['__proto__=x', 'constructor[prototype][x]=1', '%ff=1', '=x', '&&&', 'x', '%=%', 'a=1&a=2&a=3', 'token=sbs_junk', 'access_token=x', `${'a'.repeat(3000)}=1`, 'q=%00', 'q=%E0%A4%A'];

function queryArb(params: QueryParam[]): fc.Arbitrary<Piece[]> {
  const value = (p: QueryParam) => anyValue(p.schema, p.name).map(asText);
  const one = (p: QueryParam): fc.Arbitrary<Piece[]> =>
    fc.oneof(
      { arbitrary: value(p).map((v) => [`${p.name}=`, ...v]), weight: 8 },
      // repeated parameters: ?a=x&a=y
      { arbitrary: fc.array(value(p), { minLength: 2, maxLength: 3 }).map((vs) => vs.flatMap((v, i) => [`${i ? '&' : ''}${p.name}=`, ...v])), weight: 2 },
      { arbitrary: fc.constantFrom('', '=', '[]=x', '[a]=x', '=%', '=%ff', '=%00', '=a%2Cb', '=%20').map((x) => [`${p.name}${x}`]), weight: 1 },
    );
  return fc
    .tuple(
      fc.subarray(params).chain((ps) => fc.tuple(...ps.map(one))),
      fc.oneof({ arbitrary: fc.constant<string[]>([]), weight: 4 }, { arbitrary: fc.array(fc.constantFrom(...BAD_QUERY), { minLength: 1, maxLength: 2 }), weight: 1 }),
    )
    .map(([ps, extra]) => [...ps, ...extra.map((e) => [e])].flatMap((p, i) => (i ? ['&', ...p] : p)));
}

/** Path parameters: the real id (picked by the plan's variant, so ids and tokens pair up) or junk. */
const PATH_REFS: Record<string, RefKey[]> = {
  workspaceId: ['workspaceId'],
  workspaceUserId: ['ownerId', 'victimId'],
  userId: ['victimId', 'ownerId', 'botUserId'],
  channelId: ['generalId', 'channelId'],
  messageId: ['messageId'],
  id: ['scheduledId'],
  groupId: ['groupId'],
  appId: ['appId', 'builtinAppId'],
  keyId: ['victimKeyId', 'keyId'],
  integrationId: ['hookId', 'scriptHookId'],
  token: ['hookToken', 'scriptHookToken'],
  code: ['hookToken', 'scriptHookToken'],
  secret: ['hookToken', 'scriptHookToken'],
};
const VALID = Symbol('valid');
const BAD_SEGMENTS = ['%', '%zz', '%ff', '%00', '%c0%ae', '%2e%2e', '%2F', '..', '.', '%E2%82', '%u0041', '~', "!$&'()*+,;=:@", 'a'.repeat(101), 'a'.repeat(3000), ''];

function pathArb(template: string): fc.Arbitrary<Piece[]> {
  const parts = template.split(/(\{[^}]+\})/).filter((p) => p !== '');
  const param = (name: string): fc.Arbitrary<Piece | typeof VALID> =>
    fc.oneof(
      { arbitrary: fc.constant(VALID), weight: PATH_REFS[name] ? 16 : 0 },
      { arbitrary: fc.constantFrom('ffffffffffffffffffffffff', '000000000000000000000000', '0', '-1', '1e309', '99999999999999999999', 'null', 'me'), weight: 2 },
      { arbitrary: junkString.map(enc), weight: 3 },
      { arbitrary: fc.constantFrom(...BAD_SEGMENTS), weight: 2 },
      { arbitrary: fc.constantFrom<RefKey>('session', 'apiKey', 'botToken', 'ownerId').map(ref), weight: 1 },
    );
  // Now and then something after the route's own path: a trailing slash, a dot segment, a matrix parameter.
  const suffix = fc.oneof({ arbitrary: fc.constant(''), weight: 20 }, { arbitrary: fc.constantFrom('/', '//', '/.', '/..', '%2F', ';a=b', '/x'), weight: 1 });
  return fc.tuple(fc.nat(5), fc.tuple(...parts.map((p) => (p.startsWith('{') ? param(p.slice(1, -1)) : fc.constant(p)))), suffix).map(([variant, filled, end]) => [
    ...filled.map((x, i) => {
      if (x !== VALID) return x;
      const refs = PATH_REFS[parts[i]!.slice(1, -1)]!;
      return ref(refs[variant % refs.length]!);
    }),
    end,
  ]);
}

// ---- headers ---------------------------------------------------------------------------------------

type HeaderValue = Piece[] | Piece[][];
const latin1 = fc.integer({ min: 0x20, max: 0xff }).filter((c) => c !== 0x7f).map((c) => String.fromCharCode(c));
const headerJunk = fc.oneof(fc.string({ unit: latin1, maxLength: 40 }), fc.constantFrom('', ' ', '%ff', '%00', 'x'.repeat(4000), 'null', '-1', '1e309', '\u00ff\u00fe')).filter(clean);
const b64 = (s: string) => Buffer.from(s).toString('base64url');
const JWTISH = ['a.b.c', '..', '.', `${b64('{"alg":"none"}')}.${b64('{"exp":"x"}')}.`, `${b64('{"alg":"HS256"}')}.${b64('{"sub":1,"exp":1e999}')}.sig`, `x.${b64('[]')}.y`, `x.${b64('null')}.y`, 'x.%%%.y', `${b64('{')}.${b64('{')}.${b64('{')}`];
const BAD_COOKIES = ['sb_session=%ff', 'sb_session=%', 'sb_session=%E0%A4%A', 'sb_session=', 'sb_session', '=', ';;;', 'sb_session=a; sb_session=b', 'sb_session="x"', 'sb_session=sbs_AAAA', 'sb_session=%00', 'other=%ff; sb_session=x', `sb_session=${'x'.repeat(4000)}`];
const CRED_REFS: RefKey[] = ['session', 'devToken', 'refreshToken', 'botToken', 'userToken', 'appKey', 'clientSecret', 'rcToken', 'apiKey', 'hookToken'];
const ID_HEADER_REFS: RefKey[] = ['ownerId', 'victimId', 'botUserId', 'rcUserId'];

const valuePieces: fc.Arbitrary<Piece[]> = fc.oneof(
  { arbitrary: headerJunk.map((v) => [v]), weight: 3 },
  { arbitrary: fc.constantFrom(...CRED_REFS, ...ID_HEADER_REFS).map((k) => [ref(k)]), weight: 2 },
  { arbitrary: fc.constantFrom(...JWTISH).map((v) => [v]), weight: 1 },
);

const headerMutation: fc.Arbitrary<[string, HeaderValue]> = fc.oneof(
  fc.tuple(
    fc.constant('cookie'),
    fc.oneof(
      fc.constantFrom(...BAD_COOKIES).map((c): Piece[] => [c]),
      headerJunk.map((j): Piece[] => [`sb_session=${j}`]),
      fc.constantFrom<Piece[]>(['sb_session=', ref('session')], ['sb_session=', ref('session'), '%ff'], ['sb_session=', ref('botToken')]),
    ),
  ),
  fc.tuple(
    fc.constant('authorization'),
    fc.oneof(
      fc.constantFrom('Bearer', 'Bearer ', 'Bearer a b', 'Basic Zm9vOmJhcg==', 'bearer\tsbs_x', 'Bearer sbs_').map((v): Piece[] => [v]),
      headerJunk.map((v): Piece[] => [v]),
      fc.constantFrom<RefKey>('botToken', 'userToken', 'apiKey', 'devToken', 'rcToken', 'clientSecret').map((k): Piece[] => ['Bearer ', ref(k)]),
    ),
  ),
  fc.tuple(fc.constantFrom('token', 'x-app-token', 'authtoken', 'apikey', 'api-key', 'x-user-id', 'x-auth-token'), valuePieces),
  fc.tuple(
    fc.constantFrom('accept-language', 'x-request-id', 'accept', 'content-encoding', 'x-forwarded-for', 'x-forwarded-proto', 'origin', 'referer', 'user-agent', 'if-none-match', 'range', 'accept-encoding', 'content-language', 'x-http-method-override'),
    fc.oneof(headerJunk, fc.constantFrom('gzip', 'br', 'deflate', 'pt-BR,,,;q=', '*;q=abc', 'bytes=-5-', 'DELETE', 'https', '*/*;q=x')).map((v): Piece[] => [v]),
  ),
  // the same header twice (Node joins some, keeps the first of others)
  fc.tuple(fc.constantFrom('token', 'x-app-token', 'apikey', 'x-user-id', 'x-auth-token', 'authtoken', 'cookie', 'authorization', 'accept-language', 'content-type'), fc.array(valuePieces, { minLength: 2, maxLength: 3 })),
).chain((m) =>
  // Now and then past Node's 16 KiB of headers instead: refused (431) before any route.
  fc.oneof({ arbitrary: fc.constant(m), weight: 30 }, { arbitrary: fc.constant<[string, HeaderValue]>(['x-padding', ['x'.repeat(20_000)]]), weight: 1 }),
);

// ---- bodies ----------------------------------------------------------------------------------------

interface BodyPlan {
  contentType?: string;
  body?: Piece[] | Uint8Array;
}

const BAD_JSON = [
  '{', '{"a":', '[1,2', '{"a":1,}', "{'a':1}", 'nul', 'tru', '"unterminated', '\ufeff{}', '{"__proto__":{"x":1}}',
  '{"constructor":{"prototype":{"x":1}}}', '{"a":"\\ud800"}', '{"a":"\\u0000"}', '{"a":1e999}', '{"a":-1e999}', '['.repeat(20_000),
  '{"a":'.repeat(3000), `{"text":"${'x'.repeat(300_000)}"}`, '{} {}', '{"a":1}garbage', '\u0000', '[]', '0', '""', 'null', 'true', '-', '1e',
  '{"a":"\\x41"}', '{"a":"\\u12"}', '{"":1}', '{"a":1,"a":2}', ' ', '\r\n',
];

const fieldsObject = (fields: string[]) => anyValue({ type: 'object', properties: Object.fromEntries(fields.map((f) => [f, { type: 'string' }])) }, 'body');

function formArb(given: string[]): fc.Arbitrary<BodyPlan> {
  const fields = given.length ? given : ['a'];
  const names = fc.oneof({ arbitrary: fc.constantFrom(...fields), weight: 4 }, { arbitrary: fc.constantFrom('__proto__', 'constructor', 'a[b]', 'a[]', ''), weight: 1 });
  const pair = fc.tuple(names, fc.oneof(anyValue(undefined, 'x'), fc.constantFrom(...fields).chain((f) => anyValue({ type: 'string' }, f)))).map(([k, v]): Piece[] => [`${enc(k)}=`, ...asText(v)]);
  return fc.oneof(
    fc.array(pair, { maxLength: 6 }).map((ps) => ps.flatMap((p, i) => (i ? ['&', ...p] : p))),
    junkValue.map((v): Piece[] => ['payload=', enc(toJson(v).map((p) => (p instanceof Ref ? 'x' : p)).join(''))]),
    fc.constantFrom('%ff=1&a=%', 'payload=%7B', 'payload=', '&', '=', 'a=1&a=2&a=3', `a=${'x'.repeat(10_000)}`).map((t): Piece[] => [t]),
  ).chain((body) => fc.constantFrom('application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=utf-8', 'application/x-www-form-urlencoded; charset=ebcdic').map((contentType) => ({ contentType, body })));
}

function multipartBody(boundary: string, parts: Array<{ name: string; value: Piece[]; file: boolean }>): Piece[] {
  const out: Piece[] = [];
  for (const p of parts) {
    out.push(`--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${p.file ? '; filename="a.txt"\r\nContent-Type: text/plain' : ''}\r\n\r\n`, ...p.value, '\r\n');
  }
  out.push(`--${boundary}--\r\n`);
  return out;
}

function multipartArb(given: string[]): fc.Arbitrary<BodyPlan> {
  const fields = given.length ? given : ['a'];
  const part = fc.record({
    name: fc.oneof({ arbitrary: fc.constantFrom(...fields), weight: 5 }, { arbitrary: fc.constantFrom('__proto__', 'constructor', '', 'ü', 'a"b'), weight: 1 }),
    value: fc.oneof(anyValue(undefined, 'x'), fc.constantFrom(...fields).chain((f) => anyValue({ type: 'string' }, f))).map((v) =>
      v instanceof Ref ? [v] : [typeof v === 'string' ? v : toJson(v).map((p) => (p instanceof Ref ? 'x' : p)).join('')],
    ),
    file: fc.oneof({ arbitrary: fc.constant(false), weight: 6 }, { arbitrary: fc.constant(true), weight: 1 }),
  });
  const parts = fc.array(part, { maxLength: 12 });
  return fc.oneof(
    // no (usable) boundary
    fc.tuple(fc.constantFrom('multipart/form-data', 'multipart/form-data;', 'multipart/form-data; boundary=', 'multipart/form-data; boundary="', 'multipart/form-data; charset=utf-8', `multipart/form-data; boundary=${'b'.repeat(100)}`), parts).map(([contentType, ps]) => ({ contentType, body: multipartBody('B', ps) })),
    // a boundary, and a body that does not keep to it
    fc.constantFrom(
      'hello', '--B\r\n', '--B\r\nContent-Disposition: form-data\r\n\r\nx\r\n--B--\r\n', '--B\r\nContent-Disposition: form-data; name="code"\r\n\r\nunterminated',
      '--B\r\nno-colon-header\r\n\r\nv\r\n--B--\r\n', '--B--\r\n', '', '--B\r\nContent-Disposition: form-data; name="__proto__"\r\n\r\nv\r\n--B--\r\n',
      '--B\r\nContent-Disposition: form-data; name="a"\r\nContent-Type: application/json\r\n\r\n{"x":\r\n--B--\r\n',
    ).map((b) => ({ contentType: 'multipart/form-data; boundary=B', body: [b] })),
    // well formed, with junk values, repeated fields, files, too many fields
    parts.map((ps) => ({ contentType: 'multipart/form-data; boundary=B', body: multipartBody('B', ps) })),
  );
}

const ODD_TYPES = [
  'text/plain', 'application/xml', 'application/octet-stream', 'application/json; charset=utf-16', 'application/json, text/plain', 'application/json;;',
  'APPLICATION/JSON', 'application/json; charset=latin1', '*/*', 'multipart/mixed; boundary=B', 'text/html', 'application/vnd.api+json',
  'application/merge-patch+json', 'application/', '/', 'x', '', 'application/json; charset="', 'application/json; boundary=x',
];

function bodyArb(route: RouteSpec): fc.Arbitrary<BodyPlan> {
  const fields = route.fields ?? Object.keys(route.body?.properties ?? {});
  const object = route.body ? anyValue(route.body, 'body') : fieldsObject(fields);
  const json = (v: unknown): BodyPlan => ({ contentType: 'application/json', body: toJson(v) });
  const takesBody = route.body !== undefined || route.fields !== undefined;
  return fc.oneof(
    { arbitrary: fc.constant<BodyPlan>({}), weight: takesBody ? 1 : 12 },
    { arbitrary: object.map(json), weight: 10 },
    { arbitrary: junkValue.map(json), weight: 1 },
    { arbitrary: fc.constantFrom(...BAD_JSON).map((t): BodyPlan => ({ contentType: 'application/json', body: [t] })), weight: 2 },
    { arbitrary: formArb(fields), weight: 2 },
    { arbitrary: multipartArb(fields), weight: 2 },
    { arbitrary: fc.tuple(fc.constantFrom(...ODD_TYPES), object).map(([contentType, v]): BodyPlan => ({ contentType, body: toJson(v) })), weight: 1 },
    { arbitrary: fc.tuple(fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'text/plain'), fc.uint8Array({ minLength: 1, maxLength: 64 })).map(([contentType, body]): BodyPlan => ({ contentType, body })), weight: 1 },
    { arbitrary: fc.constant<BodyPlan>({ contentType: 'application/json', body: [''] }), weight: 1 },
  );
}

// ---- plans ----------------------------------------------------------------------------------------

interface Plan extends BodyPlan {
  method: string;
  path: Piece[];
  query: Piece[];
  headers: Array<[string, HeaderValue]>;
}

function planArb(route: RouteSpec): fc.Arbitrary<Plan> {
  const methods = fc.oneof(
    { arbitrary: fc.constant(route.method), weight: 14 },
    { arbitrary: fc.constant(route.method === 'GET' ? 'HEAD' : route.method), weight: 1 },
    { arbitrary: fc.constant('OPTIONS'), weight: 1 },
  );
  return fc
    .record({
      method: methods,
      path: pathArb(route.path),
      query: queryArb(route.query),
      headers: fc.oneof({ arbitrary: fc.constant<Array<[string, HeaderValue]>>([]), weight: 3 }, { arbitrary: fc.array(headerMutation, { minLength: 1, maxLength: 2 }), weight: 2 }),
      body: bodyArb(route),
    })
    .map(({ body, method, headers, ...rest }) => ({
      ...rest,
      method,
      headers,
      ...(method === 'HEAD' ? {} : body),
    }));
}

/** A 32-bit seed per route, credential and round, all from SEED. */
function seedFor(...parts: Array<string | number>): number {
  let h = 2166136261 ^ SEED;
  for (const c of parts.join('\u0000')) h = Math.imul(h ^ c.codePointAt(0)!, 16777619);
  return h | 0;
}

// ---- the server under test -----------------------------------------------------------------------------

/** The fixtures and credentials the fuzzer's refs point at; restored after each round, when a fuzzed request ended one. */
class World {
  readonly v = {} as Record<RefKey, string>;
  private apps = 0;
  constructor(private readonly s: TestServer) {}

  /** The fixtures' own session of the owner, never shown to the fuzz (which may end every session but its own). */
  private adminToken = '';

  private asOwner(method: string, path: string, body?: unknown) {
    return http(this.s.url, method, path, { headers: { authorization: `Bearer ${this.adminToken}` }, ...(body !== undefined && { body }) });
  }

  private async ok(path: string, headers: Record<string, string>): Promise<boolean> {
    return (await http(this.s.url, 'GET', path, { headers })).status === 200;
  }

  static async create(s: TestServer): Promise<World> {
    const w = new World(s);
    Object.assign(w.v, { workspaceId: s.workspaceId, ownerId: s.ownerId, generalId: s.generalId });
    w.adminToken = s.owner.token;
    const victim = await createUser(s.owner, 'MEMBER', 'Victim');
    w.v.victimId = victim.userId;
    w.v.victimEmail = victim.email!;
    w.v.builtinAppId = (await w.asOwner('GET', '/v1/appDirectory')).body.find((a: { builtin?: boolean }) => a.builtin).id;
    // Another person's key: its id is what DELETE /v1/apiKeys/{id} gets from the owner.
    await victim.post(`/v1/appDirectory/${w.v.builtinAppId}/install`);
    w.v.victimKeyId = (await victim.post('/v1/apiKeys', { name: 'victim' })).body.id;
    const owner = (await s.sb.store.user(s.workspaceId, s.ownerId))!;
    const hook = (fields: Record<string, unknown>) =>
      s.sb.core.integrations.create(owner, { type: 'webhook-incoming', name: `fuzz-${Math.random()}`, enabled: true, username: owner.username, channel: '#general', scriptEnabled: false, rateLimitPerSecond: 0, ...fields });
    const plain = await hook({});
    // A script that passes whatever arrived on to posting: junk reaches the code behind the script too.
    const scripted = await hook({ scriptEnabled: true, script: 'class Script { process_incoming_request({ request }) { return { content: request.content }; } }' });
    Object.assign(w.v, { hookId: plain._id, hookToken: plain.token, scriptHookId: scripted._id, scriptHookToken: scripted.token });
    // Outgoing: on a channel no fuzzed request names, so fuzzing does not fill the delivery queue.
    await w.asOwner('POST', '/v1/channels', { name: 'fuzz-outgoing', type: 'PUBLIC' });
    w.v.outgoingId = (
      await s.sb.core.integrations.create(owner, {
        type: 'webhook-outgoing', name: 'fuzz-out', enabled: true, username: owner.username, channel: '#fuzz-outgoing', event: 'sendMessage', urls: ['http://127.0.0.1:9/'], scriptEnabled: false,
      })
    )._id;
    await w.restore();
    return w;
  }

  /** Fresh objects to point at (the last round may have deleted them), and every credential alive again. */
  async restore(): Promise<void> {
    const { v } = this;
    if (!this.adminToken || !(await this.ok('/v1/workspace', { authorization: `Bearer ${this.adminToken}` }))) this.adminToken = await this.mintSession();
    const tag = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6)}`;
    v.channelId = (await this.asOwner('POST', '/v1/channels', { name: `fuzz-${tag}`, type: 'PUBLIC' })).body.channel.id;
    v.messageId = (await this.asOwner('POST', `/v1/channels/${v.generalId}/messages`, { text: 'fuzz target' })).body.id;
    v.scheduledId = (await this.asOwner('POST', '/v1/messages/scheduled', { channelId: v.generalId, text: 'fuzz', sendAt: Date.now() + 86_400_000 })).body.id;
    v.groupId = (await this.asOwner('POST', '/v1/workspaceUsers/groups', { name: `Fuzz ${tag}`, handle: `fuzz${tag}` })).body.id;

    if (!v.session || !(await this.ok('/v1/workspace', { authorization: `Bearer ${v.session}` }))) v.session = await this.mintSession();
    if (!v.devToken || !(await this.ok(`/workspaces/${v.workspaceId}/info`, { authtoken: v.devToken }))) {
      const pair = (await this.asOwner('POST', '/auth/developer-token')).body;
      Object.assign(v, { devToken: pair.token, refreshToken: pair.refreshToken });
    }
    const appAlive = async (token: string) => this.ok('/oauth2/me', { token, 'x-app-token': v.appKey });
    if (!v.botToken || !(await appAlive(v.botToken)) || !(await appAlive(v.userToken))) await this.installApp();
    if (!v.rcToken || !(await this.ok('/api/v1/me', { 'x-user-id': v.rcUserId, 'x-auth-token': v.rcToken }))) {
      Object.assign(v, { rcUserId: v.ownerId, rcToken: await this.mintSession() });
    }
    if (!v.apiKey || !(await this.ok('/addon/api-keys/myInfo', { apikey: v.apiKey }))) {
      await this.asOwner('POST', `/v1/appDirectory/${v.builtinAppId}/install`);
      const key = (await this.asOwner('POST', '/v1/apiKeys', { name: `fuzz-${tag}` })).body;
      Object.assign(v, { apiKey: key.key, keyId: key.id });
    }
    for (const k of ['channelId', 'messageId', 'scheduledId', 'groupId', 'session', 'devToken', 'botToken', 'rcToken', 'apiKey'] as const) {
      assert.ok(v[k], `fuzz fixture ${k} could not be (re)made`);
    }
  }

  /**
   * A new session of the owner (either face's login token), made without the password: fuzzed
   * password changes and logins may have locked the password out for minutes, which must not
   * leave the rest of the run unauthenticated.
   */
  private async mintSession(): Promise<string> {
    const owner = (await this.s.sb.store.user(this.v.workspaceId, this.v.ownerId))!;
    const token = newToken(SESSION_TOKEN_PREFIX);
    await this.s.sb.store.insertSession(hashToken(token), owner, Date.now());
    return token;
  }

  /** An app with every scope, installed by the owner: its bot token, user token and appKey. */
  private async installApp(): Promise<void> {
    const { v } = this;
    // Events go to a closed loopback port: refused at once, nothing leaves the machine.
    const manifest = { ...EXAMPLE, eventSubscriptions: { ...EXAMPLE.eventSubscriptions, url: 'http://127.0.0.1:9/events' } };
    const created = await http(this.s.url, 'POST', `/workspaces/${v.workspaceId}/workspaceUsers/${v.ownerId}/apps`, {
      body: { ...manifest, name: `fuzz_app_${++this.apps}`, scopes: { botScopes: [...SCOPES], userScopes: [...SCOPES] } },
      headers: { authtoken: v.devToken },
    });
    assert.equal(created.status, 200, created.text);
    const q = new URLSearchParams({ clientId: created.body.id, scopes: [...SCOPES, ...SCOPES.map((sc) => `bot:${sc}`)].join(',') });
    const grant = await http(this.s.url, 'GET', `/workspaces/${v.workspaceId}/workspaceUsers/${v.ownerId}/oauth2/grant?${q}`, { headers: { authtoken: v.devToken } });
    assert.equal(grant.status, 200, grant.text);
    const tokens = await http(this.s.url, 'POST', '/oauth2/access', { body: { 'client-id': created.body.id, 'client-secret': created.body.clientSecret, code: grant.body.code } });
    assert.equal(tokens.status, 200, tokens.text);
    Object.assign(v, {
      appId: created.body.id, appKey: created.body.appKey, clientSecret: created.body.clientSecret,
      botToken: tokens.body.botToken, userToken: tokens.body.accessToken, botUserId: tokens.body.botId,
    });
  }

  headersFor(kind: Kind, round: number): Record<string, string> {
    const { v } = this;
    switch (kind) {
      case 'none': return {};
      // the cookie too, so that the consent page gets past its login form
      case 'bearer': return { authorization: `Bearer ${v.session}`, cookie: `sb_session=${v.session}` };
      case 'token': return { token: v.session };
      case 'app': return { token: round % 2 ? v.userToken : v.botToken, 'x-app-token': v.appKey };
      case 'developer': return { authtoken: v.devToken };
      case 'rocketchat': return { 'x-user-id': v.rcUserId, 'x-auth-token': v.rcToken };
      case 'apiKey': return { apikey: v.apiKey };
    }
  }

  text(pieces: Piece[]): string {
    return pieces.map((p) => (p instanceof Ref ? this.v[p.key] ?? 'ffffffffffffffffffffffff' : p)).join('');
  }
}

// ---- sending and judging ---------------------------------------------------------------------------

interface Answer {
  status: number;
  contentType: string;
  text: string;
}

interface Sent {
  method: string;
  path: string;
  headers: OutgoingHttpHeaders;
  body?: Buffer;
}

function materialize(plan: Plan, kind: Kind, round: number, w: World): Sent {
  const query = w.text(plan.query);
  const headers: OutgoingHttpHeaders = { ...w.headersFor(kind, round) };
  if (plan.contentType !== undefined) headers['content-type'] = plan.contentType;
  for (const [name, value] of plan.headers) {
    headers[name] = value.length > 0 && Array.isArray(value[0]) ? (value as Piece[][]).map((v) => w.text(v)) : w.text(value as Piece[]);
  }
  const body = plan.body instanceof Uint8Array ? Buffer.from(plan.body) : plan.body ? Buffer.from(w.text(plan.body), 'utf8') : undefined;
  return { method: plan.method, path: w.text(plan.path) + (query ? `?${query}` : ''), headers, ...(body && { body }) };
}

function send(base: URL, agent: Agent, r: Sent): Promise<Answer | { error: Error }> {
  return new Promise((resolve) => {
    let req;
    try {
      req = httpRequest(
        { host: base.hostname, port: base.port, method: r.method, path: r.path, headers: { ...r.headers, ...(r.body && { 'content-length': r.body.length }) }, agent, signal: AbortSignal.timeout(DEADLINE_MS) },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', (error) => resolve({ error }));
        },
      );
    } catch (error) {
      // A request Node itself refuses to write is a bug in this generator, not in the server.
      throw new Error(`the fuzzer built an unsendable request ${r.method} ${r.path}: ${(error as Error).message}`);
    }
    req.on('error', (error) => resolve({ error }));
    req.end(r.body);
  });
}

const decodes = (path: string) => {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
};

type Problem = '5xx' | 'hang' | 'no answer' | 'leak' | 'shape';

function judge(route: RouteSpec, sent: Sent, a: Answer | { error: Error }): Array<{ kind: Problem; detail: string }> {
  if ('error' in a) {
    const timedOut = a.error.name === 'TimeoutError' || a.error.name === 'AbortError';
    return [{ kind: timedOut ? 'hang' : 'no answer', detail: timedOut ? `no answer within ${DEADLINE_MS} ms` : `${(a.error as NodeJS.ErrnoException).code ?? ''} ${a.error.message}` }];
  }
  const problems: Array<{ kind: Problem; detail: string }> = [];
  // The one deliberate 5xx: pumble-app-platform.md §11.2 answers `calls/permanent` with 501 when calls are disabled.
  const designed = a.status === 501 && route.path === '/v1/calls/permanent';
  if (a.status >= 500 && !designed) problems.push({ kind: '5xx', detail: `${a.status}: ${a.text.slice(0, 300)}` });
  for (const [re, label] of LEAKS) if (re.test(a.text)) problems.push({ kind: 'leak', detail: `${a.status} shows ${label}: ${a.text.slice(0, 300)}` });
  if (a.status >= 400 && a.status < 500 && sent.method !== 'HEAD') {
    let body: any;
    try {
      body = JSON.parse(a.text);
    } catch {
      body = undefined;
    }
    const json = a.contentType.startsWith('application/json') && body !== null && typeof body === 'object';
    const errorBody = json && body.code === a.status * 1000 && typeof body.message === 'string';
    // Malformed URLs and oversized headers are refused before routing (server.ts: frameworkErrors,
    // clientErrorHandler), in /v1's ErrorBody whatever the prefix.
    if ((a.status === 431 || !decodes(sent.path.split('?')[0]!)) && errorBody) return problems;
    const fits =
      route.surface === 'hooks' ? true
      : route.surface === 'rocketchat' ? json && body.success === false && typeof body.error === 'string'
      : route.surface === 'addon' ? json && typeof body.code === 'number' && typeof body.error === 'string' && typeof body.localizedMessage === 'string'
      : route.surface === 'page' && a.contentType.startsWith('text/html') ? true
      : errorBody;
    if (!fits) problems.push({ kind: 'shape', detail: `${a.status} ${a.contentType}: ${a.text.slice(0, 300)}` });
  }
  return problems;
}

function describeRequest(r: Sent): string {
  const body = r.body ? r.body.toString('utf8') : '';
  return `${r.method} ${r.path.slice(0, 500)}\n      headers: ${JSON.stringify(r.headers).slice(0, 600)}${body ? `\n      body: ${JSON.stringify(body.slice(0, 400))}${body.length > 400 ? ` (${body.length} chars)` : ''}` : ''}`;
}

/** Runs jobs with `limit` in flight, in order, each only if `mayStart(job)` says so when its turn comes; answers how many ran. */
async function runPool<T>(jobs: T[], limit: number, mayStart: (job: T) => boolean, run: (job: T) => Promise<void>): Promise<number> {
  let next = 0;
  let ran = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < jobs.length) {
        const job = jobs[next++]!;
        if (!mayStart(job)) continue;
        await run(job);
        ran++;
      }
    }),
  );
  return ran;
}

test('fuzz: no route answers 5xx, shows its internals or hangs, whatever the input and credentials', async (t) => {
  const started = Date.now();
  console.log(`fuzz: seed ${SEED} (set FUZZ_SEED to change it)`);
  const many = 1_000_000_000;
  // SQLite by default; FUZZ_DATABASE=postgres runs the same fuzz on a fresh PostgreSQL database.
  const pg = process.env.FUZZ_DATABASE === 'postgres' ? await freshPostgresDatabase() : undefined;
  const s = await startTestServer({
    ...(pg && { databaseUrl: pg.url }),
    env: { HOOK_RATE_LIMITS: 'off' },
    // Limits would answer 429 before the code under test runs: lifted, so the fuzz reaches it.
    apiKeyRequestsPerMinute: many,
    appRateLimits: { perApp: many, perUserToken: many, postMessage: many, createChannel: many, addReaction: many, publishHomeView: many },
  });
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  try {
    const world = await World.create(s);
    const routes = routesOf((await http(s.url, 'GET', '/openapi.json')).body);
    assert.ok(routes.length > 100, `the OpenAPI document lists the routes (${routes.length})`);
    const base = new URL(s.url);
    const until = started + BUDGET_MS;
    const failures = new Map<string, { count: number; detail: string; request: string }>();
    const counts: Record<Problem | 'sent', number> = { sent: 0, '5xx': 0, hang: 0, 'no answer': 0, leak: 0, shape: 0 };
    let rounds = 0;
    const statuses = new Map<number, number>();

    const plans = new Map(routes.map((r) => [r, planArb(r)]));
    // The first round runs whole whatever the time (every route × credential once); later ones while the budget lasts.
    // The first round's every route × every credential runs whatever the time; the rest while the budget lasts.
    for (let round = 0; round < MAX_ROUNDS && (round === 0 || Date.now() < until); round++) {
      let complete = true;
      // Credential-ending routes after the rest, so that one logout does not leave the round unauthenticated.
      for (const phase of [routes.filter((r) => !r.destructive), routes.filter((r) => r.destructive)]) {
        const jobs = [
          ...phase.flatMap((route) => KINDS.map((kind) => ({ route, kind, rep: 0 }))),
          ...phase.flatMap((route) => Array.from({ length: NATIVE_EXTRA }, (_, i) => route.native!.map((kind) => ({ route, kind, rep: i + 1 }))).flat()),
        ];
        const mayStart = (job: { rep: number }) => (round === 0 && job.rep === 0) || Date.now() < until;
        const ran = await runPool(jobs, CONCURRENCY, mayStart, async ({ route, kind, rep }) => {
          const [plan] = fc.sample(plans.get(route)!, { seed: seedFor(route.method, route.path, kind, round, rep), numRuns: 1 });
          const sent = materialize(plan!, kind, round, world);
          const answer = await send(base, agent, sent);
          counts.sent++;
          if (!('error' in answer)) statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
          for (const p of judge(route, sent, answer)) {
            counts[p.kind]++;
            const key = `${p.kind} ${route.method} ${route.path} [${kind}]`;
            const seen = failures.get(key);
            if (seen) seen.count++;
            else failures.set(key, { count: 1, detail: p.detail, request: `${describeRequest(sent)}\n      (round ${round}, repetition ${rep})` });
          }
        });
        if (ran < jobs.length) complete = false;
      }
      if (complete) rounds++;
      await world.restore();
    }

    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const summary =
      `fuzz: ${counts.sent} requests, ${counts['5xx']} answered 5xx, ${counts.hang} hung, ${counts['no answer']} unanswered, ` +
      `${counts.leak} leaked internals, ${counts.shape} off-shape errors ` +
      `(${rounds} full rounds over ${routes.length} routes × ${KINDS.length} credentials, ${pg ? 'PostgreSQL' : 'SQLite'}, ${seconds} s, seed ${SEED})`;
    const histogram = [...statuses.entries()].sort((a, b) => a[0] - b[0]).map(([st, n]) => `${st}×${n}`).join(' ');
    t.diagnostic(`fuzz: statuses ${histogram}`);
    t.diagnostic(summary);
    if (failures.size > 0) {
      const list = [...failures.entries()].map(([key, f]) => `  ${key} ×${f.count}\n      ${f.detail.replace(/\n/g, ' ')}\n      ${f.request}`).join('\n');
      assert.fail(`${failures.size} kinds of failure (FUZZ_SEED=${SEED}):\n${list}`);
    }
  } finally {
    agent.destroy();
    await s.close();
    await pg?.drop();
  }
});
