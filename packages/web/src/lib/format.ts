/** Dates and names as people read them, in the UI's language and the display time zone (lib/timeZone.ts). */
import { dayKey, dayStart, formatFullCached, formatTimeCached, formatWeekdayCached, wallClock } from './dateFormatters';
import { displayTimeZone } from './timeZone';

/** Whether two instants fall on one calendar day in the zone. */
export function sameDay(a: number, b: number, zone = displayTimeZone()): boolean {
  return dayKey(a, zone) === dayKey(b, zone);
}

export function formatTime(ms: number, lang: string, zone = displayTimeZone()): string {
  return formatTimeCached(ms, lang, zone);
}

export function formatFull(ms: number, lang: string, zone = displayTimeZone()): string {
  return formatFullCached(ms, lang, zone);
}

/** "Today", "Yesterday" or a full date, for day separators. */
export function formatDay(ms: number, lang: string, today: string, yesterday: string, now = Date.now(), zone = displayTimeZone()): string {
  const day = dayKey(ms, zone);
  if (day === dayKey(now, zone)) return today;
  // the instant before today began is yesterday, however long (daylight saving) that day was
  if (day === dayKey(dayStart(now, zone) - 1, zone)) return yesterday;
  return formatWeekdayCached(ms, lang, wallClock(ms, zone).year !== wallClock(now, zone).year, zone);
}

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const first = parts[0]?.[0] ?? '?';
  const second = parts.length > 1 ? (parts[parts.length - 1]?.[0] ?? '') : '';
  return (first + second).toUpperCase();
}

/** A stable hue per id, for avatars without a picture. */
export function hue(id: string): number {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) % 360;
  return h;
}
