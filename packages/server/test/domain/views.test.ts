/**
 * The pure rules of views and interactive elements (docs/app-platform.md §7.3, §9.3, §9.5;
 * docs/pumble-api.md §12.7): element lookup, which elements trigger, the envelope's actionType and
 * payload, initial and carried state, submitted values, the SDK's view shapes, and dynamic-menu
 * options. Then the interaction rules on a real store with the clock driven by the test: the
 * per-person trigger limit, `interactions/complete`'s token and 60-s rules, a shortcut's thread, and
 * a trigger sender that throws. Then the views themselves: racing answers for one person on both
 * engines (one stack, at most three deep), non-ids refused before the store, a PUSH with no parent
 * onto an open stack, a built-in home view read without a write, interaction values against the
 * current view, and an app's deletion closing its modals.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { actionTypeOf, carryState, checkSubmittedState, findElement, initialState, interactionPayload, messageBlocks, triggersInteraction } from '../../src/domain/apps/view-state.js';
import { BLOCK_LIMITS, validateOptionList, validateView } from '../../src/domain/blocks.js';
import { Views } from '../../src/domain/apps/views.js';
import { TRIGGER_LIMITS } from '../../src/domain/apps/trigger-runner.js';
import type { TriggerResult, TriggerSender } from '../../src/domain/apps/triggers.js';
import { createCore } from '../../src/domain/index.js';
import type { Notice } from '../../src/domain/events.js';
import type { View } from '../../src/domain/ports/views.js';
import { MemoryRateLimiter } from '../../src/limits/rate-limiter.js';
import { migrate } from '../../src/store/database.js';
import { Store } from '../../src/store/store.js';
import { engines, type TestEngine } from '../support/engines.js';

const EXAMPLE = JSON.parse(readFileSync(new URL('../support/fixtures/example-manifest.json', import.meta.url), 'utf8'));

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

test('buttons sharing an onAction are told apart by the clicked one\'s value; a value none carries finds none', () => {
  const vote = [{ type: 'actions', blockId: 'poll', elements: ['yes', 'no'].map((v) => ({ type: 'button', onAction: 'vote', value: v, text: text(v) })) }];
  assert.equal(findElement(vote, 'vote', undefined, 'no')?.element.value, 'no');
  assert.equal(findElement(vote, 'vote', 'poll', 'yes')?.element.value, 'yes');
  assert.equal(findElement(vote, 'vote')?.element.value, 'yes', 'no value: the first, as before');
  assert.equal(findElement(vote, 'vote', undefined, 'maybe'), undefined);
  assert.equal(findElement(blocks, 'go', undefined, 'anything')?.blockId, 'acts', 'one element: the value does not matter');
});

test('only interactive elements trigger: text inputs with interaction_triggers, input-block elements with dispatchAction', () => {
  const input = (element: object, extra: object = {}) => ({ type: 'input', blockId: 'b', label: text('L'), element, ...extra });
  const found = (block: object, onAction: string) => findElement([block], onAction)!;
  const textInput = { type: 'plain_text_input', onAction: 't' };
  const select = { type: 'static_select_menu', onAction: 's', placeholder: text('…'), options: opts('a') };
  assert.equal(triggersInteraction(found(input(select), 's')), false, 'an input block without dispatchAction: read with the submit');
  assert.equal(triggersInteraction(found(input(select, { dispatchAction: true }), 's')), true);
  assert.equal(triggersInteraction(found(input(textInput, { dispatchAction: true }), 't')), false, 'a text input needs interaction_triggers too');
  assert.equal(triggersInteraction(found(input({ ...textInput, interaction_triggers: ['on_enter_pressed'] }, { dispatchAction: true }), 't')), true);
  assert.equal(triggersInteraction(found(input({ ...textInput, interaction_triggers: ['on_input'] }), 't')), false, 'nor without dispatchAction');
  assert.equal(triggersInteraction(found({ type: 'actions', elements: [textInput] }, 't')), false);
  assert.equal(triggersInteraction(found({ type: 'actions', elements: [{ ...textInput, interaction_triggers: 'on_enter_pressed' }] }, 't')), true);
  assert.equal(triggersInteraction(found({ type: 'actions', elements: [select] }, 's')), true);
  assert.equal(triggersInteraction(found({ type: 'section', text: text('x'), accessory: { type: 'button', onAction: 'go', text: text('Go') } }, 'go')), true);
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

test('a view holds at most 100 blocks, published or answered', () => {
  const modal = (n: number) => ({ type: 'MODAL', callbackId: 'c', title: text('T'), blocks: Array.from({ length: n }, () => ({ type: 'divider' })) });
  assert.equal(BLOCK_LIMITS.viewBlocks, 100);
  assert.deepEqual(validateView(modal(100), 'view'), []);
  assert.deepEqual(validateView(modal(101), 'view').map((e) => e.field), ['view.blocks']);
  assert.deepEqual(validateView({ type: 'HOME', blocks: modal(101).blocks }, '').map((e) => e.field), ['blocks']);
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

// ---- on a real store, with the clock and the app's answers driven by the test ----

/** The app as the runner meets it (the TriggerSender port): what each trigger gets, test by test. */
type Reply = (eventType: string, envelope: Record<string, unknown>) => Promise<TriggerResult['outcome']>;

async function world(t: TestContext, engine: TestEngine = engines[0]!) {
  const opened = await engine.open(t);
  if (!opened) return undefined;
  const { handle } = opened;
  t.after(() => opened.cleanup());
  await migrate(handle.db);
  const clock = { t: Date.parse('2030-01-01T00:00:00Z') };
  const now = () => clock.t;
  const published: Notice[] = [];
  const sent: Array<{ eventType: string; envelope: Record<string, unknown> }> = [];
  let reply: Reply = async () => ({ kind: 'ack', status: 200 });
  const sender: TriggerSender = {
    async send(_target, eventType, envelope) {
      sent.push({ eventType, envelope });
      return { outcome: await reply(eventType, envelope), deliveryId: '', durationMs: 0 };
    },
  };
  const store = new Store(handle.db, handle.engine);
  const core = createCore(store, { publish: (n) => void published.push(...n) }, { limiter: new MemoryRateLimiter(now), now, triggerSender: sender });
  const owner = (await core.accounts.bootstrap({ email: 'owner@example.com', password: 'password-123' }))!.owner;
  const member = await core.accounts.createUser(owner, { email: 'member@example.com', name: 'Member', password: 'password-123' });
  const app = await core.apps.create(owner, { ...EXAMPLE, name: 'views_app' });
  await core.installs.grant(owner, { clientId: app.id, scopes: 'messages:read,bot:messages:write' });
  const general = (await store.mainChannel(owner.workspaceId))!;
  const bot = (await store.user(owner.workspaceId, (await store.installation(app.id, owner.workspaceId))!.botUserId!))!;
  return { core, store, clock, published, sent, owner, member, app, general, bot, answer: (r: Reply) => void (reply = r) };
}

/** The world on SQLite, always there. */
async function sqliteWorld(t: TestContext) {
  return (await world(t))!;
}

const isDomainError = (kind: string, field?: string) => (err: any) => err.kind === kind && (field === undefined || err.errors?.[0]?.field === field);

test('triggers: one bucket per person shared with slash commands; beyond it 429 with Retry-After, refilled with time', async (t) => {
  const w = await sqliteWorld(t);
  const missing = 'ffffffffffffffffffffffff';
  const { capacity, refillPerSecond } = TRIGGER_LIMITS.perPerson;
  // Every call counts, refused ones too: each is a 404 here and costs a token.
  for (let i = 0; i < capacity; i++) await assert.rejects(w.core.interactions.closeView(w.owner, missing), isDomainError('not_found'));
  await assert.rejects(w.core.interactions.closeView(w.owner, missing), (err: any) => err.kind === 'rate_limited' && err.retryAfterSeconds >= 1);
  await assert.rejects(w.core.interactions.submitView(w.owner, missing, {}), isDomainError('rate_limited'));
  await assert.rejects(w.core.interactions.runShortcut(w.owner, { appId: w.app.id, name: 'global_shortcut', channelId: w.general.id }), isDomainError('rate_limited'));
  await assert.rejects(w.core.commands.run(w.owner, w.general.id, '/my_slash_command hi'), isDomainError('rate_limited'), 'slash commands share the bucket');
  assert.equal(w.sent.length, 0, 'nothing reached the app');
  await assert.rejects(w.core.interactions.closeView(w.member, missing), isDomainError('not_found'), 'another person has a bucket of their own');
  w.clock.t += 1000 / refillPerSecond;
  await assert.rejects(w.core.interactions.closeView(w.owner, missing), isDomainError('not_found'), 'a token back after 1/10 s');
  await assert.rejects(w.core.interactions.closeView(w.owner, missing), isDomainError('rate_limited'));
});

test("interactions/complete: another person's user token is 403; past the 60-s window it is 404", async (t) => {
  const w = await sqliteWorld(t);
  const msg = await w.core.messages.post(w.bot, w.general.id, { text: 'x', blocks: [{ type: 'actions', elements: [{ type: 'button', onAction: 'slow', text: text('Slow'), loadingTimeout: 15000 }] }] });
  const click = await w.core.interactions.blockInteraction(w.owner, { sourceType: 'MESSAGE', sourceId: msg.id, channelId: w.general.id, onAction: 'slow' });
  await click.settled;
  const body = { triggerId: click.triggerId, sourceType: 'MESSAGE', sourceId: msg.id, channelId: w.general.id };
  await assert.rejects(w.core.interactions.complete({ appId: w.app.id, kind: 'user', user: w.member }, body), isDomainError('forbidden'));
  await assert.rejects(w.core.interactions.complete({ appId: w.app.id, kind: 'bot', user: w.bot }, body), isDomainError('forbidden'));
  w.clock.t += 60_000;
  await w.core.interactions.complete({ appId: w.app.id, kind: 'user', user: w.owner }, body); // the last millisecond of the window

  const again = await w.core.interactions.blockInteraction(w.owner, { sourceType: 'MESSAGE', sourceId: msg.id, channelId: w.general.id, onAction: 'slow' });
  await again.settled;
  w.clock.t += 60_001;
  await assert.rejects(w.core.interactions.complete({ appId: w.app.id, kind: 'user', user: w.owner }, { ...body, triggerId: again.triggerId }), isDomainError('not_found'));
});

test("a global shortcut's thread must be a thread of its channel; a message shortcut answers in the message's own thread", async (t) => {
  const w = await sqliteWorld(t);
  const root = await w.core.messages.post(w.owner, w.general.id, { text: 'root' });
  const reply = await w.core.messages.post(w.owner, w.general.id, { text: 'reply', threadRootId: root.id });
  const global = (threadRootId: string) => w.core.interactions.runShortcut(w.owner, { appId: w.app.id, name: 'global_shortcut', channelId: w.general.id, threadRootId });
  await assert.rejects(global(reply.id), isDomainError('invalid', 'threadRootId'), 'a reply is not a thread root');
  await assert.rejects(global('ffffffffffffffffffffffff'), isDomainError('invalid', 'threadRootId'));
  await assert.rejects(global('not an id'), isDomainError('invalid', 'threadRootId'));
  const other = (await w.core.channels.create(w.owner, { name: 'elsewhere', type: 'PUBLIC' })).channel;
  const elsewhere = await w.core.messages.post(w.owner, other.id, { text: 'elsewhere' });
  await assert.rejects(global(elsewhere.id), isDomainError('invalid', 'threadRootId'), 'a thread of another channel');
  assert.equal(w.sent.length, 0);
  await (await global(root.id)).settled;
  assert.equal(w.sent.at(-1)!.envelope.threadRootId, root.id);

  w.answer(async () => ({ kind: 'nack', status: 400, message: 'Not here' }));
  const m = await w.core.interactions.runShortcut(w.owner, { appId: w.app.id, name: 'message_shortcut', channelId: w.general.id, messageId: reply.id, threadRootId: 'ffffffffffffffffffffffff' });
  await m.settled;
  assert.equal('threadRootId' in w.sent.at(-1)!.envelope, false, 'ON_MESSAGE carries no threadRootId (§7.2)');
  const told = w.published.filter((n) => n.event.type === 'message.ephemeral').map((n) => (n.event as any).message).find((x) => x.text === 'Not here');
  assert.equal(told?.threadRootId, root.id, "the answer goes to the message's thread");
});

test('a sender that throws: a failure logged as internal, the loading state ended failed, the offline message, no options — never an exception to the route', async (t) => {
  const w = await sqliteWorld(t);
  const msg = await w.core.messages.post(w.bot, w.general.id, {
    text: 'x',
    blocks: [{ type: 'actions', elements: [{ type: 'button', onAction: 'slow', text: text('Slow'), loadingTimeout: 5000 }, { type: 'dynamic_select_menu', onAction: 'onDynamicItemSelect', placeholder: text('…') }] }],
  });
  const broken = new Error('registry unavailable');
  w.answer(async () => {
    throw broken;
  });
  const click = await w.core.interactions.blockInteraction(w.owner, { sourceType: 'MESSAGE', sourceId: msg.id, channelId: w.general.id, onAction: 'slow' });
  await assert.rejects(click.settled, (err) => err === broken, 'settled rejects with the cause, for the route to log');
  const ended = w.published.find((n) => n.event.type === 'interaction.completed' && (n.event as any).load.triggerId === click.triggerId);
  assert.equal((ended?.event as any)?.by, 'failed');
  assert.ok(w.published.some((n) => n.event.type === 'message.ephemeral' && (n.event as any).message.text === EXAMPLE.offlineMessage), 'the offline message');
  const logged = (await w.store.deliveries.delivery(`msg_trigger_${click.triggerId}`))!;
  assert.deepEqual([logged.status, logged.lastError], ['failed', 'internal']);

  const menu = await w.core.interactions.dynamicMenuOptions(w.owner, { sourceType: 'MESSAGE', sourceId: msg.id, channelId: w.general.id, onAction: 'onDynamicItemSelect', query: 'a' });
  assert.deepEqual(menu.options, []);
  assert.equal(menu.error, broken);
});

// ---- the views themselves, on a real store (docs/app-platform.md §9.3, §11.2) ----

const modal = (callbackId: string, extra: Record<string, unknown> = {}) => ({
  type: 'MODAL',
  callbackId,
  title: text(callbackId),
  blocks: [
    { type: 'input', blockId: 'name', label: text('Name'), element: { type: 'plain_text_input', onAction: 'name' } },
    { type: 'actions', blockId: 'acts', elements: [{ type: 'button', onAction: 'more', text: text('More') }] },
  ],
  ...extra,
});
const viewAnswer = (envelope: Record<string, unknown>, view: unknown, action: 'OPEN' | 'PUSH' | 'UPDATE'): TriggerResult['outcome'] => ({
  kind: 'ack',
  status: 200,
  body: { triggerId: envelope.triggerId, view, viewType: 'NATIVE', action },
});
type World = Awaited<ReturnType<typeof sqliteWorld>>;
const stackOf = async (w: World, person = w.owner) => (await w.store.views.modalStack(person.id)).map((v) => ({ depth: v.depth, callbackId: v.callbackId, parent: v.stackParentId }));
const shortcut = (w: World, appId = w.app.id) => w.core.interactions.runShortcut(w.owner, { appId, name: 'global_shortcut', channelId: w.general.id });
/** Runs a global shortcut whose trigger the app answers with `view` and `action`; resolves once applied. */
async function answered(w: World, view: unknown, action: 'OPEN' | 'PUSH' | 'UPDATE', appId = w.app.id): Promise<string> {
  w.answer(async (_type, envelope) => viewAnswer(envelope, view, action));
  const run = await shortcut(w, appId);
  await run.settled;
  return run.triggerId;
}

for (const engine of engines) {
  test(`two answers for one person at once never make two stacks or a fourth modal (${engine.name})`, async (t) => {
    const w = await world(t, engine);
    if (!w) return t.skip('engine not available');
    // The app holds both triggers until it has both, then answers both: the two units race (a
    // double click, two tabs). Many rounds: on PostgreSQL without the person's lock, a round where
    // both read the same stack is all but certain (docs/app-platform.md §9.3).
    const race = async (answers: Array<(envelope: Record<string, unknown>) => unknown>, action: 'OPEN' | 'PUSH') => {
      let release!: () => void;
      const both = new Promise<void>((r) => (release = r));
      let arrived = 0;
      w.answer(async (_type, envelope) => {
        const i = arrived++;
        if (arrived === answers.length) release();
        await both;
        return viewAnswer(envelope, answers[i]!(envelope), action);
      });
      const runs = await Promise.all(answers.map(() => shortcut(w)));
      await Promise.all(runs.map((r) => r.settled));
    };
    for (let round = 0; round < 8; round++) {
      w.clock.t += 1000; // the per-person trigger bucket refills
      await race([() => modal('a'), () => modal('b')], 'OPEN');
      const opened = await stackOf(w);
      assert.equal(opened.length, 1, `round ${round}: one stack of one modal, not ${JSON.stringify(opened)}`);

      const bottom = (await w.store.views.modalStack(w.owner.id))[0]!;
      await answered(w, modal('second', { parentViewId: bottom.id }), 'PUSH');
      const second = (await w.store.views.modalStack(w.owner.id))[1]!;
      // Half the rounds name the parent, half push onto the top without naming one.
      const pushed = () => modal('third', round % 2 === 0 ? { parentViewId: second.id } : {});
      await race([pushed, pushed], 'PUSH');
      const stack = await stackOf(w);
      assert.deepEqual(stack.map((v) => v.depth), [1, 2, 3], `round ${round}: at most three deep, one per depth: ${JSON.stringify(stack)}`);
      await w.core.views.closeByPerson(w.owner, bottom.id);
    }
  });

  test(`anything that is not an id is a 404 before the store: own, homeFor, publishHome (${engine.name})`, async (t) => {
    const w = await world(t, engine);
    if (!w) return t.skip('engine not available');
    // A NUL fails inside PostgreSQL (22021) rather than matching nothing: it must never get there.
    for (const bad of ['a\u0000b', '', 'x'.repeat(200)]) {
      await assert.rejects(w.core.views.own(w.owner, bad), isDomainError('not_found'));
      await assert.rejects(w.core.views.homeFor(w.owner, bad), isDomainError('not_found'));
      await assert.rejects(w.core.views.publishHome({ appId: w.app.id, kind: 'bot', user: w.bot }, bad, { blocks: [] }), isDomainError('not_found'));
      await assert.rejects(w.core.views.prepareSubmit(w.owner, bad, { values: {} }), isDomainError('not_found'));
    }
  });
}

test("a PUSH naming no parent while a stack is open goes onto the top when it is the app's own, and is refused (logged) when it is another app's", async (t) => {
  const w = await sqliteWorld(t);
  await answered(w, modal('first'), 'OPEN');
  // The slash command of a message, say: no parentViewId, no source view.
  await answered(w, modal('onto-top'), 'PUSH');
  const [first, second] = await w.store.views.modalStack(w.owner.id);
  assert.deepEqual(await stackOf(w), [
    { depth: 1, callbackId: 'first', parent: null },
    { depth: 2, callbackId: 'onto-top', parent: first!.id },
  ]);
  assert.ok(w.published.some((n) => n.event.type === 'view.pushed' && (n.event as any).view.id === second!.id));
  assert.equal(w.published.filter((n) => n.event.type === 'view.closed').length, 0, 'nothing replaced');

  const other = await w.core.apps.create(w.owner, { ...EXAMPLE, name: 'other_app', slashCommands: [] });
  await w.core.installs.grant(w.owner, { clientId: other.id, scopes: 'messages:read,bot:messages:write' });
  const triggerId = await answered(w, modal('intruder'), 'PUSH', other.id);
  assert.deepEqual((await stackOf(w)).map((v) => v.callbackId), ['first', 'onto-top'], "the first app's stack stays");
  assert.equal(w.published.filter((n) => n.event.type === 'view.closed').length, 0);
  const told = w.published.filter((n) => n.event.type === 'message.ephemeral').map((n) => (n.event as any).message);
  assert.ok(told.some((m) => /another app's modal is open/.test(m.text)), JSON.stringify(told.map((m) => m.text)));
  const logged = (await w.store.deliveries.delivery(`msg_trigger_${triggerId}`))!;
  assert.deepEqual([logged.status, logged.lastError], ['failed', 'invalid-answer']);

  // Onto a full stack of its own: the fourth-push refusal, as with a named parent.
  await answered(w, modal('third'), 'PUSH');
  const fourth = await answered(w, modal('fourth'), 'PUSH');
  assert.deepEqual((await stackOf(w)).map((v) => v.depth), [1, 2, 3]);
  assert.deepEqual([(await w.store.deliveries.delivery(`msg_trigger_${fourth}`))!.lastError], ['invalid-answer']);
});

test('a built-in home view read twice with nothing changed writes once: one version, one view.updated', async (t) => {
  const w = await sqliteWorld(t);
  await w.core.ensureBuiltinApps();
  const api = (await w.store.builtinApp(w.owner.workspaceId, 'api-keys'))!;
  await w.core.installs.installFromDirectory(w.owner, api.id);
  const first = await w.core.views.homeFor(w.owner, api.id);
  const again = await w.core.views.homeFor(w.owner, api.id);
  assert.deepEqual([again.id, again.version], [first.id, first.version], 'the same view, no new version');
  const updates = w.published.filter((n) => n.event.type === 'view.updated' && (n.event as any).view.id === first.id);
  assert.equal(updates.length, 1, 'one view.updated: a client refetching on it would otherwise loop');
  // A change renders anew: a key made, the page shows it.
  await w.core.installs.installFromDirectory(w.owner, api.id);
  const before = w.published.length;
  await w.core.apiKeys.generate(w.owner, 'nightly', 'api');
  const after = await w.core.views.homeFor(w.owner, api.id);
  assert.ok(after.version > again.version, 'a changed page is a new version');
  assert.ok(w.published.slice(before).some((n) => n.event.type === 'view.updated'));
});

test("an interaction's values are checked against, and merged into, the view as it is now, not as the caller read it", async (t) => {
  const w = await sqliteWorld(t);
  await answered(w, modal('m'), 'OPEN');
  const stale = (await w.store.views.modalStack(w.owner.id))[0]!;
  // The app changes the modal meanwhile: a new input, and a value of its own in the state.
  const changed = modal('m', {
    id: stale.id,
    blocks: [...(modal('m').blocks as unknown[]), { type: 'input', blockId: 'extra', label: text('Extra'), element: { type: 'plain_text_input', onAction: 'extra' } }],
    state: { values: { name: { name: { type: 'plain_text_input', value: 'from the app' } } } },
  });
  await answered(w, changed, 'UPDATE');
  const view = await w.core.views.prepareInteraction(stale, { values: { extra: { extra: { value: 'typed' } } } });
  const expected = { name: { name: { type: 'plain_text_input', value: 'from the app' } }, extra: { extra: { type: 'plain_text_input', value: 'typed' } } };
  assert.deepEqual(view.state.values, expected);
  assert.deepEqual((await w.store.views.view(stale.id))!.state.values, expected, "the app's value is not overwritten");
  assert.equal(view.version, 2, 'the envelope carries the current view');
});

test('deleting an app closes its open modals on the person\'s screen (view.closed, reason uninstalled)', async (t) => {
  const w = await sqliteWorld(t);
  await answered(w, modal('open'), 'OPEN');
  const [open] = await w.store.views.modalStack(w.owner.id);
  await w.core.apps.delete(w.owner, w.app.id);
  const closed = w.published.filter((n) => n.event.type === 'view.closed');
  assert.deepEqual(
    closed.map((n) => ({ audience: n.audience, viewId: (n.event as any).viewId, reason: (n.event as any).reason })),
    [{ audience: [w.owner.id], viewId: open!.id, reason: 'uninstalled' }],
  );
  assert.deepEqual(await w.store.views.modalStack(w.owner.id), []);
});
