/**
 * The sandbox preamble (docs/integrations.md §9.3), as JavaScript source evaluated inside QuickJS before
 * the script. It is a function expression; the engine calls it once with the two host functions
 * and gets back the helpers it drives the script with. The host functions are never globals: the
 * script reaches them only through `console` and `fetch`, which validate and stringify first, so
 * only strings ever cross to the host.
 *
 * Everything the helpers rely on (JSON, Promise#then, String#slice…) is captured here, before the
 * script runs, so a script that replaces built-ins can break only itself. Values leave the sandbox
 * solely as JSON text produced by the captured JSON.stringify *inside* the sandbox — getters,
 * toJSON and proxy traps run as guest code, under the guest's time and memory limits.
 *
 * Helper results are strings tagged by their first character: "U" undefined, "J" + JSON text,
 * "E" + JSON {name, message, stack} of an error, "N" no such class/method.
 */
export const GUEST_PRELUDE_SOURCE = String.raw`(function (hostConsole, hostFetch, consoleMaxChars, textMaxChars) {
'use strict';
var G = globalThis;
var uncurry = Function.prototype.bind.bind(Function.prototype.call);
var stringify = JSON.stringify, parse = JSON.parse;
var StringCtor = String, PromiseCtor = Promise, ErrorCtor = Error, TypeErrorCtor = TypeError;
var then = uncurry(Promise.prototype.then);
var slice = uncurry(String.prototype.slice);
var replace = uncurry(String.prototype.replace);
var push = uncurry(Array.prototype.push);
var join = uncurry(Array.prototype.join);
var isArray = Array.isArray, keys = Object.keys, create = Object.create, defineProperty = Object.defineProperty;

function define(name, value) { defineProperty(G, name, { value: value, writable: true, configurable: true }); }
// Promise#then makes its result with the promise's species constructor, which a script can replace
// (Promise[Symbol.species], Promise.prototype.constructor) to hand the engine a forged or broken
// result. A promise whose own "constructor" is undefined always chains through the real Promise.
function plain(p) { defineProperty(p, 'constructor', { value: undefined }); return p; }
function chain(p, onFulfilled, onRejected) { return plain(then(plain(p), onFulfilled, onRejected)); }
function cap(text, max) { return text.length > max ? slice(text, 0, max) : text; }

// ---- console: formatted in here (like Node's util.format, simplified), one string per line ----
function show(v) {
  if (typeof v === 'string') return v;
  if (v === undefined) return 'undefined';
  if (typeof v === 'function') return '[Function: ' + (v.name || '(anonymous)') + ']';
  if (typeof v === 'symbol') return v.toString();
  if (typeof v === 'bigint') return StringCtor(v) + 'n';
  if (v !== null && typeof v === 'object' && v instanceof ErrorCtor) {
    return StringCtor(v.name) + ': ' + StringCtor(v.message) + (v.stack ? '\n' + StringCtor(v.stack) : '');
  }
  try {
    var json = stringify(v);
    return json === undefined ? StringCtor(v) : json;
  } catch (e) {
    try { return StringCtor(v); } catch (e2) { return '[object]'; }
  }
}
function format(args) {
  var parts = [];
  var i = 0;
  if (typeof args[0] === 'string' && args.length > 1) {
    i = 1;
    push(parts, replace(args[0], /%([sdifjoOc%])/g, function (m, t) {
      if (t === '%') return '%';
      if (i >= args.length) return m;
      var a = args[i++];
      if (t === 's') return typeof a === 'string' ? a : show(a);
      if (t === 'd' || t === 'i') return StringCtor(t === 'i' ? parseInt(a, 10) : Number(a));
      if (t === 'f') return StringCtor(parseFloat(a));
      if (t === 'c') return '';
      return show(a);
    }));
  }
  for (; i < args.length; i++) push(parts, show(args[i]));
  return join(parts, ' ');
}
function level(name) {
  return function () {
    var text;
    try { text = format(arguments); } catch (e) { text = '[console: the arguments could not be formatted]'; }
    hostConsole(name, cap(text, consoleMaxChars));
  };
}
var consoleObject = {};
var levels = ['log', 'info', 'warn', 'error', 'debug'];
for (var l = 0; l < levels.length; l++) consoleObject[levels[l]] = level(levels[l]);
define('console', consoleObject);

// ---- Store: in memory, per sandbox; keys are strings, as in Rocket.Chat ----
var store = create(null);
define('Store', {
  set: function set(key, val) { store[StringCtor(key)] = val; return val; },
  get: function get(key) { return store[StringCtor(key)]; },
});

// ---- fetch(url, options?, allowSelfSignedCertificate?) ----
function makeResponse(raw) {
  var body = raw.body;
  return {
    status: raw.status,
    ok: raw.status >= 200 && raw.status < 300,
    statusText: raw.statusText,
    headers: raw.headers,
    url: raw.url,
    text: function text() { return PromiseCtor.resolve(body); },
    json: function json() { return new PromiseCtor(function (resolve) { resolve(parse(body)); }); },
  };
}
define('fetch', function fetch(url, options, allowSelfSignedCertificate) {
  return new PromiseCtor(function (resolve) {
    var o = options == null ? {} : options;
    if (typeof o !== 'object') throw new TypeErrorCtor('fetch: options must be an object');
    var init = {};
    if (o.method !== undefined) init.method = StringCtor(o.method);
    if (o.headers != null) {
      var headers = {};
      if (isArray(o.headers)) {
        for (var i = 0; i < o.headers.length; i++) headers[StringCtor(o.headers[i][0])] = StringCtor(o.headers[i][1]);
      } else {
        var names = keys(o.headers);
        for (var j = 0; j < names.length; j++) headers[names[j]] = StringCtor(o.headers[names[j]]);
      }
      init.headers = headers;
    }
    if (o.body != null) init.body = typeof o.body === 'string' ? o.body : stringify(o.body);
    if (allowSelfSignedCertificate === true) init.allowSelfSignedCertificate = true;
    resolve(chain(hostFetch(StringCtor(url), stringify(init)), function (json) {
      var raw = parse(json);
      raw.url = StringCtor(url);
      return makeResponse(raw);
    }));
  });
});

// ---- the engine's helpers ----
function describeError(e) {
  var d = { name: 'Error', message: '', stack: '' };
  try {
    if (e !== null && (typeof e === 'object' || typeof e === 'function')) {
      d.name = cap(StringCtor(e.name), textMaxChars);
      d.message = cap(StringCtor(e.message), textMaxChars);
      d.stack = e.stack === undefined ? '' : cap(StringCtor(e.stack), textMaxChars);
    } else {
      d.message = cap(StringCtor(e), textMaxChars);
    }
  } catch (e2) {
    d.message = 'the script threw a value that cannot be described';
  }
  return 'E' + stringify(d);
}
function encode(v) {
  var json = stringify(v);
  return json === undefined ? 'U' : 'J' + json;
}
return {
  describe: describeError,
  // new Script(), or "N" when there is no such class
  construct: function (C) {
    try {
      if (typeof C !== 'function') return 'N';
      return { instance: new C() };
    } catch (e) {
      return describeError(e);
    }
  },
  hasMethod: function (instance, name) {
    try { return typeof instance[name] === 'function'; } catch (e) { return false; }
  },
  // a promise of the tagged result of instance[name](JSON.parse(argJson))
  invoke: function (instance, name, argJson) {
    var p = new PromiseCtor(function (resolve) {
      var arg = argJson === undefined ? undefined : parse(argJson);
      resolve(instance[name](arg));
    });
    return chain(chain(p, encode), undefined, describeError);
  },
};
})`;
