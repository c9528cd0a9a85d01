import { call } from './ipc';

/** Selects the text of `el` so the user can copy it by hand. */
export function selectText(el: HTMLElement): void {
  const sel = window.getSelection();
  if (!sel) return;
  const range = document.createRange();
  range.selectNodeContents(el);
  sel.removeAllRanges();
  sel.addRange(range);
}

/**
 * Copies `text`: through the app first (kept out of clipboard-manager history and cleared after
 * 30 s if still there), else the async clipboard API; when both are missing or refused, the
 * text of `el` is selected (and the legacy copy command tried). Resolves to what happened.
 */
export async function copyText(text: string, el: HTMLElement | undefined): Promise<'copied' | 'selected'> {
  try {
    await call<number>('clipboard_copy', { text });
    return 'copied';
  } catch {
    // Not in the app (tests, a browser), or no clipboard there: the web API next.
  }
  try {
    if (!navigator.clipboard?.writeText) throw new Error('no clipboard API');
    await navigator.clipboard.writeText(text);
    return 'copied';
  } catch {
    if (!el) throw new Error('nothing to select');
    selectText(el);
    try {
      if (typeof document.execCommand === 'function' && document.execCommand('copy')) return 'copied';
    } catch {
      // Fall through: the text stays selected.
    }
    return 'selected';
  }
}
