/**
 * Pure rules of interactive elements and view state (docs/app-platform.md §7.3, §9.3;
 * docs/pumble-api.md §12.7): finding the element an interaction names, the envelope's `actionType`
 * and `payload`, a view's initial state, and checking what a person submitted against the elements.
 * Nothing here reads or writes storage.
 */
import { isIsoDate, type ActionableType } from '../blocks.js';
import type { FieldError } from '../errors.js';
import type { ViewState } from '../ports/views.js';

type Json = Record<string, unknown>;
const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An interactive element and where it sits. */
export interface FoundElement {
  element: Json & { type: ActionableType; onAction?: string };
  /** the block's `blockId` (state is keyed by it); null when the block has none */
  blockId: string | null;
  /** the element of an `input` block (its value is submitted with the view) */
  inInput: boolean;
  /** the input block itself (label, optional) */
  block: Json;
}

/** Every interactive element of a block list: actions' elements, input elements, section accessories. */
export function elementsOf(blocks: readonly unknown[] | null | undefined): FoundElement[] {
  const out: FoundElement[] = [];
  for (const b of blocks ?? []) {
    if (!isRecord(b)) continue;
    const blockId = typeof b.blockId === 'string' && b.blockId !== '' ? b.blockId : null;
    const push = (el: unknown, inInput: boolean) => {
      if (isRecord(el) && typeof el.type === 'string') out.push({ element: el as FoundElement['element'], blockId, inInput, block: b });
    };
    if (b.type === 'actions' && Array.isArray(b.elements)) b.elements.forEach((el) => push(el, false));
    else if (b.type === 'input') push(b.element, true);
    else if (b.type === 'section') push(b.accessory, false);
  }
  return out;
}

/**
 * Whether an interaction with the element is a BLOCK_INTERACTION of its own (docs/app-platform.md
 * §7.3; pumble-api.md §12.7): a text input only with `interaction_triggers`, an element of an
 * `input` block only when the block says `dispatchAction: true` (otherwise its value travels with
 * the submit); buttons, menus, checkboxes and pickers of `actions` blocks and section accessories
 * always.
 */
export function triggersInteraction(found: FoundElement): boolean {
  if (found.inInput && found.block.dispatchAction !== true) return false;
  if (found.element.type === 'plain_text_input') {
    const triggers = found.element.interaction_triggers;
    return Array.isArray(triggers) ? triggers.length > 0 : typeof triggers === 'string' && triggers !== '';
  }
  return true;
}

/** A message's blocks followed by its attachments' blocks: everything a person may click in it. */
export function messageBlocks(blocks: readonly unknown[] | null, attachments: readonly unknown[] | null): unknown[] {
  const out: unknown[] = [...(blocks ?? [])];
  for (const a of attachments ?? []) if (isRecord(a) && Array.isArray(a.blocks)) out.push(...a.blocks);
  return out;
}

/** The element with this `onAction` (and `blockId`, when given). */
export function findElement(blocks: readonly unknown[] | null | undefined, onAction: string, blockId?: string, buttonValue?: unknown): FoundElement | undefined {
  const found = elementsOf(blocks).filter((f) => f.element.onAction === onAction && (blockId === undefined || f.blockId === blockId));
  // Buttons that share an onAction (a poll's vote buttons, say) are told apart by the value the
  // clicked one carries; the payload still takes that element's own value, never the client's.
  if (found.length > 1 && buttonValue !== undefined) return found.find((f) => f.element.type === 'button' && f.element.value === buttonValue);
  return found[0];
}

const ACTION_TYPES: Record<ActionableType, string> = {
  button: 'BUTTON',
  static_select_menu: 'STATIC_SELECT_MENU',
  dynamic_select_menu: 'DYNAMIC_SELECT_MENU',
  checkboxes: 'CHECKBOXES',
  date_picker: 'DATE_PICKER',
  date_range_picker: 'DATE_RANGE_PICKER',
  plain_text_input: 'PLAIN_TEXT_INPUT',
};

/** The envelope's `actionType`: computed from the element, never taken from the client (§7.3). */
export function actionTypeOf(element: FoundElement['element']): string {
  return ACTION_TYPES[element.type] ?? element.type.toUpperCase();
}

/** What a person chose or typed: `{value}` or `{values}`, as the client sends it. */
export interface InteractionInput {
  value?: unknown;
  values?: unknown;
}

/**
 * The §7.3 `payload` (a JSON string) for an interaction with `element`, after checking the value
 * against the element; `problem` when the value does not fit it. BUTTON's value is the element's own.
 * DATE_RANGE_PICKER carries both `value: {start, end}` (spec decision) and `values: [start, end]`
 * (what the SDK's example reads), docs/app-platform.md §7.3.
 */
export function interactionPayload(element: FoundElement['element'], input: InteractionInput | undefined): { payload: string } | { problem: string } {
  const value = input?.value;
  const values = input?.values;
  switch (element.type) {
    case 'button':
      return { payload: JSON.stringify({ value: typeof element.value === 'string' ? element.value : '' }) };
    case 'plain_text_input':
      if (typeof value !== 'string') return { problem: 'payload.value must be the text typed' };
      return lengthProblem(element, value) ?? { payload: JSON.stringify({ value }) };
    case 'static_select_menu':
      if (typeof value !== 'string' || !optionValues(element).has(value)) return { problem: 'payload.value must be one of the menu\'s options' };
      return { payload: JSON.stringify({ value }) };
    case 'dynamic_select_menu':
      if (typeof value !== 'string' || value === '') return { problem: 'payload.value must be the chosen option\'s value' };
      return { payload: JSON.stringify({ value }) };
    case 'checkboxes': {
      const all = optionValues(element);
      if (!Array.isArray(values) || !values.every((v) => typeof v === 'string' && all.has(v))) return { problem: 'payload.values must be values of the element\'s options' };
      return { payload: JSON.stringify({ values }) };
    }
    case 'date_picker':
      if (typeof value !== 'string' || !isIsoDate(value)) return { problem: 'payload.value must be a date YYYY-MM-DD' };
      return { payload: JSON.stringify({ value }) };
    case 'date_range_picker': {
      const range = dateRange(value, values);
      if (!range) return { problem: 'payload.values must be [start, end], dates YYYY-MM-DD, start not after end' };
      return { payload: JSON.stringify({ value: { start: range[0], end: range[1] }, values: range }) };
    }
  }
}

function lengthProblem(element: Json, text: string): { problem: string } | undefined {
  const n = [...text].length;
  if (typeof element.max_length === 'number' && n > element.max_length) return { problem: `must be at most ${element.max_length} characters` };
  if (typeof element.min_length === 'number' && n < element.min_length) return { problem: `must be at least ${element.min_length} characters` };
  return undefined;
}

function optionValues(element: Json): Set<string> {
  const values = new Set<string>();
  const add = (list: unknown) => Array.isArray(list) && list.forEach((o) => isRecord(o) && typeof o.value === 'string' && values.add(o.value));
  add(element.options);
  if (Array.isArray(element.option_groups)) element.option_groups.forEach((g) => isRecord(g) && add(g.options));
  return values;
}

/** `[start, end]` from `values`, or from `value: {start, end}`. */
function dateRange(value: unknown, values: unknown): [string, string] | undefined {
  const pair = Array.isArray(values) ? values : isRecord(value) ? [value.start, value.end] : undefined;
  if (!pair || pair.length !== 2) return undefined;
  const [s, e] = pair;
  if (typeof s !== 'string' || typeof e !== 'string' || !isIsoDate(s) || !isIsoDate(e) || s > e) return undefined;
  return [s, e];
}

type StateEntry = ViewState['values'][string][string];

/** The state entry of an element from its initial value, if it has one. */
function initialEntry(element: FoundElement['element']): StateEntry | undefined {
  const type = element.type;
  switch (type) {
    case 'plain_text_input':
      return typeof element.initial_value === 'string' ? { type, value: element.initial_value } : undefined;
    case 'static_select_menu':
    case 'dynamic_select_menu':
      return isRecord(element.initial_option) && typeof element.initial_option.value === 'string' ? { type, value: element.initial_option.value } : undefined;
    case 'checkboxes':
      return Array.isArray(element.initial_options)
        ? { type, values: element.initial_options.filter(isRecord).map((o) => o.value).filter((v) => typeof v === 'string') }
        : undefined;
    case 'date_picker':
      return typeof element.initial_date === 'string' ? { type, value: element.initial_date } : undefined;
    case 'date_range_picker':
      return isRecord(element.initial_date_range) ? { type, values: [element.initial_date_range.start, element.initial_date_range.end] } : undefined;
    case 'button':
      return undefined;
  }
}

/** Elements that contribute to state: input blocks' elements and section accessories with a blockId (§12.7). */
function stateful(blocks: readonly unknown[]): FoundElement[] {
  return elementsOf(blocks).filter((f) => f.blockId !== null && typeof f.element.onAction === 'string' && f.element.type !== 'button' && (f.inInput || f.block.type === 'section'));
}

/** A view's state from its elements' initial values (OPEN, PUSH, publish without `state`). */
export function initialState(blocks: readonly unknown[]): ViewState {
  const values: ViewState['values'] = {};
  for (const f of stateful(blocks)) {
    const entry = initialEntry(f.element);
    if (entry) (values[f.blockId!] ??= {})[f.element.onAction!] = entry;
  }
  return { values };
}

/**
 * The state after an UPDATE without `state`: the current values whose blockId and onAction still
 * name an element of the same type in the new blocks, so an update that only adds a
 * `validationError` keeps what the person typed (docs/app-platform.md §9.3); new elements start
 * from their initial values.
 */
export function carryState(blocks: readonly unknown[], current: ViewState): ViewState {
  const values: ViewState['values'] = {};
  for (const f of stateful(blocks)) {
    const kept = current.values[f.blockId!]?.[f.element.onAction!];
    const entry = kept && kept.type === f.element.type ? kept : initialEntry(f.element);
    if (entry) (values[f.blockId!] ??= {})[f.element.onAction!] = entry;
  }
  return { values };
}

/**
 * What a person submits (or sends with an interaction inside a view): every value checked against
 * its element; required inputs must have one when `requireInputs`. Returns the state as stored
 * (types taken from the elements) and the problems, each at `state.values.<blockId>.<onAction>`.
 */
export function checkSubmittedState(blocks: readonly unknown[], submitted: unknown, requireInputs: boolean): { state: ViewState; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const values: ViewState['values'] = {};
  const given = isRecord(submitted) && isRecord(submitted.values) ? submitted.values : {};
  const known = new Set<string>();
  for (const f of stateful(blocks)) {
    const blockId = f.blockId!;
    const onAction = f.element.onAction!;
    known.add(`${blockId}\u0000${onAction}`);
    const field = `state.values.${blockId}.${onAction}`;
    const raw = isRecord(given[blockId]) ? (given[blockId] as Json)[onAction] : undefined;
    const entry = isRecord(raw) ? raw : undefined;
    const empty = entry === undefined || isEmptyEntry(entry);
    if (empty) {
      if (requireInputs && f.inInput && f.block.optional !== true) errors.push({ field, message: `"${labelOf(f.block)}" is required` });
      continue;
    }
    const checked = checkEntry(f.element, entry);
    if ('problem' in checked) errors.push({ field, message: checked.problem });
    else (values[blockId] ??= {})[onAction] = checked.entry;
  }
  for (const [blockId, actions] of Object.entries(given)) {
    if (!isRecord(actions)) continue;
    for (const onAction of Object.keys(actions)) {
      if (!known.has(`${blockId}\u0000${onAction}`)) errors.push({ field: `state.values.${blockId}.${onAction}`, message: 'no input of the view has this blockId and onAction' });
    }
  }
  return { state: { values }, errors };
}

function isEmptyEntry(e: Json): boolean {
  if (Array.isArray(e.values)) return e.values.length === 0;
  return e.value === undefined || e.value === null || e.value === '';
}

function labelOf(block: Json): string {
  return isRecord(block.label) && typeof block.label.text === 'string' ? block.label.text : String(block.blockId);
}

function checkEntry(element: FoundElement['element'], e: Json): { entry: StateEntry } | { problem: string } {
  const type = element.type;
  if (type === 'checkboxes' || type === 'date_range_picker') {
    const r = interactionPayload(element, { values: e.values, value: e.value });
    if ('problem' in r) return { problem: r.problem.replace(/^payload\./, '') };
    const parsed = JSON.parse(r.payload) as { values: string[] };
    return { entry: { type, values: parsed.values } };
  }
  const r = interactionPayload(element, { value: e.value });
  if ('problem' in r) return { problem: r.problem.replace(/^payload\./, '') };
  return { entry: { type, value: e.value } };
}
