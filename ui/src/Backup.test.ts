// Backups: create from the Backup section, restore from the setup screen.
import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import App from './App.svelte';
import { CANCELLED, fakeBackend, keyInfo } from './tests/fake-backend';

const byId = (id: string) => screen.getByTestId(id);
const input = (id: string) => byId(id) as HTMLInputElement;

async function type(id: string, value: string) {
  await fireEvent.input(byId(id), { target: { value } });
}

async function click(id: string) {
  await fireEvent.click(byId(id));
}

async function openBackup() {
  await screen.findByTestId('screen-keys');
  await click('nav-backup');
  await screen.findByTestId('screen-backup');
}

describe('create backup', () => {
  it('asks for a passphrase, sends it once and clears it', async () => {
    const be = fakeBackend({ keys: [keyInfo(1), keyInfo(2)] });
    render(App);
    await openBackup();
    const field = input('backup-passphrase');
    expect(field.type).toBe('password');
    expect(field.closest('label')?.textContent).toContain(
      'Backup passphrase — by default use your vault passphrase',
    );
    await type('backup-passphrase', 'correct horse');
    await click('backup-create');
    const note = await screen.findByTestId('backup-note');
    expect(note.textContent).toMatch(/Backed up 2 keys to\s*\/home\/user\/keyward\.kwbackup/);
    expect(note.dataset.keys).toBe('2');
    expect(be.callsTo('backup_create').map((c) => c.args)).toEqual([{ passphrase: 'correct horse' }]);
    expect(input('backup-passphrase').value).toBe('');
  });

  it('refuses a short passphrase without asking the back end', async () => {
    const be = fakeBackend({ keys: [keyInfo(1)] });
    render(App);
    await openBackup();
    await type('backup-passphrase', 'short');
    await click('backup-create');
    expect(byId('backup-problem').textContent).toMatch(/at least 8/);
    expect(be.callsTo('backup_create')).toHaveLength(0);
  });

  it('takes a cancelled Save dialog quietly and clears the passphrase', async () => {
    fakeBackend({ keys: [keyInfo(1)], fail: { backup_create: CANCELLED } });
    render(App);
    await openBackup();
    await type('backup-passphrase', 'correct horse');
    await click('backup-create');
    await screen.findByTestId('backup-cancelled');
    expect(screen.queryByTestId('error-banner')).toBeNull();
    expect(screen.queryByTestId('backup-note')).toBeNull();
    expect(input('backup-passphrase').value).toBe('');
  });

  it('shows a failure in the banner and clears the passphrase', async () => {
    fakeBackend({
      keys: [keyInfo(1)],
      fail: { backup_create: { code: 'keychain.denied', message: 'Denied.', hint: 'Unlock it.' } },
    });
    render(App);
    await openBackup();
    await type('backup-passphrase', 'correct horse');
    await click('backup-create');
    expect((await screen.findByTestId('error-code')).textContent).toBe('keychain.denied');
    expect(input('backup-passphrase').value).toBe('');
  });

  it('appears in the activity log', async () => {
    fakeBackend({ keys: [keyInfo(1)] });
    render(App);
    await openBackup();
    await type('backup-passphrase', 'correct horse');
    await click('backup-create');
    await screen.findByTestId('backup-note');
    await click('nav-activity');
    await waitFor(() =>
      expect(screen.getAllByTestId('audit-row')[0].dataset.action).toBe('backup.create'),
    );
  });
});

describe('restore backup', () => {
  const backup = { passphrase: 'backup pass', keys: [keyInfo(1, 'old one'), keyInfo(2, 'old two')] };

  it('restores from the setup screen and opens the keys', async () => {
    const be = fakeBackend({ initialized: false, backup });
    render(App);
    await screen.findByTestId('screen-setup');
    expect(screen.queryByTestId('restore-passphrase')).toBeNull();
    await click('setup-restore');
    expect(document.activeElement).toBe(byId('restore-passphrase'));
    expect(input('restore-passphrase').type).toBe('password');
    await type('restore-passphrase', 'backup pass');
    await click('restore-submit');
    await screen.findByTestId('screen-keys');
    const note = await screen.findByTestId('restore-note');
    expect(note.textContent).toContain('Restored 2 keys');
    await waitFor(() => expect(screen.getAllByTestId('key-row')).toHaveLength(2));
    expect(be.callsTo('backup_restore').map((c) => c.args)).toEqual([{ passphrase: 'backup pass' }]);
    expect(screen.queryByTestId('error-banner')).toBeNull();
    await click('restore-note-dismiss');
    expect(screen.queryByTestId('restore-note')).toBeNull();
  });

  it('shows a wrong passphrase in the banner, clears the field and stays', async () => {
    fakeBackend({ initialized: false, backup });
    render(App);
    await screen.findByTestId('screen-setup');
    await click('setup-restore');
    await type('restore-passphrase', 'wrong pass');
    await click('restore-submit');
    expect((await screen.findByTestId('error-code')).textContent).toBe('backup.bad_passphrase');
    expect(input('restore-passphrase').value).toBe('');
    expect(byId('screen-setup')).toBeTruthy();
  });

  it('takes a cancelled Open dialog quietly', async () => {
    fakeBackend({ initialized: false, backup, fail: { backup_restore: CANCELLED } });
    render(App);
    await screen.findByTestId('screen-setup');
    await click('setup-restore');
    await type('restore-passphrase', 'backup pass');
    await click('restore-submit');
    await screen.findByTestId('restore-cancelled');
    expect(screen.queryByTestId('error-banner')).toBeNull();
    expect(input('restore-passphrase').value).toBe('');
    expect(byId('screen-setup')).toBeTruthy();
  });

  it('asks for the passphrase before opening the dialog', async () => {
    const be = fakeBackend({ initialized: false, backup });
    render(App);
    await screen.findByTestId('screen-setup');
    await click('setup-restore');
    await click('restore-submit');
    expect(byId('restore-problem').textContent).toMatch(/passphrase/);
    expect(be.callsTo('backup_restore')).toHaveLength(0);
  });
});
