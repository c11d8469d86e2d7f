/**
 * The host half of the sandbox's `Intl` (guest-intl.ts): formats numbers and dates with the sandbox
 * worker's own V8 Intl (full ICU), so scripts get exactly what Rocket.Chat's V8 sandbox gives them.
 *
 * It runs synchronously inside a guest time slice (the time counts against the script's CPU budget)
 * and takes only primitives: an op name, a JSON "key" describing the formatter, and up to two
 * values (numbers, or decimal strings). Everything is re-validated here: the key must parse to
 * {t, l, o} with a known kind, at most MAX_LOCALES locale strings of at most MAX_TAG characters,
 * and only whitelisted options of the right primitive type; strings are length-capped before they
 * are copied out of the guest. The answer is one string tagged by its first character ("S" result,
 * "R"/"T"/"E" + the message of a RangeError/TypeError/other error), never a host object or a stack.
 *
 * Bounded work per call: at most one formatter construction (ICU: well under a millisecond, a few
 * ms the first time a locale's or zone's data is touched) and one formatting. Formatters are cached
 * by key in a small LRU (MAX_CACHED), so host memory stays bounded whatever the guest asks for.
 *
 * Defaults: locale en-US — never the host's locale; a list with no supported locale falls back to
 * en-US. Time zone: when the script names none, V8's default, i.e. the zone of the process, which is
 * also the zone QuickJS's Date uses for local time (its localtime goes through this same V8), so
 * `toLocaleString()` and `getHours()` agree, as they do in Rocket.Chat. Any IANA zone (and V8's
 * aliases such as "utc") is accepted; an unknown one is V8's own RangeError ("Invalid time zone
 * specified: …").
 */

export const INTL_LIMITS = Object.freeze({
  /** locale tags per request */
  MAX_LOCALES: 32,
  /** characters per locale tag */
  MAX_TAG: 256,
  /** characters per string option */
  MAX_OPTION: 256,
  /** characters of the key JSON */
  MAX_KEY: 16 * 1024,
  /** characters of a decimal string to format (a BigInt, a numeric string) */
  MAX_DECIMAL: 100_000,
  /** formatters kept */
  MAX_CACHED: 64,
  /** characters of an error message handed back */
  MAX_MESSAGE: 1024,
});

type OptionType = 's' | 'n' | 'b' | 'g';
type Kind = 'nf' | 'dtf' | 'dtf-any' | 'dtf-date' | 'dtf-time';
type Options = Record<string, string | number | boolean>;

const NF_OPTIONS: Readonly<Record<string, OptionType>> = {
  localeMatcher: 's',
  numberingSystem: 's',
  style: 's',
  currency: 's',
  currencyDisplay: 's',
  currencySign: 's',
  unit: 's',
  unitDisplay: 's',
  notation: 's',
  compactDisplay: 's',
  signDisplay: 's',
  useGrouping: 'g',
  minimumIntegerDigits: 'n',
  minimumFractionDigits: 'n',
  maximumFractionDigits: 'n',
  minimumSignificantDigits: 'n',
  maximumSignificantDigits: 'n',
  roundingPriority: 's',
  roundingIncrement: 'n',
  roundingMode: 's',
  trailingZeroDisplay: 's',
};

const DTF_OPTIONS: Readonly<Record<string, OptionType>> = {
  localeMatcher: 's',
  calendar: 's',
  numberingSystem: 's',
  hour12: 'b',
  hourCycle: 's',
  timeZone: 's',
  weekday: 's',
  era: 's',
  year: 's',
  month: 's',
  day: 's',
  dayPeriod: 's',
  hour: 's',
  minute: 's',
  second: 's',
  fractionalSecondDigits: 'n',
  timeZoneName: 's',
  formatMatcher: 's',
  dateStyle: 's',
  timeStyle: 's',
};

const KINDS = new Set<Kind>(['nf', 'dtf', 'dtf-any', 'dtf-date', 'dtf-time']);
const NON_FINITE = new Set(['NaN', 'Infinity', '-Infinity']);
/** the locale that ends every list: the fallback when none of the script's is supported */
const FALLBACK_LOCALE = 'en-US';

interface Spec {
  t: Kind;
  l: string[];
  o: Options;
}

interface Formatter {
  format(v: number | string): string;
  formatToParts(v: number | string): unknown[];
  formatRange(a: number | string, b: number | string): string;
  formatRangeToParts(a: number | string, b: number | string): unknown[];
}

interface Entry {
  fmt: Formatter;
  resolved: string;
}

/** A value handed over by the guest: a number or a (length-capped) decimal string. */
export type IntlValue = number | string | undefined;

class Refusal extends Error {}

function parseSpec(key: string): Spec {
  if (key.length > INTL_LIMITS.MAX_KEY) throw new RangeError('Intl: arguments too large');
  let raw: unknown;
  try {
    raw = JSON.parse(key);
  } catch {
    throw new Refusal('Intl: bad arguments');
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new Refusal('Intl: bad arguments');
  const { t, l, o } = raw as Record<string, unknown>;
  if (typeof t !== 'string' || !KINDS.has(t as Kind)) throw new Refusal('Intl: bad arguments');
  if (!Array.isArray(l) || l.length > INTL_LIMITS.MAX_LOCALES) throw new RangeError('Incorrect locale information provided');
  const locales: string[] = [];
  for (const tag of l) {
    if (typeof tag !== 'string') throw new TypeError('Language ID should be string or object.');
    if (tag.length > INTL_LIMITS.MAX_TAG) throw new RangeError('Incorrect locale information provided');
    locales.push(tag);
  }
  if (o === null || typeof o !== 'object' || Array.isArray(o)) throw new Refusal('Intl: bad arguments');
  const allowed = t === 'nf' ? NF_OPTIONS : DTF_OPTIONS;
  const options: Options = Object.create(null) as Options;
  for (const [name, value] of Object.entries(o as Record<string, unknown>)) {
    const type = Object.hasOwn(allowed, name) ? allowed[name] : undefined;
    if (type === undefined) throw new Refusal('Intl: bad arguments');
    if (type === 's' || (type === 'g' && typeof value === 'string')) {
      if (typeof value !== 'string' || value.length > INTL_LIMITS.MAX_OPTION) throw new Refusal('Intl: bad arguments');
      options[name] = value;
    } else if (type === 'b' || type === 'g') {
      if (typeof value !== 'boolean') throw new Refusal('Intl: bad arguments');
      options[name] = value;
    } else if (typeof value === 'number' && Number.isFinite(value)) {
      options[name] = value;
    } else if (typeof value === 'string' && NON_FINITE.has(value)) {
      options[name] = Number(value); // V8 answers with its own RangeError
    } else {
      throw new Refusal('Intl: bad arguments');
    }
  }
  return { t: t as Kind, l: locales, o: options };
}

/** ECMA-402 ToDateTimeOptions (what Date.prototype.toLocale{,Date,Time}String add before formatting). */
function dateDefaults(o: Options, required: 'any' | 'date' | 'time', defaults: 'all' | 'date' | 'time'): Options {
  let needDefaults = true;
  if (required === 'date' || required === 'any') {
    for (const k of ['weekday', 'year', 'month', 'day']) if (o[k] !== undefined) needDefaults = false;
  }
  if (required === 'time' || required === 'any') {
    for (const k of ['dayPeriod', 'hour', 'minute', 'second', 'fractionalSecondDigits']) if (o[k] !== undefined) needDefaults = false;
  }
  if (o.dateStyle !== undefined || o.timeStyle !== undefined) needDefaults = false;
  if (required === 'date' && o.timeStyle !== undefined) throw new TypeError('Invalid option : timeStyle');
  if (required === 'time' && o.dateStyle !== undefined) throw new TypeError('Invalid option : dateStyle');
  const filled: Options = { ...o };
  if (needDefaults && (defaults === 'date' || defaults === 'all')) Object.assign(filled, { year: 'numeric', month: 'numeric', day: 'numeric' });
  if (needDefaults && (defaults === 'time' || defaults === 'all')) Object.assign(filled, { hour: 'numeric', minute: 'numeric', second: 'numeric' });
  return filled;
}

function construct(spec: Spec): Entry {
  const locales = [...spec.l, FALLBACK_LOCALE];
  let fmt: Intl.NumberFormat | Intl.DateTimeFormat;
  if (spec.t === 'nf') fmt = new Intl.NumberFormat(locales, spec.o as Intl.NumberFormatOptions);
  else {
    const o =
      spec.t === 'dtf-any'
        ? dateDefaults(spec.o, 'any', 'all')
        : spec.t === 'dtf-date'
          ? dateDefaults(spec.o, 'date', 'date')
          : spec.t === 'dtf-time'
            ? dateDefaults(spec.o, 'time', 'time')
            : spec.o;
    fmt = new Intl.DateTimeFormat(locales, o as Intl.DateTimeFormatOptions);
  }
  return { fmt: fmt as unknown as Formatter, resolved: JSON.stringify(fmt.resolvedOptions()) };
}

function checkValue(v: IntlValue, kind: Kind): number | string {
  if (typeof v === 'number') return v;
  if (kind === 'nf' && typeof v === 'string' && v.length <= INTL_LIMITS.MAX_DECIMAL) return v;
  throw new Refusal('Intl: bad arguments');
}

export class IntlHost {
  private readonly cache = new Map<string, Entry>();

  /** Answers one guest request with a tagged string; never throws. */
  call(op: string, key: string, a: IntlValue, b: IntlValue): string {
    try {
      return 'S' + this.run(op, key, a, b);
    } catch (err) {
      if (err instanceof Refusal) return 'E' + err.message;
      const message = err instanceof Error ? err.message.slice(0, INTL_LIMITS.MAX_MESSAGE) : 'Intl: failed';
      if (err instanceof RangeError) return 'R' + message;
      if (err instanceof TypeError) return 'T' + message;
      return 'EIntl: failed';
    }
  }

  private run(op: string, key: string, a: IntlValue, b: IntlValue): string {
    const spec = parseSpec(key);
    if (op === 'canonical') return JSON.stringify(Intl.getCanonicalLocales(spec.l));
    if (op === 'supported') {
      const matcher = spec.o.localeMatcher;
      const opts = matcher === undefined ? {} : { localeMatcher: matcher as 'lookup' | 'best fit' };
      const list = spec.t === 'nf' ? Intl.NumberFormat.supportedLocalesOf(spec.l, opts) : Intl.DateTimeFormat.supportedLocalesOf(spec.l, opts);
      return JSON.stringify(list);
    }
    const entry = this.entry(spec);
    switch (op) {
      case 'new':
        return entry.resolved;
      case 'format':
        return entry.fmt.format(checkValue(a, spec.t));
      case 'parts':
        return JSON.stringify(entry.fmt.formatToParts(checkValue(a, spec.t)));
      case 'range':
        return entry.fmt.formatRange(checkValue(a, spec.t), checkValue(b, spec.t));
      case 'rangeParts':
        return JSON.stringify(entry.fmt.formatRangeToParts(checkValue(a, spec.t), checkValue(b, spec.t)));
      default:
        throw new Refusal('Intl: bad arguments');
    }
  }

  private entry(spec: Spec): Entry {
    const cacheKey = JSON.stringify(spec);
    const hit = this.cache.get(cacheKey);
    if (hit) {
      this.cache.delete(cacheKey);
      this.cache.set(cacheKey, hit);
      return hit;
    }
    const made = construct(spec);
    if (this.cache.size >= INTL_LIMITS.MAX_CACHED) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(cacheKey, made);
    return made;
  }
}
