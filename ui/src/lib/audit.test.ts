import { describe, expect, it } from 'vitest';
import {
  ACTION_LABELS,
  actionLabel,
  actorLabel,
  article,
  formatTime,
  groupEntries,
  readableSummary,
  rowTitle,
  searchEntries,
  verifyDetail,
  verifySummary,
} from './audit';
import { auditEntry } from '../tests/fake-backend';
import { AUDIT_ACTIONS, type AuditReport } from './ipc';

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

const HASH = '38e858cbaa11bb22';

describe('audit wording', () => {
  it('summarises a report', () => {
    expect(verifySummary(report({}))).toBe('Intact: all 3 entries are as they were written, none removed or reordered.');
    expect(verifySummary(report({ rows: 1, anchoredThrough: 0, unanchored: 1 }))).toBe(
      'Intact: the 1 entry is as it was written.',
    );
    expect(verifySummary(report({ ok: false, problems: [{ kind: 'anchor_missing' }] }))).toBe(
      'Tampering detected: 1 problem in 3 entries.',
    );
    expect(verifyDetail(report({}))).toMatch(/vouches for every entry up to #3/);
    expect(verifyDetail(report({ anchoredThrough: 1, unanchored: 2 }))).toMatch(
      /up to #1; the 2 newer entries are checked by their chain only/,
    );
    expect(verifyDetail(report({ anchorChecked: false }))).toMatch(/anchor was not checked/);
  });

  it('names every action, and actors, in words', () => {
    for (const a of AUDIT_ACTIONS) expect(ACTION_LABELS[a], a).toBeTruthy();
    const labels = AUDIT_ACTIONS.map((a) => actionLabel(a));
    expect(new Set(labels).size).toBe(labels.length);
    expect(actionLabel('key.reveal')).toBe('Private key revealed');
    expect(actionLabel('vault.passphrase_change')).toBe('Passphrase changed');
    // An action the app has no words for yet is not shown as a code.
    expect(actionLabel('something.new_thing')).toBe('Something new thing');
    expect(actorLabel('cli')).toBe('CLI');
    expect(actorLabel('app')).toBe('App');
  });

  it('keeps codes and hashes for the tooltip, searches what is shown', () => {
    const e = auditEntry(2, 'key.tag', 'k', 'added tags prod, ci');
    expect(rowTitle(e)).toBe(`#2 key.tag · hash ${e.hash.slice(0, 16)}… (follows ${e.prev.slice(0, 16)}…)`);
    expect(searchEntries([e], 'CI prod')).toEqual([e]);
    expect(searchEntries([e], 'ci staging')).toEqual([]);
    expect(searchEntries([e], '  ')).toEqual([e]);
    const x = auditEntry(3, 'key.export', 'k', 'exported the public key as eth');
    expect(searchEntries([x], 'ethereum address')).toEqual([x]);
    expect(formatTime('not a date')).toBe('not a date');
    expect(formatTime('2025-03-04T05:06:07Z')).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:07$/);
  });

  it('writes summaries in plain words', () => {
    const cases: [string, string][] = [
      [`“keyward-cli” asked: sign_message (shown ${HASH}…)`, '“keyward-cli” asked to sign a message'],
      [`showed “keyward-cli”'s request (shown ${HASH}…)`, 'Showed “keyward-cli”\'s request'],
      [
        `approved (and granted 5 min) “dapp”'s mint_jwt (shown ${HASH}…)`,
        'Approved “dapp”\'s token request, and granted 5 min',
      ],
      [`denied  “dapp”'s siwe_login (shown ${HASH}…)`, 'Denied “dapp”\'s Sign-In with Ethereum request'],
      [`minted a ES256 token, 15 s for “dapp” after approval (shown ${HASH}…)`, 'Minted an ES256 token, 15 s for “dapp” after approval'],
      ['minted a engine ES256 token, 15 s', 'Minted a thirdweb Engine ES256 token, 15 s'],
      ['minted a generic EdDSA token, 60 s', 'Minted an EdDSA token, 60 s'],
      ['minted a generic PS256 token, 60 s', 'Minted a PS256 token, 60 s'],
      ['signed with eip191 (42 bytes)', 'Signed with EIP-191 (42 bytes)'],
      ['exported the public key as pem', 'Exported the public key as PEM'],
      ['revealed the private key as wif', 'Revealed the private key as WIF'],
      ['vault created (mode none)', 'Vault created without a passphrase'],
      ['“dapp”\'s sign_digest expired unanswered', '“dapp”\'s request to sign a digest expired unanswered'],
      [
        'paired app "dapp" (0123456789abcdef) with no origin; it may use any key',
        'Paired app "dapp" with no origin; it may use any key',
      ],
      ['granted app "dapp" (0123456789abcdef) until lock (grant fedcba9876543210)', 'Granted app "dapp" until lock'],
      ['revoked grant fedcba9876543210 of dapp', 'Revoked a grant of dapp'],
      ['refused 3 calls from “dapp”: endpoint.unpaired ×2, approval.too_soon ×1', 'Refused 3 calls from “dapp”'],
    ];
    for (const [raw, want] of cases) expect(readableSummary(raw).text, raw).toBe(want);
    expect(readableSummary(`“a” asked: sign_message (shown ${HASH}…)`).request).toBe(HASH);
    expect(readableSummary('vault unlocked').request).toBeNull();
    for (const [raw] of cases) expect(readableSummary(raw).text).not.toMatch(/shown [0-9a-f]|_|[0-9a-f]{16}|[a-z]\.[a-z]/);
  });

  it('says "an" where it is read so', () => {
    expect(['ES256', 'RS256', 'EdDSA', 'HS256', 'engine'].map(article)).toEqual(['an', 'an', 'an', 'an', 'an']);
    expect(['PS256', 'generic', 'JWT', 'P-256'].map(article)).toEqual(['a', 'a', 'a', 'a']);
  });

  it('groups the entries of one request under its newest', () => {
    const list = [
      auditEntry(9, 'approval.signed', 'k', `minted a ES256 token for “a” after approval (shown ${HASH}…)`),
      auditEntry(8, 'vault.unlock', null, 'vault unlocked'),
      auditEntry(7, 'approval.approved', 'k', `approved  “a”'s mint_jwt (shown ${HASH}…)`),
      auditEntry(6, 'approval.shown', 'k', `showed “a”'s request (shown ${HASH}…)`),
      auditEntry(5, 'approval.asked', 'k', `“b” asked: mint_jwt (shown ffff0000ffff0000…)`),
      auditEntry(4, 'approval.asked', 'k', `“a” asked: mint_jwt (shown ${HASH}…)`),
    ];
    const groups = groupEntries(list);
    expect(groups.map((g) => [g.head.seq, g.steps.map((s) => s.seq)])).toEqual([
      [9, [7, 6, 4]],
      [8, []],
      [5, []],
    ]);
  });
});
