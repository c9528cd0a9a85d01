import { describe, expect, it } from 'vitest';
import { actionLabel, formatTime, rowTitle, searchEntries, verifySummary } from './audit';
import { auditEntry } from '../tests/fake-backend';
import type { AuditReport } from './ipc';

const report = (over: Partial<AuditReport>): AuditReport => ({
  ok: true,
  rows: 3,
  anchoredThrough: 3,
  unanchored: 0,
  anchorChecked: true,
  head: 'ab'.repeat(32),
  problems: [],
  ...over,
});

describe('audit wording', () => {
  it('summarises a report', () => {
    expect(verifySummary(report({}))).toBe('Intact: 3 entries, anchored through #3, 0 not yet anchored');
    expect(verifySummary(report({ rows: 1, anchoredThrough: 0, unanchored: 1 }))).toBe(
      'Intact: 1 entry, anchored through #0, 1 not yet anchored',
    );
    expect(verifySummary(report({ anchorChecked: false }))).toMatch(/anchor was not checked/);
    expect(verifySummary(report({ ok: false, problems: [{ kind: 'anchor_missing' }] }))).toBe(
      'Tampering detected: 1 problem in 3 entries.',
    );
  });

  it('names actions, shows hashes short and searches summaries', () => {
    expect(actionLabel('key.reveal')).toBe('Private key revealed');
    expect(actionLabel('something.new')).toBe('something.new');
    const e = auditEntry(2, 'key.tag', 'k', 'added tags prod, ci');
    expect(rowTitle(e)).toBe(`#2 hash ${e.hash.slice(0, 16)}… (follows ${e.prev.slice(0, 16)}…)`);
    expect(searchEntries([e], 'CI prod')).toEqual([e]);
    expect(searchEntries([e], 'ci staging')).toEqual([]);
    expect(searchEntries([e], '  ')).toEqual([e]);
    expect(formatTime('not a date')).toBe('not a date');
    expect(formatTime('2025-03-04T05:06:07Z')).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:07$/);
  });
});
