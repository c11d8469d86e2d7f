/**
 * Constructing an `Intl.DateTimeFormat` costs a few tenths of a millisecond (locale negotiation),
 * formatting with one a few microseconds: a list mounting rows while it scrolls formats two times
 * per row, so it keeps one formatter per language and option set. The same option sets as
 * lib/format.ts's formatTime and formatFull, so both write the same strings.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(lang: string, name: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${name}|${lang}`;
  let f = formatters.get(key);
  if (!f) formatters.set(key, (f = new Intl.DateTimeFormat(lang, options)));
  return f;
}

/** The clock time ("3:07 PM"), as formatTime. */
export const formatTimeCached = (ms: number, lang: string): string => formatter(lang, 'time', { hour: 'numeric', minute: '2-digit' }).format(ms);

/** The full date and time, as formatFull. */
export const formatFullCached = (ms: number, lang: string): string => formatter(lang, 'full', { dateStyle: 'full', timeStyle: 'short' }).format(ms);
