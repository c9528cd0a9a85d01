// The Sign screen against the fake back end: what it offers for a key, what it sends, what it
// shows and where (errors beside the button that failed, results in view). The Tokens and
// Services screens are in Tokens.test.ts and Services.test.ts.
import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import App from './App.svelte';
import SignScreen from './lib/SignScreen.svelte';
import { byId, click, choose, type, options, RSA, NOTHING, KEYS, open } from './tests/screens';
import { fakeBackend, fakeSignature } from './tests/fake-backend';

describe('Sign screen', () => {
  it('offers only keys and schemes the usage policy allows', async () => {
    fakeBackend({ keys: KEYS });
    render(App);
    await open('sign');
    await waitFor(() => expect(options('sign-key')).toEqual(['kid-1', 'kid-2', 'kid-3']));
    expect(options('sign-scheme')).toEqual(['eip191', 'raw', 'bsm', 'eos']);
    await choose('sign-key', 'kid-2');
    expect(options('sign-scheme')).toEqual(['eip191']);
    expect(options('sign-input-kind')).toEqual(['message', 'hex']);
    await choose('sign-key', 'kid-3');
    expect(options('sign-scheme')).toEqual(['raw']);
    expect(options('sign-input-kind')).toEqual(['message', 'hex', 'digest']);
    expect(byId('sign-encoding')).toBeTruthy();
  });

  it('signs, shows the signature, and carries it to Verify', async () => {
    const fake = fakeBackend({ keys: KEYS });
    render(App);
    await open('sign');
    await waitFor(() => expect(options('sign-key')).toContain('kid-1'));
    await type('sign-input', 'Some data');
    await click('sign-submit');
    const sig = await screen.findByTestId('sign-signature');
    expect(sig.textContent).toBe(fakeSignature('kid-1', 'eip191', 'Some data'));
    expect(fake.callsTo('key_sign')[0].args).toEqual({
      req: { key: 'kid-1', scheme: 'eip191', input: { kind: 'message', value: 'Some data' }, encoding: 'der' },
    });
    // Editing the message drops a signature that no longer matches it.
    await type('sign-input', 'Other data');
    expect(screen.queryByTestId('sign-signature')).toBeNull();
    await type('sign-input', 'Some data');
    await click('sign-submit');
    await screen.findByTestId('sign-signature');

    await click('sign-to-verify');
    expect((byId('verify-signature') as HTMLTextAreaElement).value).toBe(
      fakeSignature('kid-1', 'eip191', 'Some data'),
    );
    await click('verify-submit');
    const verdict = await screen.findByTestId('verify-verdict');
    expect(verdict.dataset.valid).toBe('true');
    expect(fake.callsTo('key_verify')[0].args).toMatchObject({
      req: { scheme: 'eip191', key: 'kid-1', address: null, pubkey: null },
    });
  });

  it('checks hex input before sending and shows back-end errors beside Sign, keeping the input', async () => {
    const forbidden = { code: 'sign.policy_forbidden', message: 'This key may not sign that.', hint: 'Change the policy.' };
    const fake = fakeBackend({ keys: KEYS, fail: { key_sign: forbidden } });
    render(App);
    await open('sign');
    await waitFor(() => expect(options('sign-key')).toContain('kid-1'));
    await choose('sign-input-kind', 'hex');
    await type('sign-input', 'xyz');
    expect(byId('sign-problem').textContent).toMatch(/even number/);
    expect((byId('sign-submit') as HTMLButtonElement).disabled).toBe(true);
    await type('sign-input', '0xdeadbeef');
    await click('sign-submit');
    // Beside the form's button, in words; the code is a detail.
    const note = await screen.findByTestId('sign-error');
    expect(byId('sign-form').contains(note)).toBe(true);
    expect(byId('sign-error-message').textContent).toBe('This key may not sign that.');
    expect(byId('sign-error-hint').textContent).toBe('Change the policy.');
    expect(byId('sign-error-code').textContent).toBe('sign.policy_forbidden');
    // Nothing at the top of the window, and what was typed is still there.
    expect(screen.queryByTestId('error-banner')).toBeNull();
    expect((byId('sign-input') as HTMLTextAreaElement).value).toBe('0xdeadbeef');
    expect(fake.callsTo('key_sign')[0].args).toMatchObject({ req: { input: { kind: 'hex', value: '0xdeadbeef' } } });

    // Editing what failed clears the note; a sign that works leaves none.
    await type('sign-input', '0xdeadbeef00');
    expect(screen.queryByTestId('sign-error')).toBeNull();
    await click('sign-submit');
    await screen.findByTestId('sign-error');
    delete fake.state.fail.key_sign;
    await click('sign-submit');
    await screen.findByTestId('sign-result');
    expect(screen.queryByTestId('sign-error')).toBeNull();
  });

  it('brings the signature into view', async () => {
    fakeBackend({ keys: KEYS });
    const scrolled = vi.fn();
    HTMLElement.prototype.scrollIntoView = scrolled;
    try {
      render(App);
      await open('sign');
      await waitFor(() => expect(options('sign-key')).toContain('kid-1'));
      await type('sign-input', 'Some data');
      await click('sign-submit');
      const result = await screen.findByTestId('sign-result');
      await waitFor(() => expect(scrolled.mock.contexts).toContain(result));
      expect(document.activeElement).toBe(result);
      expect(byId('sign-signer-key').textContent).toContain('eth');
    } finally {
      delete (HTMLElement.prototype as Partial<HTMLElement>).scrollIntoView;
    }
  });

  it('starts on the key selected on Keys, and follows a new selection there', async () => {
    fakeBackend({ keys: KEYS });
    const { rerender } = render(SignScreen, { props: { keys: KEYS, selectedKeyId: 'kid-3', onerror: () => {} } });
    expect((byId('sign-key') as HTMLSelectElement).value).toBe('kid-3');
    await choose('sign-key', 'kid-2');
    expect((byId('sign-key') as HTMLSelectElement).value).toBe('kid-2');
    await rerender({ selectedKeyId: 'kid-1' });
    await waitFor(() => expect((byId('sign-key') as HTMLSelectElement).value).toBe('kid-1'));
    // A key that may not sign: the first one that may.
    await rerender({ selectedKeyId: 'kid-5' });
    await waitFor(() => expect((byId('sign-key') as HTMLSelectElement).value).toBe('kid-1'));
    await click('sign-tab-verify');
    await choose('verify-against', 'key');
    await rerender({ selectedKeyId: 'kid-2' });
    await waitFor(() => expect((byId('verify-key') as HTMLSelectElement).value).toBe('kid-2'));
  });

  it('says who signed once, naming the vault key it recovers to', async () => {
    fakeBackend({ keys: KEYS });
    render(App);
    await open('sign');
    await click('sign-tab-verify');
    await type('verify-input', 'Some data');
    await type('verify-signature', 'sig:whatever');
    await choose('verify-against', 'address');
    // The fake's Ethereum address of kid-1.
    await type('verify-address', '0xEthkid-1');
    await click('verify-submit');
    const verdict = await screen.findByTestId('verify-verdict');
    expect(byId('verify-headline').textContent).toBe('Valid');
    await waitFor(() => expect(byId('verify-signer-key').textContent).toBe('eth'));
    expect(byId('verify-signer').textContent?.replace(/\s+/g, ' ').trim()).toBe('Signed by eth (this vault) 0xEthkid-1');
    expect(byId('verify-recovered').textContent).toBe('0xEthkid-1');
    expect(verdict.textContent?.split('0xEthkid-1')).toHaveLength(2);

    // An address no vault key has: the signer without a name.
    await type('verify-address', '0xSomeoneElse');
    await click('verify-submit');
    await waitFor(() => expect(byId('verify-recovered').textContent).toBe('0xSomeoneElse'));
    expect(screen.queryByTestId('verify-signer-key')).toBeNull();
  });

  it('shows a verify error beside Verify and keeps the form', async () => {
    const bad = { code: 'sign.bad_signature', message: 'The signature is not in a form this scheme uses.', hint: 'Paste it whole.' };
    const fake = fakeBackend({ keys: KEYS, fail: { key_verify: bad } });
    render(App);
    await open('sign');
    await click('sign-tab-verify');
    await type('verify-input', 'Some data');
    await type('verify-signature', '0x12');
    await choose('verify-against', 'address');
    await type('verify-address', '0xabc');
    await click('verify-submit');
    const note = await screen.findByTestId('verify-error');
    expect(byId('verify-form').contains(note)).toBe(true);
    expect(byId('verify-error-message').textContent).toBe(bad.message);
    expect((byId('verify-signature') as HTMLTextAreaElement).value).toBe('0x12');
    expect((byId('verify-address') as HTMLInputElement).value).toBe('0xabc');
    delete fake.state.fail.key_verify;
    await type('verify-signature', 'sig:0x12');
    expect(screen.queryByTestId('verify-error')).toBeNull();
    await click('verify-submit');
    await screen.findByTestId('verify-verdict');
    expect(screen.queryByTestId('verify-error')).toBeNull();
  });

  it('says where Sign-In with Ethereum is signed', async () => {
    fakeBackend({ keys: KEYS });
    render(App);
    await open('sign');
    await waitFor(() => expect(options('sign-key')).toContain('kid-1'));
    expect(byId('sign-siwe-note').textContent).toMatch(/approve it in a prompt/);
    await choose('sign-key', 'kid-2');
    expect(screen.queryByTestId('sign-siwe-note')).toBeNull();
  });

  it('says so when no key may sign', async () => {
    fakeBackend({ keys: [RSA, NOTHING] });
    render(App);
    await open('sign');
    expect(await screen.findByTestId('sign-no-keys')).toBeTruthy();
  });
});

describe('usage policy (Keys screen)', () => {
  it('offers what the algorithm fits, saves it, and the Sign screen follows', async () => {
    const fake = fakeBackend({ keys: KEYS });
    render(App);
    await screen.findByTestId('screen-keys');
    const row = await waitFor(() => {
      const r = screen.getAllByTestId('key-row').find((x) => x.dataset.keyId === 'kid-1');
      expect(r).toBeTruthy();
      return r as HTMLElement;
    });
    await fireEvent.click(row);
    await screen.findByTestId('usage-panel');
    // secp256k1: every usage but ed25519.
    expect(screen.queryByTestId('usage-ed25519')).toBeNull();
    expect((byId('usage-eip191') as HTMLInputElement).checked).toBe(true);
    expect((byId('usage-save') as HTMLButtonElement).disabled).toBe(true);
    for (const u of ['raw', 'bsm', 'eos', 'siwe', 'jwt']) {
      await fireEvent.click(byId(`usage-${u}`));
    }
    await click('usage-save');
    await waitFor(() => expect(fake.callsTo('key_policy')).toHaveLength(1));
    expect(fake.callsTo('key_policy')[0].args).toEqual({ key: 'kid-1', allow: ['eip191'] });

    await click('nav-sign');
    await screen.findByTestId('screen-sign');
    await choose('sign-key', 'kid-1');
    expect(options('sign-scheme')).toEqual(['eip191']);
  });
});
