/**
 * An app project on disk: `manifest.json`, the entry file, and `.switchboard/` (the app's id and
 * secrets, `app.json`, and its tokens, `tokens.json` — both 0600, both git-ignored).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CliError, writeJsonPrivate, type DevApi } from './config.js';

export interface AppState {
  url: string;
  workspaceId: string;
  id: string;
  name: string;
  appKey: string;
  clientSecret: string;
  signingSecret: string;
}

export const stateDir = (dir: string) => join(dir, '.switchboard');
export const appStatePath = (dir: string) => join(stateDir(dir), 'app.json');
export const tokenPath = (dir: string) => join(stateDir(dir), 'tokens.json');

export function readAppState(dir: string): AppState | undefined {
  const p = appStatePath(dir);
  if (!existsSync(p)) return undefined;
  return JSON.parse(readFileSync(p, 'utf8')) as AppState;
}

export function writeAppState(dir: string, s: AppState): void {
  writeJsonPrivate(appStatePath(dir), s);
}

export function readManifest(dir: string): Record<string, any> {
  const p = join(dir, 'manifest.json');
  if (!existsSync(p)) throw new CliError(`No manifest.json in ${resolve(dir)}`, 'run `switchboard init <dir>` to scaffold an app, or cd into your app');
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as Record<string, any>;
  } catch (err) {
    throw new CliError(`manifest.json is not valid JSON: ${(err as Error).message}`, 'fix manifest.json and save it again');
  }
}

/** The entry file: package.json's `main`, else index.js. */
export function entryOf(dir: string): string {
  const pkgPath = join(dir, 'package.json');
  let main = 'index.js';
  if (existsSync(pkgPath)) {
    try {
      main = (JSON.parse(readFileSync(pkgPath, 'utf8')) as { main?: string }).main ?? main;
    } catch {
      /* keep index.js */
    }
  }
  return join(dir, main);
}

/** The app id a command acts on: the argument, else the project's `.switchboard/app.json`. */
export function appIdFrom(arg: string | undefined, dir: string): string {
  if (arg) return arg;
  const s = readAppState(dir);
  if (s) return s.id;
  throw new CliError('Which app?', 'give the app id (`switchboard apps list` shows them), or run this in an app directory that `switchboard dev` has run in');
}

/** The manifest as registered for `dev`: socket mode on, the URL fields it needs present. */
export function devManifest(m: Record<string, any>): Record<string, any> {
  return {
    shortcuts: [],
    slashCommands: [],
    eventSubscriptions: { events: [] },
    redirectUrls: ['http://localhost:3001/redirect'],
    scopes: { botScopes: [], userScopes: [] },
    ...m,
    socketMode: true,
  };
}

/** Creates the app, or updates the one this project already has (or one of the same name). */
export async function syncApp(api: DevApi, dir: string, manifest: Record<string, any>): Promise<{ state: AppState; created: boolean; warnings: any[] }> {
  const body = devManifest(manifest);
  const known = readAppState(dir);
  let id = known && known.url === api.s.url && known.workspaceId === api.s.workspaceId ? known.id : undefined;
  if (!id) {
    // Lost .switchboard/? An app of this name may exist already: take it over rather than fail.
    const mine = await api.ok<Array<{ id: string; name: string }>>('GET', '/apps/mine', undefined, 'listing your apps');
    id = mine.find((a) => a.name.toLowerCase() === String(body.name ?? '').toLowerCase())?.id;
  }
  let answer: any;
  let created = false;
  if (id) {
    const a = await api.call('PUT', `/apps/${id}`, body);
    if (a.status === 404) id = undefined;
    else if (a.status !== 200) throw new CliError(...errorOf(a, 'updating the app'));
    else answer = a.body;
  }
  if (!id) {
    answer = await api.ok('POST', '/apps', body, 'creating the app');
    created = true;
  }
  const state: AppState = {
    url: api.s.url,
    workspaceId: api.s.workspaceId,
    id: answer.id,
    name: answer.name,
    appKey: answer.appKey,
    clientSecret: answer.clientSecret,
    signingSecret: answer.signingSecret,
  };
  writeAppState(dir, state);
  return { state, created, warnings: answer.warnings ?? [] };
}

function errorOf(a: { status: number; body: any; text: string }, what: string): [string, string | undefined] {
  const lines = [`${what} failed: ${a.status} ${a.body?.message ?? a.text.slice(0, 200)}`];
  for (const e of a.body?.errors ?? []) lines.push(`  - ${e.field}: ${e.message}`);
  return [lines.join('\n'), a.status === 400 ? 'fix manifest.json; `switchboard dev` picks the change up' : undefined];
}
