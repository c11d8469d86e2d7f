/**
 * Avatars, message retention and the workspace frame (docs/web-client.md §6.8, §7; issue #15), on
 * both engines, through real HTTP, real sockets and the real image processor and file storage.
 *
 * Avatars: an image upload becomes a 256-px square WebP served with the files' safe headers, the
 * user's `avatar` paths point at it and every tab hears user.updated; anything not an image is 400
 * and changes nothing; a new upload retires the old URL; removal brings `''` back. Retention: an
 * owner sets it (members cannot, bad values are 400), the sweep deletes only messages older than the
 * retention, in bounded batches, through the ordinary delete (message.deleted frames, files detached
 * then swept), and the housekeeping runs it. Workspace: a rename reaches every open tab.
 */
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { Listener, createUser, freshPostgresDatabase, needs, startTestServer, type Client, type Reply, type TestServer } from '../support/helpers.js';
import { assertError } from '../support/assertions.js';
import { Housekeeping } from '../../src/workers/housekeeping.js';
import { ORPHAN_GRACE_MS } from '../../src/domain/files.js';
import { DAY_MS } from '../../src/domain/retention.js';

const png = (w: number, h: number) => sharp({ create: { width: w, height: h, channels: 3, background: { r: 200, g: 40, b: 90 } } }).png().toBuffer();

async function upload(s: TestServer, client: Client, path: string, bytes: Buffer, name: string, claimedType: string, method = 'PUT'): Promise<Reply> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)], { type: claimedType }), name);
  const res = await fetch(`${s.url}${path}`, { method, body: form, headers: { authorization: `Bearer ${client.token}` } });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: text ? JSON.parse(text) : undefined };
}

async function get(s: TestServer, client: Client, path: string) {
  const res = await fetch(`${s.url}${path}`, { headers: { authorization: `Bearer ${client.token}` } });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

async function post(client: Client, channelId: string, text: string, files?: string[]): Promise<string> {
  const r = await client.post(`/v1/channels/${channelId}/messages`, { text, ...(files && { files }) });
  assert.equal(r.status, 200, r.text);
  return r.body.id as string;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const engine of ['sqlite', 'postgres'] as const) {
  describe(`avatars, retention and the workspace frame on ${engine}`, () => {
    async function withServer(t: TestContext, run: (s: TestServer, tabs: Listener[]) => Promise<void>) {
      let pg: Awaited<ReturnType<typeof freshPostgresDatabase>> | undefined;
      if (engine === 'postgres') {
        if (!(await needs(t, 'postgres'))) return;
        pg = await freshPostgresDatabase();
      }
      let s: TestServer | undefined;
      const tabs: Listener[] = [];
      try {
        s = await startTestServer(pg ? { databaseUrl: pg.url } : {});
        await run(s, tabs);
      } finally {
        for (const tab of tabs) tab.ws.close();
        await s?.close();
        await pg?.drop();
      }
    }

    test('avatars: upload, serve, refuse non-images, replace, remove, frames', async (t) => {
      await withServer(t, async (s, tabs) => {
        const member = await createUser(s.owner, 'MEMBER', 'Avatar Member');
        const ownerTab = await Listener.connect(s.wsUrl, s.owner.token);
        tabs.push(ownerTab);

        // An upright image is cropped to its centre square and kept at 256 px.
        const set = await upload(s, member, '/v1/workspaceUsers/me/avatar', await png(600, 300), 'me.png', 'image/png');
        assert.equal(set.status, 200, set.text);
        const path = set.body.avatar.fullPath as string;
        assert.match(path, new RegExp(`^/v1/workspaceUsers/${member.userId}/avatar/[A-Za-z0-9]+$`));
        assert.equal(set.body.avatar.scaledPath, path);
        const frame = await ownerTab.next((f) => f.type === 'user.updated' && f.userId === member.userId);
        assert.equal(frame.userId, member.userId);
        // Others see it in the user list and can fetch it, with the files' safe headers.
        const listed = await s.owner.get('/v1/workspaceUsers');
        assert.equal(listed.body.find((u: { id: string }) => u.id === member.userId).avatar.fullPath, path);
        const image = await get(s, s.owner, path);
        assert.equal(image.status, 200);
        assert.equal(image.headers.get('content-type'), 'image/webp');
        assert.equal(image.headers.get('x-content-type-options'), 'nosniff');
        assert.match(image.headers.get('content-security-policy') ?? '', /sandbox/);
        assert.match(image.headers.get('content-disposition') ?? '', /^inline/);
        const meta = await sharp(image.bytes).metadata();
        assert.deepEqual([meta.format, meta.width, meta.height], ['webp', 256, 256]);

        // Not an image (whatever the claimed type), and SVG (script): 400 on the file, nothing changes.
        for (const [bytes, name, type] of [
          [Buffer.from('just some text, not a picture'), 'a.png', 'image/png'],
          [Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), 'a.svg', 'image/svg+xml'],
          [Buffer.from('%PDF-1.4\n1 0 obj\n<<>>\nendobj\n'), 'a.pdf', 'application/pdf'],
        ] as const) {
          const refused = await upload(s, member, '/v1/workspaceUsers/me/avatar', bytes, name, type);
          assertError(refused, 400, 'file');
        }
        assert.equal((await member.get(`/v1/workspaceUsers/${member.userId}`)).body.avatar.fullPath, path);
        // No multipart at all is a 4xx, not a 500.
        const bare = await member.put('/v1/workspaceUsers/me/avatar', { file: 'x' });
        assert.ok(bare.status >= 400 && bare.status < 500, bare.text);

        // A new avatar has a new URL; the old one is gone.
        const again = await upload(s, member, '/v1/workspaceUsers/me/avatar', await png(64, 64), 'small.png', 'image/png');
        assert.equal(again.status, 200, again.text);
        assert.notEqual(again.body.avatar.fullPath, path);
        assert.equal((await get(s, s.owner, path)).status, 404);
        assert.equal((await get(s, s.owner, again.body.avatar.fullPath)).status, 200);

        // Removed: initials again, the image 404, and everyone hears of it.
        ownerTab.frames.length = 0;
        const removed = await member.delete('/v1/workspaceUsers/me/avatar');
        assert.equal(removed.status, 200, removed.text);
        assert.deepEqual(removed.body.avatar, { fullPath: '', scaledPath: '' });
        assert.equal((await get(s, s.owner, again.body.avatar.fullPath)).status, 404);
        await ownerTab.next((f) => f.type === 'user.updated' && f.userId === member.userId);
        // Someone else's avatar id is never another user's path.
        assert.equal((await get(s, s.owner, `/v1/workspaceUsers/${s.ownerId}/avatar/${path.split('/').pop()}`)).status, 404);
      });
    });

    test('retention: owners set it; old messages only, in batches, through the delete path', async (t) => {
      await withServer(t, async (s, tabs) => {
        const member = await createUser(s.owner, 'MEMBER', 'Retention Member');
        const memberTab = await Listener.connect(s.wsUrl, member.token);
        tabs.push(memberTab);

        // Owners only; bad values are 400 on the field; 0 means forever (null).
        assertError(await member.put('/v1/workspace', { messageRetentionDays: 30 }), 403);
        assertError(await s.owner.put('/v1/workspace', { messageRetentionDays: -1 }), 400, 'messageRetentionDays');
        assertError(await s.owner.put('/v1/workspace', { messageRetentionDays: 1.5 }), 400, 'messageRetentionDays');
        const off = await s.owner.put('/v1/workspace', { messageRetentionDays: 0 });
        assert.equal(off.status, 200, off.text);
        assert.equal(off.body.messageRetentionDays, null);
        const on = await s.owner.put('/v1/workspace', { messageRetentionDays: 30 });
        assert.equal(on.status, 200, on.text);
        assert.equal(on.body.messageRetentionDays, 30);
        assert.equal((await member.get('/v1/workspace')).body.messageRetentionDays, 30);

        // Five old messages (one with a file), then — later — two that must stay.
        const fileUpload = await upload(s, member, '/v1/files', await png(20, 20), 'old.png', 'image/png', 'POST');
        assert.equal(fileUpload.status, 200, fileUpload.text);
        const old: string[] = [await post(member, s.generalId, 'old with a file', [fileUpload.body.id])];
        for (let i = 0; i < 4; i++) old.push(await post(member, s.generalId, `old ${i}`));
        await pause(20);
        const boundary = Date.now();
        await pause(20);
        const fresh = [await post(member, s.generalId, 'fresh 1'), await post(member, s.generalId, 'fresh 2')];

        // The clock as it will be when the boundary is 30 days old: batches of 2 take three rounds.
        const at = boundary + 30 * DAY_MS;
        assert.deepEqual(await s.sb.core.retention.sweep(at, 2), { messages: 2 });
        assert.deepEqual(await s.sb.core.retention.sweep(at, 2), { messages: 2 });
        assert.deepEqual(await s.sb.core.retention.sweep(at, 2), { messages: 1 });
        assert.deepEqual(await s.sb.core.retention.sweep(at, 2), { messages: 0 });

        const history = await member.get(`/v1/channels/${s.generalId}/messages`);
        assert.equal(history.status, 200, history.text);
        const live = (history.body.messages as Array<{ id: string; deleted?: boolean }>).filter((m) => !m.deleted).map((m) => m.id);
        for (const id of fresh) assert.ok(live.includes(id), 'a message younger than the retention stays');
        for (const id of old) assert.ok(!live.includes(id), 'an expired message is deleted');
        // As for any delete: the channel's tabs hear of each one.
        for (const id of old) await memberTab.next((f) => f.type === 'message.deleted' && f.messageId === id);

        // Its file lost its message, and the orphan sweep removes it a day later.
        assert.equal((await get(s, s.owner, `/v1/files/${fileUpload.body.id}/old.png`)).status, 404);
        assert.ok(await s.sb.store.files.get(fileUpload.body.id));
        await s.sb.core.files.sweepOrphans(Date.now() + ORPHAN_GRACE_MS + 60_000);
        assert.equal(await s.sb.store.files.get(fileUpload.body.id), undefined);

        // The housekeeping runs it (with the real batch): the fresh ones go too, 30 days on.
        const later = new Housekeeping(
          { views: s.sb.core.views, socketMode: s.sb.core.socketMode, retention: s.sb.core.retention },
          { log: s.sb.app.log, now: () => Date.now() + 31 * DAY_MS },
        );
        const report = await later.runNow();
        await later.stop();
        assert.ok((report.retention?.messages ?? 0) >= 2, JSON.stringify(report));
        for (const id of fresh) await memberTab.next((f) => f.type === 'message.deleted' && f.messageId === id);

        // Off again: nothing more is deleted, however old.
        await s.owner.put('/v1/workspace', { messageRetentionDays: null });
        const kept = await post(member, s.generalId, 'kept forever');
        assert.deepEqual(await s.sb.core.retention.sweep(Date.now() + 10_000 * DAY_MS), { messages: 0 });
        assert.equal((await member.get(`/v1/channels/${s.generalId}/messages/${kept}`)).status, 200);
      });
    });

    test('workspace.updated reaches every tab; apps and members cannot rename', async (t) => {
      await withServer(t, async (s, tabs) => {
        const member = await createUser(s.owner, 'MEMBER', 'Frame Member');
        const memberTab = await Listener.connect(s.wsUrl, member.token);
        tabs.push(memberTab);
        assertError(await member.put('/v1/workspace', { name: 'Mine' }), 403);
        const renamed = await s.owner.put('/v1/workspace', { name: 'Renamed Co', locale: 'pt-BR' });
        assert.equal(renamed.status, 200, renamed.text);
        const frame = await memberTab.next((f) => f.type === 'workspace.updated');
        assert.equal(frame.workspace.name, 'Renamed Co');
        assert.equal(frame.workspace.locale, 'pt-BR');
        assert.equal(frame.workspace.id, s.workspaceId);
      });
    });
  });
}
