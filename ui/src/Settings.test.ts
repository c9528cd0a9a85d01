// The Settings screen: each setting saved on Enter or when its field is left, its rule and unit
// up front, its problem beside it as the user types; This vault; the theme.
import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import App from './App.svelte';
import SettingsScreen from './lib/SettingsScreen.svelte';
import { fakeBackend } from './tests/fake-backend';
import type { Status } from './lib/ipc';

const byId = (id: string) => screen.getByTestId(id);
const field = (id: string) => byId(id) as HTMLInputElement;

const STATUS: Status = {
  initialized: true,
  locked: false,
  mode: 'passphrase',
  vaultId: 'vault-0001',
  dataDir: '/home/user/.local/share/keyward',
  keyCount: 2,
  agent: false,
};

async function openSettings(props: { status?: Status } = { status: STATUS }) {
  const onerror = vi.fn();
  render(SettingsScreen, { props: { ...props, onerror } });
  await screen.findByTestId('settings-idle');
  return { onerror };
}

async function type(id: string, value: string) {
  await fireEvent.input(byId(id), { target: { value } });
}

async function enter(id: string) {
  await fireEvent.keyDown(byId(id), { key: 'Enter' });
}

describe('Settings screen', () => {
  it('is a section of the app, with the theme in Appearance', async () => {
    fakeBackend();
    render(App);
    await screen.findByTestId('nav-settings');
    await fireEvent.click(byId('nav-settings'));
    await screen.findByTestId('settings-idle');
    expect(byId('screen-settings').textContent).toContain('Appearance');
    expect(byId('theme-toggle')).toBeTruthy();
  });

  it('says each rule and unit up front, and has no Save buttons', async () => {
    fakeBackend();
    await openSettings();
    expect(field('settings-idle').value).toBe('15');
    expect(field('settings-port').value).toBe('47800');
    expect(field('settings-jwt-default').value).toBe('15');
    expect(field('settings-jwt-max').value).toBe('300');
    const text = byId('screen-settings').textContent ?? '';
    expect(text).toContain('minutes');
    expect(text).toContain('From 0 (never) to 1440');
    expect(text).toContain('From 1024 to 65535');
    expect(text).toContain('seconds');
    expect(text).toContain('longest lifetime allowed (now 5 min)');
    expect(screen.queryAllByRole('button', { name: /^save$/i })).toHaveLength(0);
    expect(screen.queryAllByTestId(/-problem$/)).toHaveLength(0);
    // The CLI is a developer note, not the headline.
    expect(screen.getByRole('heading', { name: 'Settings' }).parentElement?.textContent).not.toContain('keyward-cli');
    expect(text).toContain('keyward-cli config');
    const quit = Array.from(byId('screen-settings').querySelectorAll('code')).find((c) => c.textContent === 'keyward --quit');
    expect(quit?.classList.contains('nowrap')).toBe(true);
  });

  it('saves a change on Enter and says so beside it', async () => {
    const be = fakeBackend();
    await openSettings();
    await type('settings-idle', '5');
    await enter('settings-idle');
    await screen.findByTestId('settings-idle-saved');
    expect(be.callsTo('settings_set').map((c) => c.args)).toEqual([{ name: 'idle-lock-minutes', value: '5' }]);
    expect(be.state.settings.idleLockMinutes).toBe(5);
    // Typing again hides the tick.
    await type('settings-idle', '6');
    expect(screen.queryByTestId('settings-idle-saved')).toBeNull();
  });

  it('saves a change when the field is left, and nothing when it did not change', async () => {
    const be = fakeBackend();
    await openSettings();
    await fireEvent.blur(byId('settings-port'));
    expect(be.callsTo('settings_set')).toHaveLength(0);
    await type('settings-port', '47900');
    await fireEvent.blur(byId('settings-port'));
    await screen.findByTestId('settings-port-saved');
    expect(be.state.settings.endpointPort).toBe(47900);
  });

  it('shows a wrong value beside its field as it is typed, keeps it and does not send it', async () => {
    const be = fakeBackend();
    await openSettings();
    await type('settings-idle', 'abc');
    expect(byId('settings-idle-problem').textContent).toBe('Enter a whole number of minutes from 0 to 1440.');
    expect(field('settings-idle').getAttribute('aria-invalid')).toBe('true');
    await enter('settings-idle');
    await fireEvent.blur(byId('settings-idle'));
    expect(be.callsTo('settings_set')).toHaveLength(0);
    expect(field('settings-idle').value).toBe('abc');
    await type('settings-idle', '1441');
    expect(byId('settings-idle-problem')).toBeTruthy();
    await type('settings-idle', '90');
    expect(screen.queryByTestId('settings-idle-problem')).toBeNull();
    expect(byId('settings-idle-note').textContent).toBe('= 1 h 30 min');
    await type('settings-port', '80');
    expect(byId('settings-port-problem').textContent).toBe('Enter a port from 1024 to 65535.');
  });

  it('puts back the saved value on Esc', async () => {
    fakeBackend();
    await openSettings();
    await type('settings-idle', 'abc');
    await fireEvent.keyDown(byId('settings-idle'), { key: 'Escape' });
    expect(field('settings-idle').value).toBe('15');
    expect(screen.queryByTestId('settings-idle-problem')).toBeNull();
  });

  it('shows a refusal from the vault beside the field and keeps what was typed', async () => {
    const be = fakeBackend({
      fail: {
        settings_set: {
          code: 'usage.invalid',
          message: 'That value cannot be used.',
          hint: 'Use minutes from 0 to 1440.',
        },
      },
    });
    const { onerror } = await openSettings();
    await type('settings-idle', '20');
    await enter('settings-idle');
    const note = await screen.findByTestId('settings-idle-error');
    expect(note.textContent).toContain('That value cannot be used.');
    expect(field('settings-idle').value).toBe('20');
    expect(onerror).not.toHaveBeenCalled();
    expect(screen.queryByTestId('error-banner')).toBeNull();
    // Editing the value clears the error; the next save goes through.
    await type('settings-idle', '25');
    expect(screen.queryByTestId('settings-idle-error')).toBeNull();
    delete be.state.fail.settings_set;
    await enter('settings-idle');
    await screen.findByTestId('settings-idle-saved');
    expect(be.state.settings.idleLockMinutes).toBe(25);
  });

  it('takes token lifetimes in seconds or with a unit, within each other', async () => {
    const be = fakeBackend();
    await openSettings();
    await type('settings-jwt-max', '1h');
    expect(byId('settings-jwt-max-note').textContent).toBe('= 1 h');
    await enter('settings-jwt-max');
    await screen.findByTestId('settings-jwt-max-saved');
    expect(be.state.settings.jwtMaxExpSecs).toBe(3600);
    expect(field('settings-jwt-max').value).toBe('3600');
    await type('settings-jwt-default', '2h');
    expect(byId('settings-jwt-default-problem').textContent).toContain('At most the longest lifetime allowed (1 h)');
    await type('settings-jwt-default', '5m');
    expect(screen.queryByTestId('settings-jwt-default-problem')).toBeNull();
    await enter('settings-jwt-default');
    await screen.findByTestId('settings-jwt-default-saved');
    expect(be.state.settings.jwtDefaultExpSecs).toBe(300);
    await type('settings-jwt-max', '60');
    expect(byId('settings-jwt-max-problem').textContent).toContain('At least the default lifetime (5 min)');
    await type('settings-jwt-default', 'soon');
    expect(byId('settings-jwt-default-problem').textContent).toContain('90, 5m, 1h');
  });

  it('turns start at login on, with a tick', async () => {
    const be = fakeBackend();
    await openSettings();
    await fireEvent.click(byId('settings-start-at-login'));
    await waitFor(() => expect(be.state.settings.startAtLogin).toBe(true));
    await screen.findByTestId('settings-start-at-login-saved');
  });

  it('shows a refused check box beside it and shows what is stored', async () => {
    fakeBackend({
      fail: { settings_set: { code: 'store.io', message: 'Could not write the autostart entry.', hint: 'h' } },
    });
    await openSettings();
    const box = byId('settings-start-at-login') as HTMLInputElement;
    await fireEvent.click(box);
    expect((await screen.findByTestId('settings-start-at-login-error')).textContent).toContain(
      'Could not write the autostart entry.',
    );
    expect(box.checked).toBe(false);
  });

  it('shows this vault: protection, id and data folder', async () => {
    fakeBackend();
    await openSettings();
    expect(byId('settings-protection').textContent).toContain('Passphrase protected');
    expect(byId('settings-vault-id').textContent).toBe('vault-0001');
    expect(byId('settings-data-dir').textContent).toBe('/home/user/.local/share/keyward');
    expect(byId('settings-vault-id-copy')).toBeTruthy();
  });

  it('says when the vault has no passphrase, reading the status itself when none is passed', async () => {
    const be = fakeBackend({ mode: 'none' });
    await openSettings({});
    await waitFor(() => expect(byId('settings-protection').dataset.mode).toBe('none'));
    expect(byId('settings-protection').textContent).toContain('No passphrase');
    expect(byId('settings-data-dir').textContent).toBe('/data');
    expect(be.callsTo('vault_status')).toHaveLength(1);
  });
});

describe('change the passphrase', () => {
  const input = (id: string) => byId(id) as HTMLInputElement;

  async function fill(current: string | null, next: string, again = next) {
    if (current !== null) await type('change-pass-current', current);
    await type('change-pass-new', next);
    await type('change-pass-confirm', again);
  }

  it('asks for the current passphrase and the new one twice, says it is done and clears the fields', async () => {
    const be = fakeBackend();
    await openSettings();
    expect(byId('screen-settings').textContent).toContain('Change the passphrase');
    expect(byId('change-pass').textContent).toContain('At least 8 characters.');
    expect(input('change-pass-new').type).toBe('password');
    await fill('correct horse', 'battery staple 42');
    await fireEvent.click(byId('change-pass-submit'));
    const done = await screen.findByTestId('change-pass-done');
    expect(done.textContent).toContain('Passphrase changed');
    expect(be.callsTo('vault_change_passphrase').map((c) => c.args)).toEqual([
      { old: 'correct horse', new: 'battery staple 42' },
    ]);
    expect(be.state.passphrase).toBe('battery staple 42');
    for (const id of ['change-pass-current', 'change-pass-new', 'change-pass-confirm']) {
      expect(input(id).value).toBe('');
    }
    // Typing again hides the result.
    await type('change-pass-current', 'x');
    expect(screen.queryByTestId('change-pass-done')).toBeNull();
  });

  it('says a wrong current passphrase beside that field and keeps the new one', async () => {
    const be = fakeBackend();
    const { onerror } = await openSettings();
    await fill('wrong one', 'battery staple 42');
    await fireEvent.click(byId('change-pass-submit'));
    const note = await screen.findByTestId('change-pass-error');
    expect(note.dataset.code).toBe('vault.bad_passphrase');
    expect(byId('change-pass-error-message').textContent).toBe('Wrong passphrase.');
    // Right under the current passphrase, before the new one.
    expect(note.compareDocumentPosition(byId('change-pass-current')) & Node.DOCUMENT_POSITION_PRECEDING).toBeTruthy();
    expect(note.compareDocumentPosition(byId('change-pass-new')) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    await waitFor(() => expect(input('change-pass-current').value).toBe(''));
    expect(document.activeElement).toBe(byId('change-pass-current'));
    expect(input('change-pass-new').value).toBe('battery staple 42');
    expect(screen.queryByTestId('change-pass-done')).toBeNull();
    expect(be.state.passphrase).toBe('correct horse');
    expect(onerror).not.toHaveBeenCalled();
    await type('change-pass-current', 'correct horse');
    expect(screen.queryByTestId('change-pass-error')).toBeNull();
    await fireEvent.click(byId('change-pass-submit'));
    await screen.findByTestId('change-pass-done');
  });

  it('checks the new passphrase as it is typed, before asking the vault', async () => {
    const be = fakeBackend();
    await openSettings();
    await fireEvent.click(byId('change-pass-submit'));
    expect(byId('change-pass-current-problem')).toBeTruthy();
    await type('change-pass-current', 'correct horse');
    await type('change-pass-new', 'short');
    await fireEvent.focusOut(byId('change-pass-new'));
    expect(byId('change-pass-new-problem').textContent).toMatch(/at least 8/);
    await type('change-pass-new', 'correct horse');
    expect(byId('change-pass-new-problem').textContent).toBe('The new passphrase is the same as the current one.');
    await type('change-pass-new', 'battery staple 42');
    await type('change-pass-confirm', 'battery staple 43');
    expect(byId('change-pass-confirm-problem').textContent).toBe('The two passphrases do not match.');
    await fireEvent.click(byId('change-pass-submit'));
    expect(be.callsTo('vault_change_passphrase')).toHaveLength(0);
    expect(document.activeElement).toBe(byId('change-pass-confirm'));
  });

  it('shows another failure beside the button', async () => {
    fakeBackend({
      fail: { vault_change_passphrase: { code: 'keychain.denied', message: 'The keychain refused.', hint: 'Unlock it.' } },
    });
    await openSettings();
    await fill('correct horse', 'battery staple 42');
    await fireEvent.click(byId('change-pass-submit'));
    expect((await screen.findByTestId('change-pass-error')).textContent).toContain('The keychain refused.');
    expect(byId('change-pass-error-code').textContent).toBe('keychain.denied');
    expect(input('change-pass-new').value).toBe('battery staple 42');
  });

  it('sets a passphrase on a vault without one, and says it is now protected', async () => {
    const be = fakeBackend({ mode: 'none' });
    const onstatus = vi.fn();
    render(SettingsScreen, { props: { status: { ...STATUS, mode: 'none' }, onstatus, onerror: vi.fn() } });
    await screen.findByTestId('settings-idle');
    expect(screen.queryByTestId('change-pass-current')).toBeNull();
    expect(byId('screen-settings').textContent).toContain('Set a passphrase');
    await fill(null, 'battery staple 42');
    await fireEvent.click(byId('change-pass-submit'));
    expect((await screen.findByTestId('change-pass-done')).textContent).toContain('now passphrase protected');
    expect(be.callsTo('vault_change_passphrase').map((c) => c.args)).toEqual([{ old: null, new: 'battery staple 42' }]);
    expect(onstatus).toHaveBeenCalledWith(expect.objectContaining({ mode: 'passphrase' }));
    expect(byId('settings-protection').textContent).toContain('Passphrase protected');
  });
});
