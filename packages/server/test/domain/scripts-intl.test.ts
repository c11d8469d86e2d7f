/**
 * The sandbox's Intl (issue 11 item 6; docs/integrations.md §9.3): Intl.NumberFormat, Intl.DateTimeFormat
 * and the toLocale*String methods, formatted by the sandbox worker's V8 (intl-host.ts) so the output
 * is byte-for-byte what Node's own Intl gives — proven by running one table of expressions in the
 * sandbox and in this process and comparing. Then: the shape of the objects, the defaults (en-US, the
 * zone QuickJS's Date uses), what crosses the boundary, limits, the host half's validation, and one
 * run through a real incoming webhook.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { IntlHost, INTL_LIMITS } from '../../src/scripts/intl-host.js';
import { failed, ok, runner } from '../support/sandbox-fixtures.js';
import { http, startTestServer, type TestServer } from '../support/helpers.js';
import type { User } from '../../src/domain/model.js';

// ---- the table: [label, expression]; `L` is the default locale (undefined in the sandbox, 'en-US' here) ----

const TIMES: Array<[string, number]> = [
  ['epoch', 0],
  ['2023-11-14T22:13:20Z', 1_700_000_000_000],
  ['2024-02-29T23:59:59.999Z', 1_709_251_199_999],
  ['2000-01-01T12:34:56.789Z', 946_730_096_789],
  ['1938-04-24T22:13:20Z', -1_000_000_000_000],
];

const DATE_OPTIONS: string[] = [
  `{ timeZone: 'UTC' }`,
  `{ timeZone: 'UTC', dateStyle: 'full', timeStyle: 'long' }`,
  `{ timeZone: 'UTC', dateStyle: 'medium', timeStyle: 'short' }`,
  `{ timeZone: 'UTC', dateStyle: 'short' }`,
  `{ timeZone: 'UTC', timeStyle: 'full' }`,
  `{ timeZone: 'UTC', weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' }`,
  `{ timeZone: 'UTC', weekday: 'short', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit' }`,
  `{ timeZone: 'UTC', hour: '2-digit', minute: '2-digit', hour12: false }`,
  `{ timeZone: 'UTC', hour: 'numeric', hour12: true }`,
  `{ timeZone: 'UTC', hourCycle: 'h23', hour: 'numeric', minute: 'numeric', second: 'numeric' }`,
  `{ timeZone: 'UTC', timeZoneName: 'short' }`,
  `{ timeZone: 'UTC', year: '2-digit', month: '2-digit', day: '2-digit', era: 'short' }`,
  `{ timeZone: 'UTC', minute: 'numeric', second: 'numeric', fractionalSecondDigits: 3 }`,
  `{ timeZone: 'UTC', month: 'narrow' }`,
  `{ timeZone: 'America/New_York', timeZoneName: 'long' }`,
  `{ timeZone: 'Asia/Kolkata', dateStyle: 'long', timeStyle: 'long' }`,
  `{ timeZone: 'Europe/Berlin', timeZoneName: 'shortOffset', hour: 'numeric' }`,
  `{ timeZone: 'utc', dateStyle: 'medium' }`,
  `{ timeZone: 'Etc/GMT+5', timeStyle: 'medium' }`,
];

const NUMBERS: Array<[string, string]> = [
  ['(1234567.891).toLocaleString(L)', 'plain'],
  ['(0).toLocaleString(L)', 'zero'],
  ['(-0).toLocaleString(L)', 'negative zero'],
  ['(NaN).toLocaleString(L)', 'NaN'],
  ['(-Infinity).toLocaleString(L)', '-Infinity'],
  ['(1e21).toLocaleString(L)', '1e21'],
  ['(1e-7).toLocaleString(L)', '1e-7'],
  ['(0.1 + 0.2).toLocaleString(L)', '0.1 + 0.2'],
  ['(2.5).toLocaleString(L, { maximumFractionDigits: 0 })', 'halfExpand'],
  ['(5).toLocaleString(L, { minimumFractionDigits: 2 })', 'minimumFractionDigits'],
  ['(7).toLocaleString(L, { minimumIntegerDigits: 3 })', 'minimumIntegerDigits'],
  ['(1234567.891).toLocaleString(L, { useGrouping: false })', 'no grouping'],
  ['(123456.789).toLocaleString(L, { maximumSignificantDigits: 3 })', 'significant digits'],
  ['(-5).toLocaleString(L, { signDisplay: "always" })', 'signDisplay always'],
  ['(0).toLocaleString(L, { signDisplay: "exceptZero" })', 'signDisplay exceptZero'],
  ['new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" }).format(1234.5)', 'USD'],
  ['new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" }).format(-1234.567)', 'USD negative'],
  ['new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", currencySign: "accounting" }).format(-42)', 'accounting'],
  ['new Intl.NumberFormat("en-US", { style: "currency", currency: "EUR" }).format(99.999)', 'EUR'],
  ['new Intl.NumberFormat("en-US", { style: "currency", currency: "GBP", currencyDisplay: "code" }).format(1e6)', 'GBP code'],
  ['new Intl.NumberFormat("en-US", { style: "currency", currency: "JPY" }).format(1234.5)', 'JPY'],
  ['new Intl.NumberFormat("en-US", { style: "currency", currency: "CHF", currencyDisplay: "name" }).format(2)', 'CHF name'],
  ['new Intl.NumberFormat("en-US", { style: "currency", currency: "CAD", currencyDisplay: "narrowSymbol" }).format(3)', 'CAD narrowSymbol'],
  ['(12.3).toLocaleString("en-US", { style: "currency", currency: "usd", minimumFractionDigits: 0 })', 'lower-case code'],
  ['new Intl.NumberFormat("en-US", { style: "percent" }).format(0.256)', 'percent'],
  ['new Intl.NumberFormat("en-US", { style: "percent", maximumFractionDigits: 1 }).format(0.12345)', 'percent 1 digit'],
  ['new Intl.NumberFormat("en-US", { notation: "compact" }).format(1234)', 'compact 1234'],
  ['new Intl.NumberFormat("en-US", { notation: "compact" }).format(1234567)', 'compact 1234567'],
  ['new Intl.NumberFormat("en-US", { notation: "compact", compactDisplay: "long" }).format(1.5e9)', 'compact long'],
  ['new Intl.NumberFormat("en-US", { notation: "scientific" }).format(123456)', 'scientific'],
  ['new Intl.NumberFormat("en-US", { notation: "engineering" }).format(123456)', 'engineering'],
  ['new Intl.NumberFormat("en-US", { style: "unit", unit: "kilometer-per-hour", unitDisplay: "long" }).format(50)', 'unit long'],
  ['new Intl.NumberFormat("en-US", { style: "unit", unit: "megabyte" }).format(512.5)', 'unit short'],
  ['new Intl.NumberFormat("en-US", { style: "unit", unit: "millisecond", unitDisplay: "narrow" }).format(250)', 'unit narrow'],
  ['new Intl.NumberFormat("en-US").format("12345678901234567890.123")', 'exact decimal string'],
  ['new Intl.NumberFormat("en-US").format(" 0x1F ")', 'hex string'],
  ['new Intl.NumberFormat("en-US").format("abc")', 'non-numeric string'],
  ['new Intl.NumberFormat("en-US").format(2n ** 64n)', 'BigInt'],
  ['(2n ** 70n).toLocaleString(L)', 'BigInt toLocaleString'],
  ['new Intl.NumberFormat("en-US").format(true)', 'boolean'],
  ['new Intl.NumberFormat("en-US").format()', 'undefined'],
  ['new Intl.NumberFormat("en-US").format(new Date(5))', 'a Date object'],
  ['new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" }).formatToParts(-1234.5)', 'formatToParts'],
  ['new Intl.NumberFormat("en-US", { style: "currency", currency: "EUR" }).formatRange(3, 5)', 'formatRange'],
  ['new Intl.NumberFormat("en-US").formatRangeToParts(1000, 2000)', 'formatRangeToParts'],
  ['new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" }).resolvedOptions()', 'resolvedOptions currency'],
  ['Intl.NumberFormat(L).resolvedOptions()', 'resolvedOptions default'],
  ['new Intl.NumberFormat("en-US", { useGrouping: 0 }).resolvedOptions().useGrouping', 'useGrouping falsy'],
  ['new Intl.NumberFormat("en-US", { useGrouping: "min2" }).format(1234)', 'useGrouping min2'],
  ['new Intl.NumberFormat("de-DE", { style: "currency", currency: "EUR" }).format(1234.5)', 'de-DE EUR'],
  ['new Intl.NumberFormat("fr-FR").format(1234567.891)', 'fr-FR'],
  ['new Intl.NumberFormat("en-IN").format(123456789)', 'en-IN'],
  ['new Intl.NumberFormat("ja-JP", { style: "currency", currency: "JPY" }).format(5000)', 'ja-JP JPY'],
  ['new Intl.NumberFormat("ar-EG").format(123)', 'ar-EG digits'],
  ['new Intl.NumberFormat("en-US-u-nu-thai").format(123)', 'unicode extension'],
  ['new Intl.NumberFormat(["xx-XX", "de"]).resolvedOptions().locale', 'first supported in a list'],
  ['new Intl.NumberFormat(["en-XX"]).resolvedOptions().locale', 'region stripped'],
  ['Intl.NumberFormat.supportedLocalesOf(["en-US", "de", "xx"])', 'supportedLocalesOf'],
  ['Intl.getCanonicalLocales(["EN-us", "zh-hant-tw"])', 'getCanonicalLocales'],
  ['[1234.5, 2e6, null, "x"].toLocaleString(L)', 'Array toLocaleString'],
  ['[1234.5, new Date(0)].toLocaleString("de-DE", { timeZone: "UTC" })', 'Array toLocaleString with args'],
  ['(() => { const a = [1234, [5678]]; a.push(a); return a.toLocaleString(L) })()', 'Array toLocaleString with a cycle'],
  ['new Float64Array([1234.5, -2]).toLocaleString("de-DE")', 'typed array toLocaleString'],
  ['new BigInt64Array([2n ** 40n]).toLocaleString(L)', 'BigInt64Array toLocaleString'],
  // errors: same name and message as V8
  ['new Intl.NumberFormat("en-US", { maximumFractionDigits: 200 })', 'error: digits out of range'],
  ['new Intl.NumberFormat("en-US", { minimumFractionDigits: NaN })', 'error: NaN digits'],
  ['new Intl.NumberFormat("en-US", { style: "currency" })', 'error: currency missing'],
  ['new Intl.NumberFormat("en-US", { style: "currency", currency: "DOLLARS" })', 'error: bad currency'],
  ['new Intl.NumberFormat("en-US", { style: "bogus" })', 'error: bad style'],
  ['new Intl.NumberFormat("en-US", { style: "unit", unit: "parsec-per-banana" })', 'error: bad unit'],
  ['new Intl.NumberFormat("en-US", { useGrouping: "x" })', 'error: bad useGrouping'],
  ['new Intl.NumberFormat("!!")', 'error: bad locale'],
  ['new Intl.NumberFormat([5])', 'error: locale not a string'],
  ['(1).toLocaleString("en-US", null)', 'error: null options'],
  ['(1n).toLocaleString("en-US", null)', 'error: null options (BigInt)'],
  ['new Intl.NumberFormat("en-US", null)', 'error: null options (constructor)'],
  ['Intl.NumberFormat.supportedLocalesOf("en-US", null)', 'error: null options (supportedLocalesOf)'],
  ['new Intl.NumberFormat(null)', 'error: null locales'],
  ['new Intl.NumberFormat("en-US").format(Symbol())', 'error: Symbol'],
  ['new Intl.NumberFormat("en-US").formatRange(1)', 'error: formatRange end missing'],
];

function dateCases(): Array<[string, string]> {
  const cases: Array<[string, string]> = [];
  for (const [name, t] of TIMES) {
    cases.push([`new Date(${t}).toLocaleString(L)`, `${name} toLocaleString()`]);
    cases.push([`new Date(${t}).toLocaleDateString(L)`, `${name} toLocaleDateString()`]);
    cases.push([`new Date(${t}).toLocaleTimeString(L)`, `${name} toLocaleTimeString()`]);
    cases.push([`new Intl.DateTimeFormat(L).format(${t})`, `${name} DateTimeFormat()`]);
    for (const o of DATE_OPTIONS) {
      cases.push([`new Date(${t}).toLocaleString("en-US", ${o})`, `${name} toLocaleString ${o}`]);
      cases.push([`new Intl.DateTimeFormat("en-US", ${o}).format(${t})`, `${name} DateTimeFormat ${o}`]);
    }
    cases.push([`new Date(${t}).toLocaleDateString("en-US", { timeZone: "UTC" })`, `${name} toLocaleDateString UTC`]);
    cases.push([`new Date(${t}).toLocaleDateString("en-US", { timeZone: "UTC", month: "long" })`, `${name} toLocaleDateString month`]);
    cases.push([`new Date(${t}).toLocaleTimeString("en-US", { timeZone: "UTC" })`, `${name} toLocaleTimeString UTC`]);
    cases.push([`new Date(${t}).toLocaleTimeString("en-US", { timeZone: "UTC", hour: "2-digit", minute: "2-digit" })`, `${name} toLocaleTimeString hh:mm`]);
    cases.push([`new Date(${t}).toLocaleTimeString("en-US", { timeZone: "UTC", timeZoneName: "short" })`, `${name} toLocaleTimeString tz name`]);
    cases.push([`new Date(${t}).toLocaleString("de-DE", { timeZone: "UTC" })`, `${name} de-DE`]);
    cases.push([`new Date(${t}).toLocaleString("en-GB", { timeZone: "UTC" })`, `${name} en-GB`]);
    cases.push([`new Date(${t}).toLocaleDateString("ja-JP", { timeZone: "UTC", dateStyle: "full" })`, `${name} ja-JP`]);
  }
  return cases;
}

const MISC_DATES: Array<[string, string]> = [
  ['new Intl.DateTimeFormat("en-US", { timeZone: "UTC" }).formatToParts(1700000000000)', 'formatToParts'],
  ['new Intl.DateTimeFormat("en-US", { timeZone: "UTC", dateStyle: "medium", timeStyle: "short" }).formatToParts(0)', 'formatToParts styles'],
  ['new Intl.DateTimeFormat("en-US", { timeZone: "UTC" }).formatRange(0, 86400000 * 3)', 'formatRange days'],
  ['new Intl.DateTimeFormat("en-US", { timeZone: "UTC", hour: "numeric", minute: "numeric" }).formatRange(0, 3600000)', 'formatRange hours'],
  ['new Intl.DateTimeFormat("en-US", { timeZone: "UTC" }).formatRangeToParts(new Date(0), new Date(86400000))', 'formatRangeToParts'],
  ['new Intl.DateTimeFormat("en-US", { timeZone: "UTC", dateStyle: "full" }).resolvedOptions()', 'resolvedOptions dateStyle'],
  ['new Intl.DateTimeFormat(L, { timeZone: "UTC", hour: "numeric" }).resolvedOptions()', 'resolvedOptions hour'],
  ['new Intl.DateTimeFormat(L).resolvedOptions()', 'resolvedOptions default (zone of the process)'],
  ['Intl.DateTimeFormat().resolvedOptions().timeZone', 'default time zone'],
  ['new Intl.DateTimeFormat("en-US", { timeZone: "utc" }).resolvedOptions().timeZone', 'zone alias canonicalised'],
  ['new Intl.DateTimeFormat("en-US", { timeZone: "UTC" }).format(new Date(1700000000000))', 'format a Date'],
  ['new Intl.DateTimeFormat("en-US", { timeZone: "UTC" }).format("2020-01-01")', 'format a string (ToNumber)'],
  ['Intl.DateTimeFormat.supportedLocalesOf("de-AT")', 'supportedLocalesOf string'],
  ['new Date(NaN).toLocaleString(L)', 'Invalid Date'],
  ['new Date(NaN).toLocaleDateString("en-US", { timeStyle: "short" })', 'Invalid Date before option checks'],
  ['new Date(8.64e15).toLocaleString("en-US", { timeZone: "UTC" })', 'last valid time'],
  ['new Date(-8.64e15).toLocaleString("en-US", { timeZone: "UTC", era: "short" })', 'first valid time'],
  // errors: same name and message as V8
  ['new Date(0).toLocaleString("en-US", { timeZone: "Foo/Bar" })', 'error: unknown zone'],
  ['new Intl.DateTimeFormat("en-US", { timeZone: "Mars/Olympus_Mons" })', 'error: unknown zone (constructor)'],
  ['new Intl.DateTimeFormat("en-US").format(NaN)', 'error: format NaN'],
  ['new Intl.DateTimeFormat("en-US").format(8.64e15 + 1)', 'error: format out of range'],
  ['new Date(0).toLocaleDateString("en-US", { timeStyle: "short" })', 'error: timeStyle in toLocaleDateString'],
  ['new Date(0).toLocaleTimeString("en-US", { dateStyle: "short" })', 'error: dateStyle in toLocaleTimeString'],
  ['new Intl.DateTimeFormat("en-US", { dateStyle: "short", hour: "numeric" })', 'error: style and field'],
  ['new Intl.DateTimeFormat("en-US", { month: "longest" })', 'error: bad month'],
  ['new Intl.DateTimeFormat("en-US", { fractionalSecondDigits: 4 })', 'error: fractionalSecondDigits'],
  ['new Intl.DateTimeFormat("en-US").formatRange(0)', 'error: formatRange end missing'],
  ['new Intl.DateTimeFormat("en-US", null)', 'error: null options'],
  ['new Date(0).toLocaleTimeString("en-US", null)', 'error: null options (toLocaleTimeString)'],
  ['Intl.DateTimeFormat.supportedLocalesOf("en-US", null)', 'error: null options (supportedLocalesOf)'],
];

const TABLE: Array<[string, string]> = [...NUMBERS, ...dateCases(), ...MISC_DATES];

/** Runs each expression, catching errors as "ERR name: message"; with `L` bound to the default locale. */
const HARNESS = (cases: Array<[string, string]>) => `
const CASES = [
${cases.map(([expr, label]) => `  [${JSON.stringify(label)}, (L) => (${expr})],`).join('\n')}
];
function runCases(L) {
  return CASES.map(([label, f]) => {
    try { return f(L) } catch (e) { return 'ERR ' + e.name + ': ' + e.message }
  });
}`;

function hostResults(cases: Array<[string, string]>): unknown[] {
  const run = new Function(`${HARNESS(cases)}\nreturn runCases('en-US');`) as () => unknown[];
  return JSON.parse(JSON.stringify(run())) as unknown[];
}

describe('the same expressions in the sandbox and in Node give the same bytes', () => {
  test(`${TABLE.length} NumberFormat / DateTimeFormat / toLocale*String cases`, async () => {
    const r = await runner(`${HARNESS(TABLE)}\nclass Script { m() { return runCases(undefined) } }`, { limits: { callMs: 2000 } });
    const got = ok(await r.call('m', {})) as unknown[];
    const want = hostResults(TABLE);
    assert.equal(got.length, TABLE.length);
    const diffs = TABLE.flatMap(([expr, label], i) =>
      JSON.stringify(got[i]) === JSON.stringify(want[i]) ? [] : [`${label}: ${expr}\n  sandbox ${JSON.stringify(got[i])}\n  node    ${JSON.stringify(want[i])}`],
    );
    assert.deepEqual(diffs, []);
    // the table really covers errors and successes both
    assert.ok(want.filter((w) => typeof w === 'string' && w.startsWith('ERR ')).length >= 20);
    assert.ok(want.filter((w) => !(typeof w === 'string' && w.startsWith('ERR '))).length >= 300);
  });

  test('spot checks against literal strings (en-US, UTC)', async () => {
    const r = await runner(`class Script { m() { return [
      new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(1234.5),
      (1234567.891).toLocaleString(),
      (0.256).toLocaleString('en-US', { style: 'percent' }),
      new Date(1700000000000).toLocaleString('en-US', { timeZone: 'UTC' }),
      new Date(1700000000000).toLocaleDateString('en-US', { timeZone: 'UTC' }),
      Intl.DateTimeFormat('en-US', { timeZone: 'UTC', dateStyle: 'full' }).format(1700000000000),
      new Intl.NumberFormat('en-US', { notation: 'compact' }).format(1234567),
    ] } }`);
    const got = ok(await r.call('m', {})) as string[];
    // V8 separates AM/PM with whatever its ICU uses (U+0020 or U+202F): take it from Node
    const sep = new Date(0).toLocaleTimeString('en-US', { timeZone: 'UTC' }).slice(-3, -2);
    assert.deepEqual(got, ['$1,234.50', '1,234,567.891', '26%', `11/14/2023, 10:13:20${sep}PM`, '11/14/2023', 'Tuesday, November 14, 2023', '1.2M']);
  });
});

// ---- shape, defaults, boundary ------------------------------------------------------------------

describe('the Intl object', () => {
  test('constructors, bound format, instanceof, subclassing, receivers, property layout', async () => {
    const r = await runner(`class Script { m() {
      const nf = new Intl.NumberFormat('en-US');
      const f = nf.format;
      class Money extends Intl.NumberFormat { constructor() { super('en-US', { style: 'currency', currency: 'USD' }) } show(x) { return 'cost ' + this.format(x) } }
      const attempt = (fn) => { try { return fn() } catch (e) { return e.name + ': ' + e.message } };
      const ro = nf.resolvedOptions();
      ro.locale = 'changed';
      return {
        tags: [String(Intl), Object.prototype.toString.call(nf), Object.prototype.toString.call(new Intl.DateTimeFormat())],
        withoutNew: Intl.NumberFormat('en-US') instanceof Intl.NumberFormat && Intl.DateTimeFormat() instanceof Intl.DateTimeFormat,
        bound: [f === nf.format, f(1234), [1, 22000].map(nf.format)],
        sub: new Money().show(5),
        subInstance: new Money() instanceof Intl.NumberFormat,
        resolvedFresh: nf.resolvedOptions().locale,
        lengths: [Intl.NumberFormat.length, Intl.DateTimeFormat.length, Intl.NumberFormat.name, Intl.DateTimeFormat.name],
        ownIntl: Object.getOwnPropertyNames(Intl).sort(),
        protoNames: Object.getOwnPropertyNames(Intl.NumberFormat.prototype).sort(),
        formatIsGetter: typeof Object.getOwnPropertyDescriptor(Intl.DateTimeFormat.prototype, 'format').get,
        enumerable: Object.keys(Intl).length + Object.keys(Intl.NumberFormat.prototype).length,
        wrongReceiver: attempt(() => Intl.NumberFormat.prototype.format),
        crossed: attempt(() => Intl.DateTimeFormat.prototype.resolvedOptions.call(new Intl.NumberFormat())),
        dateReceiver: attempt(() => Date.prototype.toLocaleString.call({})),
        numberReceiver: attempt(() => Number.prototype.toLocaleString.call('5')),
        methodNames: [Number.prototype.toLocaleString.name, Date.prototype.toLocaleDateString.name, Date.prototype.toLocaleTimeString.name],
      };
    } }`);
    const got = ok(await r.call('m', {})) as Record<string, unknown>;
    assert.deepEqual(got.tags, ['[object Intl]', '[object Intl.NumberFormat]', '[object Intl.DateTimeFormat]']);
    assert.equal(got.withoutNew, true);
    assert.deepEqual(got.bound, [true, '1,234', ['1', '22,000']]);
    assert.equal(got.sub, 'cost $5.00');
    assert.equal(got.subInstance, true);
    assert.equal(got.resolvedFresh, 'en-US', 'resolvedOptions() returns a fresh object each time');
    assert.deepEqual(got.lengths, [0, 0, 'NumberFormat', 'DateTimeFormat']);
    assert.deepEqual(got.ownIntl, ['DateTimeFormat', 'NumberFormat', 'getCanonicalLocales']);
    assert.deepEqual(got.protoNames, ['constructor', 'format', 'formatRange', 'formatRangeToParts', 'formatToParts', 'resolvedOptions']);
    assert.equal(got.formatIsGetter, 'function');
    assert.equal(got.enumerable, 0);
    assert.match(String(got.wrongReceiver), /^TypeError: /);
    assert.match(String(got.crossed), /^TypeError: /);
    assert.match(String(got.dateReceiver), /^TypeError: /);
    assert.match(String(got.numberReceiver), /^TypeError: /);
    assert.deepEqual(got.methodNames, ['toLocaleString', 'toLocaleDateString', 'toLocaleTimeString']);
  });

  test("defaults: locale en-US, time zone = the zone of the sandbox's Date (they agree)", async () => {
    const r = await runner(`class Script { m({ t }) {
      const d = new Date(t);
      const parts = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: 'numeric', hourCycle: 'h23' }).formatToParts(d);
      return {
        locale: new Intl.NumberFormat().resolvedOptions().locale,
        dateLocale: Intl.DateTimeFormat().resolvedOptions().locale,
        fallback: new Intl.NumberFormat('zz-ZZ').resolvedOptions().locale,
        fallbackDate: new Date(0).toLocaleString('xx-XX', { timeZone: 'UTC' }),
        zone: Intl.DateTimeFormat().resolvedOptions().timeZone,
        intlHour: Number(parts.find((p) => p.type === 'hour').value),
        intlMinute: Number(parts.find((p) => p.type === 'minute').value),
        dateHour: d.getHours(),
        dateMinute: d.getMinutes(),
      };
    } }`);
    const got = ok(await r.call('m', { t: 1_700_000_000_000 })) as Record<string, unknown>;
    assert.equal(got.locale, 'en-US');
    assert.equal(got.dateLocale, 'en-US');
    assert.equal(got.fallback, 'en-US');
    assert.equal(got.fallbackDate, new Date(0).toLocaleString('en-US', { timeZone: 'UTC' }), "en-US, whatever the host's own locale");
    assert.equal(got.zone, Intl.DateTimeFormat().resolvedOptions().timeZone);
    assert.deepEqual([got.intlHour, got.intlMinute], [got.dateHour, got.dateMinute]);
  });

  test('results are objects of the sandbox realm; errors too, with no host frames', async () => {
    const r = await runner(`class Script { m() {
      const parts = new Intl.NumberFormat('en-US').formatToParts(1);
      const ro = new Intl.DateTimeFormat('en-US').resolvedOptions();
      let err;
      try { new Intl.DateTimeFormat('en-US', { timeZone: 'Nowhere/Special' }) } catch (e) { err = e }
      return {
        partsArray: Array.isArray(parts) && parts instanceof Array && Object.getPrototypeOf(parts[0]) === Object.prototype,
        roPlain: Object.getPrototypeOf(ro) === Object.prototype,
        escape: [parts, ro, err, Intl.NumberFormat, new Intl.NumberFormat().format].map((v) => v.constructor.constructor('return typeof process')()),
        errorRealm: err instanceof RangeError,
        stack: String(err.stack),
      };
    } }`);
    const got = ok(await r.call('m', {})) as Record<string, unknown>;
    assert.equal(got.partsArray, true);
    assert.equal(got.roPlain, true);
    assert.deepEqual(got.escape, Array(5).fill('undefined'));
    assert.equal(got.errorRealm, true);
    assert.doesNotMatch(String(got.stack), /node:|\.ts\b|\/work\/|intl-host|quickjs/i);
  });

  test('a script that replaces built-ins breaks only itself; Intl keeps working', async () => {
    const r = await runner(`class Script { m() {
      JSON.stringify = () => '"forged"';
      JSON.parse = () => ({ forged: true });
      String.prototype.slice = () => 'S';
      WeakMap.prototype.get = () => ({ key: '{}' });
      Object.defineProperty(Object.prototype, 'style', { set() { throw new Error('setter ran') }, configurable: true });
      Array.prototype.push = () => { throw new Error('push ran') };
      return [
        new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(7),
        new Date(0).toLocaleDateString('en-US', { timeZone: 'UTC' }),
        (1234).toLocaleString(),
      ];
    } }`);
    // the result travels out through the preamble's captured JSON.stringify, so the forgery does not show
    assert.deepEqual(ok(await r.call('m', {})), ['$7.00', '1/1/1970', '1,234']);
  });

  test('prototype changes stay in their sandbox', async () => {
    const a = await runner(`class Script { m() { Number.prototype.toLocaleString = () => 'mine'; Intl.NumberFormat = null; return (5).toLocaleString() } }`);
    const b = await runner(`class Script { m() { return [(5000).toLocaleString(), typeof Intl.NumberFormat] } }`);
    assert.equal(ok(await a.call('m', {})), 'mine');
    assert.deepEqual(ok(await b.call('m', {})), ['5,000', 'function']);
  });

  test('Intl works at the top level of a script and in the smallest memory limit', async () => {
    const r = await runner(`const LOADED = new Date(0).toLocaleString('en-US', { timeZone: 'UTC' });
      class Script { m() { return LOADED } }`, { limits: { memoryBytes: 4 * 1024 * 1024 } });
    assert.equal(ok(await r.call('m', {})), new Date(0).toLocaleString('en-US', { timeZone: 'UTC' }));
  });
});

describe('limits', () => {
  test('a loop of Intl calls is stopped by the CPU limit, and the next call runs in a fresh sandbox', async () => {
    const r = await runner(`class Script {
      spin() {
        const zones = ['UTC', 'America/New_York', 'Europe/Paris', 'Asia/Tokyo', 'Australia/Sydney', 'Africa/Cairo'];
        for (let i = 0; ; i++) {
          new Intl.DateTimeFormat('en-US', { timeZone: zones[i % zones.length], minute: 'numeric', fractionalSecondDigits: 1 + (i % 3) }).format(i);
          (i * 1.5).toLocaleString('en-US', { minimumIntegerDigits: 1 + (i % 21) });
        }
      }
      ok() { return (1).toLocaleString('en-US', { style: 'percent' }) }
    }`);
    const e = failed(await r.call('spin', {}), 'timeout');
    assert.match(e.message, /ran for longer than/);
    assert.equal(ok(await r.call('ok', {})), '100%');
  });

  test('long inputs are refused or bounded, not passed on', async () => {
    const r = await runner(`class Script { m() {
      const attempt = (fn) => { try { return String(fn()).length } catch (e) { return e.name + ': ' + e.message.slice(0, 40) } };
      return {
        longTag: attempt(() => new Intl.NumberFormat('en-' + 'a'.repeat(300))),
        manyLocales: attempt(() => new Intl.NumberFormat(Array(100).fill('en-US'))),
        longZone: attempt(() => new Intl.DateTimeFormat('en-US', { timeZone: 'A'.repeat(1000) })),
        longCurrency: attempt(() => new Intl.NumberFormat('en-US', { style: 'currency', currency: 'X'.repeat(1000) })),
        hugeDecimal: attempt(() => new Intl.NumberFormat('en-US').format('9'.repeat(200000))),
        bigDecimal: attempt(() => new Intl.NumberFormat('en-US', { useGrouping: false }).format('9'.repeat(300))),
      };
    } }`);
    const got = ok(await r.call('m', {})) as Record<string, unknown>;
    assert.equal(got.longTag, 'RangeError: Incorrect locale information provided');
    assert.equal(got.manyLocales, 'RangeError: Incorrect locale information provided');
    assert.match(String(got.longZone), /^RangeError: Invalid time zone specified: AAAA/);
    assert.match(String(got.longCurrency), /^RangeError: /);
    assert.equal(got.hugeDecimal, 1, 'over the cap the string is converted to a number first: ∞');
    assert.equal(got.bigDecimal, new Intl.NumberFormat('en-US', { useGrouping: false }).format('9'.repeat(300) as unknown as number).length);
  });
});

// ---- the host half on its own -------------------------------------------------------------------

describe('IntlHost (the host half)', () => {
  const key = (t: string, l: unknown[], o: Record<string, unknown> = {}) => JSON.stringify({ t, l, o });

  test('formats through a bounded cache', () => {
    const h = new IntlHost();
    assert.equal(h.call('format', key('nf', [], { style: 'currency', currency: 'USD' }), 1234.5, undefined), 'S$1,234.50');
    assert.equal(h.call('format', key('dtf-any', ['en-US'], { timeZone: 'UTC' }), 0, undefined), `S${new Date(0).toLocaleString('en-US', { timeZone: 'UTC' })}`);
    assert.equal(h.call('format', key('nf', ['de-DE']), '1234.5', undefined), 'S1.234,5');
    for (let i = 0; i < 500; i++) h.call('format', key('nf', ['en-US'], { minimumFractionDigits: i % 21, minimumIntegerDigits: 1 + (i % 21), maximumFractionDigits: 20 }), i, undefined);
    assert.ok((h as unknown as { cache: Map<string, unknown> }).cache.size <= INTL_LIMITS.MAX_CACHED);
  });

  test('refuses anything but the whitelisted shape, without throwing', () => {
    const h = new IntlHost();
    const refused = [
      h.call('format', 'not json', 1, undefined),
      h.call('format', '[]', 1, undefined),
      h.call('format', key('collator', []), 1, undefined),
      h.call('format', key('nf', [], { __proto__x: 1 }), 1, undefined),
      h.call('format', key('nf', [], { toString: 'x' }), 1, undefined),
      h.call('format', key('nf', [], { style: 5 }), 1, undefined),
      h.call('format', key('nf', [], { minimumFractionDigits: '2' }), 1, undefined),
      h.call('format', key('nf', [], { style: 'x'.repeat(INTL_LIMITS.MAX_OPTION + 1) }), 1, undefined),
      h.call('format', key('dtf', [], { hour12: 'yes' }), 1, undefined),
      h.call('format', key('dtf', [], { timeZone: 'UTC' }), '12', undefined),
      h.call('format', key('nf', []), 'x'.repeat(INTL_LIMITS.MAX_DECIMAL + 1), undefined),
      h.call('format', key('nf', []), undefined, undefined),
      h.call('eval', key('nf', []), 1, undefined),
    ];
    for (const r of refused) assert.equal(r, 'EIntl: bad arguments');
    assert.equal(h.call('format', key('nf', [5]), 1, undefined), 'TLanguage ID should be string or object.');
    assert.equal(h.call('format', key('nf', Array(INTL_LIMITS.MAX_LOCALES + 1).fill('en')), 1, undefined), 'RIncorrect locale information provided');
    assert.equal(h.call('format', 'x'.repeat(INTL_LIMITS.MAX_KEY + 1), 1, undefined), 'RIntl: arguments too large');
    assert.equal(h.call('new', key('dtf', [], { timeZone: 'Foo/Bar' }), undefined, undefined), 'RInvalid time zone specified: Foo/Bar');
    assert.equal(h.call('new', key('nf', [], { maximumFractionDigits: 'NaN' }), undefined, undefined), 'RmaximumFractionDigits value is out of range.');
  });
});

// ---- through a real incoming webhook ------------------------------------------------------------

describe('incoming webhook', () => {
  let server: TestServer;
  let owner: User;
  before(async () => {
    server = await startTestServer({ env: { HOOK_RATE_LIMITS: 'off' } });
    owner = (await server.sb.store.user(server.workspaceId, server.ownerId))!;
  });
  after(async () => {
    await server.close();
  });

  test('a script formats an amount and a date with Intl and posts them', async () => {
    const doc = await server.sb.core.integrations.create(owner, {
      type: 'webhook-incoming',
      name: `intl-${Date.now().toString(36)}`,
      enabled: true,
      username: owner.username,
      channel: '#general',
      scriptEnabled: true,
      script: `
        const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
        class Script {
          process_incoming_request({ request }) {
            const { amount, at, id } = request.content;
            const when = new Date(at).toLocaleString('en-US', { timeZone: 'UTC', dateStyle: 'medium', timeStyle: 'short' });
            const day = new Date(at).toLocaleDateString('en-US', { timeZone: 'UTC', weekday: 'long' });
            return { content: { text: id + ': ' + usd.format(amount) + ' charged ' + when + ' (' + day + ', ' + (amount / 1e4).toLocaleString('en-US', { style: 'percent', maximumFractionDigits: 1 }) + ' of limit)' } };
          }
        }`,
    });
    const id = `intl-${Date.now().toString(36)}`;
    const at = 1_709_251_199_999;
    const r = await http(server.url, 'POST', `/hooks/${doc._id}/${doc.token}`, { body: { amount: 1234.5, at, id } });
    assert.deepEqual([r.status, r.body], [200, { success: true }], r.text);
    const when = new Date(at).toLocaleString('en-US', { timeZone: 'UTC', dateStyle: 'medium', timeStyle: 'short' });
    const expected = `${id}: $1,234.50 charged ${when} (Thursday, 12.3% of limit)`;
    const page = await server.sb.store.messagePage({ channelId: server.generalId, threadRootId: null, cursor: null, direction: 'older', limit: 50 });
    const posted = page.find((m) => m.text.startsWith(`${id}:`));
    assert.equal(posted?.text, expected);
    assert.match(expected, /Feb 29, 2024, 11:59\sPM/);
  });
});
