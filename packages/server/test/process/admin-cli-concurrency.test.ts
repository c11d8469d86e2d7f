/**
 * The admin command writes to the SQLite file a running server writes to. The command waits its
 * turn (busy_timeout); the server must not fail its own requests meanwhile: its transactions begin
 * IMMEDIATE (store/transaction-scope.ts), so they wait for the lock rather than fail to upgrade.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import { OWNER, createUser, startTestServer } from '../support/helpers.js';
import { admin } from '../support/admin-process.js';

test(
  "the server's writes all succeed while the command writes to the same SQLite file",
  async () => {
    const s = await startTestServer();
    try {
      const member = await createUser(s.owner);
      let writing = true;
      const writes = (async () => {
        const failed: string[] = [];
        let n = 0;
        while (writing) {
          const r = await member.post(`/v1/channels/${s.generalId}/messages`, { text: `busy ${n++}` });
          if (r.status !== 200) failed.push(`${r.status} ${r.text}`);
        }
        return { n, failed };
      })();
      for (let i = 0; i < 2; i++) {
        const r = await admin(['reset-password', OWNER.email], { DATABASE_URL: `sqlite:${s.sb.database.location}` }, dirname(s.sb.database.location));
        assert.equal(r.code, 0, r.stderr);
      }
      writing = false;
      const { n, failed } = await writes;
      assert.ok(n > 0);
      assert.deepEqual(failed, [], `${failed.length} of ${n} server writes failed`);
    } finally {
      await s.close();
    }
  },
);
