/**
 * The sandbox's `Intl` (docs/integrations.md §9.3), as JavaScript source evaluated inside each QuickJS
 * context once, right after the preamble. QuickJS has no Intl; Rocket.Chat's V8 sandbox has, and
 * alerting scripts format amounts and dates with it. So the sandbox offers
 *
 *   Intl.NumberFormat, Intl.DateTimeFormat   constructor (with or without `new`), format (a bound
 *                                            getter, as in V8), formatToParts, formatRange,
 *                                            formatRangeToParts, resolvedOptions, supportedLocalesOf
 *   Intl.getCanonicalLocales
 *   Number / BigInt / Date .prototype.toLocaleString, Date .prototype.toLocaleDateString and
 *   .toLocaleTimeString, Array and typed-array .prototype.toLocaleString (passing locales and
 *   options on to the elements, as ECMA-402 says)
 *
 * The formatting itself is done by the host's ICU (the sandbox worker's own V8 Intl; see
 * intl-host.ts), so the output is byte-for-byte V8's. Only strings and numbers cross: this code
 * reads the caller's arguments *here* (getters, toString and valueOf run as guest code, under the
 * guest's limits), coerces them to primitives, and hands the host one JSON text describing the
 * formatter ("key": kind, locale list, whitelisted options) plus the value (a number, or a decimal
 * string for BigInts and numeric strings). The host answers a string tagged by its first character:
 * "S" + result, "R" + RangeError message, "T" + TypeError message, "E" + Error message. Formatter
 * objects never leave the host; guest instances keep only their key, in a WeakMap.
 *
 * Defaults: locale en-US (the host's locale is never used; unsupported locales fall back to en-US),
 * time zone = the zone QuickJS's Date uses for local time (so toLocaleString agrees with getHours).
 *
 * Like the preamble, everything used later is captured before the script runs, so a script that
 * replaces built-ins can break only itself.
 */
export const GUEST_INTL_SOURCE = String.raw`(function (hostIntl) {
'use strict';
var G = globalThis;
var uncurry = Function.prototype.bind.bind(Function.prototype.call);
var stringify = JSON.stringify, parse = JSON.parse;
var StringCtor = String, NumberCtor = Number, ObjectCtor = Object;
var TypeErrorCtor = TypeError, RangeErrorCtor = RangeError, ErrorCtor = Error, WeakMapCtor = WeakMap;
var defineProperty = Object.defineProperty, create = Object.create;
var slice = uncurry(String.prototype.slice);
var push = uncurry(Array.prototype.push);
var wmGet = uncurry(WeakMap.prototype.get), wmSet = uncurry(WeakMap.prototype.set);
var getTime = uncurry(Date.prototype.getTime);
var dateNow = Date.now;
var numberValueOf = uncurry(Number.prototype.valueOf);
var bigintValueOf = typeof BigInt === 'function' ? uncurry(BigInt.prototype.valueOf) : undefined;
var toStringTag = Symbol.toStringTag;

// The host refuses more; these keep the key small and every host call short.
var MAX_LOCALES = 32, MAX_TAG = 256, MAX_OPTION = 256, MAX_DECIMAL = 100000;

function method(obj, name, fn) { defineProperty(obj, name, { value: fn, writable: true, enumerable: false, configurable: true }); }

// ---- the one door to the host ----
function host(op, key, a, b) {
  var r = hostIntl(op, key, a, b);
  var tag = slice(r, 0, 1), body = slice(r, 1);
  if (tag === 'S') return body;
  if (tag === 'R') throw new RangeErrorCtor(body);
  if (tag === 'T') throw new TypeErrorCtor(body);
  throw new ErrorCtor(body);
}

// ---- arguments, read and coerced in here ----
function toStr(v) {
  if (typeof v === 'symbol') throw new TypeErrorCtor('Cannot convert a Symbol value to a string');
  return StringCtor(v);
}
function localeList(locales) {
  var out = [];
  if (locales === undefined) return out;
  if (typeof locales === 'string') {
    if (locales.length > MAX_TAG) throw new RangeErrorCtor('Incorrect locale information provided');
    push(out, locales);
    return out;
  }
  if (locales === null) throw new TypeErrorCtor('Cannot convert undefined or null to object');
  var o = ObjectCtor(locales);
  var len = NumberCtor(o.length);
  len = len > 0 ? (len < 9007199254740991 ? len - len % 1 : 9007199254740991) : 0;
  for (var k = 0; k < len; k++) {
    if (!(k in o)) continue;
    var v = o[k];
    if (typeof v !== 'string' && (v === null || (typeof v !== 'object' && typeof v !== 'function'))) {
      throw new TypeErrorCtor('Language ID should be string or object.');
    }
    v = toStr(v);
    if (v.length > MAX_TAG || out.length >= MAX_LOCALES) throw new RangeErrorCtor('Incorrect locale information provided');
    push(out, v);
  }
  return out;
}
// [name, type]: s string, n number, b boolean, g useGrouping (boolean or string)
var NF_OPTIONS = [
  ['localeMatcher', 's'], ['numberingSystem', 's'], ['style', 's'], ['currency', 's'], ['currencyDisplay', 's'],
  ['currencySign', 's'], ['unit', 's'], ['unitDisplay', 's'], ['notation', 's'], ['compactDisplay', 's'],
  ['signDisplay', 's'], ['useGrouping', 'g'], ['minimumIntegerDigits', 'n'], ['minimumFractionDigits', 'n'],
  ['maximumFractionDigits', 'n'], ['minimumSignificantDigits', 'n'], ['maximumSignificantDigits', 'n'],
  ['roundingPriority', 's'], ['roundingIncrement', 'n'], ['roundingMode', 's'], ['trailingZeroDisplay', 's'],
];
var DTF_OPTIONS = [
  ['localeMatcher', 's'], ['calendar', 's'], ['numberingSystem', 's'], ['hour12', 'b'], ['hourCycle', 's'],
  ['timeZone', 's'], ['weekday', 's'], ['era', 's'], ['year', 's'], ['month', 's'], ['day', 's'], ['dayPeriod', 's'],
  ['hour', 's'], ['minute', 's'], ['second', 's'], ['fractionalSecondDigits', 'n'], ['timeZoneName', 's'],
  ['formatMatcher', 's'], ['dateStyle', 's'], ['timeStyle', 's'],
];
var MATCHER_OPTIONS = [['localeMatcher', 's']];
// caller: names the function in V8's message for null options (NumberFormat's callers only)
function readOptions(options, list, what, caller) {
  var out = create(null);
  if (options === undefined) return out;
  if (options === null) throw new TypeErrorCtor(caller === undefined ? 'Cannot convert undefined or null to object' : caller + ' called on null or undefined');
  var o = ObjectCtor(options);
  for (var i = 0; i < list.length; i++) {
    var name = list[i][0], type = list[i][1];
    var v = o[name];
    if (v === undefined) continue;
    if (type === 's') {
      v = toStr(v);
      if (v.length > MAX_OPTION) {
        throw new RangeErrorCtor(name === 'timeZone' ? 'Invalid time zone specified: ' + v : 'Value ' + v + ' out of range for ' + what + ' options property ' + name);
      }
    } else if (type === 'b') {
      v = !!v;
    } else if (type === 'n') {
      v = NumberCtor(v);
      if (v !== v || v === 1 / 0 || v === -1 / 0) v = StringCtor(v); // JSON has no NaN or Infinity
    } else {
      v = typeof v === 'boolean' || !v ? !!v : toStr(v);
    }
    out[name] = v;
  }
  return out;
}
function makeKey(kind, locales, options, caller) {
  var nf = kind === 'nf';
  var l = localeList(locales);
  return stringify({ t: kind, l: l, o: readOptions(options, nf ? NF_OPTIONS : DTF_OPTIONS, nf ? 'Intl.NumberFormat' : 'Intl.DateTimeFormat', nf ? caller : undefined) });
}
// What NumberFormat formats: a number, or the exact decimal text of a BigInt or a numeric string.
// Over MAX_DECIMAL characters the text is made a number first (V8 would format every digit).
function numeric(x) {
  if (typeof x === 'bigint') x = StringCtor(x);
  if (typeof x === 'string') return x.length <= MAX_DECIMAL ? x : NumberCtor(x);
  if (typeof x === 'symbol') throw new TypeErrorCtor('Cannot convert a Symbol value to a number');
  return NumberCtor(x);
}
function timeValue(x) {
  return x === undefined ? dateNow() : +x;
}

// ---- the constructors ----
function describe(v) {
  if (v === null || v === undefined) return StringCtor(v);
  return typeof v === 'object' || typeof v === 'function' ? '#<Object>' : StringCtor(v);
}
function makeFormat(kind, ctorName, valueOf) {
  var slots = new WeakMapCtor();
  function slot(self, name) {
    var s = (typeof self === 'object' && self !== null) || typeof self === 'function' ? wmGet(slots, self) : undefined;
    if (s === undefined) throw new TypeErrorCtor('Method Intl.' + ctorName + '.prototype.' + name + ' called on incompatible receiver ' + describe(self));
    return s;
  }
  function rangeValues(start, end) {
    if (start === undefined) throw new TypeErrorCtor(kind === 'nf' ? 'Invalid start : undefined' : 'Invalid time value');
    if (end === undefined) throw new TypeErrorCtor(kind === 'nf' ? 'Invalid end : undefined' : 'Invalid time value');
    return [valueOf(start), valueOf(end)];
  }
  var Ctor = function () {
    var locales = arguments[0], options = arguments[1];
    var key = makeKey(kind, locales, options, 'Intl.' + ctorName);
    var resolved = host('new', key);
    var self = new.target === undefined ? create(proto) : this;
    wmSet(slots, self, { key: key, resolved: resolved, bound: undefined });
    return self;
  };
  defineProperty(Ctor, 'name', { value: ctorName, configurable: true });
  var proto = Ctor.prototype;
  defineProperty(Ctor, 'prototype', { writable: false, enumerable: false, configurable: false });
  method(Ctor, 'supportedLocalesOf', function supportedLocalesOf(locales) {
    var l = localeList(locales);
    return parse(host('supported', stringify({ t: kind, l: l, o: readOptions(arguments[1], MATCHER_OPTIONS, 'Intl.' + ctorName, 'Intl.' + ctorName + '.supportedLocalesOf') })));
  });
  method(proto, 'resolvedOptions', function resolvedOptions() { return parse(slot(this, 'resolvedOptions').resolved); });
  method(proto, 'formatToParts', function formatToParts(value) { var s = slot(this, 'formatToParts'); return parse(host('parts', s.key, valueOf(value))); });
  defineProperty(proto, 'format', {
    get: function format() {
      var s = slot(this, 'format');
      if (s.bound === undefined) {
        s.bound = function (value) { return host('format', s.key, valueOf(value)); };
        defineProperty(s.bound, 'name', { value: '', configurable: true });
      }
      return s.bound;
    },
    enumerable: false,
    configurable: true,
  });
  method(proto, 'formatRange', function formatRange(start, end) {
    var s = slot(this, 'formatRange'), v = rangeValues(start, end);
    return host('range', s.key, v[0], v[1]);
  });
  method(proto, 'formatRangeToParts', function formatRangeToParts(start, end) {
    var s = slot(this, 'formatRangeToParts'), v = rangeValues(start, end);
    return parse(host('rangeParts', s.key, v[0], v[1]));
  });
  defineProperty(proto, toStringTag, { value: 'Intl.' + ctorName, configurable: true });
  return Ctor;
}

var Intl = {};
method(Intl, 'getCanonicalLocales', function getCanonicalLocales(locales) {
  return parse(host('canonical', stringify({ t: 'nf', l: localeList(locales), o: {} })));
});
method(Intl, 'NumberFormat', makeFormat('nf', 'NumberFormat', numeric));
method(Intl, 'DateTimeFormat', makeFormat('dtf', 'DateTimeFormat', timeValue));
defineProperty(Intl, toStringTag, { value: 'Intl', configurable: true });
method(G, 'Intl', Intl);

// ---- toLocaleString and friends: V8's results, through the same host formatters ----
method(Number.prototype, 'toLocaleString', function toLocaleString() {
  var x = typeof this === 'number' ? this : numberValueOf(this);
  return host('format', makeKey('nf', arguments[0], arguments[1], 'Number.prototype.toLocaleString'), x);
});
if (bigintValueOf !== undefined) {
  method(BigInt.prototype, 'toLocaleString', function toLocaleString() {
    var x = typeof this === 'bigint' ? this : bigintValueOf(this);
    return host('format', makeKey('nf', arguments[0], arguments[1], 'BigInt.prototype.toLocaleString'), numeric(x));
  });
}
// kinds dtf-any / dtf-date / dtf-time: the host fills in the default fields as V8 does
function dateMethod(kind) {
  return function () {
    var tv = getTime(this);
    if (tv !== tv) return 'Invalid Date';
    return host('format', makeKey(kind, arguments[0], arguments[1]), tv);
  };
}
var toLocaleString = dateMethod('dtf-any'), toLocaleDateString = dateMethod('dtf-date'), toLocaleTimeString = dateMethod('dtf-time');
defineProperty(toLocaleString, 'name', { value: 'toLocaleString', configurable: true });
defineProperty(toLocaleDateString, 'name', { value: 'toLocaleDateString', configurable: true });
defineProperty(toLocaleTimeString, 'name', { value: 'toLocaleTimeString', configurable: true });
method(Date.prototype, 'toLocaleString', toLocaleString);
method(Date.prototype, 'toLocaleDateString', toLocaleDateString);
method(Date.prototype, 'toLocaleTimeString', toLocaleTimeString);
// ECMA-402 Array.prototype.toLocaleString: elements' toLocaleString(locales, options), joined with
// ","; an array already being joined (a cycle) gives "", as in V8.
var joining = [];
function listToLocaleString() {
  var locales = arguments[0], options = arguments[1];
  var o = ObjectCtor(this);
  for (var j = 0; j < joining.length; j++) if (joining[j] === o) return '';
  var len = NumberCtor(o.length);
  len = len > 0 ? (len < 9007199254740991 ? len - len % 1 : 9007199254740991) : 0;
  var r = '';
  joining[joining.length] = o;
  try {
    for (var k = 0; k < len; k++) {
      if (k > 0) r += ',';
      var e = o[k];
      if (e !== undefined && e !== null) r += toStr(e.toLocaleString(locales, options));
    }
  } finally {
    joining.length = joining.length - 1;
  }
  return r;
}
defineProperty(listToLocaleString, 'name', { value: 'toLocaleString', configurable: true });
method(Array.prototype, 'toLocaleString', listToLocaleString);
method(Object.getPrototypeOf(Int8Array.prototype), 'toLocaleString', listToLocaleString);
})`;
