// The Tokens screen against the fake back end: minting, the token shown where the user looks,
// and the Decode & verify panel.
import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import App from './App.svelte';
import { fakeBackend, keyInfo } from './tests/fake-backend';

const byId = (id: string) => screen.getByTestId(id);
const click = (id: string) => fireEvent.click(byId(id));
const choose = (id: string, value: string) => fireEvent.change(byId(id), { target: { value } });
const type = (id: string, value: string) => fireEvent.input(byId(id), { target: { value } });
const options = (id: string) => Array.from((byId(id) as HTMLSelectElement).options).map((o) => o.value);

const ETH = keyInfo(1, 'eth', { alg: 'secp256k1', usage: ['raw', 'eip191', 'siwe', 'bsm', 'eos', 'jwt'] });
const ETH_ONLY = keyInfo(2, 'eth-only', { alg: 'secp256k1', usage: ['eip191'] });
const P256 = keyInfo(3, 'api', { alg: 'p256', usage: ['raw', 'jwt'] });
const RSA = keyInfo(4, 'rsa', { alg: 'rsa2048', usage: ['jwt'] });
const NOTHING = keyInfo(5, 'locked-down', { alg: 'ed25519', usage: [] });
const KEYS = [ETH, ETH_ONLY, P256, RSA, NOTHING];

async function open(section: string) {
  await screen.findByTestId('screen-keys');
  await click(`nav-${section}`);
  await screen.findByTestId(`screen-${section}`);
}

describe('Tokens screen', () => {
  it('lists Engine algorithms only in Engine mode and explains the others', async () => {
    fakeBackend({ keys: KEYS });
    render(App);
    await open('tokens');
    await waitFor(() => expect(options('mint-key')).toEqual(['kid-1', 'kid-3', 'kid-4']));
    // secp256k1 in Engine mode: nothing to offer, and why.
    expect(options('mint-alg')).toEqual([]);
    expect(byId('mint-alg-none').textContent).toMatch(/generic mode/);
    await choose('mint-mode', 'generic');
    expect(options('mint-alg')).toEqual(['ES256K']);
    await choose('mint-key', 'kid-4');
    await choose('mint-mode', 'engine');
    expect(options('mint-alg')).toEqual(['RS256', 'PS256']);
    expect(byId('mint-engine-note').textContent).toMatch(/ignores custom claims except bodyHash/);
  });

  it('mints with parsed claims, counts down, copies and decodes', async () => {
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
    await screen.findByTestId('minted');
    expect(fake.callsTo('jwt_mint')[0].args).toEqual({
      key: 'kid-3',
      options: {
        mode: 'engine',
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
    expect(byId('curl-preview').textContent).toMatch(/^curl -sS http:\/\/127\.0\.0\.1:3005\/backend-wallet\/get-all -H 'Authorization: Bearer ey/);
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

  it('refuses stamped claims before minting', async () => {
    const fake = fakeBackend({ keys: KEYS });
    render(App);
    await open('tokens');
    await waitFor(() => expect(options('mint-key')).toContain('kid-3'));
    await type('claim-name-0', 'exp');
    await type('claim-value-0', '1');
    expect(byId('mint-claims-problem').textContent).toMatch(/set by Keyward/);
    expect((byId('mint-submit') as HTMLButtonElement).disabled).toBe(true);
    expect(fake.callsTo('jwt_mint')).toHaveLength(0);
  });
});
