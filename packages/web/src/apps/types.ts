/** The app-platform shapes this client reads (docs/pumble-api.md §4.2, §5, §12.7). Blocks stay loose: they are rendered defensively. */

export interface PlainText {
  type: 'plain_text' | 'text';
  text: string;
  emoji?: boolean;
}

export type Json = Record<string, unknown>;

export interface Option {
  text: PlainText;
  value: string;
  description?: PlainText;
}
export interface OptionGroup {
  label: PlainText;
  options: Option[];
}

/** An element of a block (button, menu, input…): its fields vary per type. */
export interface Element extends Json {
  type: string;
  onAction?: string;
}

export interface Block extends Json {
  type: string;
  blockId?: string;
}

export type StateEntry = { type: string; value?: unknown; values?: string[] };
export interface ViewState {
  values: Record<string, Record<string, StateEntry>>;
}

export interface View {
  id: string;
  appId: string;
  type: 'MODAL' | 'HOME';
  title?: PlainText;
  blocks: Block[];
  state: ViewState;
  version: number;
  updatedAt: number;
  callbackId?: string;
  notifyOnClose?: boolean;
  depth?: number;
  submit?: PlainText;
  close?: PlainText;
  showIcon?: boolean;
  parentViewId?: string;
  channelId?: string;
}

export interface Load {
  triggerId: string;
  appId: string;
  sourceType: string;
  sourceId: string;
  channelId?: string;
  blockId?: string;
  onAction: string;
  endsAt: number;
}

export type SourceType = 'MESSAGE' | 'EPHEMERAL_MESSAGE' | 'VIEW';

/** Where an element lives: what a block interaction names. */
export interface Source {
  sourceType: SourceType;
  sourceId: string;
  channelId?: string;
}

export interface SlashCommand {
  appId: string;
  appName: string;
  command: string;
  description: string | null;
  usageHint: string | null;
}
export interface Shortcut {
  appId: string;
  appName: string;
  shortcutType: 'GLOBAL' | 'ON_MESSAGE';
  name: string;
  displayName: string;
  description: string | null;
}
export interface AppActions {
  slashCommands: SlashCommand[];
  shortcuts: Shortcut[];
}

export interface DirectoryEntry {
  id: string;
  name: string;
  displayName: string;
  description: string | null;
  avatarUrl: string | null;
  builtin: boolean;
  installed: boolean;
  authorized: boolean;
  botUserId: string | null;
  userScopes: string[];
  botScopes: string[];
  slashCommands: { command: string; description: string | null; usageHint: string | null }[];
}

/** Slack-style attachment (pumble-api.md §12.2). */
export interface Attachment {
  color?: string;
  pretext?: string;
  author_name?: string;
  author_link?: string;
  author_icon?: string;
  title?: string;
  title_link?: string;
  text?: string;
  fields?: { title?: string; value?: string; short?: boolean }[];
  image_url?: string;
  thumb_url?: string;
  footer?: string;
  footer_icon?: string;
  ts?: number | string;
  blocks?: Block[];
}

export const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
export const textOf = (t: unknown): string => (isRecord(t) && typeof t.text === 'string' ? t.text : typeof t === 'string' ? t : '');
