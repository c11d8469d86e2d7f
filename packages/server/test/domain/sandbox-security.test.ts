/**
 * Sandbox security (issue #5 item 8; docs/integrations.md §9, docs/delivery.md §9), proven twice:
 *
 * 1. against ScriptRunner directly, with small limits: realm escapes (constructor chains, the Node
 *    `vm` / vm2 escape shapes), what crosses the boundary, prototype pollution, runaway time, memory,
 *    console output, stack, and fetch to metadata addresses under the default outbound policy;
 * 2. through a real server's incoming-hook URL: each hostile script answers 400
 *    `error-running-script` (or its own harmless result), posts nothing, and a normal hook on the
 *    same server answers 200 and posts right after; outgoing integrations cannot reach metadata
 *    addresses, neither by their URL (refused at create) nor through a prepare script (blocked).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { IntegrationError } from '../../src/domain/integrations/errors.js';
import type { User } from '../../src/domain/model.js';
import { outboundPolicy } from '../../src/domain/outbound-policy.js';
import { guardedScriptFetch } from '../../src/scripts/index.js';
import { failed, ok, runner } from '../support/sandbox-fixtures.js';
import { http, startTestServer, type TestServer } from '../support/helpers.js';

const closers: Array<() => Promise<void>> = [];
after(async () => {
  for (const close of closers) await close();
});

/** The host heap when this file started, to show that no script grew it. */
const HEAP_AT_START = process.memoryUsage().heapUsed;
const HOST_PROTO = Object.getOwnPropertyNames(Object.prototype).sort();


/** The host realm is untouched: nothing added to Object.prototype, nothing polluted. */
function assertHostClean(): void {
  assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), HOST_PROTO);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal((String.prototype as unknown as Record<string, unknown>).shout, undefined);
}

/**
 * Every global of the sandbox. ECMAScript's own (including ones QuickJS may add in a later version),
 * QuickJS's `InternalError`, and the four §9.3 offers; a name not listed here fails the inventory.
 */
const ALLOWED_GLOBALS = new Set([
  ...['globalThis', 'Infinity', 'NaN', 'undefined', 'eval', 'isFinite', 'isNaN', 'parseFloat', 'parseInt'],
  ...['decodeURI', 'decodeURIComponent', 'encodeURI', 'encodeURIComponent', 'escape', 'unescape'],
  ...['Object', 'Function', 'Boolean', 'Symbol', 'Number', 'BigInt', 'Math', 'Date', 'String', 'RegExp', 'JSON', 'Reflect', 'Proxy'],
  ...['Error', 'AggregateError', 'EvalError', 'RangeError', 'ReferenceError', 'SyntaxError', 'TypeError', 'URIError', 'InternalError', 'SuppressedError'],
  ...['Array', 'Map', 'Set', 'WeakMap', 'WeakSet', 'WeakRef', 'FinalizationRegistry', 'Promise', 'Iterator', 'Intl', 'Atomics'],
  ...['ArrayBuffer', 'SharedArrayBuffer', 'DataView', 'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array'],
  ...['Int32Array', 'Uint32Array', 'Float16Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array'],
  ...['console', 'Store', 'fetch', 's'],
  'Symbol(Symbol.toStringTag)',
]);

describe('ScriptRunner: nothing of the host is reachable', () => {
  test('constructor chains reach only the sandbox realm', async () => {
    const r = await runner(`class Script { m() {
      const probes = {
        ctorChain: () => this.constructor.constructor('return typeof process')(),
        ctorProcess: () => this.constructor.constructor('return process')(),
        functionThis: () => Function('return this')() === globalThis,
        fnCtorProcess: () => String((function () {}).constructor('return globalThis.process')()),
        protoChain: () => ({}).__proto__.constructor.constructor('return typeof require')(),
        asyncCtor: () => (async function () {}).constructor('return typeof process')() instanceof Promise,
        generatorCtor: () => (function* () {}).constructor('yield typeof process')().next().value,
        callerChain: function () {
          let f = arguments.callee, hops = 0;
          try { while (f && hops < 20) { f = f.caller; hops++ } } catch (e) { return 'stopped: ' + e.name }
          return 'ended after ' + hops;
        },
        callerCtor: function () { const c = arguments.callee.caller; return c ? c.constructor('return typeof process')() : 'no caller' },
        errorCtor: () => new Error().constructor.constructor('return typeof Buffer')(),
        symbolCtor: () => Symbol.constructor.constructor('return typeof process')(),
        consoleCtor: () => console.log.constructor('return typeof process')(),
        fetchCtor: () => fetch.constructor('return typeof process')(),
        storeCtor: () => Store.get.constructor('return typeof process')(),
        sCtor: () => s.constructor.constructor('return typeof require')(),
        importMeta: () => { try { return typeof eval('import.meta') } catch (e) { return e.name } },
        hostNames: () => ['process', 'require', 'Buffer', 'module', 'exports', 'global', '__dirname', 'std', 'os', 'print', 'scriptArgs', 'WebAssembly', 'setTimeout', 'queueMicrotask', 'structuredClone']
          .filter((n) => typeof globalThis[n] !== 'undefined').join(),
      };
      const out = {};
      for (const [name, probe] of Object.entries(probes)) {
        try { out[name] = probe() } catch (e) { out[name] = e.name + ': ' + e.message }
      }
      return out;
    } }`);
    const got = ok(await r.call('m', {})) as Record<string, unknown>;
    assert.equal(got.ctorChain, 'undefined');
    assert.match(String(got.ctorProcess), /^ReferenceError: .*process/);
    assert.equal(got.functionThis, true, "Function('return this')() is the sandbox's own global");
    assert.equal(got.fnCtorProcess, 'undefined');
    assert.equal(got.protoChain, 'undefined');
    assert.equal(got.asyncCtor, true);
    assert.equal(got.generatorCtor, 'undefined');
    assert.equal(got.callerChain, 'ended after 1', 'the probe has no caller: no frame outside the script is reachable');
    assert.equal(got.callerCtor, 'no caller');
    for (const k of ['errorCtor', 'symbolCtor', 'consoleCtor', 'fetchCtor', 'storeCtor', 'sCtor']) assert.equal(got[k], 'undefined', k);
    assert.notEqual(got.importMeta, 'object');
    assert.equal(got.hostNames, '');
  });

  test('the global inventory holds ECMAScript built-ins and the §9.3 offers, nothing else', async () => {
    const r = await runner(`class Script { m() {
      return Object.getOwnPropertyNames(globalThis).concat(Object.getOwnPropertySymbols(globalThis).map(String));
    } }`);
    const names = ok(await r.call('m', {})) as string[];
    assert.deepEqual(names.filter((n) => !ALLOWED_GLOBALS.has(n)), []);
    for (const offered of ['console', 'Store', 'fetch', 's']) assert.ok(names.includes(offered), offered);
  });

  test('require, process, Buffer and dynamic import() are not there', async () => {
    const r = await runner(`class Script {
      kinds() { return [typeof require, typeof process, typeof Buffer, typeof module, typeof global] }
      async imports() {
        const out = [];
        for (const m of ['fs', 'node:child_process', 'os', 'std', 'data:text/javascript,export default 1']) {
          try { await import(m); out.push(m + ' loaded') } catch (e) { out.push(e.name) }
        }
        return out;
      }
      useRequire() { return require('fs') }
    }`);
    assert.deepEqual(ok(await r.call('kinds', {})), Array(5).fill('undefined'));
    const imports = ok(await r.call('imports', {})) as string[];
    assert.equal(imports.filter((x) => x.endsWith('loaded')).length, 0, imports.join());
    assert.equal(failed(await r.call('useRequire', {}), 'exception').name, 'ReferenceError');
  });

  test('vm/vm2 escape shapes: prepareStackTrace, host-thrown errors, thrown Proxies and Symbols', async () => {
    const r = await runner(`class Script {
      async prepare() {
        Error.prepareStackTrace = (err, frames) => frames.map((f) => f.getThis && f.getThis());
        Error.captureStackTrace && Error.captureStackTrace({});
        const stack = new Error('x').stack;
        // errors made by the host side (no ScriptFetch here; then over the fetch budget) are objects
        // of the sandbox realm, like every other error
        const errors = [];
        for (let i = 0; i < 3; i++) {
          try { await fetch('https://example.com/') } catch (e) { errors.push(e.name + ' ' + e.constructor.constructor('return typeof process')()) }
        }
        return { stack: typeof stack, errors };
      }
      throwProxy() {
        throw new Proxy({}, {
          get(t, k) { return k === 'name' ? 'Proxied' : k === 'message' ? 'via a trap, typeof process: ' + typeof process : undefined },
          getPrototypeOf() { return null },
        });
      }
      throwRunawayProxy() { throw new Proxy({}, { get() { while (true) {} } }) }
      throwSymbol() { throw Symbol('thrown') }
      throwGetter() { throw { get name() { return typeof require }, message: 'getter' } }
    }`,
      { limits: { fetchCalls: 2 } },
    );
    const prepared = ok(await r.call('prepare', {})) as { stack: string; errors: string[] };
    assert.equal(prepared.stack, 'string', 'QuickJS has no prepareStackTrace hook: the stack stays a string');
    assert.deepEqual(prepared.errors, ['FetchError undefined', 'FetchError undefined', 'Error undefined']);
    // what was thrown is described inside the sandbox; only strings reach the host
    const proxied = failed(await r.call('throwProxy', {}), 'exception');
    assert.equal(proxied.name, 'Proxied');
    assert.equal(proxied.message, 'via a trap, typeof process: undefined');
    failed(await r.call('throwRunawayProxy', {}), 'timeout');
    assert.match(failed(await r.call('throwSymbol', {}), 'exception').message, /Symbol\(thrown\)/);
    assert.equal(failed(await r.call('throwGetter', {}), 'exception').name, 'undefined');
  });

  test('results are JSON copies made inside the sandbox: getters, proxies, toJSON, __proto__', async () => {
    const r = await runner(`class Script {
      getter() { return { get secret() { return typeof require } } }
      runawayGetter() { return { get x() { while (true) {} } } }
      proxy() {
        let traps = 0;
        return new Proxy({ a: 1 }, {
          get(t, k) { traps++; if (k === 'toJSON') return undefined; return k === 'a' ? 'from-trap-' + traps : t[k] },
          ownKeys() { traps++; return ['a'] },
          getOwnPropertyDescriptor() { return { value: 1, enumerable: true, configurable: true } },
        });
      }
      symbols() {
        return {
          [Symbol.toPrimitive]: () => { throw new Error('never called') },
          [Symbol.for('nodejs.util.inspect.custom')]: () => 'inspected',
          toJSON() { return { replaced: true, typeofProcess: typeof process } },
        };
      }
      fn() { return { f: function () { return 1 }, g: () => 2, kept: 'yes' } }
      poisoned() {
        const computed = { ['__proto__']: { polluted: 'computed' }, ok: 1 };
        const defined = Object.defineProperty({ ok: 2 }, '__proto__', { value: { polluted: 'defined' }, enumerable: true });
        const parsed = JSON.parse('{"__proto__": {"polluted": "parsed"}, "constructor": {"prototype": {"polluted": "ctor"}}, "ok": 3}');
        return [computed, defined, parsed, { nested: parsed }];
      }
    }`);
    assert.deepEqual(ok(await r.call('getter', {})), { secret: 'undefined' });
    failed(await r.call('runawayGetter', {}), 'timeout'); // the copy is guest time, under the guest's clock
    assert.match((ok(await r.call('proxy', {})) as { a: string }).a, /^from-trap-\d+$/);
    assert.deepEqual(ok(await r.call('symbols', {})), { replaced: true, typeofProcess: 'undefined' });
    assert.deepEqual(ok(await r.call('fn', {})), { kept: 'yes' }, 'functions cannot be returned');
    const poisoned = ok(await r.call('poisoned', {})) as Array<Record<string, unknown>>;
    assert.deepEqual(poisoned.map((o) => Object.keys(o)), [['ok'], ['ok'], ['ok'], ['nested']]);
    for (const o of [...poisoned, poisoned[3]!.nested as Record<string, unknown>]) {
      assert.equal(Object.getPrototypeOf(o), Object.prototype);
      assert.equal(o.polluted, undefined);
    }
    assertHostClean();
  });

  test('a replaced Promise species cannot forge or break what the engine reads back', async () => {
    // Promise#then builds its result through the species constructor; the sandbox's helpers must
    // not, or a script could hand the host a forged result (once: a host-side throw) or none at all.
    const r = await runner(`class Script {
      ok() { return 'ok' }
      forge() {
        class Forged extends Promise { constructor(ex) { super((res, rej) => ex(() => res('Jnot json{'), rej)) } }
        Object.defineProperty(Promise, Symbol.species, { value: Forged, configurable: true });
        return { content: { text: 'genuine' } };
      }
      notAPromise() {
        Promise.prototype.constructor = { [Symbol.species]: function (ex) { return { then() {} } } };
        return 'genuine';
      }
      async later() { await null; return 'genuine later' }
    }`);
    assert.deepEqual(ok(await r.call('forge', {})), { content: { text: 'genuine' } });
    assert.equal(ok(await r.call('ok', {})), 'ok');
    assert.equal(ok(await r.call('notAPromise', {})), 'genuine');
    // The script's own async functions now chain through its broken species: that breaks only itself.
    failed(await r.call('later', {}), 'exception');
    assert.equal(ok(await r.call('ok', {})), 'ok');
    assert.equal(r.sandboxesStarted, 1, 'the same sandbox served every call');
  });

  test('prototype pollution of what we pass in stays inside one sandbox', async () => {
    const source = `class Script {
      pollute({ request }) {
        request.content.text = 'changed';
        request.__proto__.polluted = 'arg-proto';
        Object.prototype.polluted = 'object-proto';
        Object.prototype.toJSON = function () { return 'hijacked' };
        String.prototype.shout = function () { return this.toUpperCase() + '!' };
        Array.prototype.push = function () { return 'hijacked' };
        JSON.stringify = () => 'hijacked';
        JSON.parse = () => ({ hijacked: true });
        return { seen: request.content.text };
      }
      check(arg) { return { polluted: ({}).polluted || 'clean', shout: typeof ''.shout, arg: arg.text } }
    }`;
    const a = await runner(source);
    const b = await runner(source);
    const arg = { request: { content: { text: 'original' } } };
    const polluted = await a.call('pollute', arg);
    assert.deepEqual(polluted.ok && polluted.result, 'hijacked', 'its own toJSON is the script’s business…');
    assert.deepEqual(arg, { request: { content: { text: 'original' } } }, '…but the argument was a copy');
    assertHostClean();
    // the polluted sandbox sees its own changes and still takes arguments and gives results…
    const again = await a.call('check', { text: 'next call' });
    assert.equal(again.ok && again.result, 'hijacked');
    // …and another integration's sandbox sees none of them
    assert.deepEqual(ok(await b.call('check', { text: 'other' })), { polluted: 'clean', shout: 'undefined', arg: 'other' });
  });
});

describe('ScriptRunner: time, memory, output and stack are bounded', () => {
  test('an infinite loop (sync, caught, async) ends as a timeout within callMs; the runner works after', async () => {
    const r = await runner(`class Script {
      spin() { Store.set('k', 'v'); while (true) {} }
      catchSpin() { try { while (true) {} } catch (e) { return 'caught' } finally { return 'finally' } }
      asyncSpin() { return (async () => { while (true) await null })() }
      microtasks() { const loop = () => Promise.resolve().then(loop); loop(); return new Promise(() => {}) }
      regex() { return /(a+)+$/.test('a'.repeat(40) + 'b') }
      read() { return Store.get('k') === undefined ? 'empty' : Store.get('k') }
    }`);
    for (const m of ['spin', 'catchSpin', 'asyncSpin', 'microtasks', 'regex']) {
      failed(await r.call(m, {}), 'timeout');
      assert.equal(ok(await r.call('read', {})), 'empty', `${m}: the next call works, in a fresh sandbox`);
    }
  });

  test('a loop around a slow built-in is stopped by the watchdog (QuickJS checks interrupts rarely)', async () => {
    const r = await runner(`class Script { slow() { const big = 'x'.repeat(1e6); while (true) big.split('') } ok() { return 'ok' } }`);
    failed(await r.call('slow', {}), 'timeout');
    assert.equal(ok(await r.call('ok', {})), 'ok');
  });

  test('a memory bomb ends as a memory error; the host heap and the next call are fine', async () => {
    const r = await runner(
      `class Script {
        strings() { let s = 'ab'; while (true) { s = s + s; s.charCodeAt(s.length - 1) } }
        repeat() { return 'x'.repeat(2 ** 29).length }
        objects() { const a = []; while (true) a.push({ x: a.length, y: 'abc' + a.length }) }
        buffer() { return new ArrayBuffer(1e9).byteLength }
        caught() { try { new Array(1e8).fill(1) } catch (e) { return e.message } }
        ok() { return 'ok' }
      }`,
      // time limits far off: on a loaded machine the bombs still hit the memory limit first
      { limits: { memoryBytes: 16 * 1024 * 1024, callMs: 30_000, wallMs: 60_000 } },
    );
    const heapBefore = process.memoryUsage().heapUsed;
    for (const m of ['strings', 'repeat', 'objects', 'buffer']) {
      const res = await r.call(m, {});
      if (res.ok) assert.fail(`${m} succeeded`);
      assert.equal(res.error.kind, 'memory', `${m}: ${JSON.stringify(res.error)}`);
      assert.equal(ok(await r.call('ok', {})), 'ok');
    }
    // a script catching its own OOM is its business: the call goes on
    assert.equal(ok(await r.call('caught', {})), 'out of memory');
    assert.ok(process.memoryUsage().heapUsed - heapBefore < 64 * 1024 * 1024, 'the host heap did not absorb the bomb');
  });

  test('huge console output is truncated at the limit, with one marker', async () => {
    const r = await runner(
      `class Script {
        many() { const line = 'x'.repeat(1000); for (let i = 0; i < 10000; i++) console.log(i, line); return 'done' }
        huge() { console.log('y'.repeat(8 * 1024 * 1024)); console.error('after'); return 'done' }
        wide() { console.log('é€😀'.repeat(100000)); return 'done' }
        small() { console.log('fine'); return 'done' }
      }`,
      { limits: { consoleMaxBytes: 4096, callMs: 3000, wallMs: 6000, memoryBytes: 64 * 1024 * 1024 } },
    );
    for (const m of ['many', 'huge', 'wide']) {
      const res = await r.call(m, {});
      assert.equal(ok(res), 'done');
      const bytes = res.console.slice(0, -1).reduce((n, l) => n + Buffer.byteLength(l.text) + 1, 0);
      assert.ok(bytes <= 4096, `${m}: ${bytes} bytes kept`);
      assert.match(res.console.at(-1)!.text, /truncated/);
      assert.equal(res.console.filter((l) => /truncated/.test(l.text)).length, 1);
      assert.ok(!res.console.some((l) => l.text.includes('\uFFFD')), `${m}: no character was cut in half`);
    }
    assert.deepEqual((await r.call('small', {})).console.map((l) => l.text), ['fine'], 'the cap is per call');
  });

  test('deep recursion is a catchable stack overflow; deep built-ins end as an error, never the server', async () => {
    const r = await runner(
      `class Script {
        recurse() { Store.set('k', 'kept'); const f = (n) => f(n + 1) + 1; return f(0) }
        catchIt() { let depth = 0; const f = () => { depth++; f() }; try { f() } catch (e) { return e.name + ' ' + (depth > 100) } }
        nested() { let a = []; for (let i = 0; i < 30000; i++) a = [a]; return a }
        parse() { return eval('('.repeat(100000) + '1' + ')'.repeat(100000)) }
        read() { return Store.get('k') }
      }`,
      { limits: { callMs: 300, wallMs: 1000 } },
    );
    const e = failed(await r.call('recurse', {}), 'exception');
    assert.equal(e.name, 'InternalError');
    assert.match(e.message, /stack overflow/);
    assert.equal(ok(await r.call('catchIt', {})), 'InternalError true');
    assert.equal(ok(await r.call('read', {})), 'kept', 'a stack overflow is an ordinary exception: same sandbox');
    for (const m of ['nested', 'parse']) {
      const res = await r.call(m, {});
      assert.equal(res.ok, false, m);
    }
    const fresh = await runner(`class Script { m() { return 'alive' } }`);
    assert.equal(ok(await fresh.call('m', {})), 'alive');
  });
});

describe('fetch: metadata and link-local addresses, default outbound policy', () => {
  test('169.254.169.254, its IPv4-mapped IPv6 form and metadata.google.internal are refused', async () => {
    const fetch = guardedScriptFetch({ policy: outboundPolicy() });
    closers.push(() => fetch.close());
    const r = await runner(
      `class Script { async m({ urls }) {
        const out = {};
        for (const url of urls) {
          try { const res = await fetch(url); out[url] = 'reached: ' + res.status } catch (e) { out[url] = e.name + ': ' + e.message }
        }
        return out;
      } }`,
      { fetch, limits: { callMs: 1000, wallMs: 10_000 } },
    );
    const urls = [
      'http://169.254.169.254/latest/meta-data',
      'http://[::ffff:169.254.169.254]/',
      'http://[::ffff:a9fe:a9fe]/latest/meta-data',
      'http://metadata.google.internal/',
      'http://metadata/computeMetadata/v1/',
      'http://169.254.170.2/v2/credentials',
      'http://[fe80::1]/',
      'http://2852039166/', // 169.254.169.254 as one number
    ];
    const out = ok(await r.call('m', { urls })) as Record<string, string>;
    for (const url of urls) assert.match(out[url]!, /^FetchError: fetch blocked/, url);
    // the guard itself, outside any script
    for (const url of urls) await assert.rejects(fetch(url, {}), /fetch blocked/, url);
  });

  test('the host heap stayed sane through everything above', () => {
    assert.ok(process.memoryUsage().heapUsed - HEAP_AT_START < 128 * 1024 * 1024, `${process.memoryUsage().heapUsed - HEAP_AT_START} bytes more`);
    assertHostClean();
  });
});

// ---- through a real server ----------------------------------------------------------------------

const HOSTILE: Record<string, string> = {
  loop: `class Script { process_incoming_request() { while (true) {} } }`,
  asyncLoop: `class Script { async process_incoming_request() { while (true) await null } }`,
  memoryBomb: `class Script { process_incoming_request() { const a = []; while (true) a.push('x'.repeat(1024) + a.length) } }`,
  stringBomb: `class Script { process_incoming_request() { let s = 'ab'; while (true) s = s + s } }`,
  consoleFlood: `class Script { process_incoming_request() { for (;;) console.log('x'.repeat(10000)) } }`,
  escape: `class Script { process_incoming_request() {
    const p = this.constructor.constructor('return process')();
    return { content: { text: 'escaped, pid ' + p.pid } };
  } }`,
  requireFs: `class Script { process_incoming_request() { return { content: { text: require('fs').readFileSync('/etc/passwd', 'utf8') } } } }`,
  metadata: `class Script { async process_incoming_request() {
    const res = await fetch('http://169.254.169.254/latest/meta-data/iam/security-credentials/');
    return { content: { text: 'leaked ' + (await res.text()) } };
  } }`,
};

/** Reports what it found instead of failing: a harmless result, posted as the message. */
const PROBE = `class Script { process_incoming_request({ request }) {
  request.__proto__.polluted = 'arg-proto';
  Object.prototype.polluted = 'object-proto';
  const found = [
    typeof process, typeof require, typeof Buffer,
    typeof this.constructor.constructor('return typeof process')(),
    (function () {}).constructor('return typeof globalThis.process')(),
  ];
  return { content: { text: 'probe ' + found.join(' ') } };
} }`;

const NORMAL = `class Script { process_incoming_request({ request }) { return { content: { text: 'normal ' + request.content.text } } } }`;

describe('through a real server: /hooks with hostile scripts', () => {
  let server: TestServer;
  let owner: User;
  const hooks = new Map<string, string>();

  const create = async (name: string, script: string) => {
    const doc = await server.sb.core.integrations.create(owner, { type: 'webhook-incoming', name, enabled: true, username: owner.username, channel: '#general', scriptEnabled: true, script });
    assert.ok(doc.scriptCompiled && !doc.scriptError, `${name} compiles`);
    hooks.set(name, `/hooks/${doc._id}/${doc.token}`);
  };
  const texts = async (): Promise<string[]> => {
    const page = await server.owner.get(`/v1/channels/${server.generalId}/messages`);
    assert.equal(page.status, 200);
    return (page.body.messages as Array<{ text: string }>).map((m) => m.text);
  };

  before(async () => {
    server = await startTestServer({ env: { HOOK_RATE_LIMITS: 'off', SCRIPT_CALL_MS: '300', SCRIPT_MEMORY_MB: '16' } });
    owner = (await server.sb.store.user(server.workspaceId, server.ownerId))!;
    for (const [name, script] of Object.entries(HOSTILE)) await create(name, script);
    await create('probe', PROBE);
    await create('normal', NORMAL);
  });
  after(() => server?.close());

  test('each hostile script answers 400 error-running-script within its limit, posts nothing, and the server goes on', async () => {
    for (const name of Object.keys(HOSTILE)) {
      const before = await texts();
      const res = await http(server.url, 'POST', hooks.get(name)!, { body: { text: name } });
      assert.equal(res.status, 400, `${name}: ${res.text}`);
      assert.deepEqual(res.body, { success: false, error: 'error-running-script' }, name);
      assert.deepEqual(await texts(), before, `${name} posted nothing`);

      const normal = await http(server.url, 'POST', hooks.get('normal')!, { body: { text: `after ${name}` } });
      assert.equal(normal.status, 200, `normal hook after ${name}: ${normal.text}`);
      assert.deepEqual(normal.body, { success: true });
      assert.ok((await texts()).includes(`normal after ${name}`), `normal hook after ${name} posted`);
    }
    assertHostClean();
  });

  test('the same hostile hook again: a fresh sandbox, the same answer', async () => {
    for (const name of ['loop', 'memoryBomb']) {
      const res = await http(server.url, 'POST', hooks.get(name)!, { body: { text: 'again' } });
      assert.equal(res.status, 400, name);
      assert.deepEqual(res.body, { success: false, error: 'error-running-script' });
    }
  });

  test("an escape attempt that reports what it found posts only the sandbox's answers; pollution stays put", async () => {
    const res = await http(server.url, 'POST', hooks.get('probe')!, { body: { text: 'probe' } });
    assert.equal(res.status, 200, res.text);
    assert.ok((await texts()).includes('probe undefined undefined undefined string undefined'));
    assertHostClean();
    const normal = await http(server.url, 'POST', hooks.get('normal')!, { body: { text: 'after the probe' } });
    assert.equal(normal.status, 200);
    assert.ok((await texts()).includes('normal after the probe'), 'another integration is unaffected');
  });

  test('an outgoing integration to a metadata or link-local address is refused at create', async () => {
    for (const url of ['http://169.254.169.254/', 'http://[::ffff:169.254.169.254]/latest/meta-data', 'http://metadata.google.internal/', 'http://[fe80::1]/']) {
      await assert.rejects(
        server.sb.core.integrations.create(owner, {
          type: 'webhook-outgoing',
          name: 'meta',
          enabled: true,
          username: owner.username,
          event: 'sendMessage',
          channel: '#general',
          urls: [url],
          scriptEnabled: false,
        }),
        (e: unknown) => e instanceof IntegrationError && e.errorType === 'error-invalid-urls',
        url,
      );
    }
  });

  test('an outgoing prepare script cannot send the call to a metadata address instead', async () => {
    let hits = 0;
    const receiver = createServer((req, res) => {
      hits++;
      res.end('{}');
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise<void>((resolve) => receiver.close(() => resolve())));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    const targets = ['http://169.254.169.254/latest/meta-data/', 'http://[::ffff:169.254.169.254]/latest/meta-data/', 'http://metadata.google.internal/computeMetadata/v1/'];
    const ids: string[] = [];
    for (const target of targets) {
      const doc = await server.sb.core.integrations.create(owner, {
        type: 'webhook-outgoing',
        name: `redirecting ${ids.length}`,
        enabled: true,
        username: owner.username,
        event: 'sendMessage',
        channel: '#general',
        urls: [url],
        scriptEnabled: true,
        script: `class Script { prepare_outgoing_request({ request }) { request.url = ${JSON.stringify(target)}; return request } }`,
      });
      ids.push(doc._id);
    }
    const posted = await server.owner.post(`/v1/channels/${server.generalId}/messages`, { text: 'trigger' });
    assert.equal(posted.status, 200);
    for (const [i, id] of ids.entries()) {
      const record = await finishedHistory(server, id);
      assert.equal(record.error, 'ssrf-blocked', `${targets[i]}: ${JSON.stringify(record)}`);
    }
    assert.equal(hits, 0, 'nothing was sent anywhere, not even to the configured URL');
  });
});

/** The first finished outgoing history record of `integrationId`, waited for (deliveries run in the background). */
async function finishedHistory(server: TestServer, integrationId: string): Promise<Record<string, unknown>> {
  const end = Date.now() + 10_000;
  for (;;) {
    const { items } = await server.sb.store.integrations.listHistory(server.workspaceId, {
      integrationId,
      type: 'outgoing-webhook',
      sort: { field: '_createdAt', direction: 'asc' },
      offset: 0,
      count: 10,
    });
    const done = items.find((row) => row.record.finished === true);
    if (done) return done.record;
    if (Date.now() > end) assert.fail(`no finished history record for ${integrationId}: ${JSON.stringify(items)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
