/**
 * Blocks and views (docs/pumble-api.md §12.7): validated on every message, modal and home view, and in the
 * manifest's default home view. Validators never throw and never change their input; they return
 * every problem as a FieldError whose path starts at the `path` the caller passes in.
 *
 * Keys the spec does not name are accepted and ignored (clients and SDKs add their own); blocks
 * are stored as sent. A problem with an element's `type` is reported at the element itself
 * (`blocks[0].elements[1]`), because the type decides what the rest of the element must be.
 */
import type { FieldError } from './errors.js';
import { FieldChecker, MAX_URL, at, charCount, isAbsent, isAbsoluteUrl, isRecord, type JsonObject } from './fields.js';

export type BlockContext = 'message' | 'modal' | 'home';

export const BLOCK_LIMITS = {
  /** "Most labels ≤ 75 characters": input labels, button texts, options, placeholders, titles */
  label: 75,
  sectionText: 1500,
  validationError: 75,
  options: 100,
  optionValue: 100,
  loadingTimeoutMs: 15_000,
  listIndent: 4,
  // The rest are decisions where §12.7 is silent (Slack's limits where it has one).
  confirmText: 300,
  buttonValue: 2000,
  identifier: 255, // onAction, blockId, callbackId
  /** blocks of one modal or home view: the same 100 as a message's, whether published or a trigger's answer */
  viewBlocks: 100,
} as const;

const TOP_LEVEL: Record<string, readonly BlockContext[]> = {
  rich_text: ['message', 'modal', 'home'],
  actions: ['message', 'modal', 'home'],
  input: ['modal', 'home'],
  section: ['modal', 'home'],
  divider: ['message', 'modal', 'home'],
};
const CONTEXT_NAME: Record<BlockContext, string> = { message: 'messages', modal: 'modals', home: 'home views' };

const ACTIONABLE = [
  'button',
  'plain_text_input',
  'static_select_menu',
  'dynamic_select_menu',
  'checkboxes',
  'date_picker',
  'date_range_picker',
] as const;
export type ActionableType = (typeof ACTIONABLE)[number];
// A button has no value to submit, so it cannot be an input block's element.
const INPUT_ELEMENTS = ACTIONABLE.filter((type) => type !== 'button');

const BUTTON_STYLES = ['primary', 'secondary', 'warning', 'danger'] as const;
const INTERACTION_TRIGGERS = ['on_enter_pressed', 'on_input'] as const;
// Rich-text links render as anchors in the web client: an allow-list keeps `javascript:` out.
const LINK_SCHEMES = ['http', 'https', 'mailto', 'tel'];

// ---- Types of valid blocks (the validators below are the source of truth) ----

export interface PlainText { type: 'plain_text'; text: string; emoji?: boolean }
export interface TextStyle { bold?: boolean; italic?: boolean; strike?: boolean; code?: boolean }
export type BasicElement =
  | { type: 'text'; text: string; style?: TextStyle; unlinked?: boolean; size?: 1 | 2 | 3 }
  | { type: 'link'; url: string; text?: string; raw?: boolean; style?: TextStyle; size?: 1 | 2 | 3 }
  | { type: 'emoji'; name: string; skin_tone?: number }
  | { type: 'user'; user_id: string }
  | { type: 'usergroup'; usergroup_id: string }
  | { type: 'channel'; channel_id: string }
  | { type: 'broadcast'; range: 'channel' | 'here' };
export interface RichTextSection { type: 'rich_text_section' | 'rich_text_quote'; elements: BasicElement[] }
export interface RichTextPreformatted { type: 'rich_text_preformatted'; elements: { type: 'text'; text: string }[] }
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
  elements: (RichTextSection | RichTextPreformatted | RichTextList)[];
}
/** Element fields vary per type (§12.7); consumers read them after validation. */
export interface ActionableElement { type: ActionableType; onAction?: string; [key: string]: unknown }
export type Block =
  | RichTextBlock
  | { type: 'actions'; elements: ActionableElement[] }
  | { type: 'input'; blockId: string; label: PlainText; element: ActionableElement; validationError?: string; dispatchAction?: boolean; optional?: boolean }
  | { type: 'section'; text: PlainText; accessory?: ActionableElement; text_position?: 'left' | 'right' }
  | { type: 'divider' };

// ---- Public API ----

/** Every problem of a block list; also rejects two blocks with the same `blockId` (state is keyed by it). */
export function validateBlocks(blocks: unknown, context: BlockContext, path: string): FieldError[] {
  const c = new FieldChecker();
  const list = c.array(blocks, path);
  const firstWithId = new Map<string, string>();
  list?.forEach((block, i) => {
    checkBlock(c, block, context, at(path, i));
    const blockId = isRecord(block) ? block.blockId : undefined;
    if (typeof blockId !== 'string' || blockId === '') return;
    const first = firstWithId.get(blockId);
    if (first !== undefined) c.fail(at(at(path, i), 'blockId'), `duplicate blockId "${blockId}" (also ${first})`);
    else firstWithId.set(blockId, at(path, i));
  });
  return c.errors;
}

export function validateBlock(block: unknown, context: BlockContext, path: string): FieldError[] {
  const c = new FieldChecker();
  checkBlock(c, block, context, path);
  return c.errors;
}

/**
 * Messages whose blocks fail validation are accepted with the invalid blocks dropped (§11.2 notes):
 * returns the valid blocks, in order, and the problems of the dropped ones for the delivery log.
 * A value that is not an array drops everything.
 */
export function sanitizeMessageBlocks(blocks: unknown, path = 'blocks'): { blocks: Block[]; dropped: FieldError[] } {
  if (!Array.isArray(blocks)) return { blocks: [], dropped: [{ field: path, message: 'must be an array' }] };
  const kept: Block[] = [];
  const dropped: FieldError[] = [];
  blocks.forEach((block, i) => {
    const errors = validateBlock(block, 'message', at(path, i));
    if (errors.length === 0) kept.push(block as Block);
    else dropped.push(...errors);
  });
  return { blocks: kept, dropped };
}

/** A MODAL or HOME view as an app sends it (docs/app-platform.md §9.3, §11.2 home view). */
export function validateView(view: unknown, path: string): FieldError[] {
  const c = new FieldChecker();
  const v = c.object(view, path);
  if (!v) return c.errors;
  const type = c.oneOf(v.type, at(path, 'type'), ['MODAL', 'HOME'] as const, true);
  c.string(v.id, at(path, 'id'), { min: 1 });
  // A home view may be published without a title (§11.2 `title?`); a modal always shows one.
  // Labels may say `type: "text"`, as the SDK's modal reference does (docs/app-platform.md §9.3).
  plainText(c, v.title, at(path, 'title'), BLOCK_LIMITS.label, type !== 'HOME', true);
  // modal and home accept the same blocks, so an unknown type still gets its blocks checked
  if (Array.isArray(v.blocks) && v.blocks.length > BLOCK_LIMITS.viewBlocks) c.fail(at(path, 'blocks'), `at most ${BLOCK_LIMITS.viewBlocks} blocks`);
  else c.errors.push(...validateBlocks(v.blocks, type === 'HOME' ? 'home' : 'modal', at(path, 'blocks')));
  checkState(c, v.state, at(path, 'state'));
  if (type === 'MODAL') {
    // May be "": the SDK's own example pushes `callbackId: ""` (docs/app-platform.md §9.3).
    c.string(v.callbackId, at(path, 'callbackId'), { required: true, min: 0, max: BLOCK_LIMITS.identifier });
    plainText(c, v.submit, at(path, 'submit'), BLOCK_LIMITS.label, false, true);
    plainText(c, v.close, at(path, 'close'), BLOCK_LIMITS.label, false, true);
    c.boolean(v.showIcon, at(path, 'showIcon'));
    // absent means false (docs/app-platform.md §7.4: CLOSE is sent "only if notifyOnClose: true")
    c.boolean(v.notifyOnClose, at(path, 'notifyOnClose'));
    c.string(v.parentViewId, at(path, 'parentViewId'), { min: 1 });
  }
  return c.errors;
}

// ---- Blocks ----

function checkBlock(c: FieldChecker, block: unknown, context: BlockContext, path: string): void {
  const b = c.object(block, path);
  if (!b) return;
  const type = b.type;
  if (typeof type !== 'string') return c.fail(path, 'type is required');
  const contexts = TOP_LEVEL[type];
  if (!contexts) return c.fail(path, `unknown block type "${type}"`);
  if (!contexts.includes(context)) return c.fail(path, `${type} blocks are not allowed in ${CONTEXT_NAME[context]}`);
  // any block may carry a blockId; input blocks must
  c.string(b.blockId, at(path, 'blockId'), { required: type === 'input', min: 1, max: BLOCK_LIMITS.identifier });
  switch (type) {
    case 'rich_text':
      return c.array(b.elements, at(path, 'elements'))?.forEach((el, i) => checkRichTextElement(c, el, at(at(path, 'elements'), i)));
    case 'actions':
      return c.array(b.elements, at(path, 'elements'))?.forEach((el, i) =>
        checkActionable(c, el, at(at(path, 'elements'), i), ACTIONABLE, false),
      );
    case 'input':
      plainText(c, b.label, at(path, 'label'), BLOCK_LIMITS.label, true);
      // its value lands in state under [blockId][onAction], so the element needs an onAction
      checkActionable(c, b.element, at(path, 'element'), INPUT_ELEMENTS, true, true);
      c.string(b.validationError, at(path, 'validationError'), { max: BLOCK_LIMITS.validationError });
      c.boolean(b.dispatchAction, at(path, 'dispatchAction'));
      c.boolean(b.optional, at(path, 'optional'));
      return;
    case 'section':
      plainText(c, b.text, at(path, 'text'), BLOCK_LIMITS.sectionText, true);
      c.oneOf(b.text_position, at(path, 'text_position'), ['left', 'right']);
      if (!isAbsent(b.accessory)) checkActionable(c, b.accessory, at(path, 'accessory'), ACTIONABLE, false);
      return;
  }
}

function checkRichTextElement(c: FieldChecker, element: unknown, path: string): void {
  const e = c.object(element, path);
  if (!e) return;
  const elements = at(path, 'elements');
  switch (e.type) {
    case 'rich_text_section':
    case 'rich_text_quote':
      return c.array(e.elements, elements)?.forEach((el, i) => checkBasic(c, el, at(elements, i)));
    case 'rich_text_preformatted':
      return c.array(e.elements, elements)?.forEach((el, i) => {
        if (isRecord(el) && el.type !== 'text') c.fail(at(elements, i), 'preformatted text may only contain text elements');
        else checkBasic(c, el, at(elements, i));
      });
    case 'rich_text_list':
      c.oneOf(e.style, at(path, 'style'), ['ordered', 'bullet'], true);
      c.integer(e.indent, at(path, 'indent'), 0, BLOCK_LIMITS.listIndent, true);
      c.oneOf(e.border, at(path, 'border'), [0, 1]);
      c.integer(e.offset, at(path, 'offset'), 0, Number.MAX_SAFE_INTEGER);
      return c.array(e.elements, elements)?.forEach((el, i) => {
        if (isRecord(el) && el.type !== 'rich_text_section') c.fail(at(elements, i), 'list items must be rich_text_section');
        else checkRichTextElement(c, el, at(elements, i));
      });
    default:
      return c.fail(path, typeof e.type === 'string' ? `unknown rich text element type "${e.type}"` : 'type is required');
  }
}

function checkBasic(c: FieldChecker, element: unknown, path: string): void {
  const e = c.object(element, path);
  if (!e) return;
  const f = (key: string) => at(path, key);
  switch (e.type) {
    case 'text':
      c.string(e.text, f('text'), { required: true });
      checkTextStyle(c, e.style, f('style'));
      c.boolean(e.unlinked, f('unlinked'));
      c.integer(e.size, f('size'), 1, 3);
      return;
    case 'link': {
      const url = c.string(e.url, f('url'), { required: true, min: 1, max: MAX_URL });
      if (url !== undefined && !isAbsoluteUrl(url, LINK_SCHEMES)) c.fail(f('url'), `must be an absolute ${LINK_SCHEMES.join('/')} URL`);
      c.string(e.text, f('text'));
      c.boolean(e.raw, f('raw'));
      checkTextStyle(c, e.style, f('style'));
      c.integer(e.size, f('size'), 1, 3);
      return;
    }
    case 'emoji':
      c.string(e.name, f('name'), { required: true, min: 1 });
      c.integer(e.skin_tone, f('skin_tone'), 1, 6); // same range as reactions' skinTone (§11.2)
      return;
    case 'user':
    case 'usergroup':
    case 'channel':
      c.string(e[`${e.type}_id`], f(`${e.type}_id`), { required: true, min: 1 });
      return;
    case 'broadcast':
      c.oneOf(e.range, f('range'), ['channel', 'here'], true);
      return;
    default:
      return c.fail(path, typeof e.type === 'string' ? `unknown element type "${e.type}"` : 'type is required');
  }
}

function checkTextStyle(c: FieldChecker, style: unknown, path: string): void {
  const s = c.object(style, path, false);
  if (!s) return;
  for (const key of ['bold', 'italic', 'strike', 'code']) c.boolean(s[key], at(path, key));
}

// ---- Shared composition objects ----

function plainText(c: FieldChecker, value: unknown, path: string, max: number, required: boolean, textToo = false): void {
  const t = c.object(value, path, required);
  if (!t) return;
  if (t.type !== 'plain_text' && !(textToo && t.type === 'text')) c.fail(at(path, 'type'), 'must be plain_text');
  c.string(t.text, at(path, 'text'), { required: true, min: 1, max });
  c.boolean(t.emoji, at(path, 'emoji'));
}

/** Checks one Option and returns its value when valid (for duplicate and membership checks). */
function checkOption(c: FieldChecker, value: unknown, path: string): string | undefined {
  const o = c.object(value, path);
  if (!o) return undefined;
  plainText(c, o.text, at(path, 'text'), BLOCK_LIMITS.label, true);
  plainText(c, o.description, at(path, 'description'), BLOCK_LIMITS.label, false);
  return c.string(o.value, at(path, 'value'), { required: true, min: 1, max: BLOCK_LIMITS.optionValue });
}

/**
 * The options a dynamic menu's app answered with (docs/app-platform.md §9.5): Option[] or
 * OptionGroup[] (`{label, options}`), at most 100 options in all, values unique.
 */
export function validateOptionList(list: unknown, path: string): FieldError[] {
  const c = new FieldChecker();
  const items = c.array(list, path) ?? [];
  const seen = new Map<string, string>();
  let count = 0;
  items.forEach((item, i) => {
    if (isRecord(item) && 'options' in item && !('value' in item)) {
      const gPath = at(path, i);
      plainText(c, item.label, at(gPath, 'label'), BLOCK_LIMITS.label, true);
      const inner = c.array(item.options, at(gPath, 'options')) ?? [];
      count += inner.length;
      checkOptions(c, inner, at(gPath, 'options'), seen);
    } else {
      count += 1;
      const value = checkOption(c, item, at(path, i));
      if (value === undefined) return;
      const first = seen.get(value);
      if (first !== undefined) c.fail(at(at(path, i), 'value'), `duplicate value "${value}" (also ${first})`);
      else seen.set(value, at(path, i));
    }
  });
  if (count > BLOCK_LIMITS.options) c.fail(path, `must have at most ${BLOCK_LIMITS.options} options`);
  return c.errors;
}

/** Checks a list of options; returns the valid values, each with the path it was first seen at. */
function checkOptions(c: FieldChecker, list: unknown[], path: string, seen = new Map<string, string>()): Map<string, string> {
  list.forEach((option, i) => {
    const value = checkOption(c, option, at(path, i));
    if (value === undefined) return;
    const first = seen.get(value);
    if (first !== undefined) c.fail(at(at(path, i), 'value'), `duplicate value "${value}" (also ${first})`);
    else seen.set(value, at(path, i));
  });
  return seen;
}

function checkConfirm(c: FieldChecker, value: unknown, path: string): void {
  const o = c.object(value, path, false);
  if (!o) return;
  plainText(c, o.title, at(path, 'title'), BLOCK_LIMITS.label, true);
  plainText(c, o.text, at(path, 'text'), BLOCK_LIMITS.confirmText, true);
  plainText(c, o.confirm, at(path, 'confirm'), BLOCK_LIMITS.label, true);
  plainText(c, o.deny, at(path, 'deny'), BLOCK_LIMITS.label, true);
  c.oneOf(o.style, at(path, 'style'), BUTTON_STYLES);
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** YYYY-MM-DD and a real calendar day (no 2025-02-30). */
export function isIsoDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

function date(c: FieldChecker, value: unknown, path: string, required = false): string | undefined {
  const text = c.string(value, path, { required });
  if (text === undefined) return undefined;
  if (isIsoDate(text)) return text;
  c.fail(path, 'must be a date YYYY-MM-DD');
  return undefined;
}

// ---- Actionable elements ----

function checkActionable(
  c: FieldChecker,
  element: unknown,
  path: string,
  allowed: readonly ActionableType[],
  needsOnAction: boolean,
  inInput = false,
): void {
  const e = c.object(element, path);
  if (!e) return;
  const type = e.type;
  if (typeof type !== 'string') return c.fail(path, 'type is required');
  if (!(ACTIONABLE as readonly string[]).includes(type)) return c.fail(path, `unknown element type "${type}"`);
  if (!(allowed as readonly string[]).includes(type)) return c.fail(path, `${type} is not allowed ${inInput ? 'in an input block' : 'here'}`);
  const f = (key: string) => at(path, key);
  // a dynamic menu is matched to its options provider by onAction (docs/app-platform.md §7.5)
  const onActionRequired = needsOnAction || type === 'dynamic_select_menu';
  c.string(e.onAction, f('onAction'), { required: onActionRequired, min: 1, max: BLOCK_LIMITS.identifier });
  checkConfirm(c, e.confirm, f('confirm'));
  c.integer(e.loadingTimeout, f('loadingTimeout'), 0, BLOCK_LIMITS.loadingTimeoutMs);
  c.boolean(e.autofocused, f('autofocused'));
  ELEMENT_CHECKS[type as ActionableType](c, e, path);
}

const ELEMENT_CHECKS: Record<ActionableType, (c: FieldChecker, e: JsonObject, path: string) => void> = {
  button(c, e, path) {
    plainText(c, e.text, at(path, 'text'), BLOCK_LIMITS.label, true);
    c.string(e.value, at(path, 'value'), { max: BLOCK_LIMITS.buttonValue });
    c.oneOf(e.style, at(path, 'style'), BUTTON_STYLES);
    c.httpUrl(e.url, at(path, 'url'));
  },
  plain_text_input(c, e, path) {
    const initial = c.string(e.initial_value, at(path, 'initial_value'));
    plainText(c, e.placeholder, at(path, 'placeholder'), BLOCK_LIMITS.label, false);
    c.oneOf(e.line_mode, at(path, 'line_mode'), ['singleline', 'multiline']);
    const min = c.integer(e.min_length, at(path, 'min_length'), 0, Number.MAX_SAFE_INTEGER);
    const max = c.integer(e.max_length, at(path, 'max_length'), 1, Number.MAX_SAFE_INTEGER);
    if (min !== undefined && max !== undefined && min > max) c.fail(at(path, 'max_length'), 'must not be less than min_length');
    if (initial !== undefined && max !== undefined && charCount(initial) > max) {
      c.fail(at(path, 'initial_value'), `must be at most ${max} characters (max_length)`);
    }
    // the spec names the two triggers but not the JSON shape: accept one or a list of them
    const triggers = e.interaction_triggers;
    const field = at(path, 'interaction_triggers');
    if (Array.isArray(triggers)) triggers.forEach((t, i) => c.oneOf(t, at(field, i), INTERACTION_TRIGGERS, true));
    else c.oneOf(triggers, field, INTERACTION_TRIGGERS);
  },
  static_select_menu(c, e, path) {
    plainText(c, e.placeholder, at(path, 'placeholder'), BLOCK_LIMITS.label, true);
    const options = c.array(e.options, at(path, 'options'), isAbsent(e.option_groups));
    const groups = c.array(e.option_groups, at(path, 'option_groups'), false);
    const values = checkOptions(c, options ?? [], at(path, 'options'));
    let count = options?.length ?? 0;
    groups?.forEach((group, i) => {
      const gPath = at(at(path, 'option_groups'), i);
      const g = c.object(group, gPath);
      if (!g) return;
      plainText(c, g.label, at(gPath, 'label'), BLOCK_LIMITS.label, true);
      const list = c.array(g.options, at(gPath, 'options'));
      count += list?.length ?? 0;
      checkOptions(c, list ?? [], at(gPath, 'options'), values);
    });
    if (count > BLOCK_LIMITS.options) c.fail(at(path, groups ? 'option_groups' : 'options'), `must have at most ${BLOCK_LIMITS.options} options`);
    checkInitialOption(c, e.initial_option, at(path, 'initial_option'), values);
  },
  dynamic_select_menu(c, e, path) {
    plainText(c, e.placeholder, at(path, 'placeholder'), BLOCK_LIMITS.label, true);
    c.integer(e.min_query_length, at(path, 'min_query_length'), 0, Number.MAX_SAFE_INTEGER);
    // options come from the app at run time, so any valid option may be the initial one
    if (!isAbsent(e.initial_option)) checkOption(c, e.initial_option, at(path, 'initial_option'));
    c.string(e.value, at(path, 'value'));
  },
  checkboxes(c, e, path) {
    const options = c.array(e.options, at(path, 'options'));
    if (options && options.length > BLOCK_LIMITS.options) c.fail(at(path, 'options'), `must have at most ${BLOCK_LIMITS.options} options`);
    const values = checkOptions(c, options ?? [], at(path, 'options'));
    c.array(e.initial_options, at(path, 'initial_options'), false)?.forEach((option, i) =>
      checkInitialOption(c, option, at(at(path, 'initial_options'), i), values),
    );
  },
  date_picker(c, e, path) {
    date(c, e.initial_date, at(path, 'initial_date'));
    plainText(c, e.placeholder, at(path, 'placeholder'), BLOCK_LIMITS.label, false);
  },
  date_range_picker(c, e, path) {
    const range = c.object(e.initial_date_range, at(path, 'initial_date_range'), false);
    if (range) {
      const rPath = at(path, 'initial_date_range');
      const start = date(c, range.start, at(rPath, 'start'), true);
      const end = date(c, range.end, at(rPath, 'end'), true);
      if (start !== undefined && end !== undefined && start > end) c.fail(at(rPath, 'end'), 'must not be before start');
    }
    plainText(c, e.placeholder, at(path, 'placeholder'), BLOCK_LIMITS.label, false);
  },
};

/** An initial option must be a valid option and one of the element's own (by value). */
function checkInitialOption(c: FieldChecker, option: unknown, path: string, values: Map<string, string>): void {
  if (isAbsent(option)) return;
  const value = checkOption(c, option, path);
  if (value !== undefined && !values.has(value)) c.fail(at(path, 'value'), `"${value}" is not one of the options`);
}

// ---- View state ----

/** `{values: {<blockId>: {<onAction>: {type, value} | {type, values: string[]}}}}` */
function checkState(c: FieldChecker, state: unknown, path: string): void {
  const s = c.object(state, path, false);
  if (!s) return;
  const values = c.object(s.values, at(path, 'values'));
  for (const [blockId, actions] of Object.entries(values ?? {})) {
    const bPath = at(at(path, 'values'), blockId);
    for (const [onAction, entry] of Object.entries(c.object(actions, bPath) ?? {})) {
      const ePath = at(bPath, onAction);
      const v = c.object(entry, ePath);
      if (!v) continue;
      c.string(v.type, at(ePath, 'type'), { required: true, min: 1 });
      if (v.values !== undefined) {
        c.array(v.values, at(ePath, 'values'))?.forEach((x, i) => c.string(x, at(at(ePath, 'values'), i), { required: true }));
      } else if (!('value' in v)) c.fail(ePath, 'needs value or values');
    }
  }
}
