/**
 * Preferences the server has no route for yet, kept in this browser (localStorage): desktop
 * notifications on/off and the per-channel level (all, mentions, nothing).
 */
export type NotifyLevel = 'all' | 'mentions' | 'nothing';

const DESKTOP = 'sb.notify.desktop';
const LEVELS = 'sb.notify.levels';

function read<T>(key: string, fallback: T): T {
  try {
    const v = localStorage.getItem(key);
    return v === null ? fallback : (JSON.parse(v) as T);
  } catch {
    return fallback;
  }
}
function write(key: string, value: unknown): void {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    /* storage unavailable: lasts for this page */
  }
}

export const desktopEnabled = (): boolean => read(DESKTOP, false);
export const setDesktopEnabled = (on: boolean) => write(DESKTOP, on);

/** Direct messages notify for every message by default, other channels for mentions. */
export const levelOf = (channelId: string, direct: boolean): NotifyLevel => read<Record<string, NotifyLevel>>(LEVELS, {})[channelId] ?? (direct ? 'all' : 'mentions');
export function setLevel(channelId: string, level: NotifyLevel): void {
  write(LEVELS, { ...read<Record<string, NotifyLevel>>(LEVELS, {}), [channelId]: level });
}
