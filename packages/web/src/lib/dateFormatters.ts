/**
 * Constructing an `Intl.DateTimeFormat` costs a few tenths of a millisecond (locale negotiation),
 * formatting with one a few microseconds: a list mounting rows while it scrolls formats two times
 * per row, so it keeps one formatter per language, option set and time zone. Every time and date
 * the client shows goes through here (lib/format.ts too), in the display zone (lib/timeZone.ts)
 * unless a zone is given.
 */
import { displayTimeZone } from './timeZone';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(lang: string, name: string, options: Intl.DateTimeFormatOptions, zone: string): Intl.DateTimeFormat {
  const key = `${name}|${lang}|${zone}`;
  let f = formatters.get(key);
  if (!f) formatters.set(key, (f = new Intl.DateTimeFormat(lang, { ...options, timeZone: zone })));
  return f;
}

/** The clock time ("3:07 PM"). */
export const formatTimeCached = (ms: number, lang: string, zone = displayTimeZone()): string => formatter(lang, 'time', { hour: 'numeric', minute: '2-digit' }, zone).format(ms);

/** The full date and time ("Sunday, December 6, 2026 at 3:07 PM"). */
export const formatFullCached = (ms: number, lang: string, zone = displayTimeZone()): string =>
  formatter(lang, 'full', { dateStyle: 'full', timeStyle: 'short' }, zone).format(ms);

/** A short date and time ("Dec 6, 2026, 3:07 PM"). */
export const formatMediumCached = (ms: number, lang: string, zone = displayTimeZone()): string =>
  formatter(lang, 'medium', { dateStyle: 'medium', timeStyle: 'short' }, zone).format(ms);

/** A day for day separators ("Sunday, December 6"), with the year when asked. */
export const formatWeekdayCached = (ms: number, lang: string, withYear: boolean, zone = displayTimeZone()): string =>
  formatter(lang, withYear ? 'weekdayYear' : 'weekday', { weekday: 'long', month: 'long', day: 'numeric', ...(withYear && { year: 'numeric' }) }, zone).format(ms);

export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The calendar date and clock time a wall clock in the zone shows at `ms`. */
export function wallClock(ms: number, zone = displayTimeZone()): WallClock {
  const f = formatter('en-US', 'parts', { year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', hourCycle: 'h23' }, zone);
  const w: WallClock = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const p of f.formatToParts(ms)) if (p.type in w) w[p.type as keyof WallClock] = Number(p.value);
  if (w.hour === 24) w.hour = 0; // some engines write midnight as 24 even with h23
  return w;
}

/** A number naming the zone's calendar day at `ms` (20261206): equal for two instants on one day. */
export function dayKey(ms: number, zone = displayTimeZone()): number {
  const w = wallClock(ms, zone);
  return w.year * 10_000 + w.month * 100 + w.day;
}

/** How far the zone's wall clock is ahead of UTC at `ms`, in milliseconds. */
function offsetAt(ms: number, zone: string): number {
  const w = wallClock(ms, zone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(ms / 1000) * 1000;
}

/**
 * The first instant of the zone's calendar day holding `ms`. The offset is read twice (at `ms`, then
 * at the first guess) so that a day whose offset changes (daylight saving) still starts at midnight.
 */
export function dayStart(ms: number, zone = displayTimeZone()): number {
  const w = wallClock(ms, zone);
  const midnight = Date.UTC(w.year, w.month - 1, w.day);
  const guess = midnight - offsetAt(ms, zone);
  return midnight - offsetAt(guess, zone);
}

/** [start, end) of the zone's calendar day holding `ms`; days last 23 to 25 hours, so 36 hours on is the next one. */
export function dayBounds(ms: number, zone = displayTimeZone()): [number, number] {
  const start = dayStart(ms, zone);
  return [start, dayStart(start + 36 * 3_600_000, zone)];
}
