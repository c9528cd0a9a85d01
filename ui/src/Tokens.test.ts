// The Tokens screen against the fake back end: minting, the token shown where the user looks,
// and the Decode & verify panel.
import { describe, expect, it, vi } from 'vitest';
import { render, screen, waitFor } from '@testing-library/svelte';
import App from './App.svelte';
import TokensScreen from './lib/TokensScreen.svelte';
import { byId, click, choose, type, disabled, options, KEYS, open } from './tests/screens';
import { fakeBackend } from './tests/fake-backend';

describe('Tokens screen', () => {
  it('starts on a standard JWT; Engine mode lists Engine algorithms and says why in plain words', async () => {
    fakeBackend({ keys: KEYS });
    render(App);
    await open('tokens');
    await waitFor(() => expect(options('mint-key')).toEqual(['kid-1', 'kid-3', 'kid-4']));
    expect((byId('mint-mode') as HTMLSelectElement).value).toBe('generic');
    expect(options('mint-mode')).toEqual(['generic', 'engine']);
    expect(screen.queryByTestId('mint-engine-note')).toBeNull();
    expect(screen.queryByTestId('mint-profile')).toBeNull();
    expect(options('mint-alg')).toEqual(['ES256K']);
    // secp256k1 in Engine mode: nothing to offer, and why.
    await choose('mint-mode', 'engine');
    expect(options('mint-alg')).toEqual([]);
    expect(byId('mint-alg-none').textContent).toMatch(/Engine does not take secp256k1 keys.*standard JWT/s);
    await choose('mint-key', 'kid-4');
    expect(options('mint-alg')).toEqual(['RS256', 'PS256']);
    expect(byId('mint-engine-note').textContent).toMatch(/ignores any other claim/);
    expect(byId('mint-engine-note').textContent).not.toMatch(/bodyHash/);
  });

  it('mints with parsed claims, shows the token beside the form, counts down, copies and decodes', async () => {
    const fake = fakeBackend({ keys: KEYS });
    render(App);
    await open('tokens');
    await waitFor(() => expect(options('mint-key')).toContain('kid-3'));
    await choose('mint-key', 'kid-3');
    await type('mint-exp', '1');
    await type('mint-aud', 'a, b');
    await type('claim-name-0', 'role');
    await type('claim-value-0', '"admin"');
    await click('claim-add');
    await type('claim-name-1', 'n');
    await type('claim-value-1', '7');
    await click('mint-submit');
    const minted = await screen.findByTestId('minted');
    expect(fake.callsTo('jwt_mint')[0].args).toEqual({
      key: 'kid-3',
      options: {
        mode: 'generic',
        alg: 'ES256',
        expSecs: 1,
        useKid: false,
        aud: ['a', 'b'],
        sub: null,
        claims: { role: 'admin', n: 7 },
      },
      body: null,
      profile: null,
    });
    // In the column beside the form (above Decode), not below the form.
    expect(byId('mint-form').contains(minted)).toBe(false);
    expect(minted.parentElement).toBe(byId('decode-panel').parentElement);
    // The token from its first character.
    expect((byId('minted-token') as HTMLTextAreaElement).selectionStart).toBe(0);
    expect(byId('curl-preview').textContent).toMatch(/^curl -sS http:\/\/127\.0\.0\.1:3005\/backend-wallet\/get-all -H 'Authorization: Bearer ey/);
    expect(disabled('copy-token')).toBe(false);
    await waitFor(() => expect(byId('minted-countdown').textContent).toBe('expired'), { timeout: 3000 });
    expect(byId('minted-countdown').dataset.expired).toBe('true');

    await click('minted-decode');
    await waitFor(() => expect(byId('decode-claims').textContent).toContain('"role": "admin"'));
    expect(byId('decode-note').textContent).toMatch(/^NOT VERIFIED/);
    expect((byId('decode-alg-ES256') as HTMLInputElement).checked).toBe(true);
    await click('decode-verify');
    await screen.findByTestId('decode-verified');
    expect(screen.getAllByTestId('decode-check').map((c) => c.dataset.id)).toEqual(['signature']);
    expect(byId('decode-not-checked').textContent).toMatch(/^iss/);
    expect(fake.callsTo('jwt_verify')[0].args).toMatchObject({
      req: { key: 'kid-3', pubkey: null, options: { algorithms: ['ES256'], requireExp: true } },
    });
  });

  it('an expired token cannot be copied, and Mint again is beside it', async () => {
    const fake = fakeBackend({ keys: KEYS });
    render(App);
    await open('tokens');
    await waitFor(() => expect(options('mint-key')).toContain('kid-3'));
    await type('mint-exp', '1');
    await click('mint-submit');
    await screen.findByTestId('minted');
    await waitFor(() => expect(byId('minted').dataset.expired).toBe('true'), { timeout: 3000 });
    expect(byId('minted-expired').textContent).toMatch(/expired/);
    for (const id of ['copy-token', 'copy-header', 'copy-curl']) expect(disabled(id)).toBe(true);
    expect(byId('minted-again').classList.contains('primary')).toBe(true);
    await type('mint-exp', '60');
    await click('minted-again');
    await waitFor(() => expect(byId('minted').dataset.expired).toBe('false'));
    expect(fake.callsTo('jwt_mint')).toHaveLength(2);
    expect(fake.callsTo('jwt_mint')[1].args).toMatchObject({ options: { expSecs: 60 } });
    expect(disabled('copy-token')).toBe(false);
    expect(byId('minted-countdown').textContent).toMatch(/^expires in/);
    expect(screen.queryByTestId('minted-expired')).toBeNull();
  });

  it('brings a new token into view, each time', async () => {
    fakeBackend({ keys: KEYS });
    const scrolled = vi.fn();
    HTMLElement.prototype.scrollIntoView = scrolled;
    try {
      render(App);
      await open('tokens');
      await waitFor(() => expect(options('mint-key')).toContain('kid-3'));
      await click('mint-submit');
      const first = await screen.findByTestId('minted');
      await waitFor(() => expect(scrolled.mock.contexts).toContain(first));
      expect(document.activeElement).toBe(first);
      // The fake's tokens differ by their iat: wait for the next second.
      await new Promise((r) => setTimeout(r, 1100));
      await click('minted-again');
      await waitFor(() => expect(byId('minted')).not.toBe(first));
      const second = byId('minted');
      await waitFor(() => expect(scrolled.mock.contexts).toContain(second));
    } finally {
      delete (HTMLElement.prototype as Partial<HTMLElement>).scrollIntoView;
    }
  });

  it('shows a mint error beside Mint, keeps the form, and clears it on edit and on success', async () => {
    const refused = { code: 'jwt.exp_too_long', message: 'The lifetime is longer than allowed.', hint: 'Shorten it.' };
    const fake = fakeBackend({ keys: KEYS, fail: { jwt_mint: refused } });
    render(App);
    await open('tokens');
    await waitFor(() => expect(options('mint-key')).toContain('kid-3'));
    await type('mint-aud', 'https://api.example');
    await type('mint-sub', 'ci');
    await click('mint-submit');
    const note = await screen.findByTestId('mint-error');
    expect(byId('mint-form').contains(note)).toBe(true);
    expect(byId('mint-error-message').textContent).toBe(refused.message);
    expect(byId('mint-error-code').textContent).toBe(refused.code);
    expect(screen.queryByTestId('error-banner')).toBeNull();
    expect((byId('mint-aud') as HTMLInputElement).value).toBe('https://api.example');
    expect((byId('mint-sub') as HTMLInputElement).value).toBe('ci');
    expect(screen.queryByTestId('minted')).toBeNull();
    await type('mint-sub', 'cd');
    expect(screen.queryByTestId('mint-error')).toBeNull();
    await click('mint-submit');
    await screen.findByTestId('mint-error');
    delete fake.state.fail.jwt_mint;
    await click('mint-submit');
    await screen.findByTestId('minted');
    expect(screen.queryByTestId('mint-error')).toBeNull();
  });

  it('says the lifetime rule up front and checks it as it is typed', async () => {
    const fake = fakeBackend({ keys: KEYS });
    fake.state.settings.jwtMaxExpSecs = 120;
    fake.state.settings.jwtDefaultExpSecs = 30;
    render(App);
    await open('tokens');
    await waitFor(() => expect(byId('mint-exp').closest('label')?.textContent).toContain('1–120 s'));
    expect((byId('mint-exp') as HTMLInputElement).value).toBe('30');
    await type('mint-exp', '121');
    expect(byId('mint-exp-problem').textContent).toMatch(/At most 120 s/);
    expect(disabled('mint-submit')).toBe(true);
    await type('mint-exp', '0');
    expect(byId('mint-exp-problem').textContent).toMatch(/at least 1/);
    await type('mint-exp', '120');
    expect(screen.queryByTestId('mint-exp-problem')).toBeNull();
    expect(disabled('mint-submit')).toBe(false);
  });

  it('refuses stamped claims before minting, unfolding the claims', async () => {
    const fake = fakeBackend({ keys: KEYS });
    render(App);
    await open('tokens');
    await waitFor(() => expect(options('mint-key')).toContain('kid-3'));
    expect((byId('mint-more') as HTMLDetailsElement).open).toBe(false);
    await type('claim-name-0', 'exp');
    await type('claim-value-0', '1');
    expect(byId('mint-claims-problem').textContent).toMatch(/set by Keyward/);
    expect((byId('mint-more') as HTMLDetailsElement).open).toBe(true);
    expect(disabled('mint-submit')).toBe(true);
    expect(fake.callsTo('jwt_mint')).toHaveLength(0);
  });

  it('starts on the key selected on Keys when it may sign JWTs', async () => {
    fakeBackend({ keys: KEYS });
    const { rerender } = render(TokensScreen, {
      props: { keys: KEYS, selectedKeyId: 'kid-4', active: true, onerror: () => {} },
    });
    expect((byId('mint-key') as HTMLSelectElement).value).toBe('kid-4');
    await rerender({ selectedKeyId: 'kid-2' });
    // kid-2 may not sign JWTs: the first key that may.
    await waitFor(() => expect((byId('mint-key') as HTMLSelectElement).value).toBe('kid-1'));
  });
});

describe('Decode & verify panel', () => {
  it('shows why a pasted text does not decode, beside the field, without the code as headline', async () => {
    fakeBackend({ keys: KEYS });
    render(App);
    await open('tokens');
    await type('decode-token', 'not a token');
    await screen.findByTestId('decode-error');
    expect(byId('decode-error').dataset.code).toBe('jwt.malformed');
    expect(byId('decode-error-message').textContent).toBe('not a JWT');
    await type('decode-token', '');
    await waitFor(() => expect(screen.queryByTestId('decode-error')).toBeNull());
  });

  it('a refused token is an answer; another failure shows beside Verify', async () => {
    const fake = fakeBackend({
      keys: KEYS,
      fail: { jwt_verify: { code: 'jwt.expired', message: 'The token has expired.', hint: 'Mint a new one.' } },
    });
    render(App);
    await open('tokens');
    await waitFor(() => expect(options('mint-key')).toContain('kid-3'));
    await click('mint-submit');
    await screen.findByTestId('minted');
    await click('minted-decode');
    await screen.findByTestId('decoded');
    await click('decode-verify');
    const refused = await screen.findByTestId('decode-refused');
    expect(refused.dataset.code).toBe('jwt.expired');
    expect(byId('decode-refused-message').textContent).toBe('The token has expired.');
    expect(screen.queryByTestId('decode-verify-error')).toBeNull();

    fake.state.fail.jwt_verify = { code: 'keychain.locked', message: 'The keychain is locked.', hint: 'Unlock it.' };
    await click('decode-verify');
    await screen.findByTestId('decode-verify-error');
    expect(screen.queryByTestId('decode-refused')).toBeNull();
    expect(screen.queryByTestId('error-banner')).toBeNull();
    await type('decode-aud', 'x');
    expect(screen.queryByTestId('decode-verify-error')).toBeNull();
  });
});
