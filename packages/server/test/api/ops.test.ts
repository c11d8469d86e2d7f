/**
 * Operations and documentation: health, readiness, metrics, and an OpenAPI 3.1 document that
 * validates against the official schema and describes every route with its error body.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Validator } from '@seriousme/openapi-schema-validator';
import { http, startTestServer, type TestServer } from '../support/helpers.js';

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(() => s.close());

test('/healthz answers while the process lives; /readyz checks the database', async () => {
  assert.deepEqual((await http(s.url, 'GET', '/healthz')).body, { status: 'ok' });
  const ready = await http(s.url, 'GET', '/readyz');
  assert.equal(ready.status, 200);
  assert.deepEqual(ready.body.checks, { database: 'ok' });
});

test('/readyz answers 503 with the failing check when the database is gone', async () => {
  const other = await startTestServer();
  await other.sb.database.db.destroy();
  const r = await http(other.url, 'GET', '/readyz');
  assert.equal(r.status, 503);
  assert.equal(r.body.code, 503000);
  assert.notEqual(r.body.checks.database, 'ok');
  await other.sb.app.close();
});

test('/readyz answers 503 promptly while the database does not answer (a wedged node), and 200 again once it does', async () => {
  const other = await startTestServer();
  try {
    // A transaction that never ends holds SQLite's one connection: every query waits behind it.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let holding!: () => void;
    const holds = new Promise<void>((r) => (holding = r));
    const wedge = other.sb.database.db.transaction().execute(async () => {
      holding();
      await held;
    });
    await holds;
    const r = await http(other.url, 'GET', '/readyz');
    assert.equal(r.status, 503, r.text);
    assert.equal(r.body.checks.database, 'no answer within 2000 ms');
    assert.equal((await http(other.url, 'GET', '/healthz')).status, 200, 'alive, only not ready');
    release();
    await wedge;
    const again = await http(other.url, 'GET', '/readyz');
    assert.equal(again.status, 200, again.text);
  } finally {
    await other.close();
  }
});

test('/metrics counts requests by route and status, with a latency histogram', async () => {
  await s.owner.get('/v1/workspace');
  await s.owner.get('/v1/channels/ffffffffffffffffffffffff');
  const text = (await http(s.url, 'GET', '/metrics')).text;
  assert.match(text, /http_requests_total\{method="GET",route="\/v1\/workspace",status="200"\} [1-9]/);
  assert.match(text, /http_requests_total\{method="GET",route="\/v1\/channels\/:channelId",status="404"\} 1/);
  assert.match(text, /http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/v1\/workspace"\} \d+/);
  assert.match(text, /^websocket_connections \d+$/m);
});

test('the OpenAPI document is valid OpenAPI 3.1 and documents every route, its security and its errors', async () => {
  const doc = (await http(s.url, 'GET', '/openapi.json')).body;
  const result = await new Validator().validate(doc);
  assert.deepEqual(result, { valid: true });
  assert.equal(doc.openapi, '3.1.0');
  assert.deepEqual(Object.keys(doc.components.securitySchemes).sort(), ['appKey', 'bearerAuth', 'developerToken', 'rocketChatAuthToken', 'rocketChatUserId', 'tokenHeader']);
  assert.ok(doc.components.schemas.ErrorBody.properties.code);

  const expected = [
    'post /auth/login',
    'post /auth/logout',
    'get /v1/channels',
    'post /v1/channels',
    'get /v1/channels/direct',
    'post /v1/channels/direct',
    'get /v1/channels/{channelId}',
    'post /v1/channels/{channelId}/users',
    'delete /v1/channels/{channelId}/users/{userId}',
    'post /v1/channels/{channelId}/join',
    'post /v1/channels/{channelId}/leave',
    'post /v1/channels/{channelId}/archive',
    'get /v1/channels/{channelId}/messages',
    'post /v1/channels/{channelId}/messages',
    'get /v1/channels/{channelId}/messages/{messageId}',
    'post /v1/channels/{channelId}/messages/{messageId}',
    'put /v1/channels/{channelId}/messages/{messageId}',
    'delete /v1/channels/{channelId}/messages/{messageId}',
    'delete /v1/channels/{channelId}/messages/{messageId}/ephemeral',
    'get /v1/channels/{channelId}/messages/{messageId}/replies',
    'post /v1/messages/{messageId}/reactions',
    'delete /v1/messages/{messageId}/reactions',
    'get /v1/workspaceUsers',
    'post /v1/workspaceUsers',
    'get /v1/workspaceUsers/{userId}',
    'post /v1/workspaceUsers/{userId}/deactivate',
    'post /v1/workspaceUsers/{userId}/activate',
    'get /v1/workspace',
  ];
  const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops as object).map((m) => `${m} ${path}`));
  for (const route of expected) assert.ok(documented.includes(route), `${route} is documented`);

  for (const route of expected.filter((r) => r.includes('/v1/'))) {
    const [method, path] = route.split(' ') as [string, string];
    const op = doc.paths[path][method];
    assert.deepEqual(op.security, [{ bearerAuth: [] }, { tokenHeader: [] }], `${route} declares its security`);
    for (const status of ['400', '401', '403', '404']) {
      assert.equal(op.responses[status]?.content['application/json'].schema.$ref, '#/components/schemas/ErrorBody', `${route} documents ${status}`);
    }
  }
});

test('Swagger UI is served at /docs', async () => {
  const page = await http(s.url, 'GET', '/docs/');
  assert.equal(page.status, 200);
  assert.match(page.text, /Swagger UI/);
  const init = await http(s.url, 'GET', '/docs/static/swagger-initializer.js');
  assert.equal(init.status, 200);
});
