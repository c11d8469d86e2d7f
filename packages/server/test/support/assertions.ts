/** Assertions on the one error body (spec §4.3) and on empty 200s, shared by every API test. */
import assert from 'node:assert/strict';
import type { Reply } from './helpers.js';

/** Exactly code, message and, for validation failures, field and errors; never a stack trace. */
export function assertErrorShape(r: Reply, status: number): void {
  assert.equal(r.status, status, `expected ${status}, got ${r.status}: ${r.text}`);
  assert.match(r.headers.get('content-type') ?? '', /^application\/json/, 'errors are JSON');
  assert.equal(typeof r.body, 'object', `a JSON object body: ${r.text}`);
  assert.ok(r.body !== null && !Array.isArray(r.body));
  for (const key of Object.keys(r.body)) assert.ok(['code', 'message', 'field', 'errors', 'localizedMessage'].includes(key), `unexpected key ${key}`);
  assert.equal(r.body.code, status * 1000, 'code is the status × 1000');
  assert.equal(typeof r.body.message, 'string');
  assert.ok(r.body.message.length > 0);
  assert.doesNotMatch(r.text, /node_modules|\.ts:\d+|\bat [\w.<>]+ \(/, 'no stack traces in error bodies');
  if (r.body.field !== undefined) assert.equal(typeof r.body.field, 'string');
  if (r.body.errors !== undefined) {
    assert.ok(Array.isArray(r.body.errors) && r.body.errors.length > 0);
    for (const e of r.body.errors) {
      assert.deepEqual(Object.keys(e).sort(), ['field', 'message']);
      assert.equal(typeof e.field, 'string');
      assert.equal(typeof e.message, 'string');
    }
    assert.equal(r.body.field, r.body.errors[0].field, '`field` is the first of `errors`');
  }
}

/** The error body with this status and, when given, this offending field (else none). */
export function assertError(r: Reply, status: number, field?: string): void {
  assertErrorShape(r, status);
  if (field === undefined) assert.equal(r.body.field, undefined, `no field expected: ${r.text}`);
  else {
    assert.equal(r.body.field, field, r.text);
    assert.ok(r.body.errors.some((e: { field: string }) => e.field === field));
  }
}

export function assertEmpty200(r: Reply): void {
  assert.equal(r.status, 200, r.text);
  assert.equal(r.text, '', '200 with an empty body');
}
