/**
 * Commands that act as the person (their session, not the developer token): `integrations`
 * (Rocket.Chat-style incoming and outgoing webhooks through `/api/v1/integrations.*`,
 * docs/integrations.md) and `api-keys` (the API addon's `/v1/apiKeys`, docs/api-keys.md §2).
 */
import { readFileSync } from 'node:fs';
import type { ParseArgsConfig } from 'node:util';
import { CliError, type Answer } from './config.js';
import { PersonApi } from './person.js';

type Options = NonNullable<ParseArgsConfig['options']>;
export interface Command {
  usage: string;
  summary: string;
  help: string;
  options: Options;
  run(values: Record<string, any>, positionals: string[]): Promise<number>;
}

const out = (line: string) => process.stdout.write(line + '\n');

const when = (t: unknown) => (typeof t === 'number' ? new Date(t) : new Date(String(t))).toISOString().replace('T', ' ').slice(0, 19);

// ---- integrations ------------------------------------------------------------------------------------

/** A Rocket.Chat answer that must be a success: else its error, with what to do. */
function rcOk(a: Answer, what: string): any {
  if (a.status === 200 && a.body?.success) return a.body;
  const err = String(a.body?.error ?? a.body?.message ?? a.text.slice(0, 200));
  const hint =
    a.status === 403 || /not_authorized|not-authorized|permission/i.test(err)
      ? 'managing integrations takes the manage-(own-)incoming/outgoing-integrations permission (admins by default): ask an administrator'
      : /invalid-channel|invalid-room/.test(err)
        ? 'name channels as #name (or #GENERAL) and people as @username, comma-separated, channels you are a member of'
        : /invalid-user|invalid-username/.test(err)
          ? 'give --post-as the username of an active user'
          : a.status === 400
            ? 'check the options (`switchboard integrations --help`)'
            : undefined;
  throw new CliError(`${what} failed: ${a.status} ${err}`, hint);
}

function readScript(path: string | undefined): string | undefined {
  if (!path) return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new CliError(`Cannot read the script ${path}: ${(err as Error).message}`, 'check the path');
  }
}

const hookUrl = (base: string, i: any) => `${base}/hooks/${i._id}/${i.token}`;

export const integrations: Command = {
  usage: 'switchboard integrations <list|create|history|remove> …',
  summary: 'Rocket.Chat-style incoming and outgoing webhooks (acts as you)',
  help: `  list [--type incoming|outgoing] [--name TEXT] [--json]
  create incoming --name NAME --channel '#general' [--script FILE] [--post-as USERNAME]
                  [--alias TEXT] [--emoji :x:] [--avatar URL] [--override-channel] [--disabled]
      prints the webhook URL (/hooks/{id}/{token}): whoever holds it posts as the post-as user.
      --script: an incoming script (class Script { process_incoming_request({request}) … })
      that turns the sender's JSON into a message — see examples/alerts-webhook
  create outgoing --name NAME --url URL [--event sendMessage] [--channel '#general']
                  [--trigger-words a,b] [--script FILE] [--post-as USERNAME] [--token T]
  history <integration-id> [--limit N] [--json]   its latest calls (incoming requests or
                                                    outgoing attempts), newest first
  remove <integration-id> --yes                    delete it and its history
--post-as defaults to you. Channels: #name or #GENERAL, people: @username, comma-separated.

These go through Switchboard's Rocket.Chat API (/api/v1/integrations.*) with your session (X-Auth-Token,
X-User-Id): \`login\` with a password keeps one; otherwise the password is asked for once (or read
from SWITCHBOARD_PASSWORD). Managing integrations takes the integration permissions (admins by default).`,
  options: {
    type: { type: 'string' },
    name: { type: 'string' },
    channel: { type: 'string' },
    script: { type: 'string' },
    'post-as': { type: 'string' },
    alias: { type: 'string' },
    emoji: { type: 'string' },
    avatar: { type: 'string' },
    'override-channel': { type: 'boolean' },
    disabled: { type: 'boolean' },
    url: { type: 'string', multiple: true },
    event: { type: 'string' },
    'trigger-words': { type: 'string' },
    token: { type: 'string' },
    limit: { type: 'string' },
    json: { type: 'boolean' },
    yes: { type: 'boolean' },
  },
  async run(v, pos) {
    const [sub, arg] = pos;
    if (!['list', 'create', 'history', 'remove'].includes(sub ?? '')) {
      throw new CliError(sub ? `Unknown integrations command "${sub}"` : 'Which integrations command?', 'run `switchboard integrations --help`');
    }
    const api = await PersonApi.open('`switchboard integrations`');
    switch (sub) {
      case 'list': {
        const type = v.type === undefined ? undefined : v.type === 'incoming' || v.type === 'webhook-incoming' ? 'webhook-incoming' : v.type === 'outgoing' || v.type === 'webhook-outgoing' ? 'webhook-outgoing' : '?';
        if (type === '?') throw new CliError(`Unknown type "${v.type}"`, 'pass --type incoming or --type outgoing');
        const q = new URLSearchParams({ count: '100', ...(type && { type }), ...(v.name && { name: String(v.name) }) });
        const body = await rcOk(await api.rc('GET', `integrations.list?${q}`), 'listing integrations');
        const list = body.integrations as any[];
        if (v.json) out(JSON.stringify(list, null, 2));
        else if (list.length === 0) out("No integrations yet. Create one: `switchboard integrations create incoming --name alerts --channel '#general'`.");
        else {
          for (const i of list) {
            const kind = i.type === 'webhook-incoming' ? 'incoming' : 'outgoing';
            const where = (i.channel ?? []).join(',') || '-';
            const extra = i.type === 'webhook-incoming' ? hookUrl(api.p.url, i) : `${i.event} → ${(i.urls ?? []).join(' ')}`;
            out(`${i._id}  ${kind.padEnd(8)}  ${i.name}  ${where}  @${i.username}${i.enabled ? '' : `  DISABLED${i.disabledReason ? ` (${i.disabledReason})` : ''}`}${i.scriptEnabled ? '  script' : ''}${i.scriptError ? '  SCRIPT ERROR' : ''}\n    ${extra}`);
          }
          if (body.total > list.length) out(`(${list.length} of ${body.total}; narrow with --name or --type)`);
        }
        return 0;
      }
      case 'create': {
        const kind = arg;
        if (kind !== 'incoming' && kind !== 'outgoing') throw new CliError('Incoming or outgoing?', "run `switchboard integrations create incoming --name NAME --channel '#general'`");
        if (!v.name) throw new CliError('The integration needs a name', 'pass --name');
        const me = (await rcOk(await api.rc('GET', 'me'), 'reading your user')) as { username: string };
        const script = readScript(v.script);
        const common = {
          name: String(v.name),
          enabled: !v.disabled,
          username: String(v['post-as'] ?? me.username),
          scriptEnabled: script !== undefined,
          ...(script !== undefined && { script }),
          ...(v.alias && { alias: String(v.alias) }),
          ...(v.emoji && { emoji: String(v.emoji) }),
          ...(v.avatar && { avatar: String(v.avatar) }),
        };
        let body: Record<string, unknown>;
        if (kind === 'incoming') {
          if (!v.channel) throw new CliError('Where do its messages go?', "pass --channel '#general' (or #name, @username; comma-separated)");
          body = { type: 'webhook-incoming', channel: String(v.channel), ...common, ...(v['override-channel'] && { overrideDestinationChannelEnabled: true }) };
        } else {
          const urls = (v.url as string[] | undefined) ?? [];
          if (urls.length === 0) throw new CliError('Where should the calls go?', 'pass --url https://your-receiver/path (repeatable)');
          body = {
            type: 'webhook-outgoing',
            event: String(v.event ?? 'sendMessage'),
            channel: String(v.channel ?? ''),
            urls,
            ...common,
            ...(v['trigger-words'] && { triggerWords: String(v['trigger-words']).split(',').map((w) => w.trim()).filter(Boolean) }),
            ...(v.token && { token: String(v.token) }),
          };
        }
        const created = await rcOk(await api.rc('POST', 'integrations.create', body), 'creating the integration');
        const i = created.integration;
        if (v.json) {
          out(JSON.stringify({ ...created, ...(kind === 'incoming' && { url: hookUrl(api.p.url, i) }) }, null, 2));
          return 0;
        }
        out(`Created ${kind} integration "${i.name}" (${i._id}), posting as @${i.username}${i.channel?.length ? ` to ${i.channel.join(', ')}` : ''}.`);
        if (kind === 'incoming') {
          out(`URL: ${hookUrl(api.p.url, i)}`);
          out(`Anyone who has this URL can post as @${i.username}: keep it secret. Try it:`);
          out(`  curl -X POST -H 'content-type: application/json' -d '{"text":"Hello from a webhook"}' ${hookUrl(api.p.url, i)}`);
        } else {
          out(`Signing secret (Standard Webhooks, webhook-signature): ${i.webhookSecret ?? '(none)'}; token: ${i.token}`);
        }
        for (const w of created.warnings ?? []) out(`! ${typeof w === 'string' ? w : (w.message ?? JSON.stringify(w))}`);
        if (i.scriptError) out(`! the script did not compile: ${i.scriptError.message} — calls fail until you fix it (integrations.update, or remove and create again)`);
        return 0;
      }
      case 'history': {
        if (!arg) throw new CliError('Which integration?', 'pass its id (`switchboard integrations list` shows them)');
        const got = await api.rc('GET', `integrations.get?${new URLSearchParams({ integrationId: arg })}`);
        const i = (await rcOk(got, 'reading the integration')).integration;
        const route = i.type === 'webhook-incoming' ? 'integrations.incomingHistory' : 'integrations.history';
        const limit = Math.max(1, Math.min(100, Number(v.limit ?? 20) || 20));
        const body = await rcOk(await api.rc('GET', `${route}?${new URLSearchParams({ id: arg, count: String(limit) })}`), 'reading the history');
        const list = body.history as any[];
        if (v.json) out(JSON.stringify(list, null, 2));
        else if (list.length === 0) out(`No calls of "${i.name}" yet.`);
        else {
          for (const h of list) {
            const parts = [when(h._createdAt), h.step];
            if (h.httpStatus !== undefined) parts.push(`HTTP ${h.httpStatus}`);
            if (h.event) parts.push(h.event);
            if (h.url) parts.push(h.url);
            if (h.error) parts.push(`— ${typeof h.error === 'string' ? h.error : JSON.stringify(h.error)}`);
            if (h.httpError) parts.push(`— ${typeof h.httpError === 'string' ? h.httpError : JSON.stringify(h.httpError)}`);
            out(parts.join('  '));
          }
        }
        return 0;
      }
      case 'remove': {
        if (!arg) throw new CliError('Which integration?', 'pass its id (`switchboard integrations list` shows them)');
        const i = (await rcOk(await api.rc('GET', `integrations.get?${new URLSearchParams({ integrationId: arg })}`), 'reading the integration')).integration;
        if (!v.yes) throw new CliError(`This deletes "${i.name}" and its history for good`, `run \`switchboard integrations remove ${arg} --yes\``);
        await rcOk(await api.rc('POST', 'integrations.remove', { type: i.type, integrationId: arg }), 'removing the integration');
        out(`Removed "${i.name}" (${arg}).`);
        return 0;
      }
    }
    return 1;
  },
};

// ---- api-keys ----------------------------------------------------------------------------------------

function keysOk(a: Answer, what: string): any {
  if (a.status >= 200 && a.status < 300) return a.body;
  const msg = String(a.body?.message ?? a.text.slice(0, 200));
  const hint = /installed first/.test(msg)
    ? 'an owner or admin installs the API addon: `switchboard api-keys create NAME --allow` as one of them (or + Add apps → API in the web client)'
    : /Allow the API app/.test(msg)
      ? 'allow the API app for yourself: add --allow (`switchboard api-keys create NAME --allow`)'
      : a.status === 404
        ? 'check the id (`switchboard api-keys list`)'
        : undefined;
  throw new CliError(`${what} failed: ${a.status} ${msg}`, hint);
}

export const apiKeys: Command = {
  usage: 'switchboard api-keys <create|list|delete> …',
  summary: 'your personal API keys for the API addon (acts as you)',
  help: `  create <name> [--allow] [--json]   a new key, shown once: it acts as you through the API addon
                                       (--allow first allows the API app for you, installing it when
                                       you are an admin and it is not installed yet)
  list [--json]                        your keys: name, hint, created, last used — never the keys
  delete <id|name|hint> --yes          the next request with it fails

These are /v1/apiKeys (docs/api-keys.md §2) with your session: \`login\` with a password keeps one;
otherwise the password is asked for once (or read from SWITCHBOARD_PASSWORD).`,
  options: { allow: { type: 'boolean' }, json: { type: 'boolean' }, yes: { type: 'boolean' } },
  async run(v, pos) {
    const [sub, arg] = pos;
    if (!['create', 'list', 'delete'].includes(sub ?? '')) {
      throw new CliError(sub ? `Unknown api-keys command "${sub}"` : 'Which api-keys command?', 'run `switchboard api-keys --help`');
    }
    const api = await PersonApi.open('`switchboard api-keys`');
    const list = async () => keysOk(await api.v1('GET', '/v1/apiKeys'), 'listing your API keys') as Array<{ id: string; name: string; hint: string; createdAt: number; lastUsedAt: number | null }>;
    switch (sub) {
      case 'create': {
        if (!arg) throw new CliError('Name the key', 'run `switchboard api-keys create "CI deploys"` (1–64 characters)');
        if (v.allow) {
          const dir = keysOk(await api.v1('GET', '/v1/appDirectory'), 'reading the app directory') as Array<{ id: string; builtin: boolean; authorized: boolean; installed: boolean }>;
          const addon = dir.find((a) => a.builtin);
          if (!addon) throw new CliError('This server has no API addon', 'ask an administrator');
          if (!addon.authorized) {
            keysOk(await api.v1('POST', `/v1/appDirectory/${addon.id}/install`), addon.installed ? 'allowing the API app' : 'installing the API addon');
            out(`${addon.installed ? 'Allowed' : 'Installed and allowed'} the API app.`);
          }
        }
        const k = keysOk(await api.v1('POST', '/v1/apiKeys', { name: arg }), 'creating the API key');
        if (v.json) out(JSON.stringify(k, null, 2));
        else {
          out(`Created API key "${k.name}" (${k.id}):`);
          out(`  ${k.key}`);
          out('It is shown this once: keep it like a password. Send it as the api-key header (docs/api-keys.md).');
        }
        return 0;
      }
      case 'list': {
        const keys = await list();
        if (v.json) out(JSON.stringify(keys, null, 2));
        else if (keys.length === 0) out('You have no API keys yet. Create one: `switchboard api-keys create NAME`.');
        else for (const k of keys) out(`${k.id}  ${k.hint}  ${k.name}  created ${when(k.createdAt)}  last used ${k.lastUsedAt ? when(k.lastUsedAt) : 'never'}`);
        return 0;
      }
      case 'delete': {
        if (!arg) throw new CliError('Which key?', 'pass its id, name or hint (`switchboard api-keys list`)');
        const keys = await list();
        const hint = arg.replace(/\.\.\./g, '…');
        const found = keys.filter((k) => k.id === arg || k.name === arg || k.hint === hint);
        if (found.length === 0) throw new CliError(`No key "${arg}"`, 'pass an id, name or hint from `switchboard api-keys list`');
        if (found.length > 1) throw new CliError(`${found.length} keys match "${arg}"`, `pass the id: ${found.map((k) => k.id).join(', ')}`);
        const k = found[0]!;
        if (!v.yes) throw new CliError(`This deletes the key "${k.name}" (${k.hint}): requests using it stop working`, `run \`switchboard api-keys delete ${k.id} --yes\``);
        keysOk(await api.v1('DELETE', `/v1/apiKeys/${k.id}`), 'deleting the API key');
        out(`Deleted API key "${k.name}" (${k.hint}).`);
        return 0;
      }
    }
    return 1;
  },
};
