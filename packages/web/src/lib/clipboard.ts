/**
 * Puts text on the clipboard: the Clipboard API where the page may use it (https, localhost), else
 * the older copy command on a hidden box (a server reached over plain http on a LAN, where
 * navigator.clipboard is missing), the focus given back after. Rejects when neither worked.
 */
export async function copyText(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const back = document.activeElement as HTMLElement | null;
    const box = document.createElement('textarea');
    box.value = text;
    box.style.cssText = 'position:fixed;opacity:0';
    document.body.append(box);
    box.select();
    const ok = document.execCommand('copy');
    box.remove();
    back?.focus();
    if (!ok) throw new Error('copy refused');
  }
}
