// Navigation between sections, and the Activity screen: the audit log, its filters, Verify.
import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import App from './App.svelte';
import ActivityScreen from './lib/ActivityScreen.svelte';
import { auditEntry, fakeBackend, keyInfo } from './tests/fake-backend';
import type { AuditProblem, AuditReport, KeyInfo } from './lib/ipc';

const byId = (id: string) => screen.getByTestId(id);

async function click(id: string) {
  await fireEvent.click(byId(id));
}

async function choose(id: string, value: string) {
  await fireEvent.change(byId(id), { target: { value } });
}

/** Whether an element sits in a hidden section. */
const isHidden = (el: HTMLElement) => el.closest('[hidden]') !== null;

const lastArgs = (calls: { args: unknown }[]) => calls[calls.length - 1]?.args;

const rowSeqs = () => screen.queryAllByTestId('audit-row').map((r) => Number(r.dataset.seq));

const LOG = [
  auditEntry(1, 'vault.init', null, 'created the vault', 'cli'),
  auditEntry(2, 'vault.unlock', null, 'unlocked', 'app'),
  auditEntry(3, 'key.generate', 'kid-1', 'generated a p256 key labelled deploy', 'app'),
  auditEntry(4, 'key.import', 'kid-2', 'imported a secp256k1 key from a mnemonic', 'cli'),
  auditEntry(5, 'key.export', 'kid-1', 'exported the public key as pem', 'app'),
  auditEntry(6, 'key.delete', 'kid-9', 'deleted the key', 'cli'),
  auditEntry(7, 'backup.create', null, 'backed up 2 keys', 'agent'),
  auditEntry(8, 'key.reveal', 'kid-2', 'revealed the private key as wif', 'app'),
];

/** The Activity screen on its own, shown; `rerender` hides or shows it again. */
async function openActivity(keys: KeyInfo[] = []) {
  const onerror = vi.fn();
  const r = render(ActivityScreen, { props: { keys, active: true, onerror } });
  await waitFor(() => expect(screen.getAllByTestId('audit-row').length).toBeGreaterThan(0));
  return {
    onerror,
    show: (active: boolean) => r.rerender({ keys, active, onerror }),
  };
}

describe('navigation', () => {
  it('switches sections and marks the current one', async () => {
    fakeBackend({ keys: [keyInfo(1)], audit: LOG });
    render(App);
    await screen.findByTestId('screen-keys');
    expect(byId('nav-keys').getAttribute('aria-current')).toBe('page');
    expect(byId('nav-activity').hasAttribute('aria-current')).toBe(false);
    expect(isHidden(byId('screen-activity'))).toBe(true);
    expect(screen.queryByTestId('screen-backup')).toBeNull();

    await click('nav-activity');
    expect(byId('nav-activity').getAttribute('aria-current')).toBe('page');
    expect(byId('nav-keys').hasAttribute('aria-current')).toBe(false);
    expect(isHidden(byId('screen-activity'))).toBe(false);
    expect(isHidden(byId('screen-keys'))).toBe(true);

    await click('nav-backup');
    expect(byId('nav-backup').getAttribute('aria-current')).toBe('page');
    expect(isHidden(byId('screen-backup'))).toBe(false);
    expect(isHidden(byId('screen-activity'))).toBe(true);

    await click('nav-keys');
    expect(isHidden(byId('screen-keys'))).toBe(false);
    expect(screen.queryByTestId('screen-backup')).toBeNull();
  });

  it('is reachable and usable from the keyboard', async () => {
    fakeBackend({ keys: [keyInfo(1)], audit: LOG });
    render(App);
    await screen.findByTestId('screen-keys');
    const items = [
      'nav-keys',
      'nav-sign',
      'nav-tokens',
      'nav-services',
      'nav-approvals',
      'nav-activity',
      'nav-backup',
      'nav-settings',
    ].map(byId);
    for (const b of items) {
      expect(b.tagName).toBe('BUTTON');
      expect(b.tabIndex).toBe(0);
    }
    expect(byId('nav-keys').closest('nav')?.getAttribute('aria-label')).toBe('Sections');
    const last = items.length - 1;

    items[0].focus();
    for (let i = 0; i < last; i++) {
      await fireEvent.keyDown(items[i], { key: 'ArrowRight' });
      expect(document.activeElement).toBe(items[i + 1]);
    }
    await fireEvent.keyDown(items[last], { key: 'ArrowRight' });
    expect(document.activeElement).toBe(items[0]);
    await fireEvent.keyDown(items[0], { key: 'ArrowLeft' });
    expect(document.activeElement).toBe(items[last]);
    await fireEvent.keyDown(items[last], { key: 'Home' });
    expect(document.activeElement).toBe(items[0]);
    await fireEvent.keyDown(items[0], { key: 'End' });
    expect(document.activeElement).toBe(items[last]);
    // Moving the focus does not switch the section; Enter or Space (a click) does.
    expect(byId('nav-keys').getAttribute('aria-current')).toBe('page');
    await fireEvent.click(items[5]);
    expect(byId('nav-activity').getAttribute('aria-current')).toBe('page');
  });

  it('keeps "/" for the key search only while Keys is shown', async () => {
    fakeBackend({ keys: [keyInfo(1)], audit: LOG });
    render(App);
    await screen.findByTestId('screen-keys');
    await click('nav-activity');
    await fireEvent.keyDown(document.body, { key: '/' });
    expect(document.activeElement).not.toBe(byId('key-search'));
    await click('nav-keys');
    await fireEvent.keyDown(document.body, { key: '/' });
    expect(document.activeElement).toBe(byId('key-search'));
  });
});

describe('activity', () => {
  const keys = () => [keyInfo(1, 'deploy'), keyInfo(2, 'wallet', { alg: 'secp256k1' })];

  it('reads the log only once the screen is shown', async () => {
    const be = fakeBackend({ keys: keys(), audit: LOG });
    render(App);
    await screen.findByTestId('nav-activity');
    expect(be.callsTo('audit_list')).toHaveLength(0);
    await click('nav-activity');
    await waitFor(() => expect(rowSeqs()).toHaveLength(8));
  });

  it('shows the log newest first with actions, actors and key labels in words', async () => {
    const be = fakeBackend({ keys: keys(), audit: LOG });
    await openActivity(keys());
    expect(rowSeqs()).toEqual([8, 7, 6, 5, 4, 3, 2, 1]);
    const row = screen.getAllByTestId('audit-row')[3];
    expect(row.dataset.action).toBe('key.export');
    expect(row.dataset.actor).toBe('app');
    expect(row.textContent).toContain('deploy');
    expect(row.textContent).toContain('Public key exported');
    expect(row.textContent).toContain('App');
    expect(within(row).getByTestId('audit-summary').textContent).toBe('Exported the public key as PEM');
    // No internal code in the rows: it is in the tooltip only.
    for (const r of screen.getAllByTestId('audit-row')) {
      expect(r.textContent).not.toContain(r.dataset.action!);
      expect(r.getAttribute('title')).toContain(r.dataset.action!);
    }
    // A deleted key shows by its id.
    const deleted = screen.getAllByTestId('audit-row').find((r) => r.dataset.seq === '6')!;
    expect(deleted.textContent).toContain('deleted key');
    expect(deleted.textContent).toContain('kid-9');
    // Hashes: the first 16 hex digits, in the tooltip only.
    expect(row.getAttribute('title')).toContain(LOG[4].hash.slice(0, 16));
    expect(row.getAttribute('title')).not.toContain(LOG[4].hash);
    expect(screen.getByTestId('screen-activity').textContent).not.toContain(LOG[4].hash.slice(0, 16));
    expect(be.callsTo('audit_list')[0].args).toEqual({
      filter: { action: null, keyId: null, limit: 500 },
    });
  });

  it('filters by action family, exact action, key and summary text', async () => {
    const be = fakeBackend({ keys: keys(), audit: LOG });
    await openActivity(keys());

    const select = byId('audit-filter-action') as HTMLSelectElement;
    const options = Array.from(select.options).map((o) => o.value);
    expect(options.slice(0, 4)).toEqual(['', 'key.', 'vault.', 'backup.']);
    for (const a of ['vault.unlock_failed', 'key.export_private', 'key.reveal', 'backup.restore']) {
      expect(options).toContain(a);
    }
    // Options are named in words only.
    for (const o of Array.from(select.options)) expect(o.textContent).not.toMatch(/[a-z]\.[a-z]/);

    await choose('audit-filter-action', 'key.');
    await waitFor(() => expect(rowSeqs()).toEqual([8, 6, 5, 4, 3]));
    expect(lastArgs(be.callsTo('audit_list'))).toEqual({
      filter: { action: 'key.', keyId: null, limit: 500 },
    });
    await choose('audit-filter-action', 'vault.');
    await waitFor(() => expect(rowSeqs()).toEqual([2, 1]));
    await choose('audit-filter-action', 'backup.');
    await waitFor(() => expect(rowSeqs()).toEqual([7]));
    await choose('audit-filter-action', 'key.export');
    await waitFor(() => expect(rowSeqs()).toEqual([5]));

    await choose('audit-filter-action', '');
    const keyOptions = Array.from((byId('audit-filter-key') as HTMLSelectElement).options).map((o) => [
      o.value,
      o.textContent?.trim(),
    ]);
    expect(keyOptions).toEqual([
      ['', 'All'],
      ['kid-1', 'deploy'],
      ['kid-2', 'wallet'],
    ]);
    await choose('audit-filter-key', 'kid-2');
    await waitFor(() => expect(rowSeqs()).toEqual([8, 4]));
    expect(lastArgs(be.callsTo('audit_list'))).toEqual({
      filter: { action: null, keyId: 'kid-2', limit: 500 },
    });
    await choose('audit-filter-action', 'key.reveal');
    await waitFor(() => expect(rowSeqs()).toEqual([8]));

    await choose('audit-filter-action', '');
    await choose('audit-filter-key', '');
    await waitFor(() => expect(rowSeqs()).toHaveLength(8));
    await fireEvent.input(byId('audit-search'), { target: { value: 'PUBLIC pem' } });
    expect(rowSeqs()).toEqual([5]);
    await fireEvent.input(byId('audit-search'), { target: { value: 'no such words' } });
    expect(rowSeqs()).toEqual([]);
    expect(byId('audit-empty')).toBeTruthy();
  });

  it('re-reads the log each time it is shown, so key actions appear', async () => {
    const be = fakeBackend({ keys: keys(), audit: LOG });
    const a = await openActivity(keys());
    expect(rowSeqs()[0]).toBe(8);
    await a.show(false);
    be.state.audit.push(auditEntry(9, 'key.generate', 'kid-1', 'generated p256 key "fresh"'));
    await a.show(true);
    await waitFor(() => expect(rowSeqs()[0]).toBe(9));
    expect(screen.getAllByTestId('audit-row')[0].dataset.action).toBe('key.generate');
    expect(screen.getAllByTestId('audit-row')[0].textContent).toContain('fresh');
  });

  it('starts at the top of the table when it is shown again', async () => {
    fakeBackend({ keys: keys(), audit: LOG });
    const a = await openActivity(keys());
    const wrap = byId('audit-table').parentElement!;
    wrap.scrollTop = 120;
    await a.show(false);
    await a.show(true);
    await waitFor(() => expect(wrap.scrollTop).toBe(0));
  });

  it('shows the entries of one app request as one row, with its steps on demand', async () => {
    const hash = '38e858cbaa11bb22';
    const log = [
      auditEntry(1, 'vault.unlock', null, 'vault unlocked'),
      auditEntry(2, 'approval.asked', 'kid-1', `“keyward-cli” asked: mint_jwt (shown ${hash}…)`),
      auditEntry(3, 'approval.shown', 'kid-1', `showed “keyward-cli”'s request (shown ${hash}…)`),
      auditEntry(4, 'approval.approved', 'kid-1', `approved  “keyward-cli”'s mint_jwt (shown ${hash}…)`),
      auditEntry(5, 'approval.signed', 'kid-1', `minted a ES256 token, 15 s for “keyward-cli” after approval (shown ${hash}…)`),
    ];
    fakeBackend({ keys: keys(), audit: log });
    await openActivity(keys());
    expect(rowSeqs()).toEqual([5, 1]);
    const head = screen.getAllByTestId('audit-row')[0];
    expect(head.textContent).toContain('Signed for an app');
    expect(within(head).getByTestId('audit-summary').textContent).toBe(
      'Minted an ES256 token, 15 s for “keyward-cli” after approval',
    );
    expect(byId('screen-activity').textContent).not.toContain('shown 38e8');
    expect(screen.queryAllByTestId('audit-step')).toHaveLength(0);
    const toggle = byId('audit-steps-toggle');
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(toggle.textContent).toContain('3 earlier steps');
    await fireEvent.click(toggle);
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    const steps = screen.getAllByTestId('audit-step');
    expect(steps.map((r) => Number(r.dataset.seq))).toEqual([4, 3, 2]);
    expect(within(steps[2]).getByTestId('audit-summary').textContent).toBe('“keyward-cli” asked for a token (JWT)');
    await fireEvent.click(toggle);
    expect(screen.queryAllByTestId('audit-step')).toHaveLength(0);
  });

  it('says an intact log is intact', async () => {
    fakeBackend({
      keys: keys(),
      audit: LOG,
      verify: {
        ok: true,
        rows: 8,
        anchoredThrough: 6,
        unanchored: 2,
        anchorChecked: true,
        head: LOG[7].hash,
        problems: [],
      },
    });
    await openActivity(keys());
    expect(byId('audit-verify').textContent).toContain('Check the log’s integrity');
    expect(screen.queryByTestId('audit-status')).toBeNull();
    await click('audit-verify');
    const status = await screen.findByTestId('audit-status');
    expect(status.dataset.ok).toBe('true');
    expect(status.textContent?.trim()).toMatch(/^Intact: all 8 entries are as they were written/);
    expect(byId('audit-status-detail').textContent).toContain('up to #6; the 2 newer entries');
    expect(screen.queryAllByTestId('audit-problem')).toHaveLength(0);
    expect(status.getAttribute('title')).toContain(LOG[7].hash.slice(0, 16));
  });

  const cases: [AuditProblem, string][] = [
    [{ kind: 'edited', seq: 4 }, 'Edited entry #4'],
    [{ kind: 'broken', seq: 5 }, 'Entry #5 does not follow the one before it'],
    [{ kind: 'gap', after: 3, next: 7 }, 'Entries deleted between #3 and #7'],
    [{ kind: 'truncated', anchored: 9, last: 6 }, 'Newest entries deleted (anchor vouches for #9, log ends at #6)'],
    [{ kind: 'rewritten', seq: 6 }, 'Chain rewritten'],
    [{ kind: 'anchor_invalid' }, 'Anchor invalid'],
    [{ kind: 'anchor_missing' }, 'Anchor missing'],
  ];

  it.each(cases)('reports a %j problem in plain words', async (problem, text) => {
    const report: AuditReport = {
      ok: false,
      rows: 8,
      anchoredThrough: 6,
      unanchored: 2,
      anchorChecked: true,
      head: LOG[7].hash,
      problems: [problem],
    };
    fakeBackend({ keys: keys(), audit: LOG, verify: report });
    await openActivity(keys());
    await click('audit-verify');
    const status = await screen.findByTestId('audit-status');
    expect(status.dataset.ok).toBe('false');
    expect(status.textContent).toContain('Tampering detected');
    const items = screen.getAllByTestId('audit-problem');
    expect(items).toHaveLength(1);
    expect(items[0].dataset.kind).toBe(problem.kind);
    expect(items[0].textContent).toContain(text);
    expect(screen.queryByTestId('error-banner')).toBeNull();
  });

  it('lists every problem of a badly damaged log', async () => {
    fakeBackend({
      audit: LOG,
      verify: {
        ok: false,
        rows: 8,
        anchoredThrough: 0,
        unanchored: 8,
        anchorChecked: true,
        head: LOG[7].hash,
        problems: cases.map((c) => c[0]),
      },
    });
    await openActivity();
    await click('audit-verify');
    await screen.findByTestId('audit-status');
    expect(screen.getAllByTestId('audit-problem').map((p) => p.dataset.kind)).toEqual(
      cases.map((c) => c[0].kind),
    );
  });

  it('shows a failed check beside its button, and clears it on the next try', async () => {
    const be = fakeBackend({
      audit: LOG,
      fail: { audit_verify: { code: 'store.io', message: 'Disk error.', hint: 'Check the data dir.' } },
    });
    const { onerror } = await openActivity();
    await click('audit-verify');
    const note = await screen.findByTestId('audit-verify-error');
    expect(byId('audit-verify-error-message').textContent).toBe('Disk error.');
    expect(byId('audit-verify-error-code').textContent).toBe('store.io');
    expect(note.textContent).toContain('Check the data dir.');
    expect(screen.queryByTestId('audit-status')).toBeNull();
    expect(onerror).not.toHaveBeenCalled();
    delete be.state.fail.audit_verify;
    await click('audit-verify');
    await screen.findByTestId('audit-status');
    expect(screen.queryByTestId('audit-verify-error')).toBeNull();
  });

  it('exports what the filters select, as CSV or JSON Lines, and says where', async () => {
    const be = fakeBackend({ keys: keys(), audit: LOG });
    await openActivity(keys());
    expect(screen.queryByTestId('audit-export-panel')).toBeNull();
    await click('audit-export');
    expect(byId('audit-export').getAttribute('aria-expanded')).toBe('true');
    expect(byId('audit-export-panel').textContent).toContain('Action and Key filters');
    await click('audit-export-csv');
    const note = await screen.findByTestId('audit-export-note');
    expect(note.dataset.count).toBe('8');
    expect(note.textContent).toMatch(/Saved 8 entries to\s*\/home\/user\/Documents\/keyward-activity-2025-05-06\.csv/);
    expect(be.callsTo('audit_export').map((c) => c.args)).toEqual([
      { format: 'csv', filter: { action: null, keyId: null, limit: null } },
    ]);
    await choose('audit-filter-action', 'key.');
    await choose('audit-filter-key', 'kid-2');
    await click('audit-export-jsonl');
    await waitFor(() => expect(be.callsTo('audit_export')).toHaveLength(2));
    expect(be.callsTo('audit_export')[1].args).toEqual({
      format: 'jsonl',
      filter: { action: 'key.', keyId: 'kid-2', limit: null },
    });
  });

  it('shows a failed export beside its buttons, and a closed dialog quietly', async () => {
    const be = fakeBackend({
      audit: LOG,
      fail: { audit_export: { code: 'store.io', message: 'Could not write the file.', hint: 'Choose another folder.' } },
    });
    const { onerror } = await openActivity();
    await click('audit-export');
    await click('audit-export-csv');
    expect((await screen.findByTestId('audit-export-error')).textContent).toContain('Could not write the file.');
    expect(onerror).not.toHaveBeenCalled();
    be.state.fail.audit_export = { code: 'ui.cancelled', message: 'cancelled', hint: '' };
    await click('audit-export-csv');
    await screen.findByTestId('audit-export-cancelled');
    expect(screen.queryByTestId('audit-export-error')).toBeNull();
    expect(screen.queryByTestId('audit-export-note')).toBeNull();
  });

  it('offers older entries when the newest page is full', async () => {
    const many = Array.from({ length: 501 }, (_, i) => auditEntry(i + 1, 'vault.unlock'));
    const be = fakeBackend({ audit: many });
    await openActivity();
    expect(screen.getAllByTestId('audit-row')).toHaveLength(500);
    await click('audit-more');
    await waitFor(() => expect(screen.getAllByTestId('audit-row')).toHaveLength(501));
    expect(lastArgs(be.callsTo('audit_list'))).toEqual({
      filter: { action: null, keyId: null, limit: 1000 },
    });
    expect(screen.queryByTestId('audit-more')).toBeNull();
  });
});
