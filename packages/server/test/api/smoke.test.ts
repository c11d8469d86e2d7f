import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer } from '../support/helpers.js';

test('a fresh server serves its owner', async () => {
  const s = await startTestServer();
  try {
    const r = await s.owner.get('/v1/workspace');
    assert.equal(r.status, 200);
    assert.equal(r.body.name, 'Test Workspace');
  } finally {
    await s.close();
  }
});
