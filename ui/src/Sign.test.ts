// The Sign, Tokens and Services screens against the fake back end: what each offers for a key,
// what it sends, and what it shows (and never shows).
import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import App from './App.svelte';
import { FAKE_ACCESS_TOKEN, fakeBackend, fakeSignature, keyInfo } from './tests/fake-backend';

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

  it('checks hex input before sending and shows back-end errors with their hint', async () => {
    const fake = fakeBackend({ keys: KEYS, fail: { key_sign: { code: 'sign.policy_forbidden', message: 'forbidden', hint: 'Change the policy.' } } });
    render(App);
    await open('sign');
    await waitFor(() => expect(options('sign-key')).toContain('kid-1'));
    await choose('sign-input-kind', 'hex');
    await type('sign-input', 'xyz');
    expect(byId('sign-problem').textContent).toMatch(/even number/);
    expect((byId('sign-submit') as HTMLButtonElement).disabled).toBe(true);
    await type('sign-input', '0xdeadbeef');
    await click('sign-submit');
    expect((await screen.findByTestId('error-code')).textContent).toBe('sign.policy_forbidden');
    expect(byId('error-hint').textContent).toBe('Change the policy.');
    expect(fake.callsTo('key_sign')[0].args).toMatchObject({ req: { input: { kind: 'hex', value: '0xdeadbeef' } } });
  });

  it('says so when no key may sign', async () => {
    fakeBackend({ keys: [RSA, NOTHING] });
    render(App);
    await open('sign');
    expect(await screen.findByTestId('sign-no-keys')).toBeTruthy();
  });
});

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

describe('Services screen', () => {
  it('starts the playground, registers a key, calls an endpoint', async () => {
    const fake = fakeBackend({ keys: KEYS });
    render(App);
    await open('services');
    expect(await screen.findByTestId('services-empty')).toBeTruthy();
    await click('playground-start');
    await waitFor(() => expect(byId('playground-status').dataset.url).toBe('http://127.0.0.1:45678'));
    await screen.findByTestId('service-detail');
    expect((await screen.findByTestId('health-result')).dataset.keypairAuth).toBe('true');
    // Only keys Engine takes and whose policy allows JWTs.
    expect(options('register-key')).toEqual(['kid-3', 'kid-4']);
    await click('register-submit');
    await waitFor(() => expect(screen.getAllByTestId('keypair-row')[0].dataset.vaultKey).toBe('kid-3'));
    await click('call-submit');
    expect((await screen.findByTestId('call-result')).dataset.status).toBe('200');
    await choose('call-key', 'kid-4');
    await click('call-submit');
    await waitFor(() => expect(byId('call-result').dataset.status).toBe('401'));
    expect(fake.callsTo('engine_call')[1].args).toEqual({
      profile: 'playground',
      key: 'kid-4',
      method: 'GET',
      path: '/backend-wallet/get-all',
      data: null,
      expSecs: 15,
      useKid: false,
    });
  });

  it('sends the admin token once and never shows it', async () => {
    const fake = fakeBackend({ keys: KEYS });
    render(App);
    await open('services');
    await type('svc-name', 'prod');
    await type('svc-url', 'https://engine.example');
    await type('svc-admin-token', 'ADMIN-SECRET');
    await click('svc-add');
    await screen.findByTestId('service-detail');
    expect(fake.callsTo('service_add_engine')[0].args).toEqual({
      name: 'prod',
      url: 'https://engine.example',
      adminToken: 'ADMIN-SECRET',
    });
    expect((byId('svc-admin-token') as HTMLInputElement).value).toBe('');
    expect(document.body.textContent).not.toContain('ADMIN-SECRET');
  });

  it('shows a created token as sealed, never its value', async () => {
    fakeBackend({ keys: KEYS });
    render(App);
    await open('services');
    await click('playground-start');
    await screen.findByTestId('service-detail');
    await click('token-create');
    expect((await screen.findByTestId('token-created')).dataset.stored).toBe('true');
    expect(document.body.textContent).not.toContain(FAKE_ACCESS_TOKEN);
  });

  it('shows an unsaved token once, as NOT SAVED, until dismissed', async () => {
    fakeBackend({ keys: KEYS, tokenUnsaved: true });
    render(App);
    await open('services');
    await click('playground-start');
    await screen.findByTestId('service-detail');
    await click('token-create');
    const created = await screen.findByTestId('token-created');
    expect(created.dataset.stored).toBe('false');
    expect(created.textContent).toMatch(/NOT SAVED/);
    expect(byId('token-unsaved-secret').textContent).toBe(FAKE_ACCESS_TOKEN);
    await click('token-unsaved-done');
    expect(document.body.textContent).not.toContain(FAKE_ACCESS_TOKEN);
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
