/**
 * Blocks and views (spec §12.7): valid samples of every block and element pass; each rule and
 * limit, when broken, is reported at its exact path; messages drop invalid blocks, views refuse.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sanitizeMessageBlocks, validateBlock, validateBlocks, validateView, isIsoDate, type BlockContext } from '../../src/domain/blocks.js';
import type { FieldError } from '../../src/domain/errors.js';

const pt = (text: string) => ({ type: 'plain_text', text });
const x = (n: number) => 'x'.repeat(n);
const option = (value: string, text = value) => ({ text: pt(text), value });

const richText = {
  type: 'rich_text',
  elements: [
    {
      type: 'rich_text_section',
      elements: [
        { type: 'text', text: 'bold', style: { bold: true, italic: false, strike: false, code: true }, unlinked: true, size: 2 },
        { type: 'text', text: '' },
        { type: 'link', url: 'https://example.com', text: 'site', raw: false, style: { italic: true }, size: 1 },
        { type: 'link', url: 'mailto:a@example.com' },
        { type: 'emoji', name: 'wave', skin_tone: 3 },
        { type: 'user', user_id: 'U1' },
        { type: 'usergroup', usergroup_id: 'G1' },
        { type: 'channel', channel_id: 'C1' },
        { type: 'broadcast', range: 'here' },
        { type: 'broadcast', range: 'channel' },
      ],
    },
    { type: 'rich_text_quote', elements: [{ type: 'text', text: 'quoted' }] },
    { type: 'rich_text_preformatted', elements: [{ type: 'text', text: 'const a = 1;' }] },
    {
      type: 'rich_text_list',
      style: 'ordered',
      indent: 4,
      border: 1,
      offset: 2,
      elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: 'item' }] }],
    },
    { type: 'rich_text_list', style: 'bullet', indent: 0, elements: [] },
  ],
};

const confirm = { title: pt('Sure?'), text: pt('This cannot be undone'), confirm: pt('Yes'), deny: pt('No'), style: 'danger' };

const elements = {
  button: { type: 'button', onAction: 'go', text: pt('Go'), value: 'v', style: 'primary', url: 'https://example.com', confirm, loadingTimeout: 15_000, autofocused: false },
  plain_text_input: {
    type: 'plain_text_input', onAction: 'txt', initial_value: 'abc', placeholder: pt('Type'), line_mode: 'multiline',
    min_length: 1, max_length: 10, interaction_triggers: 'on_enter_pressed',
  },
  static_select_menu: {
    type: 'static_select_menu', onAction: 'pick', placeholder: pt('Pick'), options: [option('a'), { ...option('b'), description: pt('B!') }],
    initial_option: option('a'),
  },
  static_select_groups: {
    type: 'static_select_menu', onAction: 'pick2', placeholder: pt('Pick'),
    option_groups: [{ label: pt('G1'), options: [option('a')] }, { label: pt('G2'), options: [option('b')] }], initial_option: option('b'),
  },
  dynamic_select_menu: { type: 'dynamic_select_menu', onAction: 'dyn', placeholder: pt('Search'), min_query_length: 2, initial_option: option('z'), value: 'ctx' },
  checkboxes: { type: 'checkboxes', onAction: 'cb', options: [option('a'), option('b')], initial_options: [option('b')] },
  date_picker: { type: 'date_picker', onAction: 'day', initial_date: '2024-02-29', placeholder: pt('Day') },
  date_range_picker: { type: 'date_range_picker', onAction: 'range', initial_date_range: { start: '2025-01-01', end: '2025-01-01' }, placeholder: pt('Range') },
};

const input = (element: unknown, extra = {}) => ({ type: 'input', blockId: 'b1', label: pt('Label'), element, ...extra });
const actions = (...els: unknown[]) => ({ type: 'actions', elements: els });
const section = (extra = {}) => ({ type: 'section', text: pt('Hello'), ...extra });

function only(errors: FieldError[], field: string, message?: string | RegExp): void {
  assert.deepEqual(errors.map((e) => e.field), [field], JSON.stringify(errors));
  if (typeof message === 'string') assert.equal(errors[0]?.message, message);
  else if (message) assert.match(errors[0]?.message ?? '', message);
}
const modalBlock = (block: unknown) => validateBlock(block, 'modal', 'blocks[0]');

describe('valid blocks', () => {
  test('every block and element type passes where it is allowed', () => {
    const all = [
      richText,
      { type: 'divider' },
      actions(...Object.values(elements)),
      ...Object.values(elements)
        .filter((e) => e.type !== 'button')
        .map((e, i) => input(e, { blockId: `in${i}`, validationError: x(75), dispatchAction: true, optional: false })),
      section({ text_position: 'right', accessory: elements.button, blockId: 's1' }),
      section({ text: pt(x(1500)), accessory: elements.static_select_menu }),
    ];
    for (const context of ['modal', 'home'] as BlockContext[]) assert.deepEqual(validateBlocks(all, context, 'blocks'), []);
    assert.deepEqual(validateBlocks([richText, { type: 'divider' }, actions(...Object.values(elements))], 'message', 'blocks'), []);
  });

  test('unknown keys are ignored; null optional fields count as absent', () => {
    assert.deepEqual(modalBlock({ ...richText, block_id: 'x', extra: { a: 1 } }), []);
    assert.deepEqual(modalBlock(actions({ ...elements.button, value: null, style: null, newField: 1 })), []);
  });

  test('strict calendar dates', () => {
    assert.ok(isIsoDate('2024-02-29'));
    for (const bad of ['2023-02-29', '2024-13-01', '2024-1-01', '24-01-01', '2024-01-01T00:00:00Z', '']) assert.ok(!isIsoDate(bad), bad);
  });
});

describe('block placement', () => {
  test('input and section blocks are not allowed in messages; unknown types nowhere', () => {
    const errors = validateBlocks([richText, input(elements.date_picker), section(), { type: 'image' }, {}, 'x'], 'message', 'blocks');
    assert.deepEqual(errors, [
      { field: 'blocks[1]', message: 'input blocks are not allowed in messages' },
      { field: 'blocks[2]', message: 'section blocks are not allowed in messages' },
      { field: 'blocks[3]', message: 'unknown block type "image"' },
      { field: 'blocks[4]', message: 'type is required' },
      { field: 'blocks[5]', message: 'must be an object' },
    ]);
    only(validateBlocks('nope', 'modal', 'view.blocks'), 'view.blocks', 'must be an array');
  });

  test('a button cannot be an input element; unknown elements are refused', () => {
    only(modalBlock(input(elements.button)), 'blocks[0].element', 'button is not allowed in an input block');
    only(modalBlock(actions(elements.button, { type: 'image' })), 'blocks[0].elements[1]', 'unknown element type "image"');
  });

  test('blockIds are unique within a block list', () => {
    const errors = validateBlocks([input(elements.date_picker), section({ blockId: 'b2' }), input(elements.checkboxes)], 'modal', 'view.blocks');
    only(errors, 'view.blocks[2].blockId', 'duplicate blockId "b1" (also view.blocks[0])');
  });
});

describe('rich text rules', () => {
  const rt = (...els: unknown[]) => ({ type: 'rich_text', elements: els });
  const rs = (...els: unknown[]) => ({ type: 'rich_text_section', elements: els });

  test('every violation inside rich text, at its path', () => {
    const block = rt(
      rs(
        { type: 'text', text: 'a', size: 4, style: { bold: 'yes' } },
        { type: 'link', url: 'javascript:alert(1)' },
        { type: 'emoji', name: '', skin_tone: 7 },
        { type: 'user' },
        { type: 'broadcast', range: 'everyone' },
        { type: 'image' },
      ),
      { type: 'rich_text_preformatted', elements: [{ type: 'link', url: 'https://a.example' }] },
      { type: 'rich_text_list', style: 'dashed', indent: 5, border: 2, offset: -1, elements: [{ type: 'rich_text_quote', elements: [] }] },
      { type: 'rich_text_quote' },
      { type: 'rich_text_list', elements: [] },
    );
    assert.deepEqual(modalBlock(block), [
      { field: 'blocks[0].elements[0].elements[0].style.bold', message: 'must be a boolean' },
      { field: 'blocks[0].elements[0].elements[0].size', message: 'must be between 1 and 3' },
      { field: 'blocks[0].elements[0].elements[1].url', message: 'must be an absolute http/https/mailto/tel URL' },
      { field: 'blocks[0].elements[0].elements[2].name', message: 'must not be empty' },
      { field: 'blocks[0].elements[0].elements[2].skin_tone', message: 'must be between 1 and 6' },
      { field: 'blocks[0].elements[0].elements[3].user_id', message: 'is required' },
      { field: 'blocks[0].elements[0].elements[4].range', message: 'must be channel or here' },
      { field: 'blocks[0].elements[0].elements[5]', message: 'unknown element type "image"' },
      { field: 'blocks[0].elements[1].elements[0]', message: 'preformatted text may only contain text elements' },
      { field: 'blocks[0].elements[2].style', message: 'must be ordered or bullet' },
      { field: 'blocks[0].elements[2].indent', message: 'must be between 0 and 4' },
      { field: 'blocks[0].elements[2].border', message: 'must be 0 or 1' },
      { field: 'blocks[0].elements[2].offset', message: 'must be at least 0' },
      { field: 'blocks[0].elements[2].elements[0]', message: 'list items must be rich_text_section' },
      { field: 'blocks[0].elements[3].elements', message: 'is required' },
      { field: 'blocks[0].elements[4].style', message: 'is required' },
      { field: 'blocks[0].elements[4].indent', message: 'is required' },
    ]);
  });

  test('rich text needs elements', () => {
    only(modalBlock({ type: 'rich_text' }), 'blocks[0].elements', 'is required');
  });
});

describe('limits and element rules', () => {
  test('labels ≤ 75, section text ≤ 1500, validationError ≤ 75', () => {
    only(modalBlock(input(elements.date_picker, { label: pt(x(76)) })), 'blocks[0].label.text', 'must be at most 75 characters');
    only(modalBlock(section({ text: pt(x(1501)) })), 'blocks[0].text.text', 'must be at most 1500 characters');
    only(modalBlock(input(elements.date_picker, { validationError: x(76) })), 'blocks[0].validationError', 'must be at most 75 characters');
    only(modalBlock(actions({ ...elements.button, text: pt(x(76)) })), 'blocks[0].elements[0].text.text', 'must be at most 75 characters');
    only(modalBlock(section({ text: { type: 'mrkdwn', text: 'hi' } })), 'blocks[0].text.type', 'must be plain_text');
    only(modalBlock(section({ text: pt('') })), 'blocks[0].text.text', 'must not be empty');
  });

  test('loadingTimeout ≤ 15 000 ms', () => {
    only(modalBlock(actions({ ...elements.button, loadingTimeout: 15_001 })), 'blocks[0].elements[0].loadingTimeout', 'must be between 0 and 15000');
    only(modalBlock(actions({ ...elements.button, loadingTimeout: 1.5 })), 'blocks[0].elements[0].loadingTimeout', 'must be an integer');
  });

  test('options ≤ 100, option value 1–100, unique values', () => {
    const many = Array.from({ length: 101 }, (_, i) => option(`v${i}`));
    const menu = (extra: object) => actions({ ...elements.static_select_menu, initial_option: undefined, ...extra });
    assert.deepEqual(validateBlock(actions({ ...elements.static_select_menu, options: many.slice(0, 100), initial_option: undefined }), 'message', 'b'), []);
    only(modalBlock(menu({ options: many })), 'blocks[0].elements[0].options', 'must have at most 100 options');
    only(modalBlock(actions({ ...elements.checkboxes, options: many, initial_options: [] })), 'blocks[0].elements[0].options', 'must have at most 100 options');
    only(
      modalBlock(menu({ options: [], option_groups: [{ label: pt('A'), options: many.slice(0, 60) }, { label: pt('B'), options: many.slice(60) }] })),
      'blocks[0].elements[0].option_groups',
      'must have at most 100 options',
    );
    only(modalBlock(menu({ options: [option(x(101), 'long')] })), 'blocks[0].elements[0].options[0].value', 'must be at most 100 characters');
    only(modalBlock(menu({ options: [option('a'), option('a')] })), 'blocks[0].elements[0].options[1].value', 'duplicate value "a" (also blocks[0].elements[0].options[0])');
    only(modalBlock(menu({ options: [{ text: pt(x(76)), value: 'a' }] })), 'blocks[0].elements[0].options[0].text.text', 'must be at most 75 characters');
    only(modalBlock(menu({ options: undefined })), 'blocks[0].elements[0].options', 'is required');
    only(modalBlock(menu({ placeholder: undefined })), 'blocks[0].elements[0].placeholder', 'is required');
  });

  test('initial options must be among the options', () => {
    only(modalBlock(actions({ ...elements.static_select_menu, initial_option: option('nope') })), 'blocks[0].elements[0].initial_option.value', '"nope" is not one of the options');
    only(modalBlock(actions({ ...elements.checkboxes, initial_options: [option('a'), option('c')] })), 'blocks[0].elements[0].initial_options[1].value', '"c" is not one of the options');
  });

  test('button: style, url, value', () => {
    const errors = modalBlock(actions({ ...elements.button, style: 'loud', url: 'ftp://x', value: x(2001) }));
    assert.deepEqual(errors, [
      { field: 'blocks[0].elements[0].value', message: 'must be at most 2000 characters' },
      { field: 'blocks[0].elements[0].style', message: 'must be one of primary, secondary, warning, danger' },
      { field: 'blocks[0].elements[0].url', message: 'must be an absolute http or https URL' },
    ]);
    only(modalBlock(actions({ type: 'button' })), 'blocks[0].elements[0].text', 'is required');
  });

  test('confirm dialogs need title, text, confirm and deny', () => {
    const errors = modalBlock(actions({ ...elements.button, confirm: { title: pt('t'), text: pt(x(301)) } }));
    assert.deepEqual(errors.map((e) => e.field), [
      'blocks[0].elements[0].confirm.text.text',
      'blocks[0].elements[0].confirm.confirm',
      'blocks[0].elements[0].confirm.deny',
    ]);
  });

  test('plain_text_input: line mode, lengths, triggers', () => {
    const el = (extra: object) => modalBlock(input({ ...elements.plain_text_input, ...extra }));
    only(el({ line_mode: 'triple' }), 'blocks[0].element.line_mode', 'must be singleline or multiline');
    only(el({ min_length: 5, max_length: 2, initial_value: 'ab' }), 'blocks[0].element.max_length', 'must not be less than min_length');
    only(el({ initial_value: x(11) }), 'blocks[0].element.initial_value', 'must be at most 10 characters (max_length)');
    only(el({ max_length: 0 }), 'blocks[0].element.max_length', 'must be at least 1');
    assert.deepEqual(el({ interaction_triggers: ['on_input', 'on_enter_pressed'] }), []);
    only(el({ interaction_triggers: ['on_input', 'on_blur'] }), 'blocks[0].element.interaction_triggers[1]', 'must be on_enter_pressed or on_input');
  });

  test('onAction is required inside input blocks and on dynamic menus', () => {
    only(modalBlock(input({ ...elements.date_picker, onAction: undefined })), 'blocks[0].element.onAction', 'is required');
    only(modalBlock(actions({ ...elements.dynamic_select_menu, onAction: undefined })), 'blocks[0].elements[0].onAction', 'is required');
    assert.deepEqual(modalBlock(actions({ ...elements.button, onAction: undefined })), []);
    only(modalBlock(input(elements.date_picker, { blockId: undefined })), 'blocks[0].blockId', 'is required');
  });

  test('dates are YYYY-MM-DD; a range does not end before it starts', () => {
    only(modalBlock(input({ ...elements.date_picker, initial_date: '2025-02-30' })), 'blocks[0].element.initial_date', 'must be a date YYYY-MM-DD');
    only(modalBlock(input({ ...elements.date_range_picker, initial_date_range: { start: '2025-02-02', end: '2025-02-01' } })), 'blocks[0].element.initial_date_range.end', 'must not be before start');
    only(modalBlock(input({ ...elements.date_range_picker, initial_date_range: { start: '2025-02-02' } })), 'blocks[0].element.initial_date_range.end', 'is required');
  });

  test('section text position and accessory', () => {
    only(modalBlock(section({ text_position: 'center' })), 'blocks[0].text_position', 'must be left or right');
    only(modalBlock(section({ accessory: { ...elements.button, text: undefined } })), 'blocks[0].accessory.text', 'is required');
  });
});

describe('views', () => {
  const modal = (extra = {}) => ({
    type: 'MODAL', callbackId: 'cb1', title: pt('Title'), blocks: [input(elements.plain_text_input)], submit: pt('Save'), close: pt('Cancel'),
    notifyOnClose: false, ...extra,
  });

  test('the docs/app-platform.md §9.3 modal and a home view without title are valid', () => {
    const spec = { type: 'MODAL', callbackId: 'cb1', title: pt('Title'), blocks: [], submit: pt('Save'), notifyOnClose: false };
    assert.deepEqual(validateView(spec, 'view'), []);
    assert.deepEqual(validateView(modal({ id: 'V1', parentViewId: 'V0', state: { values: { b1: { txt: { type: 'plain_text_input', value: 'x' } } } } }), 'view'), []);
    assert.deepEqual(validateView({ type: 'HOME', blocks: [richText, section()] }, 'view'), []);
  });

  test('modal rules, every problem at once', () => {
    const errors = validateView(modal({ callbackId: undefined, title: pt(x(76)), submit: 'Save', notifyOnClose: 'no', blocks: [{ type: 'video' }] }), 'view');
    assert.deepEqual(errors, [
      { field: 'view.title.text', message: 'must be at most 75 characters' },
      { field: 'view.blocks[0]', message: 'unknown block type "video"' },
      { field: 'view.callbackId', message: 'is required' },
      { field: 'view.submit', message: 'must be an object' },
      { field: 'view.notifyOnClose', message: 'must be a boolean' },
    ]);
  });

  test('type is MODAL or HOME; blocks are required', () => {
    assert.deepEqual(validateView({ type: 'PAGE', title: pt('t') }, 'view'), [
      { field: 'view.type', message: 'must be MODAL or HOME' },
      { field: 'view.blocks', message: 'is required' },
    ]);
    only(validateView(null, 'view'), 'view', 'is required');
  });

  test('state shape', () => {
    const errors = validateView(
      { type: 'HOME', blocks: [], state: { values: { b1: { a: { type: 'checkboxes', values: ['x', 1] }, b: { type: 't' }, c: 'x' }, b2: [] } } },
      'home',
    );
    assert.deepEqual(errors, [
      { field: 'home.state.values.b1.a.values[1]', message: 'must be a string' },
      { field: 'home.state.values.b1.b', message: 'needs value or values' },
      { field: 'home.state.values.b1.c', message: 'must be an object' },
      { field: 'home.state.values.b2', message: 'must be an object' },
    ]);
  });
});

describe('sanitizeMessageBlocks', () => {
  test('keeps valid blocks in order and reports the dropped ones', () => {
    const badList = { type: 'rich_text', elements: [{ type: 'rich_text_list', style: 'bullet', indent: 9, elements: [] }] };
    const result = sanitizeMessageBlocks([richText, section(), { type: 'divider' }, badList, actions(elements.button)]);
    assert.deepEqual(result.blocks, [richText, { type: 'divider' }, actions(elements.button)]);
    assert.deepEqual(result.dropped, [
      { field: 'blocks[1]', message: 'section blocks are not allowed in messages' },
      { field: 'blocks[3].elements[0].indent', message: 'must be between 0 and 4' },
    ]);
  });

  test('a non-array drops everything; the path prefix is the caller\'s', () => {
    assert.deepEqual(sanitizeMessageBlocks({ type: 'divider' }), { blocks: [], dropped: [{ field: 'blocks', message: 'must be an array' }] });
    assert.deepEqual(sanitizeMessageBlocks([1], 'attachments[0].blocks').dropped, [{ field: 'attachments[0].blocks[0]', message: 'must be an object' }]);
    assert.deepEqual(sanitizeMessageBlocks([]), { blocks: [], dropped: [] });
  });
});
