import { describe, expect, it } from 'vitest';
import { FALLBACK_VIEWPORT, revealScrollTop, windowRange } from './virtual';

describe('windowRange', () => {
  const H = 76;

  it('is empty without rows', () => {
    expect(windowRange(0, 500, H, 0, 5)).toEqual([0, 0]);
    expect(windowRange(1234, 500, H, 0, 5)).toEqual([0, 0]);
  });

  it('covers the rows in view plus the overscan, clamped to the list', () => {
    // 500 px from the top: rows 0 … 6 (6 × 76 = 456 < 500 ≤ 532) are in view.
    expect(windowRange(0, 500, H, 1000, 0)).toEqual([0, 7]);
    expect(windowRange(0, 500, H, 1000, 5)).toEqual([0, 12]);
    // Row 10 starts at 760: scrolled there, rows 10 … 16 are in view (16 ends at 1292 > 1260).
    expect(windowRange(760, 500, H, 1000, 0)).toEqual([10, 17]);
    expect(windowRange(760, 500, H, 1000, 3)).toEqual([7, 20]);
    // Half-way through row 10: it is still shown, and half of row 17 below.
    expect(windowRange(798, 500, H, 1000, 0)).toEqual([10, 18]);
  });

  it('renders every row of a short list', () => {
    expect(windowRange(0, 500, H, 3, 5)).toEqual([0, 3]);
    expect(windowRange(0, 500, H, 1, 0)).toEqual([0, 1]);
  });

  it('ends at the last row when scrolled to the bottom', () => {
    const bottom = 1000 * H - 500;
    const [start, end] = windowRange(bottom, 500, H, 1000, 2);
    expect(end).toBe(1000);
    expect(start).toBe(Math.floor(bottom / H) - 2);
  });

  it('treats a scroll offset past the end (the list just shrank) as the bottom', () => {
    // 10 rows (760 px) in a 500 px viewport: at most 260 px of scroll.
    expect(windowRange(50_000, 500, H, 10, 0)).toEqual([3, 10]);
    expect(windowRange(50_000, 500, H, 10, 0)).toEqual(windowRange(260, 500, H, 10, 0));
    // Fewer rows than fit: all of them, whatever the offset.
    expect(windowRange(50_000, 500, H, 2, 0)).toEqual([0, 2]);
  });

  it('treats a negative scroll offset (the padding above the first row) as 0', () => {
    expect(windowRange(-4, 500, H, 1000, 0)).toEqual(windowRange(0, 500, H, 1000, 0));
  });

  it('falls back to a default viewport without layout', () => {
    const rows = Math.ceil(FALLBACK_VIEWPORT / H);
    expect(windowRange(0, 0, H, 1000, 0)).toEqual([0, rows]);
    expect(windowRange(0, 0, H, 1000, 5)).toEqual([0, rows + 5]);
    expect(windowRange(0, Number.NaN, H, 1000, 0)).toEqual([0, rows]);
    expect(windowRange(Number.NaN, 500, H, 1000, 0)).toEqual([0, 7]);
  });

  it('always holds the rows in view, and at most the overscan more', () => {
    const bad: unknown[] = [];
    for (const count of [1, 2, 7, 50, 1000]) {
      for (const viewport of [1, 75, 76, 77, 300, 999]) {
        for (const overscan of [0, 1, 5]) {
          for (let top = 0; top < count * H; top += 37) {
            const [start, end] = windowRange(top, viewport, H, count, overscan);
            // Every row intersecting [top, top + viewport) of the clamped offset is inside.
            const clamped = Math.min(top, Math.max(0, count * H - viewport));
            const first = Math.floor(clamped / H);
            const last = Math.min(count, Math.ceil((clamped + viewport) / H));
            const ok =
              start >= 0 &&
              end <= count &&
              start < end &&
              start <= first &&
              end >= last &&
              end - start <= last - first + 2 * overscan;
            if (!ok) bad.push({ count, viewport, overscan, top, start, end });
          }
        }
      }
    }
    expect(bad).toEqual([]);
  });
});

describe('revealScrollTop', () => {
  const H = 76;
  const PAD = 4;

  it('leaves a row in view where it is', () => {
    expect(revealScrollTop(0, 100, H, PAD, 0, 500)).toBe(0);
    expect(revealScrollTop(3, 100, H, PAD, 0, 500)).toBe(0);
    // Row 10 spans 764 … 840.
    expect(revealScrollTop(10, 100, H, PAD, 700, 500)).toBe(700);
    expect(revealScrollTop(10, 100, H, PAD, 764, 500)).toBe(764);
    expect(revealScrollTop(10, 100, H, PAD, 340, 500)).toBe(340);
  });

  it('scrolls up to a row above, to its top', () => {
    expect(revealScrollTop(10, 100, H, PAD, 800, 500)).toBe(764);
    // The first row with the padding above it.
    expect(revealScrollTop(0, 100, H, PAD, 800, 500)).toBe(0);
  });

  it('scrolls down to a row below, to its bottom', () => {
    expect(revealScrollTop(10, 100, H, PAD, 0, 500)).toBe(840 - 500);
    expect(revealScrollTop(10, 100, H, PAD, 339, 500)).toBe(340);
    // The last row with the padding below it: the very bottom.
    expect(revealScrollTop(99, 100, H, PAD, 0, 500)).toBe(2 * PAD + 100 * H - 500);
  });

  it('clamps the index to the list', () => {
    const last = revealScrollTop(99, 100, H, PAD, 0, 500);
    expect(revealScrollTop(500, 100, H, PAD, 0, 500)).toBe(last);
    expect(revealScrollTop(-3, 100, H, PAD, 800, 500)).toBe(0);
  });

  it('shows the top of a row taller than the viewport', () => {
    expect(revealScrollTop(10, 100, H, PAD, 0, 50)).toBe(764);
  });

  it('does nothing without rows or layout', () => {
    expect(revealScrollTop(5, 0, H, PAD, 123, 500)).toBe(123);
    expect(revealScrollTop(5, 100, H, PAD, 123, 0)).toBe(123);
  });
});
