/**
 * Rocket.Chat's `fileUploaded` outgoing event (docs/integrations.md §8.1, §8.4, §12.3 #12): a message
 * posted with files fires it, through the outbox written in the post's own transaction, with
 * Rocket.Chat's payload — the sendMessage fields without `siteUrl`, plus the `user`, `room` and
 * `message` objects, the message carrying `file` and `files`. A message without files, or an edit,
 * does not fire it.
 */
import { test, before, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { bodyOf, hitsUntil, receiver, scopedOutgoing, settleAt, startEnv, until, type Env } from '../support/outgoing-webhooks-fixtures.js';
import type { User } from '../../src/domain/model.js';

let env: Env;
before(async () => {
  env = await startEnv();
});
after(async () => {
  await env.s.close();
});

const scoped = (t: TestContext, fields: Record<string, unknown>) => scopedOutgoing(env, t, fields);
const userObject = (u: User) => ({
  _id: u.id,
  username: u.username,
  name: u.name,
  type: 'user',
  active: true,
  roles: ['admin', ...u.extraRoles.filter((r) => r !== 'admin')],
  createdAt: new Date(u.createdAt).toISOString(),
});

async function uploadAndPost(text: string, name: string, bytes: Buffer) {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)]), name);
  const up = await fetch(`${env.s.url}/v1/files`, { method: 'POST', body: form, headers: { authorization: `Bearer ${env.s.owner.token}` } });
  assert.equal(up.status, 200, await up.clone().text());
  const file = await up.json();
  const posted = await env.s.owner.post(`/v1/channels/${env.s.generalId}/messages`, { text, files: [file.id] });
  assert.equal(posted.status, 200, posted.text);
  return { file, message: posted.body };
}

test('#12 fileUploaded: Rocket.Chat\'s payload, without siteUrl; sendMessage fires beside it', async (t) => {
  const r = await receiver();
  const doc = await scoped(t, { event: 'fileUploaded', urls: [`${r.url}/uploaded`] });
  await scoped(t, { event: 'sendMessage', urls: [`${r.url}/sent`] });
  const { file, message } = await uploadAndPost('the report', 'report.txt', Buffer.from('quarterly numbers\n'));
  await hitsUntil(r, 2);
  await settleAt(r, 2);
  const uploaded = bodyOf(r.hits.find((h) => h.path === '/uploaded')!);
  const m = (await env.s.sb.store.messageById(message.id))!;
  const general = (await env.s.sb.store.channelById(env.s.generalId))!;
  // As the owner is now: posting as them gave them Rocket.Chat's `bot` role (integrations.md §4).
  const owner = (await env.s.sb.store.user(env.s.workspaceId, env.owner.id))!;
  const rcFile = { _id: file.id, name: 'report.txt', type: 'text/plain', size: 18 };
  assert.deepEqual(uploaded, {
    token: doc.token,
    bot: false,
    channel_id: env.s.generalId,
    channel_name: 'general',
    message_id: m.id,
    timestamp: new Date(m.createdAt).toISOString(),
    user_id: env.owner.id,
    user_name: env.owner.username,
    text: 'the report',
    user: userObject(owner),
    room: {
      _id: general.id,
      t: 'c',
      name: 'general',
      fname: 'general',
      ...(general.createdBy && { u: { _id: env.owner.id, username: env.owner.username } }),
      ts: new Date(general.createdAt).toISOString(),
    },
    message: {
      _id: m.id,
      rid: env.s.generalId,
      msg: 'the report',
      ts: new Date(m.createdAt).toISOString(),
      u: { _id: env.owner.id, username: env.owner.username, name: env.owner.name },
      file: rcFile,
      files: [rcFile],
    },
  });
  assert.equal('siteUrl' in uploaded, false);
  const sent = bodyOf(r.hits.find((h) => h.path === '/sent')!);
  assert.equal(sent.siteUrl, env.s.sb.publicUrl, 'sendMessage keeps its siteUrl');
  assert.equal(sent.message_id, m.id);
});

test('no files, no fileUploaded; an edit of a message with files does not fire it again', async (t) => {
  const r = await receiver();
  await scoped(t, { event: 'fileUploaded', urls: [`${r.url}/uploaded`], runOnEdits: true });
  const plain = await env.s.owner.post(`/v1/channels/${env.s.generalId}/messages`, { text: 'just words' });
  assert.equal(plain.status, 200);
  const { message } = await uploadAndPost('with a file', 'a.bin', Buffer.from([0, 1, 2, 3]));
  await hitsUntil(r, 1);
  assert.equal((await env.s.owner.put(`/v1/channels/${env.s.generalId}/messages/${message.id}`, { text: 'edited' })).status, 200);
  await until(async () => (await env.s.sb.store.messageById(message.id))?.edited || undefined);
  await settleAt(r, 1, 800);
  assert.equal(bodyOf(r.hits[0]!).message_id, message.id);
});
