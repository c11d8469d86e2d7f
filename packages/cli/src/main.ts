/**
 * `switchboard` — log in, scaffold an app, run it in socket mode, manage apps and deliveries.
 * node:util parseArgs only; every command has --help; errors end with what to do next.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliError, DevApi, configPath, defaultUrl, explain, jwtClaims, readConfig, request, session, writeConfig } from './config.js';
import { deliveryTail, dev, formatDelivery } from './dev.js';
import { appIdFrom, entryOf, readAppState, writeAppState } from './project.js';
import { nodeArgs } from './run-app.js';
import { ask, passwordLogin, type PersonSession } from './person.js';
import { apiKeys, integrations } from './person-commands.js';
import { gitignoreTemplate, indexTemplate, manifestTemplate, packageTemplate, readmeTemplate } from './templates.js';

type Options = NonNullable<ParseArgsConfig['options']>;
interface Command {
  usage: string;
  summary: string;
  help: string;
  options: Options;
  run(values: Record<string, any>, positionals: string[]): Promise<number>;
}

const out = (line: string) => process.stdout.write(line + '\n');
const HELP = { help: { type: 'boolean', short: 'h' } } as const;

// ---- login --------------------------------------------------------------------------------------------

const login: Command = {
  usage: 'switchboard login [--url URL] (--email E [--workspace ID|NAME] | --email E (--password P | --ask-password) | --token DEV_TOKEN [--refresh-token T])',
  summary: 'log in to a Switchboard server (stores a developer token in ~/.switchboardrc)',
  help: `Three ways, each ending with a developer token in ~/.switchboardrc (mode 0600; SWITCHBOARD_CONFIG
names another file), refreshed when it expires:

  --email E                   the tooling login (as pumble-cli does): the server mails a 6-digit code
                              to E and this asks for it; with accounts in several workspaces, pick one
                              (or pass --workspace ID or name)
  --email E --password P      your password (or SWITCHBOARD_PASSWORD, or --ask-password to type it);
                              the session is kept too, for the commands that act as you:
                              api-keys and integrations (developer tokens do not reach them)
  --token DEV_TOKEN           a developer token from the web app

Without a kept session, api-keys and integrations ask for the password once (or read
SWITCHBOARD_PASSWORD) and keep the session then.`,
  options: {
    url: { type: 'string' },
    token: { type: 'string' },
    'refresh-token': { type: 'string' },
    email: { type: 'string' },
    password: { type: 'string' },
    'ask-password': { type: 'boolean' },
    workspace: { type: 'string' },
  },
  async run(v) {
    const url = String(v.url ?? defaultUrl()).replace(/\/+$/, '');
    let token: string | undefined = v.token;
    let refreshToken: string | undefined = v['refresh-token'];
    let kept: PersonSession | undefined;
    if (!token) {
      const email: string | undefined = v.email;
      if (!email) throw new CliError('Log in how?', `run \`switchboard login --url ${url} --email you@example.com\` (a code is mailed to you), or pass --token <developer token>`);
      let password: string | undefined = v.password ?? process.env.SWITCHBOARD_PASSWORD;
      if (!password && v['ask-password']) {
        if (!process.stdin.isTTY) throw new CliError('No terminal to ask the password on', 'pass --password or set SWITCHBOARD_PASSWORD');
        password = await ask('Password: ');
      }
      if (password) {
        kept = await passwordLogin(url, email, password, v.workspace);
        const d = await request(url, 'POST', '/auth/developer-token', { headers: { authorization: `Bearer ${kept.token}` } });
        if (d.status !== 200) throw explain(d, 'getting a developer token');
        token = d.body.token as string;
        refreshToken = d.body.refreshToken as string;
      } else {
        ({ token, refreshToken } = await codeLogin(url, email, v.workspace));
      }
    }
    const claims = jwtClaims(token);
    if (!claims.ws || !claims.sub) throw new CliError('That is not a developer token', 'copy the developer token from the web app, or log in with --email');
    const me = await request(url, 'GET', `/workspaces/${claims.ws}/workspaceUsers/${claims.sub}`, { headers: { authtoken: token } });
    if (me.status !== 200) throw new CliError(`The server refused the token: ${me.status} ${me.body?.message ?? ''}`.trim(), 'get a fresh developer token, or log in with --email');
    const ws = await request(url, 'GET', `/workspaces/${claims.ws}/info`, { headers: { authtoken: token } });
    // A session kept before stays when it is this person's on this server.
    const before = readConfig();
    const session = kept ? { token: kept.token, userId: kept.userId, workspaceId: kept.workspaceId } : before.url === url && before.session?.userId === claims.sub ? before.session : undefined;
    writeConfig({ url, token, ...(refreshToken && { refreshToken }), workspaceId: claims.ws, workspaceUserId: claims.sub, ...(me.body.email && { email: me.body.email }), ...(session && { session }) });
    out(`Logged in to ${url} as ${me.body.name}${me.body.email ? ` <${me.body.email}>` : ''}, workspace ${ws.body?.name ?? claims.ws}.`);
    out(`Saved to ${configPath()}. Next: \`switchboard init my-app\`.`);
    return 0;
  },
};

/** The tooling login of app-platform.md §4.1: a mailed code, then a workspace's developer tokens. */
async function codeLogin(url: string, email: string, workspace: string | undefined): Promise<{ token: string; refreshToken: string }> {
  const lead = await request(url, 'POST', '/lead', { body: { email } });
  if (lead.status === 429) throw new CliError('Too many login codes asked for this address', `wait ${lead.headers.get('retry-after') ?? 'a few'} seconds, then run \`switchboard login --email ${email}\` again`);
  if (lead.status !== 200) throw explain(lead, 'asking for a login code');
  const leadId = lead.body.id as string;
  out(`A 6-digit code is on its way to ${email} (if it has an account here). It works for 10 minutes, 5 tries.`);
  let proven = false;
  for (let tries = 0; tries < 5 && !proven; tries++) {
    const code = (await ask('Code: ')).replace(/\s+/g, '');
    if (!code) throw new CliError('No code given', `run \`switchboard login --email ${email}\` again and type the code from the mail (no mail? without SMTP_URL the server writes the code to its log)`);
    const a = await request(url, 'POST', '/lead/activate', { body: { email, code, leadId } });
    if (a.status === 200) proven = true;
    else if (a.status === 400 || a.status === 401 || a.status === 403) out(`That code was refused (${a.body?.message ?? a.status}). Try again.`);
    else throw explain(a, 'checking the code');
  }
  if (!proven) throw new CliError('The code was refused 5 times: this login is over', `run \`switchboard login --email ${email}\` for a new code`);
  const listed = await request(url, 'POST', '/lead/login', { body: { leadId } });
  if (listed.status !== 200) throw explain(listed, 'listing your workspaces');
  const items = listed.body.items as Array<{ workspace: { id: string; name: string }; workspaceUser: { id: string }; exchangeToken: string }>;
  if (items.length === 0) throw new CliError(`${email} has no active account on ${url}`, 'check the address, or ask an administrator for an account');
  let item = items[0]!;
  if (workspace) {
    const w = workspace.toLowerCase();
    const found = items.find((i) => i.workspace.id === workspace || i.workspace.name.toLowerCase() === w);
    if (!found) throw new CliError(`No workspace "${workspace}" for ${email}`, `pick one of: ${items.map((i) => `${i.workspace.name} (${i.workspace.id})`).join(', ')}`);
    item = found;
  } else if (items.length > 1) {
    items.forEach((i, n) => out(`  ${n + 1}. ${i.workspace.name} (${i.workspace.id})`));
    const pick = Number(await ask(`Workspace [1-${items.length}]: `));
    if (!Number.isInteger(pick) || pick < 1 || pick > items.length) throw new CliError('No such choice', 'run login again and pick a number from the list, or pass --workspace');
    item = items[pick - 1]!;
  }
  const t = await request(url, 'POST', `/workspaces/${item.workspace.id}/exchange`, { body: { exchangeToken: item.exchangeToken } });
  if (t.status !== 200) throw explain(t, 'getting developer tokens');
  return { token: t.body.token, refreshToken: t.body.refreshToken };
}

// ---- init ---------------------------------------------------------------------------------------------

/** This CLI's package and its sibling SDK's (packages/cli, packages/sdk) when it runs from a checkout. */
function checkoutPackages(): { cli: string; sdk: string } | undefined {
  const cli = resolve(dirname(fileURLToPath(import.meta.url)), '..'); // from packages/cli/src or packages/cli/dist
  const sdk = resolve(cli, '..', 'sdk');
  const nameOf = (dir: string) => {
    try {
      return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name;
    } catch {
      return undefined;
    }
  };
  return nameOf(cli) === '@switchboard/cli' && nameOf(sdk) === '@switchboard/sdk' ? { cli, sdk } : undefined;
}

const init: Command = {
  usage: 'switchboard init <dir> [--name NAME] [--display-name TEXT] [--sdk PATH] [--no-link]',
  summary: 'scaffold a /hello [name] app that runs as it is',
  help: `Writes package.json, manifest.json, index.js, .gitignore and README.md into <dir> (which must be
empty or new). The app depends on @switchboard/sdk and @switchboard/cli through file: paths to this
checkout's packages/sdk (or --sdk PATH) and packages/cli, linked into <dir>/node_modules as
\`npm install\` links them — with the \`switchboard\` command in node_modules/.bin — so \`npm run dev\`
and \`npm start\` work at once, wherever <dir> is (--no-link skips the links; then run npm install).
Next: cd <dir> && npm run dev (or switchboard dev).`,
  options: { name: { type: 'string' }, 'display-name': { type: 'string' }, sdk: { type: 'string' }, 'no-link': { type: 'boolean' } },
  async run(v, pos) {
    const target = pos[0];
    if (!target) throw new CliError('Where?', 'run `switchboard init my-app`');
    const dir = resolve(target);
    if (existsSync(dir) && readdirSync(dir).length > 0) throw new CliError(`${dir} is not empty`, 'pick a new directory name');
    const name = String(v.name ?? basename(dir)).toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '') || 'my-app';
    const displayName = String(v['display-name'] ?? name.replace(/[-_]+/g, ' ').replace(/\b\w/g, (c) => c.toUpperCase()));
    const checkout = checkoutPackages();
    const sdk = v.sdk ? resolve(String(v.sdk)) : checkout?.sdk;
    const cli = checkout?.cli;
    mkdirSync(dir, { recursive: true });
    const write = (file: string, content: string) => writeFileSync(join(dir, file), content);
    // Absolute file: paths, so that the app works wherever it is made, not only inside the checkout.
    write('package.json', JSON.stringify(packageTemplate(name, sdk ? `file:${sdk}` : '^0.1.0', cli ? `file:${cli}` : '^0.1.0'), null, 2) + '\n');
    write('manifest.json', JSON.stringify(manifestTemplate(name, displayName), null, 2) + '\n');
    write('index.js', indexTemplate);
    write('.gitignore', gitignoreTemplate);
    write('README.md', readmeTemplate(displayName));
    // What `npm install` does with these file: dependencies: symlinks, and the CLI's bin in
    // node_modules/.bin (which `npm run` puts on the PATH). Their own dependencies (the SDK's ws;
    // tsx, when the SDK or the CLI runs from its sources) resolve from the checkout's node_modules.
    const modules = join(dir, 'node_modules');
    const toInstall: string[] = [];
    if (sdk && !v['no-link']) {
      mkdirSync(join(modules, '@switchboard'), { recursive: true });
      symlinkSync(sdk, join(modules, '@switchboard', 'sdk'), 'junction');
    } else toInstall.push('@switchboard/sdk');
    if (cli && !v['no-link']) {
      for (const d of ['@switchboard', '.bin']) mkdirSync(join(modules, d), { recursive: true });
      symlinkSync(cli, join(modules, '@switchboard', 'cli'), 'junction');
      symlinkSync(join('..', '@switchboard', 'cli', 'bin', 'switchboard.js'), join(modules, '.bin', 'switchboard'), 'file');
    } else toInstall.push('@switchboard/cli');
    const rel = relative(process.cwd(), dir) || '.';
    out(`Created ${displayName} in ${rel}: package.json, manifest.json, index.js.`);
    if (toInstall.length) out(`Run \`npm install\` in ${rel} to fetch ${toInstall.join(' and ')}.`);
    out(`Next: cd ${rel} && npm run dev — then type /hello in Switchboard.`);
    return 0;
  },
};

// ---- dev ----------------------------------------------------------------------------------------------

const devCmd: Command = {
  usage: 'switchboard dev [--dir DIR] [--entry FILE] [--no-watch] [--no-deliveries]',
  summary: 'register the app, install it, run it in socket mode, restart on changes',
  help: `Creates the app from manifest.json (or updates it), with socket mode on — no public URL, no
tunnel; installs it into your workspace and stores its tokens in .switchboard/; runs the entry file
(package.json "main", else index.js) with SWITCHBOARD_URL, SWITCHBOARD_APP_ID, SWITCHBOARD_APP_KEY
and the other secrets in its environment; restarts it when a file changes (re-registering a changed
manifest.json); and prints the app's delivery log as it grows. Ctrl-C stops.`,
  options: { dir: { type: 'string' }, entry: { type: 'string' }, 'no-watch': { type: 'boolean' }, 'no-deliveries': { type: 'boolean' } },
  async run(v) {
    const api = new DevApi(session());
    await dev(api, { dir: String(v.dir ?? '.'), ...(v.entry && { entry: String(v.entry) }), watch: !v['no-watch'], deliveries: !v['no-deliveries'], out });
    return 0;
  },
};

// ---- start --------------------------------------------------------------------------------------------

const start: Command = {
  usage: 'switchboard start [--dir DIR] [--entry FILE]',
  summary: 'run the app as in production (what the scaffold\'s `npm start` runs)',
  help: `Runs the entry file (package.json "main", else index.js) with NODE_ENV=production (unless NODE_ENV
is set): the SDK then takes events over HTTP on PORT (default 3001), not in socket mode
(SWITCHBOARD_SOCKET_MODE=1 keeps socket mode). Nothing is registered, installed or restarted: the
app reads SWITCHBOARD_URL, SWITCHBOARD_APP_ID, SWITCHBOARD_APP_KEY, SWITCHBOARD_CLIENT_SECRET and
SWITCHBOARD_SIGNING_SECRET from the environment (packages/sdk/README.md). Where @switchboard/sdk is
a Switchboard checkout's packages/sdk without a build, the SDK runs from its sources, as under
\`switchboard dev\`: no build step. Signals are passed on to the app; this ends as the app does.`,
  options: { dir: { type: 'string' }, entry: { type: 'string' } },
  async run(v) {
    const dir = resolve(String(v.dir ?? '.'));
    const entry = resolve(dir, v.entry ? String(v.entry) : entryOf(dir));
    if (!existsSync(entry)) throw new CliError(`No ${relative(process.cwd(), entry) || entry} to run`, 'point to your entry file with --entry (or package.json "main")');
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: process.env.NODE_ENV || 'production' };
    // As under `dev`: the app never sees the developer's own token.
    delete env.SWITCHBOARD_TOKEN;
    const child = spawn(process.execPath, nodeArgs(dir, entry), { cwd: dir, env, stdio: 'inherit' });
    // `kill <pid>` (a process manager, npm passing on a signal) reaches only this process.
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => child.kill(signal));
    return new Promise<number>((res, rej) => {
      child.once('error', rej);
      child.once('exit', (code, signal) => res(code ?? 128 + (signal ? constants.signals[signal] : 0)));
    });
  },
};

// ---- apps ---------------------------------------------------------------------------------------------

function readManifestFile(path: string | undefined): unknown {
  if (!path) throw new CliError('Which manifest?', 'pass --manifest manifest.json');
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new CliError(`Cannot read ${path}: ${(err as Error).message}`, 'check the path and that it is JSON');
  }
}

const secretsOf = (a: any) => ({ id: a.id, name: a.name, appKey: a.appKey, clientSecret: a.clientSecret, signingSecret: a.signingSecret });

const apps: Command = {
  usage: 'switchboard apps <list|create|update|delete|rotate-secrets> [app-id] [--manifest FILE] [--json] [--yes] [--dir DIR]',
  summary: 'manage your apps',
  help: `  list                         your apps (never their secrets)
  create --manifest FILE       register an app; prints its id and secrets
  update [id] --manifest FILE  replace an app's manifest (secrets unchanged)
  delete [id] --yes            delete an app: uninstalled everywhere, its tokens end
  rotate-secrets [id]          new app key, client secret and signing secret; the old ones stop
The app id defaults to this directory's app (.switchboard/app.json, written by \`switchboard dev\`),
or DIR's with --dir DIR.`,
  options: { manifest: { type: 'string' }, json: { type: 'boolean' }, yes: { type: 'boolean' }, dir: { type: 'string' } },
  async run(v, pos) {
    const [sub, idArg] = pos;
    const dir = String(v.dir ?? '.');
    if (!['list', 'create', 'update', 'delete', 'rotate-secrets'].includes(sub ?? '')) {
      throw new CliError(sub ? `Unknown apps command "${sub}"` : 'Which apps command?', 'run `switchboard apps --help`');
    }
    const api = new DevApi(session());
    switch (sub) {
      case 'list': {
        const list = await api.ok<any[]>('GET', '/apps/mine', undefined, 'listing apps');
        if (v.json) out(JSON.stringify(list, null, 2));
        else if (list.length === 0) out('No apps yet. Create one: `switchboard init my-app && cd my-app && switchboard dev`.');
        else for (const a of list) out(`${a.id}  ${a.name}  "${a.displayName}"${a.socketMode ? '  socket mode' : ''}  ${(a.slashCommands ?? []).map((c: any) => c.command).join(' ')}`);
        return 0;
      }
      case 'create': {
        const a = await api.ok('POST', '/apps', readManifestFile(v.manifest), 'creating the app');
        out(v.json ? JSON.stringify(a, null, 2) : `Created ${a.name} (${a.id}).\n${JSON.stringify(secretsOf(a), null, 2)}\nKeep these secret.`);
        return 0;
      }
      case 'update': {
        const id = appIdFrom(idArg, dir);
        const a = await api.ok('PUT', `/apps/${id}`, readManifestFile(v.manifest), 'updating the app');
        out(v.json ? JSON.stringify(a, null, 2) : `Updated ${a.name} (${a.id}).`);
        return 0;
      }
      case 'delete': {
        const id = appIdFrom(idArg, dir);
        if (!v.yes) throw new CliError(`This deletes app ${id} for good (uninstalled everywhere, its tokens end)`, `run \`switchboard apps delete ${id} --yes\``);
        const a = await api.call('DELETE', `/apps/${id}`);
        if (a.status !== 204 && a.status !== 200) throw explain(a, 'deleting the app');
        out(`Deleted ${id}.`);
        return 0;
      }
      case 'rotate-secrets': {
        const id = appIdFrom(idArg, dir);
        const a = await api.ok('PUT', `/apps/${id}/secrets/rotate`, undefined, 'rotating the secrets');
        const state = readAppState(dir);
        if (state && state.id === id) {
          writeAppState(dir, { ...state, appKey: a.appKey, clientSecret: a.clientSecret, signingSecret: a.signingSecret });
          out('Updated .switchboard/app.json; restart `switchboard dev` (or save a file) to use them.');
        }
        out(v.json ? JSON.stringify(a, null, 2) : `New secrets for ${id}:\n${JSON.stringify(a, null, 2)}\nThe old app key and client secret stopped working now.`);
        return 0;
      }
      default:
        throw new CliError(sub ? `Unknown apps command "${sub}"` : 'Which apps command?', 'run `switchboard apps --help`');
    }
  },
};

// ---- deliveries ---------------------------------------------------------------------------------------

const deliveries: Command = {
  usage: 'switchboard deliveries <tail|replay> [--app ID] [delivery-id] [--once] [--limit N] [--dir DIR]',
  summary: "read an app's delivery log; replay a delivery",
  help: `  tail [--app ID] [--once] [--limit N]   print the app's latest deliveries, then follow new ones
                                          (--once: print and exit)
  replay <delivery-id> [--app ID]         send a delivery again, same id (webhook-id)
--limit: 1–200, default 20. The app defaults to this directory's app (.switchboard/app.json), or
DIR's with --dir DIR.`,
  options: { app: { type: 'string' }, once: { type: 'boolean' }, limit: { type: 'string' }, dir: { type: 'string' } },
  async run(v, pos) {
    const [sub, arg] = pos;
    if (sub !== 'tail' && sub !== 'replay') {
      throw new CliError(sub ? `Unknown deliveries command "${sub}"` : 'Which deliveries command?', 'run `switchboard deliveries --help`');
    }
    const api = new DevApi(session());
    const appId = appIdFrom(v.app, String(v.dir ?? '.'));
    if (sub === 'tail') {
      const limit = Math.max(1, Math.min(200, Number(v.limit ?? 20)));
      const list = await api.ok<any[]>('GET', `/apps/${appId}/deliveries?limit=${limit}`, undefined, 'reading the delivery log');
      for (const d of [...list].reverse()) out(formatDelivery(d));
      if (v.once) return 0;
      const tail = deliveryTail(api, () => appId, out);
      await tail.prime();
      setInterval(() => void tail.step().catch(() => {}), 1000);
      await new Promise(() => {});
    }
    if (sub === 'replay') {
      if (!arg) throw new CliError('Which delivery?', 'run `switchboard deliveries tail --once` and pass its msg_… id');
      await api.ok('POST', `/apps/${appId}/deliveries/${encodeURIComponent(arg)}/replay`, undefined, 'replaying the delivery');
      out(`Queued ${arg} again.`);
      return 0;
    }
    throw new CliError(sub ? `Unknown deliveries command "${sub}"` : 'Which deliveries command?', 'run `switchboard deliveries --help`');
  },
};

// ---- dispatch -----------------------------------------------------------------------------------------

const COMMANDS: Record<string, Command> = { login, init, dev: devCmd, start, apps, deliveries, integrations, 'api-keys': apiKeys };

function mainHelp(): string {
  const lines = ['Usage: switchboard <command> [options]', '', 'Commands:'];
  for (const [name, c] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(14)}${c.summary}`);
  lines.push(
    '',
    'Run `switchboard <command> --help` for its options.',
    '',
    'Configuration: ~/.switchboardrc (SWITCHBOARD_CONFIG overrides the path); SWITCHBOARD_URL and',
    'SWITCHBOARD_TOKEN override what it holds.',
    '',
    'Five minutes to a working app:',
    '  switchboard login --url http://localhost:3000 --email you@example.com --ask-password',
    '  switchboard init my-app && cd my-app',
    '  switchboard dev            # then type /hello in Switchboard',
  );
  return lines.join('\n');
}

export async function run(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    out(mainHelp());
    return 0;
  }
  if (name === '--version' || name === '-v') {
    out('0.1.0');
    return 0;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    process.stderr.write(`error: unknown command "${name}"\n  → run \`switchboard --help\` for the list\n`);
    return 2;
  }
  try {
    const { values, positionals } = parseArgs({ args: rest, options: { ...cmd.options, ...HELP }, allowPositionals: true, strict: true });
    if (values.help) {
      out(`Usage: ${cmd.usage}\n\n${cmd.summary}\n\n${cmd.help}`);
      return 0;
    }
    return await cmd.run(values as Record<string, any>, positionals);
  } catch (err) {
    if (err instanceof CliError) {
      process.stderr.write(`error: ${err.message}\n${err.hint ? `  → ${err.hint}\n` : ''}`);
      return 1;
    }
    if ((err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`error: ${(err as Error).message}\n  → run \`switchboard ${name} --help\`\n`);
      return 2;
    }
    process.stderr.write(`error: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}

// Run directly (node src/main.ts under tsx, or dist/main.js): the bin imports `run` instead.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await run(process.argv.slice(2));
}

export { readConfig };
