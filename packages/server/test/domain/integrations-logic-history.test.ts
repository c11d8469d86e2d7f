/**
 * History records (docs/integrations.md §8.9, §9.3, §13): no token anywhere, credentials scrubbed from
 * every recorded value, payload digests when payload storage is off, console output bounded.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  REDACTED,
  captureConsole,
  historyExpired,
  historyIntegration,
  incomingHistoryHeaders,
  payloadDigest,
  recordForStorage,
  redactSecrets,
  redactString,
  type IncomingHistoryRecord,
  type OutgoingHistoryRecord,
} from '../../src/domain/integrations/history-redaction.js';

const TOKEN = 'XuHp73MccmCvJ9m3fKdQK6HKW9tjhBcbTKKHCSSLsv7qn4fk';

describe('§8.9 history redaction', () => {
  test('the integration copy has no token, compiled script or webhook secret', () => {
    const copy = historyIntegration({ _id: 'i', name: 'n', token: TOKEN, scriptCompiled: 'code', webhookSecret: 'whsec_x', script: 'src' });
    assert.deepEqual(copy, { _id: 'i', name: 'n', script: 'src' });
  });

  test('credential keys are redacted at any depth, case-insensitively', () => {
    const v = redactSecrets({
      token: TOKEN,
      headers: { 'X-Auth-Token': 'abc', Authorization: 'Bearer xyz', Cookie: 'sid=1', 'Content-Type': 'application/json' },
      user: { name: 'A', password: 'hash', services: { resume: {} } },
      list: [{ authToken: 'q' }],
      nothing: null,
    });
    assert.deepEqual(v, {
      token: REDACTED,
      headers: { 'X-Auth-Token': REDACTED, Authorization: REDACTED, Cookie: REDACTED, 'Content-Type': 'application/json' },
      user: { name: 'A', password: REDACTED, services: REDACTED },
      list: [{ authToken: REDACTED }],
      nothing: null,
    });
  });

  test('strings lose known secrets, hook-URL tokens, bearer/basic credentials and whsec keys', () => {
    assert.equal(redactString(`token is ${TOKEN}!`, [TOKEN]), `token is ${REDACTED}!`);
    assert.equal(redactString('POST https://chat.x/hooks/65f0/abcDEF123?x=1'), `POST https://chat.x/hooks/65f0/${REDACTED}?x=1`);
    assert.equal(redactString('/hooks/65f0/u1/abcDEF123'), `/hooks/65f0/u1/${REDACTED}`);
    assert.equal(redactString('/services/65f0/abcDEF123'), `/services/65f0/${REDACTED}`);
    assert.equal(redactString('/workspaces/w/incomingWebhooks/postMessage/code123'), `/workspaces/w/incomingWebhooks/postMessage/${REDACTED}`);
    assert.equal(redactString('Authorization: Basic dXNlcjpwYXNz'), `Authorization: Basic ${REDACTED}`);
    assert.equal(redactString('https://x/cb?access_token=s3cr3t&a=1'), `https://x/cb?access_token=${REDACTED}&a=1`);
    assert.equal(redactString('key whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'), `key ${REDACTED}`);
    assert.equal(redactString('short', ['abc']), 'short', 'short secrets are not used as patterns');
  });

  test('a stored outgoing record contains no token anywhere', () => {
    const record: OutgoingHistoryRecord = {
      _id: 'h1',
      type: 'outgoing-webhook',
      step: 'after-http-call',
      integration: historyIntegration({ _id: 'i', token: TOKEN, urls: [`https://x/hooks/a/${TOKEN}`] }),
      event: 'sendMessage',
      data: { token: TOKEN, text: `leaked ${TOKEN}` },
      url: 'https://target.example/hook',
      httpCallData: { headers: { Authorization: 'Basic dXNlcjpwYXNz' }, data: { token: TOKEN } },
      httpResult: `{"echo":"${TOKEN}"}`,
      error: true,
      errorStack: `Error: ${TOKEN}`,
      consoleOutput: [`console ${TOKEN}`],
      _createdAt: '2026-01-01T00:00:00.000Z',
      _updatedAt: '2026-01-01T00:00:00.000Z',
    };
    const stored = recordForStorage(record, { secrets: [TOKEN] });
    assert.ok(!JSON.stringify(stored).includes(TOKEN));
    assert.ok(!JSON.stringify(stored).includes('dXNlcjpwYXNz'));
    assert.equal(stored.url, 'https://target.example/hook');
    assert.equal(stored.step, 'after-http-call');
  });

  test('payload storage off: data, httpCallData and httpResult become size + SHA-256', () => {
    const data = { text: 'private words' };
    const record: OutgoingHistoryRecord = {
      _id: 'h',
      type: 'outgoing-webhook',
      step: 'pre-http-call',
      integration: { _id: 'i' },
      event: 'sendMessage',
      data,
      httpResult: 'answer',
      _createdAt: '2026-01-01T00:00:00.000Z',
      _updatedAt: '2026-01-01T00:00:00.000Z',
    };
    const stored = recordForStorage(record, { storePayloads: false });
    const json = JSON.stringify(data);
    assert.deepEqual(stored.data, { size: Buffer.byteLength(json), sha256: createHash('sha256').update(json).digest('hex') });
    assert.deepEqual(stored.httpResult, payloadDigest('answer'));
    assert.equal('httpCallData' in stored, false);
    assert.ok(!JSON.stringify(stored).includes('private words'));
  });

  test('incoming records: headers without credentials or cookies', () => {
    const headers = incomingHistoryHeaders({ Authorization: 'Bearer x', cookie: 'a=b', 'X-Auth-Token': 't', 'Content-Type': 'application/json', 'X-Multi': ['a', 'b'] });
    assert.deepEqual(headers, { 'content-type': 'application/json', 'x-multi': 'a, b' });
    const record: IncomingHistoryRecord = {
      _id: 'h',
      type: 'incoming-webhook',
      step: 'rejected',
      integration: historyIntegration({ _id: 'i', token: TOKEN }),
      httpStatus: 400,
      error: 'invalid-channel',
      headers,
      data: { text: 'x' },
      _createdAt: '2026-01-01T00:00:00.000Z',
      _updatedAt: '2026-01-01T00:00:00.000Z',
    };
    assert.deepEqual(recordForStorage(record).integration, { _id: 'i' });
  });

  test('console output is cut at 64 KiB with a marker, and scrubbed', () => {
    const lines = captureConsole(['a'.repeat(40_000), 'b'.repeat(40_000), 'c'], [], 64 * 1024);
    assert.equal(lines.length, 3);
    assert.equal(lines[0]!.length + lines[1]!.length, 64 * 1024);
    assert.match(lines[2]!, /truncated/);
    assert.deepEqual(captureConsole([`t=${TOKEN}`], [TOKEN]), [`t=${REDACTED}`]);
  });

  test('retention: 30 days by default', () => {
    const created = { _createdAt: '2026-01-01T00:00:00.000Z' };
    assert.equal(historyExpired(created, Date.UTC(2026, 0, 31)), false);
    assert.equal(historyExpired(created, Date.UTC(2026, 0, 31, 0, 0, 1)), true);
    assert.equal(historyExpired(created, Date.UTC(2026, 0, 5), 3), true);
  });
});
