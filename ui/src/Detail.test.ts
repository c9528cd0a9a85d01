// The key detail's private reveal, export area and "Save…" buttons.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { tick } from 'svelte';
import App from './App.svelte';
import { CANCELLED, fakeBackend, keyInfo, revealedText } from './tests/fake-backend';

const byId = (id: string) => screen.getByTestId(id);

async function click(id: string) {
  await fireEvent.click(byId(id));
}

async function choose(id: string, value: string) {
  await fireEvent.change(byId(id), { target: { value } });
}

async function open(id: string) {
  await screen.findByTestId('screen-keys');
  const row = await waitFor(() => {
    const r = screen.getAllByTestId('key-row').find((x) => x.dataset.keyId === id);
    expect(r).toBeTruthy();
    return r!;
  });
  await fireEvent.click(row);
  await waitFor(() => expect(byId('key-detail').dataset.keyId).toBe(id));
}

/** Lets promises and Svelte's updates settle without timers (they may be fake). */
async function settle() {
  for (let i = 0; i < 10; i++) {
    await Promise.resolve();
    await tick();
  }
}

const formatsOffered = () =>
  Array.from((byId('reveal-format') as HTMLSelectElement).options).map((o) => o.value);

/** The whole page's text, minus nothing: a secret must not be anywhere. */
const pageText = () => document.body.textContent ?? '';

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('reveal', () => {
  const keys = () => [
    keyInfo(1, 'p256 key'),
    keyInfo(2, 'eth key', { alg: 'secp256k1', origin: 'wif' }),
    keyInfo(3, 'hd key', { alg: 'secp256k1', origin: "mnemonic m/44'/60'/0'/0/0" }),
  ];

  it('offers the formats the key has', async () => {
    fakeBackend({ keys: keys() });
    render(App);
    await open('kid-1');
    expect(formatsOffered()).toEqual(['pem', 'pkcs8-enc', 'jwk']);
    await open('kid-2');
    expect(formatsOffered()).toEqual(['pem', 'pkcs8-enc', 'jwk', 'wif', 'hex']);
    await open('kid-3');
    expect(formatsOffered()).toEqual(['pem', 'pkcs8-enc', 'jwk', 'wif', 'hex', 'xprv']);
  });

  it('encrypted PKCS#8 asks for its passphrase, sends it, and clears it', async () => {
    const be = fakeBackend({ keys: keys() });
    render(App);
    await open('kid-1');
    await choose('reveal-format', 'pkcs8-enc');
    const pass = byId('reveal-passphrase') as HTMLInputElement;
    expect((byId('reveal-button') as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.input(pass, { target: { value: 'export pass' } });
    expect((byId('reveal-button') as HTMLButtonElement).disabled).toBe(false);
    await click('reveal-button');
    await screen.findByTestId('reveal-panel');
    expect(be.callsTo('key_reveal').map((c) => c.args)).toEqual([
      { key: 'kid-1', format: 'pkcs8-enc', passphrase: 'export pass' },
    ]);
    expect((byId('reveal-passphrase') as HTMLInputElement).value).toBe('');
  });

  it('shows the key once with a warning, and Hide drops it', async () => {
    const be = fakeBackend({ keys: keys() });
    render(App);
    await open('kid-2');
    expect(screen.queryByTestId('reveal-panel')).toBeNull();
    await choose('reveal-format', 'wif');
    await click('reveal-button');
    const panel = await screen.findByTestId('reveal-panel');
    expect(be.callsTo('key_reveal').map((c) => c.args)).toEqual([
      { key: 'kid-2', format: 'wif', passphrase: null },
    ]);
    expect(byId('reveal-value').textContent).toBe(revealedText('kid-2', 'wif'));
    expect(byId('reveal-value').tagName).toBe('PRE');
    expect(panel.textContent).toMatch(/Shown once/);
    expect(panel.textContent).toMatch(/logged/);
    expect(byId('reveal-copy')).toBeTruthy();

    await click('reveal-hide');
    expect(screen.queryByTestId('reveal-panel')).toBeNull();
    expect(pageText()).not.toContain('SECRET-kid-2');
    // Shown once: seeing it again takes another confirmed reveal.
    expect(be.callsTo('key_reveal')).toHaveLength(1);
  });

  it('copies the revealed key', async () => {
    fakeBackend({ keys: keys() });
    const writeText = vi.fn().mockResolvedValue(undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    render(App);
    await open('kid-1');
    await click('reveal-button');
    await screen.findByTestId('reveal-panel');
    await click('reveal-copy');
    await waitFor(() => expect(writeText).toHaveBeenCalledWith(revealedText('kid-1', 'pem')));
    await waitFor(() => expect(byId('reveal-copy').textContent?.trim()).toBe('Copied'));
  });

  it('hides the key when another key is selected', async () => {
    fakeBackend({ keys: keys() });
    render(App);
    await open('kid-1');
    await click('reveal-button');
    await screen.findByTestId('reveal-panel');
    await open('kid-2');
    expect(screen.queryByTestId('reveal-panel')).toBeNull();
    expect(pageText()).not.toContain('SECRET-kid-1');
    await open('kid-1');
    expect(screen.queryByTestId('reveal-panel')).toBeNull();
  });

  it('hides the key on lock', async () => {
    const be = fakeBackend({ keys: keys() });
    render(App);
    await open('kid-1');
    await click('reveal-button');
    await screen.findByTestId('reveal-panel');
    await click('lock-button');
    await screen.findByTestId('screen-unlock');
    expect(screen.queryByTestId('reveal-panel')).toBeNull();
    expect(pageText()).not.toContain('SECRET-kid-1');
    await fireEvent.input(byId('unlock-passphrase'), { target: { value: be.state.passphrase } });
    await click('unlock-submit');
    await screen.findByTestId('screen-keys');
    expect(screen.queryByTestId('reveal-panel')).toBeNull();
  });

  it('hides the key when another section is shown', async () => {
    fakeBackend({ keys: keys() });
    render(App);
    await open('kid-1');
    await click('reveal-button');
    await screen.findByTestId('reveal-panel');
    await click('nav-activity');
    expect(screen.queryByTestId('reveal-panel')).toBeNull();
    await click('nav-keys');
    expect(screen.queryByTestId('reveal-panel')).toBeNull();
  });

  it('hides the key after 60 seconds', async () => {
    fakeBackend({ keys: keys() });
    render(App);
    await open('kid-1');
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] });
    await click('reveal-button');
    await settle();
    expect(byId('reveal-panel')).toBeTruthy();
    expect(byId('reveal-remaining').textContent).toBe('60');
    vi.advanceTimersByTime(30_000);
    await settle();
    expect(byId('reveal-remaining').textContent).toBe('30');
    vi.advanceTimersByTime(29_000);
    await settle();
    expect(byId('reveal-panel')).toBeTruthy();
    vi.advanceTimersByTime(1_000);
    await settle();
    expect(screen.queryByTestId('reveal-panel')).toBeNull();
    expect(pageText()).not.toContain('SECRET-kid-1');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('says nothing alarming when the user cancels the native dialog', async () => {
    fakeBackend({ keys: keys(), fail: { key_reveal: CANCELLED } });
    render(App);
    await open('kid-1');
    await click('reveal-button');
    const note = await screen.findByTestId('reveal-note');
    expect(note.textContent).toMatch(/nothing was revealed/);
    expect(screen.queryByTestId('error-banner')).toBeNull();
    expect(screen.queryByTestId('reveal-panel')).toBeNull();
  });

  it('shows other reveal failures in the banner', async () => {
    fakeBackend({
      keys: keys(),
      fail: { key_reveal: { code: 'keychain.denied', message: 'Denied.', hint: 'Unlock the keyring.' } },
    });
    render(App);
    await open('kid-1');
    await click('reveal-button');
    expect((await screen.findByTestId('error-code')).textContent).toBe('keychain.denied');
    expect(screen.queryByTestId('reveal-panel')).toBeNull();
    expect(screen.queryByTestId('reveal-note')).toBeNull();
  });

  it('drops an answer that arrives after the user moved to another key', async () => {
    const be = fakeBackend({ keys: keys() });
    let release = () => {};
    be.state.hold.key_reveal = new Promise<void>((r) => (release = r));
    render(App);
    await open('kid-1');
    await click('reveal-button');
    await waitFor(() => expect(be.callsTo('key_reveal')).toHaveLength(1));
    await open('kid-2');
    release();
    await settle();
    expect(screen.queryByTestId('reveal-panel')).toBeNull();
    expect(pageText()).not.toContain('SECRET-kid-1');
  });
});

describe('public forms', () => {
  it('lists a wallet key\'s address first, every form once, and a JWK Set on demand', async () => {
    const be = fakeBackend({
      keys: [
        {
          ...keyInfo(1, 'eth', { alg: 'secp256k1', origin: 'wif' }),
          address: { format: 'eth', title: 'Ethereum address', value: '0xAbC' },
        },
      ],
    });
    render(App);
    await open('kid-1');
    expect(byId('detail-identity').dataset.format).toBe('eth');
    expect(byId('detail-identity-value').textContent).toBe('0xAbC');
    const formats = screen.getAllByTestId('detail-export').map((e) => e.dataset.format);
    expect(formats[0]).toBe('eth');
    expect(new Set(formats).size).toBe(formats.length);
    expect(formats[formats.length - 1]).toBe('jwks');
    // Showing a form is not an export: nothing is asked of the vault until the JWK Set is.
    expect(be.callsTo('key_export')).toHaveLength(0);
    await click('show-jwks');
    await waitFor(() =>
      expect(byId('detail-jwks').textContent).toBe(
        JSON.stringify({ keys: [{ kty: 'EC', crv: 'P-256', x: 'x-kid-1', y: 'y-kid-1', kid: 'kid-1' }] }),
      ),
    );
    expect(be.callsTo('key_export').map((c) => c.args)).toEqual([{ keys: ['kid-1'], format: 'jwks' }]);
  });
});

describe('save to file', () => {
  it('saves a public form and says where', async () => {
    const be = fakeBackend({ keys: [keyInfo(1)] });
    render(App);
    await open('kid-1');
    for (const f of ['pem', 'jwk', 'openssh', 'fingerprint']) expect(byId(`save-${f}`)).toBeTruthy();
    await click('save-openssh');
    const note = await screen.findByTestId('save-note');
    expect(note.textContent?.trim()).toBe('Saved to /home/user/kid-1.openssh');
    expect(be.callsTo('key_export_file').map((c) => c.args)).toEqual([{ keys: ['kid-1'], format: 'openssh' }]);
  });

  it('says nothing when the Save dialog is cancelled', async () => {
    fakeBackend({ keys: [keyInfo(1)], fail: { key_export_file: CANCELLED } });
    render(App);
    await open('kid-1');
    await click('save-pem');
    await settle();
    expect(screen.queryByTestId('save-note')).toBeNull();
    expect(screen.queryByTestId('error-banner')).toBeNull();
  });
});
