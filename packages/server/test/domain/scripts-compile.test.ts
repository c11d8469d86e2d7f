/**
 * compileScript and the class transpiler (docs/integrations.md §9.4): class syntax becomes constructor
 * functions with sloppy method bodies, everything else is left byte for byte, line numbers survive,
 * and syntax errors come back as {name, message, stack}.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newQuickJSWASMModule, RELEASE_SYNC } from 'quickjs-emscripten';
import { compileScript, transpileClasses } from '../../src/scripts/index.js';
import { tokenize } from '../../src/scripts/js-tokenizer.js';

const quickjs = await newQuickJSWASMModule(RELEASE_SYNC);

/** Evaluates `code` as a global script in a throwaway QuickJS context and returns its JSON value. */
function evaluate(code: string): unknown {
  const runtime = quickjs.newRuntime();
  const context = runtime.newContext();
  try {
    const result = context.evalCode(`JSON.stringify((function () { return eval(${JSON.stringify(code)}) })())`, 'test.js');
    if (result.error) {
      const e = context.dump(result.error) as { name: string; message: string };
      result.error.dispose();
      throw new Error(`${e.name}: ${e.message}`);
    }
    const text = context.getString(result.value);
    result.value.dispose();
    return text === undefined ? undefined : JSON.parse(text);
  } finally {
    context.dispose();
    runtime.dispose();
  }
}

// Indirect eval inside evaluate() runs the code as sloppy global code, like the sandbox does.
const run = (source: string, tail: string) => evaluate(`${transpileClasses(source)}\n${tail}`);

test('the tokenizer tells regexes, templates, strings and comments from code', () => {
  const src = "const re = /a\\/b[/]c/g; x = a / b / c; t = `x${ {a: '}'}.a + `y${2}` }z`; s = \"}\" + '{' // }\n/* { */ class";
  const tokens = tokenize(src)!;
  const kinds = tokens.map((t) => `${t.type}:${t.value}`);
  assert.ok(kinds.includes('regex:/a\\/b[/]c/g'));
  assert.equal(kinds.filter((k) => k === 'punct:/').length, 2, 'two divisions');
  assert.deepEqual(
    tokens.filter((t) => t.type === 'template').map((t) => t.value),
    ['`x${', '`y${', '}`', '}z`'],
  );
  assert.deepEqual(tokens.at(-1), { type: 'name', value: 'class', start: src.length - 5, end: src.length, newlineBefore: true });
  assert.equal(tokenize('const s = "unterminated'), undefined);
  assert.equal(tokenize('/* never closed'), undefined);
});

test('class methods run sloppy after transpiling: implicit globals and `this` in nested functions', () => {
  const source = `class Script {
    process_incoming_request({ request }) {
      msg = request.content.text;
      const nestedThis = (function () { return this === globalThis })();
      return { content: { text: msg }, nestedThis };
    }
  }`;
  assert.deepEqual(run(source, `[new Script().process_incoming_request({ request: { content: { text: 'hi' } } }), msg]`), [
    { content: { text: 'hi' }, nestedThis: true },
    'hi',
  ]);
  assert.throws(() => evaluate(`${source}\nnew Script().process_incoming_request({ request: { content: { text: 'hi' } } })`), /ReferenceError/);
});

test('every kind of class member keeps its meaning', () => {
  const source = `const X = class Foo {
    static s = 1
    a = 2;
    b = this.a + 1;
    ['c' + 'd']() { return 'cd' }
    get g() { return this._g ?? 'g0' }
    set g(v) { this._g = v }
    async am() { return 5 }
    *gen() { yield 1; yield 2 }
    'quoted'() { return 'q' }
    42() { return 'n' }
    static st() { return 'st' + Foo.s }
    static get sg() { return 'sg' }
    constructor(x) { this.x = x }
    toString() { return 'Foo!' }
  };`;
  assert.deepEqual(
    run(source, `const o = new X(7); o.g = 'G';
      [o.a, o.b, o.x, o.cd(), o.g, [...o.gen()].join(), o.quoted(), o[42](), X.st(), X.sg, X.s, Object.keys(o).join(), String(o),
       o.am() instanceof Promise, Object.keys(X.prototype).length, X.name, typeof Foo]`),
    [2, 3, 7, 'cd', 'G', '1,2', 'q', 'n', 'st1', 'sg', 1, 'a,b,x,_g', 'Foo!', true, 0, 'Foo', 'undefined'],
  );
});

test('classes in strings, comments, templates and regexes are left alone; nested classes are rewritten', () => {
  const source = `
    const text = 'class A { m() {} }'; // class B { }
    /* class C { } */
    const re = /class D { }/;
    const tpl = \`class E { \${ 'x' } }\`;
    class Outer { make() { class Inner { m() { leaked = 'inner'; return leaked } } return new Inner().m() } }
  `;
  const out = transpileClasses(source);
  for (const kept of ["'class A { m() {} }'", '// class B { }', '/* class C { } */', '/class D { }/', '`class E { ${ \'x\' } }`']) {
    assert.ok(out.includes(kept), kept);
  }
  assert.doesNotMatch(out, /class (Outer|Inner)/);
  assert.deepEqual(run(source, '[new Outer().make(), text, re.source, tpl]'), ['inner', 'class A { m() {} }', 'class D { }', 'class E { x }']);
});

test('line numbers are kept, so stacks point at the original lines', () => {
  const source = ['// line 1', 'class Script', '{', '  // line 4', '  a() {', '    return 1', '  }', '', '  b(', '    x', '  ) {', '    throw new Error("line 12")', '  }', '}'].join('\n');
  const out = transpileClasses(source);
  assert.equal(out.split('\n').length, source.split('\n').length);
  const runtime = quickjs.newRuntime();
  const context = runtime.newContext();
  const stack = context.unwrapResult(context.evalCode(`${out}\ntry { new Script().b() } catch (e) { e.stack }`, 'script.js'));
  assert.match(context.getString(stack), /at b \(script\.js:12:/);
  stack.dispose();
  context.dispose();
  runtime.dispose();
});

test('what is not transpiled runs natively: extends, private names, static blocks', () => {
  for (const source of [
    'class A extends Array { m() { return 1 } }',
    'class A { #p = 1; m() { return this.#p } }',
    'class A { static { this.z = 1 } m() { return 1 } }',
  ]) {
    assert.equal(transpileClasses(source), source);
    assert.equal(evaluate(`${source}; new A().m()`), 1);
  }
});

test('a real outgoing script with markdown backticks in strings', () => {
  const source = `class Script {
  prepare_outgoing_request({ request }) {
    let match;
    match = request.data.text.match(/^pr\\s(ls|list)/);
    if (match) {
      return { url: request.url + '/pulls', headers: request.headers, method: 'GET' };
    }
    match = request.data.text.match(/^help$/);
    if (match) {
      return { message: { text: ['**commands**', '\`\`\`', '  pr ls [open|closed|all]  List Pull Requests', '\`\`\`'].join('\\n') } };
    }
  }
  process_outgoing_response({ request, response }) {
    var text = [];
    response.content.forEach(function(pr) {
      text.push('> '+pr.state+' [#'+pr.number+']('+pr.html_url+') - '+pr.title);
    });
    return { content: { text: text.join('\\n'), parseUrls: false } };
  }
}`;
  assert.deepEqual(
    run(source, `const s = new Script(); [
      s.prepare_outgoing_request({ request: { url: 'https://api.github.com/repos/x/y', headers: {}, data: { text: 'pr ls' } } }),
      s.prepare_outgoing_request({ request: { data: { text: 'help' } } }).message.text.split('\\n')[1],
      s.process_outgoing_response({ response: { content: [{ state: 'open', number: 1, html_url: 'u', title: 't' }] } }),
    ]`),
    [
      { url: 'https://api.github.com/repos/x/y/pulls', headers: {}, method: 'GET' },
      '```',
      { content: { text: '> open [#1](u) - t', parseUrls: false } },
    ],
  );
});

test('compileScript: the compiled form, or the syntax error with name, message and stack', async () => {
  const good = await compileScript('class Script { m() { x = 1; return x } }');
  assert.ok(good.ok && !good.compiled.includes('class Script'));
  const native = await compileScript('class Script { m() { return 1 } }', { skipTranspile: true });
  assert.deepEqual(native, { ok: true, compiled: 'class Script { m() { return 1 } }' });

  const bad = await compileScript('class Script {\n  m() {\n    return (\n  }\n}');
  assert.equal(bad.ok, false);
  if (!bad.ok) {
    assert.equal(bad.error.name, 'SyntaxError');
    assert.ok(bad.error.message.length > 0);
    assert.match(bad.error.stack, /^SyntaxError: .*\n\s+at script\.js:\d+/);
  }
  const badNative = await compileScript('let = = 1', { skipTranspile: true });
  assert.equal(badNative.ok, false);

  // compiling runs nothing
  const sideEffects = await compileScript('while (true) {} class Script {}');
  assert.equal(sideEffects.ok, true);
});

test('compileScript survives hostile sources: deep nesting, huge input, unterminated literals', async () => {
  const deep = await compileScript(`class Script { m() { return ${'('.repeat(50_000)}1${')'.repeat(50_000)} } }`);
  assert.equal(deep.ok, false, 'refused: nested deeper than the parser goes');
  if (!deep.ok) assert.equal(deep.error.name, 'SyntaxError');
  const braces = await compileScript(`class Script { m() { ${'{'.repeat(20_000)}${'}'.repeat(20_000)} } }`);
  assert.equal(braces.ok, false, 'refused: nested deeper than the parser goes');
  if (!braces.ok) assert.equal(braces.error.name, 'SyntaxError');
  const unterminated = await compileScript('class Script { m() { return `never closed } }');
  assert.equal(unterminated.ok, false);
  // and the parser still works afterwards
  assert.equal((await compileScript('class Script { m() { return 1 } }')).ok, true);
});
