/**
 * BacklogEstimates (store/delivery-store.ts): a backlog is counted again unless a fresh count plus
 * this process's own enqueues since stays under half the cap, so the cap holds as exactly as a
 * count each time would.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BacklogEstimates } from '../../src/store/delivery-store.js';

test('a fresh count plus enqueues since is used only while well under the cap', () => {
  const b = new BacklogEstimates();
  assert.equal(b.bound('e', 1000, 0), undefined, 'never counted: count');
  b.counted('e', 100, 0);
  assert.equal(b.bound('e', 1000, 500), 100);
  for (let i = 0; i < 399; i++) b.added('e');
  assert.equal(b.bound('e', 1000, 500), 499, 'own enqueues are added');
  b.added('e');
  assert.equal(b.bound('e', 1000, 500), undefined, 'half the cap reached: count');
  assert.equal(b.bound('other', 1000, 500), undefined, 'per endpoint');
  b.counted('e', 0, 1_000);
  assert.equal(b.bound('e', 1000, 1_000 + BacklogEstimates.FRESH_MS - 1), 0);
  assert.equal(b.bound('e', 1000, 1_000 + BacklogEstimates.FRESH_MS), undefined, 'a count a second old: count again');
  assert.equal(b.bound('e', BacklogEstimates.SMALLEST_CAP - 1, 1_000), undefined, 'a small cap is always counted');
});
