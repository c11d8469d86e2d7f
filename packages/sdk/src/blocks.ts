/**
 * Blocks and views (pumble-api.md §12.7) with builders for the common ones. Switchboard validates
 * every message, modal and home view against the same rules; these types follow them.
 *
 * Where blocks may go: `rich_text`, `actions` and `divider` everywhere; `input` and `section` in
 * modals and home views only (a message keeps its text and drops them).
 */

export interface PlainText {
  type: 'plain_text';
  text: string;
  emoji?: boolean;
}

export interface TextStyle {
  bold?: boolean;
  italic?: boolean;
  strike?: boolean;
  code?: boolean;
}

export type RichTextElement =
  | { type: 'text'; text: string; style?: TextStyle; unlinked?: boolean; size?: 1 | 2 | 3 }
  | { type: 'link'; url: string; text?: string; raw?: boolean; style?: TextStyle; size?: 1 | 2 | 3 }
  | { type: 'emoji'; name: string; skin_tone?: number }
  | { type: 'user'; user_id: string }
  | { type: 'usergroup'; usergroup_id: string }
  | { type: 'channel'; channel_id: string }
  | { type: 'broadcast'; range: 'channel' | 'here' };

export interface RichTextSection {
  type: 'rich_text_section' | 'rich_text_quote';
  elements: RichTextElement[];
}
export interface RichTextPreformatted {
  type: 'rich_text_preformatted';
  elements: Array<{ type: 'text'; text: string }>;
}
export interface RichTextList {
  type: 'rich_text_list';
  style: 'ordered' | 'bullet';
  indent: number;
  border?: 0 | 1;
  offset?: number;
  elements: RichTextSection[];
}

export interface RichTextBlock {
  type: 'rich_text';
  blockId?: string;
  elements: Array<RichTextSection | RichTextPreformatted | RichTextList>;
}

export interface Confirm {
  title: PlainText;
  text: PlainText;
  confirm: PlainText;
  deny: PlainText;
  style?: 'primary' | 'danger';
}

interface ElementBase {
  onAction?: string;
  confirm?: Confirm;
  /** ms (≤ 15 000): the person sees a spinner until the app calls `complete()` or this runs out */
  loadingTimeout?: number;
  autofocused?: boolean;
}

export interface Option {
  text: PlainText;
  value: string;
  description?: PlainText;
}
export interface OptionGroup {
  label: PlainText;
  options: Option[];
}

export interface ButtonElement extends ElementBase {
  type: 'button';
  text: PlainText;
  value?: string;
  style?: 'primary' | 'secondary' | 'warning' | 'danger';
  url?: string;
}
export interface PlainTextInputElement extends ElementBase {
  type: 'plain_text_input';
  initial_value?: string;
  placeholder?: PlainText;
  line_mode?: 'singleline' | 'multiline';
  min_length?: number;
  max_length?: number;
  interaction_triggers?: Array<'on_enter_pressed' | 'on_input'>;
}
export interface StaticSelectElement extends ElementBase {
  type: 'static_select_menu';
  placeholder: PlainText;
  options?: Option[];
  option_groups?: OptionGroup[];
  initial_option?: Option;
}
export interface DynamicSelectElement extends ElementBase {
  type: 'dynamic_select_menu';
  placeholder: PlainText;
  min_query_length?: number;
  initial_option?: Option;
  value?: string;
}
export interface CheckboxesElement extends ElementBase {
  type: 'checkboxes';
  options: Option[];
  initial_options?: Option[];
}
export interface DatePickerElement extends ElementBase {
  type: 'date_picker';
  initial_date?: string;
  placeholder?: PlainText;
}
export interface DateRangePickerElement extends ElementBase {
  type: 'date_range_picker';
  initial_date_range?: { start: string; end: string };
  placeholder?: PlainText;
}

export type ActionableElement =
  | ButtonElement
  | PlainTextInputElement
  | StaticSelectElement
  | DynamicSelectElement
  | CheckboxesElement
  | DatePickerElement
  | DateRangePickerElement;

export interface ActionsBlock {
  type: 'actions';
  blockId?: string;
  elements: ActionableElement[];
}
export interface InputBlock {
  type: 'input';
  blockId: string;
  label: PlainText;
  element: ActionableElement;
  validationError?: string;
  dispatchAction?: boolean;
  optional?: boolean;
}
export interface SectionBlock {
  type: 'section';
  blockId?: string;
  text: PlainText;
  accessory?: ActionableElement;
  text_position?: 'left' | 'right';
}
export interface DividerBlock {
  type: 'divider';
  blockId?: string;
}

export type Block = RichTextBlock | ActionsBlock | InputBlock | SectionBlock | DividerBlock;

export type ViewState = { values: Record<string, Record<string, { type: string; value?: unknown; values?: string[] }>> };

export interface View {
  id?: string;
  type: 'MODAL' | 'HOME';
  title: PlainText;
  blocks: Block[];
  state?: ViewState;
  callbackId?: string;
  submit?: PlainText;
  close?: PlainText;
  notifyOnClose?: boolean;
  parentViewId?: string;
  /** any other key is kept by Switchboard and handed back to the app (private metadata, …) */
  [key: string]: unknown;
}

// ---- builders -------------------------------------------------------------------------------------

type Text = string | PlainText;
const pt = (t: Text): PlainText => (typeof t === 'string' ? { type: 'plain_text', text: t } : t);

/** `{type: "plain_text", text}` */
export const plainText = (text: string, emoji?: boolean): PlainText => ({ type: 'plain_text', text, ...(emoji !== undefined && { emoji }) });

/** Rich-text pieces for `richText(...)`. */
export const text = (t: string, style?: TextStyle): RichTextElement => ({ type: 'text', text: t, ...(style && { style }) });
export const bold = (t: string): RichTextElement => text(t, { bold: true });
export const link = (url: string, t?: string): RichTextElement => ({ type: 'link', url, ...(t !== undefined && { text: t }) });
export const mention = (userId: string): RichTextElement => ({ type: 'user', user_id: userId });
export const emoji = (name: string): RichTextElement => ({ type: 'emoji', name });

/** A rich_text block of one section; strings become plain text elements. */
export function richText(...parts: Array<string | RichTextElement>): RichTextBlock {
  return { type: 'rich_text', elements: [{ type: 'rich_text_section', elements: parts.map((p) => (typeof p === 'string' ? text(p) : p)) }] };
}

/**
 * A heading. Switchboard has no `header` block (§12.7): this is a rich_text block with one bold,
 * large text, which every client renders as a heading.
 */
export function header(t: string): RichTextBlock {
  return { type: 'rich_text', elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: t, style: { bold: true }, size: 1 }] }] };
}

/**
 * Secondary text under a block. Switchboard has no `context` block: this is a rich_text block
 * whose texts are italic.
 */
export function context(...parts: Array<string | RichTextElement>): RichTextBlock {
  return {
    type: 'rich_text',
    elements: [{ type: 'rich_text_section', elements: parts.map((p) => (typeof p === 'string' ? text(p, { italic: true }) : p)) }],
  };
}

export const divider = (): DividerBlock => ({ type: 'divider' });

export function section(t: Text, opts: { accessory?: ActionableElement; blockId?: string; textPosition?: 'left' | 'right' } = {}): SectionBlock {
  return {
    type: 'section',
    text: pt(t),
    ...(opts.blockId && { blockId: opts.blockId }),
    ...(opts.accessory && { accessory: opts.accessory }),
    ...(opts.textPosition && { text_position: opts.textPosition }),
  };
}

export function actions(...elements: ActionableElement[]): ActionsBlock {
  return { type: 'actions', elements };
}

export function button(
  t: Text,
  onAction: string,
  opts: { value?: string; style?: ButtonElement['style']; url?: string; loadingTimeout?: number; confirm?: Confirm } = {},
): ButtonElement {
  return { type: 'button', text: pt(t), onAction, ...opts };
}

export function input(
  blockId: string,
  label: Text,
  element: ActionableElement,
  opts: { optional?: boolean; dispatchAction?: boolean; validationError?: string } = {},
): InputBlock {
  return { type: 'input', blockId, label: pt(label), element, ...opts };
}

export function plainTextInput(
  onAction: string,
  opts: { initialValue?: string; placeholder?: Text; multiline?: boolean; minLength?: number; maxLength?: number } = {},
): PlainTextInputElement {
  return {
    type: 'plain_text_input',
    onAction,
    ...(opts.initialValue !== undefined && { initial_value: opts.initialValue }),
    ...(opts.placeholder !== undefined && { placeholder: pt(opts.placeholder) }),
    ...(opts.multiline !== undefined && { line_mode: opts.multiline ? 'multiline' : 'singleline' }),
    ...(opts.minLength !== undefined && { min_length: opts.minLength }),
    ...(opts.maxLength !== undefined && { max_length: opts.maxLength }),
  };
}

export const option = (t: Text, value: string): Option => ({ text: pt(t), value });

export function staticSelect(onAction: string, placeholder: Text, options: Array<Option | [string, string]>, opts: { initial?: string } = {}): StaticSelectElement {
  const list = options.map((o) => (Array.isArray(o) ? option(o[0], o[1]) : o));
  const initial = opts.initial === undefined ? undefined : list.find((o) => o.value === opts.initial);
  return { type: 'static_select_menu', onAction, placeholder: pt(placeholder), options: list, ...(initial && { initial_option: initial }) };
}

export function dynamicSelect(onAction: string, placeholder: Text, opts: { minQueryLength?: number; value?: string } = {}): DynamicSelectElement {
  return {
    type: 'dynamic_select_menu',
    onAction,
    placeholder: pt(placeholder),
    ...(opts.minQueryLength !== undefined && { min_query_length: opts.minQueryLength }),
    ...(opts.value !== undefined && { value: opts.value }),
  };
}

/** A modal (§12.7). Extra keys (private metadata) come back to the app with every interaction. */
export function modal(opts: {
  callbackId: string;
  title: Text;
  blocks: Block[];
  submit?: Text;
  close?: Text;
  notifyOnClose?: boolean;
  [key: string]: unknown;
}): View {
  const { callbackId, title, blocks, submit, close, notifyOnClose, ...extra } = opts;
  return {
    ...extra,
    type: 'MODAL',
    callbackId,
    title: pt(title),
    blocks,
    ...(submit !== undefined && { submit: pt(submit) }),
    ...(close !== undefined && { close: pt(close) }),
    notifyOnClose: notifyOnClose ?? false,
  };
}

/** A home view for `publishHome`. */
export function homeView(opts: { title?: Text; blocks: Block[] }): View {
  return { type: 'HOME', title: pt(opts.title ?? 'Home'), blocks: opts.blocks };
}

/** Reads one input's value from a view's state: `valueOf(view.state, 'name', 'name_input')`. */
export function valueOf(state: ViewState | undefined, blockId: string, onAction: string): unknown {
  const v = state?.values?.[blockId]?.[onAction];
  return v === undefined ? undefined : 'values' in v && v.values !== undefined ? v.values : v.value;
}
