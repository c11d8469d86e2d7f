/**
 * Operator commands, run beside the server on its database: `node packages/server/dist/admin.js
 * <command>` (or `npm run admin -- <command>`). The one today is the way back in when no owner
 * can log in, e.g. when the first start created the owner and then failed before its generated
 * password was shown. Domain rules stay in the core; this file only parses, opens and prints.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, type Config } from './config.js';
import { DomainError } from './domain/errors.js';
import type { Notice } from './domain/events.js';
import type { DatabaseHandle } from './store/database.js';

// The core, the store and the drivers load only for a command that uses them: --help and usage
// errors answer at once.
const loadCore = () => import('./domain/index.js');
const loadStore = () => Promise.all([import('./store/database.js'), import('./store/store.js')]);

const USAGE = `Usage: node packages/server/dist/admin.js <command> [options]
       npm run admin -- <command> [options]

Commands:
  reset-password <email> [--workspace <id-or-name>]
      Give the person with this e-mail a new password and end all their sessions.
      The password is generated and printed once, unless SWITCHBOARD_NEW_PASSWORD
      is set: then that one is used (at least 8 characters) and not printed.
      When the e-mail has accounts in several workspaces, --workspace picks one.

Options:
  -w, --workspace <id-or-name>   the workspace, when the e-mail is in several
  -h, --help                     show this text

Reads the server's settings from the environment (DATABASE_URL, REDIS_URL, ...),
so run it where the server runs, with the same environment. It may run while the
server is running. Exit status: 0 done, 1 refused or failed, 2 bad usage.
`;

/** A refusal worth one line on stderr, never a stack trace. */
class CommandError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

interface Io {
  out(line: string): void;
  err(line: string): void;
}

async function runAdmin(argv: readonly string[], env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (e) {
    io.err(`admin: ${(e as Error).message}`);
    io.err('Try --help.');
    return 2;
  }
  const [command, ...rest] = args.positionals;
  if (args.values.help || command === 'help') {
    io.out(USAGE);
    return 0;
  }
  if (command === undefined) {
    io.err(USAGE);
    return 2;
  }
  let config: Config | undefined;
  try {
    config = loadConfig(env);
    switch (command) {
      case 'reset-password':
        if (rest.length !== 1) throw new CommandError('reset-password takes one e-mail address: reset-password <email> [--workspace <id-or-name>]', 2);
        await resetPassword(config, rest[0]!, args.values.workspace, env.SWITCHBOARD_NEW_PASSWORD, io);
        return 0;
      default:
        throw new CommandError(`unknown command "${command}"; try --help`, 2);
    }
  } catch (e) {
    if (e instanceof CommandError) {
      io.err(`admin: ${e.message}`);
      return e.exitCode;
    }
    if (e instanceof DomainError) {
      // The core names its fields; here they are an option and a variable, so say which.
      const field = e.errors[0];
      const message =
        field?.field === 'workspace' ? `${field.message} with --workspace` : field?.field === 'password' ? `SWITCHBOARD_NEW_PASSWORD ${field.message}` : e.message;
      io.err(`admin: ${message}`);
      return 1;
    }
    // Unexpected (the database is unreachable, say): the message is what an operator acts on; the
    // stack only helps when debugging.
    const err = e as Error;
    io.err(`admin: ${config?.logLevel === 'debug' || config?.logLevel === 'trace' ? (err.stack ?? err.message) : (err.message ?? String(e))}`);
    return 1;
  }
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      workspace: { type: 'string', short: 'w' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

async function resetPassword(config: Config, email: string, workspace: string | undefined, password: string | undefined, io: Io): Promise<void> {
  const database = await open(config);
  // What the change announces (the person's live connections must close) is kept, and sent on
  // only once the change has committed, so the reset never depends on Redis being up.
  const notices: Notice[] = [];
  try {
    const [[{ migrate }, { Store }], { createCore }] = await Promise.all([loadStore(), loadCore()]);
    await migrate(database.db);
    const { MemoryRateLimiter } = await import('./limits/rate-limiter.js');
    const core = createCore(new Store(database.db, database.engine), { publish: (n) => notices.push(...n) }, { limiter: new MemoryRateLimiter() });
    const result = await core.accounts.resetPassword(email, {
      ...(workspace !== undefined && { workspace }),
      ...(password !== undefined && password !== '' && { password }),
    });
    const who = `${result.user.email} (${result.user.role.toLowerCase()} of "${result.workspace.name}")`;
    if (result.generated) {
      io.out(`New password for ${who}, shown only this once: ${result.password}`);
    } else {
      io.out(`Password for ${who} set from SWITCHBOARD_NEW_PASSWORD.`);
    }
    io.out('Every session of that user has ended.');
    if (result.user.status !== 'ACTIVATED') {
      io.err(`admin: note: ${result.user.email} is deactivated; an owner or admin must activate the account before it can log in`);
    }
  } finally {
    await database.close();
  }
  await announce(config, notices, io);
}

/**
 * Ended sessions stop working at once, since every request looks its session up. Live WebSocket
 * connections are held by the server processes: through Redis, when the nodes share one, they
 * close now; without it (one node) they close when they next reconnect and are refused.
 */
async function announce(config: Config, notices: Notice[], io: Io): Promise<void> {
  if (!config.redisUrl || notices.length === 0) return;
  try {
    const { RedisBus } = await import('./realtime/bus.js');
    const bus = await RedisBus.connect(config.redisUrl, () => {});
    bus.publish(notices);
    await bus.close();
  } catch (e) {
    io.err(`admin: note: Redis (REDIS_URL) is unreachable (${(e as Error).message}); the user's open live connections close when they next reconnect`);
  }
}

/**
 * The server's database, never a new one: opening a SQLite path that does not exist would create an
 * empty database there (a run from the wrong folder), and the command would then report "no such user"
 * about the wrong file.
 */
async function open(config: Config): Promise<DatabaseHandle> {
  if (config.databaseUrl.startsWith('sqlite:')) {
    const path = config.databaseUrl.slice('sqlite:'.length);
    if (path === ':memory:') throw new CommandError('DATABASE_URL is sqlite::memory:, a database only the server process can see');
    if (path !== '' && !existsSync(resolve(path))) {
      throw new CommandError(`no database at ${resolve(path)}; run this where the server runs, with its DATABASE_URL`);
    }
  }
  const { openDatabase } = await import('./store/database.js');
  return openDatabase(config.databaseUrl);
}

const write = (stream: NodeJS.WriteStream) => (line: string) => stream.write(line.endsWith('\n') ? line : `${line}\n`);
const code = await runAdmin(process.argv.slice(2), process.env, { out: write(process.stdout), err: write(process.stderr) });
// Exit explicitly once the output is flushed: a client that failed to connect (Redis) may keep
// retrying in the background, and must not keep a finished command alive.
await Promise.all([process.stdout, process.stderr].map((s) => new Promise((done) => s.write('', done))));
process.exit(code);
