import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import App from './App.svelte';
import { fakeBackend } from './tests/fake-backend';

const byId = (id: string) => screen.getByTestId(id);

async function openSettings() {
  render(App);
  await screen.findByTestId('screen-keys');
  await fireEvent.click(byId('nav-settings'));
  await screen.findByTestId('settings-idle');
}

describe('Settings screen', () => {
  it('shows the settings and saves a change', async () => {
    const be = fakeBackend();
    await openSettings();
    expect((byId('settings-idle') as HTMLInputElement).value).toBe('15');
    expect((byId('settings-port') as HTMLInputElement).value).toBe('47800');
    await fireEvent.input(byId('settings-idle'), { target: { value: '5' } });
    await fireEvent.click(byId('settings-idle-save'));
    await screen.findByTestId('settings-saved');
    expect(be.callsTo('settings_set').map((c) => c.args)).toEqual([
      { name: 'idle-lock-minutes', value: '5' },
    ]);
    expect(be.state.settings.idleLockMinutes).toBe(5);
  });

  it('reports a refused value and shows what is stored', async () => {
    fakeBackend();
    await openSettings();
    await fireEvent.input(byId('settings-idle'), { target: { value: 'forever' } });
    await fireEvent.click(byId('settings-idle-save'));
    await screen.findByTestId('error-banner');
    await waitFor(() => expect((byId('settings-idle') as HTMLInputElement).value).toBe('15'));
  });

  it('turns start at login on', async () => {
    const be = fakeBackend();
    await openSettings();
    await fireEvent.click(byId('settings-start-at-login'));
    await waitFor(() => expect(be.state.settings.startAtLogin).toBe(true));
  });
});
