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
