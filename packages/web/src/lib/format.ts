/** Dates and names as people read them, in the UI's language. */

export function sameDay(a: number, b: number): boolean {
  const x = new Date(a);
  const y = new Date(b);
  return x.getFullYear() === y.getFullYear() && x.getMonth() === y.getMonth() && x.getDate() === y.getDate();
}

export function formatTime(ms: number, lang: string): string {
  return new Intl.DateTimeFormat(lang, { hour: 'numeric', minute: '2-digit' }).format(ms);
}

export function formatFull(ms: number, lang: string): string {
  return new Intl.DateTimeFormat(lang, { dateStyle: 'full', timeStyle: 'short' }).format(ms);
}

/** "Today", "Yesterday" or a full date, for day separators. */
export function formatDay(ms: number, lang: string, today: string, yesterday: string, now = Date.now()): string {
  if (sameDay(ms, now)) return today;
  if (sameDay(ms, now - 86_400_000)) return yesterday;
  const d = new Date(ms);
  const thisYear = d.getFullYear() === new Date(now).getFullYear();
  return new Intl.DateTimeFormat(lang, { weekday: 'long', month: 'long', day: 'numeric', ...(!thisYear && { year: 'numeric' }) }).format(d);
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
