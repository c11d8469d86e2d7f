/**
 * What script results mean (docs/integrations.md §7.4 step 3, §8.6 step 3, §8.8) — the rules live in the
 * core (domain/integrations); the sandbox only hands back a JSON copy. These are the cases of the
 * sandbox's former result rules that integrations-logic-*.test.ts does not already hold.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingIntegrationConfig } from '../../src/domain/integrations/incoming-payload.js';
import { applyIncomingScriptResult, type IncomingHookContext } from '../../src/domain/integrations/incoming-script-result.js';
import { interpretPrepareResult } from '../../src/domain/integrations/outgoing-request.js';
import { buildHttpCall } from '../../src/surfaces/rocketchat/outgoing/request.js';
import { interpretProcessResponseResult } from '../../src/domain/integrations/outgoing-reply.js';

const integration: IncomingIntegrationConfig = { _id: 'int1', channel: ['#general'], alias: '', avatar: '', emoji: '' };
const ctx: IncomingHookContext = { integration };

test('incoming: a truthy non-object is error-running-script; `error` counts only when truthy', () => {
  for (const r of [true, 1, 'text', ['a']]) {
    const out = applyIncomingScriptResult(ctx, r);
    assert.equal(out.kind === 'error' && out.error.error, 'error-running-script', JSON.stringify(r));
  }
  for (const error of ['', 0, false, null]) {
    const r = applyIncomingScriptResult(ctx, { error, content: { text: 'x' } });
    assert.equal(r.kind, 'post', JSON.stringify(error));
    if (r.kind === 'post') assert.equal(r.request.text, 'x');
  }
});

test('prepare_outgoing_request: null cancels; lower-case method, long timeout and a colon in the password', () => {
  assert.deepEqual(interpretPrepareResult(null), { kind: 'cancel', step: 'after-prepare-no-opts' });
  const p = interpretPrepareResult({ url: 'https://x.test/a', method: 'post', auth: 'user:pa:ss', data: { q: 1 }, timeout: 60_000 });
  assert.ok(p.kind === 'proceed' && p.request);
  assert.deepEqual(buildHttpCall(p.request), {
    ok: true,
    call: {
      method: 'POST',
      url: 'https://x.test/a',
      headers: { Authorization: `Basic ${Buffer.from('user:pa:ss').toString('base64')}`, 'Content-Type': 'application/json' },
      body: '{"q":1}',
      timeoutMs: 30_000,
    },
  });
});

test('process_outgoing_response: only `{content: object}` posts and only `false` stops', () => {
  for (const other of [null, 0, '', true, {}, { content: 'x' }, { content: ['x'] }, []]) {
    assert.deepEqual(interpretProcessResponseResult(other), { kind: 'continue' }, JSON.stringify(other));
  }
});
