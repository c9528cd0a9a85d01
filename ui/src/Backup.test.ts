// Backups: create, test and restore from the Backup section; restore from the setup screen.
import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import App from './App.svelte';
import { CANCELLED, auditEntry, fakeBackend, keyInfo } from './tests/fake-backend';
import { BACKUP_EXCLUDES, BACKUP_INCLUDES } from './lib/ipc';

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
  async function fill(pass: string, again = pass) {
    await type('backup-passphrase', pass);
    await type('backup-confirm', again);
  }

  it('says its rule, its scope and its label honestly up front', async () => {
    fakeBackend({ keys: [keyInfo(1)] });
    render(App);
    await openBackup();
    const field = input('backup-passphrase');
    expect(field.type).toBe('password');
    const screenText = byId('screen-backup').textContent ?? '';
    expect(screenText).toContain('Backup passphrase');
    expect(screenText).not.toMatch(/by default use your vault passphrase/);
    expect(screenText).toContain('At least 8 characters.');
    expect(screenText).toContain('Keyward does not fill it in');
    const scope = byId('backup-scope').textContent ?? '';
    for (const line of [...BACKUP_INCLUDES, ...BACKUP_EXCLUDES]) expect(scope).toContain(line.slice(1));
    expect(scope).toMatch(/In a backup.*Keys.*access tokens/s);
    expect(scope).toMatch(/Not in a backup.*Paired apps/s);
    // Show/hide.
    await click('backup-passphrase-show');
    expect(input('backup-passphrase').type).toBe('text');
    expect(screen.queryByTestId('backup-passphrase-problem')).toBeNull();
  });

  it('asks for the passphrase twice, sends it once and clears both when written', async () => {
    const be = fakeBackend({ keys: [keyInfo(1), keyInfo(2)] });
    render(App);
    await openBackup();
    await fill('correct horse');
    await click('backup-create');
    const note = await screen.findByTestId('backup-note');
    expect(note.textContent).toMatch(/Backed up 2 keys to\s*\/home\/user\/keyward\.kwbackup/);
    expect(note.dataset.keys).toBe('2');
    expect(be.callsTo('backup_create').map((c) => c.args)).toEqual([{ passphrase: 'correct horse' }]);
    expect(input('backup-passphrase').value).toBe('');
    expect(input('backup-confirm').value).toBe('');
  });

  it('refuses a short passphrase beside it, without asking the back end', async () => {
    const be = fakeBackend({ keys: [keyInfo(1)] });
    render(App);
    await openBackup();
    await fill('short');
    await click('backup-create');
    expect(byId('backup-passphrase-problem').textContent).toMatch(/at least 8/);
    expect(document.activeElement).toBe(byId('backup-passphrase'));
    expect(be.callsTo('backup_create')).toHaveLength(0);
    // Fixed as it is typed.
    await type('backup-passphrase', 'long enough');
    expect(screen.queryByTestId('backup-passphrase-problem')).toBeNull();
  });

  it('refuses an empty passphrase: an empty field is not the vault passphrase', async () => {
    const be = fakeBackend({ keys: [keyInfo(1)] });
    render(App);
    await openBackup();
    await click('backup-create');
    expect(byId('backup-passphrase-problem').textContent).toBe('Enter a passphrase.');
    expect(be.callsTo('backup_create')).toHaveLength(0);
  });

  it('says when the two passphrases differ, as they are typed', async () => {
    const be = fakeBackend({ keys: [keyInfo(1)] });
    render(App);
    await openBackup();
    await fill('correct horse', 'correct hors');
    expect(screen.queryByTestId('backup-confirm-problem')).toBeNull();
    await type('backup-confirm', 'correct horsf');
    expect(byId('backup-confirm-problem').textContent).toBe('The two passphrases do not match.');
    await click('backup-create');
    expect(be.callsTo('backup_create')).toHaveLength(0);
    expect(document.activeElement).toBe(byId('backup-confirm'));
    await type('backup-confirm', 'correct horse');
    expect(screen.queryByTestId('backup-confirm-problem')).toBeNull();
  });

  it('shows a strength meter', async () => {
    fakeBackend({ keys: [keyInfo(1)] });
    render(App);
    await openBackup();
    await type('backup-passphrase', 'password');
    const meter = await screen.findByTestId('backup-passphrase-strength', {}, { timeout: 5000 });
    expect(meter.textContent).toContain('Strength');
  });

  it('takes a cancelled Save dialog quietly and keeps the passphrase for another try', async () => {
    fakeBackend({ keys: [keyInfo(1)], fail: { backup_create: CANCELLED } });
    render(App);
    await openBackup();
    await fill('correct horse');
    await click('backup-create');
    await screen.findByTestId('backup-cancelled');
    expect(screen.queryByTestId('error-banner')).toBeNull();
    expect(screen.queryByTestId('backup-error')).toBeNull();
    expect(screen.queryByTestId('backup-note')).toBeNull();
    expect(input('backup-passphrase').value).toBe('correct horse');
  });

  it('shows a failure beside the button, keeps the passphrase, and clears the error on edit', async () => {
    fakeBackend({
      keys: [keyInfo(1)],
      fail: { backup_create: { code: 'keychain.denied', message: 'Denied.', hint: 'Unlock it.' } },
    });
    render(App);
    await openBackup();
    await fill('correct horse');
    await click('backup-create');
    const note = await screen.findByTestId('backup-error');
    expect(note.textContent).toContain('Denied.');
    expect(byId('backup-error-code').textContent).toBe('keychain.denied');
    expect(screen.queryByTestId('error-banner')).toBeNull();
    expect(input('backup-passphrase').value).toBe('correct horse');
    await type('backup-confirm', 'correct horse!');
    expect(screen.queryByTestId('backup-error')).toBeNull();
  });

  it('appears in the activity log', async () => {
    fakeBackend({ keys: [keyInfo(1)] });
    render(App);
    await openBackup();
    await fill('correct horse');
    await click('backup-create');
    await screen.findByTestId('backup-note');
    await click('nav-activity');
    await waitFor(() =>
      expect(screen.getAllByTestId('audit-row')[0].dataset.action).toBe('backup.create'),
    );
  });
});

describe('last backup', () => {
  it('reminds gently when the vault was never backed up, and says when it last was', async () => {
    fakeBackend({ keys: [keyInfo(1)] });
    render(App);
    await openBackup();
    await waitFor(() => expect(byId('backup-last').textContent).toContain('No backup of this vault'));
    expect(byId('backup-reminder').textContent).toContain('never been backed up');
    await type('backup-passphrase', 'correct horse');
    await type('backup-confirm', 'correct horse');
    await click('backup-create');
    await screen.findByTestId('backup-note');
    await waitFor(() => expect(byId('backup-last').textContent).toMatch(/Last backup: \d{4}-\d{2}-\d{2} \d{2}:\d{2}/));
    expect(screen.queryByTestId('backup-reminder')).toBeNull();
  });

  it('names a key added after the last backup', async () => {
    fakeBackend({
      keys: [keyInfo(1, 'old'), keyInfo(2, 'deploy', { createdAt: '2026-01-01T00:00:00Z' })],
      audit: [auditEntry(1, 'backup.create', null, 'backed up 1 keys')],
    });
    render(App);
    await openBackup();
    const reminder = await screen.findByTestId('backup-reminder');
    expect(reminder.textContent).toContain('“deploy” was added');
    expect(reminder.textContent).toContain('no backup holds it yet');
  });

  it('says nothing more when every key is older than the last backup', async () => {
    fakeBackend({ keys: [keyInfo(1)], audit: [auditEntry(1, 'backup.create', null, 'backed up 1 keys')] });
    render(App);
    await openBackup();
    await waitFor(() => expect(byId('backup-last').textContent).toContain('Last backup'));
    expect(screen.queryByTestId('backup-reminder')).toBeNull();
  });
});

describe('test or restore a backup from the running app', () => {
  const backup = {
    passphrase: 'backup pass',
    keys: [keyInfo(1, 'deploy'), keyInfo(7, 'old wallet', { alg: 'secp256k1' })],
    createdAt: '2025-04-05T06:07:08Z',
  };

  it('tests a backup: it opens, what it holds, nothing changed; the passphrase is kept', async () => {
    const be = fakeBackend({ keys: [keyInfo(1, 'deploy')], backup });
    render(App);
    await openBackup();
    await type('backup-open-passphrase', 'backup pass');
    await click('backup-inspect');
    const result = await screen.findByTestId('backup-inspect-result');
    expect(result.textContent).toContain('The backup opens and is whole.');
    expect(result.textContent?.replace(/\s+/g, ' ')).toMatch(/Made on 2025-04-0\d \d\d:\d\d from another vault \(vault-old\)/);
    expect(result.textContent?.replace(/\s+/g, ' ')).toContain('It holds 2 keys, 0 service profiles and 0 credentials.');
    expect(screen.getAllByTestId('backup-inspect-key').map((k) => k.textContent)).toEqual([
      'deploy (p256)',
      'old wallet (secp256k1)',
    ]);
    expect(be.callsTo('backup_inspect').map((c) => c.args)).toEqual([{ passphrase: 'backup pass' }]);
    expect(be.state.keys).toHaveLength(1);
    expect(input('backup-open-passphrase').value).toBe('backup pass');
  });

  it('restores into this vault, says what was added and what was already here, and clears the passphrase', async () => {
    const be = fakeBackend({ keys: [keyInfo(1, 'deploy')], backup });
    render(App);
    await openBackup();
    await type('backup-open-passphrase', 'backup pass');
    await click('backup-merge');
    const result = await screen.findByTestId('backup-merge-result');
    expect(result.dataset.added).toBe('1');
    expect(result.textContent?.replace(/\s+/g, ' ')).toContain(
      'Restored into this vault: 1 key, 0 service profiles and 0 credentials added',
    );
    expect(screen.getAllByTestId('backup-merge-skipped').map((k) => k.textContent?.replace(/\s+/g, ' ').trim())).toEqual([
      'deploy (the same key)',
    ]);
    expect(be.state.keys.map((k) => k.id)).toEqual(['kid-1', 'kid-7']);
    expect(input('backup-open-passphrase').value).toBe('');
  });

  it('asks for the passphrase before opening the dialog', async () => {
    const be = fakeBackend({ keys: [keyInfo(1)], backup });
    render(App);
    await openBackup();
    await click('backup-inspect');
    expect(byId('backup-open-passphrase-problem').textContent).toContain('Enter the passphrase');
    await click('backup-merge');
    expect(be.callsTo('backup_inspect')).toHaveLength(0);
    expect(be.callsTo('backup_merge')).toHaveLength(0);
  });

  it('shows a wrong passphrase beside the buttons and keeps it for a fix', async () => {
    fakeBackend({ keys: [keyInfo(1)], backup });
    render(App);
    await openBackup();
    await type('backup-open-passphrase', 'wrong pass');
    await click('backup-inspect');
    expect((await screen.findByTestId('backup-open-error-code')).textContent).toBe('backup.bad_passphrase');
    expect(screen.queryByTestId('error-banner')).toBeNull();
    expect(screen.queryByTestId('backup-inspect-result')).toBeNull();
    expect(input('backup-open-passphrase').value).toBe('wrong pass');
    await type('backup-open-passphrase', 'backup pass');
    expect(screen.queryByTestId('backup-open-error')).toBeNull();
  });

  it('takes a closed Open dialog quietly', async () => {
    fakeBackend({ keys: [keyInfo(1)], backup, fail: { backup_merge: CANCELLED } });
    render(App);
    await openBackup();
    await type('backup-open-passphrase', 'backup pass');
    await click('backup-merge');
    await screen.findByTestId('backup-open-cancelled');
    expect(screen.queryByTestId('backup-open-error')).toBeNull();
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
    const note = await screen.findByTestId('app-notice');
    expect(note.textContent).toContain('Restored 2 keys');
    await waitFor(() => expect(screen.getAllByTestId('key-row')).toHaveLength(2));
    expect(be.callsTo('backup_restore').map((c) => c.args)).toEqual([{ passphrase: 'backup pass' }]);
    expect(screen.queryByTestId('error-banner')).toBeNull();
    await click('app-notice-dismiss');
    expect(screen.queryByTestId('app-notice')).toBeNull();
  });

  it('shows a wrong passphrase beside the form, clears the field and stays', async () => {
    fakeBackend({ initialized: false, backup });
    render(App);
    await screen.findByTestId('screen-setup');
    await click('setup-restore');
    await type('restore-passphrase', 'wrong pass');
    await click('restore-submit');
    expect((await screen.findByTestId('restore-error-code')).textContent).toBe('backup.bad_passphrase');
    expect(screen.queryByTestId('error-banner')).toBeNull();
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
