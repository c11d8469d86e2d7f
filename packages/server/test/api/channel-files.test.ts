/**
 * A channel's files (docs/web-client.md §6.7, the gallery): `GET /v1/channels/{id}/files` on both
 * engines — the files of the channel's messages, thread replies' included, newest first, in cursor
 * pages that neither skip nor repeat; a deleted message's files and other channels' are left out;
 * who may read the channel's history may list them (a private channel's outsiders and a guest
 * outside a public one get the 404 of a channel they cannot see); bad cursors and limits are 400s.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createUser, freshPostgresDatabase, needs, startTestServer, type Client, type TestServer } from '../support/helpers.js';
import { assertError } from '../support/assertions.js';

/** The web client's upload: multipart, field `file`. */
async function upload(s: TestServer, client: Client, name: string, text: string): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([text], { type: 'text/plain' }), name);
  const res = await fetch(`${s.url}/v1/files`, { method: 'POST', body: form, headers: { authorization: `Bearer ${client.token}` } });
  const body = (await res.json()) as { id: string };
  assert.equal(res.status, 200, JSON.stringify(body));
  return body.id;
}

for (const engine of ['sqlite', 'postgres'] as const) {
  describe(`a channel's files on ${engine}`, () => {
    test('newest first, cursor pages, thread replies included, deleted messages and other channels left out; who may list', async (t) => {
      let pg: Awaited<ReturnType<typeof freshPostgresDatabase>> | undefined;
      if (engine === 'postgres') {
        if (!(await needs(t, 'postgres'))) return;
        pg = await freshPostgresDatabase();
      }
      let s: TestServer | undefined;
      try {
        s = await startTestServer(pg ? { databaseUrl: pg.url } : {});
        const server = s;
        const { owner } = server;
        const ana = await createUser(owner, 'MEMBER', 'Ana');
        const outsider = await createUser(owner, 'MEMBER', 'Out');
        const guest = await createUser(owner, 'GUEST', 'Gus');
        const room = (await owner.post('/v1/channels', { name: 'gallery-room', type: 'PUBLIC' })).body.channel.id as string;
        assert.equal((await owner.post(`/v1/channels/${room}/users`, { userIds: [ana.userId] })).status, 200);
        const other = (await owner.post('/v1/channels', { name: 'elsewhere', type: 'PUBLIC' })).body.channel.id as string;

        const postFiles = async (who: Client, channelId: string, names: string[], extra: Record<string, unknown> = {}, path = `/v1/channels/${channelId}/messages`) => {
          const files = [];
          for (const name of names) files.push(await upload(server, who, name, `the contents of ${name}`));
          const r = await who.post(path, { text: names.join(', '), files, ...extra });
          assert.equal(r.status, 200, r.text);
          return { messageId: r.body.id as string, files };
        };

        const first = await postFiles(ana, room, ['a.txt', 'b.txt']);
        const second = await postFiles(owner, room, ['c.txt']);
        const gone = await postFiles(ana, room, ['deleted.txt']);
        const reply = await postFiles(owner, room, ['reply.txt'], {}, `/v1/channels/${room}/messages/${first.messageId}`);
        await postFiles(owner, other, ['other.txt']);
        const last = await postFiles(ana, room, ['d.txt', 'e.txt']);
        assert.equal((await ana.delete(`/v1/channels/${room}/messages/${gone.messageId}`)).status, 200);
        // A message without files is not in the list either.
        assert.equal((await ana.post(`/v1/channels/${room}/messages`, { text: 'no files here' })).status, 200);

        // Every page of two, in order.
        const seen: Array<{ id: string; name: string; messageId: string; author: string; threadRootId?: string }> = [];
        let cursor: string | undefined;
        let pagesRead = 0;
        do {
          const r = await ana.get(`/v1/channels/${room}/files?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
          assert.equal(r.status, 200, r.text);
          assert.ok(r.body.files.length <= 2);
          for (const f of r.body.files) {
            assert.deepEqual(Object.keys(f.file).sort(), ['id', 'mimeType', 'name', 'path', 'size']);
            assert.match(f.file.path, new RegExp(`/v1/files/${f.file.id}/${f.file.name}$`));
            assert.equal(f.file.mimeType, 'text/plain');
            assert.equal(typeof f.timestampMilli, 'number');
            assert.equal(f.timestamp, new Date(f.timestampMilli).toISOString());
            seen.push({ id: f.file.id, name: f.file.name, messageId: f.messageId, author: f.author, ...(f.threadRootId && { threadRootId: f.threadRootId }) });
          }
          cursor = r.body.nextCursor;
          pagesRead++;
        } while (cursor && pagesRead < 10);
        assert.equal(pagesRead, 3, 'six files in pages of two');
        assert.deepEqual(
          seen.map((f) => f.name),
          ['e.txt', 'd.txt', 'reply.txt', 'c.txt', 'b.txt', 'a.txt'],
          'newest message first; a deleted message, another channel and messages without files left out',
        );
        assert.deepEqual(seen.find((f) => f.name === 'reply.txt'), { id: reply.files[0], name: 'reply.txt', messageId: reply.messageId, author: server.ownerId, threadRootId: first.messageId });
        assert.equal(seen.find((f) => f.name === 'd.txt')!.messageId, last.messageId);
        assert.equal(seen.find((f) => f.name === 'c.txt')!.author, server.ownerId);
        assert.equal(seen.find((f) => f.name === 'a.txt')!.author, ana.userId);
        assert.ok(!seen.some((f) => second.files.includes(f.id) && f.name !== 'c.txt'));

        // One page with the default size: all of them, and no cursor.
        const all = await ana.get(`/v1/channels/${room}/files`);
        assert.equal(all.body.files.length, 6);
        assert.equal(all.body.nextCursor, undefined);
        // A listed file downloads for the same person.
        const download = await fetch(`${server.url}/v1/files/${seen[0]!.id}/${seen[0]!.name}`, { headers: { authorization: `Bearer ${ana.token}` } });
        assert.equal(download.status, 200);
        assert.equal(await download.text(), 'the contents of e.txt');

        // Who may list: whoever may read the history. A public channel's non-member (not a guest) may;
        // a guest outside it and a private channel's outsiders get the 404 of a channel they cannot see.
        assert.equal((await outsider.get(`/v1/channels/${room}/files`)).body.files.length, 6);
        assertError(await guest.get(`/v1/channels/${room}/files`), 404);
        const secret = (await ana.post('/v1/channels', { name: 'secret-files', type: 'PRIVATE' })).body.channel.id as string;
        await postFiles(ana, secret, ['secret.txt']);
        assert.equal((await ana.get(`/v1/channels/${secret}/files`)).body.files[0].file.name, 'secret.txt');
        assertError(await outsider.get(`/v1/channels/${secret}/files`), 404);
        assertError(await owner.get(`/v1/channels/${secret}/files`), 404, undefined);
        assertError(await ana.get('/v1/channels/000000000000000000000000/files'), 404);

        // Bad input: a clear 400 naming the field.
        assertError(await ana.get(`/v1/channels/${room}/files?cursor=nonsense`), 400, 'cursor');
        assertError(await ana.get(`/v1/channels/${room}/files?cursor=${'a'.repeat(24)}.zz`), 400, 'cursor');
        assertError(await ana.get(`/v1/channels/${room}/files?limit=0`), 400, 'limit');
        assertError(await ana.get(`/v1/channels/${room}/files?limit=101`), 400, 'limit');
      } finally {
        await s?.close();
        await pg?.drop();
      }
    });
  });
}
