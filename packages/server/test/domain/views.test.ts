/**
 * The pure rules of views and interactive elements (docs/app-platform.md §7.3, §9.3, §9.5;
 * docs/pumble-api.md §12.7): element lookup, the envelope's actionType and payload, initial and
 * carried state, submitted values, the SDK's view shapes, and dynamic-menu options.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { actionTypeOf, carryState, checkSubmittedState, findElement, initialState, interactionPayload, messageBlocks } from '../../src/domain/apps/view-state.js';
import { validateOptionList, validateView } from '../../src/domain/blocks.js';
import { Views } from '../../src/domain/apps/views.js';
import type { View } from '../../src/domain/ports/views.js';

const text = (t: string) => ({ type: 'plain_text', text: t });
const opts = (...values: string[]) => values.map((v) => ({ text: text(v), value: v }));

const blocks = [
  { type: 'input', blockId: 'name', label: text('Name'), element: { type: 'plain_text_input', onAction: 'name', initial_value: 'Ann', max_length: 5 } },
  { type: 'input', blockId: 'kind', label: text('Kind'), optional: true, element: { type: 'static_select_menu', onAction: 'kind', placeholder: text('…'), options: opts('a', 'b'), initial_option: { text: text('b'), value: 'b' } } },
  { type: 'input', blockId: 'days', label: text('Days'), element: { type: 'date_range_picker', onAction: 'days' } },
  { type: 'input', blockId: 'tags', label: text('Tags'), optional: true, element: { type: 'checkboxes', onAction: 'tags', options: opts('x', 'y'), initial_options: opts('y') } },
  { type: 'actions', blockId: 'acts', elements: [{ type: 'button', onAction: 'go', value: 'v-go', text: text('Go'), loadingTimeout: 3000 }] },
];

test('elements are found by onAction (and blockId); actionType comes from the element', () => {
  assert.equal(findElement(blocks, 'go')?.blockId, 'acts');
  assert.equal(findElement(blocks, 'go', 'other'), undefined);
  assert.equal(findElement(blocks, 'nope'), undefined);
  assert.equal(actionTypeOf(findElement(blocks, 'days')!.element), 'DATE_RANGE_PICKER');
  assert.equal(actionTypeOf(findElement(blocks, 'go')!.element), 'BUTTON');
  const withAttachment = messageBlocks([], [{ blocks: [{ type: 'actions', elements: [{ type: 'button', onAction: 'in-att', text: text('A') }] }] }, { text: 'no blocks' }]);
  assert.ok(findElement(withAttachment, 'in-att'), "an attachment's blocks count");
});

test('payloads: a button sends its own value; values are checked against the element; a date range carries both keys', () => {
  const el = (a: string) => findElement(blocks, a)!.element;
  assert.deepEqual(interactionPayload(el('go'), { value: 'forged' }), { payload: '{"value":"v-go"}' });
  assert.deepEqual(interactionPayload(el('kind'), { value: 'a' }), { payload: '{"value":"a"}' });
  assert.ok('problem' in interactionPayload(el('kind'), { value: 'zzz' }));
  assert.ok('problem' in interactionPayload(el('name'), { value: 'toolong' }), 'max_length');
  assert.deepEqual(interactionPayload(el('days'), { values: ['2025-01-01', '2025-01-31'] }), {
    payload: '{"value":{"start":"2025-01-01","end":"2025-01-31"},"values":["2025-01-01","2025-01-31"]}',
  });
  assert.deepEqual(interactionPayload(el('days'), { value: { start: '2025-01-01', end: '2025-01-02' } }), {
    payload: '{"value":{"start":"2025-01-01","end":"2025-01-02"},"values":["2025-01-01","2025-01-02"]}',
  });
  assert.ok('problem' in interactionPayload(el('days'), { values: ['2025-02-01', '2025-01-01'] }), 'start after end');
  assert.ok('problem' in interactionPayload(el('tags'), { values: ['x', 'q'] }));
});

test('initial state from initial values; an update keeps what was typed where the element still is', () => {
  const initial = initialState(blocks);
  assert.deepEqual(initial, {
    values: {
      name: { name: { type: 'plain_text_input', value: 'Ann' } },
      kind: { kind: { type: 'static_select_menu', value: 'b' } },
      tags: { tags: { type: 'checkboxes', values: ['y'] } },
    },
  });
  const typed = { values: { ...initial.values, name: { name: { type: 'plain_text_input', value: 'Bob' } } } };
  const withError = blocks.map((b) => (b.blockId === 'name' ? { ...b, validationError: 'Too short' } : b)).filter((b) => b.blockId !== 'kind');
  const carried = carryState(withError, typed);
  assert.equal(carried.values.name?.name?.value, 'Bob');
  assert.equal(carried.values.kind, undefined, 'a removed input leaves the state');
});

test('submitted values: required inputs, option membership, unknown fields, each at its field', () => {
  const ok = checkSubmittedState(blocks, { values: { name: { name: { type: 'x', value: 'Al' } }, days: { days: { values: ['2025-01-01', '2025-01-02'] } } } }, true);
  assert.deepEqual(ok.errors, []);
  assert.deepEqual(ok.state.values.name, { name: { type: 'plain_text_input', value: 'Al' } }, 'the type is the element\'s, not the client\'s');
  const bad = checkSubmittedState(blocks, { values: { kind: { kind: { value: 'zzz' } }, ghost: { g: { value: 1 } } } }, true);
  assert.deepEqual(bad.errors.map((e) => e.field).sort(), ['state.values.days.days', 'state.values.ghost.g', 'state.values.kind.kind', 'state.values.name.name']);
  assert.deepEqual(checkSubmittedState(blocks, { values: {} }, false).errors, [], 'an interaction inside a view need not fill required inputs');
});

test('views as the SDK sends them: callbackId "" and "text" labels are valid; 101 options are not', () => {
  const modal = { type: 'MODAL', callbackId: '', title: { type: 'text', text: 'T' }, submit: { type: 'text', text: 'S' }, showIcon: true, blocks: [] };
  assert.deepEqual(validateView(modal, 'view'), []);
  assert.deepEqual(validateView({ ...modal, showIcon: 'yes' }, 'view').map((e) => e.field), ['view.showIcon']);
  const many = { ...modal, blocks: [{ type: 'input', blockId: 'p', label: text('P'), element: { type: 'static_select_menu', onAction: 'p', placeholder: text('…'), options: opts(...Array.from({ length: 101 }, (_, i) => `o${i}`)) } }] };
  assert.deepEqual(validateView(many, 'view').map((e) => e.field), ['view.blocks[0].element.options']);
});

test('dynamic menu options: options or option groups, at most 100 in all, values unique', () => {
  assert.deepEqual(validateOptionList(opts('a', 'b'), 'options'), []);
  assert.deepEqual(validateOptionList([{ label: text('G'), options: opts('a') }, ...opts('b')], 'options'), []);
  assert.deepEqual(validateOptionList(opts('a', 'a'), 'options').map((e) => e.field), ['options[1].value']);
  assert.deepEqual(validateOptionList([{ label: text('G'), options: opts(...Array.from({ length: 101 }, (_, i) => `o${i}`)) }], 'options').map((e) => e.field), ['options']);
  assert.deepEqual(validateOptionList('nope', 'options').map((e) => e.field), ['options']);
});

test('the view an app gets back: its own keys, the server id, type, state and its parent in the stack', () => {
  const v: View = {
    id: 'v2',
    workspaceId: 'w',
    appId: 'a',
    userId: 'u',
    type: 'MODAL',
    stackParentId: 'v1',
    depth: 2,
    callbackId: 'cb',
    notifyOnClose: false,
    channelId: 'c',
    threadRootId: null,
    source: 'app',
    document: { title: text('T'), blocks: [], privateMetadata: 'pm' },
    state: { values: {} },
    version: 3,
    createdAt: 1,
    updatedAt: 2,
  };
  assert.deepEqual(Views.forApp(v), { title: text('T'), blocks: [], privateMetadata: 'pm', id: 'v2', type: 'MODAL', callbackId: 'cb', notifyOnClose: false, parentViewId: 'v1', state: { values: {} } });
});
