// The Services screen (thirdweb Engine) against the fake back end: profiles, the playground,
// keypairs, access tokens and calls.
import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import App from './App.svelte';
import { FAKE_ACCESS_TOKEN, fakeBackend, keyInfo } from './tests/fake-backend';

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
