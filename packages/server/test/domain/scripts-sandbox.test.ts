/**
 * The script sandbox (docs/integrations.md §9): scripts run in QuickJS inside a worker thread, with
 * per-call limits, JSON-only crossings, and the globals of §9.3. The security list (realm escapes,
 * pollution, runaway time, memory, console, stack, SSRF) is in sandbox-security.test.ts.
 *
 * Limits are small (callMs 200) to keep the file fast; time assertions only use generous bounds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ScriptRunner, type ScriptFetch } from '../../src/scripts/index.js';
import { FAST, failed, ok, runner } from '../support/sandbox-fixtures.js';


const INCOMING = `
/* exported Script */
/* globals console, _, s */
class Script {
  /**
   * @params {object} request
   */
  process_incoming_request({ request }) {
    console.log(request.content);
    return {
      content: {
        text: request.content.text + ' from ' + request.user.username,
        "attachments": [{ "color": "#FF0000", "title": "Rocket.Chat", "fields": [{ "title": "Priority", "value": "High", "short": false }] }]
      }
    };
    // return { error: { success: false, message: 'Error example' } };
  }
}`;

// ---- happy paths ---------------------------------------------------------------------------------

test('a Rocket.Chat incoming script runs and its result comes back as a JSON copy', async () => {
  const r = await runner(INCOMING);
  assert.equal(await r.hasMethod('process_incoming_request'), true);
  assert.equal(await r.hasMethod('prepare_outgoing_request'), false);
  const request = { content: { text: 'hi' }, user: { _id: 'u1', username: 'rocket.cat' } };
  const before = Date.now();
  const res = await r.call('process_incoming_request', { request });
  const after = Date.now();
  assert.deepEqual(ok(res), {
    content: { text: 'hi from rocket.cat', attachments: [{ color: '#FF0000', title: 'Rocket.Chat', fields: [{ title: 'Priority', value: 'High', short: false }] }] },
  });
  assert.equal(res.console.length, 1);
  assert.equal(res.console[0]!.level, 'log');
  assert.equal(res.console[0]!.text, '{"text":"hi"}');
  assert.ok(res.console[0]!.ts >= before && res.console[0]!.ts <= after, `logged during the call: ${res.console[0]!.ts} in [${before}, ${after}]`);
});

test('async methods, awaited promises and values that JSON drops or converts', async () => {
  const r = await runner(`class Script {
    async later({ x }) { await null; const y = await new Promise((resolve) => resolve(x * 2)); return { y } }
    nothing() {}
    promised() { return Promise.resolve({ p: true }) }
    odd() { return { f() {}, u: undefined, d: new Date(0), n: NaN, nested: [undefined, () => 1] } }
  }`);
  assert.deepEqual(ok(await r.call('later', { x: 21 })), { y: 42 });
  assert.equal(ok(await r.call('nothing', {})), undefined);
  assert.deepEqual(ok(await r.call('promised', undefined)), { p: true });
  assert.deepEqual(ok(await r.call('odd', {})), { d: '1970-01-01T00:00:00.000Z', n: null, nested: [null, null] });
});

test('Store keeps values across calls of one runner and is per runner', async () => {
  const source = `class Script { count() { return Store.set('n', (Store.get('n') || 0) + 1) } read({ key }) { return Store.get(key) === undefined ? 'none' : Store.get(key) } }`;
  const a = await runner(source);
  const b = await runner(source);
  assert.equal(ok(await a.call('count', {})), 1);
  assert.equal(ok(await a.call('count', {})), 2);
  assert.equal(ok(await a.call('count', {})), 3);
  assert.equal(ok(await b.call('count', {})), 1);
  assert.equal(ok(await a.call('read', { key: 'n' })), 3);
  assert.equal(ok(await a.call('read', { key: 'other' })), 'none');
});

test('console: every level, util.format-style placeholders, errors, objects', async () => {
  const r = await runner(`class Script { m() {
    console.log('plain', 1, true, null, undefined, { a: [1] });
    console.info('%s is %d years', 'Bob', 42);
    console.warn(new TypeError('bad'));
    console.error('err');
    console.debug(Symbol('x'), 10n, function named() {});
    return 'done';
  } }`);
  const res = await r.call('m', {});
  assert.equal(ok(res), 'done');
  assert.deepEqual(
    res.console.map((l) => l.level),
    ['log', 'info', 'warn', 'error', 'debug'],
  );
  assert.equal(res.console[0]!.text, 'plain 1 true null undefined {"a":[1]}');
  assert.equal(res.console[1]!.text, 'Bob is 42 years');
  assert.match(res.console[2]!.text, /^TypeError: bad/);
  assert.equal(res.console[4]!.text, 'Symbol(x) 10n [Function: named]');
});

test('s: the underscore.string subset', async () => {
  const r = await runner(`class Script { m() { return {
    trim: s.trim('  a b  '), trimChars: s.trim('__a__', '_'), ltrim: s.ltrim('  a '), rtrim: s.rtrim(' a  '),
    capitalize: s.capitalize('foo Bar'), capitalizeRest: s.capitalize('FOO', true),
    startsWith: s.startsWith('image.gif', 'image'), endsWith: s.endsWith('image.gif', 'gif'), notEnds: s.endsWith('image.gif', 'png'),
    include: s.include('foobar', 'ob'), contains: s.contains('foobar', 'x'),
    words: s.words('   I   love   you   '), lines: s.lines('a\\nb\\r\\nc'),
    replaceAll: s.replaceAll('a.b.c', '.', '-'), strLeft: s.strLeft('This_is_a_test_string', '_'), strRight: s.strRight('This_is_a_test_string', '_'),
    strLeftBack: s.strLeftBack('a_b_c', '_'), strRightBack: s.strRightBack('a_b_c', '_'),
    truncate: s.truncate('Hello world', 5), prune: s.prune('Hello, world', 5),
    escapeHTML: s.escapeHTML('<div class="x">Blah & \\'blah\\'</div>'), unescapeHTML: s.unescapeHTML('&lt;div&gt;Blah &amp; &#39;x&#39; &#x41;&lt;/div&gt;'),
    slugify: s.slugify("Un éléphant à l'orée du bois"), isBlank: [s.isBlank(''), s.isBlank(' \\n'), s.isBlank('a'), s.isBlank(null)],
    count: s.count('Hello world', 'l'), clean: s.clean(' foo    bar   '),
    numberFormat: [s.numberFormat(1000, 2), s.numberFormat(123456789.123, 5, '.', ','), s.numberFormat(1234.5, 1, ',', '.')],
    pad: [s.pad('1', 8), s.pad('1', 8, '0'), s.pad('1', 8, '0', 'right'), s.pad('1', 8, '0', 'both')],
    lpad: s.lpad('1', 3, '0'), rpad: s.rpad('1', 3, '0'),
    sprintf: [s.sprintf('%.1f', 1.17), s.sprintf('%s has %d items', 'cart', 3), s.sprintf('%05d|%-4s|%x', 42, 'ab', 255), s.sprintf('100%%')],
    camelize: s.camelize('-moz-transform'), dasherize: s.dasherize('MozTransform'), underscored: s.underscored('MozTransform'),
    titleize: s.titleize('my name is epeli'), humanize: s.humanize('  capitalize dash-CamelCase_underscore trim  '),
    chain: s('  hello world ').trim().capitalize().value(), levenshtein: s.levenshtein('kitten', 'kittah'),
    toSentence: s.toSentence(['jQuery', 'Mootools', 'Prototype']), toBoolean: [s.toBoolean('true'), s.toBoolean('0'), s.toBoolean('maybe')],
  } } }`);
  const got = ok(await r.call('m', {})) as Record<string, unknown>;
  const expected: Record<string, unknown> = {
    trim: 'a b', trimChars: 'a', ltrim: 'a ', rtrim: ' a',
    capitalize: 'Foo Bar', capitalizeRest: 'Foo',
    startsWith: true, endsWith: true, notEnds: false, include: true, contains: false,
    words: ['I', 'love', 'you'], lines: ['a', 'b', 'c'],
    replaceAll: 'a-b-c', strLeft: 'This', strRight: 'is_a_test_string', strLeftBack: 'a_b', strRightBack: 'c',
    truncate: 'Hello...', prune: 'Hello...',
    escapeHTML: '&lt;div class=&quot;x&quot;&gt;Blah &amp; &#39;blah&#39;&lt;/div&gt;', unescapeHTML: "<div>Blah & 'x' A</div>",
    slugify: 'un-elephant-a-l-oree-du-bois', isBlank: [true, true, false, true],
    count: 3, clean: 'foo bar',
    numberFormat: ['1,000.00', '123,456,789.12300', '1.234,5'],
    pad: ['       1', '00000001', '10000000', '00001000'],
    lpad: '001', rpad: '100',
    sprintf: ['1.2', 'cart has 3 items', '00042|ab  |ff', '100%'],
    camelize: 'MozTransform', dasherize: '-moz-transform', underscored: 'moz_transform',
    titleize: 'My Name Is Epeli', humanize: 'Capitalize dash camel case underscore trim',
    chain: 'Hello world', levenshtein: 2,
    toSentence: 'jQuery, Mootools and Prototype', toBoolean: [true, false, null],
  };
  for (const [key, value] of Object.entries(expected)) assert.deepEqual(got[key], value, `s.${key}`);
});

test('sloppy mode: class methods may assign undeclared variables (transpiled), strict with skipTranspile', async () => {
  const source = `class Script {
    process_incoming_request({ request }) {
      msg = request.content.text;
      const self = (function () { return this })();
      return { content: { text: msg, thisIsGlobal: self === globalThis } };
    }
  }`;
  const sloppy = await runner(source);
  assert.deepEqual(ok(await sloppy.call('process_incoming_request', { request: { content: { text: 'old script' } } })), {
    content: { text: 'old script', thisIsGlobal: true },
  });
  const strict = await runner(source, { skipTranspile: true });
  const err = failed(await strict.call('process_incoming_request', { request: { content: { text: 'x' } } }), 'exception');
  assert.equal(err.name, 'ReferenceError');
  assert.match(err.message, /msg/);
  assert.match(err.stack!, /script\.js:3/, 'the stack points at the line of the original script');
});

test('errors thrown by the script: name, message and a stack with script.js line numbers', async () => {
  const r = await runner(`class Script {
    m() {
      throw new RangeError('out of range');
    }
    str() { throw 'just a string' }
    rejected() { return Promise.reject(new Error('async boom')) }
    fine() { return 1 }
  }`);
  const e = failed(await r.call('m', {}), 'exception');
  assert.equal(e.name, 'RangeError');
  assert.equal(e.message, 'out of range');
  assert.match(e.stack!, /^RangeError: out of range\n\s+at m \(script\.js:3/);
  assert.equal(failed(await r.call('str', {}), 'exception').message, 'just a string');
  assert.equal(failed(await r.call('rejected', {}), 'exception').message, 'async boom');
  assert.match(failed(await r.call('nope', {}), 'missing-method').message, /no method nope/);
  assert.equal(ok(await r.call('fine', {})), 1, 'exceptions do not spoil the sandbox');
});

test('load failures: syntax error, no class Script, top-level throw, runaway top level', async (t) => {
  const syntax = new ScriptRunner('class Script { m() { return ( } }', { limits: FAST });
  t.after(() => syntax.dispose());
  const e = failed(await syntax.call('m', {}), 'compile');
  assert.equal(e.name, 'SyntaxError');
  assert.equal(await syntax.hasMethod('m'), false);

  const noClass = await runner('function helper() { return 1 }');
  assert.match(failed(await noClass.call('m', {}), 'compile').message, /class Script/);

  const throwing = await runner(`throw new Error('top level'); class Script { m() {} }`);
  assert.equal(failed(await throwing.call('m', {}), 'exception').message, 'top level');

  const constructorThrows = await runner(`class Script { constructor() { throw new TypeError('ctor') } m() {} }`);
  assert.equal(failed(await constructorThrows.call('m', {}), 'exception').message, 'ctor');

  const spinning = await runner('while (true) {} class Script { m() {} }', { limits: { evalMs: 200 } });
  const res = await spinning.call('m', {});
  assert.match(failed(res, 'timeout').message, /evaluating the script/);
});

test('legacy globals are not offered: setTimeout, _, moment, HTTP, require, process, Buffer', async () => {
  const r = await runner(`class Script {
    kinds() { return ['setTimeout', '_', 'moment', 'HTTP', 'require', 'process', 'Buffer', 'module', 'Livechat', 'setInterval', 'global'].map((n) => typeof globalThis[n]) }
    offered() { return [typeof console, typeof Store, typeof fetch, typeof s, typeof JSON, typeof Promise, typeof Date, typeof RegExp, typeof Uint8Array] }
    useTimeout() { setTimeout(() => {}, 10) }
    useUnderscore() { return _.pluck([], 'x') }
  }`);
  assert.deepEqual(ok(await r.call('kinds', {})), Array(11).fill('undefined'));
  assert.deepEqual(ok(await r.call('offered', {})), ['object', 'object', 'function', 'function', 'object', 'function', 'function', 'function', 'function']);
  for (const m of ['useTimeout', 'useUnderscore']) {
    const e = failed(await r.call(m, {}), 'exception');
    assert.equal(e.name, 'ReferenceError', m);
  }
});

// ---- fetch (with a fake ScriptFetch; the SSRF-guarded one is in scripts-fetch.test.ts) ----------

test('fetch goes through the injected ScriptFetch and answers like a Response', async () => {
  const seen: Array<{ url: string; method?: string; headers?: Record<string, string>; body?: string }> = [];
  const fakeFetch: ScriptFetch = async (url, init) => {
    seen.push({ url, ...(init.method && { method: init.method }), ...(init.headers && { headers: { ...init.headers } }), ...(init.body !== undefined && { body: init.body }) });
    assert.ok(init.signal instanceof AbortSignal);
    return { status: 201, statusText: 'Created', headers: { 'Content-Type': 'application/json', 'x-n': '1' }, body: JSON.stringify({ echo: url }) };
  };
  const r = await runner(
    `class Script {
      async process_incoming_request({ request }) {
        const res = await fetch('https://api.example.com/x?q=1', { method: 'POST', headers: { 'X-Token': 't' }, body: { a: 1 } });
        const json = await res.json();
        const again = await fetch('https://api.example.com/text');
        return { content: { text: [res.status, res.ok, res.statusText, res.headers['content-type'], json.echo, await again.text()].join(' | ') } };
      }
    }`,
    { fetch: fakeFetch },
  );
  const result = ok(await r.call('process_incoming_request', { request: {} })) as { content: { text: string } };
  assert.equal(result.content.text, '201 | true | Created | application/json | https://api.example.com/x?q=1 | {"echo":"https://api.example.com/text"}');
  assert.deepEqual(seen[0], { url: 'https://api.example.com/x?q=1', method: 'POST', headers: { 'X-Token': 't' }, body: '{"a":1}' });
  assert.deepEqual(seen[1], { url: 'https://api.example.com/text' });
});

test('fetch: rejects without a ScriptFetch, at most fetchCalls per call, errors reach the script', async () => {
  const none = await runner(`class Script { async m() { try { await fetch('https://x.test/') } catch (e) { return e.message } } }`);
  assert.match(ok(await none.call('m', {})) as string, /not available/);

  let calls = 0;
  const counting: ScriptFetch = async () => {
    calls++;
    return { status: 200, statusText: 'OK', headers: {}, body: 'x' };
  };
  const limited = await runner(
    `class Script { async m() { const out = []; for (let i = 0; i < 5; i++) { try { await fetch('https://x.test/' + i); out.push('ok') } catch (e) { out.push(e.message) } } return out } }`,
    { fetch: counting, limits: { fetchCalls: 3 } },
  );
  const out = ok(await limited.call('m', {})) as string[];
  assert.deepEqual(out.slice(0, 3), ['ok', 'ok', 'ok']);
  assert.match(out[3]!, /at most 3/);
  assert.equal(calls, 3);
  // the count is per call
  assert.deepEqual((ok(await limited.call('m', {})) as string[]).slice(0, 3), ['ok', 'ok', 'ok']);

  const failing: ScriptFetch = async () => {
    throw new Error('fetch blocked: 169.254.169.254 is not an address scripts may reach');
  };
  const uncaught = await runner(`class Script { async m() { await fetch('http://169.254.169.254/') } }`, { fetch: failing });
  const e = failed(await uncaught.call('m', {}), 'exception');
  assert.equal(e.name, 'FetchError');
  assert.match(e.message, /blocked/);
});

test('fetch time: each fetch times out, and the call wall clock covers awaited fetches', async () => {
  const hanging: ScriptFetch = (_url, init) =>
    new Promise((_resolve, reject) => init.signal?.addEventListener('abort', () => reject(new Error('aborted'))));
  const perFetch = await runner(`class Script { async m() { try { await fetch('https://slow.test/') } catch (e) { return e.message } } }`, {
    fetch: hanging,
    limits: { fetchTimeoutMs: 100 },
  });
  assert.match(ok(await perFetch.call('m', {})) as string, /within 100 ms/);

  const wall = await runner(`class Script { async m() { await fetch('https://slow.test/'); return 'never' } }`, {
    fetch: hanging,
    limits: { wallMs: 300, fetchTimeoutMs: 10_000 },
  });
  const res = await wall.call('m', {});
  assert.match(failed(res, 'timeout').message, /within 300 ms/);
});

test('a promise that can never settle ends the call instead of hanging it', async () => {
  const r = await runner(`class Script { m() { return new Promise(() => {}) } n() { return 'fine' } }`, { limits: { wallMs: 60_000 } });
  const res = await r.call('m', {});
  assert.match(failed(res, 'timeout').message, /never settles/);
  assert.equal(ok(await r.call('n', {})), 'fine');
});

test('results that cannot be JSON: BigInt and cycles are exceptions', async () => {
  const r = await runner(`class Script { big() { return { n: 1n } } cycle() { const a = {}; a.a = a; return a } }`);
  assert.equal(failed(await r.call('big', {}), 'exception').name, 'TypeError');
  assert.equal(failed(await r.call('cycle', {}), 'exception').name, 'TypeError');
});

test('calls on one runner run one at a time; dispose ends the runner', async () => {
  const fakeFetch: ScriptFetch = async (url) => {
    await new Promise((resolve) => setTimeout(resolve, 20));
    return { status: 200, statusText: 'OK', headers: {}, body: url };
  };
  const r = await runner(
    `class Script { async m({ i }) { Store.set('active', (Store.get('active') || 0) + 1); const max = Store.get('active'); await fetch('https://x.test/' + i); Store.set('active', Store.get('active') - 1); return max } }`,
    { fetch: fakeFetch },
  );
  const results = await Promise.all([0, 1, 2, 3].map((i) => r.call('m', { i })));
  assert.deepEqual(results.map(ok), [1, 1, 1, 1]);
  r.dispose();
  await assert.rejects(r.call('m', { i: 9 }), /disposed/);
});
