// The Services screen (thirdweb Engine) against the fake back end: profiles, the playground,
// keypairs, access tokens and calls.
import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import App from './App.svelte';
import {
  byId,
  click,
  choose,
  type,
  disabled,
  value,
  options,
  KEYS,
  open,
} from './tests/screens';
import { FAKE_ACCESS_TOKEN, fakeBackend } from './tests/fake-backend';

/** The Services screen with the playground started and its profile shown. */
async function playground() {
  await open('services');
  await click('playground-start');
  await screen.findByTestId('service-detail');
  await screen.findByTestId('health-result');
}

const failure = (code: string, message: string) => ({ code, message, hint: `What to do about ${code}.` });

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

  it('warns before calling with a key Engine does not know, and registers it from there', async () => {
    fakeBackend({ keys: KEYS });
    render(App);
    await playground();
    await waitFor(() => expect(screen.queryByTestId('keypair-empty')).toBeTruthy());
    // Nothing registered: the chosen key will be refused, and the form says why.
    expect(byId('call-unregistered').textContent).toMatch(/api is not registered with this Engine.*401/s);
    expect(Array.from((byId('call-key') as HTMLSelectElement).options).map((o) => o.text)).toEqual([
      'api (P-256) · not registered',
      'rsa (RSA-2048) · not registered',
    ]);
    // Still allowed (a 401 may be what is being tried).
    expect(disabled('call-submit')).toBe(false);
    await click('call-submit');
    await waitFor(() => expect(byId('call-result').dataset.status).toBe('401'));
    // Registering makes the 401 stale: it goes, and so does the warning.
    await click('call-register');
    await waitFor(() => expect(screen.queryByTestId('call-unregistered')).toBeNull());
    expect(screen.queryByTestId('call-result')).toBeNull();
    expect(screen.getAllByTestId('keypair-row').map((r) => r.dataset.vaultKey)).toEqual(['kid-3']);
    await click('call-submit');
    await waitFor(() => expect(byId('call-result').dataset.status).toBe('200'));
    // Another key: the old answer no longer applies.
    await choose('call-key', 'kid-4');
    expect(screen.queryByTestId('call-result')).toBeNull();
    expect(byId('call-unregistered').textContent).toMatch(/rsa is not registered/);
  });

  it('brings the answer into view', async () => {
    fakeBackend({ keys: KEYS });
    const scrolled = vi.fn();
    HTMLElement.prototype.scrollIntoView = scrolled;
    try {
      render(App);
      await playground();
      await click('call-submit');
      const answer = await screen.findByTestId('call-answer');
      await waitFor(() => expect(scrolled.mock.contexts).toContain(answer));
    } finally {
      delete (HTMLElement.prototype as Partial<HTMLElement>).scrollIntoView;
    }
  });

  it('shows a call error beside Call, keeps the request, clears it on edit and on success', async () => {
    const fake = fakeBackend({ keys: KEYS, fail: { engine_call: failure('service.unreachable', 'Engine did not answer.') } });
    render(App);
    await playground();
    await type('call-path', '/system/health');
    await choose('call-method', 'POST');
    await type('call-body', '{"a": 1}');
    await click('call-submit');
    const note = await screen.findByTestId('call-error');
    expect(note.closest('form')?.contains(byId('call-submit'))).toBe(true);
    expect(byId('call-error-message').textContent).toBe('Engine did not answer.');
    expect(screen.queryByTestId('error-banner')).toBeNull();
    expect(value('call-path')).toBe('/system/health');
    expect(value('call-method')).toBe('POST');
    expect(value('call-body')).toBe('{"a": 1}');
    await type('call-path', '/system/health2');
    expect(screen.queryByTestId('call-error')).toBeNull();
    await click('call-submit');
    await screen.findByTestId('call-error');
    delete fake.state.fail.engine_call;
    await click('call-submit');
    await screen.findByTestId('call-result');
    expect(screen.queryByTestId('call-error')).toBeNull();
  });

  it('shows health, register and token errors beside their own buttons', async () => {
    const fake = fakeBackend({
      keys: KEYS,
      fail: {
        engine_keypair_add: failure('service.refused', 'Engine refused the key.'),
        service_key_create: failure('service.refused', 'Engine refused to create a token.'),
      },
    });
    render(App);
    await playground();
    await type('register-label', 'deploy');
    await click('register-submit');
    expect((await screen.findByTestId('register-error-message')).textContent).toBe('Engine refused the key.');
    expect(value('register-label')).toBe('deploy');
    await type('token-label', 'ci');
    await click('token-create');
    expect((await screen.findByTestId('token-create-error-message')).textContent).toBe('Engine refused to create a token.');
    expect(value('token-label')).toBe('ci');
    // Each note is its own form's: the register one is still there.
    expect(screen.queryByTestId('register-error')).toBeTruthy();
    expect(screen.queryByTestId('error-banner')).toBeNull();

    fake.state.fail.engine_health = failure('service.unreachable', 'Engine did not answer.');
    await click('health-check');
    expect((await screen.findByTestId('health-error-message')).textContent).toBe('Engine did not answer.');
    await waitFor(() => expect(screen.queryByTestId('health-result')).toBeNull());
    delete fake.state.fail.engine_health;
    await click('health-check');
    await screen.findByTestId('health-result');
    expect(screen.queryByTestId('health-error')).toBeNull();
  });

  it('shows Engine features as whole words', async () => {
    fakeBackend({ keys: KEYS });
    render(App);
    await playground();
    expect(Array.from(byId('health-features').querySelectorAll('li')).map((l) => l.textContent)).toEqual(['KEYPAIR_AUTH']);
  });

  it('keeps the add form on error (admin token too), and says its rule as it is filled', async () => {
    const fake = fakeBackend({ keys: KEYS, fail: { service_add_engine: failure('service.exists', 'A profile named prod exists.') } });
    render(App);
    await open('services');
    await type('svc-name', 'prod');
    await click('svc-add');
    expect(byId('svc-problem').textContent).toMatch(/name and the Engine URL/);
    await type('svc-url', 'https://engine.example');
    expect(screen.queryByTestId('svc-problem')).toBeNull();
    await type('svc-admin-token', 'ADMIN-SECRET');
    await click('svc-add');
    expect((await screen.findByTestId('svc-error-message')).textContent).toBe('A profile named prod exists.');
    expect(value('svc-name')).toBe('prod');
    expect(value('svc-url')).toBe('https://engine.example');
    await waitFor(() => expect(value('svc-admin-token')).toBe('ADMIN-SECRET'));
    await type('svc-name', 'prod-2');
    expect(screen.queryByTestId('svc-error')).toBeNull();
    delete fake.state.fail.service_add_engine;
    await click('svc-add');
    await waitFor(() => expect(byId('service-detail').dataset.name).toBe('prod-2'));
    expect(value('svc-admin-token')).toBe('');
  });

  it('shows a playground error in its box', async () => {
    fakeBackend({ keys: KEYS, fail: { playground_start: failure('playground.spawn', 'The playground did not start.') } });
    render(App);
    await open('services');
    await click('playground-start');
    expect((await screen.findByTestId('playground-error-message')).textContent).toBe('The playground did not start.');
    expect(screen.queryByTestId('error-banner')).toBeNull();
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

  it('shows a created access token once, with copy, until hidden', async () => {
    fakeBackend({ keys: KEYS });
    render(App);
    await playground();
    await type('token-label', 'ci-token');
    await click('token-create');
    const created = await screen.findByTestId('token-created');
    expect(created.dataset.stored).toBe('true');
    expect(byId('token-secret-value').textContent).toBe(FAKE_ACCESS_TOKEN);
    expect(byId('token-secret').textContent).toMatch(/stored in the keychain/);
    expect(byId('token-secret').textContent).toContain('access-token:tok-100');
    expect(byId('token-secret-copy')).toBeTruthy();
    expect(value('token-label')).toBe('');
    await waitFor(() => expect(screen.getAllByTestId('token-row')[0].dataset.stored).toBe('true'));
    await click('token-secret-hide');
    expect(screen.queryByTestId('token-created')).toBeNull();
    expect(document.body.textContent).not.toContain(FAKE_ACCESS_TOKEN);
  });

  it('hides the shown-once token when the user leaves the screen', async () => {
    fakeBackend({ keys: KEYS });
    render(App);
    await playground();
    await click('token-create');
    await screen.findByTestId('token-secret-value');
    await click('nav-keys');
    await waitFor(() => expect(document.body.textContent).not.toContain(FAKE_ACCESS_TOKEN));
    await click('nav-services');
    await screen.findByTestId('service-detail');
    expect(screen.queryByTestId('token-created')).toBeNull();
  });

  it('says a token was sealed when the back end does not return it', async () => {
    fakeBackend({ keys: KEYS, tokenSecretWithheld: true });
    render(App);
    await playground();
    await click('token-create');
    const created = await screen.findByTestId('token-created');
    expect(created.dataset.stored).toBe('true');
    expect(created.textContent).toMatch(/stored it in the keychain as\s+access-token:tok-100/);
    expect(screen.queryByTestId('token-secret')).toBeNull();
    expect(document.body.textContent).not.toContain(FAKE_ACCESS_TOKEN);
  });

  it('shows an unsaved token once, as not saved, until hidden', async () => {
    fakeBackend({ keys: KEYS, tokenUnsaved: true });
    render(App);
    await playground();
    await click('token-create');
    const created = await screen.findByTestId('token-created');
    expect(created.dataset.stored).toBe('false');
    expect(byId('token-secret').textContent).toMatch(/Not saved/);
    expect(byId('token-unsaved-why').textContent).toMatch(/the keychain is locked/);
    expect(byId('token-secret-value').textContent).toBe(FAKE_ACCESS_TOKEN);
    await click('token-secret-hide');
    expect(document.body.textContent).not.toContain(FAKE_ACCESS_TOKEN);
  });

  it('renames a token with Rename, checks it, and shows their errors under the list', async () => {
    const fake = fakeBackend({ keys: KEYS });
    render(App);
    await playground();
    await click('token-create');
    await screen.findByTestId('token-row');
    expect(byId('token-edit').textContent).toBe('Rename');
    await click('token-edit');
    await type('token-edit-label', 'deploy bot');
    fake.state.fail.service_key_rename = failure('service.refused', 'Engine refused the new label.');
    await fireEvent.submit(byId('token-edit-label').closest('form') as HTMLFormElement);
    expect((await screen.findByTestId('token-error-message')).textContent).toBe('Engine refused the new label.');
    expect(value('token-edit-label')).toBe('deploy bot');
    delete fake.state.fail.service_key_rename;
    await fireEvent.submit(byId('token-edit-label').closest('form') as HTMLFormElement);
    await waitFor(() => expect(screen.queryByTestId('token-edit-label')).toBeNull());
    expect(screen.queryByTestId('token-error')).toBeNull();
    expect(fake.callsTo('service_key_rename').slice(-1)[0]?.args).toEqual({ service: 'playground', id: 'tok-100', label: 'deploy bot' });
    await click('token-check');
    expect((await screen.findByTestId('token-checked')).dataset.works).toBe('true');
  });
});
