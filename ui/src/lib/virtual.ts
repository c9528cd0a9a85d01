// Window maths of the virtualised key list: every row has the same height, so which rows are
// in view, and where the scroller must go to show one, follow from the scroll offset alone.

/** Viewport height assumed when the scroller has no layout (jsdom, or not measured yet). */
export const FALLBACK_VIEWPORT = 800;

/**
 * The rows to render, `[start, end)`: those intersecting the viewport plus `overscan` rows on
 * each side. `scrollTop` is measured from the top of the first row. A `viewport` of 0 or less
 * (no layout) counts as {@link FALLBACK_VIEWPORT}. A `scrollTop` past the end (the list just
 * shrank and the browser has not clamped its scroll offset yet) counts as the last possible one.
 */
export function windowRange(
  scrollTop: number,
  viewport: number,
  rowHeight: number,
  count: number,
  overscan: number,
): [number, number] {
  if (count <= 0 || rowHeight <= 0) return [0, 0];
  const vh = viewport > 0 && Number.isFinite(viewport) ? viewport : FALLBACK_VIEWPORT;
  const maxTop = Math.max(0, count * rowHeight - vh);
  const top = Math.min(Math.max(0, Number.isFinite(scrollTop) ? scrollTop : 0), maxTop);
  const over = Math.max(0, Math.floor(overscan));
  const first = Math.floor(top / rowHeight);
  const last = Math.ceil((top + vh) / rowHeight); // exclusive
  return [Math.max(0, first - over), Math.min(count, last + over)];
}

/**
 * The scroll offset that shows row `index` whole, moving as little as possible (like
 * `scrollIntoView({block: 'nearest'})`); `scrollTop` itself when the row is already in view.
 * `pad` is the scroller's padding above the first row and below the last one: the first and the
 * last row are shown with it. Offsets here are the scroller's own (`Element.scrollTop`).
 */
export function revealScrollTop(
  index: number,
  count: number,
  rowHeight: number,
  pad: number,
  scrollTop: number,
  viewport: number,
): number {
  if (count <= 0 || viewport <= 0) return scrollTop;
  const i = Math.max(0, Math.min(count - 1, index));
  const top = i === 0 ? 0 : pad + i * rowHeight;
  const bottom = i === count - 1 ? 2 * pad + count * rowHeight : pad + (i + 1) * rowHeight;
  if (top < scrollTop) return top;
  // A row taller than the viewport shows its top.
  if (bottom > scrollTop + viewport) return Math.min(top, bottom - viewport);
  return scrollTop;
}
