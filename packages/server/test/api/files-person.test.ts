/**
 * Files as people send and fetch them (docs/web-client.md §6.7; docs/pumble-app-platform.md §11.2,
 * §12.1; docs/api-keys-addon.md §10 makeFilePublic; issue #14): a streamed multipart upload with a
 * size limit (413 before the body is read when Content-Length says so), an interrupted upload that
 * leaves nothing behind, the type sniffed from the bytes, thumbnails, download headers one by one,
 * Range requests, who may download, signed URLs and their expiry, public links and their revocation,
 * editAttachments, calls/permanent, and the orphan sweep.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { createUser, http, Listener, startTestServer, tempDir, type Client, type Reply, type TestServer } from '../support/helpers.js';
import { assertError } from '../support/assertions.js';
import { loadConfig } from '../../src/config.js';
import { Keyring } from '../../src/domain/keyring.js';
import { Housekeeping } from '../../src/workers/housekeeping.js';
import { ORPHAN_GRACE_MS } from '../../src/domain/files.js';

const SECRET = randomBytes(32);
const LIMIT = 2 * 1024 * 1024;

let s: TestServer;
let filesDir: { path: string; remove(): void };
let alice: Client;

before(async () => {
  filesDir = tempDir('sb-files-');
  const config = loadConfig({});
  s = await startTestServer({ secretKey: SECRET.toString('base64'), files: { ...config.files, maxBytes: LIMIT, dir: filesDir.path } });
  alice = await createUser(s.owner, 'MEMBER', 'Alice');
});
after(async () => {
  await s.close();
  filesDir.remove();
});

/** The web client's upload: multipart, field `file`, with whatever type the browser claims. */
async function upload(client: Client, bytes: Buffer, name: string, claimedType = 'application/octet-stream'): Promise<Reply> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)], { type: claimedType }), name);
  const res = await fetch(`${s.url}/v1/files`, { method: 'POST', body: form, headers: { authorization: `Bearer ${client.token}` } });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: text ? JSON.parse(text) : undefined };
}

async function get(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url.replace(/^http:\/\/localhost:\d+/, s.url), { headers });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

const bearer = (c: Client) => ({ authorization: `Bearer ${c.token}` });
const png = (w: number, h: number) => sharp({ create: { width: w, height: h, channels: 3, background: { r: 10, g: 120, b: 200 } } }).png().toBuffer();

/** What the disk storage holds: every stored object, and the temporary files of uploads in flight. */
function stored(): { objects: string[]; incoming: string[] } {
  const objects: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (name === '.incoming') continue;
      if (statSync(path).isDirectory()) walk(path);
      else objects.push(path);
    }
  };
  if (existsSync(filesDir.path)) walk(filesDir.path);
  const incomingDir = join(filesDir.path, '.incoming');
  return { objects, incoming: existsSync(incomingDir) ? readdirSync(incomingDir) : [] };
}

async function postWithFiles(client: Client, channelId: string, ids: string[], text = 'files') {
  const r = await client.post(`/v1/channels/${channelId}/messages`, { text, files: ids });
  assert.equal(r.status, 200, r.text);
  return r.body;
}

describe('uploads', () => {
  test('an image: the type is sniffed from the bytes, not the claim; dimensions and a thumbnail; the file goes on a message', async () => {
    const bytes = await png(1200, 300);
    const r = await upload(alice, bytes, 'banner.html', 'text/html');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.mimeType, 'image/png', 'sniffed, whatever the browser said');
    assert.equal(r.body.size, bytes.length);
    assert.equal(r.body.width, 1200);
    assert.equal(r.body.height, 300);
    assert.match(r.body.path, /\/v1\/files\/[0-9a-f]{24}\/banner\.html$/);
    const thumb = await get(r.body.thumbnailPath, bearer(alice));
    assert.equal(thumb.status, 200);
    assert.equal(thumb.headers.get('content-type'), 'image/webp');
    const meta = await sharp(thumb.bytes).metadata();
    assert.equal(meta.width, 360);
    assert.equal(meta.height, 90);

    const listener = await Listener.connect(s.wsUrl, s.owner.token);
    try {
      const message = await postWithFiles(alice, s.generalId, [r.body.id], '');
      assert.deepEqual(message.files, [{ id: r.body.id, name: 'banner.html', path: r.body.path, size: bytes.length, mimeType: 'image/png', width: 1200, height: 300 }]);
      // The realtime frame carries the same FileRefs.
      const frame = await listener.next((f) => f.type === 'message.created' && f.message.id === message.id);
      assert.deepEqual(frame.message.files, message.files);
    } finally {
      listener.close();
    }
  });

  test('text that claims to be an image is text; markup is never served as markup', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    const r = await upload(alice, svg, 'logo.svg', 'image/svg+xml');
    assert.equal(r.status, 200, r.text);
    assert.notEqual(r.body.mimeType, 'image/svg+xml');
    assert.equal(r.body.thumbnailPath, undefined);
    const file = await get(r.body.path, bearer(alice));
    assert.equal(file.status, 200);
    assert.doesNotMatch(file.headers.get('content-type') ?? '', /svg|html/);
    assert.match(file.headers.get('content-disposition') ?? '', /^attachment;/);
  });

  test('the size limit is published for clients (GET /v1/files/limits); apps are not told', async () => {
    assert.deepEqual((await alice.get('/v1/files/limits')).body, { maxBytes: LIMIT });
  });

  test('the size limit: 413 before the body is read when Content-Length is over it, and at the limit while streaming; nothing is kept', async () => {
    const before = stored().objects.length;
    // Headers only, with a Content-Length over the limit: the answer comes without a byte of body sent.
    const early = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(`${s.url}/v1/files`, {
        method: 'POST',
        headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'multipart/form-data; boundary=x', 'content-length': String(LIMIT * 10) },
      });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.flushHeaders();
    });
    assert.equal(early.status, 413);
    assert.equal(JSON.parse(early.body).code, 413000);

    // No Content-Length to go by (a stream): refused when the limit is passed, mid-body.
    const big = Buffer.alloc(LIMIT + 1000, 7);
    const form = new FormData();
    form.append('file', new Blob([big]), 'big.bin');
    const body = new Response(form);
    const res = await fetch(`${s.url}/v1/files`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice.token}`, 'content-type': body.headers.get('content-type')! },
      body: body.body,
      duplex: 'half',
    } as RequestInit);
    assert.equal(res.status, 413, await res.clone().text());
    assert.equal((await res.json()).code, 413000);
    const after = stored();
    assert.equal(after.objects.length, before, 'no object');
    assert.deepEqual(after.incoming, [], 'no temporary file');

    // At the limit exactly: accepted.
    const exact = await upload(alice, Buffer.alloc(LIMIT, 1), 'exact.bin');
    assert.equal(exact.status, 200, exact.text);
    assert.equal(exact.body.size, LIMIT);
  });

  test('an upload cut off half-way leaves no row, no object and no temporary file', async () => {
    const rowsBefore = (await s.sb.store.files.orphansBefore(Number.MAX_SAFE_INTEGER, 1000)).length;
    const objectsBefore = stored().objects.length;
    const boundary = 'cutcutcut';
    const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="cut.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`);
    const total = head.length + 1024 * 1024 + 100;
    await new Promise<void>((resolve) => {
      const req = httpRequest(`${s.url}/v1/files`, {
        method: 'POST',
        headers: { authorization: `Bearer ${alice.token}`, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(total) },
      });
      req.on('error', () => resolve());
      req.on('response', () => resolve());
      req.write(head);
      req.write(Buffer.alloc(300 * 1024, 3), () => setTimeout(() => req.destroy(), 200));
      req.on('close', () => resolve());
    });
    // The server notices the cut and cleans up; give it a moment.
    for (let i = 0; i < 50 && stored().incoming.length > 0; i++) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(stored().incoming, [], 'no temporary file');
    assert.equal(stored().objects.length, objectsBefore, 'no object');
    assert.equal((await s.sb.store.files.orphansBefore(Number.MAX_SAFE_INTEGER, 1000)).length, rowsBefore, 'no row');
  });

  test('bad uploads are clear 4xx: no multipart, no file, another field name, no session', async () => {
    assertError(await alice.post('/v1/files', { file: 'x' }), 400, 'file');
    const form = new FormData();
    form.append('other', new Blob([Buffer.from('x')]), 'x.txt');
    const res = await fetch(`${s.url}/v1/files`, { method: 'POST', body: form, headers: bearer(alice) });
    assert.equal(res.status, 400);
    assert.equal((await res.json()).field, 'file');
    const anon = await fetch(`${s.url}/v1/files`, { method: 'POST', body: new FormData() });
    assert.equal(anon.status, 401);
  });
});

describe('downloads', () => {
  test('the headers, one by one: an image inline, anything else as an attachment; nosniff; a sandboxing CSP', async () => {
    const bytes = await png(40, 30);
    const image = (await upload(alice, bytes, 'pic.png', 'image/png')).body;
    const r = await get(image.path, bearer(alice));
    assert.equal(r.status, 200);
    assert.deepEqual(r.bytes, bytes);
    assert.equal(r.headers.get('content-type'), 'image/png');
    assert.equal(r.headers.get('content-length'), String(bytes.length));
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    const csp = r.headers.get('content-security-policy') ?? '';
    assert.match(csp, /(^|; )sandbox(;|$)/);
    assert.match(csp, /default-src 'none'/);
    assert.equal(r.headers.get('content-disposition'), `inline; filename="pic.png"; filename*=UTF-8''pic.png`);
    assert.equal(r.headers.get('accept-ranges'), 'bytes');
    assert.match(r.headers.get('cache-control') ?? '', /^private/);

    const html = (await upload(alice, Buffer.from('<!doctype html><html><body><script>alert(document.cookie)</script></body></html>'), 'résumé v2.html', 'text/html')).body;
    const h = await get(html.path, bearer(alice));
    assert.equal(h.status, 200);
    assert.equal(h.headers.get('content-type'), 'text/plain');
    assert.equal(h.headers.get('x-content-type-options'), 'nosniff');
    assert.match(h.headers.get('content-security-policy') ?? '', /sandbox/);
    assert.equal(h.headers.get('content-disposition'), `attachment; filename="r_sum_ v2.html"; filename*=UTF-8''r%C3%A9sum%C3%A9%20v2.html`);

    const pdf = (await upload(alice, Buffer.from('%PDF-1.7\n1 0 obj\n'), 'doc.pdf')).body;
    assert.equal(pdf.mimeType, 'application/pdf');
    assert.match((await get(pdf.path, bearer(alice))).headers.get('content-disposition') ?? '', /^attachment;/);
  });

  test('Range: 206 with Content-Range (video seeking), suffixes, and 416 past the end', async () => {
    const bytes = randomBytes(10_000);
    const f = (await upload(alice, bytes, 'clip.bin')).body;
    const first = await get(f.path, { ...bearer(alice), range: 'bytes=0-99' });
    assert.equal(first.status, 206);
    assert.equal(first.headers.get('content-range'), 'bytes 0-99/10000');
    assert.equal(first.headers.get('content-length'), '100');
    assert.deepEqual(first.bytes, bytes.subarray(0, 100));
    const middle = await get(f.path, { ...bearer(alice), range: 'bytes=5000-' });
    assert.equal(middle.status, 206);
    assert.equal(middle.headers.get('content-range'), 'bytes 5000-9999/10000');
    assert.deepEqual(middle.bytes, bytes.subarray(5000));
    const suffix = await get(f.path, { ...bearer(alice), range: 'bytes=-10' });
    assert.deepEqual(suffix.bytes, bytes.subarray(9990));
    const past = await get(f.path, { ...bearer(alice), range: 'bytes=10000-' });
    assert.equal(past.status, 416);
    assert.equal(past.headers.get('content-range'), 'bytes */10000');
    const several = await get(f.path, { ...bearer(alice), range: 'bytes=0-1,5-6' });
    assert.equal(several.status, 200, 'several ranges: the whole file');
    assert.equal(several.bytes.length, 10_000);
  });

  test('who may download: members of the channel of its message; nobody else (404); an unposted file only its uploader', async () => {
    const bob = await createUser(s.owner, 'MEMBER', 'Bob');
    const room = await alice.post('/v1/channels', { name: `secret-${Date.now()}`, type: 'PRIVATE' });
    assert.equal(room.status, 200, room.text);
    const f = (await upload(alice, Buffer.from('for alice only'), 'private.txt')).body;
    assert.equal((await get(f.path, bearer(bob))).status, 404, 'not on a message yet: the uploader only');
    await postWithFiles(alice, room.body.channel.id, [f.id]);
    assert.equal((await get(f.path, bearer(alice))).status, 200);
    assert.equal((await get(f.path, bearer(bob))).status, 404, 'not a member of the private channel');
    assert.equal((await get(f.path)).status, 401, 'no credentials');
    await alice.post(`/v1/channels/${room.body.channel.id}/users`, { userIds: [bob.userId] });
    assert.equal((await get(f.path, bearer(bob))).status, 200, 'a member now');
    assert.equal((await get(`${s.url}/v1/files/ffffffffffffffffffffffff/x`, bearer(alice))).status, 404);
  });

  test('a signed URL downloads without credentials for minutes; tampered or expired ones are refused', async () => {
    const bytes = await png(20, 20);
    const f = (await upload(alice, bytes, 'signed.png')).body;
    const signed = await alice.post(`/v1/files/${f.id}/signedUrl`, {});
    assert.equal(signed.status, 200, signed.text);
    assert.ok(signed.body.expiresAt > Date.now() && signed.body.expiresAt <= Date.now() + 10 * 60_000, 'minutes, not more');
    const ok = await get(signed.body.url);
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.bytes, bytes);
    assert.equal(ok.headers.get('x-content-type-options'), 'nosniff');
    assert.match(ok.headers.get('content-security-policy') ?? '', /sandbox/);
    const url = new URL(signed.body.url);
    url.searchParams.set('signature', `${url.searchParams.get('signature')!.slice(0, -2)}AA`);
    assert.equal((await get(url.toString())).status, 403, 'tampered');
    // An expiry in the past, signed with the server's key: the signature is right, the time is over.
    const past = Date.now() - 1000;
    const expired = new URL(signed.body.url);
    expired.searchParams.set('expires', String(past));
    expired.searchParams.set('signature', new Keyring(SECRET).fileSignature(`download.${f.id}.original.${past}`));
    const refused = await get(expired.toString());
    assert.equal(refused.status, 403);
    // Someone who cannot see the file gets no URL for it.
    const bob = await createUser(s.owner, 'MEMBER', 'Bob2');
    assertError(await bob.post(`/v1/files/${f.id}/signedUrl`, {}), 404);
  });

  test('makeFilePublic (API addon): a public, unguessable link; revoking it ends it; an unknown or invisible file is 404', async () => {
    const appId = (await s.owner.get('/v1/appDirectory')).body.find((a: any) => a.builtin).id;
    await s.owner.post(`/v1/appDirectory/${appId}/install`);
    await alice.post(`/v1/appDirectory/${appId}/install`);
    const key = (await alice.post('/v1/apiKeys', { name: 'files' })).body.key as string;
    const bytes = Buffer.from('public notes\n');
    const f = (await upload(alice, bytes, 'notes.txt')).body;
    await postWithFiles(alice, s.generalId, [f.id]);

    const made = await http(s.url, 'GET', `/addon/api-keys/makeFilePublic?fileId=${f.id}`, { headers: { ApiKey: key } });
    assert.equal(made.status, 200, made.text);
    assert.match(made.body.publicPath, /\/files\/public\/fpl_[\w-]{30,}\/notes\.txt$/);
    const again = await http(s.url, 'GET', `/makeFilePublic?fileId=${f.id}`, { headers: { 'Api-Key': key } });
    assert.equal(again.body.publicPath, made.body.publicPath, 'the same link until revoked (also at the root form)');
    const open = await get(made.body.publicPath);
    assert.equal(open.status, 200);
    assert.deepEqual(open.bytes, bytes);
    assert.equal(open.headers.get('x-content-type-options'), 'nosniff');
    assert.match(open.headers.get('content-disposition') ?? '', /^attachment;/);

    assert.equal((await http(s.url, 'GET', '/addon/api-keys/makeFilePublic?fileId=ffffffffffffffffffffffff', { headers: { ApiKey: key } })).status, 404);
    const room = await s.owner.post('/v1/channels', { name: `owners-${Date.now()}`, type: 'PRIVATE' });
    const hidden = (await upload(s.owner, Buffer.from('owner only'), 'o.txt')).body;
    await postWithFiles(s.owner, room.body.channel.id, [hidden.id]);
    assert.equal((await http(s.url, 'GET', `/addon/api-keys/makeFilePublic?fileId=${hidden.id}`, { headers: { ApiKey: key } })).status, 404, 'invisible to the key owner');

    const revoked = await alice.delete(`/v1/files/${f.id}/public`);
    assert.equal(revoked.status, 200, revoked.text);
    assert.equal((await get(made.body.publicPath)).status, 404, 'revoked: gone at once');
    const fresh = await http(s.url, 'GET', `/addon/api-keys/makeFilePublic?fileId=${f.id}`, { headers: { ApiKey: key } });
    assert.notEqual(fresh.body.publicPath, made.body.publicPath, 'a new link, not the old one back');
  });

  test('deleting a message ends its files\' links; the sweep removes what no message has held for a day', async () => {
    const bob = await createUser(s.owner, 'MEMBER', 'Bob3');
    const f = (await upload(alice, Buffer.from('short-lived'), 'gone.txt')).body;
    const message = await postWithFiles(alice, s.generalId, [f.id]);
    const pub = (await alice.post(`/v1/files/${f.id}/public`, {})).body.publicPath;
    assert.equal((await get(f.path, bearer(bob))).status, 200);
    assert.equal((await alice.delete(`/v1/channels/${s.generalId}/messages/${message.id}`)).status, 200);
    assert.equal((await get(f.path, bearer(bob))).status, 404, 'the message is gone, and the link with it');
    assert.equal((await get(pub)).status, 404, 'its public link too');
    const deleted = await s.sb.store.message(s.generalId, message.id);
    assert.deepEqual(deleted?.files, []);

    // A day later the housekeeping duty removes the row and the object; a file on a live message stays.
    const kept = (await upload(alice, Buffer.from('kept'), 'kept.txt')).body;
    await postWithFiles(alice, s.generalId, [kept.id]);
    const row = await s.sb.store.files.get(f.id);
    assert.ok(row && existsSync(join(filesDir.path, row.storageKey)));
    const later = new Housekeeping({ views: s.sb.core.views, socketMode: s.sb.core.socketMode, files: s.sb.core.files }, { log: s.sb.app.log, now: () => Date.now() + ORPHAN_GRACE_MS + 60_000 });
    const report = await later.runNow();
    await later.stop();
    assert.ok((report.files?.files ?? 0) >= 1, JSON.stringify(report));
    assert.equal(await s.sb.store.files.get(f.id), undefined, 'the row');
    assert.equal(existsSync(join(filesDir.path, row.storageKey)), false, 'the object');
    assert.ok(await s.sb.store.files.get(kept.id), 'a file on a message stays');
    assert.equal((await get(kept.path, bearer(alice))).status, 200);
  });
});

describe('messages', () => {
  test('PUT …/attachments replaces the attachments only; its author or an admin', async () => {
    const f = (await upload(alice, Buffer.from('attached'), 'a.txt')).body;
    const m = await postWithFiles(alice, s.generalId, [f.id], 'with attachments');
    const r = await alice.put(`/v1/channels/${s.generalId}/messages/${m.id}/attachments`, { attachments: [{ title: 'Status', text: 'green', color: '#00ff00' }] });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.text, 'with attachments');
    assert.deepEqual(r.body.attachments, [{ title: 'Status', text: 'green', color: '#00ff00' }]);
    assert.deepEqual(r.body.files, m.files, 'files stay');
    assert.equal(r.body.edited, true);
    const bob = await createUser(s.owner, 'MEMBER', 'Bob4');
    assertError(await bob.put(`/v1/channels/${s.generalId}/messages/${m.id}/attachments`, { attachments: [] }), 403);
    assertError(await alice.put(`/v1/channels/${s.generalId}/messages/${m.id}/attachments`, { attachments: 'no' }), 400, 'attachments');
  });

  test('POST /v1/calls/permanent answers 501 with a clear message', async () => {
    const r = await alice.post('/v1/calls/permanent', {});
    assert.equal(r.status, 501);
    assert.equal(r.body.code, 501000);
    assert.match(r.body.message, /calls/i);
  });

  test('files on a message: at most 20, your own, not ephemeral', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 21; i++) ids.push((await upload(alice, Buffer.from(`file ${i}`), `f${i}.txt`)).body.id);
    assertError(await alice.post(`/v1/channels/${s.generalId}/messages`, { text: 'too many', files: ids }), 400, 'files');
    const twenty = await postWithFiles(alice, s.generalId, ids.slice(0, 20));
    assert.equal(twenty.files.length, 20);
    assert.deepEqual(twenty.files.map((x: { id: string }) => x.id), ids.slice(0, 20), 'in the order given');
    assertError(await s.owner.post(`/v1/channels/${s.generalId}/messages`, { text: 'not mine', files: [ids[20]] }), 400, 'files[0]');
    assertError(await alice.post(`/v1/channels/${s.generalId}/messages`, { text: 'eph', files: [ids[20]], ephemeral: { sendToUsers: [alice.userId] } }), 400, 'files');
    assertError(await alice.post(`/v1/channels/${s.generalId}/messages`, { text: 'bad', files: ['nope'] }), 400, 'files[0]');
  });
});
