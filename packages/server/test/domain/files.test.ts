/**
 * The pure parts of files (docs/pumble-app-platform.md §11.2; issue #14): the upload signature's
 * canonical JSON, the type sniffed from the first bytes (and the stream handed on whole), the
 * Range header (RFC 9110 §14), the Content-Disposition of a name (RFC 6266, RFC 8187), and which
 * types are ever shown in place.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { canonicalJson, isInlineType, sniff } from '../../src/domain/files.js';
import { contentDisposition, parseRange } from '../../src/surfaces/pumble/v1/files.js';

async function all(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

test('canonical JSON: keys sorted at every depth, arrays in order, undefined left out', () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' }, u: undefined }), '{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}');
  assert.equal(canonicalJson({ x: 1, y: 2 }), canonicalJson({ y: 2, x: 1 }));
  assert.notEqual(canonicalJson({ x: 1 }), canonicalJson({ x: '1' }));
});

test('sniffing: the type from the bytes, the whole stream handed on, in small chunks too', async () => {
  // A well-formed PNG's first chunks (signature, IHDR, a 9,000-byte IDAT): file-type walks the chunks,
  // so random bytes after the header would sometimes read as a corrupt file (a flaky test).
  const chunk = (type: string, data: Buffer) => Buffer.concat([Buffer.from([0, 0, data.length >> 8, data.length & 255]), Buffer.from(type, 'latin1'), data, Buffer.alloc(4)]);
  const png = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), chunk('IHDR', Buffer.alloc(13, 1)), chunk('IDAT', Buffer.alloc(9000, 7))]);
  const chunks = Array.from({ length: Math.ceil(png.length / 7) }, (_, i) => png.subarray(i * 7, (i + 1) * 7));
  const found = await sniff(Readable.from(chunks));
  assert.equal(found.mimeType, 'image/png');
  assert.ok((await all(found.body)).equals(png), 'nothing lost or doubled');

  assert.equal((await sniff(Readable.from([Buffer.from('<html><script>x</script></html>')]))).mimeType, 'text/plain', 'markup is text');
  assert.equal((await sniff(Readable.from([Buffer.from('héllo wörld')]))).mimeType, 'text/plain');
  assert.equal((await sniff(Readable.from([Buffer.from([0, 1, 2, 255, 0])]))).mimeType, 'application/octet-stream');
  const empty = await sniff(Readable.from([]));
  assert.equal(empty.mimeType, 'application/octet-stream');
  assert.equal((await all(empty.body)).length, 0);
});

test('sniffing: a failing source fails the stream handed on', async () => {
  let n = 0;
  const source = new Readable({
    read() {
      if (n++ < 3) this.push(randomBytes(5000));
      else this.destroy(new Error('gone'));
    },
  });
  const { body } = await sniff(source);
  await assert.rejects(all(body), /gone/);
});

test('Range: one range, suffixes, open ends; several or malformed ones ignored; past the end unsatisfiable', () => {
  assert.deepEqual(parseRange('bytes=0-99', 1000), { start: 0, end: 99 });
  assert.deepEqual(parseRange('bytes=500-', 1000), { start: 500, end: 999 });
  assert.deepEqual(parseRange('bytes=-100', 1000), { start: 900, end: 999 });
  assert.deepEqual(parseRange('bytes=-5000', 1000), { start: 0, end: 999 });
  assert.deepEqual(parseRange('bytes=990-5000', 1000), { start: 990, end: 999 }, 'an end past the file is the last byte');
  assert.equal(parseRange('bytes=1000-', 1000), 'unsatisfiable');
  assert.equal(parseRange('bytes=-0', 1000), 'unsatisfiable');
  assert.equal(parseRange('bytes=0-', 0), 'unsatisfiable');
  assert.equal(parseRange(undefined, 1000), undefined);
  assert.equal(parseRange('bytes=0-1,5-6', 1000), undefined);
  assert.equal(parseRange('items=0-1', 1000), undefined);
  assert.equal(parseRange('bytes=5-1', 1000), undefined);
  assert.equal(parseRange('bytes=-', 1000), undefined);
});

test('Content-Disposition: an ASCII fallback without quotes or backslashes, and the exact name', () => {
  assert.equal(contentDisposition('inline', 'a.png'), `inline; filename="a.png"; filename*=UTF-8''a.png`);
  assert.equal(contentDisposition('attachment', 'say "hi"\\.txt'), `attachment; filename="say _hi__.txt"; filename*=UTF-8''say%20%22hi%22%5C.txt`);
  assert.equal(contentDisposition('attachment', "l'été (1).pdf"), `attachment; filename="l'_t_ (1).pdf"; filename*=UTF-8''l%27%C3%A9t%C3%A9%20%281%29.pdf`);
  assert.doesNotMatch(contentDisposition('attachment', 'a\r\nSet-Cookie: x=1'), /[\r\n]/);
});

test('shown in place: raster images, video and audio only — never SVG, HTML or PDF', () => {
  for (const t of ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'video/mp4', 'audio/mpeg']) assert.equal(isInlineType(t), true, t);
  for (const t of ['image/svg+xml', 'text/html', 'application/pdf', 'text/plain', 'application/xml', 'application/octet-stream']) assert.equal(isInlineType(t), false, t);
});
