import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { emit } from '@tauri-apps/api/event';
import App from './App.svelte';
import { fakeBackend, keyInfo } from './tests/fake-backend';

const byId = (id: string) => screen.getByTestId(id);

async function type(id: string, value: string) {
  await fireEvent.input(byId(id), { target: { value } });
}

async function click(id: string) {
  await fireEvent.click(byId(id));
}

async function rows() {
  await screen.findByTestId('screen-keys');
  return waitFor(() => {
    const list = screen.getAllByTestId('key-row');
    return list;
  });
}

describe('start', () => {
  it('picks the screen from vault_status', async () => {
    const be = fakeBackend({ initialized: true, locked: true });
    render(App);
    await screen.findByTestId('screen-unlock');
    expect(be.callsTo('vault_status')).toHaveLength(1);
    expect(screen.queryByTestId('screen-setup')).toBeNull();
    expect(screen.queryByTestId('screen-keys')).toBeNull();
  });
});

describe('setup', () => {
  it('shows the setup screen when the vault is not initialized', async () => {
    fakeBackend({ initialized: false });
    render(App);
    const root = await screen.findByTestId('screen-setup');
    expect(within(root).getByTestId('setup-passphrase')).toBeTruthy();
    expect(within(root).getByTestId('setup-passphrase-confirm')).toBeTruthy();
    expect(root.textContent).toContain(
      'No passphrase (for automation): the vault key is stored unwrapped in the OS keychain',
    );
    expect(screen.queryByTestId('screen-unlock')).toBeNull();
  });

  it('refuses mismatched passphrases without calling vault_init', async () => {
    const be = fakeBackend({ initialized: false });
    render(App);
    await screen.findByTestId('screen-setup');
    await type('setup-passphrase', 'first passphrase');
    await type('setup-passphrase-confirm', 'other passphrase');
    // Said as soon as both are typed, beside the field that differs.
    expect(screen.getByTestId('setup-passphrase-confirm-problem').textContent).toMatch(/do not match/);
    await click('setup-submit');
    expect(screen.getByTestId('setup-passphrase-confirm-problem').textContent).toMatch(/do not match/);
    expect(be.callsTo('vault_init')).toHaveLength(0);
    expect(byId('screen-setup')).toBeTruthy();
  });

  it('refuses a short passphrase without calling vault_init', async () => {
    const be = fakeBackend({ initialized: false });
    render(App);
    await screen.findByTestId('screen-setup');
    // The rule is said before anything is typed.
    expect(screen.getByTestId('screen-setup').textContent).toContain('At least 8 characters');
    await type('setup-passphrase', 'short');
    await type('setup-passphrase-confirm', 'short');
    await click('setup-submit');
    expect(screen.getByTestId('setup-passphrase-problem').textContent).toMatch(/at least 8 characters \(5 so far\)/);
    // Then checked as the user types.
    await type('setup-passphrase', 'long enough now');
    expect(screen.queryByTestId('setup-passphrase-problem')).toBeNull();
    expect(be.callsTo('vault_init')).toHaveLength(0);
  });

  it('creates a passphrase vault and goes to Keys', async () => {
    const be = fakeBackend({ initialized: false });
    render(App);
    await screen.findByTestId('screen-setup');
    await type('setup-passphrase', 'a good passphrase');
    await type('setup-passphrase-confirm', 'a good passphrase');
    await click('setup-submit');
    await screen.findByTestId('screen-keys');
    expect(be.callsTo('vault_init').map((c) => c.args)).toEqual([{ passphrase: 'a good passphrase' }]);
    expect(screen.queryByTestId('mode-badge')).toBeNull(); // only the no-passphrase warning shows
  });

  it('needs the acknowledgement for no-passphrase mode, then sends passphrase null', async () => {
    const be = fakeBackend({ initialized: false });
    render(App);
    await screen.findByTestId('screen-setup');
    const submit = byId('setup-no-passphrase-submit') as HTMLButtonElement;
    expect(submit.disabled).toBe(true);
    await click('setup-no-passphrase-submit');
    expect(be.callsTo('vault_init')).toHaveLength(0);
    await click('setup-no-passphrase-ack');
    expect(submit.disabled).toBe(false);
    await click('setup-no-passphrase-submit');
    await screen.findByTestId('screen-keys');
    expect(be.callsTo('vault_init').map((c) => c.args)).toEqual([{ passphrase: null }]);
    expect(byId('mode-badge').textContent).toMatch(/No passphrase/);
  });
});

describe('unlock', () => {
  it('shows the vault id and the error beside the form, its code as a detail', async () => {
    const be = fakeBackend({ locked: true });
    render(App);
    await screen.findByTestId('screen-unlock');
    expect(byId('unlock-vault-id').textContent).toBe('vault-0001');
    await type('unlock-passphrase', 'wrong passphrase');
    await click('unlock-submit');
    const note = await screen.findByTestId('unlock-error');
    expect(within(note).getByTestId('unlock-error-code').textContent).toBe('vault.bad_passphrase');
    expect(within(note).getByTestId('unlock-error-hint').textContent).toBe('Check Caps Lock and try again.');
    expect(within(note).getByTestId('unlock-error-message').textContent).toBe('Wrong passphrase.');
    expect(screen.queryByTestId('error-banner')).toBeNull();
    expect(be.callsTo('vault_unlock').map((c) => c.args)).toEqual([{ passphrase: 'wrong passphrase' }]);
    // The passphrase does not linger in the field; typing again clears the error.
    expect((byId('unlock-passphrase') as HTMLInputElement).value).toBe('');
    await type('unlock-passphrase', 'x');
    expect(screen.queryByTestId('unlock-error')).toBeNull();
  });

  it('says why it locked', async () => {
    const be = fakeBackend({ keys: [keyInfo(1)] });
    render(App);
    await rows();
    await click('lock-button');
    await screen.findByTestId('screen-unlock');
    expect(byId('unlock-why').textContent).toBe('You locked it.');
    expect(be.callsTo('vault_lock')).toHaveLength(1);
  });

  it('submits on Enter and goes to Keys', async () => {
    const be = fakeBackend({ locked: true, keys: [keyInfo(1)] });
    render(App);
    await screen.findByTestId('screen-unlock');
    await type('unlock-passphrase', 'correct horse');
    await fireEvent.submit(byId('unlock-passphrase').closest('form')!);
    await rows();
    expect(be.callsTo('vault_unlock')).toHaveLength(1);
  });

  it('goes to Unlock when a call fails with vault.locked', async () => {
    const be = fakeBackend({ keys: [keyInfo(1)] });
    render(App);
    await rows();
    be.state.locked = true; // e.g. the CLI locked the vault
    await click('gen-submit');
    await screen.findByTestId('screen-unlock');
  });
});

describe('keys', () => {
  it('renders a row per key from key_list', async () => {
    fakeBackend({ keys: [keyInfo(1, 'deploy'), keyInfo(2, 'signing')] });
    render(App);
    const list = await rows();
    expect(list).toHaveLength(2);
    expect(list.map((r) => r.getAttribute('data-key-id'))).toEqual(['kid-1', 'kid-2']);
    expect(list.map((r) => within(r).getByTestId('key-row-label').textContent)).toEqual([
      'deploy',
      'signing',
    ]);
    expect(within(byId('key-list')).getAllByTestId('key-row')).toHaveLength(2);
  });

  it('shows the error banner with code and hint when key_list is rejected', async () => {
    fakeBackend({
      fail: { key_list: { code: 'store.io', message: 'Disk error.', hint: 'Check the data dir.' } },
    });
    render(App);
    const banner = await screen.findByTestId('error-banner');
    expect(within(banner).getByTestId('error-code').textContent).toBe('store.io');
    expect(within(banner).getByTestId('error-hint').textContent).toBe('Check the data dir.');
  });

  it('shows the detail of the selected key', async () => {
    const be = fakeBackend({ keys: [keyInfo(1, 'deploy'), keyInfo(2, 'signing')] });
    render(App);
    const list = await rows();
    await fireEvent.click(list[1]);
    const detail = await screen.findByTestId('key-detail');
    expect(detail.getAttribute('data-key-id')).toBe('kid-2');
    expect(be.callsTo('key_detail').map((c) => c.args)).toEqual([{ key: 'kid-2' }]);
    expect(byId('detail-label').textContent).toBe('signing');
    expect(byId('detail-id').textContent).toBe('kid-2');
    expect(byId('detail-identity-value').textContent).toBe(keyInfo(2).fingerprint);
    expect(byId('detail-public-pem').textContent).toContain('PEM-kid-2');
    expect(JSON.parse(byId('detail-jwk').textContent ?? '')).toMatchObject({ kid: 'kid-2', crv: 'P-256' });
  });

  it('shows the QR code of the selected key as an SVG image, never as markup', async () => {
    const be = fakeBackend({ keys: [keyInfo(1, 'deploy'), keyInfo(2, 'signing')] });
    render(App);
    const list = await rows();
    await fireEvent.click(list[1]);
    const img = (await screen.findByTestId('detail-qr')) as HTMLImageElement;
    expect(be.callsTo('key_qr').map((c) => c.args)).toContainEqual({ key: 'kid-2', format: 'pem' });
    expect(img.getAttribute('src')).toMatch(/^data:image\/svg\+xml;base64,/);
    const svg = atob(img.getAttribute('src')!.split(',')[1]);
    expect(svg).toContain('data-key="kid-2"');
    expect(img.getAttribute('data-ec-level')).toBe('Q');
    expect(document.querySelector('[data-testid="key-detail"] svg')).toBeNull();
  });

  it('generates a key with a label, or null when blank', async () => {
    const be = fakeBackend();
    render(App);
    await screen.findByTestId('screen-keys');
    await type('gen-label', '  ci  ');
    await click('gen-submit');
    await waitFor(() => expect(screen.getAllByTestId('key-row')).toHaveLength(1));
    await waitFor(() => expect((byId('gen-submit') as HTMLButtonElement).disabled).toBe(false));
    expect((byId('gen-label') as HTMLInputElement).value).toBe('');
    await click('gen-submit');
    await waitFor(() => expect(screen.getAllByTestId('key-row')).toHaveLength(2));
    expect(be.callsTo('key_generate').map((c) => c.args)).toEqual([
      { req: { alg: 'p256', label: 'ci', tags: [] } },
      { req: { alg: 'p256', label: null, tags: [] } },
    ]);
  });

  it('imports a pasted PEM and clears the text afterwards', async () => {
    const be = fakeBackend();
    render(App);
    await screen.findByTestId('screen-keys');
    const pem = '-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n';
    await type('import-text', pem);
    await type('import-label', 'imported one');
    await click('import-submit');
    await waitFor(() => expect(screen.getAllByTestId('key-row')).toHaveLength(1));
    expect(be.callsTo('key_import').map((c) => c.args)).toEqual([
      {
        req: {
          text: pem,
          format: 'auto',
          alg: null,
          path: null,
          passphrase: null,
          label: 'imported one',
          tags: [],
        },
      },
    ]);
    expect((byId('import-text') as HTMLTextAreaElement).value).toBe('');
  });

  it('does not call key_import with an empty text', async () => {
    const be = fakeBackend();
    render(App);
    await screen.findByTestId('screen-keys');
    await click('import-submit');
    expect(be.callsTo('key_import')).toHaveLength(0);
  });

  it('renames the selected key', async () => {
    const be = fakeBackend({ keys: [keyInfo(1, 'old')] });
    render(App);
    await fireEvent.click((await rows())[0]);
    await screen.findByTestId('key-detail');
    await type('rename-input', 'new name');
    await click('rename-submit');
    await waitFor(() => expect(byId('detail-label').textContent).toBe('new name'));
    expect(be.callsTo('key_rename').map((c) => c.args)).toEqual([{ key: 'kid-1', label: 'new name' }]);
    expect(within(byId('key-list')).getByTestId('key-row-label').textContent).toBe('new name');
  });

  it('deletes only after confirmation, then refreshes the list', async () => {
    const be = fakeBackend({ keys: [keyInfo(1, 'keep'), keyInfo(2, 'doomed')] });
    render(App);
    await fireEvent.click((await rows())[1]);
    await screen.findByTestId('key-detail');

    await click('delete-button');
    const dialog = await screen.findByTestId('delete-dialog');
    expect(dialog.textContent).toContain('Delete key doomed?');
    expect(dialog.textContent).toContain('Unless a backup holds it, it is gone for good');
    expect(document.activeElement).toBe(byId('delete-cancel'));
    expect(be.callsTo('key_delete')).toHaveLength(0);

    await click('delete-cancel');
    expect(screen.queryByTestId('delete-dialog')).toBeNull();
    expect(be.callsTo('key_delete')).toHaveLength(0);
    expect(screen.getAllByTestId('key-row')).toHaveLength(2);

    await click('delete-button');
    await screen.findByTestId('delete-dialog');
    const listCalls = be.callsTo('key_list').length;
    // Deleting a private key takes its label typed out.
    expect((byId('delete-confirm') as HTMLButtonElement).disabled).toBe(true);
    await type('delete-typed', 'doome');
    expect((byId('delete-confirm') as HTMLButtonElement).disabled).toBe(true);
    await type('delete-typed', 'doomed');
    await click('delete-confirm');
    await waitFor(() => expect(screen.queryByTestId('delete-dialog')).toBeNull());
    expect(be.callsTo('key_delete').map((c) => c.args)).toEqual([{ key: 'kid-2' }]);
    await waitFor(() => expect(screen.getAllByTestId('key-row')).toHaveLength(1));
    expect(be.callsTo('key_list').length).toBeGreaterThan(listCalls);
    expect(screen.queryByTestId('key-detail')).toBeNull();
  });

  it('closes the delete dialog on Escape without deleting', async () => {
    const be = fakeBackend({ keys: [keyInfo(1)] });
    render(App);
    await fireEvent.click((await rows())[0]);
    await screen.findByTestId('key-detail');
    await click('delete-button');
    await fireEvent.keyDown(await screen.findByTestId('delete-dialog'), { key: 'Escape' });
    expect(screen.queryByTestId('delete-dialog')).toBeNull();
    expect(be.callsTo('key_delete')).toHaveLength(0);
  });

  it('re-reads keys when the window gains focus', async () => {
    const be = fakeBackend({ keys: [keyInfo(1)] });
    render(App);
    expect(await rows()).toHaveLength(1);
    be.state.keys.push(keyInfo(2, 'from the CLI'));
    window.dispatchEvent(new Event('focus'));
    await waitFor(() => expect(screen.getAllByTestId('key-row')).toHaveLength(2));
    expect(be.callsTo('vault_status').length).toBeGreaterThanOrEqual(2);
  });

  it('re-reads keys when the document becomes visible', async () => {
    const be = fakeBackend({ keys: [keyInfo(1)] });
    render(App);
    expect(await rows()).toHaveLength(1);
    be.state.keys.push(keyInfo(2, 'from the CLI'));
    document.dispatchEvent(new Event('visibilitychange'));
    await waitFor(() => expect(screen.getAllByTestId('key-row')).toHaveLength(2));
  });

  it('locks the vault', async () => {
    const be = fakeBackend({ keys: [keyInfo(1)] });
    render(App);
    await rows();
    await click('lock-button');
    await screen.findByTestId('screen-unlock');
    expect(be.callsTo('vault_lock')).toHaveLength(1);
  });

  it('shows the no-passphrase warning badge', async () => {
    fakeBackend({ mode: 'none' });
    render(App);
    await screen.findByTestId('screen-keys');
    expect(byId('mode-badge').textContent).toMatch(/No passphrase/);
  });
});

describe('the app as agent', () => {
  it('re-reads the vault when the CLI changed it through the agent', async () => {
    const be = fakeBackend({ keys: [keyInfo(1, 'first')] });
    render(App);
    await rows();
    // The CLI adds a key through the app's agent socket.
    be.state.keys.push(keyInfo(2, 'from the CLI'));
    await emit('vault://changed');
    await waitFor(() => expect(screen.getAllByTestId('key-row')).toHaveLength(2));
    // ...then locks it: the unlock screen shows without any click.
    be.state.locked = true;
    await emit('vault://changed');
    await screen.findByTestId('screen-unlock');
  });
});
