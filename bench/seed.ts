/**
 * Prepares a fresh SQLite database before the Switchboard child process starts: the workspace,
 * its owner and `general` (through the server's own bootstrap), then — straight through the
 * Store, to skip 1,000 scrypt hashes and logins — the fan-out members with live sessions, and a
 * small channel for the posting benchmark. The benchmark measures posting and fan-out, not
 * account creation.
 */
import { createCore } from '../packages/server/src/domain/index.js';
import { newId } from '../packages/server/src/domain/ids.js';
import { hashToken, newToken } from '../packages/server/src/domain/secrets.js';
import { LocalBus } from '../packages/server/src/realtime/bus.js';
import { migrate, openDatabase } from '../packages/server/src/store/database.js';
import { Store } from '../packages/server/src/store/store.js';
import { SandboxedIntegrationScripts } from '../packages/server/src/scripts/integration-scripts.js';
import { outboundPolicy } from '../packages/server/src/domain/outbound-policy.js';
import { MemoryRateLimiter } from '../packages/server/src/limits/rate-limiter.js';

export interface Seeded {
  workspaceId: string;
  ownerId: string;
  /** the workspace's main channel: every seeded member belongs to it */
  generalId: string;
  /** a public channel with the owner and the first `postChannelMembers` members */
  postChannelId: string;
  /** raw session tokens of the seeded members, in order */
  memberTokens: string[];
  /** (d) two incoming webhooks into #bench-posts: the same payload with and without a script */
  hooks: { plainPath: string; scriptPath: string };
}

/** (d): a script of the usual kind — reshape the sender's payload into a message. */
export const BENCH_HOOK_SCRIPT = `class Script {
  process_incoming_request({ request }) {
    const body = request.content;
    return { content: { text: 'Build ' + body.text, alias: body.alias || 'bench-bot', attachments: [{ title: 'status', text: String(body.status || 'ok'), color: 'good' }] } };
  }
}`;

export async function seed(opts: {
  databaseUrl: string;
  owner: { email: string; password: string };
  members: number;
  postChannelMembers: number;
}): Promise<Seeded> {
  const database = await openDatabase(opts.databaseUrl);
  try {
    await migrate(database.db);
    const store = new Store(database.db, database.engine);
    const core = createCore(store, new LocalBus(), { limiter: new MemoryRateLimiter() });
    const boot = await core.accounts.bootstrap({ ...opts.owner, workspaceName: 'Bench' });
    if (!boot) throw new Error('seed: expected an empty database');
    const workspaceId = boot.workspace.id;
    const ownerId = boot.owner.id;

    const seeded = await store.transaction(async (tx) => {
      const now = Date.now();
      const general = await tx.mainChannel(workspaceId);
      if (!general) throw new Error('seed: bootstrap made no main channel');

      const ids: string[] = [];
      for (let i = 0; i < opts.members; i++) {
        const id = newId(now);
        ids.push(id);
        await tx.insertUser({ id, workspaceId, email: `member${i}@bench.invalid`, name: `Member ${i}`, role: 'MEMBER', passwordHash: null, now });
      }
      const users = new Map((await tx.users(workspaceId, ids)).map((u) => [u.id, u]));
      const memberTokens: string[] = [];
      for (const id of ids) {
        const token = newToken('sbs_');
        await tx.insertSession(hashToken(token), users.get(id)!, now);
        memberTokens.push(token);
      }
      await tx.addMembers(general, ids, null, now);

      const postChannelId = newId(now);
      await tx.insertChannel({
        id: postChannelId,
        workspaceId,
        type: 'PUBLIC',
        name: 'bench-posts',
        directKey: null,
        description: 'posting benchmark',
        createdBy: ownerId,
        now,
      });
      const postChannel = (await tx.channel(workspaceId, postChannelId))!;
      await tx.addMembers(postChannel, [ownerId, ...ids.slice(0, opts.postChannelMembers)], ownerId, now);

      return { workspaceId, ownerId, generalId: general.id, postChannelId, memberTokens };
    });
    // The integrations go through the core's own create (compile on save), with the real sandbox.
    const scripts = new SandboxedIntegrationScripts({ policy: outboundPolicy() });
    try {
      const withScripts = createCore(store, new LocalBus(), { limiter: new MemoryRateLimiter(), scripts });
      const owner = (await store.user(workspaceId, ownerId))!;
      const common = { type: 'webhook-incoming', enabled: true, username: owner.username, channel: '#bench-posts' };
      const plain = await withScripts.integrations.create(owner, { ...common, name: 'bench plain', scriptEnabled: false });
      const scripted = await withScripts.integrations.create(owner, { ...common, name: 'bench script', scriptEnabled: true, script: BENCH_HOOK_SCRIPT });
      if (!scripted.scriptCompiled) throw new Error(`seed: the bench script did not compile: ${JSON.stringify(scripted.scriptError)}`);
      return { ...seeded, hooks: { plainPath: `/hooks/${plain._id}/${plain.token}`, scriptPath: `/hooks/${scripted._id}/${scripted.token}` } };
    } finally {
      await scripts.close();
    }
  } finally {
    await database.close();
  }
}
