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
 * Copies `text`: the async clipboard API first; when it is missing or refused, the text of
 * `el` is selected (and the legacy copy command tried). Resolves to what happened.
 */
export async function copyText(text: string, el: HTMLElement | undefined): Promise<'copied' | 'selected'> {
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
