/**
 * The pure parts of link previews (docs/web-client.md §6.1): which links of a message get a card
 * (outbound-free: domain/link-previews.ts), and the small <head> reader (outbound/page-meta.ts) —
 * comments and scripts are not tags, attributes quoted any way, entities decoded, the first of each
 * tag wins, nothing after the head counts — and that a hostile page cannot make it slow. Text is
 * cleaned and capped, images kept only as https URLs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cacheEntry, cleanText, extractLinks, imageUrl, MAX_TITLE, previewFromPage } from '../../src/domain/link-previews.js';
import { readPageMeta } from '../../src/outbound/page-meta.js';

test('links: the first three distinct http(s) links, outside code, without trailing punctuation', () => {
  assert.deepEqual(
    extractLinks('see https://a.example/x, [wiki](https://b.example/w/Foo_(bar)) `https://code.example` <https://c.example/|label> https://a.example/x#top (https://d.example/y).'),
    ['https://a.example/x', 'https://b.example/w/Foo_(bar)', 'https://c.example/'],
  );
  assert.deepEqual(extractLinks('```\nhttps://block.example\n``` and ftp://f.example and https://user:pw@creds.example/ and http://ok.example/a?b=1.'), ['http://ok.example/a?b=1']);
  assert.deepEqual(extractLinks('no links here'), []);
});

test('the head reader: tags as a browser would see them, values decoded', () => {
  const meta = readPageMeta(`<!doctype html><html><head><meta charset=utf-8>
    <!-- <meta property="og:title" content="commented out"> -->
    <script>var s = '<meta property="og:title" content="in a script">';</script>
    <title>Plain &amp; simple</title>
    <meta property="og:title" content="&lt;b&gt;Bold&lt;/b&gt; &#x26; &#8212; &hellip; &unknown;">
    <meta property="og:title" content="the second one loses">
    <meta content='Single > quoted' property='og:description'>
    <meta name=twitter:image content=https://img.example/t.png>
    <META PROPERTY="OG:SITE_NAME" CONTENT="Shouting Site">
    </head><body><meta property="og:image" content="https://img.example/body.png"></body></html>`);
  assert.deepEqual(meta, {
    title: 'Plain & simple',
    ogTitle: '<b>Bold</b> & — … &unknown;',
    ogDescription: 'Single > quoted',
    twitterImage: 'https://img.example/t.png',
    ogSiteName: 'Shouting Site',
  });
});

test('the head reader stays linear on hostile pages', () => {
  const hostile = [
    '<head>' + '<meta'.repeat(200_000),
    '<head><meta content="' + 'a'.repeat(500_000),
    '<head>' + '<title>'.repeat(100_000),
    '<head>' + "<a x=''".repeat(100_000),
    '<head>' + '<!-'.repeat(150_000),
  ];
  for (const page of hostile) {
    const started = process.hrtime.bigint();
    readPageMeta(page);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert.ok(ms < 1_000, `${page.slice(0, 20)}… took ${ms} ms`);
  }
});

test('a preview: cleaned, capped text; https images only; nothing without a title or description', () => {
  assert.equal(cleanText('  two\n\tlines \u202eevil\u0007  ', 100), 'two lines evil');
  const long = cleanText('x'.repeat(MAX_TITLE + 50), MAX_TITLE)!;
  assert.equal(Array.from(long).length, MAX_TITLE);
  assert.ok(long.endsWith('…'));
  assert.equal(imageUrl('/a.png', 'https://site.example/page'), 'https://site.example/a.png');
  assert.equal(imageUrl('/a.png', 'http://site.example/page'), null, 'an http image would be mixed content');
  assert.equal(imageUrl('javascript:alert(1)', 'https://site.example/'), null);
  assert.equal(imageUrl('data:image/png;base64,AAAA', 'https://site.example/'), null);

  const page = { url: 'https://site.example/final', meta: { title: 'Fallback title', description: 'A description', ogImage: 'img.png' } };
  assert.deepEqual(previewFromPage('https://site.example/start', page), {
    url: 'https://site.example/start',
    title: 'Fallback title',
    description: 'A description',
    imageUrl: 'https://site.example/img.png',
    siteName: null,
  });
  assert.equal(previewFromPage('https://x.example/', { url: 'https://x.example/', meta: { ogImage: 'https://x.example/i.png' } }), null);

  assert.equal(cacheEntry('https://x.example/', { kind: 'other', status: 404 }, 0).status, 'none');
  assert.equal(cacheEntry('https://x.example/', { kind: 'other', status: 503 }, 0).status, 'failed');
  assert.equal(cacheEntry('https://x.example/', { kind: 'failed', error: 'timeout' }, 0).status, 'failed');
});
