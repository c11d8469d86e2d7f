/**
 * The request log at the default level (docs/operations.md §10): one line per request once answered;
 * reads answered below 400 at `debug` (clients polling do not fill the log), writes and failures at
 * `info`, with method, redacted URL, status and milliseconds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnWithOwner } from '../support/process.js';

test('at LOG_LEVEL=info: a failed read and a write are logged once each, with their status; a read that succeeds is not', async () => {
  const { sp, owner, close } = await spawnWithOwner({ LOG_LEVEL: 'info' });
  try {
    const general = (await owner.get('/v1/channels')).body[0].channel.id as string;
    assert.equal((await owner.get('/v1/channels/nowhere-at-all')).status >= 400, true);
    assert.equal((await owner.post(`/v1/channels/${general}/messages`, { text: 'logged' })).status, 200);
    await sp.stop();
    const lines = sp
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { msg: string; level: number; req?: { method: string; url: string }; res?: { statusCode: number }; responseTime?: number });
    const requests = lines.filter((l) => l.msg === 'request');
    assert.ok(!lines.some((l) => l.msg === 'incoming request' || l.msg === 'request completed'), 'one line per request, not two');
    const of = (method: string, url: string) => requests.filter((l) => l.req?.method === method && l.req.url.startsWith(url));
    assert.equal(of('GET', '/v1/channels/nowhere-at-all').length, 1, 'a failed read');
    assert.ok(of('GET', '/v1/channels/nowhere-at-all')[0]!.res!.statusCode >= 400);
    const post = of('POST', `/v1/channels/${general}/messages`);
    assert.equal(post.length, 1, 'a write');
    assert.deepEqual([post[0]!.level, post[0]!.res!.statusCode, typeof post[0]!.responseTime], [30, 200, 'number']);
    assert.equal(requests.filter((l) => l.req?.method === 'GET' && l.res!.statusCode < 400).length, 0, 'reads that succeed are debug');
  } finally {
    await close();
  }
});
