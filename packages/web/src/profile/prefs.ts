/**
 * Preferences of this browser (localStorage): desktop notifications on/off — the browser's permission
 * is per browser too. The per-channel level is the server's (notifications/levels.ts).
 */
const DESKTOP = 'sb.notify.desktop';

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
