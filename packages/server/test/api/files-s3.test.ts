/**
 * The file storage contract (domain/ports/file-storage.ts) on both engines — the disk and an
 * S3-compatible store (s3rver, started here on 127.0.0.1 with a random port) — and a server whose
 * FILES_STORAGE is s3 serving an upload end to end: put a stream (multipart on S3 past 8 MiB), head,
 * get whole and by range, delete; a body that fails part-way leaves nothing behind.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { DiskFileStorage } from '../../src/files-storage/disk.js';
import { S3FileStorage } from '../../src/files-storage/s3.js';
import { NotStored, type FileStorage } from '../../src/domain/ports/file-storage.js';
import { loadConfig } from '../../src/config.js';
import { startLocalS3, type LocalS3 } from '../support/s3-server.js';
import { startTestServer, tempDir } from '../support/helpers.js';

let s3: LocalS3;
let disk: { path: string; remove(): void };
before(async () => {
  s3 = await startLocalS3();
  disk = tempDir('sb-disk-');
});
after(async () => {
  await s3.close();
  disk.remove();
});

async function bytesOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** A body that sends `good` bytes, then fails as a client that went away does. */
function failingBody(good: number): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= good) {
        this.destroy(new Error('client went away'));
        return;
      }
      const n = Math.min(64 * 1024, good - sent);
      sent += n;
      this.push(Buffer.alloc(n, 1));
    },
  });
}

async function s3Keys(): Promise<string[]> {
  const client = new S3Client({ region: s3.settings.region, endpoint: s3.settings.endpoint, forcePathStyle: true, credentials: { accessKeyId: s3.settings.accessKeyId, secretAccessKey: s3.settings.secretAccessKey } });
  try {
    const out = await client.send(new ListObjectsV2Command({ Bucket: s3.settings.bucket }));
    return (out.Contents ?? []).map((o) => o.Key!).sort();
  } finally {
    client.destroy();
  }
}

const engines: Array<{ name: string; make(): FileStorage; leftovers(): Promise<string[]> }> = [
  {
    name: 'disk',
    make: () => new DiskFileStorage(disk.path),
    async leftovers() {
      const incoming = join(disk.path, '.incoming');
      const objects: string[] = [];
      for (const dir of existsSync(disk.path) ? readdirSync(disk.path) : []) {
        if (dir === '.incoming') continue;
        for (const name of readdirSync(join(disk.path, dir))) objects.push(`${dir}/${name}`);
      }
      return [...objects, ...(existsSync(incoming) ? readdirSync(incoming).map((n) => `.incoming/${n}`) : [])].sort();
    },
  },
  { name: 's3', make: () => new S3FileStorage(s3.settings), leftovers: s3Keys },
];

for (const engine of engines) {
  describe(`file storage on ${engine.name}`, () => {
    let storage: FileStorage;
    before(() => {
      storage = engine.make();
    });
    after(() => {
      if (storage instanceof S3FileStorage) storage.close();
    });

    test('put a stream (past one 8 MiB part), head, get whole and by range, delete', async () => {
      const body = randomBytes(9 * 1024 * 1024 + 123);
      // Several chunks, as a request's body arrives.
      const chunks = Array.from({ length: Math.ceil(body.length / 65536) }, (_, i) => body.subarray(i * 65536, (i + 1) * 65536));
      assert.deepEqual(await storage.put('ws1/file1', Readable.from(chunks), { contentType: 'application/octet-stream' }), { size: body.length });
      assert.deepEqual(await storage.head('ws1/file1'), { size: body.length });
      assert.ok((await bytesOf(await storage.get('ws1/file1'))).equals(body));
      assert.ok((await bytesOf(await storage.get('ws1/file1', { start: 100, end: 199 }))).equals(body.subarray(100, 200)));
      const tail = await bytesOf(await storage.get('ws1/file1', { start: body.length - 10, end: body.length - 1 }));
      assert.ok(tail.equals(body.subarray(body.length - 10)));
      await storage.delete('ws1/file1');
      assert.equal(await storage.head('ws1/file1'), undefined);
      await assert.rejects(storage.get('ws1/file1'), NotStored);
      await storage.delete('ws1/file1');
      assert.equal(await storage.head('ws1/never'), undefined);
    });

    test('an empty file is a file', async () => {
      assert.deepEqual(await storage.put('ws1/empty', Readable.from([]), { contentType: 'text/plain' }), { size: 0 });
      assert.deepEqual(await storage.head('ws1/empty'), { size: 0 });
      assert.equal((await bytesOf(await storage.get('ws1/empty'))).length, 0);
      await storage.delete('ws1/empty');
    });

    test('a body that fails part-way leaves nothing behind (small, and past a part on S3)', async () => {
      await assert.rejects(storage.put('ws1/cut-small', failingBody(100 * 1024), { contentType: 'application/octet-stream' }), /client went away/);
      await assert.rejects(storage.put('ws1/cut-big', failingBody(12 * 1024 * 1024), { contentType: 'application/octet-stream' }), /client went away/);
      assert.equal(await storage.head('ws1/cut-small'), undefined);
      assert.equal(await storage.head('ws1/cut-big'), undefined);
      assert.deepEqual(await engine.leftovers(), []);
    });
  });
}

test('a server with FILES_STORAGE=s3: an upload lands in the bucket and is served from it, Range included', async () => {
  const config = loadConfig({
    FILES_STORAGE: 's3',
    FILES_S3_ENDPOINT: s3.settings.endpoint!,
    FILES_S3_BUCKET: s3.settings.bucket,
    FILES_S3_ACCESS_KEY: s3.settings.accessKeyId,
    FILES_S3_SECRET_KEY: s3.settings.secretAccessKey,
    FILES_S3_REGION: 'us-east-1',
  });
  assert.equal(config.files.s3?.forcePathStyle, true, 'path-style by default with an endpoint');
  const s = await startTestServer({ files: config.files });
  try {
    const bytes = randomBytes(50_000);
    const form = new FormData();
    form.append('file', new Blob([bytes]), 'data.bin');
    const up = await fetch(`${s.url}/v1/files`, { method: 'POST', body: form, headers: { authorization: `Bearer ${s.owner.token}` } });
    assert.equal(up.status, 200, await up.clone().text());
    const file = await up.json();
    const row = await s.sb.store.files.get(file.id);
    assert.ok((await s3Keys()).includes(row!.storageKey), 'the object is in the bucket');
    const url = file.path.replace(/^http:\/\/localhost:\d+/, s.url);
    const whole = await fetch(url, { headers: { authorization: `Bearer ${s.owner.token}` } });
    assert.equal(whole.status, 200);
    assert.ok(Buffer.from(await whole.arrayBuffer()).equals(bytes));
    const part = await fetch(url, { headers: { authorization: `Bearer ${s.owner.token}`, range: 'bytes=1000-1999' } });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), 'bytes 1000-1999/50000');
    assert.ok(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(1000, 2000)));
  } finally {
    await s.close();
  }
});

test('FILES_* settings are checked at start: a clear line for each mistake', () => {
  assert.throws(() => loadConfig({ FILES_STORAGE: 'ftp' }), /FILES_STORAGE must be disk or s3/);
  assert.throws(() => loadConfig({ FILES_STORAGE: 's3', FILES_S3_BUCKET: 'b' }), /FILES_S3_ACCESS_KEY, FILES_S3_SECRET_KEY are not set/);
  assert.throws(() => loadConfig({ FILE_MAX_BYTES: 'lots' }), /FILE_MAX_BYTES must be a whole number/);
  assert.throws(() => loadConfig({ FILES_S3_BUCKET: 'b', FILES_S3_ACCESS_KEY: 'a', FILES_S3_SECRET_KEY: 's', FILES_S3_ENDPOINT: 'minio:9000' }), /FILES_S3_ENDPOINT must be a URL/);
  const d = loadConfig({});
  assert.equal(d.files.maxBytes, 100 * 1024 * 1024);
  assert.equal(d.files.storage, 'disk');
  const aws = loadConfig({ FILES_S3_BUCKET: 'b', FILES_S3_ACCESS_KEY: 'a', FILES_S3_SECRET_KEY: 's', FILES_S3_REGION: 'eu-west-1' });
  assert.equal(aws.files.storage, 's3', 'a bucket alone selects S3');
  assert.equal(aws.files.s3?.forcePathStyle, false, "AWS's own endpoint: virtual-hosted style");
});
