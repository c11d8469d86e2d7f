/** WakeLoop (workers/wake-loop.ts): a wake-up is never lost, whenever in a run it comes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WakeLoop } from '../../src/workers/wake-loop.js';

test('a wake-up during a run, even during its `after`, makes another run', async () => {
  let rounds = 0;
  let afters = 0;
  const loop = new WakeLoop({
    round: async () => {
      rounds++;
    },
    after: async () => {
      afters++;
      // New work arrives while the run is finishing (housekeeping): it must not wait for a poll.
      if (afters === 1) loop.wake();
    },
    onError: (err) => assert.fail(String(err)),
  });
  loop.wake();
  await new Promise((resolve) => setTimeout(resolve, 50));
  await loop.idle();
  assert.equal(rounds, 2, 'the wake-up during after ran a second round');
  assert.equal(afters, 2);
  await loop.stop();
});
