// The Approvals screen of the main window against the fake back end: the endpoint, what waits,
// paired apps, live grants and their history.
import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { emit } from '@tauri-apps/api/event';
import App from './App.svelte';
import ApprovalsScreen from './lib/ApprovalsScreen.svelte';
import { auditEntry, fakeBackend, keyInfo, type FakeOptions } from './tests/fake-backend';
import type { GrantView, PairedApp, PromptItem } from './lib/approvals';

const byId = (id: string) => screen.getByTestId(id);
const now = () => Math.floor(Date.now() / 1000);

const APPS: PairedApp[] = [
  { id: 'app-1', name: 'Dapp Wallet', origin: 'https://dapp.example', keys: ['kid-1'], createdAt: 1_735_000_000, lastSeen: 1_735_000_600 },
  { id: 'app-2', name: 'CLI tool', origin: null, keys: null, createdAt: 1_735_000_000, lastSeen: null },
];

function grants(): GrantView[] {
  return [
    {
      id: 'grant-1',
      appId: 'app-1',
      appName: 'Dapp Wallet',
      keyId: 'kid-1',
      keyLabel: 'api signer',
      scope: 'for_minutes',
      audience: ['https://api.example'],
      subject: 'user-7',
      alg: 'ES256',
      expSecs: 60,
      createdAt: now(),
      expiresAt: now() + 300,
    },
    {
      id: 'grant-2',
      appId: 'app-2',
      appName: 'CLI tool',
      keyId: 'kid-1',
      keyLabel: null,
      scope: 'until_lock',
      audience: [],
      subject: null,
      alg: 'ES256',
      expSecs: 15,
      createdAt: now(),
      expiresAt: null,
    },
  ];
}

function waiting(): PromptItem[] {
  return [
    {
      type: 'request',
      id: 'req-1',
      kind: 'mint_jwt',
      title: 'Mint a token for api.example',
      app: { name: 'Dapp Wallet' },
      originVerified: false,
      key: { id: 'kid-1', label: 'api signer', alg: 'p256' },
      blocks: [],
      payloadFrom: 0,
      renderedHash: 'h',
      verdicts: [],
      createdAt: now(),
      expiresAt: now() + 40,
      locked: false,
      grantable: true,
      link: false,
    },
    { type: 'pairing', id: 'pair-1', appName: 'New app', code: '654321', createdAt: now(), expiresAt: now() + 100 },
  ];
}

const LOG = [
  auditEntry(1, 'vault.unlock'),
  auditEntry(2, 'app.pair', null, 'paired Dapp Wallet'),
  auditEntry(3, 'key.generate', 'kid-1'),
  auditEntry(4, 'approval.approve', 'kid-1', 'Dapp Wallet: Mint a token'),
  auditEntry(5, 'grant.create', 'kid-1', 'Dapp Wallet: 5 minutes'),
];

function setup(opts: FakeOptions = {}) {
  const be = fakeBackend({
    keys: [keyInfo(1, 'api signer')],
    audit: LOG,
    prompts: waiting(),
    approvals: { apps: APPS, grants: grants() },
    ...opts,
  });
  const onerror = vi.fn();
  render(ApprovalsScreen, { props: { keys: [keyInfo(1, 'api signer')], active: true, onerror } });
  return { be, onerror };
}

describe('Approvals screen', () => {
  it('is a section of the main window, after Services', async () => {
    const be = fakeBackend({ keys: [keyInfo(1)], approvals: { apps: APPS } });
    render(App);
    await screen.findByTestId('screen-keys');
    const labels = Array.from(byId('nav-keys').closest('nav')!.querySelectorAll('button')).map((b) => b.textContent?.trim());
    expect(labels).toEqual(['Keys', 'Sign', 'Tokens', 'Services', 'Approvals', 'Activity', 'Backup', 'Settings']);
    expect(be.callsTo('approvals_state')).toHaveLength(0);
    await fireEvent.click(byId('nav-approvals'));
    await screen.findByTestId('screen-approvals');
    await waitFor(() => expect(screen.getAllByTestId('approvals-app-row')).toHaveLength(2));
  });

  it('shows the endpoint and its key fingerprint', async () => {
    setup();
    const ep = await screen.findByTestId('approvals-endpoint');
    expect(ep.dataset.running).toBe('true');
    expect(within(ep).getByTestId('approvals-endpoint-url').textContent).toBe('http://127.0.0.1:47110');
    expect(within(ep).getByTestId('approvals-fingerprint').textContent).toBe('SHA256:endpointkeyfingerprint');
    expect(within(ep).getByTestId('approvals-fingerprint-copy')).toBeTruthy();
  });

  it('says when the endpoint is not running, and why', async () => {
    setup({
      approvals: {
        endpoint: {
          url: null,
          keyFingerprint: null,
          error: { code: 'endpoint.bind', message: 'Port 47110 is in use.', hint: 'Stop the other program.' },
        },
      },
    });
    const ep = await screen.findByTestId('approvals-endpoint');
    expect(ep.dataset.running).toBe('false');
    expect(within(ep).getByTestId('approvals-endpoint-url').textContent).toBe('Not running');
    const err = within(ep).getByTestId('approvals-endpoint-error').textContent ?? '';
    expect(err).toContain('Port 47110 is in use.');
    expect(err).toContain('endpoint.bind');
    expect(err).toContain('Stop the other program.');
    expect(within(ep).queryByTestId('approvals-fingerprint')).toBeNull();
  });

  it('lists paired apps and live grants', async () => {
    setup();
    const apps = await screen.findAllByTestId('approvals-app-row');
    expect(apps.map((r) => r.dataset.id)).toEqual(['app-1', 'app-2']);
    expect(apps[0].textContent).toContain('Dapp Wallet');
    expect(apps[0].textContent).toContain('https://dapp.example');
    expect(apps[0].textContent).toContain('api signer');
    expect(apps[1].textContent).toContain('any');
    expect(apps[1].textContent).toContain('never');

    const rows = screen.getAllByTestId('approvals-grant-row');
    expect(rows.map((r) => r.dataset.scope)).toEqual(['for_minutes', 'until_lock']);
    expect(rows[0].textContent).toContain('api signer');
    expect(rows[0].textContent).toContain('ES256');
    expect(rows[0].textContent).toContain('https://api.example');
    expect(rows[0].textContent).toContain('user-7');
    expect(within(rows[0]).getByTestId('approvals-grant-scope').textContent).toMatch(/^until \d\d:\d\d \(\d+ min \d\d s left\)$/);
    expect(within(rows[1]).getByTestId('approvals-grant-scope').textContent).toBe('until lock');
  });

  it('unpairs an app after confirming', async () => {
    const { be } = setup();
    const rows = await screen.findAllByTestId('approvals-app-row');
    await fireEvent.click(within(rows[1]).getByTestId('approvals-unpair'));
    expect(byId('unpair-dialog').textContent).toContain('Unpair CLI tool?');
    await fireEvent.click(byId('unpair-cancel'));
    expect(be.callsTo('app_unpair')).toHaveLength(0);

    await fireEvent.click(within(rows[0]).getByTestId('approvals-unpair'));
    await fireEvent.click(byId('unpair-confirm'));
    await waitFor(() => expect(screen.getAllByTestId('approvals-app-row')).toHaveLength(1));
    expect(be.callsTo('app_unpair').map((c) => c.args)).toEqual([{ app: 'app-1' }]);
    expect(screen.queryByTestId('unpair-dialog')).toBeNull();
    // Its grant went with it.
    expect(screen.getAllByTestId('approvals-grant-row').map((r) => r.dataset.id)).toEqual(['grant-2']);
  });

  it('revokes a grant', async () => {
    const { be } = setup();
    const rows = await screen.findAllByTestId('approvals-grant-row');
    await fireEvent.click(within(rows[1]).getByTestId('approvals-revoke'));
    await waitFor(() => expect(screen.getAllByTestId('approvals-grant-row')).toHaveLength(1));
    expect(be.callsTo('grant_revoke').map((c) => c.args)).toEqual([{ id: 'grant-2' }]);
  });

  it('lists what waits and brings the prompt forward', async () => {
    const { be } = setup();
    const rows = await screen.findAllByTestId('approvals-pending-row');
    expect(rows.map((r) => r.dataset.kind)).toEqual(['request', 'pairing']);
    expect(rows[0].textContent).toContain('Dapp Wallet');
    expect(rows[0].textContent).toContain('Mint a token for api.example');
    expect(rows[0].textContent).toMatch(/\d+ s left/);
    expect(rows[1].textContent).toContain('New app');
    expect(rows[1].textContent).toContain('654 321');
    await fireEvent.click(within(rows[1]).getByTestId('approvals-open'));
    await waitFor(() => expect(be.callsTo('prompt_focus')).toHaveLength(1));
    expect(be.callsTo('prompt_focus')[0].args).toEqual({});
  });

  it('explains how to connect an app, open while none is paired', async () => {
    setup({ approvals: { apps: [], grants: [] } });
    const help = await screen.findByTestId('approvals-help');
    expect((help as HTMLDetailsElement).open).toBe(true);
    expect(help.textContent).toContain('How to connect an app');
    expect(help.textContent).toContain('Compare the codes');
    expect(within(help).getByTestId('approvals-help-example').textContent).toContain('keyward-cli request pair');
    expect(byId('approvals-no-apps').textContent).toContain('How to connect an app');
  });

  it('keeps the help folded once an app is paired', async () => {
    setup();
    await screen.findAllByTestId('approvals-app-row');
    expect((byId('approvals-help') as HTMLDetailsElement).open).toBe(false);
  });

  it('shows History in words: no codes, no hashes, one row per request', async () => {
    const hash = '38e858cbaa11bb22';
    setup({
      audit: [
        auditEntry(1, 'approval.pair_asked', null, '“keyward-cli” asked to pair (code 102563)'),
        auditEntry(2, 'app.pair', null, 'paired app "keyward-cli" (app-1) with no origin; it may use any key'),
        auditEntry(3, 'approval.asked', 'kid-1', `“keyward-cli” asked: sign_message (shown ${hash}…)`),
        auditEntry(4, 'approval.shown', 'kid-1', `showed “keyward-cli”'s request (shown ${hash}…)`),
        auditEntry(5, 'approval.approved', 'kid-1', `approved  “keyward-cli”'s sign_message (shown ${hash}…)`),
        auditEntry(6, 'approval.signed', 'kid-1', `signed with eip191 (12 bytes) for “keyward-cli” after approval (shown ${hash}…)`),
      ],
    });
    await waitFor(() => expect(screen.getAllByTestId('approvals-history-row')).toHaveLength(3));
    const rows = screen.getAllByTestId('approvals-history-row');
    expect(rows.map((r) => r.dataset.action)).toEqual(['approval.signed', 'app.pair', 'approval.pair_asked']);
    expect(rows[0].textContent).toContain('Signed for an app');
    expect(within(rows[0]).getByTestId('approvals-history-summary').textContent).toBe(
      'Signed with EIP-191 (12 bytes) for “keyward-cli” after approval',
    );
    expect(within(rows[0]).getByTestId('approvals-history-steps').textContent).toContain(
      'app asked, prompt shown, approved',
    );
    expect(rows[2].textContent).toContain('App asked to pair');
    for (const r of rows) {
      expect(r.textContent).not.toContain(r.dataset.action!);
      expect(r.textContent).not.toMatch(/shown [0-9a-f]{6}/);
    }
  });

  it('shows a failed Revoke beside the grants, not in the banner', async () => {
    const { onerror } = setup({
      fail: { grant_revoke: { code: 'grant.not_found', message: 'That grant has ended already.', hint: 'Refresh.' } },
    });
    const rows = await screen.findAllByTestId('approvals-grant-row');
    await fireEvent.click(within(rows[0]).getByTestId('approvals-revoke'));
    const note = await screen.findByTestId('approvals-revoke-error');
    expect(note.textContent).toContain('That grant has ended already.');
    expect(onerror).not.toHaveBeenCalled();
  });

  it('shows a failed Unpair beside the apps, and closes the dialog', async () => {
    const { onerror } = setup({
      fail: { app_unpair: { code: 'app.not_found', message: 'No such app.', hint: 'Refresh.' } },
    });
    const rows = await screen.findAllByTestId('approvals-app-row');
    await fireEvent.click(within(rows[0]).getByTestId('approvals-unpair'));
    await fireEvent.click(byId('unpair-confirm'));
    expect((await screen.findByTestId('approvals-unpair-error')).textContent).toContain('No such app.');
    await waitFor(() => expect(screen.queryByTestId('unpair-dialog')).toBeNull());
    expect(onerror).not.toHaveBeenCalled();
  });

  it('shows only approval, app and grant entries in History', async () => {
    const { be } = setup();
    await waitFor(() => expect(screen.getAllByTestId('approvals-history-row')).toHaveLength(3));
    const rows = screen.getAllByTestId('approvals-history-row');
    expect(rows.map((r) => r.dataset.action)).toEqual(['grant.create', 'approval.approve', 'app.pair']);
    expect(be.callsTo('audit_list').map((c) => (c.args.filter as { action: string }).action).sort()).toEqual([
      'app.',
      'approval.',
      'grant.',
    ]);
  });

  it('re-reads on approvals://changed', async () => {
    const { be } = setup({ prompts: [] });
    await screen.findByTestId('approvals-none-waiting');
    const before = be.callsTo('approvals_state').length;
    be.state.prompts.push(...waiting());
    await emit('approvals://changed');
    await waitFor(() => expect(screen.getAllByTestId('approvals-pending-row')).toHaveLength(2));
    expect(be.callsTo('approvals_state').length).toBeGreaterThan(before);
  });

  it('reports a failed call', async () => {
    const { onerror } = setup({ fail: { approvals_state: { code: 'approval.unavailable', message: 'no', hint: 'h' } } });
    await waitFor(() => expect(onerror).toHaveBeenCalled());
    expect(onerror.mock.calls[0][0]).toMatchObject({ code: 'approval.unavailable' });
    expect(screen.getByTestId('approvals-failed').textContent).toContain('Could not read the approvals.');
  });
});
