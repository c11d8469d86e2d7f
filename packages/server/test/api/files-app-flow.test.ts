/**
 * Files as apps send them (docs/pumble-app-platform.md §11.2), with the request shapes of Pumble's
 * Node SDK (FilesApiClientV1, FileuploadApiClientV1): `POST /v1/files/upload/token {filename, length}`
 * with the app's `token` + `x-app-token`; then `POST {PUMBLE_FILEUPLOAD_URL}/upload/files` with a
 * FormData whose field `file` is `new Blob([bytes], {type})` named `name`, and only the headers
 * `authtoken` and `Remote-Product-Token`; then `POST /v1/files/upload/complete` with that answer
 * verbatim; then a message with `files: [id]`, and the file fetched from its `path` with the app's
 * headers. Also NEW_MESSAGE's `f` (§8.2) as the app's event receiver gets it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { http, startTestServer, type TestServer } from '../support/helpers.js';
import { assertError } from '../support/assertions.js';
import { ReceivingApp } from '../support/app-receiver.js';
import { subscribeApp } from '../support/event-app.js';

const EXAMPLE = JSON.parse(readFileSync(new URL('../support/fixtures/example-manifest.json', import.meta.url), 'utf8'));

async function installedApp(s: TestServer, botScopes: string[]) {
  const devToken = (await s.owner.post('/auth/developer-token')).body.token;
  const manifest = { ...EXAMPLE, name: `files${Math.random().toString(36).slice(2, 8)}`, scopes: { botScopes, userScopes: ['messages:read'] } };
  const app = (await http(s.url, 'POST', `/workspaces/${s.workspaceId}/workspaceUsers/${s.ownerId}/apps`, { body: manifest, headers: { authtoken: devToken } })).body;
  const q = new URLSearchParams({ clientId: app.id, scopes: ['messages:read', ...botScopes.map((x) => `bot:${x}`)].join(',') });
  const code = (await http(s.url, 'GET', `/workspaces/${s.workspaceId}/workspaceUsers/${s.ownerId}/oauth2/grant?${q}`, { headers: { authtoken: devToken } })).body.code;
  const tokens = (await http(s.url, 'POST', '/oauth2/access', { body: { 'client-id': app.id, 'client-secret': app.clientSecret, code } })).body;
  // The SDK's own headers on every call (ignored by the server, §11.1).
  return { token: tokens.botToken as string, 'x-app-token': app.appKey as string, 'User-Agent': 'pumble-sdk/1.5.0', AppVersion: 'app/1.0.0' };
}

/** FileuploadApiClientV1.uploadFileFrom, over fetch: the same FormData, the same two headers. */
async function sdkUpload(base: string, bytes: Buffer, name: string, mimeType: string, uploadToken: { token: string; remoteProductToken?: string }) {
  const formData = new FormData();
  formData.append('file', new Blob([new Uint8Array(bytes)], { type: mimeType ? mimeType : 'application/octet-stream' }), name);
  const res = await fetch(`${base}/upload/files`, {
    method: 'POST',
    body: formData,
    headers: { authtoken: uploadToken.token, ...(uploadToken.remoteProductToken !== undefined && { 'Remote-Product-Token': uploadToken.remoteProductToken }) },
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: text ? JSON.parse(text) : undefined };
}

const png = (w: number, h: number) => sharp({ create: { width: w, height: h, channels: 3, background: { r: 200, g: 30, b: 30 } } }).png().toBuffer();

test('the SDK flow: token, upload, complete, a message with the file, the file from its path; NEW_MESSAGE carries f', async () => {
  const s = await startTestServer();
  const receiver = new ReceivingApp();
  await receiver.start();
  try {
    await subscribeApp(s.url, s.owner, receiver);
    const app = await installedApp(s, ['files:write', 'messages:write', 'messages:read', 'channels:read']);
    const bytes = await png(800, 600);

    const token = await http(s.url, 'POST', '/v1/files/upload/token', { headers: app, body: { filename: 'chart.png', length: bytes.length } });
    assert.equal(token.status, 200, token.text);
    assert.deepEqual(Object.keys(token.body).sort(), ['remoteProductToken', 'token']);

    const uploaded = await sdkUpload(s.url, bytes, 'chart.png', 'image/png', token.body);
    assert.equal(uploaded.status, 200, JSON.stringify(uploaded.body));
    const { original, thumbs, signature } = uploaded.body;
    assert.equal(original.name, 'chart.png');
    assert.equal(original.size, bytes.length);
    assert.equal(original.mimeType, 'image/png');
    assert.equal(original.width, 800);
    assert.equal(original.height, 600);
    assert.equal(thumbs.length, 1);
    assert.equal(thumbs[0].mimeType, 'image/webp');
    assert.ok(thumbs[0].width <= 360 && thumbs[0].height <= 360, 'a thumbnail is small');
    assert.equal(typeof signature, 'string');

    // The SDK passes the upload's answer on verbatim.
    const completed = await http(s.url, 'POST', '/v1/files/upload/complete', { headers: app, body: uploaded.body });
    assert.equal(completed.status, 200, completed.text);
    assert.deepEqual(Object.keys(completed.body).sort(), ['id', 'name', 'path']);
    assert.equal(completed.body.name, 'chart.png');
    assert.match(completed.body.path, /^http:\/\/localhost:\d+\/v1\/files\/[0-9a-f]{24}\/chart\.png$/);

    const posted = await http(s.url, 'POST', `/v1/channels/${s.generalId}/messages`, { headers: app, body: { text: 'the chart', files: [completed.body.id] } });
    assert.equal(posted.status, 200, posted.text);
    assert.deepEqual(posted.body.files, [{ id: completed.body.id, name: 'chart.png', path: completed.body.path, size: bytes.length, mimeType: 'image/png', width: 800, height: 600 }]);

    // Read back the way the SDK reads a message, and fetched from `path` with the app's headers.
    const read = await http(s.url, 'GET', `/v1/channels/${s.generalId}/messages/${posted.body.id}`, { headers: app });
    assert.deepEqual(read.body.files, posted.body.files);
    const file = await fetch(posted.body.files[0].path.replace(/^http:\/\/localhost:\d+/, s.url), { headers: app });
    assert.equal(file.status, 200);
    assert.deepEqual(Buffer.from(await file.arrayBuffer()), bytes);

    const bodyOf = (r: { envelope: { eventType?: string; body?: string } }) => (r.envelope.eventType === 'NEW_MESSAGE' ? JSON.parse(r.envelope.body!) : {});
    const event = await receiver.next((r) => bodyOf(r).mId === posted.body.id);
    assert.deepEqual(bodyOf(event).f, posted.body.files, 'NEW_MESSAGE f: the FileRefs of /v1');
    // A message without files has no `f` at all (absent, not null or []).
    const plain = await http(s.url, 'POST', `/v1/channels/${s.generalId}/messages`, { headers: app, body: { text: 'no files' } });
    const plainEvent = await receiver.next((r) => bodyOf(r).mId === plain.body.id);
    assert.equal('f' in bodyOf(plainEvent), false);
  } finally {
    await receiver.stop();
    await s.close();
  }
});

test('upload tokens are single use and bound to the name and length; a wrong or missing header is 401; nothing is kept', async () => {
  const s = await startTestServer();
  try {
    const app = await installedApp(s, ['files:write', 'messages:write']);
    const bytes = Buffer.from('plain text, not an image\n');
    const tokenFor = async (filename: string, length: number) => (await http(s.url, 'POST', '/v1/files/upload/token', { headers: app, body: { filename, length } })).body;

    const t1 = await tokenFor('notes.txt', bytes.length);
    assert.equal((await sdkUpload(s.url, bytes, 'notes.txt', 'text/plain', t1)).status, 200);
    assertError(await sdkUpload(s.url, bytes, 'notes.txt', 'text/plain', t1), 401);

    const t2 = await tokenFor('notes.txt', bytes.length + 5);
    assertError(await sdkUpload(s.url, bytes, 'notes.txt', 'text/plain', t2), 400, 'file');

    const t3 = await tokenFor('notes.txt', bytes.length);
    assertError(await sdkUpload(s.url, bytes, 'other.txt', 'text/plain', t3), 400, 'file');

    const t4 = await tokenFor('notes.txt', bytes.length);
    assertError(await sdkUpload(s.url, bytes, 'notes.txt', 'text/plain', { token: t4.token, remoteProductToken: 'frp_wrong' }), 401);
    assertError(await sdkUpload(s.url, bytes, 'notes.txt', 'text/plain', { token: 'fut_nothing' }), 401);

    // Refused before a file exists: the only upload kept is the first one (not yet on a message).
    const rows = await s.sb.store.files.orphansBefore(Date.now() + 1, 100);
    assert.equal(rows.length, 1);

    assertError(await http(s.url, 'POST', '/v1/files/upload/token', { headers: app, body: { filename: '', length: 3 } }), 400, 'filename');
    assertError(await http(s.url, 'POST', '/v1/files/upload/token', { headers: app, body: { filename: 'x.bin', length: -1 } }), 400, 'length');
    assertError(await http(s.url, 'POST', '/v1/files/upload/token', { headers: app, body: { filename: 'x.bin', length: 200 * 1024 * 1024 } }), 400, 'length');
  } finally {
    await s.close();
  }
});

test('complete refuses an altered answer and another user\'s upload; posting needs files:write and your own completed uploads, at most 20', async () => {
  const s = await startTestServer();
  try {
    const app = await installedApp(s, ['files:write', 'messages:write']);
    const bytes = Buffer.from('%PDF-1.4\n%fake but sniffed\n');
    const t = (await http(s.url, 'POST', '/v1/files/upload/token', { headers: app, body: { filename: 'a.pdf', length: bytes.length } })).body;
    const up = (await sdkUpload(s.url, bytes, 'a.pdf', 'application/pdf', t)).body;
    assert.equal(up.original.mimeType, 'application/pdf');
    assert.deepEqual(up.thumbs, []);

    const altered = await http(s.url, 'POST', '/v1/files/upload/complete', { headers: app, body: { ...up, original: { ...up.original, size: 1 } } });
    assertError(altered, 400, 'signature');

    // Not completed yet: no message may carry it.
    const early = await http(s.url, 'POST', `/v1/channels/${s.generalId}/messages`, { headers: app, body: { text: 'x', files: [up.original.requestedFileUploadId] } });
    assertError(early, 400, 'files[0]');

    // Someone else completing it finds nothing.
    assertError(await s.owner.post('/v1/files/upload/complete', up), 404);
    const done = await http(s.url, 'POST', '/v1/files/upload/complete', { headers: app, body: up });
    assert.equal(done.status, 200);
    assert.deepEqual((await http(s.url, 'POST', '/v1/files/upload/complete', { headers: app, body: up })).body, done.body, 'completing twice answers the same');

    // The owner cannot post the app's file; the app can, once; a second message cannot take it again.
    assertError(await s.owner.post(`/v1/channels/${s.generalId}/messages`, { text: 'x', files: [done.body.id] }), 400, 'files[0]');
    const files = await http(s.url, 'POST', `/v1/channels/${s.generalId}/messages`, { headers: app, body: { text: '', files: [done.body.id] } });
    assert.equal(files.status, 200, 'a message of files alone needs no text');
    assertError(await http(s.url, 'POST', `/v1/channels/${s.generalId}/messages`, { headers: app, body: { text: 'again', files: [done.body.id] } }), 400, 'files[0]');
    const many = Array.from({ length: 21 }, () => done.body.id);
    assertError(await http(s.url, 'POST', `/v1/channels/${s.generalId}/messages`, { headers: app, body: { text: 'many', files: many } }), 400, 'files');

    // An app without files:write gets no token and posts no files.
    const noFiles = await installedApp(s, ['messages:write']);
    const refused = await http(s.url, 'POST', '/v1/files/upload/token', { headers: noFiles, body: { filename: 'a', length: 1 } });
    assertError(refused, 403);
    assert.match(refused.body.message, /files:write/);
    assertError(await http(s.url, 'POST', `/v1/channels/${s.generalId}/messages`, { headers: noFiles, body: { text: 'x', files: [done.body.id] } }), 403);
  } finally {
    await s.close();
  }
});
