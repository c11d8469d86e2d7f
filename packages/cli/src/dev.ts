/**
 * `switchboard dev`: the app's manifest registered (created or updated, socket mode on), the app
 * installed into the developer's workspace, run as a child process in socket mode, restarted when a
 * file changes, and its delivery log streamed alongside.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, watch, type FSWatcher } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { CliError, readConfig, request, type DevApi } from './config.js';
import { entryOf, readManifest, syncApp, tokenPath, type AppState } from './project.js';
import { writeJsonPrivate } from './config.js';
import { storedPersonSession } from './person.js';
import { nodeArgs } from './run-app.js';

export interface DevOptions {
  dir: string;
  entry?: string;
  watch: boolean;
  deliveries: boolean;
  out: (line: string) => void;
}

/** Grants the app in the developer's workspace (oauth2/grant) and stores its tokens for the app. */
export async function install(api: DevApi, dir: string, state: AppState, manifest: Record<string, any>): Promise<{ botId?: string }> {
  const botScopes: string[] = manifest.scopes?.botScopes ?? [];
  const userScopes: string[] = manifest.scopes?.userScopes ?? [];
  const scopes = [...userScopes, ...botScopes.map((s) => `bot:${s}`)].join(',');
  if (!scopes) throw new CliError('The manifest asks for no scopes', 'add scopes.botScopes (e.g. "messages:write") to manifest.json');
  const grantPath = (reinstall: boolean) => `/oauth2/grant?${new URLSearchParams({ clientId: state.id, scopes, ...(reinstall && { isReinstall: 'true' }) })}`;
  let grant = await api.call('GET', grantPath(false));
  // New bot scopes need a reinstall (app-platform.md §5.1).
  if (grant.status !== 200) grant = await api.call('GET', grantPath(true));
  if (grant.status !== 200) throw new CliError(`Installing the app failed: ${grant.status} ${grant.body?.message ?? grant.text}`, 'check the scopes in manifest.json');
  const form = new FormData();
  form.set('client-id', state.id);
  form.set('client-secret', state.clientSecret);
  form.set('code', grant.body.code);
  const tokens = await request(api.s.url, 'POST', '/oauth2/access', { form });
  if (tokens.status !== 200) throw new CliError(`Exchanging the install code failed: ${tokens.status} ${tokens.body?.message ?? tokens.text}`);
  const t = tokens.body as { accessToken: string; botToken?: string; userId: string; botId?: string; workspaceId: string };
  // The SDK's FileTokenStore format (packages/sdk/src/token-store.ts).
  const path = tokenPath(dir);
  let file: { version: 1; workspaces: Record<string, { botId?: string; botToken?: string; users: Record<string, string> }> } = { version: 1, workspaces: {} };
  if (existsSync(path)) {
    try {
      file = { version: 1, workspaces: JSON.parse(readFileSync(path, 'utf8')).workspaces ?? {} };
    } catch {
      /* start afresh */
    }
  }
  const ws = (file.workspaces[t.workspaceId] ??= { users: {} });
  if (t.botToken) ws.botToken = t.botToken;
  if (t.botId) ws.botId = t.botId;
  ws.users[t.userId] = t.accessToken;
  writeJsonPrivate(path, file);
  return { ...(t.botId && { botId: t.botId }) };
}

const INITIAL_RESTART_MS = Number(process.env.SWITCHBOARD_DEV_RESTART_MS) || 1000;
const MAX_RESTART_MS = 30_000;
const STABLE_RUN_MS = 10_000;
/**
 * Loaded into the app before its own code: when this process ends without stopping it (killed, or
 * its terminal gone), the app's stdin — a pipe only this process writes to — ends, and the app gets
 * the SIGTERM it would have got from a clean stop, instead of running on unwatched. Unreferenced, so
 * it never keeps an app alive that would otherwise exit.
 */
const EXIT_WITH_PARENT = `data:text/javascript,${encodeURIComponent(
  "process.stdin.on('end',()=>process.kill(process.pid,'SIGTERM')).on('error',()=>{});process.stdin.resume();process.stdin.unref();",
)}`;

/** A slash command of an installed app, as `GET /v1/appActions` lists them. */
interface InstalledCommand {
  appId: string;
  appName: string;
  command: string;
}

/**
 * The "silently shadowed" trap: when two installed apps have the same slash command, a typed
 * command goes to the app installed first (commands.ts `find`: installations by `createdAt`, then
 * id). So only the app installed later is warned — the one the command may never reach; the app
 * that answers it is not, whichever of the two runs `dev`.
 *
 * No answer of the API carries an installation's time; what shows the order:
 * - with a person's session, `GET /v1/appActions` lists every installed app's commands, app by app
 *   in installation order (the store reads a workspace's installations by id, and an installation's
 *   id is made from its `createdAt` — domain/ids.ts ids are time-ordered), so the first app listed
 *   with a command is the one that answers it;
 * - with the developer token alone, other people's apps are not visible at all: only the
 *   developer's own, in the order of `/apps/authorizations` — by the authorization's id, made when
 *   the developer first installed (or authorized) the app and kept across reinstalls — which is
 *   install order for the apps they installed themselves, as `dev` does. A line after the warnings
 *   says what was not checked.
 */
export async function shadowedCommands(api: DevApi, appId: string, manifest: Record<string, any>): Promise<string[]> {
  const ours: string[] = (manifest.slashCommands ?? []).map((c: { command: string }) => c.command);
  if (ours.length === 0) return [];
  let installed: InstalledCommand[] | undefined;
  const p = storedPersonSession();
  if (p && p.url === api.s.url) {
    const a = await request(p.url, 'GET', '/v1/appActions', { headers: { authorization: `Bearer ${p.token}` } });
    if (a.status === 200 && Array.isArray(a.body?.slashCommands)) installed = a.body.slashCommands as InstalledCommand[];
  }
  const everyApp = installed !== undefined;
  if (!installed) {
    const [mine, authorized] = await Promise.all([api.call<any[]>('GET', '/apps/mine'), api.call<Array<{ app: { id: string } }>>('GET', '/apps/authorizations')]);
    const byId = new Map((mine.status === 200 ? mine.body : []).map((a) => [a.id as string, a]));
    installed = [];
    for (const { app } of authorized.status === 200 ? authorized.body : []) {
      const a = byId.get(app.id);
      for (const c of a?.slashCommands ?? []) installed.push({ appId: a.id, appName: a.displayName ?? a.name, command: c.command });
    }
  }
  // The apps in the order they were installed; the ones before this app take its commands.
  const order = [...new Set(installed.map((c) => c.appId))];
  const place = order.indexOf(appId);
  // This app not listed (its install not visible yet): no order to judge by, so no warning.
  const before = new Set(place < 0 ? [] : order.slice(0, place));
  const lines: string[] = [];
  for (const cmd of ours) {
    const clash = installed.filter((o) => before.has(o.appId) && o.command.toLowerCase() === cmd.toLowerCase());
    const first = clash[0];
    if (!first) continue;
    const names = clash.map((o) => `"${o.appName}" (${o.appId})`).join(', ');
    lines.push(
      `! ${cmd} is also the command of ${names}, installed in this workspace before this app: the app installed first answers it, so typing ${cmd} reaches "${first.appName}", not this app (unless the person picks this app in the web client's / menu)\n  → rename the command in manifest.json, or uninstall the other app (\`switchboard apps delete ${first.appId} --yes\`${everyApp ? ' if it is yours' : ''})`,
    );
  }
  if (!everyApp) {
    lines.push(
      `· ${ours.join(', ')} checked only against your own installed apps: a developer token does not see other people's apps\n  → \`switchboard login --email ${readConfig().email ?? 'you@example.com'} --ask-password\` keeps a session that checks every app installed in the workspace`,
    );
  }
  return lines;
}

/**
 * Events that reach an app only from channels one of its users is a member of, with the scope
 * that gates them (docs/app-platform.md §8.1, §13.1): a bot sees a channel only once it is in it —
 * posting to a public channel does not make it a member — so an app whose bot alone holds the
 * scope hears nothing until someone adds the bot to a channel, with no error anywhere.
 */
const CHANNEL_EVENTS: Record<string, string> = {
  NEW_MESSAGE: 'messages:read',
  UPDATED_MESSAGE: 'messages:read',
  MESSAGE_DELETED: 'messages:read',
  REACTION_ADDED: 'reaction:read',
  REACTION_REMOVED: 'reaction:read',
  CHANNEL_ARCHIVED: 'channels:read',
  CHANNEL_DELETED: 'channels:read',
  CHANNEL_MEMBER_JOINED: 'channels:read',
  CHANNEL_MEMBER_LEFT: 'channels:read',
};

/**
 * The membership trap of CHANNEL_EVENTS, when the bot alone holds their scope. From the manifest
 * alone (listing the bot's channels would take `channels:list`, which such an app need not have),
 * so `dev` says it once a session: at the first sync whose manifest calls for it, not again when
 * a changed manifest is registered anew.
 */
export function channelEventsHint(manifest: Record<string, any>): string[] {
  const events: string[] = manifest.eventSubscriptions?.events ?? [];
  const bot: string[] = manifest.scopes?.botScopes ?? [];
  const user: string[] = manifest.scopes?.userScopes ?? [];
  const botOnly = events.filter((e) => {
    const scope = CHANNEL_EVENTS[e];
    return scope !== undefined && bot.includes(scope) && !user.includes(scope);
  });
  if (botOnly.length === 0 || manifest.bot === false) return [];
  return [
    `· ${botOnly.join(', ')} reach this app only from channels its bot is a member of (posting there does not make it one)\n  → add the bot to a channel: in the web client, the channel's menu → Add people → ${manifest.displayName ?? manifest.name ?? 'the app'}`,
  ];
}

export async function dev(api: DevApi, opts: DevOptions): Promise<never> {
  const dir = resolve(opts.dir);
  const out = opts.out;
  const entry = resolve(dir, opts.entry ?? entryOf(dir));
  if (!existsSync(entry)) throw new CliError(`No ${relative(process.cwd(), entry) || entry} to run`, 'create it, or point to your entry file with --entry (or package.json "main")');

  let manifest = readManifest(dir);
  const nodeArgv = nodeArgs(dir, entry);
  let state: AppState;
  let channelHintSaid = false;
  const sync = async () => {
    const r = await syncApp(api, dir, manifest);
    state = r.state;
    out(`✓ app ${r.state.name} ${r.created ? 'created' : 'updated'} (${r.state.id}), socket mode`);
    for (const w of r.warnings) out(`! ${w.field ?? ''}: ${w.message ?? JSON.stringify(w)}`);
    await install(api, dir, r.state, manifest);
    out(`✓ installed in workspace ${api.s.workspaceId}`);
    // Said once a session: a changed manifest syncs again, but the bot's channels did not change
    // with it, and the manifest alone cannot tell whether someone has added the bot to one since.
    if (!channelHintSaid) {
      const hint = channelEventsHint(manifest);
      for (const line of hint) out(line);
      channelHintSaid = hint.length > 0;
    }
    try {
      for (const line of await shadowedCommands(api, r.state.id, manifest)) out(line);
    } catch {
      /* a check, not a condition for running */
    }
  };
  await sync();

  let child: ChildProcess | undefined;
  let stopping = false;
  // After a crash the app is started again, 1 s later, then 2, 4 … up to 30 s while it keeps
  // crashing; a run of 10 s or more, or a saved file, starts the count again.
  let backoffMs = INITIAL_RESTART_MS;
  let crashRestart: NodeJS.Timeout | undefined;
  let startedAt = 0;
  const startChild = () => {
    // A restart that was under way when Ctrl-C came must not start an app nobody will stop.
    if (stopping) return;
    clearTimeout(crashRestart);
    crashRestart = undefined;
    startedAt = Date.now();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      SWITCHBOARD_URL: api.s.url,
      SWITCHBOARD_APP_ID: state.id,
      SWITCHBOARD_APP_KEY: state.appKey,
      SWITCHBOARD_CLIENT_SECRET: state.clientSecret,
      SWITCHBOARD_SIGNING_SECRET: state.signingSecret,
      SWITCHBOARD_TOKEN_FILE: tokenPath(dir),
      SWITCHBOARD_SOCKET_MODE: '1',
    };
    // The app never sees the developer's own token.
    delete env.SWITCHBOARD_TOKEN;
    // The app's stdin is a pipe only this process holds: see EXIT_WITH_PARENT.
    const c = spawn(process.execPath, [`--import=${EXIT_WITH_PARENT}`, ...nodeArgv], { cwd: dir, env, stdio: ['pipe', 'pipe', 'pipe'] });
    const pipe = (stream: NodeJS.ReadableStream) => {
      let buf = '';
      stream.on('data', (d: Buffer) => {
        buf += d.toString();
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          out(`[app] ${buf.slice(0, i)}`);
          buf = buf.slice(i + 1);
        }
      });
    };
    pipe(c.stdout!);
    pipe(c.stderr!);
    c.on('exit', (code, signal) => {
      if (child === c) child = undefined;
      if (!stopping && !(c as ChildProcess & { restarting?: boolean }).restarting) {
        const ran = Date.now() - startedAt;
        if (ran >= STABLE_RUN_MS) backoffMs = INITIAL_RESTART_MS;
        const wait = backoffMs;
        backoffMs = Math.min(MAX_RESTART_MS, backoffMs * 2);
        out(`✗ the app exited (${signal ?? `code ${code}`}) after ${(ran / 1000).toFixed(1)} s; restarting it in ${wait / 1000} s — save a file to restart now`);
        crashRestart = setTimeout(() => {
          crashRestart = undefined;
          if (!stopping && !child) startChild();
        }, wait);
      }
    });
    child = c;
    out(`▶ running ${relative(dir, entry)} (pid ${c.pid})`);
  };
  const stopChild = async () => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    (c as ChildProcess & { restarting?: boolean }).restarting = true;
    await new Promise<void>((res) => {
      const t = setTimeout(() => (c.kill('SIGKILL'), res()), 3000);
      c.once('exit', () => (clearTimeout(t), res()));
      c.kill('SIGTERM');
    });
  };
  startChild();

  // ---- restart on file changes ----
  let watcher: FSWatcher | undefined;
  if (opts.watch) {
    let timer: NodeJS.Timeout | undefined;
    const changed = new Set<string>();
    watcher = watch(dir, { recursive: true }, (_event, file) => {
      if (!file) return;
      const f = String(file);
      const top = f.split(sep)[0];
      if (top === 'node_modules' || top === '.switchboard' || top === '.git' || f.endsWith('~') || f.endsWith('.swp')) return;
      changed.add(f);
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const files = [...changed];
        changed.clear();
        out(`↻ ${files.join(', ')} changed: restarting`);
        clearTimeout(crashRestart);
        crashRestart = undefined;
        backoffMs = INITIAL_RESTART_MS;
        try {
          await stopChild();
          if (files.includes('manifest.json')) {
            manifest = readManifest(dir);
            await sync();
          }
          startChild();
        } catch (err) {
          out(`✗ ${(err as Error).message}${err instanceof CliError && err.hint ? `\n  → ${err.hint}` : ''}`);
        }
      }, 250);
    });
  }

  // ---- the delivery log, streamed ----
  let poll: NodeJS.Timeout | undefined;
  if (opts.deliveries) {
    const tail = deliveryTail(api, () => state.id, out);
    await tail.prime();
    poll = setInterval(() => void tail.step().catch(() => {}), 1000);
  }

  out('Ready. Type your command in Switchboard; edit a file to restart; Ctrl-C to stop.');
  return new Promise<never>(() => {
    const stop = async () => {
      stopping = true;
      clearTimeout(crashRestart);
      watcher?.close();
      clearInterval(poll);
      await stopChild();
      process.exit(0);
    };
    // Once: Ctrl-C may reach this process twice (from the terminal, and passed on by bin/switchboard.js).
    let stopped = false;
    const once = () => {
      if (stopped) return;
      stopped = true;
      void stop();
    };
    process.on('SIGINT', once);
    process.on('SIGTERM', once);
    // A closed terminal, or bin/switchboard.js passing one on: stop the app too, not only this process.
    process.on('SIGHUP', once);
  });
}

/** Prints deliveries as they appear or change status. */
export function deliveryTail(api: DevApi, appId: () => string, out: (line: string) => void) {
  const seen = new Map<string, string>();
  const fetchLog = async () => {
    const a = await api.call<any[]>('GET', `/apps/${appId()}/deliveries?limit=50`);
    return a.status === 200 && Array.isArray(a.body) ? a.body : [];
  };
  return {
    async prime() {
      for (const d of await fetchLog()) seen.set(d.id, d.status);
    },
    async step(printAll = false) {
      const list = (await fetchLog()).reverse();
      for (const d of list) {
        const before = seen.get(d.id);
        if (!printAll && before === d.status) continue;
        seen.set(d.id, d.status);
        out(formatDelivery(d));
      }
    },
  };
}

export function formatDelivery(d: any): string {
  const last = Array.isArray(d.attempts) && d.attempts.length ? d.attempts[d.attempts.length - 1] : undefined;
  const what = d.eventType ?? d.class;
  const time = typeof d.createdAt === 'number' ? new Date(d.createdAt).toISOString().slice(11, 19) : String(d.createdAt ?? '').slice(11, 19);
  const parts = [`[delivery] ${time} ${d.class} ${what} ${d.status}`];
  if (d.reason) parts.push(`(${d.reason})`);
  if (last?.durationMs !== undefined) parts.push(`${last.durationMs} ms`);
  if (last?.responseStatus) parts.push(`HTTP ${last.responseStatus}`);
  if (d.lastError || last?.error) parts.push(`— ${d.lastError ?? last.error}`);
  parts.push(d.id);
  return parts.join(' ');
}
