/**
 * Link previews (docs/web-client.md §6.1), on both engines, against pages this test serves on
 * loopback (which the test configuration's SWITCHBOARD_OUTBOUND_ALLOW_LOOPBACK lets the SSRF guard
 * reach): a posted link gets its card after the post, live (`message.updated`), through a redirect,
 * with the page's tags as plain text (HTML in og:title stays text) and only an https image; results
 * are cached per URL; reading stops at the head's end and at 512 KiB (a page too big shows nothing);
 * a page that never finishes is given up after a few seconds without holding the message's other
 * links back; a private address is refused by the guard; the workspace setting turns fetching off
 * (owners and admins only); the author removes a card, and it stays removed across edits.
 */
import { describe, test } from 'node:test';
import { once } from 'node:events';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Kysely } from 'kysely';
import { Listener, createUser, freshPostgresDatabase, needs, startTestServer, type Client, type TestServer } from '../support/helpers.js';
import { assertError } from '../support/assertions.js';

// ---- the pages ------------------------------------------------------------------------------------------

interface Hit {
  path: string;
  userAgent: string | undefined;
  cookie: string | undefined;
  /** the connection closed before the whole answer was written: the fetcher stopped reading */
  cut?: boolean;
  written?: number;
}

const OG_PAGE = `<!doctype html>
<html><head>
<meta charset="utf-8">
<!-- <meta property="og:title" content="a comment is not a tag"> -->
<script>document.title = '<meta property="og:title" content="nor is a script">';</script>
<title>The plain title</title>
<meta property="og:title" content="&lt;script&gt;alert(1)&lt;/script&gt; &amp; friends">
<meta property="og:description" content="  A page   with Open Graph tags,
  over two lines  ">
<meta property="og:image" content="https://images.example/og.png">
<meta property="og:site_name" content="Test Site">
</head><body><p>Hello</p></body></html>`;

/** Only a <title> and a description; its image is http (not shown); a long body nobody needs to read. */
const PLAIN_HEAD = `<html><head><title>Plain page</title><meta name="description" content="Only a title and a description"><meta property="og:image" content="http://images.example/insecure.png"></head><body>`;

const MiB = 1024 * 1024;

/** Writes `total` bytes (`head` first, then filler) as fast as the reader takes them; records where it stopped. */
async function stream(res: ServerResponse, hit: Hit, head: string, total: number, filler: string): Promise<void> {
  const chunk = Buffer.from(filler.repeat(Math.ceil(65536 / filler.length)).slice(0, 65536));
  let written = 0;
  let closed = false;
  const gone = new Promise((resolve) =>
    res.once('close', () => {
      closed = true;
      hit.cut = !res.writableFinished;
      hit.written = written;
      resolve(undefined);
    }),
  );
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  const writeAll = async (bytes: Buffer) => {
    written += bytes.length;
    if (!res.write(bytes)) await Promise.race([once(res, 'drain'), gone]);
  };
  await writeAll(Buffer.from(head));
  while (written < total && !closed) await writeAll(chunk);
  if (!closed) res.end();
}

async function pages(): Promise<{ base: string; hits: Hit[]; server: Server; close(): Promise<void> }> {
  const hits: Hit[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = req.url ?? '/';
    const hit: Hit = { path, userAgent: req.headers['user-agent'], cookie: req.headers.cookie };
    hits.push(hit);
    if (path === '/moved') return void res.writeHead(302, { location: '/og' }).end();
    if (path.startsWith('/og')) return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(OG_PAGE);
    if (path === '/plain') return void stream(res, hit, PLAIN_HEAD, 4 * MiB, '<p>body text</p>');
    // The tags come after 1 MiB of comment: past the 512 KiB the fetcher reads.
    if (path === '/big') return void stream(res, hit, `<html><head><!--${'padding '.repeat(MiB / 8)}--><meta property="og:title" content="Too far"></head><body>`, 16 * MiB, 'padding ');
    // Headers and the start of a head, then nothing: only the fetcher's deadline ends it.
    if (path === '/slow') return void (res.writeHead(200, { 'content-type': 'text/html' }), res.write('<html><head><title>Slow'), res.on('close', () => (hit.cut = true)));
    if (path === '/image.png') return void res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.alloc(64));
    res.writeHead(404, { 'content-type': 'text/html' }).end('<html><head><title>Not here</title></head></html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    hits,
    server,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

// ---- helpers -------------------------------------------------------------------------------------------

async function until<T>(what: string, read: () => Promise<T | undefined | false>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

for (const engine of ['sqlite', 'postgres'] as const) {
  describe(`link previews on ${engine}`, () => {
    test('cards live, limits, the SSRF guard, the setting, the author removing one', async (t) => {
      let pg: Awaited<ReturnType<typeof freshPostgresDatabase>> | undefined;
      if (engine === 'postgres') {
        if (!(await needs(t, 'postgres'))) return;
        pg = await freshPostgresDatabase();
      }
      let s: TestServer | undefined;
      const site = await pages();
      try {
        s = await startTestServer(pg ? { databaseUrl: pg.url } : {});
        const server = s;
        const { owner, generalId } = server;
        const member = await createUser(owner);
        const watcher = await Listener.connect(server.wsUrl, member.token);
        const { base, hits } = site;

        const post = async (who: Client, text: string) => {
          const r = await who.post(`/v1/channels/${generalId}/messages`, { text });
          assert.equal(r.status, 200, r.text);
          return r.body;
        };
        const cardsOf = (messageId: string, n: number, ms?: number) =>
          watcher.next((f) => f.type === 'message.updated' && f.message.id === messageId && (f.message.linkPreviews?.length ?? 0) === n, ms);
        const cached = (url: string) => server.sb.store.linkPreviews.cached(url, Date.now());
        /** Every event expanded and no job left: the worker has done all it was given. */
        const settled = () =>
          until('the jobs to finish', async () => {
            if ((await server.sb.store.countUnexpandedEvents()) > 0) return false;
            const jobs = await (server.sb.database.db as unknown as Kysely<any>).selectFrom('link_preview_jobs').select('message_id').execute();
            return jobs.length === 0;
          });

        await t.test('a link gets its card live, after the post; HTML in og:title is text; only https images', async () => {
          const posted = await post(owner, `have a look: ${base}/moved and ${base}/plain, please`);
          assert.equal(posted.linkPreviews, undefined, 'the post answers before any page is fetched');
          const frame = await cardsOf(posted.id, 2, 10_000);
          assert.deepEqual(frame.message.linkPreviews, [
            {
              url: `${base}/moved`,
              title: '<script>alert(1)</script> & friends',
              description: 'A page with Open Graph tags, over two lines',
              imageUrl: 'https://images.example/og.png',
              siteName: 'Test Site',
            },
            { url: `${base}/plain`, title: 'Plain page', description: 'Only a title and a description' },
          ]);
          const read = await owner.get(`/v1/channels/${generalId}/messages/${posted.id}`);
          assert.deepEqual(read.body.linkPreviews, frame.message.linkPreviews, 'history carries the cards too');

          assert.deepEqual(
            hits.filter((h) => ['/moved', '/og', '/plain'].includes(h.path)).map((h) => h.path).sort(),
            ['/moved', '/og', '/plain'],
            'the redirect was followed, each page fetched once',
          );
          for (const h of hits) {
            assert.match(h.userAgent ?? '', /^Switchboard\/.* \(link preview\)$/);
            assert.equal(h.cookie, undefined, 'no credentials go out');
          }
          const plain = hits.find((h) => h.path === '/plain')!;
          await until('the /plain answer to end', async () => plain.written !== undefined);
          assert.equal(plain.cut, true, 'reading stopped once the head ended');
          assert.ok(plain.written! < 4 * MiB, `only part of the body was sent (${plain.written})`);

          // The same link again: the cached card, no second fetch.
          const before = hits.length;
          const again = await post(member, `again ${base}/plain`);
          const second = await cardsOf(again.id, 1, 10_000);
          assert.equal(second.message.linkPreviews[0].title, 'Plain page');
          assert.equal(hits.length, before, 'served from the cache');
        });

        await t.test('a page too big, a private address and a missing page: no card, each result cached', async () => {
          const posted = await post(owner, `${base}/big http://10.1.2.3/internal ${base}/missing`);
          const [big, internal, missing] = await until('three cached results', async () => {
            const found = await Promise.all([cached(`${base}/big`), cached('http://10.1.2.3/internal'), cached(`${base}/missing`)]);
            return found.every((c) => c !== undefined) ? found : undefined;
          });
          assert.equal(big!.status, 'none', 'the tags lie past the 512 KiB read: nothing to show');
          assert.equal(internal!.status, 'failed', 'the SSRF guard refused the private address');
          assert.equal(missing!.status, 'none', 'a 404 has nothing to show');
          assert.ok(internal!.expiresAt - internal!.fetchedAt < big!.expiresAt - big!.fetchedAt, 'a failure is kept for less long');
          const bigHit = hits.find((h) => h.path === '/big')!;
          await until('the /big answer to end', async () => bigHit.written !== undefined);
          assert.equal(bigHit.cut, true, 'the fetcher stopped reading');
          assert.ok(bigHit.written! < 16 * MiB, `it did not read the whole page (${bigHit.written} bytes sent)`);
          await settled();
          assert.equal((await owner.get(`/v1/channels/${generalId}/messages/${posted.id}`)).body.linkPreviews, undefined);
          assert.deepEqual(await watcher.quiet((f) => f.type === 'message.updated' && f.message.id === posted.id, 200), []);
        });

        await t.test('a page that never finishes is given up after a few seconds; the other link still gets its card', async () => {
          const started = Date.now();
          const posted = await post(owner, `${base}/slow and ${base}/og?again`);
          const frame = await cardsOf(posted.id, 1, 20_000);
          assert.equal(frame.message.linkPreviews[0].url, `${base}/og?again`);
          const took = Date.now() - started;
          assert.ok(took >= 4_000 && took < 15_000, `the slow page held the job until its deadline (${took} ms)`);
          assert.equal((await cached(`${base}/slow`))?.status, 'failed');
          const slow = hits.find((h) => h.path === '/slow')!;
          await until('the slow connection to close', async () => slow.cut === true);
        });

        await t.test('the workspace setting: owners and admins turn fetching off, and nothing is fetched', async () => {
          assert.deepEqual((await member.get('/v1/workspace/linkPreviews')).body, { enabled: true });
          assertError(await member.put('/v1/workspace/linkPreviews', { enabled: false }), 403);
          assertError(await owner.put('/v1/workspace/linkPreviews', { enabled: 'no' }), 400, 'enabled');
          assertError(await owner.put('/v1/workspace/linkPreviews', {}), 400, 'enabled');
          const off = await owner.put('/v1/workspace/linkPreviews', { enabled: false });
          assert.deepEqual([off.status, off.body], [200, { enabled: false }]);
          assert.deepEqual((await member.get('/v1/workspace/linkPreviews')).body, { enabled: false });

          const before = hits.length;
          const posted = await post(member, `quiet now: ${base}/og?off`);
          await settled();
          await new Promise((r) => setTimeout(r, 300));
          assert.equal(hits.length, before, 'no page was fetched');
          assert.deepEqual(await watcher.quiet((f) => f.type === 'message.updated' && f.message.id === posted.id, 200), []);

          const admin = await createUser(owner, 'ADMIN');
          assert.deepEqual((await admin.put('/v1/workspace/linkPreviews', { enabled: true })).body, { enabled: true });
          const back = await post(member, `and back: ${base}/og?on`);
          await cardsOf(back.id, 1, 10_000);
        });

        await t.test("an integration's message gets no card: its links are often the endpoints it reports on", async () => {
          const user = (await server.sb.store.user(server.workspaceId, server.ownerId))!;
          const hook = await server.sb.core.integrations.create(user, { type: 'webhook-incoming', name: `previews-${Date.now()}`, enabled: true, username: user.username, channel: '#general', scriptEnabled: false });
          const before = hits.length;
          const sent = await fetch(`${server.url}/hooks/${hook._id}/${hook.token}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: `deploy done: ${base}/og?hook` }) });
          assert.equal(sent.status, 200);
          await settled();
          await new Promise((r) => setTimeout(r, 300));
          assert.equal(hits.length, before, 'no page was fetched for the integration');
          // The same link from a person gets its card.
          const posted = await post(member, `deploy done: ${base}/og?person`);
          await cardsOf(posted.id, 1, 10_000);
        });

        await t.test('the author removes a card; it stays removed when the message is edited', async () => {
          const text = `two links: ${base}/og?one ${base}/og?two`;
          const posted = await post(owner, text);
          await cardsOf(posted.id, 2, 10_000);
          const path = `/v1/channels/${generalId}/messages/${posted.id}/linkPreviews`;
          const one = encodeURIComponent(`${base}/og?one`);

          assertError(await member.delete(`${path}?url=${one}`), 403);
          assertError(await owner.delete(`${path}?url=${encodeURIComponent(`${base}/elsewhere`)}`), 404);
          assertError(await owner.delete(`/v1/channels/${generalId}/messages/000000000000000000000000/linkPreviews`), 404);

          const removed = await owner.delete(`${path}?url=${one}`);
          assert.equal(removed.status, 200, removed.text);
          assert.deepEqual(removed.body.linkPreviews.map((p: { url: string }) => p.url), [`${base}/og?two`]);
          const told = await cardsOf(posted.id, 1);
          assert.equal(told.message.linkPreviews[0].url, `${base}/og?two`);
          // Again: it is gone already, and stays so.
          assert.equal((await owner.delete(`${path}?url=${one}`)).status, 200);

          // An edit that adds a third link: its card comes, the removed one does not come back.
          const edited = await owner.put(`/v1/channels/${generalId}/messages/${posted.id}`, { text: `${text} ${base}/og?three` });
          assert.equal(edited.status, 200, edited.text);
          const after = await watcher.next(
            (f) => f.type === 'message.updated' && f.message.id === posted.id && f.message.linkPreviews?.some((p: { url: string }) => p.url === `${base}/og?three`),
            10_000,
          );
          assert.deepEqual(after.message.linkPreviews.map((p: { url: string }) => p.url), [`${base}/og?two`, `${base}/og?three`]);

          // No url: every card goes.
          const all = await owner.delete(path);
          assert.equal(all.status, 200, all.text);
          assert.equal(all.body.linkPreviews, undefined);
          await settled();
          assert.equal((await owner.get(`/v1/channels/${generalId}/messages/${posted.id}`)).body.linkPreviews, undefined);
        });

        watcher.close();
      } finally {
        await s?.close();
        await site.close();
        await pg?.drop();
      }
    });
  });
}
