/**
 * A web client build under a running server reaches people on their next load (docs/web-client.md
 * §2; surfaces/web/plugin.ts): index.html is read again when the build replaced it. It used to be
 * read once at start, and after `npm run build -w packages/web` the old page named hashed
 * /assets/*.js that no longer existed — a blank page until a restart.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { http, startTestServer, tempDir } from '../support/helpers.js';

/** What Vite writes: a page naming its hashed entry script, and that script. */
function build(dist: string, hash: string, opts: { removeOld?: string } = {}): void {
  mkdirSync(join(dist, 'assets'), { recursive: true });
  writeFileSync(join(dist, 'assets', `index-${hash}.js`), `console.log(${JSON.stringify(hash)});\n`);
  if (opts.removeOld) rmSync(join(dist, 'assets', `index-${opts.removeOld}.js`));
  writeFileSync(join(dist, 'index.html'), `<!doctype html><html><head><script type="module" src="/assets/index-${hash}.js"></script></head><body><div id="root"></div></body></html>`);
}

const html = { accept: 'text/html' };

test('a rebuild under a running server: the next load gets the new index.html, and its assets', async () => {
  const dir = tempDir('sb-web-');
  const dist = join(dir.path, 'dist');
  build(dist, 'AAAA1111');
  const s = await startTestServer({ webDist: dist });
  try {
    const first = await http(s.url, 'GET', '/');
    assert.equal(first.status, 200);
    assert.match(first.text, /index-AAAA1111\.js/);
    assert.equal(first.headers.get('cache-control'), 'no-cache');
    assert.equal((await http(s.url, 'GET', '/assets/index-AAAA1111.js')).status, 200);

    build(dist, 'BBBB2222', { removeOld: 'AAAA1111' });
    const next = await http(s.url, 'GET', '/');
    assert.equal(next.status, 200);
    assert.match(next.text, /index-BBBB2222\.js/, 'the new build, without a restart');
    assert.doesNotMatch(next.text, /AAAA1111/);
    assert.equal((await http(s.url, 'GET', '/assets/index-BBBB2222.js')).status, 200, 'the script it names is there');
    // A client route answered with the page is the new one too.
    assert.match((await http(s.url, 'GET', '/channels/some-channel', { headers: html })).text, /index-BBBB2222\.js/);

    // A rebuild of the same length within the same mtime tick would be missed by mtime alone; a
    // different size or a later mtime is enough. Same size here, mtime set forward explicitly.
    build(dist, 'CCCC3333', { removeOld: 'BBBB2222' });
    const later = new Date(Date.now() + 5000);
    utimesSync(join(dist, 'index.html'), later, later);
    assert.match((await http(s.url, 'GET', '/')).text, /index-CCCC3333\.js/);
  } finally {
    await s.close();
    dir.remove();
  }
});

test('not built at start, built later: the "not built" page, then the client and its assets after a reload', async () => {
  const dir = tempDir('sb-web-');
  const dist = join(dir.path, 'dist');
  const s = await startTestServer({ webDist: dist });
  try {
    const before = await http(s.url, 'GET', '/');
    assert.equal(before.status, 503);
    assert.match(before.text, /The web client is not built/);
    // An API miss keeps its JSON 404, built or not.
    assert.equal((await http(s.url, 'GET', '/v1/no-such-route')).body.code, 404000);

    build(dist, 'DDDD4444');
    const after = await http(s.url, 'GET', '/');
    assert.equal(after.status, 200);
    assert.match(after.text, /index-DDDD4444\.js/);
    const asset = await http(s.url, 'GET', '/assets/index-DDDD4444.js');
    assert.equal(asset.status, 200, 'assets built after the start are served');
    assert.equal(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable');

    // The build removed again (a clean before the next build): "not built" once more, not a stale page.
    rmSync(dist, { recursive: true });
    assert.equal((await http(s.url, 'GET', '/')).status, 503);
  } finally {
    await s.close();
    dir.remove();
  }
});
