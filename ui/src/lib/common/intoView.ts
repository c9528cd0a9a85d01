// How a result comes into view: the element a user is waiting for (a minted token, a revealed
// key, a call's answer, an error) scrolls into the nearest scroll container's view when it
// appears, and optionally takes focus so a screen reader reads it. Nothing moves when it is
// already in view.

export interface IntoViewOptions {
  enabled?: boolean;
  /** Also move focus to it (it gets tabindex -1 when it has none). */
  focus?: boolean;
}

export function intoView(node: HTMLElement, options: IntoViewOptions = {}): void {
  if (options.enabled === false) return;
  // After layout: the element's size is known once the frame that added it is painted.
  const nextFrame = globalThis.requestAnimationFrame ?? ((f: () => void) => setTimeout(f, 0));
  nextFrame(() => {
    if (!node.isConnected) return;
    node.scrollIntoView?.({ block: 'nearest', inline: 'nearest' });
    if (options.focus) {
      if (!node.hasAttribute('tabindex')) node.setAttribute('tabindex', '-1');
      node.focus({ preventScroll: true });
    }
  });
}
